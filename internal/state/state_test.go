package state

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/dockgen/dockgen/internal/answers"
)

const hash = "sha256:0000000000000000000000000000000000000000000000000000000000000000"

// TestHostilePathsAreDropped: a recorded path dockgen could not have written
// is dropped with a warning naming its line; it never reaches apply.
func TestHostilePathsAreDropped(t *testing.T) {
	in := "answers: {}\nfiles:\n" +
		"  Dockerfile: " + hash + "\n" + //             line 3: kept
		"  ../victim/data.txt: " + hash + "\n" + //     4
		"  go.mod: " + hash + "\n" + //                 5
		"  ./Dockerfile: " + hash + "\n" + //           6
		"  /etc/passwd: " + hash + "\n" + //            7
		"  ../../../../dev/zero: " + hash + "\n" + //   8
		"  cmd/../../x/dockgen_health.go: " + hash + "\n" + // 9
		"  cmd/api/dockgen_health.go: " + hash + "\n" + // 10: kept
		"  compose.yaml: not-a-hash\n" //                11
	l, err := Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"Dockerfile": hash, "cmd/api/dockgen_health.go": hash}
	if !reflect.DeepEqual(l.Files, want) {
		t.Errorf("files %v, want %v", l.Files, want)
	}
	if len(l.Warnings) != 7 {
		t.Fatalf("%d warnings, want 7: %q", len(l.Warnings), l.Warnings)
	}
	for _, line := range []string{":4:", ":5:", ":6:", ":7:", ":8:", ":9:", ":11:"} {
		if !strings.Contains(strings.Join(l.Warnings, "\n"), ".dockgen.yaml"+line) {
			t.Errorf("no warning names .dockgen.yaml%s: %q", line, l.Warnings)
		}
	}
}

func TestBadAnswersNameTheLine(t *testing.T) {
	_, err := Parse([]byte("answers:\n  base: distroless\n  ports:\n    api: 70000\nfiles: {}\n"))
	var se *Error
	if !errors.As(err, &se) || se.Line != 4 || !strings.Contains(err.Error(), ".dockgen.yaml:4:") {
		t.Errorf("err = %v, want one at .dockgen.yaml:4", err)
	}
	_, err = Parse([]byte("answers:\n  bogus: 1\n"))
	if !errors.As(err, &se) || se.Line != 2 {
		t.Errorf("unknown field: err = %v, want line 2", err)
	}
}

func TestLoadRefusesNonRegularState(t *testing.T) {
	dir := t.TempDir()
	if err := os.Symlink("/etc/passwd", filepath.Join(dir, File)); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("symlinked state: %v", err)
	}
	dir = t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, File), []byte(strings.Repeat("#", maxSize+1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "too large") {
		t.Errorf("huge state: %v", err)
	}
	if l, err := Load(t.TempDir()); l != nil || err != nil {
		t.Errorf("missing state: %v %v", l, err)
	}
}

func TestRoundTrip(t *testing.T) {
	s := State{Answers: answers.Answers{Base: "scratch", Ports: map[string]int{"api": 9000}}, Files: map[string]string{"Dockerfile": hash}}
	b, err := s.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	l, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(l.State, s) || len(l.Warnings) != 0 {
		t.Errorf("round trip: %+v %v", l.State, l.Warnings)
	}
	again, _ := l.State.Marshal()
	if string(again) != string(b) {
		t.Error("marshal is not deterministic")
	}
}

// FuzzParse: no state file makes Parse panic, and every recorded path it
// keeps is one dockgen could have written.
func FuzzParse(f *testing.F) {
	f.Add([]byte("answers: {}\nfiles:\n  Dockerfile: " + hash + "\n"))
	f.Add([]byte("files:\n  ../x/Dockerfile: " + hash + "\n"))
	f.Add([]byte("plan:\n  binaries:\n    - name: API\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		l, err := Parse(b)
		if err != nil {
			return
		}
		for p := range l.Files {
			if err := CheckPath(p); err != nil || strings.Contains(p, "..") || filepath.IsAbs(p) {
				t.Fatalf("kept recorded path %q", p)
			}
		}
		if l.Plan != nil {
			if err := l.Plan.Validate(); err != nil {
				t.Fatalf("kept an invalid plan: %v", err)
			}
		}
	})
}
