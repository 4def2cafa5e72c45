package analysis

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
)

// knownCgo lists modules that need cgo, for when a dependency's source is
// not on disk. With CGO_ENABLED=0 some of them (go-sqlite3) still compile,
// as stubs that fail at run time, so missing one is a silent failure.
var knownCgo = []string{
	"github.com/mattn/go-sqlite3", "github.com/mattn/go-oci8", "github.com/godror/godror",
	"github.com/confluentinc/confluent-kafka-go", "github.com/DataDog/zstd", "github.com/valyala/gozstd",
	"github.com/linxGnu/grocksdb", "github.com/tecbot/gorocksdb", "github.com/h2non/bimg",
	"github.com/davidbyttow/govips", "github.com/ibmdb/go_ibm_db", "gopkg.in/gographics/imagick.v2",
	"gopkg.in/gographics/imagick.v3", "github.com/go-gl/glfw", "github.com/go-gl/gl",
	"gorm.io/driver/sqlite", "github.com/mutecomm/go-sqlcipher", "github.com/xeodou/go-sqlcipher",
	"github.com/marcboeker/go-duckdb", "github.com/duckdb/duckdb-go", "github.com/google/gopacket/pcap",
	"github.com/miekg/pkcs11", "gocv.io/x/gocv", "github.com/wasmerio/wasmer-go",
	"github.com/bytecodealliance/wasmtime-go", "github.com/tensorflow/tensorflow/tensorflow/go",
}

// depResult is what dockgen knows about a dependency package's cgo use.
type depResult struct {
	cgo      string // the package (this one or one it imports) that uses cgo
	fromList bool   // decided by knownCgo because the source is not on disk
}

// depCgo reports whether a non-module package, or any package it imports,
// uses cgo (has files importing "C" for linux with cgo enabled).
func (a *analyzer) depCgo(ip string, depth int) depResult {
	if r, ok := a.deps[ip]; ok {
		return r
	}
	a.deps[ip] = depResult{} // in progress: import cycles end here
	r := a.depCgoUncached(ip, depth)
	a.deps[ip] = r
	return r
}

func (a *analyzer) depCgoUncached(ip string, depth int) depResult {
	dir, missing := a.depDir(ip)
	if dir == "" {
		if missing != "" {
			a.missing[missing] = true
		}
		if matchAny(ip, knownCgo) {
			return depResult{cgo: ip, fromList: true}
		}
		return depResult{}
	}
	bp, _ := a.depCtx.ImportDir(dir, 0)
	if bp == nil {
		return depResult{}
	}
	if len(bp.CgoFiles) > 0 {
		return depResult{cgo: ip}
	}
	if depth > 100 {
		return depResult{}
	}
	for _, imp := range bp.Imports {
		if imp == "C" || isStdPath(imp) || a.localDir(imp) != "" {
			continue
		}
		if r := a.depCgo(imp, depth+1); r.cgo != "" {
			return r
		}
	}
	return depResult{}
}

// depDir finds a dependency package's source: vendor/ when vendored, else
// the module cache at the version go.mod requires (replacements applied).
// When the source is not there it returns "" and the module that is missing.
func (a *analyzer) depDir(ip string) (dir, missing string) {
	req := a.requireFor(ip)
	modPath := ip
	if req != nil {
		modPath = req.Mod.Path
	}
	if a.mod.vendor {
		d := filepath.Join(a.root, "vendor", filepath.FromSlash(ip))
		if isDir(d) {
			return d, ""
		}
		return "", modPath
	}
	if req == nil {
		return "", modPath
	}
	base := ""
	if r := a.replaceFor(req.Mod.Path, req.Mod.Version); r != nil {
		if r.New.Version == "" {
			base = filepath.FromSlash(r.New.Path)
			if !filepath.IsAbs(base) {
				base = filepath.Join(a.root, base)
			}
		} else {
			base = a.cachePath(r.New.Path, r.New.Version)
		}
	} else {
		base = a.cachePath(req.Mod.Path, req.Mod.Version)
	}
	if base == "" || !isDir(base) {
		return "", modPath
	}
	return filepath.Join(base, filepath.FromSlash(strings.TrimPrefix(ip, req.Mod.Path))), ""
}

// requireFor returns the require whose module path is the longest prefix.
func (a *analyzer) requireFor(ip string) *modfile.Require {
	for _, r := range a.mod.requires { // longest first
		if hasPathPrefix(ip, r.Mod.Path) {
			return r
		}
	}
	return nil
}

func (a *analyzer) replaceFor(path, version string) *modfile.Replace {
	var any *modfile.Replace
	for _, r := range a.mod.file.Replace {
		if r.Old.Path != path {
			continue
		}
		if r.Old.Version == version {
			return r
		}
		if r.Old.Version == "" {
			any = r
		}
	}
	return any
}

func (a *analyzer) cachePath(path, version string) string {
	if a.cache == "" {
		a.cache = a.modCache()
	}
	ep, err1 := module.EscapePath(path)
	ev, err2 := module.EscapeVersion(version)
	if err1 != nil || err2 != nil || a.cache == "" {
		return ""
	}
	return filepath.Join(a.cache, filepath.FromSlash(ep)+"@"+ev)
}

// mainCgo decides whether a main needs cgo: its own import "C" first, then
// the dependencies its files import, in file order.
func (a *analyzer) mainCgo(m *Main, files []*file) {
	for _, f := range files {
		if src := f.facts.cgo; src != "" {
			m.Cgo, m.CgoSource = true, src
			m.CgoReason = fmt.Sprintf("import \"C\" in %s", f.rel)
			return
		}
	}
	for _, f := range files {
		for _, s := range f.facts.imports {
			r := a.depCgo(s.path, 0)
			if r.cgo == "" {
				continue
			}
			m.Cgo, m.CgoSource = true, s.source
			switch {
			case r.fromList:
				m.CgoReason = fmt.Sprintf("%s uses cgo (imported at %s; known cgo module, its source is not downloaded)", r.cgo, s.source)
			case r.cgo == s.path:
				m.CgoReason = fmt.Sprintf("%s uses cgo (imported at %s)", r.cgo, s.source)
			default:
				m.CgoReason = fmt.Sprintf("%s uses cgo (via %s, imported at %s)", r.cgo, s.path, s.source)
			}
			return
		}
	}
}

// missingWarning is the one warning for dependency sources not on disk.
func (a *analyzer) missingWarning(moduleSource string) []Warning {
	if len(a.missing) == 0 {
		return nil
	}
	mods := make([]string, 0, len(a.missing))
	for m := range a.missing {
		mods = append(mods, m)
	}
	sort.Strings(mods)
	src := moduleSource
	for _, r := range a.mod.file.Require {
		if r.Mod.Path == mods[0] && r.Syntax != nil {
			src = lineSource("go.mod", r.Syntax)
		}
	}
	list := strings.Join(mods, ", ")
	if len(mods) > 3 {
		list = strings.Join(mods[:3], ", ") + fmt.Sprintf(" and %d more", len(mods)-3)
	}
	msg := fmt.Sprintf("dependency sources are not in the module cache (%s): cgo use in them was judged from dockgen's list of known cgo modules; run `go mod download` and analyze again for exact detection", list)
	if a.mod.vendor {
		msg = fmt.Sprintf("vendor/ lacks dependency packages (%s): cgo use in them was judged from dockgen's list of known cgo modules; run `go mod vendor` and analyze again", list)
	}
	return []Warning{{Code: "deps-not-downloaded", Source: src, Message: msg}}
}
