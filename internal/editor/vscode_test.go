package editor

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tailscale/hujson"
)

// fixtures are tasks.json files a user may have; each test runs over all.
var fixtures = []struct {
	name string
	in   string
}{
	{"none", ""},
	{"blank", "\n  \n"},
	{"comments and trailing commas", `// top comment
{
  /* block */
  "version": "2.0.0",
  "tasks": [
    // my build
    {
      "label": "build",
      "type": "shell",
      "command": "make",   // make it
      "args": ["all",],
    },
    {"label": "test", "type": "process", "command": "go", "args": ["test", "./..."]}, // inline
  ],
  "inputs": [],  // trailing
}
`},
	{"tabs, no trailing commas", "{\n\t\"version\": \"2.0.0\",\n\t\"tasks\": [\n\t\t{\n\t\t\t\"label\": \"run\",\n\t\t\t\"command\": \"go run .\"\n\t\t} /* last */\n\t]\n}\n"},
	{"crlf", "{\r\n  \"version\": \"2.0.0\",\r\n  // windows\r\n  \"tasks\": [\r\n    {\"label\": \"a\", \"command\": \"a\"}\r\n  ]\r\n}\r\n"},
	{"minified", `{"version":"2.0.0","tasks":[{"label":"x","command":"x"}]}`},
	{"empty tasks", "{\n    \"version\": \"2.0.0\",\n    \"tasks\": []\n}\n"},
	{"empty tasks with comment", "{\n  \"version\": \"2.0.0\",\n  \"tasks\": [\n    // none yet\n  ],\n}\n"},
	{"no tasks", "{\n  // only settings\n  \"version\": \"2.0.0\",\n  \"options\": {\"env\": {\"A\": \"1\"}},\n}\n"},
	{"no version", "{\n  \"tasks\": [\n    {\"label\": \"a\", \"command\": \"a\"},\n  ]\n}\n"},
	{"empty object", "{}"},
}

var allOptions = []Options{{}, {GoRun: true}}

// doc is the part of tasks.json the tests read back.
type doc struct {
	Version string            `json:"version"`
	Tasks   []json.RawMessage `json:"tasks"`
}

type taskDoc struct {
	Label          string   `json:"label"`
	Type           string   `json:"type"`
	Command        string   `json:"command"`
	Args           []string `json:"args"`
	Options        struct{ Cwd string }
	ProblemMatcher json.RawMessage `json:"problemMatcher"`
}

// read parses out the way VS Code does: JSONC, then JSON.
func read(t *testing.T, out []byte) (doc, []taskDoc) {
	t.Helper()
	std, err := hujson.Standardize(bytes.Clone(out))
	if err != nil {
		t.Fatalf("output is not JSONC: %v\n%s", err, out)
	}
	var d doc
	if err := json.Unmarshal(std, &d); err != nil {
		t.Fatalf("output is not a tasks.json: %v\n%s", err, out)
	}
	var ts []taskDoc
	for _, raw := range d.Tasks {
		var td taskDoc
		json.Unmarshal(raw, &td) // a user's task need not be an object
		ts = append(ts, td)
	}
	return d, ts
}

func labels(ts []taskDoc) []string {
	var ls []string
	for _, t := range ts {
		ls = append(ls, t.Label)
	}
	return ls
}

