package answers

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		a     Answers
		field string // "" when valid
	}{
		{Answers{}, ""},
		{Answers{Mains: []string{"./cmd/api"}, Base: "anything-the-plan-checks", Ports: map[string]int{"api": 80}, Cgo: map[string]string{"db": CgoStatic},
			Platforms: []string{"linux/arm64"}, Go: "1.25", Private: []string{"example.com/*"}}, ""},
		{Answers{Mains: []string{" "}}, "mains"},
		{Answers{Ports: map[string]int{"api": 0}}, "ports.api"},
		{Answers{Ports: map[string]int{"": 65536}}, "ports."},
		{Answers{Cgo: map[string]string{"db": "yes"}}, "cgo.db"},
		{Answers{Platforms: []string{"linux/386"}}, "platforms"},
		{Answers{Go: "1.25.3"}, "go"},
		{Answers{Go: "go1.25"}, "go"},
		{Answers{Private: []string{"a b"}}, "private"},
		{Answers{Private: []string{"x\nRUN id"}}, "private"},
	} {
		err := tc.a.Check()
		var ae *Error
		switch {
		case tc.field == "" && err != nil:
			t.Errorf("%+v: %v", tc.a, err)
		case tc.field != "" && !errors.As(err, &ae):
			t.Errorf("%+v: err %v, want an *Error for %s", tc.a, err, tc.field)
		case tc.field != "" && ae.Field != tc.field:
			t.Errorf("%+v: field %q, want %q", tc.a, ae.Field, tc.field)
		}
	}
}

func TestParse(t *testing.T) {
	for in, want := range map[string][3]string{"9000": {"", "9000", "false"}, "api=9000": {"api", "9000", "true"}, "=1": {"", "1", "true"}} {
		n, v, named := ParseNamed(in)
		if [3]string{n, v, map[bool]string{true: "true", false: "false"}[named]} != want {
			t.Errorf("ParseNamed(%q) = %q %q %v", in, n, v, named)
		}
	}
	for in, ok := range map[string]bool{"1": true, "65535": true, " 80 ": true, "0": false, "65536": false, "-1": false, "x": false, "": false} {
		if _, err := ParsePort(in); (err == nil) != ok {
			t.Errorf("ParsePort(%q): %v", in, err)
		}
	}
	for in, want := range map[string]string{"cmd/api": "./cmd/api", "./cmd/api/": "./cmd/api", ".": ".", "./": ".", "api": "api", "/cmd/api": "./cmd/api"} {
		if got := NormalizeMain(in); got != want {
			t.Errorf("NormalizeMain(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCloneIsDeep(t *testing.T) {
	a := Answers{Mains: []string{"."}, Ports: map[string]int{"a": 1}, Cgo: map[string]string{"a": CgoOff}, Platforms: []string{"linux/amd64"}}
	c := a.Clone()
	c.Mains[0], c.Ports["a"], c.Cgo["a"], c.Platforms[0] = "x", 2, CgoGlibc, "y"
	if !reflect.DeepEqual(a, Answers{Mains: []string{"."}, Ports: map[string]int{"a": 1}, Cgo: map[string]string{"a": CgoOff}, Platforms: []string{"linux/amd64"}}) {
		t.Errorf("Clone shares state: %+v", a)
	}
	if err := (Answers{Ports: map[string]int{"api": 0}}).Check(); !strings.Contains(err.Error(), "api") {
		t.Errorf("port error does not name the binary: %v", err)
	}
}
