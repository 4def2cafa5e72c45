package plan_test

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	dfparser "github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
	"go.yaml.in/yaml/v3"

	"github.com/dockgen/dockgen/internal/analysis"
	"github.com/dockgen/dockgen/internal/answers"
	"github.com/dockgen/dockgen/internal/lint"
	"github.com/dockgen/dockgen/internal/plan"
)

// fuzzInput is every user-controlled string that reaches a template, plus
// the switches that decide the shape of the output.
type fuzzInput struct {
	Module, Dir, Name            string
	EnvName, EnvDefault          string
	EnvSecret, EnvHasDefault     bool
	PortEnv                      string
	EnvIsAddr                    bool
	HealthPath, CgoReason, Embed string
	Private, VersionVar          string
	Cgo                          bool
	Base                         uint8
}

// The fixed second main: a CLI beside the fuzzed service.
const fixedDir, fixedName = "./cmd/fixed-cli", "fixedcli"

func (in fuzzInput) facts() *analysis.Facts {
	m := analysis.Main{
		Dir: in.Dir, Name: in.Name, LongRunning: true, DefaultMux: true,
		HealthPath: in.HealthPath, VersionVar: in.VersionVar,
		Listeners: []analysis.Listener{{Addr: ":8080", Port: 8080, PortEnv: in.PortEnv, EnvIsAddr: in.EnvIsAddr, Source: "main.go:9"}},
		Env:       []analysis.EnvVar{{Name: in.EnvName, Default: in.EnvDefault, HasDefault: in.EnvHasDefault, Secret: in.EnvSecret, Source: "main.go:7"}},
		Needs:     []string{"ca-certificates", "tzdata", "passwd"},
	}
	if in.Cgo {
		m.Cgo, m.CgoReason, m.CgoSource = true, in.CgoReason, "main.go:3"
	}
	f := &analysis.Facts{
		Dir: ".", Module: in.Module, Go: "1.25.0", HasGoSum: true, Cgo: in.Cgo,
		Mains:    []analysis.Main{m, {Dir: fixedDir, Name: fixedName}},
		Embed:    []string{in.Embed},
		Services: []string{"postgres"},
	}
	return f
}

func (in fuzzInput) answers() answers.Answers {
	a := answers.Answers{Mains: []string{in.Dir, fixedDir}, Base: plan.BaseNames()[int(in.Base)%len(plan.Bases)]}
	if in.Private != "" {
		a.Private = []string{in.Private}
	}
	return a
}

// validEnvName mirrors what compose can interpolate (plan.envName).
func validEnvName(s string) bool {
	for i, r := range s {
		if !(r == '_' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return s != ""
}

// expected is the input as the output should reflect it: a port env var
// the image cannot set safely is not pinned, and an embed pattern that is
// no valid .dockerignore line is left out.
func (in fuzzInput) expected() fuzzInput {
	if !validEnvName(in.PortEnv) || secretName.MatchString(in.PortEnv) {
		in.PortEnv = ""
	}
	if !validIgnoreLine("!" + fold(strings.TrimPrefix(in.Embed, "all:"))) {
		in.Embed = ""
	}
	return in
}

// baseline is the benign input with the same shape: every string replaced
// by a harmless one of the same class (empty stays empty, valid env name
// stays valid, equal names stay equal).
func (in fuzzInput) baseline() fuzzInput {
	b := in
	b.Base = in.Base % uint8(len(plan.Bases)) // same base, fewer cached baselines
	b.Module, b.Dir, b.Name = "example.com/benign", "./cmd/benign", "benign"
	b.EnvDefault, b.CgoReason, b.Embed = "benign default", "benign reason", "benign"
	if strings.ContainsAny(fold(strings.TrimPrefix(in.Embed, "all:")), "*?[") {
		b.Embed = "benign*" // a glob: re-included by one line, not two
	}
	switch {
	case validEnvName(in.PortEnv) && !secretName.MatchString(in.PortEnv):
		b.PortEnv = "BENIGN_PORT"
	case in.PortEnv != "":
		b.PortEnv = "benign-not-pinnable" // the image must not set it
	}
	if !validIgnoreLine("!" + fold(strings.TrimPrefix(in.Embed, "all:"))) {
		b.Embed = "" // dropped from .dockerignore, like an invalid one
	}
	switch {
	case in.EnvName == in.PortEnv:
		b.EnvName = b.PortEnv
	case validEnvName(in.EnvName):
		b.EnvName = "BENIGN_VAR"
	default:
		b.EnvName = "benign-not-interpolable"
	}
	if in.HealthPath != "" {
		b.HealthPath = "/benign"
	}
	if in.Private != "" {
		b.Private = "example.com/private/*"
	}
	if validEnvName(in.VersionVar) {
		b.VersionVar = "benignVersion"
	} else {
		b.VersionVar = ""
	}
	if strings.EqualFold(in.Name, fixedName) {
		b.Name = fixedName // same stage-name collision as the input
	}
	return b
}

// fold is the templates' line(): line breaks and control characters become
// spaces.
func fold(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r >= 0x7f && r <= 0x9f || r == '\u2028' || r == '\u2029' || r == utf8.RuneError {
			return ' '
		}
		return r
	}, s)
}

