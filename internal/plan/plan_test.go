package plan_test

import (
	"bytes"
	"fmt"
	"go/format"
	"go/parser"
	"go/token"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	dfparser "github.com/moby/buildkit/frontend/dockerfile/parser"
	"go.yaml.in/yaml/v3"

	"github.com/dockgen/dockgen/internal/analysis"
	"github.com/dockgen/dockgen/internal/answers"
	"github.com/dockgen/dockgen/internal/lint"
	"github.com/dockgen/dockgen/internal/plan"
)

// ---- helpers shared with fuzz_test.go ----

// build makes the plan and renders it, indexing the files by path.
func build(t testing.TB, f *analysis.Facts, a answers.Answers) map[string][]byte {
	t.Helper()
	files, err := makeRender(f, a)
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	out := map[string][]byte{}
	for _, fl := range files {
		if _, dup := out[fl.Path]; dup {
			t.Fatalf("plan.Build returned %s twice", fl.Path)
		}
		out[fl.Path] = fl.Content
	}
	return out
}

// dfStage is one Dockerfile stage as BuildKit parses it: the raw AST nodes
// (flags, JSON attribute, original text) beside the typed instructions.
type dfStage struct {
	*instructions.Stage
	nodes []*dfparser.Node // the stage's instructions after FROM
	cmds  []any            // instructions.ParseInstruction of each node
}

type dockerfile struct {
	ast    *dfparser.Node
	meta   []*dfparser.Node // instructions before the first FROM
	stages []*dfStage
}

func parseDockerfile(t testing.TB, b []byte) *dockerfile {
	t.Helper()
	res, err := dfparser.Parse(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("BuildKit cannot parse the Dockerfile: %v\n%s", err, b)
	}
	for _, w := range res.Warnings {
		t.Errorf("BuildKit parser warning: %s", w.Short)
	}
	d := &dockerfile{ast: res.AST}
	for _, n := range res.AST.Children {
		if len(n.Heredocs) > 0 {
			t.Errorf("line %d: heredoc (needs a # syntax= frontend on old engines)", n.StartLine)
		}
		v, err := instructions.ParseInstruction(n)
		if err != nil {
			t.Fatalf("line %d: %v\n%s", n.StartLine, err, b)
		}
		if st, ok := v.(*instructions.Stage); ok {
			d.stages = append(d.stages, &dfStage{Stage: st})
			continue
		}
		if len(d.stages) == 0 {
			d.meta = append(d.meta, n)
			continue
		}
		cur := d.stages[len(d.stages)-1]
		cur.nodes = append(cur.nodes, n)
		cur.cmds = append(cur.cmds, v)
	}
	return d
}

