package analysis

import (
	"bufio"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/txtar"
)

// Fixtures are txtar archives in testdata/. Each file is written into a temp
// module dir, except for these sections:
//
//	want.json        the expected facts, matched as a subset: objects list the
//	                 keys to check, arrays must match in length and in order;
//	                 a key ending in "~" checks that the string contains the value
//	want-error.json  Analyze must fail with an *InputError with these fields
//	                 (op, file, line) and a non-empty hint, or, when the
//	                 module has one main, that main must carry it (Main.Err)
//	want-cachenotes.json  Facts.CacheNotes, matched like want.json (default [])
//	env              KEY=VALUE lines set for the test
//	symlinks         "path -> target" lines: symbolic links to create
//	fifos            paths of named pipes to create (skipped where there are none)
//
// Paths starting with ../ land beside the module: ../modcache/... is the
// GOMODCACHE, ../outside/... is a directory outside the module.
//
// Facts depend on the repository alone: every fixture is analyzed again
// with an empty module cache and without its env lines, and the JSON facts
// must be identical (only CacheNotes may differ).
func TestFixtures(t *testing.T) {
	paths, err := filepath.Glob("testdata/*.txtar")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, p := range paths {
		name := strings.TrimSuffix(filepath.Base(p), ".txtar")
		t.Run(name, func(t *testing.T) {
			ar, err := txtar.ParseFile(p)
			if err != nil {
				t.Fatal(err)
			}
			dir, fx := writeFixture(t, ar)
			want, wantErr := fx.want, fx.wantErr
			facts, err := analyzeWithin(t, dir)
			if wantErr != nil {
				if err == nil && len(facts.Mains) == 1 && facts.Mains[0].Err != nil {
					err = facts.Mains[0].Err
					checkMainErrors(t, facts)
				}
				checkInputError(t, err, wantErr)
				return
			}
			if err != nil {
				t.Fatalf("Analyze: %v", err)
			}
			if want == nil {
				t.Fatal("fixture has neither want.json nor want-error.json")
			}
			got := toJSONValue(t, facts)
			matchJSON(t, "facts", want, got)
			checkSources(t, dir, facts)
			checkMainErrors(t, facts)

			// Same input, same facts: the second analysis comes from the
			// cache (unless a main is broken), and must not differ.
			hits := cacheHits.Load()
			again, err := analyzeWithin(t, dir)
			if broken := hasBrokenMain(facts); !broken && cacheHits.Load() == hits {
				t.Errorf("the second analysis was not answered from the cache")
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(facts, again) {
				t.Errorf("second Analyze differs:\n%s\n%s", mustJSON(t, facts), mustJSON(t, again))
			}
			var notes any = []any{}
			if facts.CacheNotes != nil {
				notes = toJSONValue(t, facts.CacheNotes)
			}
			if fx.wantNotes == nil {
				fx.wantNotes = []any{}
			}
			matchJSON(t, "cache_notes", fx.wantNotes, notes)

			// Another machine: nothing in the module cache, no go env.
			for _, k := range fx.env {
				t.Setenv(k, "")
			}
			t.Setenv("GOMODCACHE", t.TempDir())
			bare, err := analyzeWithin(t, dir)
			if err != nil {
				t.Fatalf("Analyze with an empty module cache: %v", err)
			}
			if g, w := mustJSON(t, bare), mustJSON(t, facts); g != w {
				t.Errorf("facts differ with an empty module cache and no go env:\n%s\nwant:\n%s", g, w)
			}
			if t.Failed() {
				t.Logf("facts:\n%s", mustJSON(t, facts))
			}
		})
	}
}

// fixture is what a txtar archive expects, and the env keys it sets.
type fixture struct {
	want, wantErr, wantNotes any
	env                      []string
}

// writeFixture writes the archive and returns the module dir and expectations.
func writeFixture(t *testing.T, ar *txtar.Archive) (dir string, fx fixture) {
	t.Helper()
	base := t.TempDir()
	dir = filepath.Join(base, "mod")
	cache := filepath.Join(base, "modcache")
	for _, d := range []string{dir, cache} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// Keep the machine's go env out: an empty module cache unless the fixture fills one.
	t.Setenv("GOENV", "off")
	t.Setenv("GOMODCACHE", cache)
	t.Setenv("GOPRIVATE", "")
	t.Setenv("GONOPROXY", "")
	var links []txtar.File
	for _, f := range ar.Files {
		switch f.Name {
		case "want.json", "want-error.json", "want-cachenotes.json":
			var v any
			if err := json.Unmarshal(f.Data, &v); err != nil {
				t.Fatalf("%s: %v", f.Name, err)
			}
			switch f.Name {
			case "want.json":
				fx.want = v
			case "want-error.json":
				fx.wantErr = v
			default:
				fx.wantNotes = v
			}
			continue
		case "symlinks", "fifos":
			links = append(links, f)
			continue
		case "env":
			sc := bufio.NewScanner(strings.NewReader(string(f.Data)))
			for sc.Scan() {
				if k, v, ok := strings.Cut(strings.TrimSpace(sc.Text()), "="); ok {
					t.Setenv(k, v)
					fx.env = append(fx.env, k)
				}
			}
			continue
		}
		name := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Links and pipes last: a link may point at a file the archive writes.
	for _, f := range links {
		for _, line := range strings.Split(strings.TrimSpace(string(f.Data)), "\n") {
			line = strings.TrimSpace(line)
			if f.Name == "fifos" {
				mkfifo(t, filepath.Join(dir, filepath.FromSlash(line)))
				continue
			}
			name, target, ok := strings.Cut(line, " -> ")
			if !ok {
				t.Fatalf("symlinks: bad line %q", line)
			}
			p := filepath.Join(dir, filepath.FromSlash(name))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(filepath.FromSlash(target), p); err != nil {
				t.Fatal(err)
			}
		}
	}
	return dir, fx
}

// analyzeWithin runs Analyze and fails the test, instead of hanging it,
// when it does not return in time (a read blocked on a named pipe).
func analyzeWithin(t testing.TB, dir string) (*Facts, error) {
	t.Helper()
	type result struct {
		f   *Facts
		err error
	}
	done := make(chan result, 1)
	go func() {
		f, err := Analyze(dir)
		done <- result{f, err}
	}()
	select {
	case r := <-done:
		if errors.Is(r.err, ErrInternal) {
			t.Fatalf("Analyze(%s): %v", dir, r.err) // a panic, caught: still a bug
		}
		return r.f, r.err
	case <-time.After(10 * time.Second):
		t.Fatalf("Analyze(%s) did not return within 10s", dir)
		return nil, nil
	}
}

func checkInputError(t *testing.T, err error, want any) {
	t.Helper()
	var ie *InputError
	if !errors.As(err, &ie) {
		t.Fatalf("want *InputError, got %T: %v", err, err)
	}
	got := map[string]any{"op": ie.Op, "file": ie.File, "line": float64(ie.Line), "error": ie.Error()}
	matchJSON(t, "error", want, got)
	if strings.TrimSpace(ie.Hint) == "" {
		t.Errorf("InputError %v has no hint", ie)
	}
	t.Logf("error: %v\nhint: %s", ie, ie.Hint)
}

// checkMainErrors checks that every broken main says why and what to do.
func checkMainErrors(t testing.TB, f *Facts) {
	t.Helper()
	for _, m := range f.Mains {
		if m.Err == nil {
			if m.Error != "" {
				t.Errorf("%s: Error %q without Err", m.Dir, m.Error)
			}
			continue
		}
		if m.Error != strings.ToValidUTF8(m.Err.Error(), "\uFFFD") || m.Err.Hint == "" || m.Err.File == "" || m.Dir == "" || m.Name == "" {
			t.Errorf("%s: broken main without error text, hint, file or name: %+v %#v", m.Dir, m, m.Err)
		}
	}
}

func toJSONValue(t *testing.T, v any) any {
	t.Helper()
	var out any
	if err := json.Unmarshal([]byte(mustJSON(t, v)), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// matchJSON checks that got holds want: see TestFixtures.
func matchJSON(t *testing.T, path string, want, got any) {
	t.Helper()
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			t.Errorf("%s: want object, got %v", path, got)
			return
		}
		keys := make([]string, 0, len(w))
		for k := range w {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if key, ok := strings.CutSuffix(k, "~"); ok {
				s, _ := g[key].(string)
				if !strings.Contains(s, w[k].(string)) {
					t.Errorf("%s.%s = %q, want it to contain %q", path, key, s, w[k])
				}
				continue
			}
			gv, ok := g[k]
			if !ok && isZero(w[k]) { // omitempty
				continue
			}
			if !ok {
				t.Errorf("%s.%s missing", path, k)
				continue
			}
			matchJSON(t, path+"."+k, w[k], gv)
		}
	case []any:
		g, _ := got.([]any)
		if len(g) != len(w) {
			t.Errorf("%s: got %d elements, want %d\ngot:  %s\nwant: %s", path, len(g), len(w), compact(got), compact(want))
			return
		}
		for i := range w {
			matchJSON(t, path+"["+itoa(i)+"]", w[i], g[i])
		}
	default:
		if !reflect.DeepEqual(want, got) {
			t.Errorf("%s = %v, want %v", path, compact(got), compact(want))
		}
	}
}

func isZero(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case string:
		return v == ""
	case bool:
		return !v
	case float64:
		return v == 0
	case []any:
		return len(v) == 0
	}
	return false
}

func compact(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func itoa(i int) string { return strconv.Itoa(i) }

// checkSources asserts every source in facts names an existing file under
// dir and a line within it.
func checkSources(t testing.TB, dir string, f *Facts) {
	t.Helper()
	for _, s := range allSources(f) {
		file, line := splitSource(s)
		if s == "" || line < 1 {
			t.Errorf("bad source %q", s)
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(file)))
		if err != nil {
			t.Errorf("source %q: %v", s, err)
			continue
		}
		if n := strings.Count(string(data), "\n") + 1; line > n {
			t.Errorf("source %q: file has %d lines", s, n)
		}
	}
}

func allSources(f *Facts) []string {
	var out []string
	add := func(s ...string) {
		for _, x := range s {
			if x != "" {
				out = append(out, x)
			}
		}
	}
	add(f.ModuleSource, f.GoSource, f.ToolchainSource)
	for _, s := range f.ServiceSources {
		out = append(out, s.Source)
	}
	for _, w := range f.Warnings {
		out = append(out, w.Source)
	}
	for _, w := range f.CacheNotes {
		out = append(out, w.Source)
	}
	for _, m := range f.Mains {
		if m.Err == nil {
			out = append(out, m.Source) // a broken main may have none
		} else {
			add(m.Source)
		}
		add(m.CgoSource, m.HealthSource)
		for _, l := range m.Listeners {
			out = append(out, l.Source)
		}
		for _, e := range m.Env {
			out = append(out, e.Source)
		}
		for _, n := range m.NeedSources {
			out = append(out, n.Source)
		}
	}
	return out
}

func hasBrokenMain(f *Facts) bool {
	for _, m := range f.Mains {
		if m.Err != nil {
			return true
		}
	}
	return false
}
