package analysis

import (
	"fmt"
	"os"
	"testing"
)

// Tests use a cache of their own, so a fixture's second analysis is a
// warm one: TestFixtures then checks that the cache changes nothing.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "dockgen-cache-")
	if err != nil {
		panic(err)
	}
	os.Setenv("XDG_CACHE_HOME", dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// The cache answers a repeated analysis, and any change to an input — a
// Go file, a config file, a new file, an env var the analysis read —
// makes it analyze again; a corrupt entry is ignored.
func TestCache(t *testing.T) {
	for _, window := range []int64{2, -1} { // -1: every file gets a stat signature at once
		t.Run(fmt.Sprint("racy window ", window), func(t *testing.T) {
			defer func(w int64) { racyWindow = w }(racyWindow)
			racyWindow = window
			testCache(t)
		})
	}
}

func testCache(t *testing.T) {
	t.Setenv("GOENV", "off")
	dir := t.TempDir()
	writeModule(t, dir, map[string]string{
		"go.mod":      "module example.com/c\n\ngo 1.22\n",
		"main.go":     "package main\n\nimport (\n\t\"net/http\"\n\n\t\"github.com/spf13/viper\"\n)\n\nfunc main() {\n\tviper.SetConfigName(\"config\")\n\tviper.AddConfigPath(\".\")\n\thttp.ListenAndServe(viper.GetString(\"addr\"), nil)\n}\n",
		"config.yaml": "addr: \":7001\"\n",
	})
	port := func() int {
		t.Helper()
		f, err := Analyze(dir)
		if err != nil {
			t.Fatal(err)
		}
		return f.Mains[0].Listeners[0].Port
	}
	steps := []struct {
		name   string
		change func()
		port   int
		hit    bool
	}{
		{"cold", func() {}, 7001, false},
		{"warm", func() {}, 7001, true},
		{"config file edited", func() { write(t, dir, "config.yaml", "addr: \":7002\"\n") }, 7002, false},
		{"warm again", func() {}, 7002, true},
		{"Go file edited", func() {
			write(t, dir, "main.go", "package main\n\nimport \"net/http\"\n\nfunc main() { http.ListenAndServe(\":7003\", nil) }\n")
		}, 7003, false},
		{"new file", func() {
			write(t, dir, "other.go", "package main\n\nconst x = 1\n")
		}, 7003, false},
		{"env read changed", func() { t.Setenv("GOPRIVATE", "example.com/*") }, 7003, false},
		{"corrupt entry", func() {
			entries, _ := os.ReadDir(cacheDir())
			for _, e := range entries {
				os.WriteFile(cacheDir()+"/"+e.Name(), []byte("{not json"), 0o644)
			}
		}, 7003, false},
		{"warm after corrupt", func() {}, 7003, true},
	}
	for _, s := range steps {
		s.change()
		before := cacheHits.Load()
		if got := port(); got != s.port {
			t.Errorf("%s: port %d, want %d", s.name, got, s.port)
		}
		if hit := cacheHits.Load() > before; hit != s.hit {
			t.Errorf("%s: cache hit = %v, want %v", s.name, hit, s.hit)
		}
	}
}

func write(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(dir+"/"+name, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
