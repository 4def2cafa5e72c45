package analysis

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/mod/modfile"
)

// Whether the go command builds from vendor/. Since Go 1.14 it does by
// default when go.mod declares go 1.14 or later (or no go version, which
// means 1.16) and vendor/modules.txt agrees with go.mod; otherwise it
// either ignores vendor/ (go.mod declares an older go: rakyll/hey's 1.13)
// or refuses to build ("inconsistent vendoring"). Only the first makes
// `-mod=vendor` right; in the others the image downloads the modules and
// vendor/ stays out of the build context.

// vendorUse decides Facts.Vendor when vendor/modules.txt exists, and the
// warning that explains a vendor/ the build does not use.
func (a *analyzer) vendorUse(f *Facts, mf *modfile.File) []Warning {
	if !goAtLeast(f.Go, 1, 14) {
		f.Vendor, f.VendorIgnored = false, true
		src := f.GoSource
		if src == "" {
			src = "go.mod:1"
		}
		return []Warning{{Code: "vendor-unused", Source: src, Message: fmt.Sprintf(
			"go.mod declares go %s: before go 1.14 go build ignores vendor/ (unless -mod=vendor is given), so the image downloads the modules go.mod requires and leaves vendor/ out; to build from vendor/, raise the go directive to 1.14 or later and run `go mod vendor`", f.Go)}}
	}
	data, err := a.readFile(filepath.Join(a.root, "vendor", "modules.txt"), maxModFile)
	if err != nil {
		return nil // read errors are reported where the file is checked
	}
	if src, why := vendorMismatch(mf, data); why != "" {
		f.Vendor, f.VendorIgnored = false, true
		return []Warning{{Code: "vendor-inconsistent", Source: src, Message: fmt.Sprintf(
			"vendor/modules.txt does not match go.mod (%s): go build fails with \"inconsistent vendoring\", so the image downloads the modules instead and leaves vendor/ out; run `go mod vendor` to build from vendor/", why)}}
	}
	return nil
}

// goAtLeast reports whether a go directive's version is major.minor or
// later; no version means 1.16 to the go command.
func goAtLeast(v string, major, minor int) bool {
	if v == "" {
		v = "1.16"
	}
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return true
	}
	mj, err1 := strconv.Atoi(parts[0])
	mn := 0
	for i, r := range parts[1] { // "21rc1" → 21
		if r < '0' || r > '9' {
			parts[1] = parts[1][:i]
			break
		}
	}
	mn, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil {
		return true
	}
	return mj > major || mj == major && mn >= minor
}

// vendorMismatch compares vendor/modules.txt with go.mod the way the go
// command does: every requirement marked "## explicit" at its version, no
// explicit module go.mod does not require, the same replacements. It
// returns the go.mod line and what differs, or "" when they agree.
func vendorMismatch(mf *modfile.File, data []byte) (string, string) {
	type entry struct {
		version, replace string
		explicit         bool
	}
	vend := map[string]*entry{}
	var cur *entry
	for _, line := range strings.Split(string(data), "\n") {
		switch {
		case strings.HasPrefix(line, "# "):
			f := strings.Fields(line[2:])
			cur = nil
			if len(f) == 0 {
				continue
			}
			e := &entry{}
			if len(f) > 1 && f[1] != "=>" {
				e.version = f[1]
			}
			if i := strings.Index(line, "=>"); i >= 0 {
				e.replace = strings.Join(strings.Fields(line[i+2:]), " ")
			}
			vend[f[0]], cur = e, e
		case strings.HasPrefix(line, "## ") && cur != nil:
			for _, a := range strings.Split(line[3:], ";") {
				if strings.TrimSpace(a) == "explicit" {
					cur.explicit = true
				}
			}
		}
	}
	required := map[string]bool{}
	for _, r := range mf.Require {
		required[r.Mod.Path] = true
		e := vend[r.Mod.Path]
		src := lineSource("go.mod", r.Syntax)
		switch {
		case e == nil || !e.explicit:
			return src, fmt.Sprintf("go.mod requires %s %s, which vendor/modules.txt does not mark as explicit", r.Mod.Path, r.Mod.Version)
		case e.version != "" && e.version != r.Mod.Version:
			return src, fmt.Sprintf("go.mod requires %s %s, vendor/modules.txt has %s", r.Mod.Path, r.Mod.Version, e.version)
		}
	}
	for path, e := range vend {
		if e.explicit && !required[path] {
			return "go.mod:1", fmt.Sprintf("vendor/modules.txt marks %s as explicit, go.mod does not require it", path)
		}
	}
	for _, r := range mf.Replace {
		e := vend[r.Old.Path]
		if e == nil {
			continue // a replacement of a module nothing vendored uses
		}
		want := r.New.Path
		if r.New.Version != "" {
			want += " " + r.New.Version
		}
		if e.replace != want {
			return lineSource("go.mod", r.Syntax), fmt.Sprintf("go.mod replaces %s with %s, vendor/modules.txt records %q", r.Old.Path, want, e.replace)
		}
	}
	return "", ""
}
