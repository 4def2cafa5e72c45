package analysis

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The analysis cache: a warm re-analysis of an unchanged repository reads
// its inputs again and returns the facts it found last time. While Analyze
// runs, every input it consults is recorded — each file's content hash
// (the module's package files, go.mod, go.sum, config files), each
// directory listing, stat and glob, each environment variable — and the
// entry is valid only while every one of them is unchanged, so the cache
// can never change a result: a stale, corrupt or unreadable entry is
// ignored and analysis runs as if there were none. Entries live in
// os.UserCacheDir()/dockgen/analysis, one per analyzed directory, keyed by
// that directory, dockgen's analysis version, the Go release and the
// dockgen executable. Only
// analyses without errors are kept (a broken main is rare and not worth
// an exact copy of its error).

// analysisVersion changes whenever what Analyze finds may change, so
// entries written by another dockgen are never used.
const analysisVersion = "analysis-9"

// cacheDir returns the directory of cache entries, or "" when there is
// none (no user cache dir, or DOCKGEN_CACHE=off).
var cacheDir = func() string {
	if os.Getenv("DOCKGEN_CACHE") == "off" {
		return ""
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(d, "dockgen", "analysis")
}

// racyWindow is how many seconds a file must be unchanged before its stat
// signature stands for its content (tests lower it).
var racyWindow int64 = 2

// cacheHits counts the analyses answered from the cache (for tests).
var cacheHits atomic.Int64

// inputs are what one analysis read, each with the fingerprint it had.
type inputs struct {
	mu    sync.Mutex
	Files map[string]string // content hash, or a stat fingerprint outside the module
	Dirs  map[string]string // hash of the names and types listed
	Stats map[string]string // mode and size, or the error
	Globs map[string]string // the matches
	Env   map[string]string
	// Sigs are stat signatures of files whose content hash was recorded:
	// when a file's signature is unchanged, its content is too (statSig),
	// and checking an entry need not read it again.
	Sigs map[string]string

	fresh bool // validation added signatures: worth writing the entry again
}

func newInputs() *inputs {
	return &inputs{Files: map[string]string{}, Dirs: map[string]string{}, Stats: map[string]string{}, Globs: map[string]string{}, Env: map[string]string{}, Sigs: map[string]string{}}
}

func (in *inputs) put(m map[string]string, k, v string) {
	if in == nil {
		return
	}
	in.mu.Lock()
	m[k] = v
	in.mu.Unlock()
}

func hashBytes(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:16])
}

func errPrint(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return "err:" + err.Error()
}

// The recording reads: every read of the module goes through these.

func (a *analyzer) readFile(name string, limit int64) ([]byte, error) {
	var sig string
	var changed int64
	if a.in != nil {
		if fi, err := os.Stat(name); err == nil { // before reading: a later change shows
			sig, changed = statSig(fi)
		}
	}
	data, err := readFile(name, limit)
	if a.in != nil {
		if err != nil {
			a.in.put(a.in.Files, name, errPrint(err))
		} else {
			a.in.put(a.in.Files, name, fmt.Sprintf("%d:%s", limit, hashBytes(data)))
			// A file changed in the last seconds could change again within
			// the clock's resolution unnoticed: no shortcut for it.
			if sig != "" && time.Now().Unix()-changed > racyWindow {
				a.in.put(a.in.Sigs, name, sig)
			}
		}
	}
	return data, err
}

func (a *analyzer) readDir(dir string) ([]fs.DirEntry, error) {
	entries, err := readDir(dir)
	if a.in != nil {
		a.in.put(a.in.Dirs, dir, dirPrint(entries, err))
	}
	return entries, err
}

func dirPrint(entries []fs.DirEntry, err error) string {
	if err != nil {
		return errPrint(err)
	}
	var b strings.Builder
	for _, e := range entries {
		fmt.Fprintf(&b, "%s\x00%d\x00", e.Name(), e.Type())
	}
	return hashBytes([]byte(b.String()))
}

