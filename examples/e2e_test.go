package examples

// End-to-end tests on a real Docker engine: every example, for each runtime
// base the engine can stand in, is generated with `dockgen init --yes`,
// built with BuildKit, run hardened the way compose.yaml runs it, and must
// become healthy as a non-root user and answer the right body from the host;
// docker stop must end it within the grace period, and its compose.yaml must
// come up healthy (`up --build --wait`) and go down again. `dockgen verify`
// is tested on a good example and on two broken ones (a loopback bind, a
// missing secret), whose diagnoses are asserted.
//
// Gate: opt-in with DOCKGEN_E2E=1 (as .ci/run sets it), so `go test ./...`
// stays fast and never depends on what the machine runs; with it, a missing
// engine is a failure, never a skip. Everything created carries the label
// dockgen.e2e=<run id> (verify's own: dockgen.verify=<run id>) and is removed
// when the test ends. Examples run one at a time; BuildKit's cache (and the
// Dockerfile's Go build cache mount) makes every build after the first take
// a second or less, so the time goes into waiting for the first health
// check, one HEALTHCHECK interval (10 s) after start.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dockgen/dockgen/internal/cli"
)

// e2eLabel marks everything the e2e tests create.
const e2eLabel = "dockgen.e2e"

const (
	healthyTimeout = 60 * time.Second // first check runs one interval (10s) after start
	stopGrace      = 10 * time.Second // docker stop -t, as compose's default
)

// e2eTarget is one Dockerfile stage of an example and what it must do.
type e2eTarget struct {
	stage string
	port  int            // container port it serves; 0 for none
	body  *regexp.Regexp // the body GET / must answer from the host
	// job runs to completion: run it once and match its output with body.
	job bool
	// cmd is the image's CMD (the plan's args: a subcommand, a flag pin).
	cmd []string
	// loopback is the deliberately broken case: silent through the
	// published port. Its health check either reports it unhealthy (the
	// generated probe dials the container's own address, not 127.0.0.1) or,
	// with a probe that dials 127.0.0.1, healthy: both are accepted, the
	// request from the host must fail either way.
	loopback bool
}

type e2eExample struct {
	name    string
	bases   []string          // runtime bases the engine has stand-ins for
	env     map[string]string // for docker run -e and compose interpolation
	targets []e2eTarget
	compose bool
}

// Bases: distroless always; scratch and debian for static binaries; a cgo
// binary only runs on glibc, so distroless (base-debian12) and debian.
// alpine is in every static example's list to say, in the test output, why
// it is not run.
var (
	staticBases = []string{"distroless", "scratch", "debian", "alpine"}
	cgoBases    = []string{"distroless", "debian"}
)

