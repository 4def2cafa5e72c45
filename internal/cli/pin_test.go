package cli

import (
	"bytes"
	"context"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/dockgen/dockgen/internal/state"
)

// TestPinFlags: a bad flag is a usage error (exit 2) found before anything
// is read — here DIR does not exist, which would be exit 1 — and good
// flags reach the missing .dockgen.yaml.
func TestPinFlags(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope")
	for _, tc := range []struct {
		name string
		args []string
		code int
		err  string
	}{
		{name: "mirror without registry", args: []string{"--mirror", "127.0.0.1:5000"}, code: 2, err: "want REGISTRY=MIRROR"},
		{name: "mirror registry is a path", args: []string{"--mirror", "docker.io/library=127.0.0.1:5000"}, code: 2, err: "registry host"},
		{name: "plain HTTP off this machine", args: []string{"--mirror", "docker.io=http://mirror.example.com"}, code: 2, err: "plain HTTP only"},
		{name: "second mirror bad", args: []string{"--mirror", "docker.io=127.0.0.1:5000/hub", "--mirror", "gcr.io="}, code: 2, err: "--mirror"},
		{name: "unknown flag", args: []string{"--latest"}, code: 2, err: "unknown flag"},
		{name: "two dirs", args: []string{"a", "b"}, code: 2, err: "at most one directory"},
		{name: "needs init", args: []string{"--update", "--mirror", "docker.io=127.0.0.1:5000/hub", "--mirror", "docker.io=localhost:5001"}, code: 1, err: "run `dockgen init` first"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, code := dockgenRun(append(append([]string{"pin"}, tc.args...), missing)...)
			if code != tc.code || !strings.Contains(stderr, tc.err) {
				t.Errorf("exit %d, want %d with %q; stderr:\n%s", code, tc.code, tc.err, stderr)
			}
			if _, err := os.Stat(missing); err == nil {
				t.Error("the directory was created")
			}
		})
	}
}

func dockgenRun(args ...string) (stdout, stderr string, code int) {
	var o, e bytes.Buffer
	code = run(context.Background(), args, &streams{in: strings.NewReader(""), out: &o, err: &e}, nil)
	return o.String(), e.String(), code
}

// pinRegistry is an in-process registry standing in for Docker Hub and
// gcr.io through `--mirror docker.io=HOST/hub --mirror gcr.io=HOST/gcr`.
type pinRegistry struct {
	t    *testing.T
	host string
}

func newPinRegistry(t *testing.T) *pinRegistry {
	s := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(s.Close)
	return &pinRegistry{t: t, host: strings.TrimPrefix(s.URL, "http://")}
}

func (r *pinRegistry) flags() []string {
	return []string{"--mirror", "docker.io=" + r.host + "/hub", "--mirror", "gcr.io=" + r.host + "/gcr"}
}

// push puts a new random image (an index of two for gcr.io's) under the
// mirrored name of image and returns its digest: the tag moves.
func (r *pinRegistry) push(image string) string {
	r.t.Helper()
	ref, err := name.ParseReference(image)
	if err != nil {
		r.t.Fatal(err)
	}
	prefix := map[string]string{"index.docker.io": "hub", "gcr.io": "gcr"}[ref.Context().RegistryStr()]
	if prefix == "" {
		r.t.Fatalf("no mirror for %s", image)
	}
	dst, err := name.ParseReference(r.host+"/"+prefix+"/"+ref.Context().RepositoryStr()+":"+ref.Identifier(), name.Insecure)
	if err != nil {
		r.t.Fatal(err)
	}
	var d v1.Hash
	if prefix == "gcr" {
		idx, err := random.Index(128, 1, 2)
		if err == nil {
			err = remote.WriteIndex(dst, idx)
		}
		if err == nil {
			d, err = idx.Digest()
		}
		if err != nil {
			r.t.Fatal(err)
		}
	} else {
		img, err := random.Image(128, 1)
		if err == nil {
			err = remote.Write(dst, img)
		}
		if err == nil {
			d, err = img.Digest()
		}
		if err != nil {
			r.t.Fatal(err)
		}
	}
	return d.String()
}

// hermeticPin keeps pin away from this machine's Docker configuration.
func hermeticPin(t *testing.T) {
	t.Setenv("DOCKER_CONFIG", t.TempDir())
	old := daemonConfig
	daemonConfig = filepath.Join(t.TempDir(), "daemon.json")
	t.Cleanup(func() { daemonConfig = old })
}

var fromRE = regexp.MustCompile(`(?m)^FROM (?:--platform=\S+ )?(\S+)`)

func fromLines(t *testing.T, dir string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range fromRE.FindAllStringSubmatch(string(b), -1) {
		out = append(out, m[1])
	}
	return out
}

