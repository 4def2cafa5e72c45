// Package templates holds the embedded text/templates that dockgen fills,
// and loads the user's replacements for them. It sits at the end of the
// flow (plan → files): templates are dumb, they get the typed Plan from
// internal/plan and only format it. Every piece of user-controlled text
// reaches a built-in template through one of the quoting functions below,
// never raw, so no input can inject an instruction.
//
// Templates have sprig's functions, except those whose result depends on
// the clock, randomness, the machine or map order: the same plan always
// renders the same bytes, with the built-in templates or the user's.
package templates

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/template"
	"unicode/utf8"

	"github.com/Masterminds/sprig/v3"
)

//go:embed *.tmpl
var builtin embed.FS

// Names are the templates a user may replace, one per generated file kind.
var Names = []string{"Dockerfile.tmpl", "compose.yaml.tmpl", "dockerignore.tmpl", "bake.hcl.tmpl", "health.go.tmpl"}

// sprigDenied are sprig functions that are not repeatable even in sprig's
// hermetic set: the clock (ago, durationRound, toDate reads the local
// zone), randomness (shuffle, randInt, bcrypt salts, key generation, AES
// IVs), map order (keys, values) and the OS's path syntax (os*).
var sprigDenied = []string{"ago", "durationRound", "toDate", "mustToDate", "shuffle", "randInt", "keys", "values",
	"bcrypt", "htpasswd", "genPrivateKey", "genCA", "genCAWithKey", "genSelfSignedCert", "genSelfSignedCertWithKey",
	"genSignedCert", "genSignedCertWithKey", "encryptAES", "osBase", "osClean", "osDir", "osExt", "osIsAbs"}

// Funcs is the function map every template gets: the repeatable sprig
// functions plus dockgen's quoting helpers.
func Funcs() template.FuncMap {
	fm := template.FuncMap{}
	for name, fn := range sprig.HermeticTxtFuncMap() {
		if !slices.Contains(sprigDenied, name) {
			fm[name] = fn
		}
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

// Set is a set of templates: the built-in ones, some possibly replaced by
// the user's.
type Set struct {
	t *template.Template
	// Custom maps each replaced template to the file it was read from.
	Custom map[string]string
}

// Builtin is the embedded set.
func Builtin() *Set {
	return &Set{t: template.Must(newTemplate().ParseFS(builtin, "*.tmpl")), Custom: map[string]string{}}
}

func newTemplate() *template.Template {
	return template.New("").Funcs(Funcs()).Option("missingkey=error")
}

// maxTemplate bounds a user template file.
const maxTemplate = 1 << 20

// Load is the built-in set with every template found in dir (one of
// Names) replacing its built-in namesake. A missing dir is no error; a
// template that does not parse is, naming its file:line.
func Load(dir string) (*Set, error) {
	s := Builtin()
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read templates %s: %w", dir, err)
	}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".tmpl") {
			continue
		}
		file := filepath.Join(dir, e.Name())
		if !slices.Contains(Names, e.Name()) {
			return nil, fmt.Errorf("template %s: not one dockgen uses (it uses %s)", file, strings.Join(Names, ", "))
		}
		if !e.Type().IsRegular() {
			return nil, fmt.Errorf("template %s: not a regular file", file)
		}
		b, err := readLimited(file)
		if err != nil {
			return nil, err
		}
		// Parse into a fresh tree first: a syntax error then names the
		// user's file, not the built-in one.
		if _, err := newTemplate().New(e.Name()).Parse(string(b)); err != nil {
			return nil, templateError(file, e.Name(), err)
		}
		if _, err := s.t.New(e.Name()).Parse(string(b)); err != nil {
			return nil, templateError(file, e.Name(), err)
		}
		s.Custom[e.Name()] = file
	}
	return s, nil
}

func readLimited(file string) ([]byte, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, fmt.Errorf("read template %s: %w", file, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxTemplate+1))
	if err != nil {
		return nil, fmt.Errorf("read template %s: %w", file, err)
	}
	if len(b) > maxTemplate {
		return nil, fmt.Errorf("read template %s: larger than %d bytes", file, maxTemplate)
	}
	return b, nil
}

// templateError rewrites text/template's "template: NAME:LINE: msg" so it
// names the user's file: "FILE:LINE: msg".
func templateError(file, name string, err error) error {
	msg := strings.TrimPrefix(err.Error(), "template: ")
	msg = strings.TrimPrefix(msg, name+":")
	return fmt.Errorf("template %s:%s", file, msg)
}

// Render executes the named template (e.g. "Dockerfile.tmpl") with data.
func (s *Set) Render(name string, data any) ([]byte, error) {
	var buf bytes.Buffer
	if err := s.t.ExecuteTemplate(&buf, name, data); err != nil {
		if file, ok := s.Custom[name]; ok {
			return nil, templateError(file, name, err)
		}
		return nil, fmt.Errorf("render %s: %w", name, err)
	}
	return buf.Bytes(), nil
}

// Source returns a built-in template's text (for `dockgen templates export`).
func Source(name string) ([]byte, error) { return builtin.ReadFile(name) }

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
