package examples

// End-to-end test of `dockgen pin` on a real Docker engine, with no
// registry on the network: a local OCI registry (go-containerregistry's
// cmd/registry, DOCKGEN_REGISTRY_BIN) holds the engine's stand-in base
// images under mirrored names (127.0.0.1:PORT/hub/library/golang:…,
// 127.0.0.1:PORT/gcr/distroless/…); `dockgen pin --mirror docker.io=… --mirror
// gcr.io=…` pins the hello example to their digests; the pinned Dockerfile
// is built, run hardened and must become healthy and answer; then the
// runtime base's tag moves, `pin --update` says so, and the rebuilt image
// really derives from the moved digest.
//
// How the pinned FROM lines are built offline. The engine's own BuildKit
// (Engine 20.10 here) resolves `FROM gcr.io/distroless/static-debian12:
// nonroot@sha256:D` locally only through a `gcr.io/distroless/static-debian12
// @sha256:D` entry in the engine's reference store, and only a pull or a push
// of that very name creates one: pulling the digest from the local registry
// and tagging it, or `docker load` with a digest in RepoTags, leave the entry
// out (tried: the build then asks gcr.io for the manifest and fails), and
// the daemon's registry-mirrors cover Docker Hub only and are the shared
// daemon's configuration. So the build goes through a BuildKit daemon of the
// test's own (DOCKGEN_BUILDKITD_BIN, root in a temp dir, a unix socket)
// whose buildkitd.toml mirrors docker.io and gcr.io to the local registry —
// what an air-gapped user does — driven by the engine's `docker buildx build`
// (remote driver, a private BUILDX_CONFIG) and `--load`ed into the engine,
// which then runs the image. BuildKit checks every blob against the pinned
// digests, so the build can only succeed on exactly the pinned content.
//
// Gate: as the other e2e tests (DOCKGEN_E2E=1). With it, a missing registry
// or buildkitd binary is a failure, never a skip.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dockgen/dockgen/internal/cli"
	"github.com/dockgen/dockgen/internal/state"
)

// requireBinary returns the path in env, failing (the gate is already
// open) when it is not an executable.
func requireBinary(t *testing.T, env, what, provide string) string {
	t.Helper()
	p := os.Getenv(env)
	if p == "" {
		t.Fatalf("e2e: DOCKGEN_E2E=1 but %s is not set: it names %s (%s)", env, what, provide)
	}
	if fi, err := os.Stat(p); err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
		t.Fatalf("e2e: %s=%s: not an executable (%v)", env, p, err)
	}
	return p
}

// startDaemon starts a background program for the test and stops it
// (SIGTERM, then SIGKILL) when the test ends; its output goes to log.
func startDaemon(t *testing.T, log string, name string, args ...string) *exec.Cmd {
	t.Helper()
	f, err := os.Create(log)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		f.Close()
		t.Fatalf("start %s: %v", name, err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); f.Close(); close(done) }() //nolint:errcheck // ended by the test
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM) //nolint:errcheck // may have exited
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			cmd.Process.Kill() //nolint:errcheck // last resort
			<-done
		}
	})
	return cmd
}

// waitFor polls cond until it holds or the timeout passes.
func waitFor(t *testing.T, what string, timeout time.Duration, log string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(timeout); !cond(); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(log)
			t.Fatalf("e2e: %s within %s; log:\n%s", what, timeout, tail(string(b), 30))
		}
	}
}

// startRegistry runs the local registry on a free loopback port (it
// listens on localhost and logs the port it got) and returns host:port.
func startRegistry(t *testing.T, bin, dir string) string {
	t.Helper()
	log := filepath.Join(dir, "registry.log")
	startDaemon(t, log, bin, "-port", "0")
	portRE := regexp.MustCompile(`serving on port (\d+)`)
	var host string
	waitFor(t, "the registry did not report its port", 10*time.Second, log, func() bool {
		b, _ := os.ReadFile(log)
		if m := portRE.FindSubmatch(b); m != nil {
			host = "127.0.0.1:" + string(m[1])
		}
		return host != ""
	})
	waitFor(t, "the registry did not answer on "+host, 10*time.Second, log, func() bool {
		resp, err := http.Get("http://" + host + "/v2/")
		if err == nil {
			resp.Body.Close()
		}
		return err == nil && resp.StatusCode == http.StatusOK
	})
	return host
}

// mirrored is where an image lives in the local registry.
func mirrored(reg, image string) string {
	if rest, ok := strings.CutPrefix(image, "gcr.io/"); ok {
		return reg + "/gcr/" + rest
	}
	if !strings.Contains(strings.Split(image, ":")[0], "/") {
		image = "library/" + image
	}
	return reg + "/hub/" + image
}