func find(t *testing.T, ts []taskDoc, label string) taskDoc {
	t.Helper()
	var found []taskDoc
	for _, td := range ts {
		if td.Label == label {
			found = append(found, td)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d tasks labelled %q, want 1", len(found), label)
	}
	return found[0]
}

func TestTasks(t *testing.T) {
	want := []struct {
		label string
		args  []string
	}{
		{"dockgen: init", []string{"init", "--yes"}},
		{"dockgen: regenerate", []string{"regenerate"}},
		{"dockgen: check", []string{"regenerate", "--check"}},
		{"dockgen: doctor", []string{"doctor", "--format", "gnu"}},
		{"dockgen: verify", []string{"verify"}},
	}
	for _, tc := range []struct {
		opts    Options
		command string
		prefix  []string
	}{
		{Options{}, "dockgen", nil},
		{Options{GoRun: true}, "go", []string{"run", "github.com/dockgen/dockgen/cmd/dockgen"}},
	} {
		t.Run(tc.command, func(t *testing.T) {
			out, err := VSCodeTasks(nil, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			d, ts := read(t, out)
			if d.Version != "2.0.0" {
				t.Errorf("version %q, want 2.0.0", d.Version)
			}
			if len(ts) != len(want) {
				t.Fatalf("labels %q, want %d tasks", labels(ts), len(want))
			}
			for i, w := range want {
				got := ts[i]
				wantArgs := append(slices.Clone(tc.prefix), w.args...)
				if got.Label != w.label || got.Type != "shell" || got.Command != tc.command || !slices.Equal(got.Args, wantArgs) {
					t.Errorf("task %d = %q %s %s %q, want %q shell %s %q", i, got.Label, got.Type, got.Command, got.Args, w.label, tc.command, wantArgs)
				}
				if got.Options.Cwd != "${workspaceFolder}" {
					t.Errorf("%s: cwd %q", got.Label, got.Options.Cwd)
				}
				if len(got.ProblemMatcher) == 0 {
					t.Errorf("%s: no problemMatcher property: VS Code would ask for one on every run", got.Label)
				}
			}
		})
	}
}

// matchers reads a task's problemMatcher (one or a list) back from the file.
func matchers(t *testing.T, raw json.RawMessage) []matcher {
	t.Helper()
	var ms []matcher
	if err := json.Unmarshal(raw, &ms); err != nil {
		var m matcher
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatalf("problemMatcher %s: %v", raw, err)
		}
		ms = []matcher{m}
	}
	return ms
}

// match applies the first of ms that matches line as VS Code does, returning
// the fields it fills; nil when none matches.
func match(t *testing.T, ms []matcher, line string) map[string]string {
	t.Helper()
	for _, m := range ms {
		re, err := regexp.Compile(m.Pattern.Regexp)
		if err != nil {
			t.Fatalf("regexp %q: %v", m.Pattern.Regexp, err)
		}
		g := re.FindStringSubmatch(line)
		if g == nil {
			continue
		}
		got := map[string]string{"owner": m.Owner}
		for name, i := range map[string]int{"file": m.Pattern.File, "line": m.Pattern.Line, "column": m.Pattern.Column,
			"severity": m.Pattern.Severity, "message": m.Pattern.Message, "code": m.Pattern.Code} {
			if i > 0 {
				got[name] = g[i]
			}
		}
		if m.Severity != "" && got["severity"] == "" {
			got["severity"] = m.Severity
		}
		return got
	}
	return nil
}

func TestDoctorMatcher(t *testing.T) {
	out, err := VSCodeTasks(nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, ts := read(t, out)
	ms := matchers(t, find(t, ts, "dockgen: doctor").ProblemMatcher)
	if len(ms) != 1 {
		t.Fatalf("%d matchers, want 1", len(ms))
	}
	m := ms[0]
	if m.Owner != "dockgen" || m.Source != "dockgen" || !slices.Equal(m.FileLocation, []string{"relative", "${workspaceFolder}"}) {
		t.Errorf("matcher owner %q source %q fileLocation %q", m.Owner, m.Source, m.FileLocation)
	}
	for _, tc := range []struct {
		file, line, col, sev, msg, code string
	}{
		{"Dockerfile", "12", "1", "error", "binary is not copied into the runtime stage", "DG101"},
		{"Dockerfile", "3", "14", "warning", "runs as root", "DG114"},
		{"compose.yaml", "7", "5", "info", "image is not pinned by digest", "DG121"},
		{"cmd/api/Dockerfile", "12", "1", "error", "CMD is shell form: the image has no shell", "DG117"},
		{"deploy/docker/api/Dockerfile.prod", "120", "33", "warning", "see https://example.invalid/x: use USER 65532:65532", "DG114"},
		{`cmd\api\Dockerfile`, "9", "2", "error", "a: b: c", "DG100"},
		{`C:\src\app\Dockerfile`, "1", "1", "warning", "tag: latest", "DG120"},
		{"my app/Dockerfile", "4", "1", "error", `use the exec form ["/app"] [not a rule]`, "DG116"},
		{"Dockerfile", "2", "1", "error", "looks like Dockerfile:3:4: error: nested", "DG100"},
		{"Dockerfile", "1", "1", "error", "cannot parse: unexpected EOF", ""},
	} {
		line := fmt.Sprintf("%s:%s:%s: %s: %s", tc.file, tc.line, tc.col, tc.sev, tc.msg)
		if tc.code != "" {
			line += " [" + tc.code + "]"
		}
		t.Run(line, func(t *testing.T) {
			got := match(t, ms, line)
			want := map[string]string{"owner": "dockgen", "file": tc.file, "line": tc.line, "column": tc.col,
				"severity": tc.sev, "message": tc.msg, "code": tc.code}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("got  %v\nwant %v", got, want)
			}
		})
	}
	for _, line := range []string{
		"",
		"dockgen: 3 problems (2 errors, 1 warning)",
		"Dockerfile:12: error: no column [DG101]",
		"Dockerfile:12:1: fatal: not a severity [DG101]",
		"Dockerfile:x:1: error: not a line [DG101]",
		"warning: main.go:12: binds 127.0.0.1 [loopback-bind]",
	} {
		if got := match(t, ms, line); got != nil {
			t.Errorf("%q matched: %v", line, got)
		}
	}
}

func TestCheckMatcher(t *testing.T) {
	out, err := VSCodeTasks(nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, ts := read(t, out)
	ms := matchers(t, find(t, ts, "dockgen: check").ProblemMatcher)
	for _, m := range ms {
		// The check must not clear the doctor's problems, nor the reverse.
		if m.Owner == "dockgen" {
			t.Errorf("check matcher shares the doctor's owner")
		}
		if m.Pattern.Kind != "file" || m.Pattern.Line != 0 {
			t.Errorf("check matcher %q: kind %q line %d, want a whole-file problem", m.Pattern.Regexp, m.Pattern.Kind, m.Pattern.Line)
		}
	}
	// Lines as regenerate prints them: "%-16s %s (%s)".
	row := func(verb, path, reason string) string { return fmt.Sprintf("%-16s %s (%s)", verb, path, reason) }
	for _, tc := range []struct {
		line, file, sev string
	}{
		{row("would update", "Dockerfile", "unedited since dockgen wrote it"), "Dockerfile", "warning"},
		{row("would create", "cmd/api/healthz_dockgen.go", "new"), "cmd/api/healthz_dockgen.go", "warning"},
		{row("would update", "compose.yaml", "overwritten (--force)"), "compose.yaml", "warning"},
		{row("would remove", "docker-bake.hcl", "no longer generated"), "docker-bake.hcl", "warning"},
		{"conflict: Dockerfile: not written by dockgen", "Dockerfile", "error"},
		{row("unchanged", "Dockerfile", "up to date"), "", ""},
		{row("kept", "compose.yaml", "edited by you since dockgen wrote it"), "", ""},
		{"dockgen: 2 file(s) out of date; run `dockgen regenerate`", "", ""},
	} {
		t.Run(tc.line, func(t *testing.T) {
			got := match(t, ms, tc.line)
			if tc.file == "" {
				if got != nil {
					t.Fatalf("matched: %v", got)
				}
				return
			}
			if got == nil || got["file"] != tc.file || got["severity"] != tc.sev || got["message"] != tc.line {
				t.Errorf("got %v, want file %q severity %q and the whole line as message", got, tc.file, tc.sev)
			}
		})
	}
}

// userParts are the byte ranges of the input the merge must keep: the text
// before the end of the last user task, and from the closing bracket of
// "tasks" on. ok is false when the input has no tasks array.
func userParts(t *testing.T, in []byte) (head, tail []byte, ok bool) {
	t.Helper()
	v, err := hujson.Parse(in)
	if err != nil {
		t.Fatal(err)
	}
	tv := v.Find("/tasks")
	if tv == nil {
		return nil, nil, false
	}
	arr := tv.Value.(*hujson.Array)
	end := tv.StartOffset + 1
	if n := len(arr.Elements); n > 0 {
		end = arr.Elements[n-1].EndOffset
	}
	return in[:end], in[tv.EndOffset-1:], true
}

// trailingComma reports whether the last task is followed by a comma; ok is
// false when there is no task to tell by.
func trailingComma(t *testing.T, in []byte) (has, ok bool) {
	t.Helper()
	v, err := hujson.Parse(in)
	if err != nil {
		t.Fatal(err)
	}
	tv := v.Find("/tasks")
	if tv == nil {
		return false, false
	}
	els := tv.Value.(*hujson.Array).Elements
	if len(els) == 0 {
		return false, false
	}
	return els[len(els)-1].AfterExtra != nil, true
}

var addedVersion = regexp.MustCompile(`^\{\s*"version": "2\.0\.0",`)

var commentRE = regexp.MustCompile(`(?s)//[^\n]*|/\*.*?\*/`)

func TestMergeKeepsUserText(t *testing.T) {
	for _, fx := range fixtures {
		for _, opts := range allOptions {
			t.Run(fmt.Sprintf("%s/%+v", fx.name, opts), func(t *testing.T) {
				in := []byte(fx.in)
				orig := bytes.Clone(in)
				out, err := VSCodeTasks(in, opts)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(in, orig) {
					t.Fatal("input buffer was modified")
				}
				_, ts := read(t, out)
				for _, l := range []string{"dockgen: init", "dockgen: regenerate", "dockgen: check", "dockgen: doctor", "dockgen: verify"} {
					find(t, ts, l)
				}
				if len(bytes.TrimSpace(in)) == 0 {
					return
				}
				// Every user task is still there, in order, before dockgen's.
				_, before := read(t, append(bytes.Clone(in), '\n'))
				if got := labels(ts)[:len(before)]; !slices.Equal(got, labels(before)) {
					t.Errorf("tasks start %q, want the user's %q", got, labels(before))
				}
				if had, ok := trailingComma(t, in); ok {
					if has, _ := trailingComma(t, out); has != had {
						t.Errorf("trailing comma after the last task: %v, the user's file had %v", has, had)
					}
				}
				if head, tail, ok := userParts(t, in); ok {
					if !bytes.Contains(in, []byte(`"version"`)) {
						// The one addition outside "tasks": VS Code needs the version.
						out = addedVersion.ReplaceAll(out, []byte("{"))
					}
					if !bytes.HasPrefix(out, head) {
						t.Errorf("text up to the last user task changed:\n%s", out)
					}
					if !bytes.HasSuffix(out, tail) {
						t.Errorf("text after the tasks array changed:\n%s", out)
					}
				}
				// Comments survive in order (some move past a comma, none is lost).
				if got, want := commentRE.FindAll(out, -1), commentRE.FindAll(in, -1); !slices.EqualFunc(got, want, bytes.Equal) {
					t.Errorf("comments %q, want %q", got, want)
				}
				if bytes.Contains(in, []byte("\r\n")) && bytes.Count(out, []byte("\n")) != bytes.Count(out, []byte("\r\n")) {
					t.Errorf("mixed line endings in a CRLF file:\n%q", out)
				}
			})
		}
	}
}

func TestIdempotent(t *testing.T) {
	for _, fx := range fixtures {
		for _, opts := range allOptions {
			t.Run(fmt.Sprintf("%s/%+v", fx.name, opts), func(t *testing.T) {
				once, err := VSCodeTasks([]byte(fx.in), opts)
				if err != nil {
					t.Fatal(err)
				}
				twice, err := VSCodeTasks(once, opts)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(once, twice) {
					t.Errorf("second run changed the file:\n--- once\n%s\n--- twice\n%s", once, twice)
				}
				// Switching options converges on the same bytes as asking directly.
				other := Options{GoRun: !opts.GoRun}
				switched, err := VSCodeTasks(once, other)
				if err != nil {
					t.Fatal(err)
				}
				direct, err := VSCodeTasks([]byte(fx.in), other)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(switched, direct) {
					t.Errorf("switching to %+v:\n%s\nwant\n%s", other, switched, direct)
				}
			})
		}
	}
}

func TestReplacesOldTaskInPlace(t *testing.T) {
	in := []byte(`{
  "version": "2.0.0",
  "tasks": [
    {"label": "build", "command": "make"},
    // dockgen 0.1 wrote this one
    {
      "label": "dockgen: doctor",
      "type": "shell",
      "command": "/opt/old/dockgen",
      "args": ["doctor"],
      "problemMatcher": "$gcc",
    }, // keep this note
    {"label": "dockgen: deploy", "command": "./deploy.sh"},
    {"label": "test", "command": "go test ./..."},
  ],
}
`)
	out, err := VSCodeTasks(in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, ts := read(t, out)
	wantLabels := []string{"build", "dockgen: doctor", "dockgen: deploy", "test",
		"dockgen: init", "dockgen: regenerate", "dockgen: check", "dockgen: verify"}
	if !slices.Equal(labels(ts), wantLabels) {
		t.Errorf("labels %q, want %q", labels(ts), wantLabels)
	}
	doctor := find(t, ts, "dockgen: doctor")
	if doctor.Command != "dockgen" || !slices.Equal(doctor.Args, []string{"doctor", "--format", "gnu"}) {
		t.Errorf("doctor task not replaced: %s %q", doctor.Command, doctor.Args)
	}
	// Only the old task's value changed: what surrounds it is byte for byte the same.
	iv, _ := hujson.Parse(in)
	ov, _ := hujson.Parse(out)
	old, now := iv.Find("/tasks/1"), ov.Find("/tasks/1")
	if !bytes.Equal(out[:now.StartOffset], in[:old.StartOffset]) {
		t.Errorf("text before the replaced task changed:\n%s", out[:now.StartOffset])
	}
	last := iv.Find("/tasks/3").EndOffset
	if got, want := out[now.EndOffset:now.EndOffset+last-old.EndOffset], in[old.EndOffset:last]; !bytes.Equal(got, want) {
		t.Errorf("text after the replaced task is\n%s\nwant\n%s", got, want)
	}
	if bytes.Contains(out, []byte("/opt/old/dockgen")) || bytes.Contains(out, []byte("$gcc")) {
		t.Errorf("old task content left behind:\n%s", out)
	}
}

func TestDuplicateLabelsAllReplaced(t *testing.T) {
	in := []byte(`{"version": "2.0.0", "tasks": [{"label": "dockgen: check", "command": "a"}, {"label": "dockgen: check", "command": "b"}]}`)
	out, err := VSCodeTasks(in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, ts := read(t, out)
	n := 0
	for _, td := range ts {
		if td.Label == "dockgen: check" {
			n++
			if !slices.Equal(td.Args, []string{"regenerate", "--check"}) {
				t.Errorf("duplicate not replaced: %q", td.Args)
			}
		}
	}
	if n != 2 {
		t.Errorf("%d check tasks, want the 2 there were (none added, none removed)", n)
	}
}

func TestInvalid(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`{"tasks": [}`, "parse tasks.json"},
		{`{"tasks": [], }}`, "parse tasks.json"},
		{`{"tasks": [`, "parse tasks.json"},
		{`/* unterminated`, "parse tasks.json"},
		{`{'tasks': []}`, "parse tasks.json"},
		{`[]`, "not an object"},
		{`"tasks"`, "not an object"},
		{`{"version": "2.0.0", "tasks": {}}`, `"tasks" is not an array`},
		{`{"version": "2.0.0", "tasks": null}`, `"tasks" is not an array`},
		{`{"version": "0.1.0", "tasks": []}`, `version is "0.1.0"`},
		{`{"version": 2, "tasks": []}`, "version is 2"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			out, err := VSCodeTasks([]byte(tc.in), Options{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
			if out != nil {
				t.Errorf("output %q alongside an error", out)
			}
		})
	}
}

// FuzzVSCodeTasks: whatever JSONC comes in, what goes out is JSONC with all of
// dockgen's tasks, and a second run leaves it alone.
func FuzzVSCodeTasks(f *testing.F) {
	for _, fx := range fixtures {
		f.Add(fx.in, false)
	}
	f.Fuzz(func(t *testing.T, in string, goRun bool) {
		out, err := VSCodeTasks([]byte(in), Options{GoRun: goRun})
		if err != nil {
			return
		}
		v, err := hujson.Parse(out)
		if err != nil {
			t.Fatalf("output does not parse: %v\n%s", err, out)
		}
		for _, l := range []string{"init", "regenerate", "check", "doctor", "verify"} {
			found := false
			for _, el := range v.Find("/tasks").Value.(*hujson.Array).Elements {
				found = found || labelOf(&el) == LabelPrefix+l
			}
			if !found {
				t.Errorf("no %q task in\n%s", LabelPrefix+l, out)
			}
		}
		again, err := VSCodeTasks(out, Options{GoRun: goRun})
		if err != nil || !bytes.Equal(again, out) {
			t.Errorf("second run: %v\n%s\nwant\n%s", err, again, out)
		}
	})
}