var dockerfileKeywords = []string{"ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL", "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR"}

func FuzzBuildNoInjection(f *testing.F) {
	benign := fuzzInput{
		Module: "example.com/app", Dir: "./cmd/api", Name: "api",
		EnvName: "GREETING", EnvDefault: "hello", EnvHasDefault: true,
		PortEnv: "PORT", HealthPath: "/healthz", CgoReason: "sqlite", Embed: "static",
		Private: "example.com/private/*", VersionVar: "version",
	}
	add := func(in fuzzInput) {
		f.Add(in.Module, in.Dir, in.Name, in.EnvName, in.EnvDefault, in.EnvSecret, in.EnvHasDefault,
			in.PortEnv, in.EnvIsAddr, in.HealthPath, in.CgoReason, in.Embed, in.Private, in.VersionVar, in.Cgo, in.Base)
	}
	add(benign)
	nasty := []string{
		"\nRUN rm -rf /", "x\nRUN rm -rf /", "x\r\nRUN rm -rf /", "x\rRUN y", `"`, `\`, `x\`, `\"`, "$HOME", "${X}", "$$", "}",
		"x}y", "${X:-}}", "'", "x'y", "`id`", "$(id)", ": ", "a: b", "#", "# c", "- item", "x\n- item", "\u2028RUN x", "x\u0085FROM y",
		"\u2029", "\x00", "a\x00b", "\t", " ", "", "*", "!", "all:", "all:x\ny", "%s", "{{.Module}}", "\xff\xfe", "é", "\\\nRUN x",
		"x \\", "x \\\nRUN y", "[\"a\"]", "--mount=type=bind,target=/", "&& rm -rf /", "; rm -rf /", "| cat", "\"; rm -rf / #",
		"A B", "A=B", "=", "COMPOSE_PROJECT_NAME", "POSTGRES_PASSWORD", "PORT", "api", "build", "fixedcli",
		"\u0080", "a\u009bb", "x{y", "{x}", "\ufeff", "\x7f", "API_TOKEN", "X=1\nRUN touch /pwned #",
		strings.Repeat("a", 70000), strings.Repeat("x\n", 50),
	}
	sharpest := []string{"x\nRUN rm -rf /", "x \\\nRUN y", `"`, `\`, "}", "\u2028RUN x", "\x00", "A B", "\u0080"}
	for i, s := range nasty {
		in := benign
		switch i % 3 {
		case 0:
			in.EnvSecret = true
		case 1:
			in.EnvIsAddr, in.Cgo, in.Base = true, true, 3
		case 2:
			in.EnvHasDefault, in.Base = false, 1
		}
		// Every field at once, and one field alone (rotating); the sharpest
		// strings go into every field alone too. About 200 seeds: the
		// seed run stays around a second.
		all := in
		fields := all.strings()
		for field, p := range fields {
			*p = s
			if field == i%len(fields) || slices.Contains(sharpest, s) {
				one := in
				*one.strings()[field] = s
				add(one)
			}
		}
		add(all)
	}
	f.Fuzz(func(t *testing.T, module, dir, name, envName, envDefault string, envSecret, envHasDefault bool,
		portEnv string, envIsAddr bool, healthPath, cgoReason, embed, private, versionVar string, cgo bool, base uint8) {
		in := fuzzInput{module, dir, name, envName, envDefault, envSecret, envHasDefault, portEnv, envIsAddr,
			healthPath, cgoReason, embed, private, versionVar, cgo, base}
		checkNoInjection(t, in)
	})
}

// strings points at every fuzzed string field.
func (in *fuzzInput) strings() []*string {
	return []*string{&in.Module, &in.Dir, &in.Name, &in.EnvName, &in.EnvDefault, &in.PortEnv, &in.HealthPath, &in.CgoReason, &in.Embed, &in.Private, &in.VersionVar}
}

// secretName is BuildKit's SecretsUsedInArgOrEnv test, minus its allow list.
var secretName = regexp.MustCompile(`(?i)(?:_|^)(?:apikey|auth|credentials?|key|password|pword|passwd|secret|token)(?:_|$)`)

// validIgnoreLine reports whether BuildKit accepts line in a .dockerignore.
func validIgnoreLine(line string) bool {
	ps, err := ignorefile.ReadAll(strings.NewReader(line))
	if err != nil {
		return false
	}
	_, err = patternmatcher.New(ps)
	return err == nil
}

func checkNoInjection(t *testing.T, in fuzzInput) {
	checkInput(t, in)
}

func checkInput(t *testing.T, in fuzzInput) {
	if in.Dir == fixedDir {
		t.Skip("the fuzzed main would be the fixed one")
	}
	got, err := makeRender(in.facts(), in.answers())
	if err != nil {
		t.Skip(err) // refused inputs cannot inject anything
	}
	in = in.expected()
	base := baselineFor(t, in.baseline())
	gf, wf := index(got), base.files
	if len(gf) != len(wf) {
		t.Fatalf("files %v, baseline %v", keys(gf), keys(wf))
	}

	// (a)+(b) Dockerfile.
	gd, wd := parseDockerfile(t, gf["Dockerfile"]), parseDockerfile(t, wf["Dockerfile"])
	if g, w := gd.keywords(), wd.keywords(); !slices.Equal(g, w) {
		t.Fatalf("instruction sequence changed:\n got %v\nwant %v\n%s", g, w, gf["Dockerfile"])
	}
	for i, n := range gd.ast.Children {
		if g, w := instrShape(t, n), instrShape(t, wd.ast.Children[i]); g != w {
			t.Errorf("line %d: %s has shape %s, baseline %s:\n%s", n.StartLine, n.Value, g, w, n.Original)
		}
	}
	checkLineStarts(t, gf["Dockerfile"], gd)
	checkDockerfileValues(t, in, gd)

	// BuildKit's full build checks find nothing the baseline does not.
	{
		checkLintLikeBaseline(t, gf, base.rules)
	}

	// (c) compose.yaml.
	if c, ok := gf["compose.yaml"]; ok {
		if g, w := yamlShape(t, c), yamlShape(t, wf["compose.yaml"]); g != w {
			t.Fatalf("compose.yaml structure changed:\n got %s\nwant %s\n%s", g, w, c)
		}
		checkComposeValues(t, in, gd, c)
	} else if _, ok := wf["compose.yaml"]; ok {
		t.Fatalf("no compose.yaml")
	}

	// (d) .dockerignore: one line per pattern, the embed pattern intact.
	if g, w := patternLines(gf[".dockerignore"]), patternLines(wf[".dockerignore"]); len(g) != len(w) {
		t.Errorf(".dockerignore has %d patterns, baseline %d:\n%s", len(g), len(w), gf[".dockerignore"])
	} else if in.Embed != "" {
		// The embed comes back as "!p", and for a directory also "!p/**"
		// (BuildKit's walk needs both), last in the file.
		p := fold(strings.TrimPrefix(in.Embed, "all:"))
		want := []string{"!" + p}
		if !strings.ContainsAny(p, "*?[") {
			want = append(want, "!"+strings.TrimSuffix(p, "/")+"/**")
		}
		if got := g[len(g)-len(want):]; !slices.Equal(got, want) {
			t.Errorf(".dockerignore embed lines %q, want %q", got, want)
		}
	}

	// (e) the health probe parses, is gofmt'ed, and probes what it should.
	for p, b := range gf {
		if path.Base(p) != plan.HealthFile {
			continue
		}
		checkHealthFile(t, p, b)
		checkProbeLiterals(t, in, b)
	}
	if countHealth(gf) != countHealth(wf) {
		t.Errorf("%d health files, baseline %d", countHealth(gf), countHealth(wf))
	}
}

// TestKnownInjectionBugs keeps one concrete input per bug the fuzzer found,
// so none comes back.
func TestKnownInjectionBugs(t *testing.T) {
	benign := fuzzInput{
		Module: "example.com/app", Dir: "./cmd/api", Name: "api",
		EnvName: "GREETING", EnvDefault: "hello", EnvHasDefault: true,
		PortEnv: "PORT", HealthPath: "/healthz", CgoReason: "sqlite", Embed: "static", VersionVar: "version",
	}
	with := func(f func(*fuzzInput)) fuzzInput {
		in := benign
		f(&in)
		return in
	}
	for _, tc := range []struct {
		name, bug string
		in        fuzzInput
	}{
		{"portenv-injects-RUN", "Listener.PortEnv is written raw as the ENV key (Dockerfile.tmpl `ENV {{.Name}}={{dq .Value}}`, from views.go bv.Env) and as a compose key without the envName check: PortEnv \"X=1\\nRUN touch /pwned #\" adds a RUN to the image. Fix: in spec.decidePort take l.PortEnv only when envName(l.PortEnv), else note it and pin nothing",
			with(func(in *fuzzInput) { in.PortEnv = "X=1\nRUN touch /pwned #" })},
		{"portenv-legacy-env", "PortEnv \"A B\" renders `ENV A B=\"8080\"`: legacy ENV A=`B=\"8080\"`. Same fix as portenv-injects-RUN",
			with(func(in *fuzzInput) { in.PortEnv = "A B" })},
		{"secret-like-portenv", "PortEnv API_TOKEN becomes `ENV API_TOKEN=\"8080\"`, which BuildKit flags SecretsUsedInArgOrEnv (design: zero warnings). Low: skip the ENV pin for such names, or accept",
			with(func(in *fuzzInput) { in.PortEnv = "API_TOKEN" })},
		{"module-newline-dockerfile", "Facts.Module is written raw into the header comment of Dockerfile.tmpl: module \"example.com/x\\nARG INJECTED=1\" adds an ARG. Fix: {{line .Module}} in Dockerfile.tmpl and compose.yaml.tmpl",
			with(func(in *fuzzInput) { in.Module = "example.com/x\nARG INJECTED=1" })},
		{"module-cr-compose", "compose.yaml.tmpl's header comment has the raw module: \\r, U+2028, U+0085, NUL or invalid UTF-8 there make the file invalid YAML. Same fix ({{line .Module}}, plus the c1 fix)",
			with(func(in *fuzzInput) { in.Module = "example.com/x\rservices: {}" })},
		{"brace-in-default", "a `}` in a non-secret env default ends compose's ${NAME:-default} early: default \"a}b\" gives `${GREETING:-a}b}`, which compose resolves to \"ab}\". compose has no escape for `}`; fix in compose.go composeEnvValue: when the default has a `}`, write the literal (escapeDollar(def)) instead of an interpolation",
			with(func(in *fuzzInput) { in.EnvDefault = "a}b" })},
		{"c1-control-in-yaml", "C1 control characters (U+0080-U+009F but U+0085) pass yq() (json.Marshal leaves them raw) and YAML forbids them: compose.yaml does not parse. Fix in templates.YAMLQuote: escape them as \\u00XX (or fold them in oneLine)",
			with(func(in *fuzzInput) { in.EnvDefault = "a\u0080b" })},
		{"empty-embed-pattern", "an embed pattern \"all:\" (or \"\") becomes the .dockerignore line \"!\", and \"x\\\\\" an invalid pattern: BuildKit refuses the build context (\"illegal exclusion pattern\", \"syntax error in pattern\"). Low (go:embed rejects those too): drop or note patterns that patternmatcher cannot compile",
			with(func(in *fuzzInput) { in.Embed = "all:" })},
		{"over-long-value", "no length limit: a 70 000-byte Dir makes a Dockerfile line over BuildKit's 64 KiB line limit (\"dockerfile line greater than max allowed size of 65535\"); an env name over 1 KiB cannot be a YAML implicit key. Low: refuse absurd values (say > 4 KiB) in plan.Build or answers.Validate",
			with(func(in *fuzzInput) { in.Dir = strings.Repeat("a", 70000) })},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkInput(t, tc.in)
		})
	}
}