// openFile opens a file go/build reads the header of; outside the module
// root (the module cache, which never changes in place) its size and
// modification time stand for its content.
func (a *analyzer) openFile(name string) (io.ReadCloser, error) {
	if a.in != nil {
		a.in.put(a.in.Files, name, a.filePrint(name))
	}
	return openFile(name)
}

func (a *analyzer) filePrint(name string) string {
	if strings.HasPrefix(name, a.root+string(filepath.Separator)) && !strings.Contains(name, string(filepath.Separator)+"vendor"+string(filepath.Separator)) {
		data, err := readFile(name, maxGoFile)
		if err != nil {
			return errPrint(err)
		}
		return "c:" + hashBytes(data)
	}
	return statPrint(os.Stat(name))
}

func statPrint(fi fs.FileInfo, err error) string {
	if err != nil {
		return errPrint(err)
	}
	return fmt.Sprintf("%v:%d:%d", fi.Mode(), fi.Size(), fi.ModTime().UnixNano())
}

func (a *analyzer) stat(name string) (fs.FileInfo, error) {
	fi, err := os.Stat(name)
	if a.in != nil {
		a.in.put(a.in.Stats, "s:"+name, statPrint(fi, err))
	}
	return fi, err
}

func (a *analyzer) lstat(name string) (fs.FileInfo, error) {
	fi, err := os.Lstat(name)
	if a.in != nil {
		a.in.put(a.in.Stats, "l:"+name, statPrint(fi, err))
	}
	return fi, err
}

func (a *analyzer) glob(pattern string) ([]string, error) {
	m, err := filepath.Glob(pattern)
	if a.in != nil {
		a.in.put(a.in.Globs, pattern, fmt.Sprint(m, err))
	}
	return m, err
}

func (a *analyzer) getenv(k string) string {
	v := os.Getenv(k)
	if a.in != nil {
		a.in.put(a.in.Env, k, v)
	}
	return v
}

// buildReadDir is go/build's ReadDir, recorded. A package directory of
// the module was just listed by walk: that listing is used again.
func (a *analyzer) buildReadDir(dir string) ([]fs.FileInfo, error) {
	entries, ok := a.listed[dir]
	if !ok {
		var err error
		if entries, err = a.readDir(dir); err != nil {
			return nil, err
		}
	}
	out := make([]fs.FileInfo, len(entries))
	for i, e := range entries {
		out[i] = dirEntryInfo{e}
	}
	return out, nil
}

// dirEntryInfo is a directory entry as go/build's ReadDir returns it.
// go/build asks only for the name and the type, which the listing has, so
// no file is stat'ed; the rest is looked up if ever asked for.
type dirEntryInfo struct{ fs.DirEntry }

func (d dirEntryInfo) Mode() fs.FileMode { return d.Type() }

func (d dirEntryInfo) info() fs.FileInfo {
	if fi, err := d.Info(); err == nil {
		return fi
	}
	return nil
}

func (d dirEntryInfo) Size() int64 {
	if fi := d.info(); fi != nil {
		return fi.Size()
	}
	return 0
}

func (d dirEntryInfo) ModTime() time.Time {
	if fi := d.info(); fi != nil {
		return fi.ModTime()
	}
	return time.Time{}
}

func (d dirEntryInfo) Sys() any {
	if fi := d.info(); fi != nil {
		return fi.Sys()
	}
	return nil
}

func (a *analyzer) buildIsDir(name string) bool {
	fi, err := a.stat(name)
	return err == nil && fi.IsDir()
}

// cacheEntry is the JSON part of an entry on disk.
type cacheEntry struct {
	Facts *Facts    `json:"facts"`
	Notes []Warning `json:"cache_notes"`
}

