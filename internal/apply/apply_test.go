package apply

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dockgen/dockgen/internal/plan"
)

func write(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestDecide(t *testing.T) {
	ours := "FROM a\n"
	prev := map[string]string{"Dockerfile": Hash([]byte(ours))}
	for _, tc := range []struct {
		name   string
		disk   string // "" = absent
		prev   map[string]string
		policy plan.Policy
		mode   Mode
		want   Action
	}{
		{"absent", "", nil, plan.Managed, Strict, Create},
		{"same bytes", "FROM new\n", nil, plan.Managed, Strict, Unchanged},
		{"ours, unedited", ours, prev, plan.Managed, Strict, Update},
		{"not ours", "FROM mine\n", nil, plan.Managed, Strict, Conflict},
		{"not ours, forced", "FROM mine\n", nil, plan.Managed, Force, Update},
		{"edited, init", "FROM edited\n", prev, plan.Managed, Strict, Conflict},
		{"edited, regenerate", "FROM edited\n", prev, plan.Managed, KeepEdits, Kept},
		{"edited, regenerate --force", "FROM edited\n", prev, plan.Managed, Force, Update},
		{"not ours, regenerate", "FROM mine\n", nil, plan.Managed, KeepEdits, Conflict},
		{"once, exists", "package main\n", nil, plan.Once, Force, Kept},
		{"once, absent", "", nil, plan.Once, Strict, Create},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if tc.disk != "" {
				write(t, dir, "Dockerfile", tc.disk)
			}
			cs, err := Decide(dir, []plan.File{{Path: "Dockerfile", Content: []byte("FROM new\n"), Policy: tc.policy}}, tc.prev, tc.mode)
			if err != nil {
				t.Fatal(err)
			}
			if len(cs) != 1 || cs[0].Action != tc.want {
				t.Fatalf("got %+v, want %s", cs, tc.want)
			}
		})
	}
}

func TestStaleFiles(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "compose.yaml", "services: {}\n")
	write(t, dir, "old.txt", "edited\n")
	prev := map[string]string{
		"compose.yaml": Hash([]byte("services: {}\n")),
		"old.txt":      Hash([]byte("original\n")),
		"gone.txt":     Hash([]byte("x")),
	}
	cs, err := Decide(dir, nil, prev, KeepEdits)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Action{}
	for _, c := range cs {
		got[c.Path] = c.Action
	}
	if got["compose.yaml"] != Remove || got["old.txt"] != Kept || len(got) != 2 {
		t.Fatalf("stale decisions %v", got)
	}
	if err := Write(context.Background(), dir, cs); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "compose.yaml")); !os.IsNotExist(err) {
		t.Error("unedited stale file not removed")
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "old.txt")); string(b) != "edited\n" {
		t.Error("edited stale file touched")
	}
	if s := Recorded(cs, prev); len(s) != 0 {
		t.Errorf("state still tracks stale files: %v", s)
	}
}

// Create-once files are recorded when dockgen creates them, so that a
// later run can tell a probe file the user deleted from one never made.
func TestRecordedTracksCreatedFiles(t *testing.T) {
	cs := []Change{
		{Path: "Dockerfile", Action: Create, New: []byte("a"), Policy: plan.Managed},
		{Path: "dockgen_health.go", Action: Create, New: []byte("b"), Policy: plan.Once},
		{Path: "compose.yaml", Action: Kept, New: []byte("c"), Policy: plan.Managed},
	}
	prev := map[string]string{"compose.yaml": "sha256:old"}
	s := Recorded(cs, prev)
	if s["Dockerfile"] != Hash([]byte("a")) || s["dockgen_health.go"] != Hash([]byte("b")) || s["compose.yaml"] != "sha256:old" || len(s) != 3 {
		t.Errorf("state files %v", s)
	}
}

func TestWriteIsAtomicAndLeavesNoTemp(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "Dockerfile", "old")
	cs := []Change{{Path: "Dockerfile", Action: Update, New: []byte("new")}, {Path: "x", Action: Unchanged, New: []byte("y")}}
	if err := Write(context.Background(), dir, cs); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("left %d entries (temp files?)", len(entries))
	}
	fi, _ := os.Stat(filepath.Join(dir, "Dockerfile"))
	if b, _ := os.ReadFile(filepath.Join(dir, "Dockerfile")); string(b) != "new" || fi.Mode().Perm() != 0o644 {
		t.Errorf("content %q mode %v", b, fi.Mode())
	}
	// A directory that cannot take the file fails with the path named, and
	// the old file stays whole.
	bad := []Change{{Path: "missing/dir/file", Action: Create, New: []byte("x")}}
	if err := Write(context.Background(), dir, bad); err == nil || !strings.Contains(err.Error(), "missing/dir/file") {
		t.Errorf("write into missing dir: %v", err)
	}
}

func TestDiff(t *testing.T) {
	d := string(Diff(Change{Path: "Dockerfile", Action: Create, New: []byte("FROM x\n")}))
	if !strings.Contains(d, "--- /dev/null") || !strings.Contains(d, "+FROM x") {
		t.Errorf("diff:\n%s", d)
	}
	if Diff(Change{Path: "Dockerfile", Action: Unchanged}) != nil {
		t.Error("diff of an unchanged file")
	}
}
