package doctor

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

var shellSeeds = []string{
	"./app", "/app --port 8080", "exec /app -v", `/app --name 'hello world'`, `/app "a b" c\ d`,
	`/app "x\"y"`, "/app && echo", "/app $PORT", "FOO=1 /app", "cd /x", "/app # c", "/app *.txt",
	`/app "$HOME"`, "/app 'it''s'", "~/bin/app", "/app a=b", `/app "\\n"`, "  /app   -x  ", "",
}

// shWords is how /bin/sh splits s into words (the oracle for execWords).
func shWords(t *testing.T, s string) ([]string, bool) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no /bin/sh")
	}
	out, err := exec.Command(sh, "-c", "set -f; set -- "+s+"\nprintf '%s\\0' \"$@\"").Output()
	if err != nil {
		return nil, false
	}
	words := strings.Split(string(out), "\x00")
	return words[:len(words)-1], true
}

// FuzzExecWords: whatever execWords accepts, sh splits into the same words,
// so the exec-form array --fix writes runs exactly what the shell form ran.
func FuzzExecWords(f *testing.F) {
	for _, s := range shellSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		words, ok := execWords(s)
		if !ok {
			return
		}
		want, ok := shWords(t, s)
		if !ok {
			t.Fatalf("execWords accepted %q, which sh rejects", s)
		}
		if len(want) > 0 && want[0] == "exec" {
			want = want[1:]
		}
		if !slices.Equal(words, want) {
			t.Fatalf("execWords(%q) = %q, sh says %q", s, words, want)
		}
	})
}

// FuzzFixCommand puts user text into a Dockerfile's CMD: Check never fails
// on it, and when Fix rewrites it, the result parses with BuildKit and its
// exec-form CMD holds exactly the shell's words.
func FuzzFixCommand(f *testing.F) {
	for _, s := range shellSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if strings.ContainsAny(s, "\r\n\x00") || strings.HasSuffix(s, "\\") {
			return // one instruction on one line
		}
		dir := t.TempDir()
		df := "FROM alpine:3.22\nUSER 65532:65532\nCMD " + s + "\n"
		if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(df), 0o644); err != nil {
			t.Fatal(err)
		}
		rep, err := Check(dir, Files{Dockerfile: "Dockerfile"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		changed, err := Fix(dir, rep)
		if err != nil {
			t.Fatal(err)
		}
		fixed, ok := changed["Dockerfile"]
		if !ok {
			return
		}
		if !bytes.HasPrefix(fixed, []byte("FROM alpine:3.22\nUSER 65532:65532\nCMD [")) {
			t.Fatalf("fix touched more than the CMD:\n%s", fixed)
		}
		res, err := parser.Parse(bytes.NewReader(fixed))
		if err != nil {
			t.Fatalf("fixed Dockerfile does not parse: %v\n%s", err, fixed)
		}
		stages, _, err := instructions.Parse(res.AST, nil)
		if err != nil || len(stages) != 1 || len(stages[0].Commands) != 2 {
			t.Fatalf("fixed Dockerfile: %v\n%s", err, fixed)
		}
		cmd, ok := stages[0].Commands[1].(*instructions.CmdCommand)
		want, _ := execWords(s)
		if !ok || cmd.PrependShell || !slices.Equal(cmd.CmdLine, want) {
			t.Fatalf("CMD %q became %+v, want exec form %q", s, stages[0].Commands[1], want)
		}
	})
}

// FuzzCheckDockerfile: no Dockerfile text makes Check fail or panic, and
// every finding has a place.
func FuzzCheckDockerfile(f *testing.F) {
	f.Add(goodDockerfile)
	for _, name := range []string{"article", "shellcmd", "distroless-wget", "alpine-cgo"} {
		b, err := os.ReadFile(filepath.Join("testdata", "naive", name, "Dockerfile"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Fuzz(func(t *testing.T, content string) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		var rep Report
		var err error
		done := make(chan struct{})
		go func() { rep, err = Check(dir, Files{}, baseExpect()); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("Check hangs on %q", content)
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, fd := range rep.Findings {
			if fd.Line < 1 || fd.Col < 1 || fd.File == "" || fd.Message == "" {
				t.Fatalf("finding without a place: %+v", fd)
			}
		}
	})
}