// baseline is a benign input's output, built once per shape: the fuzzer
// meets the same few shapes over and over.
type baseline struct {
	files map[string][]byte
	rules []string // build-check rule names, sorted
}

var baselines sync.Map // fuzzInput → *baseline

func baselineFor(t *testing.T, in fuzzInput) *baseline {
	if b, ok := baselines.Load(in); ok {
		return b.(*baseline)
	}
	files, err := makeRender(in.facts(), in.answers())
	if err != nil {
		t.Fatalf("baseline: %v", err)
	}
	b := &baseline{files: index(files)}
	ws, err := lint.Dockerfile(b.files["Dockerfile"], b.files[".dockerignore"])
	if err != nil {
		t.Fatalf("baseline: BuildKit refuses the Dockerfile: %v", err)
	}
	b.rules = ruleNames(ws)
	baselines.Store(in, b)
	return b
}

func ruleNames(ws []lint.Warning) []string {
	var out []string
	for _, w := range ws {
		out = append(out, w.RuleName)
	}
	slices.Sort(out)
	return out
}

func checkLintLikeBaseline(t *testing.T, got map[string][]byte, want []string) {
	ws, err := lint.Dockerfile(got["Dockerfile"], got[".dockerignore"])
	if err != nil {
		t.Fatalf("BuildKit refuses the Dockerfile: %v\n%s", err, got["Dockerfile"])
	}
	if g := ruleNames(ws); !slices.Equal(g, want) {
		t.Errorf("build checks %v, baseline %v: %v", g, want, ws)
	}
}

