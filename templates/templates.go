// Package templates holds the embedded text/templates that dockgen fills.
// It sits at the end of the flow (plan → files): templates are dumb, they get
// typed view structs from internal/plan and only format them. Every piece of
// user-controlled text reaches a template through one of the quoting
// functions below, never raw, so no input can inject an instruction.
package templates

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"text/template"
	"unicode/utf8"

	"github.com/Masterminds/sprig/v3"
)

//go:embed *.tmpl
var files embed.FS

// sprigAllowed are the sprig functions templates may use: deterministic,
// no clock, no randomness, no environment.
var sprigAllowed = []string{"join", "upper", "lower", "trimSuffix", "trimPrefix", "indent", "nindent", "default", "has", "list", "empty", "add"}

var parsed = template.Must(template.New("").Funcs(funcs()).Option("missingkey=error").ParseFS(files, "*.tmpl"))

func funcs() template.FuncMap {
	hermetic := sprig.HermeticTxtFuncMap()
	fm := template.FuncMap{}
	for _, name := range sprigAllowed {
		fn, ok := hermetic[name]
		if !ok {
			panic("templates: sprig has no function " + name)
		}
		fm[name] = fn
	}
	fm["dq"] = DockerfileQuote
	fm["line"] = OneLine
	fm["json"] = JSONArray
	fm["jsonList"] = func(args []string) string { return JSONArray(args...) }
	fm["sq"] = ShellQuote
	fm["yq"] = YAMLQuote
	fm["gq"] = strconv.Quote
	return fm
}

// Render executes the named template (e.g. "Dockerfile.tmpl") with view.
func Render(name string, view any) ([]byte, error) {
	var buf bytes.Buffer
	if err := parsed.ExecuteTemplate(&buf, name, view); err != nil {
		return nil, fmt.Errorf("render %s: %w", name, err)
	}
	return buf.Bytes(), nil
}

// Names lists the embedded templates, sorted.
func Names() []string {
	var out []string
	for _, t := range parsed.Templates() {
		if strings.HasSuffix(t.Name(), ".tmpl") {
			out = append(out, t.Name())
		}
	}
	slices.Sort(out)
	return out
}

// OneLine folds every line break and control character (C0, DEL, C1, the
// Unicode separators, invalid UTF-8) into a space: a Dockerfile or YAML value
// must never start a new instruction or key, and YAML forbids raw controls.
func OneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r >= 0x7f && r <= 0x9f || r == '\u2028' || r == '\u2029' || r == utf8.RuneError {
			return ' '
		}
		return r
	}, s)
}

// DockerfileQuote makes s one double-quoted Dockerfile word for LABEL and
// ENV: quotes and backslashes escaped, `$` escaped so the builder does not
// expand it, and no line breaks.
func DockerfileQuote(s string) string {
	s = OneLine(s)
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, `$`, `\$`)
	return `"` + r.Replace(s) + `"`
}

// JSONArray renders an exec-form argument list (ENTRYPOINT, CMD,
// HEALTHCHECK): a JSON array the Dockerfile parser reads as-is. Line breaks
// are folded because the parser reads one logical line.
func JSONArray(args ...string) string {
	clean := make([]string, len(args))
	for i, a := range args {
		clean[i] = OneLine(a)
	}
	b, err := json.Marshal(clean)
	if err != nil {
		panic(err) // strings always marshal
	}
	return string(b)
}

// ShellQuote quotes s for a POSIX shell in RUN: single quotes, with embedded
// single quotes closed and escaped. Line breaks are folded.
func ShellQuote(s string) string {
	s = OneLine(s)
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=,+@", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// YAMLQuote makes s a double-quoted YAML scalar. JSON strings are valid YAML
// double-quoted scalars; the folded line breaks keep each value on one line.
func YAMLQuote(s string) string {
	b, err := json.Marshal(OneLine(s))
	if err != nil {
		panic(err)
	}
	return string(b)
}