// TestPin runs the commands end to end against an in-process registry
// behind --mirror: init, pin (every FROM pinned, recorded, regenerate
// --check clean), pin again (kept), pin --update after a tag moved, an
// edit kept, a base change that drops a pin, and a failure that writes
// nothing.
func TestPin(t *testing.T) {
	hermeticPin(t)
	reg := newPinRegistry(t)
	dir := t.TempDir()
	for rel, s := range map[string]string{
		"go.mod":  "module example.com/app\n\ngo 1.24\n",
		"main.go": "package main\n\nimport \"net/http\"\n\nfunc main() { http.ListenAndServe(\":8080\", nil) }\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, rel), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	must := func(want int, args ...string) (string, string) {
		t.Helper()
		out, errOut, code := dockgenRun(args...)
		if code != want {
			t.Fatalf("dockgen %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, want, out, errOut)
		}
		return out, errOut
	}
	pinArgs := func(extra ...string) []string {
		return append(append(append([]string{"pin"}, extra...), reg.flags()...), dir)
	}

	must(0, "init", "--yes", dir)
	const builder, runtime = "golang:1.24-bookworm", "gcr.io/distroless/static-debian12:nonroot"
	if got := fromLines(t, dir); !slices.Equal(got, []string{builder, runtime}) {
		t.Fatalf("FROM lines %q; the test expects %s and %s", got, builder, runtime)
	}
	b1, r1 := reg.push(builder), reg.push(runtime)

	out, _ := must(0, pinArgs()...)
	for _, l := range []string{"pinned " + builder + "@" + b1, "pinned " + runtime + "@" + r1} {
		if !strings.Contains(out, l+"\n") {
			t.Errorf("pin output lacks %q:\n%s", l, out)
		}
	}
	if !regexp.MustCompile(`(?m)^update +Dockerfile`).MatchString(out) {
		t.Errorf("pin did not rewrite the Dockerfile:\n%s", out)
	}
	if got := fromLines(t, dir); !slices.Equal(got, []string{builder + "@" + b1, runtime + "@" + r1}) {
		t.Errorf("FROM lines %q", got)
	}
	wantPinsSaved(t, dir, map[string]string{builder: b1, runtime: r1})
	must(0, "regenerate", "--check", dir)

	// Again: nothing to resolve, nothing to write.
	out, _ = must(0, pinArgs()...)
	if !strings.Contains(out, "kept "+builder+"@"+b1+"\n") || !regexp.MustCompile(`(?m)^unchanged +Dockerfile`).MatchString(out) {
		t.Errorf("second pin:\n%s", out)
	}

	// The runtime's tag moves; the user has edited the Dockerfile.
	r2 := reg.push(runtime)
	df := filepath.Join(dir, "Dockerfile")
	edited, err := os.ReadFile(df)
	if err != nil {
		t.Fatal(err)
	}
	edited = append(edited, "# my tweak\n"...)
	if err := os.WriteFile(df, edited, 0o644); err != nil {
		t.Fatal(err)
	}
	out, _ = must(0, pinArgs("--update")...)
	for _, l := range []string{"unchanged " + builder, "moved " + runtime + ": " + r1 + " → " + r2} {
		if !strings.Contains(out, l+"\n") {
			t.Errorf("pin --update output lacks %q:\n%s", l, out)
		}
	}
	if b, _ := os.ReadFile(df); !bytes.Contains(b, []byte("# my tweak\n")) {
		t.Errorf("the edit is gone:\n%s", b)
	}
	wantPinsSaved(t, dir, map[string]string{builder: b1, runtime: r2})

	// A failure writes nothing: the builder is missing from this mirror.
	before, _ := os.ReadFile(filepath.Join(dir, state.File))
	other := newPinRegistry(t)
	_, errOut := must(1, "pin", "--update", "--mirror", "docker.io="+other.host+"/hub", "--mirror", "gcr.io="+reg.host+"/gcr", dir)
	for _, want := range []string{"dockgen: resolve " + builder + ": " + other.host + "/hub/library/golang: tag", "what to do: check the image name and tag", "nothing was written"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if after, _ := os.ReadFile(filepath.Join(dir, state.File)); !bytes.Equal(before, after) {
		t.Error("a failed pin changed .dockgen.yaml")
	}

	// Another base: the distroless pin is no longer used, and goes.
	must(0, "init", "--yes", "--force", "--base", "debian", dir)
	d1 := reg.push("debian:bookworm-slim")
	out, _ = must(0, pinArgs()...)
	for _, l := range []string{"kept " + builder + "@" + b1, "pinned debian:bookworm-slim@" + d1, "dropped " + runtime + "@" + r2 + ": no longer used"} {
		if !strings.Contains(out, l+"\n") {
			t.Errorf("pin output lacks %q:\n%s", l, out)
		}
	}
	wantPinsSaved(t, dir, map[string]string{builder: b1, "debian:bookworm-slim": d1})
	if got := fromLines(t, dir); !slices.Equal(got, []string{builder + "@" + b1, "debian:bookworm-slim@" + d1}) {
		t.Errorf("FROM lines %q", got)
	}
	must(0, "regenerate", "--check", dir)
}

func wantPinsSaved(t *testing.T, dir string, want map[string]string) {
	t.Helper()
	st, err := state.Load(dir)
	if err != nil || st == nil {
		t.Fatalf("state: %v", err)
	}
	if len(st.Answers.Pins) != len(want) {
		t.Errorf("saved pins %v, want %v", st.Answers.Pins, want)
	}
	for k, v := range want {
		if st.Answers.Pins[k] != v {
			t.Errorf("saved pin %s = %q, want %q", k, st.Answers.Pins[k], v)
		}
	}
}