var pushDigestRE = regexp.MustCompile(`digest: (sha256:[0-9a-f]{64}) size:`)

// pushMirrored pushes a local image under its mirrored name and returns
// the manifest digest the registry holds; the mirrored names are removed
// again (only names: the image stays).
func pushMirrored(t *testing.T, ctx context.Context, reg, local, image string) string {
	t.Helper()
	dst := mirrored(reg, image)
	mustDocker(t, ctx, nil, "tag", local, dst)
	out := mustDocker(t, ctx, nil, "push", dst)
	m := pushDigestRE.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("docker push %s: no digest in:\n%s", dst, out)
	}
	repo, _, _ := strings.Cut(dst[len(reg):], ":")
	t.Cleanup(func() {
		docker(context.Background(), nil, "image", "rm", dst, reg+repo+"@"+m[1]) //nolint:errcheck // names only, best effort
	})
	return m[1]
}

// buildkit is the test's BuildKit daemon, mirroring Docker Hub and gcr.io
// to the local registry, as a buildx builder.
type buildkit struct {
	env     []string // BUILDX_CONFIG: the builder stays out of ~/.docker
	builder string
}

func startBuildkit(t *testing.T, ctx context.Context, bin, reg, dir string) *buildkit {
	t.Helper()
	if _, err := exec.LookPath("runc"); err != nil {
		t.Fatalf("e2e: buildkitd needs runc on PATH (Debian's docker.io brings it): %v", err)
	}
	cfg := filepath.Join(dir, "buildkitd.toml")
	toml := fmt.Sprintf(`[worker.oci]
  enabled = true
  gc = false
[worker.containerd]
  enabled = false
[registry."docker.io"]
  mirrors = ["%[1]s/hub"]
[registry."gcr.io"]
  mirrors = ["%[1]s/gcr"]
[registry."%[1]s"]
  http = true
`, reg)
	if err := os.WriteFile(cfg, []byte(toml), 0o644); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "buildkitd.sock")
	log := filepath.Join(dir, "buildkitd.log")
	startDaemon(t, log, bin, "--root", filepath.Join(dir, "root"), "--addr", "unix://"+sock,
		"--config", cfg, "--oci-worker-net=host")
	waitFor(t, "buildkitd did not listen", 30*time.Second, log, func() bool {
		_, err := os.Stat(sock)
		return err == nil
	})
	bk := &buildkit{env: []string{"BUILDX_CONFIG=" + filepath.Join(dir, "buildx")}, builder: "dockgen-pin-e2e-" + e2eRunID}
	mustDocker(t, ctx, bk.env, "buildx", "create", "--name", bk.builder, "--driver", "remote", "unix://"+sock)
	return bk
}

// build builds the target of dir's Dockerfile into the engine as image and
// returns how long it took and BuildKit's progress log.
func (bk *buildkit) build(t *testing.T, ctx context.Context, dir, target, image string) (time.Duration, string) {
	t.Helper()
	t0 := time.Now()
	cmd := exec.CommandContext(ctx, "docker", "buildx", "build", "--builder", bk.builder, "--progress=plain", "--load",
		"--label", e2eLabel+"="+e2eRunID, "--target", target, "-t", image, dir)
	cmd.Env = append(os.Environ(), bk.env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("docker buildx build: %v\n%s", err, tail(string(out), 40))
	}
	return time.Since(t0), string(out)
}

func layers(t *testing.T, ctx context.Context, image string) []string {
	t.Helper()
	var l []string
	if err := json.Unmarshal([]byte(mustDocker(t, ctx, nil, "image", "inspect", "--format", "{{json .RootFS.Layers}}", image)), &l); err != nil {
		t.Fatal(err)
	}
	return l
}