func index(files []plan.File) map[string][]byte {
	out := map[string][]byte{}
	for _, f := range files {
		out[f.Path] = f.Content
	}
	return out
}

func countHealth(files map[string][]byte) int {
	n := 0
	for p := range files {
		if path.Base(p) == plan.HealthFile {
			n++
		}
	}
	return n
}

// instrShape is what must not change with the input: flags (names and, for
// --mount, the option keys), the number of key=value pairs of ENV, LABEL
// and ARG, the exec-form length, heredocs.
func instrShape(t *testing.T, n *dfparser.Node) string {
	var flags []string
	for _, f := range n.Flags {
		name, v, _ := strings.Cut(f, "=")
		if name == "--mount" {
			var ks []string
			for _, kv := range strings.Split(v, ",") {
				k, _, _ := strings.Cut(kv, "=")
				ks = append(ks, k)
			}
			name += "(" + strings.Join(ks, ",") + ")"
		}
		flags = append(flags, name)
	}
	args := 0
	for a := n.Next; a != nil; a = a.Next {
		args++
	}
	shape := fmt.Sprintf("%s%v args=%d json=%v heredocs=%d", strings.ToUpper(n.Value), flags, args, n.Attributes["json"], len(n.Heredocs))
	v, err := instructions.ParseInstruction(n)
	if err != nil {
		t.Fatalf("line %d: %v", n.StartLine, err)
	}
	switch c := v.(type) {
	case *instructions.EnvCommand:
		shape += fmt.Sprintf(" pairs=%d", len(c.Env))
	case *instructions.LabelCommand:
		shape += fmt.Sprintf(" pairs=%d", len(c.Labels))
	case *instructions.ArgCommand:
		shape += fmt.Sprintf(" pairs=%d", len(c.Args))
	case *instructions.EntrypointCommand:
		shape += fmt.Sprintf(" exec=%v/%d", !c.PrependShell, len(c.CmdLine))
	case *instructions.HealthCheckCommand:
		shape += fmt.Sprintf(" test=%q", c.Health.Test)
	case *instructions.RunCommand:
		shape += fmt.Sprintf(" shell=%v/%d", c.PrependShell, len(c.CmdLine))
	}
	return shape
}