// encode writes the inputs as lines of "kind\tkey\tfingerprint", which
// decode much faster than JSON.
func (in *inputs) encode() string {
	var b strings.Builder
	for _, x := range []struct {
		kind string
		m    map[string]string
	}{{"f", in.Files}, {"d", in.Dirs}, {"s", in.Stats}, {"g", in.Globs}, {"e", in.Env}, {"t", in.Sigs}} {
		keys := make([]string, 0, len(x.m))
		for k := range x.m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if strings.ContainsAny(k, "\t\n") || strings.ContainsAny(x.m[k], "\t\n") {
				return "" // not encodable: no entry
			}
			b.WriteString(x.kind + "\t" + k + "\t" + x.m[k] + "\n")
		}
	}
	return b.String()
}

func decodeInputs(s string) *inputs {
	in := newInputs()
	for len(s) > 0 {
		line, rest, _ := strings.Cut(s, "\n")
		s = rest
		kind, kv, ok1 := strings.Cut(line, "\t")
		k, v, ok2 := strings.Cut(kv, "\t")
		if !ok1 || !ok2 {
			return nil
		}
		switch kind {
		case "f":
			in.Files[k] = v
		case "d":
			in.Dirs[k] = v
		case "s":
			in.Stats[k] = v
		case "g":
			in.Globs[k] = v
		case "e":
			in.Env[k] = v
		case "t":
			in.Sigs[k] = v
		default:
			return nil
		}
	}
	return in
}

func cacheKey(root, dir string) string {
	return hashBytes([]byte(analysisVersion + "\x00" + runtime.Version() + "\x00" + exePrint() + "\x00" + root + "\x00" + dir))
}

// exePrint identifies the running dockgen build (its path, size and
// modification time), so a rebuilt or upgraded dockgen never reads an
// entry an older one wrote, whatever analysisVersion says.
var exePrint = sync.OnceValue(func() string {
	exe, err := os.Executable()
	if err != nil {
		return "no-executable"
	}
	fi, err := os.Stat(exe)
	if err != nil {
		return "no-executable"
	}
	return fmt.Sprintf("%s:%d:%d", exe, fi.Size(), fi.ModTime().UnixNano())
})

// cachedFacts returns the facts of a valid entry, or nil. An entry is a
// header line, the inputs (their length first) and the facts as JSON; the
// facts are decoded while the inputs are checked.
func cachedFacts(root, dir string) *Facts {
	cd := cacheDir()
	if cd == "" {
		return nil
	}
	data, err := readLimited(filepath.Join(cd, cacheKey(root, dir)+".entry"), 64<<20)
	if err != nil {
		return nil
	}
	header, rest, ok := strings.Cut(string(data), "\n")
	var n int
	if !ok || !strings.HasPrefix(header, analysisVersion+" ") {
		return nil
	}
	if _, err := fmt.Sscan(strings.TrimPrefix(header, analysisVersion+" "), &n); err != nil || n <= 0 || n > len(rest) {
		return nil
	}
	var e cacheEntry
	decoded := make(chan bool, 1)
	go func() { decoded <- json.Unmarshal([]byte(rest[n:]), &e) == nil && e.Facts != nil }()
	in := decodeInputs(rest[:n])
	valid := in != nil && in.valid(root)
	if !<-decoded || !valid {
		return nil
	}
	cacheHits.Add(1)
	f := e.Facts
	f.CacheNotes = e.Notes
	if f.CacheNotes == nil {
		f.CacheNotes = []Warning{}
	}
	normalize(f)
	if in.fresh {
		storeCache(root, dir, in, f)
	}
	return f
}

// storeCache writes an entry; a failure only means no cache next time.
func storeCache(root, dir string, in *inputs, f *Facts) {
	cd := cacheDir()
	if cd == "" || in == nil {
		return
	}
	for _, m := range f.Mains {
		if m.Err != nil {
			return
		}
	}
	enc := in.encode()
	if enc == "" {
		return
	}
	js, err := json.Marshal(cacheEntry{Facts: f, Notes: f.CacheNotes})
	if err != nil {
		return
	}
	data := []byte(fmt.Sprintf("%s %d\n%s%s", analysisVersion, len(enc), enc, js))
	if err := os.MkdirAll(cd, 0o755); err != nil {
		return
	}
	tmp, err := os.CreateTemp(cd, "entry-*")
	if err != nil {
		return
	}
	_, werr := tmp.Write(data)
	if cerr := tmp.Close(); werr != nil || cerr != nil {
		os.Remove(tmp.Name())
		return
	}
	if err := os.Rename(tmp.Name(), filepath.Join(cd, cacheKey(root, dir)+".entry")); err != nil {
		os.Remove(tmp.Name())
	}
}