var e2eExamples = []e2eExample{
	{name: "hello", bases: staticBases, compose: true, targets: []e2eTarget{
		{stage: "hello", port: 8080, body: regexp.MustCompile(`^hello from dockgen\n$`)},
	}},
	{name: "multi", bases: staticBases, compose: true, targets: []e2eTarget{
		// version stamped by -X main.version=${VERSION}, ARG VERSION=dev.
		{stage: "api", port: 8081, cmd: []string{"--addr=:8081"}, body: regexp.MustCompile(`^hello, visitor, from the api \(version dev\)\n$`)},
		{stage: "worker"},
		{stage: "migrate", job: true, body: regexp.MustCompile(`migrate: nothing to do`)},
	}},
	{name: "envconfig", bases: staticBases, compose: true,
		env: map[string]string{"API_TOKEN": "e2e-token-16byte"},
		targets: []e2eTarget{
			// APP_ADDR defaults to 127.0.0.1:9090 in the code; the image pins
			// ENV APP_ADDR=":9090", or this would not answer from the host.
			{stage: "envconfig", port: 9090, body: regexp.MustCompile(`^hello from envconfig \(token has 16 bytes\)\n$`)},
		}},
	{name: "sqlite", bases: cgoBases, compose: true, targets: []e2eTarget{
		// A CGO_ENABLED=0 build compiles go-sqlite3 to a stub that answers
		// 500 here; the version proves the real C library ran.
		{stage: "sqlite", port: 8080, body: regexp.MustCompile(`^sqlite 3\.\d+\.\d+: [1-9]\d* visits\n$`)},
	}},
	{name: "tzclient", bases: staticBases, compose: true, targets: []e2eTarget{
		{stage: "tzclient", port: 8090, body: regexp.MustCompile(`^zone Europe/Berlin offset ok; [1-9]\d* CA roots\n$`)},
	}},
	// git is run at every request: dockgen picks a base that can carry it
	// (debian, git installed with apt) without being asked ("" = no --base).
	{name: "gitinfo", bases: []string{""}, compose: true, targets: []e2eTarget{
		{stage: "gitinfo", port: 8070, body: regexp.MustCompile(`^git version \d+\.\d+`)},
	}},
	// reads its templates and static files from disk at start-up.
	{name: "webtmpl", bases: []string{"distroless", "scratch", "debian"}, compose: true, targets: []e2eTarget{
		{stage: "webtmpl", port: 8050, body: regexp.MustCompile(`^<h1>rendered from templates</h1>\n$`)},
	}},
	// an in-module replace, a package in dist/, Go files named like keys and
	// coverage reports, embedded .pem files: the context must hold them all.
	{name: "oddrepo", bases: []string{"distroless"}, compose: true, targets: []e2eTarget{
		{stage: "oddrepo", port: 8020, body: regexp.MustCompile(`^lib dist id_rsa_helper\.go coverage\.go \d+-byte pem\n$`)},
	}},
	// serves only under `serve`, on a loopback --listen default: the image
	// runs the subcommand and pins the flag.
	{name: "cobraserve", bases: []string{"distroless"}, compose: true, targets: []e2eTarget{
		{stage: "cobraserve", port: 8010, cmd: []string{"serve", "--listen=:8010"}, body: regexp.MustCompile(`^served by the serve subcommand on :8010\n$`)},
	}},
	// writes ./data/visits.txt and under $HOME: volumes on a read-only root.
	{name: "writer", bases: []string{"distroless", "scratch", "debian"}, compose: true, targets: []e2eTarget{
		{stage: "writer", port: 8060, body: regexp.MustCompile(`^visit [1-9]\d*\n$`)},
	}},
	// calls a function only `go generate ./...` writes (zz_greeting.go is
	// not in the repository): the build stage generates it first.
	{name: "gencode", bases: []string{"distroless", "scratch"}, compose: true, targets: []e2eTarget{
		{stage: "gencode", port: 8040, body: regexp.MustCompile(`^hello from generated code\n$`)},
	}},
	{name: "loopback", bases: []string{"distroless"}, targets: []e2eTarget{
		{stage: "loopback", port: 8080, loopback: true},
	}},
}

var (
	engineOnce sync.Once
	engineErr  error
	e2eRunID   = fmt.Sprintf("%x%x", time.Now().UnixNano()&0xffffffff, os.Getpid())
)

// requireEngine skips (or, with DOCKGEN_E2E=1, fails) when there is no
// engine with BuildKit and Compose to test on.
func requireEngine(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("e2e: skipped under -short: it builds and runs containers on a Docker engine")
	}
	if os.Getenv("DOCKGEN_E2E") != "1" {
		t.Skip("e2e: skipped: set DOCKGEN_E2E=1 to build and run the examples on a Docker engine (bash .ci/run provisions one)")
	}
	engineOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		for _, args := range [][]string{{"info", "--format", "{{.ServerVersion}}"}, {"buildx", "version"}, {"compose", "version"}} {
			if out, err := exec.CommandContext(ctx, "docker", args...).CombinedOutput(); err != nil {
				engineErr = fmt.Errorf("docker %s: %v: %s", strings.Join(args[:1], " "), err, strings.TrimSpace(string(out)))
				return
			}
		}
	})
	if engineErr != nil {
		t.Fatalf("e2e: DOCKGEN_E2E=1 but there is no usable Docker engine: %v\n(provision one with: bash .ci/provision-docker)", engineErr)
	}
}

// docker runs the docker CLI; env is added to this process's environment.
func docker(ctx context.Context, env []string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "docker", args...)
	cmd.Env = append(append(os.Environ(), "DOCKER_BUILDKIT=1"), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("docker %s: %v\n%s%s", strings.Join(args, " "), err, tail(out.String(), 30), tail(errb.String(), 30))
	}
	return out.String(), nil
}