// checkLineStarts: every physical line that starts with an instruction
// keyword starts an instruction, and exec-form arrays are JSON.
func checkLineStarts(t *testing.T, b []byte, d *dockerfile) {
	starts := map[int]bool{}
	for _, n := range d.ast.Children {
		starts[n.StartLine] = true
	}
	for i, l := range strings.Split(string(b), "\n") {
		l = strings.TrimLeft(l, " \t")
		if strings.HasPrefix(l, "#") {
			continue
		}
		word, _, _ := strings.Cut(l, " ")
		if slices.Contains(dockerfileKeywords, strings.ToUpper(word)) && !starts[i+1] {
			t.Errorf("line %d starts with %s inside another instruction: %q", i+1, word, l)
		}
	}
	for _, n := range d.ast.Children {
		var arr string
		switch strings.ToUpper(n.Value) {
		case "ENTRYPOINT", "CMD":
			arr = strings.TrimSpace(n.Original[len(n.Value):])
		case "HEALTHCHECK":
			_, arr, _ = strings.Cut(n.Original, " CMD ")
		default:
			continue
		}
		var v []string
		if err := json.Unmarshal([]byte(arr), &v); err != nil {
			t.Errorf("line %d: exec form is not a JSON array (%v): %s", n.StartLine, err, n.Original)
		}
	}
}

