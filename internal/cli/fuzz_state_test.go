package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// snapshot maps every file under root to its content hash ("dir" for
// directories, the target for links).
func snapshot(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			l, _ := os.Readlink(p)
			out[rel] = "link:" + l
		case d.IsDir():
			out[rel] = "dir"
		default:
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(b)
			out[rel] = hex.EncodeToString(sum[:])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// FuzzStateFile: whatever .dockgen.yaml a repository carries, init and
// regenerate touch nothing but dockgen's own outputs: nothing outside the
// project, and no file inside it other than the ones dockgen plans.
func FuzzStateFile(f *testing.F) {
	victimHash := func(s string) string { h := sha256.Sum256([]byte(s)); return "sha256:" + hex.EncodeToString(h[:]) }
	f.Add([]byte("answers: {}\nfiles:\n  ../victim/data.txt: " + victimHash("precious\n") + "\n"))
	f.Add([]byte("files:\n  go.mod: " + victimHash("module example.com/app\n\ngo 1.24\n") + "\n  main.go: x\n"))
	f.Add([]byte("files:\n  sub/../../victim/data.txt: " + victimHash("precious\n") + "\n  link/Dockerfile: " + victimHash("precious\n") + "\n"))
	f.Add([]byte("answers:\n  mains: [\"../victim\"]\n  ports: {\"../x\": 1}\nplan:\n  binaries:\n    - name: ../../x\n"))
	f.Add([]byte("answers:\n  no_probe: [app]\nfiles:\n  dockgen_health.go: " + victimHash("x") + "\n"))
	f.Fuzz(func(t *testing.T, state []byte) {
		top := t.TempDir()
		proj, victim := filepath.Join(top, "proj"), filepath.Join(top, "victim")
		for p, c := range map[string]string{
			filepath.Join(victim, "data.txt"):     "precious\n",
			filepath.Join(victim, "Dockerfile"):   "precious\n",
			filepath.Join(proj, "go.mod"):         "module example.com/app\n\ngo 1.24\n",
			filepath.Join(proj, "main.go"):        "package main\n\nimport \"net/http\"\n\nfunc main() { http.ListenAndServe(\":8080\", nil) }\n",
			filepath.Join(proj, "notes.txt"):      "mine\n",
			filepath.Join(proj, "sub", "keep.md"): "mine\n",
			filepath.Join(proj, ".dockgen.yaml"):  string(state),
		} {
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(c), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.Symlink(victim, filepath.Join(proj, "link")); err != nil {
			t.Fatal(err)
		}
		before := snapshot(t, top)
		for _, args := range [][]string{{"regenerate", proj}, {"init", "--yes", proj}, {"init", "--yes", "--force", proj}} {
			io := &streams{in: strings.NewReader(""), out: &bytes.Buffer{}, err: &bytes.Buffer{}}
			run(context.Background(), args, io, nil)
		}
		outputs := map[string]bool{"Dockerfile": true, ".dockerignore": true, "compose.yaml": true, "docker-bake.hcl": true, "dockgen_health.go": true, ".dockgen.yaml": true}
		after := snapshot(t, top)
		for p, h := range before {
			rel, _ := filepath.Rel("proj", p)
			if after[p] != h && !outputs[rel] {
				t.Fatalf("%s changed (state %q)", p, state)
			}
		}
		for p := range after {
			rel, _ := filepath.Rel("proj", p)
			if _, ok := before[p]; !ok && !outputs[rel] {
				t.Fatalf("%s created (state %q)", p, state)
			}
		}
	})
}