func mustDocker(t *testing.T, ctx context.Context, env []string, args ...string) string {
	t.Helper()
	out, err := docker(ctx, env, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	if len(lines) == 1 && lines[0] == "" {
		return ""
	}
	return strings.Join(lines, "\n") + "\n"
}

// removeLabelled removes every container and image of this run.
func removeLabelled(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	filter := "label=" + e2eLabel + "=" + e2eRunID
	if out, err := docker(ctx, nil, "ps", "-aq", "--filter", filter); err == nil && strings.TrimSpace(out) != "" {
		docker(ctx, nil, append([]string{"rm", "-f", "-v"}, strings.Fields(out)...)...) //nolint:errcheck // best effort
	}
	if out, err := docker(ctx, nil, "images", "-q", "--filter", filter); err == nil && strings.TrimSpace(out) != "" {
		ids := slices.Compact(slices.Sorted(slices.Values(strings.Fields(out))))
		if _, err := docker(ctx, nil, append([]string{"image", "rm", "-f"}, ids...)...); err != nil {
			t.Logf("e2e: cleanup: %v", err)
		}
	}
}

// generate copies an example's sources to a temp dir and runs
// `dockgen init --yes --force --base base` there.
func generate(t *testing.T, example, base string) string {
	t.Helper()
	dir := t.TempDir()
	copySources(t, example, dir)
	var o, e bytes.Buffer
	args := []string{"init", "--yes", "--force", dir}
	if base != "" {
		args = append(args[:3], "--base", base, dir)
	}
	if code := cli.Main(args, strings.NewReader(""), &o, &e); code != 0 {
		t.Fatalf("dockgen %s: exit %d\n%s%s", strings.Join(args, " "), code, o.String(), e.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "Dockerfile")); err != nil {
		t.Fatalf("init wrote no Dockerfile: %v\n%s", err, o.String())
	}
	return dir
}

// baseLabel names a base in test and image names ("" is dockgen's choice).
func baseLabel(base string) string {
	if base == "" {
		return "default"
	}
	return base
}

func TestE2E(t *testing.T) {
	requireEngine(t)
	t.Cleanup(func() { removeLabelled(t) })
	start := time.Now()
	for _, ex := range e2eExamples {
		for _, base := range ex.bases {
			t.Run(ex.name+"/"+baseLabel(base), func(t *testing.T) {
				if base == "alpine" {
					t.Skip("e2e: alpine runtime not run: no alpine stand-in can be made without a registry (its packages are unreachable); the alpine Dockerfile is checked by the golden and lint tests")
				}
				t0 := time.Now()
				runExample(t, ex, base)
				t.Logf("e2e: %s/%s done in %s", ex.name, baseLabel(base), time.Since(t0).Round(100*time.Millisecond))
			})
		}
	}
	t.Logf("e2e: all examples in %s", time.Since(start).Round(time.Second))
}

func runExample(t *testing.T, ex e2eExample, base string) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	dir := generate(t, ex.name, base)
	var env []string
	for k, v := range ex.env {
		env = append(env, k+"="+v)
	}
	slices.Sort(env)
	images := map[string]string{}
	builds := map[string]time.Duration{}
	for _, tg := range ex.targets {
		images[tg.stage] = fmt.Sprintf("dockgen-e2e-%s-%s-%s:%s", ex.name, baseLabel(base), tg.stage, e2eRunID)
		t0 := time.Now()
		mustDocker(t, ctx, nil, "build", "--progress=plain", "--label", e2eLabel+"="+e2eRunID, "--target", tg.stage, "-t", images[tg.stage], dir)
		builds[tg.stage] = time.Since(t0)
		checkImage(t, ctx, images[tg.stage], tg)
	}
	// compose builds from the same cache and waits for the same first
	// health check (one interval after start): run it alongside.
	var cr *composeRun
	if ex.compose {
		cr = startCompose(t, ctx, dir, ex, base, env)
	}
	for _, tg := range ex.targets {
		build := builds[tg.stage].Round(10 * time.Millisecond)
		if tg.job {
			out := mustDocker(t, ctx, nil, "run", "--rm", "--label", e2eLabel+"="+e2eRunID, "--read-only", "--cap-drop", "ALL", "--security-opt", "no-new-privileges", images[tg.stage])
			if !tg.body.MatchString(out) {
				t.Errorf("%s: the job printed %q, want a match for %s", tg.stage, out, tg.body)
			}
			t.Logf("e2e: %s/%s %s: built in %s; ran to completion", ex.name, base, tg.stage, build)
			continue
		}
		health, healthy, stop := runHardened(t, ctx, images[tg.stage], tg, env)
		t.Logf("e2e: %s/%s %s: built in %s, %s after %s, stopped in %s", ex.name, base, tg.stage,
			build, health, healthy.Round(10*time.Millisecond), stop.Round(10*time.Millisecond))
	}
	if cr != nil {
		cr.finish(t, ctx)
	}
}

// imageConfig is what the tests read from docker image inspect.
type imageConfig struct {
	User         string
	ExposedPorts map[string]struct{}
	Entrypoint   []string
	Cmd          []string
	Healthcheck  *struct{ Test []string }
}