// lexValue is what BuildKit makes of an ENV or LABEL value.
func lexValue(t *testing.T, v string) string {
	out, _, err := shell.NewLex('\\').ProcessWord(v, shell.EnvsFromSlice(nil))
	if err != nil {
		t.Fatalf("BuildKit cannot expand %q: %v", v, err)
	}
	return out
}

// checkDockerfileValues: ENV and LABEL keys are exactly the intended ones and
// their values round-trip through BuildKit's word processing.
func checkDockerfileValues(t *testing.T, in fuzzInput, d *dockerfile) {
	build := d.stages[0]
	wantBuildEnv := map[string]string{}
	if in.Private != "" {
		wantBuildEnv["GOPRIVATE"] = fold(in.Private)
	}
	checkEnv(t, build, wantBuildEnv)
	svc := d.stages[len(d.stages)-1] // the fuzzed main is the long-running one
	wantEnv := map[string]string{}
	if in.PortEnv != "" {
		wantEnv[in.PortEnv] = "8080"
		if in.EnvIsAddr {
			wantEnv[in.PortEnv] = ":8080"
		}
	}
	checkEnv(t, svc, wantEnv)
	for _, l := range of[*instructions.LabelCommand](svc) {
		for _, kv := range l.Labels {
			if kv.Key == "org.opencontainers.image.description" {
				want := fold(path.Join(in.Module, in.Dir) + " built by dockgen")
				if got := lexValue(t, kv.Value); got != want {
					t.Errorf("LABEL description = %q, want %q", got, want)
				}
			}
		}
	}
	// The go build names the fuzzed package as one shell word.
	runs := of[*instructions.RunCommand](build)
	for _, r := range runs {
		s := r.CmdLine[0]
		if !strings.Contains(s, "go build") || !strings.Contains(s, "/out/"+svc.Name+" ") {
			continue
		}
		words, err := shell.NewLex('\\').ProcessWords(s[strings.Index(s, "-o /out/"):], shell.EnvsFromSlice(nil))
		want := fold(in.Dir)
		if want != "." && !strings.HasPrefix(want, "./") {
			want = "./" + want // a directory, never an import path
		}
		if err != nil || len(words) != 3 || words[2] != want {
			t.Errorf("go build package words %q (%v), want [-o /out/%s %q]", words, err, svc.Name, want)
		}
	}
}

func checkEnv(t *testing.T, s *dfStage, want map[string]string) {
	got := map[string]string{}
	for _, e := range of[*instructions.EnvCommand](s) {
		for _, kv := range e.Env {
			if kv.NoDelim {
				t.Errorf("legacy ENV %q %q", kv.Key, kv.Value)
			}
			got[kv.Key] = lexValue(t, kv.Value)
		}
	}
	if len(got) != len(want) {
		t.Errorf("stage %s ENV %q, want %q", s.Name, got, want)
		return
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("stage %s ENV %q=%q, want %q", s.Name, k, got[k], v)
		}
	}
}