func dockgenMain(t *testing.T, want int, args ...string) (string, string) {
	t.Helper()
	var o, e strings.Builder
	if code := cli.Main(args, strings.NewReader(""), &o, &e); code != want {
		t.Fatalf("dockgen %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, want, o.String(), e.String())
	}
	return o.String(), e.String()
}

func TestPinE2E(t *testing.T) {
	requireEngine(t)
	regBin := requireBinary(t, "DOCKGEN_REGISTRY_BIN", "go-containerregistry's cmd/registry binary", "bash .ci/provision-docker --registry-bin builds it")
	bkBin := requireBinary(t, "DOCKGEN_BUILDKITD_BIN", "a buildkitd binary (moby/buildkit's cmd/buildkitd)",
		"build it from a tools module that requires github.com/moby/buildkit, as .ci/tools/compose does for Compose")
	t.Cleanup(func() { removeLabelled(t) })
	ctx, cancel := context.WithTimeout(context.Background(), 12*time.Minute)
	defer cancel()
	start := time.Now()
	work := t.TempDir()
	reg := startRegistry(t, regBin, work)

	dir := generate(t, "hello", "distroless")
	st, err := state.Load(dir)
	if err != nil || st == nil || st.Plan == nil {
		t.Fatalf("no saved plan: %v", err)
	}
	images := st.Plan.Images()
	const runtime = "gcr.io/distroless/static-debian12:nonroot"
	if len(images) != 2 || images[0] != runtime || !strings.HasPrefix(images[1], "golang:") {
		t.Fatalf("hello's images are %q; the test expects %s and a golang builder", images, runtime)
	}
	builder := images[1]

	t0 := time.Now()
	digests := map[string]string{}
	for _, img := range images {
		digests[img] = pushMirrored(t, ctx, reg, img, img)
	}
	pushed := time.Since(t0)

	mirrors := []string{"--mirror", "docker.io=" + reg + "/hub", "--mirror", "gcr.io=" + reg + "/gcr"}
	t0 = time.Now()
	out, _ := dockgenMain(t, 0, append(append([]string{"pin"}, mirrors...), dir)...)
	pinTook := time.Since(t0)
	var froms []string
	for _, img := range images {
		if !strings.Contains(out, "pinned "+img+"@"+digests[img]+"\n") {
			t.Errorf("pin output lacks pinned %s@%s (the digest docker push reported):\n%s", img, digests[img], out)
		}
	}
	df, err := os.ReadFile(filepath.Join(dir, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`(?m)^FROM (?:--platform=\S+ )?(\S+)`).FindAllStringSubmatch(string(df), -1) {
		froms = append(froms, m[1])
	}
	if want := []string{builder + "@" + digests[builder], runtime + "@" + digests[runtime]}; !slices.Equal(froms, want) {
		t.Fatalf("FROM lines %q, want %q", froms, want)
	}
	dockgenMain(t, 0, "regenerate", "--check", dir)

	bk := startBuildkit(t, ctx, bkBin, reg, work)
	image := "dockgen-e2e-pin-hello:" + e2eRunID
	build, log := bk.build(t, ctx, dir, "hello", image)
	for _, from := range froms {
		if !strings.Contains(log, "resolve docker.io/library/"+from) && !strings.Contains(log, "resolve "+from) {
			t.Errorf("the build log does not resolve %s:\n%s", from, tail(log, 40))
		}
	}
	if base, got := layers(t, ctx, runtime), layers(t, ctx, image); len(got) <= len(base) || !slices.Equal(got[:len(base)], base) {
		t.Errorf("the image's layers %v do not start with the pinned base's %v", got, base)
	}
	tg := e2eTarget{stage: "hello", port: 8080, body: regexp.MustCompile(`^hello from dockgen\n$`)}
	checkImage(t, ctx, image, tg)
	health, healthy, stop := runHardened(t, ctx, image, tg, nil)

	// The runtime's tag moves to an image with one more label; --update
	// follows it, and the rebuilt image carries that label.
	moved := "dockgen-e2e-pin-moved:" + e2eRunID
	mdir := filepath.Join(work, "moved")
	if err := os.MkdirAll(mdir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(mdir, "Dockerfile"), []byte("FROM "+runtime+"\nLABEL dockgen.e2e.moved=\""+e2eRunID+"\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	mustDocker(t, ctx, nil, "build", "-q", "--label", e2eLabel+"="+e2eRunID, "-t", moved, mdir)
	newDigest := pushMirrored(t, ctx, reg, moved, runtime)
	out, _ = dockgenMain(t, 0, append(append([]string{"pin", "--update"}, mirrors...), dir)...)
	for _, l := range []string{"moved " + runtime + ": " + digests[runtime] + " → " + newDigest, "unchanged " + builder} {
		if !strings.Contains(out, l+"\n") {
			t.Errorf("pin --update output lacks %q:\n%s", l, out)
		}
	}
	rebuilt := "dockgen-e2e-pin-hello-moved:" + e2eRunID
	rebuild, _ := bk.build(t, ctx, dir, "hello", rebuilt)
	if got := strings.TrimSpace(mustDocker(t, ctx, nil, "image", "inspect", "--format", `{{index .Config.Labels "dockgen.e2e.moved"}}`, rebuilt)); got != e2eRunID {
		t.Errorf("the rebuilt image does not derive from the moved base: label %q", got)
	}

	r := func(d time.Duration) time.Duration { return d.Round(10 * time.Millisecond) }
	t.Logf("e2e: pin hello: pushed the stand-ins to %s in %s; pin %s; build (cold BuildKit) %s; %s after %s; stopped in %s; moved tag, pin --update and rebuild %s; all %s",
		reg, r(pushed), r(pinTook), r(build), health, r(healthy), r(stop), r(rebuild), time.Since(start).Round(time.Second))
}