func checkImage(t *testing.T, ctx context.Context, image string, tg e2eTarget) {
	t.Helper()
	var cfg imageConfig
	if err := json.Unmarshal([]byte(mustDocker(t, ctx, nil, "image", "inspect", "--format", "{{json .Config}}", image)), &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.User != "65532:65532" {
		t.Errorf("%s: USER %q, want 65532:65532", tg.stage, cfg.User)
	}
	if !slices.Equal(cfg.Entrypoint, []string{"/app"}) || !slices.Equal(cfg.Cmd, tg.cmd) {
		t.Errorf("%s: ENTRYPOINT %q CMD %q, want exec-form [\"/app\"] and CMD %q", tg.stage, cfg.Entrypoint, cfg.Cmd, tg.cmd)
	}
	if tg.port == 0 {
		if len(cfg.ExposedPorts) != 0 {
			t.Errorf("%s serves nothing but the image exposes %v", tg.stage, cfg.ExposedPorts)
		}
		return
	}
	if _, ok := cfg.ExposedPorts[fmt.Sprintf("%d/tcp", tg.port)]; !ok || len(cfg.ExposedPorts) != 1 {
		t.Errorf("%s: exposes %v, want only %d/tcp", tg.stage, cfg.ExposedPorts, tg.port)
	}
	if cfg.Healthcheck == nil || !slices.Equal(cfg.Healthcheck.Test, []string{"CMD", "/app", "-healthcheck"}) {
		t.Errorf("%s: HEALTHCHECK %v, want exec form [CMD /app -healthcheck]", tg.stage, cfg.Healthcheck)
	}
}

// containerState is the part of docker inspect's .State the tests read.
type containerState struct {
	Status    string
	Running   bool
	ExitCode  int
	OOMKilled bool
	Health    *struct {
		Status string
		Log    []struct {
			ExitCode int
			Output   string
		}
	}
}

func inspectState(t *testing.T, ctx context.Context, id string) containerState {
	t.Helper()
	var st containerState
	if err := json.Unmarshal([]byte(mustDocker(t, ctx, nil, "container", "inspect", "--format", "{{json .State}}", id)), &st); err != nil {
		t.Fatal(err)
	}
	return st
}

// runHardened runs the image as compose.yaml does, waits for healthy, checks
// the user and the body from the host, and stops it.
func runHardened(t *testing.T, ctx context.Context, image string, tg e2eTarget, env []string) (health string, healthy, stop time.Duration) {
	t.Helper()
	args := []string{"run", "-d", "--label", e2eLabel + "=" + e2eRunID,
		"--read-only", "--cap-drop", "ALL", "--security-opt", "no-new-privileges", "--tmpfs", "/tmp"}
	if tg.port != 0 {
		args = append(args, "-p", fmt.Sprintf("127.0.0.1::%d", tg.port))
	}
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		args = append(args, "-e", name) // the value comes through docker's environment
	}
	id := strings.TrimSpace(mustDocker(t, ctx, env, append(args, image)...))
	started := time.Now()
	t.Cleanup(func() {
		docker(context.Background(), nil, "rm", "-f", "-v", id) //nolint:errcheck // best effort
	})
	logs := func() string {
		out, _ := exec.Command("docker", "logs", "--tail", "30", id).CombinedOutput()
		return string(out)
	}

	// Healthy (or, for a binary without a port and so without HEALTHCHECK,
	// still running after a few seconds), bounded.
	health = "running"
	for {
		st := inspectState(t, ctx, id)
		if !st.Running {
			t.Fatalf("%s exited with code %d before becoming healthy; logs:\n%s", tg.stage, st.ExitCode, logs())
		}
		if tg.port == 0 {
			if time.Since(started) >= 3*time.Second {
				break
			}
		} else if st.Health == nil {
			t.Fatalf("%s serves port %d but has no health check", tg.stage, tg.port)
		} else if health = st.Health.Status; health == "healthy" {
			break
		} else if st.Health.Status == "unhealthy" && tg.loopback {
			t.Logf("e2e: %s: unhealthy, as a loopback bind should be: %s", tg.stage, strings.TrimSpace(st.Health.Log[len(st.Health.Log)-1].Output))
			break
		} else if st.Health.Status == "unhealthy" {
			t.Fatalf("%s became unhealthy: %+v; logs:\n%s", tg.stage, st.Health.Log, logs())
		}
		if time.Since(started) > healthyTimeout {
			t.Fatalf("%s not healthy after %s: %+v; logs:\n%s", tg.stage, healthyTimeout, st.Health, logs())
		}
		time.Sleep(250 * time.Millisecond)
	}
	healthy = time.Since(started)

	// Non-root, seen from the host: the process's real uid.
	top := mustDocker(t, ctx, nil, "top", id, "-o", "pid,uid")
	if f := strings.Fields(tail(top, 1)); len(f) != 2 || f[1] != "65532" {
		t.Errorf("%s: want the process to run as uid 65532; docker top says:\n%s", tg.stage, top)
	}

	if tg.port != 0 {
		hostAddr := strings.TrimSpace(strings.SplitN(mustDocker(t, ctx, nil, "port", id, fmt.Sprintf("%d/tcp", tg.port)), "\n", 2)[0])
		if !strings.HasPrefix(hostAddr, "127.0.0.1:") {
			t.Fatalf("published at %q, want 127.0.0.1 only", hostAddr)
		}
		status, body, err := httpGet(ctx, "http://"+hostAddr+"/")
		switch {
		case tg.loopback:
			if err == nil {
				t.Errorf("%s binds 127.0.0.1 and should not answer through the published port, but answered %d %q", tg.stage, status, body)
			}
		case err != nil:
			t.Errorf("%s is healthy but GET / from the host failed: %v; logs:\n%s", tg.stage, err, logs())
		case status != http.StatusOK || !tg.body.MatchString(body):
			t.Errorf("%s: GET / = %d %q, want 200 and a body matching %s", tg.stage, status, body, tg.body)
		}
	}

	// docker stop: SIGTERM, then SIGKILL after the grace period. Accepted
	// exit codes: 0 (the service handles SIGTERM and returns from main), 2
	// (a Go program with no SIGTERM handler running as PID 1: the kernel
	// ignores the default action for PID 1, so the Go runtime exits with 2
	// itself, at once) and 143 (128+SIGTERM, the same program when it is not
	// PID 1, e.g. under --init). 137 means it was SIGKILLed at the end of the
	// grace period: it ignored SIGTERM (a shell-form ENTRYPOINT does that).
	t0 := time.Now()
	mustDocker(t, ctx, nil, "stop", "-t", strconv.Itoa(int(stopGrace/time.Second)), id)
	stop = time.Since(t0)
	st := inspectState(t, ctx, id)
	if stop >= stopGrace || !slices.Contains([]int{0, 2, 143}, st.ExitCode) || st.OOMKilled {
		t.Errorf("%s: docker stop took %s, exit code %d (OOM %v): want an exit on SIGTERM within %s with code 0, 2 or 143; logs:\n%s",
			tg.stage, stop, st.ExitCode, st.OOMKilled, stopGrace, logs())
	}
	return health, healthy, stop
}

