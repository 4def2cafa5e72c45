package analysis

import (
	"errors"
	"fmt"
	"go/build"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
)

// Whether a main needs cgo is decided from the repository alone, so the
// facts, and every file generated from them, are the same on every machine:
//
//   - its own code (the module packages it imports) has import "C";
//   - its own code imports a package of a module in knownCgo;
//   - a dependency whose source is in the repository (vendor/, or a replace
//     to a directory inside the module) has cgo files or leads to one of these;
//   - otherwise, when it imports a third-party package whose source is not in
//     the repository and go.mod requires a module in knownCgo, cgo is on as a
//     guess (Main.CgoGuessed): a cgo build on a glibc runtime always works,
//     a stub does not.
//
// The module cache, when it holds the sources, never changes a decision: it
// only adds Facts.CacheNotes that confirm or question one (cacheCheck).

// knownCgo lists modules (or packages, for modules whose other packages are
// pure Go) that need cgo. With CGO_ENABLED=0 some of them (go-sqlite3)
// still compile, as stubs that fail at run time, so missing one is a silent
// failure. Only modules whose linux build needs cgo belong here: pure-Go
// look-alikes (modernc.org/sqlite, ncruces/go-sqlite3, go-zeromq/zmq4,
// syndtr/goleveldb) must not.
var knownCgo = []string{
	// databases and their drivers
	"github.com/mattn/go-sqlite3", "gorm.io/driver/sqlite", "github.com/mutecomm/go-sqlcipher",
	"github.com/xeodou/go-sqlcipher", "github.com/marcboeker/go-duckdb", "github.com/duckdb/duckdb-go",
	"github.com/mattn/go-oci8", "github.com/godror/godror", "gopkg.in/goracle.v2", "github.com/ibmdb/go_ibm_db",
	"github.com/alexbrainman/odbc", "github.com/linxGnu/grocksdb", "github.com/tecbot/gorocksdb",
	"github.com/jmhodges/levigo",
	// messaging
	"github.com/confluentinc/confluent-kafka-go", "github.com/ibm-messaging/mq-golang",
	"github.com/pebbe/zmq4", "github.com/zeromq/goczmq",
	// compression, crypto, system libraries
	"github.com/DataDog/zstd", "github.com/valyala/gozstd", "github.com/google/brotli/go/cbrotli",
	"github.com/spacemonkeygo/openssl", "github.com/miekg/pkcs11", "github.com/proglottis/gpgme",
	"github.com/seccomp/libseccomp-golang", "github.com/libgit2/git2go",
	"github.com/coreos/go-systemd/sdjournal", "github.com/coreos/go-systemd/v22/sdjournal",
	"github.com/google/gousb", "github.com/iovisor/gobpf", "github.com/aquasecurity/libbpfgo",
	"github.com/google/gopacket/pcap", "github.com/gopacket/gopacket/pcap",
	// images, media, GUI
	"github.com/h2non/bimg", "github.com/davidbyttow/govips", "gopkg.in/gographics/imagick.v2",
	"gopkg.in/gographics/imagick.v3", "gocv.io/x/gocv", "github.com/go-gl/glfw", "github.com/go-gl/gl",
	"github.com/veandco/go-sdl2", "github.com/gotk3/gotk3", "github.com/gordonklaus/portaudio",
	// runtimes and ML
	"github.com/wasmerio/wasmer-go", "github.com/bytecodealliance/wasmtime-go",
	"github.com/tensorflow/tensorflow/tensorflow/go",
}

// repoResult is what the repository alone says about a dependency package.
type repoResult struct {
	cgo    string // the package found to use cgo, "" when none
	known  bool   // found through knownCgo rather than by its cgo files
	opaque bool   // it, or a package it leads to, has no source in the repository
}

// repoCgo reports whether a third-party package, or a package it imports,
// uses cgo, looking only at the repository.
func (a *analyzer) repoCgo(ip string, depth int) repoResult {
	if r, ok := a.repoDeps[ip]; ok {
		return r
	}
	a.repoDeps[ip] = repoResult{} // in progress: an import cycle ends here
	r := a.repoCgoUncached(ip, depth)
	a.repoDeps[ip] = r
	return r
}

func (a *analyzer) repoCgoUncached(ip string, depth int) repoResult {
	if matchAny(ip, knownCgo) {
		return repoResult{cgo: ip, known: true}
	}
	dir, missing := a.sourceDir(ip, false)
	if dir == "" {
		if a.mod.vendor && missing != "" {
			a.vendorMissing[missing] = true
		}
		return repoResult{opaque: true}
	}
	bp, err := a.depCtx.ImportDir(dir, 0)
	if bp == nil || (err != nil && len(bp.GoFiles)+len(bp.CgoFiles) == 0) {
		return repoResult{opaque: !isNoGo(err)}
	}
	if len(bp.CgoFiles) > 0 {
		return repoResult{cgo: ip}
	}
	var r repoResult
	if depth > 100 {
		r.opaque = true
		return r
	}
	for _, imp := range bp.Imports {
		if !a.thirdParty(imp) {
			continue
		}
		sub := a.repoCgo(imp, depth+1)
		if sub.cgo != "" {
			return sub
		}
		r.opaque = r.opaque || sub.opaque
	}
	return r
}

