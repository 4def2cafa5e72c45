package templates

import (
	"encoding/json"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestQuoting(t *testing.T) {
	for _, tc := range []struct {
		fn       func(string) string
		in, want string
	}{
		{DockerfileQuote, `plain`, `"plain"`},
		{DockerfileQuote, `a "b" \c $HOME`, `"a \"b\" \\c \$HOME"`},
		{DockerfileQuote, "x\nRUN rm -rf /", `"x RUN rm -rf /"`},
		{ShellQuote, "./cmd/api", "./cmd/api"},
		{ShellQuote, "", "''"},
		{ShellQuote, "a b", "'a b'"},
		{ShellQuote, "it's", `'it'\''s'`},
		{ShellQuote, "$(id)", "'$(id)'"},
		{ShellQuote, "x\nrm -rf /", "'x rm -rf /'"},
		{YAMLQuote, "a: b", `"a: b"`},
		{YAMLQuote, "x\n- item", `"x - item"`},
		{OneLine, "a\u2028b\u0085c\u0080d\x00e\x7f", "a b c d e "},
		{OneLine, "bad\xffutf8", "bad utf8"},
	} {
		if got := tc.fn(tc.in); got != tc.want {
			t.Errorf("%q → %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := JSONArray("/app", "-healthcheck"); got != `["/app","-healthcheck"]` {
		t.Errorf("JSONArray = %s", got)
	}
}

// FuzzYAMLQuote: any input is one YAML scalar that decodes to the input
// with its line breaks and controls folded, never a key or a list.
func FuzzYAMLQuote(f *testing.F) {
	for _, s := range []string{"", "a: b", "- x", "x\ny: z", "\"", "\\", "#", "\u2028", "\x85", "\x80", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var doc map[string]any
		if err := yaml.Unmarshal([]byte("k: "+YAMLQuote(s)+"\n"), &doc); err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		if len(doc) != 1 || doc["k"] != OneLine(s) {
			t.Fatalf("%q decodes to %#v, want %q", s, doc, OneLine(s))
		}
	})
}

// FuzzJSONArray: exec-form arrays stay valid JSON on one line.
func FuzzJSONArray(f *testing.F) {
	f.Add("/app", "-healthcheck")
	f.Add("x\ny", "\"]")
	f.Fuzz(func(t *testing.T, a, b string) {
		out := JSONArray(a, b)
		var got []string
		if err := json.Unmarshal([]byte(out), &got); err != nil || len(got) != 2 || strings.ContainsAny(out, "\n\r") {
			t.Fatalf("%q: %v %v", out, got, err)
		}
	})
}
