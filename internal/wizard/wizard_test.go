package wizard

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/dockgen/dockgen/internal/analysis"
	"github.com/dockgen/dockgen/internal/answers"
	"github.com/dockgen/dockgen/internal/plan"
)

// step is one expected prompt: its message (a substring) and the answer;
// enter takes the offered default.
type step struct {
	msg    string
	answer any // []string, string, bool; ignored with enter
	enter  bool
	check  func(t *testing.T, options []string, def any)
}

// fake is a Prompter that plays a script: it fails the test on a prompt it
// did not expect, and (via done) on a scripted prompt never asked.
type fake struct {
	t      *testing.T
	script []step
	next   int
	said   bytes.Buffer
}

func (f *fake) take(kind, msg string, options []string, def any) any {
	f.t.Helper()
	if f.next >= len(f.script) {
		f.t.Fatalf("unexpected %s prompt %q (default %v)", kind, msg, def)
	}
	s := f.script[f.next]
	f.next++
	if !strings.Contains(msg, s.msg) {
		f.t.Fatalf("prompt %d: got %s %q, want one containing %q", f.next, kind, msg, s.msg)
	}
	if s.check != nil {
		s.check(f.t, options, def)
	}
	if s.enter {
		return def
	}
	return s.answer
}

func (f *fake) done() {
	f.t.Helper()
	if f.next != len(f.script) {
		f.t.Errorf("%d scripted prompt(s) never asked, first %q", len(f.script)-f.next, f.script[f.next].msg)
	}
}

func (f *fake) MultiSelect(msg, _ string, options, defaults []string) ([]string, error) {
	return f.take("multi-select", msg, options, defaults).([]string), nil
}
func (f *fake) Select(msg, _ string, options []string, def string) (string, error) {
	return f.take("select", msg, options, def).(string), nil
}
func (f *fake) Input(msg, _, def string) (string, error) {
	return f.take("input", msg, nil, def).(string), nil
}
func (f *fake) Confirm(msg, _ string, def bool) (bool, error) {
	return f.take("confirm", msg, nil, def).(bool), nil
}
func (f *fake) Say(text string) { f.said.WriteString(text) }

func enter(msg string) step { return step{msg: msg, enter: true} }

