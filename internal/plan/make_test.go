package plan_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"

	"github.com/dockgen/dockgen/internal/analysis"
	"github.com/dockgen/dockgen/internal/answers"
	"github.com/dockgen/dockgen/internal/lint"
	"github.com/dockgen/dockgen/internal/plan"
)

// TestGoVersions maps go.mod's go and toolchain lines to an image tag that
// exists, or refuses clearly.
func TestGoVersions(t *testing.T) {
	for _, tc := range []struct {
		goLine, toolchain string
		want              string // image, or "error: substring"
	}{
		{"1.25.0", "", "golang:1.25-bookworm"},
		{"1.22", "go1.26.1", "golang:1.26-bookworm"},
		{"1.25.3", "go1.24.0", "golang:1.25-bookworm"},
		{"1.23rc1", "", "golang:1.23-bookworm"},            // an rc of a released Go builds with the release
		{"1.22", "go1.24rc2", "golang:1.24-bookworm"},      // same for the toolchain
		{"1.27rc1", "", "golang:1.27rc1-bookworm"},         // not released yet: the rc's own tag
		{"1.16", "", "golang:1.21-bookworm"},               // no older bookworm image
		{"1.99", "", "error: newer than any Go release"},   // not a Go that exists
		{"2.0", "", "error: newer than any Go release"},    // nor this
		{"1.x", "", "error: want a Go version"},            // not a version
		{"1.25", "go1.25.bad", "error: want a Go version"}, // nor this
		{"", "", "golang:1.26-bookworm"},                   // no go line: the newest dockgen knows
	} {
		f := facts(httpMain(".", "app", 8080))
		f.Go, f.GoSource, f.Toolchain, f.ToolchainSource = tc.goLine, "go.mod:3", tc.toolchain, "go.mod:5"
		p, err := plan.Make(f, answers.Answers{})
		if e, ok := strings.CutPrefix(tc.want, "error: "); ok {
			var ie *analysis.InputError
			if !errors.As(err, &ie) || !strings.Contains(err.Error(), e) || ie.File != "go.mod" || ie.Line == 0 {
				t.Errorf("go %q toolchain %q: err %v, want an InputError at go.mod:line containing %q", tc.goLine, tc.toolchain, err, e)
			}
			continue
		}
		if err != nil {
			t.Errorf("go %q toolchain %q: %v", tc.goLine, tc.toolchain, err)
			continue
		}
		if p.Builder.Image != tc.want {
			t.Errorf("go %q toolchain %q: builder %s, want %s", tc.goLine, tc.toolchain, p.Builder.Image, tc.want)
		}
		for _, n := range p.Notes {
			if strings.Contains(n.Text, `go ""`) {
				t.Errorf("note with an empty go version: %s", n.Text)
			}
		}
	}
	// An explicit answer wins: the user knows a Go dockgen does not.
	f := facts(httpMain(".", "app", 8080))
	f.Go = "1.99"
	if p, err := plan.Make(f, answers.Answers{Go: "1.99"}); err != nil || p.Builder.Image != "golang:1.99-bookworm" {
		t.Errorf("--go 1.99: %v", err)
	}
}