func isNoGo(err error) bool {
	var noGo *build.NoGoError
	return errors.As(err, &noGo)
}

// thirdParty reports whether an import path is neither "C", the standard
// library nor a package of this module.
func (a *analyzer) thirdParty(ip string) bool {
	return ip != "C" && !isStdPath(ip) && a.localDir(ip) == ""
}

// sourceDir finds a dependency package's source: vendor/ when vendored,
// else a replace to a directory inside the module, else (only when cache is
// true) the module cache at the version go.mod requires, replacements
// applied. When the source is not there it returns "" and the module that
// is missing.
func (a *analyzer) sourceDir(ip string, cache bool) (dir, missing string) {
	req := a.requireFor(ip)
	modPath := ip
	if req != nil {
		modPath = req.Mod.Path
	}
	if a.mod.vendor {
		d := filepath.Join(a.root, "vendor", filepath.FromSlash(ip))
		if a.buildIsDir(d) {
			return d, ""
		}
		return "", modPath
	}
	if req == nil {
		return "", modPath
	}
	base := ""
	if r := a.replaceFor(req.Mod.Path, req.Mod.Version); r != nil && r.New.Version == "" {
		// A directory replacement: readModule checked it is inside the module.
		base = filepath.Join(a.root, filepath.FromSlash(r.New.Path))
	} else if !cache {
		return "", modPath
	} else if r != nil {
		base = a.cachePath(r.New.Path, r.New.Version)
	} else {
		base = a.cachePath(req.Mod.Path, req.Mod.Version)
	}
	if base == "" || !a.buildIsDir(base) {
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

// cgoRequire is the first module in knownCgo that go.mod requires (or, for
// a module before go 1.17, whose go.mod lists only direct dependencies,
// that go.sum has the source of), with what lists it.
func (a *analyzer) cgoRequire() (mod, verb, source string) {
	for _, r := range a.mod.inOrder {
		if matchAny(r.path, knownCgo) {
			verb := "go.mod requires"
			if strings.HasPrefix(r.source, "go.sum:") {
				verb = "go.sum lists"
			}
			return r.path, verb, r.source
		}
	}
	return "", "", ""
}

// mainLabel names a main in messages: its directory.
func mainLabel(dir string) string {
	if dir == "." {
		return "the root package (.)"
	}
	return dir
}

// mainCgo decides whether a main needs cgo from the repository alone: its
// own import "C" first, then the dependencies its files import, in file
// order, then the guess from go.mod's requires.
func (a *analyzer) mainCgo(m *Main, files []*file) {
	for _, f := range files {
		if src := f.facts.cgo; src != "" {
			m.Cgo, m.CgoSource = true, src
			m.CgoReason = fmt.Sprintf("import \"C\" in %s", f.rel)
			return
		}
	}
	var sites []importSite
	opaque := false
	for _, f := range files {
		for _, s := range f.facts.imports {
			sites = append(sites, s)
			r := a.repoCgo(s.path, 0)
			if r.cgo == "" {
				opaque = opaque || r.opaque
				continue
			}
			m.Cgo, m.CgoSource = true, s.source
			if r.cgo == s.path {
				m.CgoReason = fmt.Sprintf("%s uses cgo (imported at %s)", s.path, s.source)
			} else {
				m.CgoReason = fmt.Sprintf("%s uses cgo (via %s, imported at %s)", r.cgo, s.path, s.source)
			}
			return
		}
	}
	if !opaque {
		return // no third-party code the repository does not show
	}
	if mod, verb, src := a.cgoRequire(); mod != "" {
		m.Cgo, m.CgoGuessed, m.CgoSource = true, true, src
		m.CgoReason = fmt.Sprintf("%s %s (%s), a cgo module that %s may link through its dependencies", verb, mod, src, mainLabel(m.Dir))
	}
	if !a.mod.vendor {
		a.cacheCheck(m, sites)
	}
}

// depInfo is a dependency package as the module cache shows it.
type depInfo struct {
	cgo     bool
	imports []string // third-party imports
}

// cacheDep reads a dependency package's header from the module cache (or
// an in-repository replacement); nil, with the missing module, when its
// source is not on disk.
func (a *analyzer) cacheDep(ip string) (*depInfo, string) {
	if d, ok := a.cacheDeps[ip]; ok {
		return d, ""
	}
	dir, missing := a.sourceDir(ip, true)
	if dir == "" {
		return nil, missing
	}
	d := &depInfo{}
	if bp, _ := a.depCtx.ImportDir(dir, 0); bp != nil {
		d.cgo = len(bp.CgoFiles) > 0
		for _, imp := range bp.Imports {
			if a.thirdParty(imp) {
				d.imports = append(d.imports, imp)
			}
		}
	}
	a.cacheDeps[ip] = d
	return d, ""
}

// cacheCheck walks the dependencies a main imports through the module
// cache, where it has them, and notes where that disagrees with the
// repository-only decision or cannot confirm it. It changes no fact.
func (a *analyzer) cacheCheck(m *Main, sites []importSite) {
	type item struct {
		ip   string
		site importSite
	}
	var queue []item
	seen := map[string]bool{}
	for _, s := range sites {
		if !seen[s.path] {
			seen[s.path] = true
			queue = append(queue, item{s.path, s})
		}
	}
	missing := map[string]bool{}
	var found *item
	for i := 0; i < len(queue) && found == nil; i++ {
		it := queue[i]
		d, miss := a.cacheDep(it.ip)
		switch {
		case matchAny(it.ip, knownCgo) || d != nil && d.cgo:
			found = &it
		case d == nil:
			missing[miss] = true
		default:
			for _, imp := range d.imports {
				if !seen[imp] {
					seen[imp] = true
					queue = append(queue, item{imp, it.site})
				}
			}
		}
	}
	switch {
	case found != nil && !m.Cgo:
		via := ""
		if found.ip != found.site.path {
			via = " through " + found.site.path
		}
		a.notes = append(a.notes, Warning{Code: "cache-cgo-unlisted", Source: found.site.source,
			Message: fmt.Sprintf("module cache: %s has cgo files and %s links it%s, but it is not in dockgen's cgo table — answer cgo on for %s", found.ip, mainLabel(m.Dir), via, m.Name)})
	case found != nil:
		// The guess holds.
	case len(missing) == 0 && m.CgoGuessed:
		mod, _, _ := a.cgoRequire()
		a.notes = append(a.notes, Warning{Code: "cache-no-cgo", Source: m.CgoSource,
			Message: fmt.Sprintf("module cache: %s does not link %s; answer cgo off for %s to build it static", mainLabel(m.Dir), mod, m.Name)})
	default:
		for mod := range missing {
			a.missing[mod] = true
		}
	}
}

// missingNote is the one note for dependency sources the module cache
// lacks, so a decision could not be confirmed.
func (a *analyzer) missingNote(moduleSource string) []Warning {
	if len(a.missing) == 0 {
		return nil
	}
	mods := make([]string, 0, len(a.missing))
	for m := range a.missing {
		mods = append(mods, m)
	}
	sort.Strings(mods)
	src := moduleSource
	if s := a.mod.sources[mods[0]]; s != "" {
		src = s
	}
	list := strings.Join(mods, ", ")
	if len(mods) > 3 {
		list = strings.Join(mods[:3], ", ") + fmt.Sprintf(" and %d more", len(mods)-3)
	}
	n := fmt.Sprintf("%d modules", len(mods))
	if len(mods) == 1 {
		n = "1 module"
	}
	return []Warning{{Code: "deps-not-downloaded", Source: src,
		Message: fmt.Sprintf("could not confirm cgo use in dependencies: sources of %s are not in the module cache (%s; run `go mod download` to check)", n, list)}}
}

// vendorWarning reports modules vendor/ lacks packages of: go build
// -mod=vendor fails on them, and cgo use in them is unknown.
func (a *analyzer) vendorWarning(moduleSource string) []Warning {
	if len(a.mod.vendorWarns) > 0 {
		return a.mod.vendorWarns // the build does not use vendor/
	}
	if len(a.vendorMissing) == 0 {
		return nil
	}
	mods := make([]string, 0, len(a.vendorMissing))
	for m := range a.vendorMissing {
		mods = append(mods, m)
	}
	sort.Strings(mods)
	src := moduleSource
	if s := a.mod.sources[mods[0]]; s != "" && strings.HasPrefix(s, "go.mod:") {
		src = s
	}
	list := strings.Join(mods, ", ")
	if len(mods) > 3 {
		list = strings.Join(mods[:3], ", ") + fmt.Sprintf(" and %d more", len(mods)-3)
	}
	return []Warning{{Code: "vendor-incomplete", Source: src,
		Message: fmt.Sprintf("vendor/ lacks packages the code imports (%s): `go build -mod=vendor` fails on them; run `go mod vendor` and analyze again", list)}}
}