// valid re-reads every recorded input, in parallel, and reports whether
// all are as they were.
func (in *inputs) valid(root string) bool {
	for k, v := range in.Env {
		if os.Getenv(k) != v {
			return false
		}
	}
	type check struct {
		kind byte
		key  string
		want string
	}
	var checks []check
	for k, v := range in.Files {
		checks = append(checks, check{'f', k, v})
	}
	for k, v := range in.Dirs {
		checks = append(checks, check{'d', k, v})
	}
	for k, v := range in.Stats {
		checks = append(checks, check{'s', k, v})
	}
	for k, v := range in.Globs {
		checks = append(checks, check{'g', k, v})
	}
	sort.Slice(checks, func(i, j int) bool { return checks[i].key < checks[j].key })
	a := &analyzer{root: root}
	var bad sync.Once
	ok := true
	forEach(len(checks), func() func(int) {
		return func(i int) {
			c := checks[i]
			got := ""
			switch c.kind {
			case 'f':
				in.mu.Lock()
				known, ok := in.Sigs[c.key]
				in.mu.Unlock()
				var sig string
				var changed int64
				if fi, err := os.Stat(c.key); err == nil {
					sig, changed = statSig(fi)
				}
				if ok && sig == known && sig != "" {
					return // unchanged since its content was hashed
				}
				got = a.refingerprint(c.key, c.want)
				if got == c.want && sig != "" && isLimitPrint(c.want) && time.Now().Unix()-changed > racyWindow {
					// hashed again and old enough now: remember its signature
					in.mu.Lock()
					in.Sigs[c.key] = sig
					in.fresh = true
					in.mu.Unlock()
				}
			case 'd':
				got = dirPrint(readDir(c.key))
			case 's':
				if strings.HasPrefix(c.key, "l:") {
					got = statPrint(os.Lstat(c.key[2:]))
				} else {
					got = statPrint(os.Stat(c.key[2:]))
				}
			case 'g':
				m, err := filepath.Glob(c.key)
				got = fmt.Sprint(m, err)
			}
			if got != c.want {
				bad.Do(func() { ok = false })
			}
		}
	})
	return ok
}

func isLimitPrint(s string) bool {
	n, _, ok := strings.Cut(s, ":")
	if !ok || n == "" {
		return false
	}
	for _, r := range n {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// refingerprint recomputes a file fingerprint of the kind recorded.
func (a *analyzer) refingerprint(name, want string) string {
	switch {
	case strings.HasPrefix(want, "c:"):
		return a.filePrint(name)
	case isLimitPrint(want):
		limit, _, _ := strings.Cut(want, ":")
		var n int64
		fmt.Sscan(limit, &n)
		data, err := quickRead(name, n)
		if err != nil {
			return errPrint(err)
		}
		return fmt.Sprintf("%d:%s", n, hashBytes(data))
	case strings.HasPrefix(want, "err:"):
		// an error was recorded: is it still the same one?
		if _, err := readFile(name, maxGoFile); err != nil {
			return errPrint(err)
		}
		return "readable"
	}
	return statPrint(os.Stat(name))
}

// quickRead reads a whole regular file like readLimited, in one read when
// the file has not grown: a short read of a regular file is its end.
func quickRead(name string, limit int64) ([]byte, error) {
	f, size, err := openChecked(name, limit)
	if err != nil {
		return nil, err
	}
	buf := make([]byte, size+1)
	n, err := f.Read(buf)
	f.Close()
	if err == nil && int64(n) == size {
		return buf[:n], nil
	}
	return readFile(name, limit) // it changed while being read: the slow way
}