func (d *dockerfile) stage(t testing.TB, name string) *dfStage {
	t.Helper()
	for _, s := range d.stages {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no stage %q in %v", name, d.stageNames())
	return nil
}

func (d *dockerfile) stageNames() []string {
	var out []string
	for _, s := range d.stages {
		out = append(out, s.Name)
	}
	return out
}

// keywords is the instruction sequence, upper-cased.
func (d *dockerfile) keywords() []string {
	var out []string
	for _, n := range d.ast.Children {
		out = append(out, strings.ToUpper(n.Value))
	}
	return out
}

// of returns the stage's instructions of type T.
func of[T any](s *dfStage) []T {
	var out []T
	for _, c := range s.cmds {
		if v, ok := c.(T); ok {
			out = append(out, v)
		}
	}
	return out
}

// nodesOf returns the stage's AST nodes for one keyword ("run").
func (s *dfStage) nodesOf(keyword string) []*dfparser.Node {
	var out []*dfparser.Node
	for _, n := range s.nodes {
		if strings.EqualFold(n.Value, keyword) {
			out = append(out, n)
		}
	}
	return out
}

// mounts are the --mount flags of a RUN node, each as key → value.
func mounts(n *dfparser.Node) []map[string]string {
	var out []map[string]string
	for _, f := range n.Flags {
		v, ok := strings.CutPrefix(f, "--mount=")
		if !ok {
			continue
		}
		m := map[string]string{}
		for _, kv := range strings.Split(v, ",") {
			k, val, _ := strings.Cut(kv, "=")
			m[k] = val
		}
		out = append(out, m)
	}
	return out
}

func hasMount(n *dfparser.Node, typ, target string) bool {
	return slices.ContainsFunc(mounts(n), func(m map[string]string) bool { return m["type"] == typ && m["target"] == target })
}

// runScript is a shell-form RUN's command text.
func runScript(t testing.TB, c *instructions.RunCommand) string {
	t.Helper()
	if !c.PrependShell || len(c.CmdLine) != 1 {
		t.Fatalf("RUN is not one shell-form command: %q", c.CmdLine)
	}
	return c.CmdLine[0]
}

func envOf(s *dfStage) map[string]string {
	out := map[string]string{}
	for _, e := range of[*instructions.EnvCommand](s) {
		for _, kv := range e.Env {
			out[kv.Key] = kv.Value
		}
	}
	return out
}

// requiredVars are the names compose must be given: ${NAME:?...} and ${NAME?...}.
var requiredVarRE = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*):?\?`)

func requiredEnv(compose []byte) map[string]string {
	env := map[string]string{}
	for _, m := range requiredVarRE.FindAllSubmatch(compose, -1) {
		env[string(m[1])] = "value-of-" + string(m[1])
	}
	return env
}

// composeDoc is compose.yaml as plain YAML.
type composeDoc struct {
	Name     string                    `yaml:"name"`
	Services map[string]map[string]any `yaml:"services"`
	Volumes  map[string]any            `yaml:"volumes"`
}

func parseCompose(t testing.TB, b []byte) composeDoc {
	t.Helper()
	var d composeDoc
	if err := yaml.Unmarshal(b, &d); err != nil {
		t.Fatalf("compose.yaml is not YAML: %v\n%s", err, b)
	}
	return d
}

// checkHealthFile asserts the probe file parses and is gofmt'ed.
func checkHealthFile(t testing.TB, name string, b []byte) {
	t.Helper()
	if _, err := parser.ParseFile(token.NewFileSet(), name, b, parser.ParseComments); err != nil {
		t.Fatalf("%s does not parse: %v\n%s", name, err, b)
	}
	formatted, err := format.Source(b)
	if err != nil {
		t.Fatalf("gofmt %s: %v", name, err)
	}
	if !bytes.Equal(formatted, b) {
		t.Errorf("%s is not gofmt'ed:\n%s", name, b)
	}
}

func lintClean(t testing.TB, files map[string][]byte) {
	t.Helper()
	ws, err := lint.Dockerfile(files["Dockerfile"], files[".dockerignore"])
	if err != nil {
		t.Fatalf("BuildKit refuses the Dockerfile: %v\n%s", err, files["Dockerfile"])
	}
	for _, w := range ws {
		t.Errorf("build check %s at line %d: %s", w.RuleName, w.Line, w.Detail)
	}
	if len(ws) > 0 {
		t.Logf("Dockerfile:\n%s", files["Dockerfile"])
	}
}

// ---- fixtures ----

func httpMain(dir, name string, port int) analysis.Main {
	return analysis.Main{
		Dir: dir, Name: name, LongRunning: true, DefaultMux: true,
		Listeners: []analysis.Listener{{Addr: ":" + strconv.Itoa(port), Port: port, Source: path.Join(dir, "main.go") + ":10"}},
		Source:    path.Join(dir, "main.go") + ":5",
	}
}

func facts(mains ...analysis.Main) *analysis.Facts {
	return &analysis.Facts{Dir: ".", Module: "example.com/app", Go: "1.25.0", HasGoSum: true, Mains: mains}
}

func defaults(*analysis.Facts) answers.Answers { return answers.Answers{} }

func withBase(_ *analysis.Facts, base string) answers.Answers { return answers.Answers{Base: base} }

// makeRender is plan.Make then plan.Render with the built-in templates.
func makeRender(f *analysis.Facts, a answers.Answers) ([]plan.File, error) {
	p, err := plan.Make(f, a)
	if err != nil {
		return nil, err
	}
	return plan.Render(p, nil)
}

// renderChecked renders twice (the same bytes both times) and checks what
// every output must be: the Dockerfile parses and passes BuildKit's
// checks, compose loads, the probe file is gofmt'ed Go.
func renderChecked(t *testing.T, f *analysis.Facts, a answers.Answers) (map[string][]byte, *dockerfile) {
	t.Helper()
	files := build(t, f, a)
	again := build(t, f, a)
	for p, b := range files {
		if !bytes.Equal(b, again[p]) {
			t.Errorf("%s differs between two identical builds", p)
		}
	}
	df := parseDockerfile(t, files["Dockerfile"])
	for p, b := range files {
		if path.Base(p) == plan.HealthFile {
			checkHealthFile(t, p, b)
		}
	}
	if c, ok := files["compose.yaml"]; ok {
		if err := lint.Compose(t.TempDir(), c, requiredEnv(c)); err != nil {
			t.Errorf("compose-go: %v\n%s", err, c)
		}
	}
	lintClean(t, files)
	return files, df
}

const (
	static     = "gcr.io/distroless/static-debian12:nonroot"
	distroBase = "gcr.io/distroless/base-debian12:nonroot"
	caBundle   = "/etc/ssl/certs/ca-certificates.crt"
	zoneinfo   = "/usr/share/zoneinfo"
)

// ---- the table ----

type planCase struct {
	name  string
	facts *analysis.Facts
	ans   func(*analysis.Facts) answers.Answers
	check func(t *testing.T, files map[string][]byte, df *dockerfile)
}

// TestStaticSingleMain: static single main.
func TestStaticSingleMain(t *testing.T) {
	f := &analysis.Facts{Module: "example.com/hello", Go: "1.25.0", Mains: []analysis.Main{httpMain(".", "hello", 8080)}}
	ans := defaults
	check := func(t *testing.T, files map[string][]byte, df *dockerfile) {
		if got := df.stageNames(); !slices.Equal(got, []string{"build", "hello"}) {
			t.Fatalf("stages %v", got)
		}
		b := df.stage(t, "build")
		if b.Platform != "$BUILDPLATFORM" || b.BaseName != "golang:1.25-bookworm" {
			t.Errorf("builder FROM --platform=%s %s", b.Platform, b.BaseName)
		}
		runs := of[*instructions.RunCommand](b)
		if len(runs) != 2 {
			t.Fatalf("%d RUNs in build stage, want download + build", len(runs))
		}
		dl := b.nodesOf("run")[0]
		if runScript(t, runs[0]) != "go mod download" || !hasMount(dl, "bind", "go.mod") || hasMount(dl, "bind", "go.sum") {
			t.Errorf("module download: %q flags %q (no go.sum: no go.sum bind)", runs[0].CmdLine, dl.Flags)
		}
		script := runScript(t, runs[1])
		for _, want := range []string{"CGO_ENABLED=0 ", "GOOS=$TARGETOS", "GOARCH=$TARGETARCH", " -trimpath ", `-ldflags="-s -w"`, "-o /out/hello ."} {
			if !strings.Contains(script, want) {
				t.Errorf("go build lacks %q: %s", want, script)
			}
		}
		if strings.Contains(script, "-mod=vendor") {
			t.Errorf("-mod=vendor without vendor: %s", script)
		}
		bn := b.nodesOf("run")[1]
		for _, m := range []string{"/go/pkg/mod", "/root/.cache/go-build"} {
			if !hasMount(bn, "cache", m) {
				t.Errorf("go build without cache mount %s: %q", m, bn.Flags)
			}
		}
		r := df.stage(t, "hello")
		if r.BaseName != static || r.Platform != "" {
			t.Errorf("runtime FROM %s (platform %q)", r.BaseName, r.Platform)
		}
		if u := of[*instructions.UserCommand](r); len(u) != 1 || u[0].User != "65532:65532" {
			t.Errorf("USER %+v", u)
		}
		if e := of[*instructions.ExposeCommand](r); len(e) != 1 || !slices.Equal(e[0].Ports, []string{"8080"}) {
			t.Errorf("EXPOSE %+v", e)
		}
		hc := of[*instructions.HealthCheckCommand](r)
		if len(hc) != 1 || !slices.Equal(hc[0].Health.Test, []string{"CMD", "/app", "-healthcheck"}) {
			t.Fatalf("HEALTHCHECK %+v", hc)
		}
		ep := of[*instructions.EntrypointCommand](r)
		if len(ep) != 1 || ep[0].PrependShell || !slices.Equal(ep[0].CmdLine, []string{"/app"}) {
			t.Errorf("ENTRYPOINT %+v", ep)
		}
		if len(of[*instructions.CmdCommand](r)) != 0 {
			t.Errorf("runtime stage has a CMD")
		}
		cp := of[*instructions.CopyCommand](r)
		if len(cp) != 1 || cp[0].From != "build" || !slices.Equal(cp[0].SourcePaths, []string{"/out/hello"}) || cp[0].DestPath != "/app" {
			t.Errorf("COPY %+v", cp)
		}
		if _, ok := files[plan.HealthFile]; !ok {
			t.Errorf("no health probe file for a long-running main")
		}
		if !bytes.Contains(files[plan.HealthFile], []byte(`http.HandleFunc("/healthz"`)) {
			t.Errorf("probe does not serve /healthz on the DefaultServeMux:\n%s", files[plan.HealthFile])
		}
		if bytes.HasPrefix(files["Dockerfile"], []byte("# syntax=")) {
			t.Errorf("syntax line by default")
		}
		cd := parseCompose(t, files["compose.yaml"])
		if len(cd.Services) != 1 || cd.Services["hello"] == nil {
			t.Errorf("compose services %v", cd.Services)
		}
	}
	files, df := renderChecked(t, f, ans(f))
	check(t, files, df)
}

// TestGoSumBindsAndToolchainNewerThanGo: go.sum binds and toolchain newer than go.
func TestGoSumBindsAndToolchainNewerThanGo(t *testing.T) {
	f := func() *analysis.Facts {
		f := facts(httpMain(".", "app", 8080))
		f.Go, f.Toolchain = "1.22", "go1.26.1"
		return f
	}()
	ans := defaults
	check := func(t *testing.T, files map[string][]byte, df *dockerfile) {
		b := df.stage(t, "build")
		if b.BaseName != "golang:1.26-bookworm" {
			t.Errorf("builder %s, want the toolchain's 1.26", b.BaseName)
		}
		if dl := b.nodesOf("run")[0]; !hasMount(dl, "bind", "go.sum") || !hasMount(dl, "bind", "go.mod") {
			t.Errorf("go.sum not bound: %q", dl.Flags)
		}
	}
	files, df := renderChecked(t, f, ans(f))
	check(t, files, df)
}

// TestGoNewerThanToolchain: go newer than toolchain.
func TestGoNewerThanToolchain(t *testing.T) {
	f := func() *analysis.Facts {
		f := facts(httpMain(".", "app", 8080))
		f.Go, f.Toolchain = "1.25.3", "go1.24.0"
		return f
	}()
	ans := defaults
	check := func(t *testing.T, files map[string][]byte, df *dockerfile) {
		if b := df.stage(t, "build"); b.BaseName != "golang:1.25-bookworm" {
			t.Errorf("builder %s, want go's 1.25", b.BaseName)
		}
	}
	files, df := renderChecked(t, f, ans(f))
	check(t, files, df)
}

// TestVendor: vendor.
func TestVendor(t *testing.T) {
	f := func() *analysis.Facts {
		f := facts(httpMain(".", "app", 8080))
		f.Vendor = true
		return f
	}()
	ans := defaults
	check := func(t *testing.T, files map[string][]byte, df *dockerfile) {
		b := df.stage(t, "build")
		runs := of[*instructions.RunCommand](b)
		if len(runs) != 1 {
			t.Fatalf("%d RUNs, want only go build (no go mod download when vendored)", len(runs))
		}
		if s := runScript(t, runs[0]); !strings.Contains(s, "go build -mod=vendor ") || strings.Contains(s, "go mod download") {
			t.Errorf("vendored build: %s", s)
		}
		for _, l := range strings.Split(string(files[".dockerignore"]), "\n") {
			if strings.Contains(l, "vendor") && !strings.HasPrefix(l, "#") {
				t.Errorf(".dockerignore excludes vendor: %q", l)
			}
		}
	}
	files, df := renderChecked(t, f, ans(f))
	check(t, files, df)
}

// TestCgoMain: cgo main.
func TestCgoMain(t *testing.T) {
	f := func() *analysis.Facts {
		m := httpMain(".", "app", 8080)
		m.Cgo, m.CgoReason, m.CgoSource = true, "github.com/mattn/go-sqlite3 (imported at main.go:7)", "main.go:7"
		f := facts(m)
		f.Cgo = true
		return f
	}()
	ans := defaults
	check := func(t *testing.T, files map[string][]byte, df *dockerfile) {
		b := df.stage(t, "build")
		if b.Platform != "" {
			t.Errorf("cgo build cross-compiles from --platform=%s", b.Platform)
		}
		runs := of[*instructions.RunCommand](b)
		if s := runScript(t, runs[len(runs)-1]); !strings.Contains(s, "CGO_ENABLED=1 ") {
			t.Errorf("cgo build: %s", s)
		}
		if r := df.stage(t, "app"); r.BaseName != distroBase {
			t.Errorf("cgo runtime %s, want %s", r.BaseName, distroBase)
		}
		if !slices.ContainsFunc(strings.Split(string(files["Dockerfile"]), "\n"), func(l string) bool {
			return strings.HasPrefix(l, "# ") && strings.Contains(l, "cgo") && strings.Contains(l, "github.com/mattn/go-sqlite3 (imported at main.go:7)")
		}) {
			t.Errorf("no note explaining cgo:\n%s", files["Dockerfile"])
		}
	}
	files, df := renderChecked(t, f, ans(f))
	check(t, files, df)
}

// TestScratchCopiesCaZoneinfoAndPasswd: scratch copies CA, zoneinfo and passwd.
func TestScratchCopiesCaZoneinfoAndPasswd(t *testing.T) {
	f := func() *analysis.Facts {
		m := httpMain(".", "app", 8080)
		m.Needs = []string{"ca-certificates", "tzdata", "passwd"}
		return facts(m)
	}()
	ans := func(f *analysis.Facts) answers.Answers { return withBase(f, "scratch") }
	check := func(t *testing.T, files map[string][]byte, df *dockerfile) {
		r := df.stage(t, "app")
		if r.BaseName != "scratch" {
			t.Fatalf("runtime %s", r.BaseName)
		}
		var copied []string
		for _, c := range of[*instructions.CopyCommand](r) {
			if c.From != "build" {
				t.Errorf("COPY not from the build stage: %+v", c)
			}
			copied = append(copied, c.SourcePaths...)
		}
		for _, want := range []string{caBundle, zoneinfo, "/out/etc/passwd", "/out/etc/group", "/out/app"} {
			if !slices.Contains(copied, want) {
				t.Errorf("scratch runtime lacks %s (copied %v)", want, copied)
			}
		}
		passwd := false
		for _, r := range of[*instructions.RunCommand](df.stage(t, "build")) {
			passwd = passwd || strings.Contains(runScript(t, r), "nonroot:x:65532:65532")
		}
		if !passwd {
			t.Errorf("passwd file lacks the nonroot user")
		}
	}
	files, df := renderChecked(t, f, ans(f))
	check(t, files, df)
}

// TestScratchCopiesTheCaBundleEvenWithoutNeeds: scratch copies the CA bundle even without needs.
func TestScratchCopiesTheCaBundleEvenWithoutNeeds(t *testing.T) {
	f := facts(httpMain(".", "app", 8080))
	ans := func(f *analysis.Facts) answers.Answers { return withBase(f, "scratch") }
	check := func(t *testing.T, files map[string][]byte, df *dockerfile) {
		var copied []string
		for _, c := range of[*instructions.CopyCommand](df.stage(t, "app")) {
			copied = append(copied, c.SourcePaths...)
		}
		if !slices.Equal(copied, []string{caBundle, "/out/app"}) {
			t.Errorf("copied %v", copied)
		}
		if len(of[*instructions.RunCommand](df.stage(t, "build"))) != 2 {
			t.Errorf("passwd written without the need")
		}
	}
	files, df := renderChecked(t, f, ans(f))
	check(t, files, df)
}

// TestAlpineAddsZoneinfoDebianAddsCaAndZoneinfo: alpine adds zoneinfo, debian adds CA and zoneinfo.
func TestAlpineAddsZoneinfoDebianAddsCaAndZoneinfo(t *testing.T) {
	f := func() *analysis.Facts {
		a, d := httpMain("./cmd/a", "a", 8080), httpMain("./cmd/d", "d", 8081)
		a.Needs = []string{"ca-certificates", "tzdata"}
		d.Needs = a.Needs
		return facts(a, d)
	}()
	ans := func(f *analysis.Facts) answers.Answers { return withBase(f, "alpine") }
	check := func(t *testing.T, files map[string][]byte, df *dockerfile) {
		r := df.stage(t, "a")
		if r.BaseName != "alpine:3.22" {
			t.Errorf("alpine runtime %s", r.BaseName)
		}
		var copied []string
		for _, c := range of[*instructions.CopyCommand](r) {
			copied = append(copied, c.SourcePaths...)
		}
		if !slices.Equal(copied, []string{zoneinfo, "/out/a"}) {
			t.Errorf("alpine copies %v", copied)
		}
	}
	files, df := renderChecked(t, f, ans(f))
	check(t, files, df)
}

// TestDebianAddsCaAndZoneinfo: debian adds CA and zoneinfo.
func TestDebianAddsCaAndZoneinfo(t *testing.T) {
	f := func() *analysis.Facts {
		m := httpMain(".", "app", 8080)
		m.Needs = []string{"ca-certificates", "tzdata"}
		return facts(m)
	}()
	ans := func(f *analysis.Facts) answers.Answers { return withBase(f, "debian") }
	check := func(t *testing.T, files map[string][]byte, df *dockerfile) {
		r := df.stage(t, "app")
		var copied []string
		for _, c := range of[*instructions.CopyCommand](r) {
			copied = append(copied, c.SourcePaths...)
		}
		if r.BaseName != "debian:bookworm-slim" || !slices.Equal(copied, []string{caBundle, zoneinfo, "/out/app"}) {
			t.Errorf("debian runtime %s copies %v", r.BaseName, copied)
		}
	}
	files, df := renderChecked(t, f, ans(f))
	check(t, files, df)
}

// TestCliOnlyNoHealthNoExposeNoCompose: CLI only: no health, no EXPOSE, no compose.
func TestCliOnlyNoHealthNoExposeNoCompose(t *testing.T) {
	f := facts(analysis.Main{Dir: ".", Name: "tool"})
	ans := defaults
	check := func(t *testing.T, files map[string][]byte, df *dockerfile) {
		r := df.stage(t, "tool")
		if len(of[*instructions.HealthCheckCommand](r)) != 0 || len(of[*instructions.ExposeCommand](r)) != 0 {
			t.Errorf("a CLI got HEALTHCHECK or EXPOSE")
		}
		if _, ok := files["compose.yaml"]; ok {
			t.Errorf("compose.yaml for a CLI")
		}
		if _, ok := files[plan.HealthFile]; ok {
			t.Errorf("health probe for a CLI")
		}
	}
	files, df := renderChecked(t, f, ans(f))
	check(t, files, df)
}

// TestMultiMain: multi-main.
func TestMultiMain(t *testing.T) {
	f := func() *analysis.Facts {
		w := analysis.Main{Dir: "./cmd/worker", Name: "worker", LongRunning: true}
		return facts(analysis.Main{Dir: "./cmd/migrate", Name: "migrate"}, httpMain("./cmd/api", "api", 8080), w)
	}()
	ans := defaults
	check := func(t *testing.T, files map[string][]byte, df *dockerfile) {
		names := df.stageNames()
		if names[0] != "build" || len(names) != 7 || names[6] != "api" {
			t.Fatalf("stages %v: want build first, a build stage per binary, and api (the first long-running main) last", names)
		}
		// One build stage per binary, so --target api compiles api only.
		for _, bin := range []string{"migrate", "worker", "api"} {
			s := df.stage(t, bin+"-build")
			if s.BaseName != "build" {
				t.Errorf("%s-build is based on %s, want build", bin, s.BaseName)
			}
			runs := of[*instructions.RunCommand](s)
			if len(runs) != 1 || !strings.Contains(runScript(t, runs[0]), "-o /out/"+bin+" ") {
				t.Errorf("%s-build does not build %s alone", bin, bin)
			}
			for _, c := range of[*instructions.CopyCommand](df.stage(t, bin)) {
				if c.From != bin+"-build" {
					t.Errorf("%s copies from %s", bin, c.From)
				}
			}
		}
		if !slices.Contains(names, "migrate") || !slices.Contains(names, "worker") {
			t.Errorf("stages %v", names)
		}
		for _, r := range of[*instructions.RunCommand](df.stage(t, "build")) {
			if s := runScript(t, r); strings.Contains(s, "go build") {
				t.Errorf("the shared build stage builds a binary: %s", s)
			}
		}
		for _, n := range []string{"migrate", "worker"} {
			if hc := of[*instructions.HealthCheckCommand](df.stage(t, n)); len(hc) != 0 {
				t.Errorf("%s has a HEALTHCHECK without a port to probe", n)
			}
		}
		if len(of[*instructions.HealthCheckCommand](df.stage(t, "api"))) != 1 {
			t.Errorf("api has no HEALTHCHECK")
		}
		cd := parseCompose(t, files["compose.yaml"])
		var svcs []string
		for n := range cd.Services {
			svcs = append(svcs, n)
		}
		slices.Sort(svcs)
		if !slices.Equal(svcs, []string{"api", "migrate", "worker"}) {
			t.Errorf("compose services %v, want api, worker and the migrate job", svcs)
		}
		// The job is behind a profile (`up` does not start it) and never
		// restarted in a loop; the services run by default.
		if p, _ := cd.Services["migrate"]["profiles"].([]any); len(p) != 1 || p[0] != "jobs" || cd.Services["migrate"]["restart"] != "no" {
			t.Errorf("migrate: profiles %v restart %v", cd.Services["migrate"]["profiles"], cd.Services["migrate"]["restart"])
		}
		if cd.Services["api"]["profiles"] != nil || cd.Services["api"]["restart"] != "unless-stopped" {
			t.Errorf("api: profiles %v restart %v", cd.Services["api"]["profiles"], cd.Services["api"]["restart"])
		}
		for n, s := range cd.Services {
			b, _ := s["build"].(map[string]any)
			if b["target"] != n {
				t.Errorf("service %s builds target %v", n, b["target"])
			}
		}
		if _, ok := files["cmd/api/"+plan.HealthFile]; !ok {
			t.Errorf("no probe file in cmd/api: %v", keys(files))
		}
		if _, ok := files["cmd/worker/"+plan.HealthFile]; ok {
			t.Errorf("probe file for a worker that listens on nothing")
		}
	}
	files, df := renderChecked(t, f, ans(f))
	check(t, files, df)
}

// TestExistingHealthStubHealthcheckStaysTheProbeFileIsCreateOnly: existing health stub: HEALTHCHECK stays, the probe file is create-only.
func TestExistingHealthStubHealthcheckStaysTheProbeFileIsCreateOnly(t *testing.T) {
	stubbed := func() *analysis.Facts {
		m := httpMain(".", "app", 8080)
		m.ProbeFile = plan.HealthFile
		return facts(m)
	}()
	f := stubbed
	ans := defaults
	check := func(t *testing.T, files map[string][]byte, df *dockerfile) {
		// The probe file is always planned, but with the Once policy:
		// apply creates it when missing and never touches the user's.
		all, err := makeRender(stubbed, defaults(stubbed))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range all {
			if want := path.Base(f.Path) == plan.HealthFile; (f.Policy == plan.Once) != want {
				t.Errorf("%s has policy %v", f.Path, f.Policy)
			}
		}
		if len(of[*instructions.HealthCheckCommand](df.stage(t, "app"))) != 1 {
			t.Errorf("no HEALTHCHECK")
		}
	}
	files, df := renderChecked(t, f, ans(f))
	check(t, files, df)
}

// TestExistingHealthPathProbeItServeNothing: existing health path: probe it, serve nothing.
func TestExistingHealthPathProbeItServeNothing(t *testing.T) {
	f := func() *analysis.Facts {
		m := httpMain(".", "app", 8080)
		m.HealthPath = "/livez"
		return facts(m)
	}()
	ans := defaults
	check := func(t *testing.T, files map[string][]byte, df *dockerfile) {
		h := string(files[plan.HealthFile])
		if strings.Contains(h, "HandleFunc") || !strings.Contains(h, `"/livez"`) {
			t.Errorf("probe file:\n%s", h)
		}
	}
	files, df := renderChecked(t, f, ans(f))
	check(t, files, df)
}

// TestNoMuxNoPathTcpProbe: no mux, no path: TCP probe.
func TestNoMuxNoPathTcpProbe(t *testing.T) {
	f := func() *analysis.Facts {
		m := httpMain(".", "app", 8080)
		m.DefaultMux = false
		return facts(m)
	}()
	ans := defaults
	check := func(t *testing.T, files map[string][]byte, df *dockerfile) {
		h := string(files[plan.HealthFile])
		if strings.Contains(h, "net/http") || !strings.Contains(h, "net.DialTimeout") {
			t.Errorf("probe file:\n%s", h)
		}
	}
	files, df := renderChecked(t, f, ans(f))
	check(t, files, df)
}

// TestSecretsAreInterpolatedNeverLiteral: secrets are interpolated, never literal.
func TestSecretsAreInterpolatedNeverLiteral(t *testing.T) {
	f := func() *analysis.Facts {
		m := httpMain(".", "app", 8080)
		m.Env = []analysis.EnvVar{
			{Name: "API_TOKEN", Secret: true, Required: true},
			{Name: "WEBHOOK_SECRET", Secret: true}, // optional: never blocks compose up
			{Name: "DB_PASSWORD", Default: "hunter2-default", HasDefault: true, Secret: true},
			{Name: "GREETING", Default: "hello $USER", HasDefault: true},
			{Name: "bad-name", Default: "x", HasDefault: true},
		}
		return facts(m)
	}()
	ans := defaults
	check := func(t *testing.T, files map[string][]byte, df *dockerfile) {
		c := files["compose.yaml"]
		if bytes.Contains(c, []byte("hunter2-default")) || bytes.Contains(files["Dockerfile"], []byte("hunter2-default")) {
			t.Errorf("a secret's default is written out")
		}
		env := parseCompose(t, c).Services["app"]["environment"].(map[string]any)
		for name, v := range env {
			s, _ := v.(string)
			if (name == "API_TOKEN" || name == "DB_PASSWORD") && !strings.HasPrefix(s, "${"+name) {
				t.Errorf("secret %s = %q, want ${%s...}", name, s, name)
			}
		}
		if _, ok := env["bad-name"]; ok {
			t.Errorf("compose wires a name it cannot interpolate")
		}
		if len(envOf(df.stage(t, "app"))) != 0 {
			t.Errorf("env in the image: %v", envOf(df.stage(t, "app")))
		}
		p, err := lint.LoadCompose(t.TempDir(), c, map[string]string{"API_TOKEN": "tok"})
		if err != nil {
			t.Fatal(err)
		}
		got := p.Services["app"].Environment
		for name, want := range map[string]string{"API_TOKEN": "tok", "DB_PASSWORD": "", "WEBHOOK_SECRET": "", "GREETING": "hello $USER"} {
			if got[name] == nil || *got[name] != want {
				t.Errorf("compose resolves %s to %v, want %q", name, got[name], want)
			}
		}
		if err := lint.Compose(t.TempDir(), c, nil); err == nil || !strings.Contains(err.Error(), "API_TOKEN") {
			t.Errorf("a missing required secret loads: %v", err)
		}
	}
	files, df := renderChecked(t, f, ans(f))
	check(t, files, df)
}

// TestLoopbackAddressEnvIsPinnedToAllInterfaces: loopback address env is pinned to all interfaces.
func TestLoopbackAddressEnvIsPinnedToAllInterfaces(t *testing.T) {
	f := func() *analysis.Facts {
		m := httpMain(".", "app", 9000)
		m.Listeners = []analysis.Listener{{Addr: "127.0.0.1:9000", Port: 9000, Loopback: true, PortEnv: "ADDR", EnvIsAddr: true, Source: "main.go:9"}}
		return facts(m)
	}()
	ans := defaults
	check := func(t *testing.T, files map[string][]byte, df *dockerfile) {
		r := df.stage(t, "app")
		if got := envOf(r)["ADDR"]; got != `":9000"` {
			t.Errorf(`ENV ADDR=%s, want ":9000"`, got)
		}
		if e := of[*instructions.ExposeCommand](r); len(e) != 1 || e[0].Ports[0] != "9000" {
			t.Errorf("EXPOSE %+v", e)
		}
		env := parseCompose(t, files["compose.yaml"]).Services["app"]["environment"].(map[string]any)
		if env["ADDR"] != ":9000" {
			t.Errorf("compose ADDR = %v", env["ADDR"])
		}
		h := string(files[plan.HealthFile])
		if !strings.Contains(h, `os.Getenv("ADDR")`) || !strings.Contains(h, "strings.LastIndex") {
			t.Errorf("probe does not follow the address env:\n%s", h)
		}
	}
	files, df := renderChecked(t, f, ans(f))
	check(t, files, df)
}

// TestPortEnvWithAPortAnswer: port env with a --port answer.
func TestPortEnvWithAPortAnswer(t *testing.T) {
	f := func() *analysis.Facts {
		m := httpMain(".", "app", 8080)
		m.Listeners[0].PortEnv = "PORT"
		return facts(m)
	}()
	ans := func(f *analysis.Facts) answers.Answers {
		return answers.Answers{Ports: map[string]int{"app": 9090}}
	}
	check := func(t *testing.T, files map[string][]byte, df *dockerfile) {
		r := df.stage(t, "app")
		if got := envOf(r)["PORT"]; got != `"9090"` {
			t.Errorf("ENV PORT=%s", got)
		}
		if e := of[*instructions.ExposeCommand](r); len(e) != 1 || e[0].Ports[0] != "9090" {
			t.Errorf("EXPOSE %+v", e)
		}
		ports := parseCompose(t, files["compose.yaml"]).Services["app"]["ports"].([]any)
		if len(ports) != 1 || ports[0] != "127.0.0.1:9090:9090" {
			t.Errorf("compose ports %v", ports)
		}
	}
	files, df := renderChecked(t, f, ans(f))
	check(t, files, df)
}

// TestPrivateModulesUseANetrcSecretNeverAToken: private modules use a netrc secret, never a token.
func TestPrivateModulesUseANetrcSecretNeverAToken(t *testing.T) {
	f := facts(httpMain(".", "app", 8080))
	ans := func(*analysis.Facts) answers.Answers {
		return answers.Answers{Private: []string{"github.com/acme/*", "git.corp.example/*"}}
	}
	check := func(t *testing.T, files map[string][]byte, df *dockerfile) {
		b := df.stage(t, "build")
		if got := envOf(b)["GOPRIVATE"]; got != `"github.com/acme/*,git.corp.example/*"` {
			t.Errorf("GOPRIVATE=%s", got)
		}
		dl := b.nodesOf("run")[0]
		if !hasMount(dl, "secret", "/root/.netrc") {
			t.Errorf("module download has no netrc secret mount: %q", dl.Flags)
		}
		if len(of[*instructions.ArgCommand](b)) != 1 {
			t.Errorf("unexpected ARGs (a token?)")
		}
	}
	files, df := renderChecked(t, f, ans(f))
	check(t, files, df)
}

// TestBackingServicesHealthchecksDependsOnVolumes: backing services: healthchecks, depends_on, volumes.
func TestBackingServicesHealthchecksDependsOnVolumes(t *testing.T) {
	f := func() *analysis.Facts {
		f := facts(httpMain(".", "app", 8080))
		f.Services = []string{"postgres", "redis"}
		return f
	}()
	ans := defaults
	check := func(t *testing.T, files map[string][]byte, df *dockerfile) {
		cd := parseCompose(t, files["compose.yaml"])
		for _, n := range []string{"postgres", "redis", "app"} {
			if cd.Services[n]["healthcheck"] == nil {
				t.Errorf("service %s has no healthcheck", n)
			}
		}
		deps, _ := cd.Services["app"]["depends_on"].(map[string]any)
		if len(deps) != 2 {
			t.Errorf("app depends_on %v", deps)
		}
		if _, ok := cd.Volumes["postgres-data"]; !ok {
			t.Errorf("volumes %v", cd.Volumes)
		}
		if _, ok := requiredEnv(files["compose.yaml"])["POSTGRES_PASSWORD"]; !ok {
			t.Errorf("POSTGRES_PASSWORD is not required from the environment")
		}
	}
	files, df := renderChecked(t, f, ans(f))
	check(t, files, df)
}

// TestVersionStampingAndSyntaxLine: version stamping and syntax line.
func TestVersionStampingAndSyntaxLine(t *testing.T) {
	f := func() *analysis.Facts {
		m := httpMain(".", "app", 8080)
		m.VersionVar = "version"
		return facts(m)
	}()
	ans := func(f *analysis.Facts) answers.Answers {
		return answers.Answers{SyntaxLine: true}
	}
	check := func(t *testing.T, files map[string][]byte, df *dockerfile) {
		if !bytes.HasPrefix(files["Dockerfile"], []byte("# syntax=docker/dockerfile:1\n")) {
			t.Errorf("no syntax line first")
		}
		runs := of[*instructions.RunCommand](df.stage(t, "build"))
		if s := runScript(t, runs[len(runs)-1]); !strings.Contains(s, `-ldflags="-s -w -X main.version=${VERSION}"`) {
			t.Errorf("version not stamped: %s", s)
		}
	}
	files, df := renderChecked(t, f, ans(f))
	check(t, files, df)
}

// TestStageNamesNeverCollideWithTheBuilder: stage names never collide with the builder.
func TestStageNamesNeverCollideWithTheBuilder(t *testing.T) {
	f := func() *analysis.Facts {
		return facts(httpMain("./cmd/build", "build", 8080), analysis.Main{Dir: "./cmd/Tool", Name: "Tool"}, analysis.Main{Dir: "./cmd/tool2", Name: "tool"})
	}()
	ans := defaults
	check := func(t *testing.T, files map[string][]byte, df *dockerfile) {
		names := df.stageNames()
		seen := map[string]bool{}
		for _, n := range names {
			if seen[strings.ToLower(n)] {
				t.Errorf("duplicate stage %s in %v", n, names)
			}
			seen[strings.ToLower(n)] = true
		}
		builders := map[string]bool{df.stages[0].Name: true}
		for _, s := range df.stages {
			if s.BaseName == df.stages[0].Name {
				builders[s.Name] = true
			}
		}
		for _, c := range of[*instructions.CopyCommand](df.stages[len(df.stages)-1]) {
			if !builders[c.From] {
				t.Errorf("COPY --from=%s, not a build stage (%v)", c.From, builders)
			}
		}
	}
	files, df := renderChecked(t, f, ans(f))
	check(t, files, df)
}

// TestBuildLintMatrix runs BuildKit's full build checks on every runtime
// base × cgo/static × vendor × private modules × syntax line.
func TestBuildLintMatrix(t *testing.T) {
	for _, base := range plan.BaseNames() {
		for _, cgo := range []bool{false, true} {
			for _, vendor := range []bool{false, true} {
				for _, private := range []bool{false, true} {
					for _, syntax := range []bool{false, true} {
						name := fmt.Sprintf("%s/cgo=%v/vendor=%v/private=%v/syntax=%v", base, cgo, vendor, private, syntax)
						t.Run(name, func(t *testing.T) {
							api := httpMain("./cmd/api", "api", 8080)
							api.Cgo, api.Needs = cgo, []string{"ca-certificates", "tzdata", "passwd"}
							if cgo {
								api.CgoReason = "import \"C\" (cmd/api/c.go:3)"
							}
							api.Listeners[0].PortEnv = "PORT"
							api.VersionVar = "version"
							f := facts(api, analysis.Main{Dir: "./cmd/cli", Name: "cli"})
							f.Vendor, f.Cgo = vendor, cgo
							f.Embed = []string{"static", "all:templates"}
							a := withBase(f, base)
							if private {
								a.Private = []string{"github.com/acme/*"}
							}
							a.SyntaxLine = syntax
							if cgo && (base == "scratch" || base == "alpine") {
								_, err := plan.Make(f, a)
								if err == nil || !strings.Contains(err.Error(), "glibc") {
									t.Fatalf("cgo on %s: %v, want the glibc error", base, err)
								}
								return
							}
							files := build(t, f, a)
							parseDockerfile(t, files["Dockerfile"])
							lintClean(t, files)
						})
					}
				}
			}
		}
	}
}

// TestStageNamesAreReferences: BuildKit looks every stage name up as a
// possible named build context (--build-context NAME=...), so a stage name
// must also be a valid image reference name, or the build fails with
// "invalid context name".
func TestStageNamesAreReferences(t *testing.T) {
	for _, name := range []string{"Tool!", "api_", "a..b", "-x-", "ÄPI"} {
		t.Run(name, func(t *testing.T) {
			f := facts(analysis.Main{Dir: "./cmd/x", Name: name})
			files := build(t, f, defaults(f))
			df := parseDockerfile(t, files["Dockerfile"])
			for _, s := range df.stages {
				if !refName.MatchString(s.Name) {
					t.Errorf("stage %q is not a reference name", s.Name)
				}
			}
			lintClean(t, files)
		})
	}
}

// refName is a path component of a Docker image reference.
var refName = regexp.MustCompile(`^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$`)

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
