package wizard

import (
	"errors"
	"slices"
	"testing"

	"github.com/dockgen/dockgen/internal/analysis"
	"github.com/dockgen/dockgen/internal/answers"
)

// script is a Prompter that answers from a list and records the questions
// and the defaults it was offered.
type script struct {
	answers  []any
	asked    []string
	defaults []any
}

func (s *script) next(msg string, def any) any {
	s.asked = append(s.asked, msg)
	s.defaults = append(s.defaults, def)
	if len(s.answers) == 0 {
		return errors.New("no answer scripted for " + msg)
	}
	a := s.answers[0]
	s.answers = s.answers[1:]
	return a
}

func (s *script) MultiSelect(msg, _ string, _, defaults []string) ([]string, error) {
	switch a := s.next(msg, defaults).(type) {
	case error:
		return nil, a
	default:
		return a.([]string), nil
	}
}

func (s *script) Select(msg, _ string, _ []string, def string) (string, error) {
	switch a := s.next(msg, def).(type) {
	case error:
		return "", a
	default:
		return a.(string), nil
	}
}

func (s *script) Input(msg, _, def string) (string, error) {
	switch a := s.next(msg, def).(type) {
	case error:
		return "", a
	default:
		return a.(string), nil
	}
}

func multiFacts() *analysis.Facts {
	return &analysis.Facts{Module: "example.com/m", Mains: []analysis.Main{
		{Dir: "./cmd/api", Name: "api", LongRunning: true, Listeners: []analysis.Listener{{Addr: ":8081", Port: 8081, Source: "cmd/api/main.go:9"}}},
		{Dir: "./cmd/tool", Name: "tool"},
	}}
}

func TestAskUsesAnalysisDefaults(t *testing.T) {
	f := multiFacts()
	p := &script{answers: []any{[]string{"./cmd/api"}, "scratch", "9000"}}
	a, err := Ask(p, f, answers.Defaults(f))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.Mains, []string{"./cmd/api"}) || a.Base != "scratch" || a.Ports["api"] != 9000 {
		t.Errorf("answers = %+v", a)
	}
	if got := p.defaults[0].([]string); !slices.Equal(got, []string{"./cmd/api", "./cmd/tool"}) {
		t.Errorf("binaries offered with defaults %v, want every main", got)
	}
	if p.defaults[1] != "distroless" {
		t.Errorf("base default %v, want distroless", p.defaults[1])
	}
	if p.defaults[2] != "8081" {
		t.Errorf("port default %v, want the port found in the code (8081)", p.defaults[2])
	}
}

func TestAskKeepsUnchangedPortOutOfAnswers(t *testing.T) {
	f := multiFacts()
	a, err := Ask(&script{answers: []any{[]string{"./cmd/api"}, "distroless", "8081"}}, f, answers.Defaults(f))
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Ports) != 0 {
		t.Errorf("accepting the analyzed port stored an override: %v", a.Ports)
	}
}

func TestAskRejectsBadInput(t *testing.T) {
	f := multiFacts()
	for name, scripted := range map[string][]any{
		"no binary":   {[]string{}},
		"bad port":    {[]string{"./cmd/api"}, "distroless", "http"},
		"port range":  {[]string{"./cmd/api"}, "distroless", "70000"},
		"interrupted": {ErrInterrupted},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := Ask(&script{answers: scripted}, f, answers.Defaults(f)); err == nil {
				t.Fatal("no error")
			}
		})
	}
	_, err := Ask(&script{answers: []any{ErrInterrupted}}, f, answers.Defaults(f))
	if !errors.Is(err, ErrInterrupted) {
		t.Errorf("interrupt came back as %v", err)
	}
}