func httpGet(ctx context.Context, url string) (int, string, error) {
	var lastErr error
	// Healthy means ready; a few tries only absorb the proxy's first-connect latency.
	for i := 0; i < 5; i++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return 0, "", err
		}
		resp, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
		if err == nil {
			b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
			resp.Body.Close()
			return resp.StatusCode, string(b), err
		}
		lastErr = err
		time.Sleep(300 * time.Millisecond)
	}
	return 0, "", lastErr
}

// composeRun is `docker compose up --build --wait` on the generated
// compose.yaml, running in the background.
type composeRun struct {
	ex      e2eExample
	base    string
	compose func(args ...string) (string, error)
	project string
	done    chan struct{}
	out     string
	err     error
	took    time.Duration
}

// startCompose starts bringing the generated compose.yaml up (built,
// healthy). An override file publishes on ephemeral 127.0.0.1 ports (the
// generated fixed host ports could collide with anything else on this
// machine) and labels the services and images.
func startCompose(t *testing.T, ctx context.Context, dir string, ex e2eExample, base string, env []string) *composeRun {
	t.Helper()
	cr := &composeRun{ex: ex, base: base, project: fmt.Sprintf("dockgen-e2e-%s-%s-%s", ex.name, baseLabel(base), e2eRunID), done: make(chan struct{})}
	var o strings.Builder
	o.WriteString("services:\n")
	for _, tg := range ex.targets {
		if tg.job {
			continue
		}
		fmt.Fprintf(&o, "  %s:\n    labels:\n      %s: %q\n    build:\n      labels:\n        %s: %q\n", tg.stage, e2eLabel, e2eRunID, e2eLabel, e2eRunID)
		if tg.port != 0 {
			fmt.Fprintf(&o, "    ports: !override\n      - \"127.0.0.1::%d\"\n", tg.port)
		}
	}
	override := filepath.Join(dir, "compose.e2e.yaml")
	if err := os.WriteFile(override, []byte(o.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	upCtx, cancel := context.WithCancel(ctx)
	cr.compose = func(args ...string) (string, error) {
		return docker(upCtx, env, append([]string{"compose", "-p", cr.project, "-f", filepath.Join(dir, "compose.yaml"), "-f", override}, args...)...)
	}
	go func() {
		defer close(cr.done)
		t0 := time.Now()
		cr.out, cr.err = cr.compose("up", "--build", "--wait", "--wait-timeout", "120", "--quiet-pull")
		cr.took = time.Since(t0)
	}()
	t.Cleanup(func() {
		// If the test ended early, stop waiting, then take it all down.
		cancel()
		<-cr.done
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		docker(ctx, env, "compose", "-p", cr.project, "-f", filepath.Join(dir, "compose.yaml"), "-f", override, "down", "-v", "--rmi", "local", "--timeout", "10") //nolint:errcheck // idempotent
	})
	return cr
}

// finish waits for compose up, checks each service's body through
// compose's published port, and takes the project down.
func (cr *composeRun) finish(t *testing.T, ctx context.Context) {
	t.Helper()
	<-cr.done
	if cr.err != nil {
		ps, _ := cr.compose("ps", "-a")
		logs, _ := cr.compose("logs", "--tail", "30")
		t.Fatalf("compose up: %v\n%s\nps:\n%s\nlogs:\n%s", cr.err, tail(cr.out, 20), ps, logs)
	}
	for _, tg := range cr.ex.targets {
		if tg.job {
			// A job is behind the "jobs" profile: `up` left it alone, and
			// `compose run` runs it to completion.
			out, err := cr.compose("run", "--rm", tg.stage)
			if err != nil || !tg.body.MatchString(out) {
				t.Errorf("compose run --rm %s: %v: %q, want a match for %s", tg.stage, err, out, tg.body)
			}
			continue
		}
		if tg.port == 0 {
			continue
		}
		out, err := cr.compose("port", tg.stage, strconv.Itoa(tg.port))
		if err != nil {
			t.Fatal(err)
		}
		addr := strings.TrimSpace(out)
		status, body, err := httpGet(ctx, "http://"+addr+"/")
		if err != nil || status != http.StatusOK || !tg.body.MatchString(body) {
			t.Errorf("compose %s: GET http://%s/ = %d %q (%v), want 200 and a body matching %s", tg.stage, addr, status, body, err, tg.body)
		}
	}
	t1 := time.Now()
	if out, err := cr.compose("down", "-v", "--rmi", "local", "--timeout", "10"); err != nil {
		t.Errorf("compose down: %v\n%s", err, out)
	}
	if out, _ := docker(ctx, nil, "ps", "-aq", "--filter", "label=com.docker.compose.project="+cr.project); strings.TrimSpace(out) != "" {
		t.Errorf("compose down left containers: %s", out)
	}
	t.Logf("e2e: %s/%s compose: up --build --wait %s, down %s", cr.ex.name, cr.base, cr.took.Round(10*time.Millisecond), time.Since(t1).Round(10*time.Millisecond))
}

// TestE2EVerifyHello runs `dockgen verify` on the hello example: exit 0 and
// a report with the sizes, timings, user and the probe's answer.
func TestE2EVerifyHello(t *testing.T) {
	requireEngine(t)
	dir := generate(t, "hello", "distroless")
	out, errOut, code := runVerify(t, dir)
	if code != 0 {
		t.Fatalf("dockgen verify: exit %d, want 0\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^verify hello: ok$`),
		regexp.MustCompile(`(?m)^  image +\d+(\.\d)? [kM]B `),
		regexp.MustCompile(`(?m)^  binary +\d+(\.\d)? [kM]B \(/app\)`),
		regexp.MustCompile(`(?m)^  build +\d`),
		regexp.MustCompile(`(?m)^  healthy +after \d`),
		regexp.MustCompile(`(?m)^  user +65532:65532, uid 65532, non-root$`),
		regexp.MustCompile(`(?m)^  ports +8080/tcp \(8080 published at 127\.0\.0\.1:\d+\)$`),
		regexp.MustCompile(`(?m)^  probe +GET / → 200 OK: hello from dockgen$`),
		regexp.MustCompile(`(?m)^  stop +.*exit code 0$`),
	} {
		if !want.MatchString(out) {
			t.Errorf("report lacks %s:\n%s", want, out)
		}
	}
	for _, want := range []string{"verify: building", "verify: waiting", "verify: cleaned up"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("progress lacks %q:\n%s", want, errOut)
		}
	}
	t.Logf("e2e: verify hello:\n%s", out)
	assertVerifyCleanedUp(t, out)
}

// TestE2EVerifyLoopback runs `dockgen verify` on the broken example: it is
// healthy inside its container but silent on the published port; verify
// must exit 1 and point at the loopback bind with its file:line.
func TestE2EVerifyLoopback(t *testing.T) {
	requireEngine(t)
	dir := generate(t, "loopback", "distroless")
	src, err := os.ReadFile(filepath.Join(dir, "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	line := 0
	for i, l := range strings.Split(string(src), "\n") {
		if strings.Contains(l, `"127.0.0.1:8080"`) {
			line = i + 1
		}
	}
	out, errOut, code := runVerify(t, dir)
	if code != 1 {
		t.Fatalf("dockgen verify: exit %d, want 1\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^verify loopback: FAILED$`),
		// Unhealthy (the probe dials the container's address), or healthy
		// inside but silent from the host (a probe dialing 127.0.0.1).
		regexp.MustCompile(`(?m)^  problem +(the health check reports unhealthy|healthy inside the container, but port 8080 does not answer from the host)`),
		regexp.MustCompile(`(?m)^  diagnosis \(failed at (health|probe)\)$`),
		regexp.MustCompile(`(?m)^    likely cause: loopback bind at main\.go:` + strconv.Itoa(line) + `: `),
		// The probe read what the container really listens on.
		regexp.MustCompile(`(?m)^    likely cause: listening on 127\.0\.0\.1:8080, loopback only: unreachable through a published port → bind all interfaces \(:8080`),
	} {
		if !want.MatchString(out) {
			t.Errorf("report lacks %s:\n%s", want, out)
		}
	}
	t.Logf("e2e: verify loopback:\n%s", out)
	assertVerifyCleanedUp(t, out)
}

// TestE2EVerifyMissingSecret runs `dockgen verify` on envconfig without
// the API_TOKEN it requires: the container exits at once, and the diagnosis
// names the variable with the line that reads it, the exit code and the log.
func TestE2EVerifyMissingSecret(t *testing.T) {
	requireEngine(t)
	dir := generate(t, "envconfig", "distroless")
	out, errOut, code := runVerify(t, dir)
	if code != 1 {
		t.Fatalf("dockgen verify: exit %d, want 1\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^  diagnosis \(failed at start\)$`),
		regexp.MustCompile(`(?m)^    likely cause: required secret env API_TOKEN \(read at main\.go:\d+\) was not set`),
		regexp.MustCompile(`(?m)^    exit code: 1$`),
		regexp.MustCompile(`(?m)^      \| .*API_TOKEN is required$`),
	} {
		if !want.MatchString(out) {
			t.Errorf("report lacks %s:\n%s", want, out)
		}
	}
	t.Logf("e2e: verify envconfig without API_TOKEN:\n%s", out)
	assertVerifyCleanedUp(t, out)
}

// TestVerifyNeedsDockerfile needs no engine: verify on a module without a
// generated Dockerfile says to run init, and exits 1.
func TestVerifyNeedsDockerfile(t *testing.T) {
	dir := t.TempDir()
	copySources(t, "hello", dir)
	out, errOut, code := runVerify(t, dir)
	if code != 1 || !strings.Contains(errOut, "no Dockerfile in "+dir+": run `dockgen init "+dir+"` first") {
		t.Errorf("exit %d, want 1 and a hint to run init\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
}

func runVerify(t *testing.T, dir string) (stdout, stderr string, code int) {
	t.Helper()
	var o, e bytes.Buffer
	code = cli.Main([]string{"verify", dir}, strings.NewReader(""), &o, &e)
	return o.String(), e.String(), code
}

// verifyRunID is the run id in a verify report's image line.
var verifyRunID = regexp.MustCompile(`dockgen-verify-[a-z0-9_.-]+:([0-9a-f]+) `)

// assertVerifyCleanedUp checks that the verify run whose report is out
// removed every container and image it created (found by its label: other
// verify runs may share the engine).
func assertVerifyCleanedUp(t *testing.T, out string) {
	t.Helper()
	m := verifyRunID.FindStringSubmatch(out)
	if m == nil {
		t.Errorf("no run id in the report:\n%s", out)
		return
	}
	ctx := context.Background()
	filter := "label=dockgen.verify=" + m[1]
	ps := mustDocker(t, ctx, nil, "ps", "-aq", "--filter", filter)
	imgs := mustDocker(t, ctx, nil, "images", "-q", "--filter", filter)
	if strings.TrimSpace(ps+imgs) != "" {
		t.Errorf("verify run %s left containers %q and images %q behind", m[1], strings.Fields(ps), strings.Fields(imgs))
	}
}

// TestE2EWriterKeepsData: a service that writes under its working directory
// and $HOME runs on a read-only root with compose, and its data survives
// `down` and `up` (the named volume dockgen mounts there).
func TestE2EWriterKeepsData(t *testing.T) {
	requireEngine(t)
	t.Cleanup(func() { removeLabelled(t) })
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	dir := generate(t, "writer", "")
	ex := e2eExample{name: "writer", targets: []e2eTarget{{stage: "writer", port: 8060}}}
	cr := startCompose(t, ctx, dir, ex, "", nil)
	<-cr.done
	if cr.err != nil {
		logs, _ := cr.compose("logs", "--tail", "30")
		t.Fatalf("compose up: %v\n%s\n%s", cr.err, cr.out, logs)
	}
	visit := func() string {
		t.Helper()
		out, err := cr.compose("port", "writer", "8060")
		if err != nil {
			t.Fatal(err)
		}
		status, body, err := httpGet(ctx, "http://"+strings.TrimSpace(out)+"/")
		if err != nil || status != http.StatusOK {
			logs, _ := cr.compose("logs", "--tail", "30")
			t.Fatalf("GET /: %d %q %v\n%s", status, body, err, logs)
		}
		return body
	}
	if a, b := visit(), visit(); a != "visit 1\n" || b != "visit 2\n" {
		t.Fatalf("visits %q %q", a, b)
	}
	if out, err := cr.compose("down", "--timeout", "10"); err != nil {
		t.Fatalf("down: %v\n%s", err, out)
	}
	if out, err := cr.compose("up", "--wait", "--wait-timeout", "120"); err != nil {
		t.Fatalf("up again: %v\n%s", err, out)
	}
	if c := visit(); c != "visit 3\n" {
		t.Errorf("after down/up: %q, want visit 3 (the named volume keeps the data)", c)
	}
	t.Logf("e2e: writer kept its data across down/up on a read-only root")
}

// TestE2EWorkspace: a module that needs its go.work workspace builds in it.
func TestE2EWorkspace(t *testing.T) {
	buildInRepo(t, "workspace", "app", e2eTarget{stage: "app", port: 8030, body: regexp.MustCompile(`^hello from the workspace lib\n$`)})
}

// TestE2EMonorepo: a module with `replace ../shared` in a repository builds
// from the wider context dockgen chose, runs hardened and healthy, answers
// with the shared module's code, and comes up with compose from its own
// directory.
func TestE2EMonorepo(t *testing.T) {
	buildInRepo(t, "monorepo", "backend", e2eTarget{stage: "backend", port: 8040, body: regexp.MustCompile(`^hello from shared, via backend\n$`)})
}

// buildInRepo copies an example repository (several modules) into a git
// repository, runs `dockgen init --yes MODULE`, builds the image from the
// context dockgen chose, runs it hardened and healthy, checks its body,
// and brings it up with compose from the module's own directory.
func buildInRepo(t *testing.T, example, module string, tg e2eTarget) {
	requireEngine(t)
	t.Cleanup(func() { removeLabelled(t) })
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	root := t.TempDir()
	if err := os.CopyFS(root, os.DirFS(example)); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(root, ".git"), 0o755); err != nil { // a repository around the modules
		t.Fatal(err)
	}
	dir := filepath.Join(root, module)
	var o, e bytes.Buffer
	if code := cli.Main([]string{"init", "--yes", dir}, strings.NewReader(""), &o, &e); code != 0 {
		t.Fatalf("init: exit %d\n%s%s", code, o.String(), e.String())
	}
	image := "dockgen-e2e-" + example + ":" + e2eRunID
	t0 := time.Now()
	mustDocker(t, ctx, nil, "build", "--label", e2eLabel+"="+e2eRunID, "-f", filepath.Join(dir, "Dockerfile"), "--target", tg.stage, "-t", image, root)
	checkImage(t, ctx, image, tg)
	health, healthy, stop := runHardened(t, ctx, image, tg, nil)
	t.Logf("e2e: %s: built in %s, %s after %s, stopped in %s", example, time.Since(t0).Round(10*time.Millisecond), health, healthy.Round(10*time.Millisecond), stop.Round(10*time.Millisecond))
	cr := startCompose(t, ctx, dir, e2eExample{name: example, targets: []e2eTarget{tg}}, "", nil)
	cr.finish(t, ctx)
}