// yamlShape is the key structure: top-level keys, each service's keys (by
// position, since service names follow the fuzzed name), the number of
// environment entries.
func yamlShape(t *testing.T, b []byte) string {
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("compose.yaml is not YAML: %v\n%s", err, b)
	}
	if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		t.Fatalf("compose.yaml is not one mapping:\n%s", b)
	}
	var sb strings.Builder
	top := doc.Content[0]
	for i := 0; i < len(top.Content); i += 2 {
		k, v := top.Content[i], top.Content[i+1]
		fmt.Fprintf(&sb, "%s:", k.Value)
		if k.Value != "services" {
			fmt.Fprintf(&sb, "%d ", len(v.Content))
			continue
		}
		for j := 0; j < len(v.Content); j += 2 {
			svc := v.Content[j+1]
			sb.WriteString(" [")
			for k := 0; k < len(svc.Content); k += 2 {
				fmt.Fprintf(&sb, "%s", svc.Content[k].Value)
				if svc.Content[k].Value == "environment" {
					fmt.Fprintf(&sb, "(%d)", len(svc.Content[k+1].Content)/2)
				}
				sb.WriteString(" ")
			}
			sb.WriteString("]")
		}
		sb.WriteString(" ")
	}
	return sb.String()
}

// composeDir is where compose-go resolves relative paths; it need not exist.
const composeDir = "/nonexistent/dockgen-fuzz"

// checkComposeValues loads compose.yaml with compose-go and checks each
// environment value of the fuzzed service resolves to what was meant.
func checkComposeValues(t *testing.T, in fuzzInput, d *dockerfile, c []byte) {
	env := requiredEnv(c)
	p, err := lint.LoadCompose(composeDir, c, env) // read-only: nothing is written there
	if err != nil {
		t.Fatalf("compose-go: %v\n%s", err, c)
	}
	svc, ok := p.Services[d.stages[len(d.stages)-1].Name]
	if !ok {
		t.Fatalf("no service %s in %v", d.stages[len(d.stages)-1].Name, p.ServiceNames())
	}
	want := map[string]string{}
	if in.PortEnv != "" {
		want[fold(in.PortEnv)] = "8080"
		if in.EnvIsAddr {
			want[fold(in.PortEnv)] = ":8080"
		}
	}
	if validEnvName(in.EnvName) && in.EnvName != in.PortEnv && !strings.HasPrefix(in.EnvName, "COMPOSE_") && in.EnvName != "POSTGRES_PASSWORD" && !wiredName(in) {
		switch {
		case in.EnvSecret && !in.EnvHasDefault:
			want[in.EnvName] = env[in.EnvName]
		case in.EnvSecret:
			want[in.EnvName] = ""
		default:
			want[in.EnvName] = fold(in.EnvDefault)
		}
	}
	for k, v := range want {
		got := svc.Environment[k]
		if got == nil || *got != v {
			g := "<unset>"
			if got != nil {
				g = strconv.Quote(*got)
			}
			t.Errorf("compose resolves %q to %s, want %q\n%s", k, g, v, c)
		}
	}
}

// wiredName reports whether the plan points the fuzzed env var at the
// postgres service (DATABASE_URL, DB_HOST, …): its value is then the
// connection table's, not the code's default (services_test.go checks it).
func wiredName(in fuzzInput) bool {
	p, err := plan.Make(in.facts(), in.answers())
	return err == nil && len(p.Services) == 1 && slices.Contains(p.Services[0].WiredEnv, in.EnvName)
}

// patternLines are the .dockerignore lines that are patterns.
func patternLines(b []byte) []string {
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if strings.TrimSpace(l) == "" || strings.HasPrefix(l, "#") {
			continue
		}
		out = append(out, l)
	}
	return out
}