// excluded reports whether BuildKit leaves rel out of the build context
// under this .dockerignore (its matcher, applied as its context walk does).
func excluded(t *testing.T, dockerignore []byte, rel string) bool {
	t.Helper()
	ps, err := ignorefile.ReadAll(strings.NewReader(string(dockerignore)))
	if err != nil {
		t.Fatal(err)
	}
	pm, err := patternmatcher.New(ps)
	if err != nil {
		t.Fatal(err)
	}
	ok, err := lint.Excluded(pm, rel)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

// TestDockerignoreVendor: a vendor/ the build uses stays in the context;
// one it ignores or would refuse stays out, and the modules are downloaded.
func TestDockerignoreVendor(t *testing.T) {
	for _, tt := range []struct {
		vendor, ignored, out, download bool
	}{
		{vendor: true, out: false, download: false},
		{ignored: true, out: true, download: true},
		{out: false, download: true}, // no vendor/ at all
	} {
		f := facts(httpMain(".", "app", 8080))
		f.Vendor, f.VendorIgnored = tt.vendor, tt.ignored
		p, err := plan.Make(f, answers.Answers{})
		if err != nil {
			t.Fatal(err)
		}
		di := build(t, f, answers.Answers{})[".dockerignore"]
		if got := excluded(t, di, "vendor/modules.txt"); got != tt.out {
			t.Errorf("vendor %v ignored %v: vendor/modules.txt excluded = %v, want %v:\n%s", tt.vendor, tt.ignored, got, tt.out, di)
		}
		if p.Builder.Download != tt.download || p.Builder.Vendor != tt.vendor {
			t.Errorf("vendor %v ignored %v: download %v vendor %v", tt.vendor, tt.ignored, p.Builder.Download, p.Builder.Vendor)
		}
	}
}

// TestDockerignoreKeepsWhatTheBuildNeeds: no Go source, go.mod/go.sum or
// built package is excluded; embedded assets come back even where a broad
// secret pattern would hide them; secrets and VCS data stay out.
func TestDockerignoreKeepsWhatTheBuildNeeds(t *testing.T) {
	f := facts(httpMain("./bin/tool", "tool", 8080), analysis.Main{Dir: "./cmd/cli", Name: "cli"})
	f.Embed = []string{"certs", "web/static"}
	di := build(t, f, answers.Answers{})[".dockerignore"]
	for _, keep := range []string{"go.mod", "go.sum", "main.go", "dist/d.go", "tmp/x.go", "bin/tool/main.go", "id_rsa_helper.go",
		"internal/coverage.go", "pkg/id_ed25519_test.go", "certs/server.pem", "certs/ca.key", "web/static/app.js", "vendor/x/y.go", "cmd/cli/main.go"} {
		if excluded(t, di, keep) {
			t.Errorf(".dockerignore excludes %s:\n%s", keep, di)
		}
	}
	for _, out := range []string{".git/config", ".env", "config/.env.local", "keys/server.pem", "id_rsa", "home/.ssh/id_ed25519", "coverage.html", "dist/app", "Dockerfile", ".dockgen.yaml"} {
		if !excluded(t, di, out) {
			t.Errorf(".dockerignore lets %s in:\n%s", out, di)
		}
	}
}

// TestComposeNamesAreUnique: a binary named like a backing service gets
// its name; the service is renamed; two services never share a host port.
func TestComposeNamesAreUnique(t *testing.T) {
	f := facts(httpMain("./cmd/redis", "redis", 8080), httpMain("./cmd/api", "api", 8080))
	f.Services, f.ServiceSources = []string{"redis"}, []analysis.ServiceSource{{Name: "redis", Source: "cmd/api/main.go:4"}}
	files := build(t, f, answers.Answers{})
	if _, err := lint.LoadCompose(t.TempDir(), files["compose.yaml"], nil); err != nil {
		t.Fatalf("compose-go: %v\n%s", err, files["compose.yaml"])
	}
	cd := parseCompose(t, files["compose.yaml"])
	if len(cd.Services) != 3 || cd.Services["redis"] == nil || cd.Services["redis-db"] == nil {
		t.Errorf("services %v, want api, redis (the binary) and redis-db", keys(cd.Services))
	}
	if b, _ := cd.Services["redis"]["build"].(map[string]any); b["target"] != "redis" {
		t.Errorf("service redis is not the binary: %v", cd.Services["redis"])
	}
	ports := map[any]string{}
	for name, s := range cd.Services {
		for _, p := range asList(s["ports"]) {
			host := strings.Split(p.(string), ":")[1]
			if other, dup := ports[host]; dup {
				t.Errorf("%s and %s both publish host port %s", name, other, host)
			}
			ports[host] = name
		}
	}
	if len(ports) != 2 {
		t.Errorf("published %v", ports)
	}
	if strings.Count(string(files["compose.yaml"]), "max-size: \"10m\"") != 3 {
		t.Errorf("every service needs log rotation:\n%s", files["compose.yaml"])
	}
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

// TestInModuleReplaceIsBound: `replace example.com/lib => ./lib` makes
// go mod download read lib/go.mod, so the download step binds it.
func TestInModuleReplaceIsBound(t *testing.T) {
	f := facts(httpMain(".", "app", 8080))
	f.ReplaceDirs = []string{"./lib", "./third_party/x"}
	_, df := renderChecked(t, f, answers.Answers{})
	dl := df.stage(t, "build").nodesOf("run")[0]
	for _, m := range []string{"lib/go.mod", "third_party/x/go.mod"} {
		if !hasMount(dl, "bind", m) {
			t.Errorf("download does not bind %s: %q", m, dl.Flags)
		}
	}
}

// TestPins: a recorded digest pins every use of its image; a pin nothing
// uses any more is a warning; Images lists what `dockgen pin` resolves.
func TestPins(t *testing.T) {
	d1 := "sha256:" + strings.Repeat("a", 64)
	d2 := "sha256:" + strings.Repeat("b", 64)
	m := httpMain(".", "app", 8080)
	m.Env = []analysis.EnvVar{{Name: "REDIS_ADDR", Source: "main.go:8"}} // wired: no unwired-service warning
	f := facts(m)
	f.Services = []string{"redis"}
	a := answers.Answers{Pins: map[string]string{"golang:1.25-bookworm": d1, "gcr.io/distroless/static-debian12:nonroot": d2, "old:1": d1}}
	p, err := plan.Make(f, a)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Images(); strings.Join(got, " ") != "gcr.io/distroless/static-debian12:nonroot golang:1.25-bookworm redis:7.4-bookworm" {
		t.Errorf("Images %v", got)
	}
	files, df := renderChecked(t, f, a)
	if b := df.stage(t, "build"); b.BaseName != "golang:1.25-bookworm@"+d1 {
		t.Errorf("builder %s", b.BaseName)
	}
	if r := df.stage(t, "app"); r.BaseName != "gcr.io/distroless/static-debian12:nonroot@"+d2 {
		t.Errorf("runtime %s", r.BaseName)
	}
	if !strings.Contains(string(files["compose.yaml"]), `image: "redis:7.4-bookworm"`) {
		t.Errorf("unpinned service image changed")
	}
	if len(p.Warnings) != 1 || p.Warnings[0].Code != "pin-unused" || !strings.Contains(p.Warnings[0].Text, "old:1") {
		t.Errorf("warnings %v", p.Warnings)
	}
	if _, err := plan.Make(f, answers.Answers{Pins: map[string]string{"golang:1.25-bookworm": "sha256:short"}}); err == nil {
		t.Error("a malformed digest is accepted")
	}
}

// TestRuntimeTools: a binary that runs a program gets a base that can carry
// it (debian, the package installed with apt), unless the user chose a base,
// which is then a warning; a program with no known package is a warning.
func TestRuntimeTools(t *testing.T) {
	git := httpMain("./cmd/api", "api", 8080)
	git.Needs = []string{"exec:git", "exec:sh"}
	git.NeedSources = []analysis.Need{{Need: "exec:git", Source: "cmd/api/main.go:12"}, {Need: "exec:sh", Source: "cmd/api/main.go:13"}}
	plain := httpMain("./cmd/web", "web", 8081)
	f := facts(git, plain)
	p, err := plan.Make(f, answers.Answers{})
	if err != nil {
		t.Fatal(err)
	}
	api, web := p.Binary("api"), p.Binary("web")
	if api.Base.Name != "debian" || api.Runtime != "debian:bookworm-slim" || strings.Join(api.Packages, " ") != "git" || !strings.Contains(api.BaseWhy, "cmd/api/main.go:12") {
		t.Errorf("api: base %s runtime %s packages %v why %q", api.Base.Name, api.Runtime, api.Packages, api.BaseWhy)
	}
	if web.Base.Name != "distroless" || len(web.Packages) != 0 {
		t.Errorf("web: base %s packages %v", web.Base.Name, web.Packages)
	}
	_, df := renderChecked(t, f, answers.Answers{})
	runs := of[*instructions.RunCommand](df.stage(t, "api"))
	if len(runs) != 1 || !strings.Contains(runScript(t, runs[0]), "apt-get install -y --no-install-recommends git") {
		t.Errorf("api runtime RUNs %v", runs)
	}

	p, err = plan.Make(f, answers.Answers{Base: "distroless"})
	if err != nil {
		t.Fatal(err)
	}
	if p.Binary("api").Base.Name != "distroless" || len(p.Warnings) == 0 || p.Warnings[0].Code != "tool-missing" {
		t.Errorf("answered base: %s, warnings %v", p.Binary("api").Base.Name, p.Warnings)
	}

	odd := httpMain(".", "app", 8080)
	odd.NeedSources = []analysis.Need{{Need: "exec:frobnicate", Source: "main.go:3"}}
	p, err = plan.Make(facts(odd), answers.Answers{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Warnings) != 1 || p.Warnings[0].Code != "tool-unknown" {
		t.Errorf("unknown tool: %v", p.Warnings)
	}
}

// TestExistingContainerFiles: an existing compose file's name is where
// compose.yaml goes; a hand-written Dockerfile's EXPOSE is the port when
// the code's listener cannot be followed (and never overrides the code).
func TestExistingContainerFiles(t *testing.T) {
	m := httpMain(".", "app", 0)
	m.Listeners[0].Port, m.Listeners[0].Addr = 0, ""
	f := facts(m)
	f.ComposeFile = "docker-compose.yml"
	f.Dockerfile = &analysis.Dockerfile{Expose: []analysis.Port{{Port: 3000, Source: "Dockerfile:9"}}}
	p, err := plan.Make(f, answers.Answers{})
	if err != nil {
		t.Fatal(err)
	}
	if p.ComposeFile != "docker-compose.yml" {
		t.Errorf("compose file %s", p.ComposeFile)
	}
	b := p.Binaries[0]
	if b.Port != 3000 || b.PortSource != "Dockerfile:9" || b.PortGuessed {
		t.Errorf("port %d from %s (guessed %v)", b.Port, b.PortSource, b.PortGuessed)
	}
	files := build(t, f, answers.Answers{})
	if _, ok := files["docker-compose.yml"]; !ok {
		t.Errorf("files %v", keys(files))
	}
	if !strings.Contains(string(files[".dockerignore"]), "\ndocker-compose.yml\n") {
		t.Errorf(".dockerignore does not leave out the compose file")
	}
	// A port the code shows wins over the Dockerfile.
	f.Mains[0] = httpMain(".", "app", 8080)
	if p, _ := plan.Make(f, answers.Answers{}); p.Binaries[0].Port != 8080 {
		t.Errorf("code port lost to EXPOSE: %d", p.Binaries[0].Port)
	}
}

// TestWritablePaths: paths the program writes become directories owned by
// the image's user, VOLUMEs, and named volumes in compose; /tmp needs none;
// nested paths share their outer volume.
func TestWritablePaths(t *testing.T) {
	m := httpMain(".", "app", 8080)
	m.Writes = []analysis.Write{
		{Path: "./data/app.db", Source: "main.go:10"},
		{Path: "data/uploads", Dir: true, Source: "main.go:11"},
		{Path: "/var/lib/app/state", Source: "main.go:12"},
		{Path: "/tmp/scratch", Source: "main.go:13"},
	}
	f := facts(m)
	p, err := plan.Make(f, answers.Answers{})
	if err != nil {
		t.Fatal(err)
	}
	b := p.Binaries[0]
	var got []string
	for _, v := range b.Volumes {
		got = append(got, v.Name+"="+v.Path)
	}
	if strings.Join(got, " ") != "app-data=/home/nonroot/data app-var-lib-app=/var/lib/app" || b.WorkDir != "/home/nonroot" {
		t.Errorf("volumes %v workdir %q", got, b.WorkDir)
	}
	files, df := renderChecked(t, f, answers.Answers{})
	r := df.stage(t, "app")
	if v := of[*instructions.VolumeCommand](r); len(v) != 1 || strings.Join(v[0].Volumes, " ") != "/home/nonroot/data /var/lib/app" {
		t.Errorf("VOLUME %+v", v)
	}
	if w := of[*instructions.WorkdirCommand](r); len(w) != 1 || w[0].Path != "/home/nonroot" {
		t.Errorf("WORKDIR %+v", w)
	}
	chowned := 0
	for _, c := range of[*instructions.CopyCommand](r) {
		if c.Chown == "65532:65532" {
			chowned++
		}
	}
	if chowned != 2 {
		t.Errorf("%d COPY --chown, want one per volume", chowned)
	}
	cd := parseCompose(t, files["compose.yaml"])
	if vols := asList(cd.Services["app"]["volumes"]); len(vols) != 2 || vols[0] != "app-data:/home/nonroot/data" {
		t.Errorf("compose volumes %v", vols)
	}
	if _, ok := cd.Volumes["app-var-lib-app"]; !ok {
		t.Errorf("named volumes %v", cd.Volumes)
	}
	if cd.Services["app"]["read_only"] != true {
		t.Error("the root is no longer read-only")
	}
}

// TestRuntimeFiles: files the program reads at run time are copied where
// it looks (its working directory), kept in the build context; a missing
// config is mounted from the host with a warning naming its sample; a
// secret-looking file is never copied.
func TestRuntimeFiles(t *testing.T) {
	m := httpMain(".", "app", 8080)
	m.Reads = []analysis.Read{
		{Path: "templates/*.html", Glob: true, Exists: true, Source: "main.go:10"},
		{Path: "templates/partials/nav.html", Exists: true, Source: "main.go:11"},
		{Path: "static", Dir: true, Exists: true, Source: "main.go:12"},
		{Path: "config.yaml", Sample: "config.sample.yaml", Source: "main.go:13"},
		{Path: "certs/server.key", Exists: true, Source: "main.go:14"},
	}
	f := facts(m)
	p, err := plan.Make(f, answers.Answers{})
	if err != nil {
		t.Fatal(err)
	}
	b := p.Binaries[0]
	var copied, mounted []string
	for _, x := range b.Files {
		copied = append(copied, x.Src+"→"+x.Path)
	}
	for _, x := range b.Mounts {
		mounted = append(mounted, x.Host+"→"+x.Path)
	}
	if strings.Join(copied, " ") != "templates→/home/nonroot/templates static→/home/nonroot/static" {
		t.Errorf("copied %v", copied)
	}
	if strings.Join(mounted, " ") != "./config.yaml→/home/nonroot/config.yaml ./certs/server.key→/home/nonroot/certs/server.key" {
		t.Errorf("mounted %v", mounted)
	}
	var codes []string
	for _, w := range p.Warnings {
		codes = append(codes, w.Code)
		if w.Code == "config-missing" && !strings.Contains(w.Text, "copy config.sample.yaml to config.yaml") {
			t.Errorf("warning does not name the sample: %s", w.Text)
		}
	}
	if strings.Join(codes, " ") != "config-missing secret-file" {
		t.Errorf("warnings %v", codes)
	}
	files, df := renderChecked(t, f, answers.Answers{})
	r := df.stage(t, "app")
	var srcs []string
	for _, c := range of[*instructions.CopyCommand](r) {
		if c.From == "" {
			srcs = append(srcs, strings.Join(c.SourcePaths, ",")+"→"+c.DestPath)
		}
	}
	if strings.Join(srcs, " ") != "templates/→/home/nonroot/templates/ static/→/home/nonroot/static/" {
		t.Errorf("context COPYs %v", srcs)
	}
	for _, keep := range []string{"templates/index.html", "static/app.css"} {
		if excluded(t, files[".dockerignore"], keep) {
			t.Errorf(".dockerignore excludes %s", keep)
		}
	}
	if strings.Contains(string(files["Dockerfile"]), "server.key") {
		t.Error("a secret is in the Dockerfile")
	}
	// Long syntax, so a missing host file is an error, not an empty
	// directory docker creates in its place.
	vols := asList(parseCompose(t, files["compose.yaml"]).Services["app"]["volumes"])
	if v, _ := vols[0].(map[string]any); len(vols) != 2 || v["source"] != "./config.yaml" || v["read_only"] != true || v["bind"].(map[string]any)["create_host_path"] != false {
		t.Errorf("compose volumes %v", vols)
	}
}

// TestSubcommandAndFlagPin: a server started under a subcommand with its
// address from a flag gets a CMD that runs the subcommand and pins the
// flag (fixing a loopback default); --port moves it.
func TestSubcommandAndFlagPin(t *testing.T) {
	m := httpMain(".", "app", 8010)
	m.Listeners = []analysis.Listener{
		{Addr: "127.0.0.1:6060", Port: 6060, Loopback: true, Kind: "pprof", Conditional: true, Source: "debug.go:9"},
		{Addr: "127.0.0.1:8010", Port: 8010, Loopback: true, Flag: "listen", FlagIsAddr: true, Subcommand: "serve", Primary: true, AddrSource: "cmd/serve.go:20", Source: "cmd/serve.go:31"},
	}
	f := facts(m)
	p, err := plan.Make(f, answers.Answers{})
	if err != nil {
		t.Fatal(err)
	}
	b := p.Binaries[0]
	if b.Port != 8010 || b.PortSource != "cmd/serve.go:20" || strings.Join(b.Args, " ") != "serve --listen=:8010" {
		t.Errorf("port %d from %s, args %q", b.Port, b.PortSource, b.Args)
	}
	_, df := renderChecked(t, f, answers.Answers{})
	if c := of[*instructions.CmdCommand](df.stage(t, "app")); len(c) != 1 || c[0].PrependShell || strings.Join(c[0].CmdLine, " ") != "serve --listen=:8010" {
		t.Errorf("CMD %+v", c)
	}
	p, _ = plan.Make(f, answers.Answers{Ports: map[string]int{"app": 9000}})
	if b := p.Binaries[0]; b.Port != 9000 || strings.Join(b.Args, " ") != "serve --listen=:9000" {
		t.Errorf("--port app=9000: port %d args %q", b.Port, b.Args)
	}
}

// TestExampleServersWhenNothingElseServes: a library whose only server is
// under examples/ gets it by default; otherwise examples stay out.
func TestExampleServersWhenNothingElseServes(t *testing.T) {
	cli := analysis.Main{Dir: "./cmd/gen", Name: "gen"}
	example := httpMain("./examples/base", "base", 8080)
	p, err := plan.Make(facts(cli, example), answers.Answers{})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(p.BinaryNames(), " ") != "gen base" {
		t.Errorf("binaries %v, want the CLI and the example server", p.BinaryNames())
	}
	p, _ = plan.Make(facts(cli, httpMain("./cmd/api", "api", 8081), example), answers.Answers{})
	if strings.Join(p.BinaryNames(), " ") != "gen api" {
		t.Errorf("binaries %v, want the example left out when the module serves", p.BinaryNames())
	}
}

// TestNoHostEnvOrSystemVolumes: variables the OS sets (HOME, HOSTNAME) are
// not interpolated from the user's shell into compose, and a write that
// resolves to a directory the base image has (/home) is a warning, not a
// volume that would keep root as its owner.
func TestNoHostEnvOrSystemVolumes(t *testing.T) {
	m := httpMain(".", "app", 8080)
	m.Env = []analysis.EnvVar{{Name: "HOME"}, {Name: "HOSTNAME"}, {Name: "APP_MODE", Default: "prod", HasDefault: true}}
	m.Writes = []analysis.Write{{Path: "./../gorm.db", Source: "db.go:9"}}
	p, err := plan.Make(facts(m), answers.Answers{})
	if err != nil {
		t.Fatal(err)
	}
	b := p.Binaries[0]
	var env []string
	for _, e := range b.ComposeEnv {
		env = append(env, e.Name)
	}
	if strings.Join(env, " ") != "APP_MODE" {
		t.Errorf("compose env %v, want APP_MODE only", env)
	}
	if len(b.Volumes) != 0 || len(p.Warnings) != 1 || p.Warnings[0].Code != "write-path" || !strings.Contains(p.Warnings[0].Text, "resolves to /home") {
		t.Errorf("volumes %v warnings %v", b.Volumes, p.Warnings)
	}
}

// TestOneShotSubcommandJobs: a service binary's `migrate` subcommand
// becomes a compose job — same image, environment, backing services and
// volumes, the subcommand as its command, no port, the image's health
// check off, never restarted — whose name clashes with nothing; an unsafe
// subcommand is left to the user with a note.
func TestOneShotSubcommandJobs(t *testing.T) {
	m := httpMain(".", "api", 8080)
	m.Listeners[0].Subcommand = "serve"
	m.Env = []analysis.EnvVar{{Name: "DATABASE_URL", Required: true, Source: "main.go:9"}}
	m.Services = []string{"postgres"}
	m.Commands = []analysis.Command{
		{Subcommand: "migrate", Does: "migrate", Via: "github.com/pressly/goose/v3", Source: "migrate.go:12"},
		{Subcommand: "--evil", Does: "migrate", Via: "gorm.io/gorm", Source: "x.go:3"},
	}
	other := httpMain("./cmd/api-migrate", "api-migrate", 9000) // takes the obvious name
	f := facts(m, other)
	f.Services, f.ServiceSources = []string{"postgres"}, []analysis.ServiceSource{{Name: "postgres", Source: "main.go:5", Selection: "always"}}
	p, err := plan.Make(f, answers.Answers{})
	if err != nil {
		t.Fatal(err)
	}
	b := p.Binary("api")
	if len(b.Jobs) != 1 || b.Jobs[0].Name != "api-migrate-2" || strings.Join(b.Jobs[0].Args, " ") != "migrate" {
		t.Fatalf("jobs %+v", b.Jobs)
	}
	if !slices.ContainsFunc(p.Notes, func(n plan.Note) bool { return n.Source == "x.go:3" }) {
		t.Errorf("no note for the unsafe subcommand: %v", p.Notes)
	}
	files := build(t, f, answers.Answers{})
	if _, err := lint.LoadCompose(t.TempDir(), files["compose.yaml"], map[string]string{"POSTGRES_PASSWORD": "x"}); err != nil {
		t.Fatalf("compose-go: %v\n%s", err, files["compose.yaml"])
	}
	cd := parseCompose(t, files["compose.yaml"])
	j, api := cd.Services["api-migrate-2"], cd.Services["api"]
	if j == nil {
		t.Fatalf("no job service in\n%s", files["compose.yaml"])
	}
	if bd, _ := j["build"].(map[string]any); bd["target"] != "api" {
		t.Errorf("the job does not run api's image: %v", j["build"])
	}
	if c := asList(j["command"]); len(c) != 1 || c[0] != "migrate" {
		t.Errorf("command %v", j["command"])
	}
	if p := asList(j["profiles"]); len(p) != 1 || p[0] != "jobs" || j["restart"] != "no" || j["ports"] != nil {
		t.Errorf("job: profiles %v restart %v ports %v", j["profiles"], j["restart"], j["ports"])
	}
	if hc, _ := j["healthcheck"].(map[string]any); hc["disable"] != true {
		t.Errorf("the job keeps the image's health check: %v", j["healthcheck"])
	}
	if fmt.Sprint(j["environment"]) != fmt.Sprint(api["environment"]) || fmt.Sprint(j["depends_on"]) != fmt.Sprint(api["depends_on"]) || j["depends_on"] == nil {
		t.Errorf("job env %v depends %v; api env %v depends %v", j["environment"], j["depends_on"], api["environment"], api["depends_on"])
	}
	if api["command"] != nil || api["profiles"] != nil {
		t.Errorf("api changed: %v", api)
	}
}

// TestNestedSubcommands: a subcommand path of several words becomes
// that many arguments, for the server's CMD and for a job; a word dockgen
// may not put in a command line drops the whole path.
func TestNestedSubcommands(t *testing.T) {
	m := httpMain(".", "app", 8080)
	m.Listeners[0].Subcommand = "server start"
	m.Commands = []analysis.Command{{Subcommand: "migrate up", Does: "migrate", Via: "github.com/pressly/goose/v3", Source: "m.go:3"}}
	p, err := plan.Make(facts(m), answers.Answers{})
	if err != nil {
		t.Fatal(err)
	}
	b := p.Binaries[0]
	if strings.Join(b.Args, "|") != "server|start" {
		t.Errorf("args %q", b.Args)
	}
	if len(b.Jobs) != 1 || b.Jobs[0].Name != "app-migrate-up" || strings.Join(b.Jobs[0].Args, "|") != "migrate|up" {
		t.Errorf("jobs %+v", b.Jobs)
	}
	m.Listeners[0].Subcommand = "server $(id)"
	p, err = plan.Make(facts(m), answers.Answers{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Binaries[0].Args) != 0 || !slices.ContainsFunc(p.Warnings, func(n plan.Note) bool { return n.Code == "subcommand-unsafe" }) {
		t.Errorf("unsafe path: args %q, warnings %v", p.Binaries[0].Args, p.Warnings)
	}
}

// TestGenerateInTheBuildStage: code only //go:generate directives that need
// nothing but go make is generated in the build stage, before go build;
// a Makefile recipe (or a step needing other tools) stays a warning.
func TestGenerateInTheBuildStage(t *testing.T) {
	for _, tc := range []struct {
		name string
		g    *analysis.Generate
		want bool
	}{
		{"directives", &analysis.Generate{Missing: []string{"greeting"}, Source: "main.go:22", Command: "go generate ./...", CommandSource: "main.go:7", GoOnly: true}, true},
		{"needs other tools", &analysis.Generate{Missing: []string{"pb.NewClient"}, Source: "main.go:9", Command: "go generate ./...", CommandSource: "gen.go:3"}, false},
		{"makefile recipe", &analysis.Generate{Missing: []string{"html.Index"}, Source: "main.go:9", Command: "go run github.com/benbjohnson/ego/cmd/ego ./http/html", CommandSource: "Makefile:4", GoOnly: true}, false},
	} {
		f := facts(httpMain(".", "app", 8080))
		f.Generate = tc.g
		p, err := plan.Make(f, answers.Answers{})
		if err != nil {
			t.Fatal(err)
		}
		if p.Builder.Generate != tc.want || slices.Contains(p.Fixed, tc.g.Source) != tc.want {
			t.Errorf("%s: generate %v, fixed %v", tc.name, p.Builder.Generate, p.Fixed)
		}
		_, df := renderChecked(t, f, answers.Answers{})
		runs := of[*instructions.RunCommand](df.stage(t, "build"))
		build := strings.Join(runs[len(runs)-1].CmdLine, " ")
		if strings.Contains(build, "go generate ./... && ") != tc.want || strings.Contains(build, "ego") {
			t.Errorf("%s: build RUN %q", tc.name, build)
		}
	}
}
