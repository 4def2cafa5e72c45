package cli

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/dockgen/dockgen/internal/answers"
)

// TestInitFlags table-tests init's flag handling through the runF seam:
// what answers the flags become, and that every bad value is a usage error
// (exit 2) found before anything is read — the seam is never reached.
func TestInitFlags(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want answers.Answers // when the seam is reached
		code int
		err  string // substring of stderr
	}{
		{name: "defaults", args: []string{"--yes"}, want: answers.Answers{}},
		{name: "main normalized", args: []string{"--yes", "--main", "cmd/api/", "--main", "./cmd/my_worker"},
			want: answers.Answers{Mains: []string{"./cmd/api", "./cmd/my_worker"}}},
		{name: "plain port", args: []string{"--yes", "--port", "9000"}, want: answers.Answers{Ports: map[string]int{"": 9000}}},
		{name: "named port", args: []string{"--yes", "--port", "my_worker=9001"}, want: answers.Answers{Ports: map[string]int{"my_worker": 9001}}},
		{name: "base and debug", args: []string{"--yes", "--base", "debian", "--debug"}, want: answers.Answers{Base: "debian", Debug: true}},
		{name: "cgo, platform, go, private", args: []string{"--yes", "--cgo", "db=static", "--platform", "linux/arm64", "--go", "1.25", "--private", "example.com/*"},
			want: answers.Answers{Cgo: map[string]string{"db": "static"}, Platforms: []string{"linux/arm64"}, Go: "1.25", Private: []string{"example.com/*"}}},
		{name: "port not a number", args: []string{"--yes", "--port", "abc"}, code: 2, err: "--port abc"},
		{name: "port zero", args: []string{"--yes", "--port", "0"}, code: 2, err: "out of range"},
		{name: "port too big", args: []string{"--yes", "--port", "api=70000"}, code: 2, err: "out of range"},
		{name: "named port not a number", args: []string{"--yes", "--port", "nope=x"}, code: 2, err: "not a number"},
		{name: "unknown base", args: []string{"--yes", "--base", "ubuntu"}, code: 2, err: `unknown base "ubuntu"`},
		{name: "bad cgo mode", args: []string{"--yes", "--cgo", "db=maybe"}, code: 2, err: "off, glibc, static"},
		{name: "cgo without name", args: []string{"--yes", "--cgo", "static"}, code: 2, err: "NAME=off|glibc|static"},
		{name: "bad platform", args: []string{"--yes", "--platform", "windows/386"}, code: 2, err: "platform"},
		{name: "bad go", args: []string{"--yes", "--go", "latest"}, code: 2, err: "MAJOR.MINOR"},
		{name: "bad private", args: []string{"--yes", "--private", "a b"}, code: 2, err: "module path glob"},
		{name: "unknown flag", args: []string{"--yes", "--nope"}, code: 2, err: "unknown flag"},
		{name: "two dirs", args: []string{"--yes", "a", "b"}, code: 2, err: "at most one directory"},
		{name: "no terminal", args: nil, code: 2, err: "pass --yes"},
		{name: "diff and dry-run", args: []string{"--yes", "--diff", "--dry-run"}, code: 2, err: "choose one"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got *initOptions
			var stderr bytes.Buffer
			io := &streams{in: strings.NewReader(""), out: &bytes.Buffer{}, err: &stderr}
			code := run(context.Background(), append([]string{"init"}, tc.args...), io, &seams{init: func(o *initOptions) error {
				got = o
				return nil
			}})
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tc.code, stderr.String())
			}
			if tc.code != 0 {
				if got != nil {
					t.Error("the command ran despite a usage error")
				}
				if !strings.Contains(stderr.String(), tc.err) {
					t.Errorf("stderr %q, want %q", stderr.String(), tc.err)
				}
				return
			}
			if !reflect.DeepEqual(got.answers, tc.want) {
				t.Errorf("answers %+v, want %+v", got.answers, tc.want)
			}
		})
	}
}

func TestRegenerateFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want outputOptions
	}{
		{args: nil, want: outputOptions{}},
		{args: []string{"--check"}, want: outputOptions{check: true}},
		{args: []string{"--diff", "--force", "--templates", "t"}, want: outputOptions{diff: true, force: true, templates: "t"}},
		{args: []string{"--check", "--diff"}, code: 2},
		{args: []string{"a", "b"}, code: 2},
	} {
		var got *regenerateOptions
		io := &streams{in: strings.NewReader(""), out: &bytes.Buffer{}, err: &bytes.Buffer{}}
		code := run(context.Background(), append([]string{"regenerate"}, tc.args...), io, &seams{regenerate: func(o *regenerateOptions) error {
			got = o
			return nil
		}})
		if code != tc.code {
			t.Errorf("%v: exit %d, want %d", tc.args, code, tc.code)
			continue
		}
		if code == 0 && got.out != tc.want {
			t.Errorf("%v: options %+v, want %+v", tc.args, got.out, tc.want)
		}
	}
}

// TestUnknownCommandIsUsage: an unknown command or an extra argument is a
// usage error (exit 2), like a bad flag.
func TestUnknownCommandIsUsage(t *testing.T) {
	for _, args := range [][]string{{"nope"}, {"version", "extra"}, {"analyze", "a", "b"}, {"templates", "nope"}} {
		var stderr bytes.Buffer
		io := &streams{in: strings.NewReader(""), out: &bytes.Buffer{}, err: &stderr}
		if code := run(context.Background(), args, io, nil); code != 2 {
			t.Errorf("%v: exit %d, want 2; stderr %q", args, code, stderr.String())
		}
	}
}

func TestSafe(t *testing.T) {
	for in, want := range map[string]string{
		"plain":            "plain",
		"a\x1b[31mred":     `a\x1b[31mred`,
		"bell\x07":         `bell\x07`,
		"c1\u009b":         `c1\x9b`,
		"two\nlines\ttab":  "two\nlines\ttab",
		"ünïcode ok":       "ünïcode ok",
		"del\x7f":          `del\x7f`,
		"\x1b]0;title\x07": `\x1b]0;title\x07`,
	} {
		if got := safe(in); got != want {
			t.Errorf("safe(%q) = %q, want %q", in, got, want)
		}
	}
	if got := safeLine("a\nb"); got != `a\nb` {
		t.Errorf("safeLine = %q", got)
	}
}