// checkProbeLiterals: the string literals in the probe are the path and env
// name given, unquoted intact.
func checkProbeLiterals(t *testing.T, in fuzzInput, b []byte) {
	f, err := parser.ParseFile(token.NewFileSet(), plan.HealthFile, b, 0)
	if err != nil {
		return // reported by checkHealthFile
	}
	var lits []string
	ast.Inspect(f, func(n ast.Node) bool {
		if bl, ok := n.(*ast.BasicLit); ok && bl.Kind == token.STRING {
			if s, err := strconv.Unquote(bl.Value); err == nil {
				lits = append(lits, s)
			}
		}
		return true
	})
	if in.HealthPath != "" && !slices.Contains(lits, in.HealthPath) {
		t.Errorf("probe lacks the health path %q: %q", in.HealthPath, lits)
	}
	if in.PortEnv != "" && !slices.Contains(lits, in.PortEnv) {
		t.Errorf("probe lacks the port env %q: %q", in.PortEnv, lits)
	}
}

// FuzzSubcommandNoInjection: a subcommand name from the code reaches the
// image's CMD (the server's) and compose's command (a one-shot job). Any
// name gives the same instructions and services as a plain one ("serve")
// or as none: its words appear as whole exec-form arguments, or the path
// is dropped.
func FuzzSubcommandNoInjection(f *testing.F) {
	for _, s := range []string{"serve", "server start", "migrate up", "", " ", "a\nCMD x", "x\"]\nRUN y", "$(id)", "-x", "--listen=:1",
		"a b c d", "x\u2028y", "a:b", "a: b", "#", "a\tb", "é", strings.Repeat("a", 300), "up\x00", "a,b", "[\"a\"]"} {
		f.Add(s)
	}
	render := func(t *testing.T, sub string) (*dockerfile, composeDoc, []byte) {
		m := analysis.Main{Dir: ".", Name: "app", LongRunning: true, DefaultMux: true, Source: "main.go:5",
			Listeners: []analysis.Listener{{Addr: ":8080", Port: 8080, Primary: true, Subcommand: sub, Source: "main.go:9"}},
			Commands:  []analysis.Command{{Subcommand: sub, Does: "migrate", Via: "github.com/pressly/goose/v3", Source: "main.go:11"}},
		}
		if sub == "serve" { // the job's name must differ from the server's words for the baseline
			m.Commands[0].Subcommand = "migrate"
		}
		files, err := makeRender(&analysis.Facts{Dir: ".", Module: "example.com/app", Go: "1.25.0", Mains: []analysis.Main{m}}, answers.Answers{})
		if err != nil {
			t.Fatal(err)
		}
		idx := index(files)
		if _, err := lint.LoadCompose(t.TempDir(), idx["compose.yaml"], nil); err != nil {
			t.Fatalf("compose-go: %v\n%s", err, idx["compose.yaml"])
		}
		return parseDockerfile(t, idx["Dockerfile"]), parseCompose(t, idx["compose.yaml"]), idx["compose.yaml"]
	}
	f.Fuzz(func(t *testing.T, sub string) {
		df, cd, raw := render(t, sub)
		words := strings.Fields(sub)
		valid := len(words) > 0
		for _, w := range words {
			valid = valid && regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`).MatchString(w)
		}
		base := ""
		if valid {
			base = "serve"
		}
		bdf, bcd, _ := render(t, base)
		if g, w := df.keywords(), bdf.keywords(); !slices.Equal(g, w) {
			t.Fatalf("instructions %v, baseline %v", g, w)
		}
		if len(cd.Services) != len(bcd.Services) {
			t.Fatalf("services %v, baseline %v\n%s", keys(cd.Services), keys(bcd.Services), raw)
		}
		cmds := of[*instructions.CmdCommand](df.stage(t, "app"))
		switch {
		case valid && (len(cmds) != 1 || !slices.Equal(cmds[0].CmdLine, words) || cmds[0].PrependShell):
			t.Errorf("CMD %+v, want exec form %q", cmds, words)
		case !valid && len(cmds) != 0:
			t.Errorf("CMD %+v for an unsafe subcommand %q", cmds, sub)
		}
		for name, s := range cd.Services {
			c, ok := s["command"]
			if !ok {
				continue
			}
			var got []string
			for _, v := range asList(c) {
				got = append(got, fmt.Sprint(v))
			}
			want := words
			if sub == "serve" {
				want = []string{"migrate"}
			}
			if !valid || !slices.Equal(got, want) || name == "app" {
				t.Errorf("service %s command %q for subcommand %q", name, got, sub)
			}
		}
	})
}