// render is the files a plan of the answers renders, by path.
func render(t *testing.T, f *analysis.Facts, a answers.Answers) map[string]string {
	t.Helper()
	p, err := plan.Make(f, a)
	if err != nil {
		t.Fatalf("plan.Make(%+v): %v", a, err)
	}
	files, err := plan.Render(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, fl := range files {
		out[fl.Path] = string(fl.Content)
	}
	return out
}

func listener(port int, env string) []analysis.Listener {
	return []analysis.Listener{{Addr: fmt.Sprintf(":%d", port), Port: port, PortEnv: env, Source: "main.go:9"}}
}

var (
	apiMain    = analysis.Main{Dir: "./cmd/api", Name: "api", LongRunning: true, Listeners: listener(8081, ""), Source: "cmd/api/main.go:5"}
	workerMain = analysis.Main{Dir: "./cmd/my_worker", Name: "my_worker", LongRunning: true, Source: "cmd/my_worker/main.go:5"}
	toolMain   = analysis.Main{Dir: "./tools/gen", Name: "gen", Source: "tools/gen/main.go:3"}
	cgoMain    = analysis.Main{Dir: ".", Name: "db", LongRunning: true, Listeners: listener(8080, ""), Cgo: true,
		CgoReason: "github.com/mattn/go-sqlite3 uses cgo (imported at main.go:4)", CgoSource: "main.go:4", Source: "main.go:6"}
	privMain = analysis.Main{Dir: ".", Name: "web", LongRunning: true, Listeners: listener(80, "PORT"), Source: "main.go:6"}
)

func facts(goLine, toolchain string, mains ...analysis.Main) *analysis.Facts {
	return &analysis.Facts{Module: "example.com/m", Go: goLine, GoSource: "go.mod:3", Toolchain: toolchain, ToolchainSource: "go.mod:5", Mains: mains}
}

// TestEnterEqualsYes: pressing Enter at every question gives the answers
// --yes gives (none), so the files are byte-identical — for every
// question the wizard asks, including the port of a privileged listener
// that the plan moves to 8080.
func TestEnterEqualsYes(t *testing.T) {
	for _, tc := range []struct {
		name   string
		facts  *analysis.Facts
		script []step
	}{
		{"multi", facts("1.25", "", apiMain, workerMain, toolMain), []step{
			enter("Which binaries"), enter("Runtime base"), enter("Use the debug variant"), enter("Target platforms"), enter("Container port for api"),
		}},
		{"cgo", facts("1.24", "go1.26.1", cgoMain), []step{
			enter("How is db linked"), enter("Runtime base"), enter("Use the debug variant"), enter("Target platforms"), enter("Builder Go version"), enter("Container port for db"),
		}},
		{"privileged port from env", facts("1.25", "", privMain), []step{
			enter("Runtime base"), enter("Use the debug variant"), enter("Target platforms"),
			{msg: "Container port for web", enter: true, check: func(t *testing.T, _ []string, def any) {
				if def != "8080" {
					t.Errorf("port default %v, want the plan's 8080 (80 is privileged and env-driven)", def)
				}
			}},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := &fake{t: t, script: tc.script}
			got, err := Ask(p, tc.facts, answers.Answers{}, Forced{})
			if err != nil {
				t.Fatal(err)
			}
			p.done()
			if !reflect.DeepEqual(got, answers.Answers{}) {
				t.Errorf("Enter everywhere recorded answers %+v, want none", got)
			}
			if !reflect.DeepEqual(render(t, tc.facts, got), render(t, tc.facts, answers.Answers{})) {
				t.Error("files differ from --yes")
			}
		})
	}
}

// TestChoicesAreRecorded: a departure from a default is recorded, and the
// plan follows it; the privileged port 80 can be chosen.
func TestChoicesAreRecorded(t *testing.T) {
	f := facts("1.25", "", apiMain, workerMain, toolMain)
	p := &fake{t: t, script: []step{
		{msg: "Which binaries", answer: []string{"./cmd/api", "./tools/gen"}},
		{msg: "Runtime base", answer: "debian"},
		{msg: "Target platforms", answer: "linux/amd64 + linux/arm64"},
		{msg: "Container port for api", answer: "9000"},
	}}
	got, err := Ask(p, f, answers.Answers{}, Forced{})
	if err != nil {
		t.Fatal(err)
	}
	p.done()
	want := answers.Answers{Mains: []string{"./cmd/api", "./tools/gen"}, Base: "debian", Platforms: []string{"linux/amd64", "linux/arm64"}, Ports: map[string]int{"api": 9000}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("answers %+v, want %+v", got, want)
	}

	f = facts("1.25", "", privMain)
	p = &fake{t: t, script: []step{enter("Runtime base"), enter("debug"), enter("platforms"), {msg: "Container port for web", answer: "80"}}}
	got, err = Ask(p, f, answers.Answers{}, Forced{})
	if err != nil {
		t.Fatal(err)
	}
	p.done()
	pl, err := plan.Make(f, got)
	if err != nil {
		t.Fatal(err)
	}
	if b := pl.Binaries[0]; b.Port != 80 || b.Env[0] != (plan.EnvVar{Name: "PORT", Value: "80"}) {
		t.Errorf("chose 80: port %d env %v", b.Port, b.Env)
	}
}

// TestCgoBinaryNeverOffersStaticOnlyBases: a glibc-linked cgo binary is
// never offered scratch or alpine; linking it statically opens them.
func TestCgoBinaryNeverOffersStaticOnlyBases(t *testing.T) {
	f := facts("1.25", "", cgoMain)
	noStatic := func(t *testing.T, options []string, _ any) {
		if slices.Contains(options, "scratch") || slices.Contains(options, "alpine") {
			t.Errorf("offered %v for a glibc cgo binary", options)
		}
	}
	p := &fake{t: t, script: []step{enter("How is db linked"), {msg: "Runtime base", enter: true, check: noStatic}, enter("debug"), enter("platforms"), enter("port")}}
	if _, err := Ask(p, f, answers.Answers{}, Forced{}); err != nil {
		t.Fatal(err)
	}
	p.done()
	p = &fake{t: t, script: []step{{msg: "How is db linked", answer: "static"}, {msg: "Runtime base", answer: "scratch", check: func(t *testing.T, o []string, _ any) {
		if !slices.Contains(o, "scratch") {
			t.Errorf("static link: scratch not offered: %v", o)
		}
	}}, enter("platforms"), enter("port")}}
	got, err := Ask(p, f, answers.Answers{}, Forced{})
	if err != nil {
		t.Fatal(err)
	}
	p.done()
	if got.Base != "scratch" || got.Cgo["db"] != answers.CgoStatic {
		t.Errorf("answers %+v", got)
	}
}

// TestBadPortIsAskedAgain: a bad port is not an error; the question comes again.
func TestBadPortIsAskedAgain(t *testing.T) {
	f := facts("1.25", "", apiMain)
	p := &fake{t: t, script: []step{enter("Runtime base"), enter("debug"), enter("platforms"),
		{msg: "Container port for api", answer: "nope"}, {msg: "Container port for api", answer: "70000"}, {msg: "Container port for api", answer: "9001"}}}
	got, err := Ask(p, f, answers.Answers{}, Forced{})
	if err != nil {
		t.Fatal(err)
	}
	p.done()
	if got.Ports["api"] != 9001 {
		t.Errorf("ports %v", got.Ports)
	}
}

// TestForcedQuestionsAreSkipped: an answer given by a flag is not asked.
func TestForcedQuestionsAreSkipped(t *testing.T) {
	f := facts("1.25", "", apiMain, workerMain)
	p := &fake{t: t, script: []step{enter("debug")}}
	a := answers.Answers{Base: "distroless", Mains: []string{"./cmd/api"}, Ports: map[string]int{"api": 9000}}
	got, err := Ask(p, f, a, Forced{Mains: true, Base: true, Ports: true, Platforms: true})
	if err != nil {
		t.Fatal(err)
	}
	p.done()
	if !reflect.DeepEqual(got, a) {
		t.Errorf("answers %+v, want %+v", got, a)
	}
}

type interrupting struct{ fake }

func (i *interrupting) Select(string, string, []string, string) (string, error) {
	return "", ErrInterrupted
}

func TestInterruptReturnsErrInterrupted(t *testing.T) {
	_, err := Ask(&interrupting{fake{t: t}}, facts("1.25", "", apiMain), answers.Answers{}, Forced{})
	if !errors.Is(err, ErrInterrupted) {
		t.Errorf("err = %v, want ErrInterrupted", err)
	}
}

func TestConfirm(t *testing.T) {
	p := &fake{t: t, script: []step{{msg: "Write these files?", answer: false}}}
	if err := Confirm(p, "Plan: …\n"); !errors.Is(err, ErrInterrupted) {
		t.Errorf("declined: err = %v", err)
	}
	p.done()
	if !strings.Contains(p.said.String(), "Plan:") {
		t.Error("summary not shown")
	}
	p = &fake{t: t, script: []step{enter("Write these files?")}}
	if err := Confirm(p, ""); err != nil {
		t.Errorf("accepted: %v", err)
	}
	p.done()
}
