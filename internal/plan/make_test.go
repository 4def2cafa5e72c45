package plan_test

import (
	"errors"
	"strings"
	"testing"

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

// excluded reports whether BuildKit's own matcher leaves rel out of the
// build context under this .dockerignore.
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
	ok, err := pm.MatchesOrParentMatches(rel)
	if err != nil {
		t.Fatal(err)
	}
	return ok
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
	f.Services, f.ServiceSources = []string{"redis"}, []analysis.Source{{Name: "redis", Source: "cmd/api/main.go:4"}}
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
