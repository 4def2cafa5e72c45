package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/tailscale/hujson"
)

// TestEditorMatcherParsesDoctor: the problem matcher `dockgen editor vscode`
// writes, read back from tasks.json, parses dockgen doctor's real gnu output
// for a naive project and points every finding at a real file and line.
func TestEditorMatcherParsesDoctor(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"go.mod":        "module example.com/naive\n\ngo 1.25\n",
		"main.go":       "package main\n\nimport (\n\t\"net/http\"\n\n\t_ \"github.com/mattn/go-sqlite3\"\n)\n\nfunc main() { http.ListenAndServe(\"127.0.0.1:8080\", nil) }\n",
		"Dockerfile":    "FROM golang:1.21-alpine\nWORKDIR /app\nCOPY . .\nRUN go mod download\nRUN CGO_ENABLED=0 go build -o main .\nENV API_TOKEN=abc\nEXPOSE 9000\nHEALTHCHECK CMD wget -qO- http://localhost:8080/ || exit 1\nCMD ./main\n",
		"compose.yaml":  "services:\n  app:\n    build: .\n    ports:\n      - \"8080:8080\"\n",
		".dockerignore": "*.go\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	exec := func(args ...string) (string, int) {
		var out bytes.Buffer
		code := run(context.Background(), args, &streams{in: strings.NewReader(""), out: &out, err: &bytes.Buffer{}}, nil)
		return out.String(), code
	}
	if _, code := exec("editor", "vscode", dir); code != 0 {
		t.Fatalf("editor vscode: exit %d", code)
	}
	raw, err := os.ReadFile(filepath.Join(dir, ".vscode", "tasks.json"))
	if err != nil {
		t.Fatal(err)
	}
	std, err := hujson.Standardize(raw)
	if err != nil {
		t.Fatal(err)
	}
	var tasks struct {
		Tasks []struct {
			Label          string
			ProblemMatcher json.RawMessage
		}
	}
	if err := json.Unmarshal(std, &tasks); err != nil {
		t.Fatal(err)
	}
	var matcher struct {
		Pattern struct {
			Regexp                                      string
			File, Line, Column, Severity, Message, Code int
		}
	}
	for _, tk := range tasks.Tasks {
		if tk.Label == "dockgen: doctor" {
			if err := json.Unmarshal(tk.ProblemMatcher, &matcher); err != nil {
				t.Fatal(err)
			}
		}
	}
	re := regexp.MustCompile(matcher.Pattern.Regexp)

	// The task runs in the workspace folder: paths are relative to it.
	t.Chdir(dir)
	out, code := exec("doctor", "--format", "gnu")
	if code != 1 {
		t.Fatalf("doctor on a naive setup: exit %d, want 1 (errors)\n%s", code, out)
	}
	rules := map[string]bool{}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		m := re.FindStringSubmatch(l)
		if m == nil {
			t.Errorf("matcher does not parse %q", l)
			continue
		}
		file, code := m[matcher.Pattern.File], m[matcher.Pattern.Code]
		line, _ := strconv.Atoi(m[matcher.Pattern.Line])
		b, err := os.ReadFile(file)
		if err != nil {
			t.Errorf("%q: file %q: %v", l, file, err)
			continue
		}
		if n := strings.Count(string(b), "\n") + 1; line < 1 || line > n {
			t.Errorf("%q: line %d outside %s (%d lines)", l, line, file, n)
		}
		if m[matcher.Pattern.Message] == "" || code == "" || !strings.Contains("error warning info", m[matcher.Pattern.Severity]) {
			t.Errorf("%q: groups %q", l, m)
		}
		rules[code] = true
	}
	// cgo disabled for go-sqlite3, the loopback bind in main.go, Go sources
	// excluded by .dockerignore: each needs the module's facts.
	for _, want := range []string{"DG103", "DG401", "DG206"} {
		if !rules[want] {
			t.Errorf("%s did not fire; rules seen: %v", want, rules)
		}
	}
	if len(rules) < 8 {
		t.Errorf("only %d rules fired on the naive setup: %v", len(rules), rules)
	}
}
