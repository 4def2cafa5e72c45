package verify

import (
	"archive/tar"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dockgen/dockgen/internal/analysis"
)

// The test binary doubles as a fake docker CLI: Run is pointed at
// os.Args[0] and TestMain answers each docker command from a scenario, so
// the whole flow (and its cleanup) is tested without an engine. The real
// engine is exercised by the e2e suite in examples/.
func TestMain(m *testing.M) {
	if os.Getenv("DOCKGEN_FAKE_DOCKER") == "1" {
		os.Exit(fakeDocker(os.Args[1:]))
	}
	os.Exit(m.Run())
}

const fakeCID = "c0ffee"

func fakeDocker(args []string) int {
	scenario := os.Getenv("DOCKGEN_FAKE_SCENARIO")
	if f, err := os.OpenFile(os.Getenv("DOCKGEN_FAKE_LOG"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
		// Record the call, and the value of the env var a run passes.
		fmt.Fprintf(f, "%s\tAPI_TOKEN=%s\n", strings.Join(args, " "), os.Getenv("API_TOKEN"))
		f.Close()
	}
	cmd := strings.Join(args, " ")
	healthy := `{"Status":"running","Running":true,"Health":{"Status":"healthy","Log":[{"ExitCode":0,"Output":""}]}}`
	switch {
	case args[0] == "version":
		fmt.Println("20.10.24")
	case args[0] == "build":
		fmt.Println("#1 [internal] load build definition from Dockerfile")
		if scenario == "build-fails" {
			fmt.Println("#9 0.412 go: go.mod requires go >= 1.99 (running go 1.26.0; GOTOOLCHAIN=local)")
			fmt.Println("ERROR: failed to solve: process did not complete successfully: exit code: 1")
			return 1
		}
		fmt.Println("#12 DONE 0.1s")
	case strings.HasPrefix(cmd, "image inspect"):
		fmt.Println(`[{"Id":"sha256:abc","Size":7800000,"Config":{"User":"65532:65532","ExposedPorts":{"8080/tcp":{}},"Env":["PATH=/bin"],"Entrypoint":["/app"],"Healthcheck":{"Test":["CMD","/app","-healthcheck"]}}}]`)
	case args[0] == "create":
		fmt.Println("created1")
	case args[0] == "cp":
		tw := tar.NewWriter(os.Stdout)
		tw.WriteHeader(&tar.Header{Name: "app", Typeflag: tar.TypeReg, Size: 6300000, Mode: 0o755})
		tw.Write(make([]byte, 6300000))
		tw.Close()
	case args[0] == "run":
		fmt.Println(fakeCID)
	case args[0] == "port":
		if scenario == "exits" { // exited before docker port ran
			fmt.Fprintf(os.Stderr, "Error: No public port '8080/tcp' published for %s\n", fakeCID)
			return 1
		}
		fmt.Println(os.Getenv("DOCKGEN_FAKE_ADDR"))
	case strings.HasPrefix(cmd, "container inspect --format {{json .State}}"):
		switch scenario {
		case "exits":
			fmt.Println(`{"Status":"exited","Running":false,"ExitCode":1,"Health":{"Status":"starting","Log":[]}}`)
		case "stopped":
			fmt.Println(`{"Status":"exited","Running":false,"ExitCode":2}`)
		default:
			if _, err := os.Stat(os.Getenv("DOCKGEN_FAKE_LOG") + ".stopped"); err == nil {
				if scenario == "ignores-sigterm" {
					fmt.Println(`{"Status":"exited","Running":false,"ExitCode":137}`)
				} else {
					fmt.Println(`{"Status":"exited","Running":false,"ExitCode":2}`)
				}
				return 0
			}
			fmt.Println(healthy)
		}
	case strings.HasPrefix(cmd, "container inspect --format {{.Config.User}}"):
		if scenario == "root" {
			fmt.Println("")
		} else {
			fmt.Println("65532:65532")
		}
	case args[0] == "top":
		uid := "65532"
		if scenario == "root" {
			uid = "0"
		}
		fmt.Printf("PID UID\n4242 %s\n", uid)
	case args[0] == "stop":
		os.WriteFile(os.Getenv("DOCKGEN_FAKE_LOG")+".stopped", nil, 0o644)
		fmt.Println(fakeCID)
	case args[0] == "logs":
		if scenario == "exits" {
			fmt.Fprintln(os.Stderr, "2026/01/01 00:00:00 API_TOKEN is required")
		}
	case args[0] == "ps", args[0] == "rm", strings.HasPrefix(cmd, "image rm"):
	default:
		fmt.Fprintf(os.Stderr, "fake docker: unexpected %q\n", cmd)
		return 125
	}
	return 0
}

// fakeRun runs verify against the fake docker in scenario and returns the
// report and every docker command it ran.
func fakeRun(t *testing.T, scenario string, handler http.HandlerFunc, mod func(*Options)) (*Report, []string, string) {
	t.Helper()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM scratch\n"), 0o644)
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	log := filepath.Join(t.TempDir(), "calls")
	t.Setenv("DOCKGEN_FAKE_DOCKER", "1")
	t.Setenv("DOCKGEN_FAKE_SCENARIO", scenario)
	t.Setenv("DOCKGEN_FAKE_LOG", log)
	t.Setenv("DOCKGEN_FAKE_ADDR", strings.TrimPrefix(srv.URL, "http://"))
	var progress strings.Builder
	o := Options{Dir: dir, Target: "api", Docker: os.Args[0], RunID: "testrun", Progress: &progress, Timeout: 5 * time.Second}
	if mod != nil {
		mod(&o)
	}
	r, err := Run(context.Background(), o)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	b, _ := os.ReadFile(log)
	return r, strings.Split(strings.TrimSpace(string(b)), "\n"), progress.String()
}

func ok(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "hello from dockgen") }

func hasCall(calls []string, prefix string) bool {
	return slices.ContainsFunc(calls, func(c string) bool { return strings.HasPrefix(c, prefix) })
}

func TestRunHealthy(t *testing.T) {
	r, calls, progress := fakeRun(t, "healthy", ok, func(o *Options) { o.Env = []string{"API_TOKEN=s3cret"} })
	if !r.OK || len(r.Problems) > 0 || r.Diagnosis != nil {
		t.Fatalf("want OK, got problems %q", r.Problems)
	}
	if r.ImageSize != 7800000 || r.BinarySize != 6300000 || r.User != "65532:65532" || r.UID != "65532" || !r.NonRoot {
		t.Errorf("sizes/user: %+v", r)
	}
	if r.Probe == nil || r.Probe.Status != 200 || r.Probe.FirstLine() != "hello from dockgen" {
		t.Errorf("probe: %+v", r.Probe)
	}
	if !r.Stopped || r.ExitCode != 2 || r.Killed {
		t.Errorf("stop: stopped %v exit %d killed %v", r.Stopped, r.ExitCode, r.Killed)
	}
	var run string
	for _, c := range calls {
		if strings.HasPrefix(c, "run ") {
			run = c
		}
	}
	for _, want := range []string{"--read-only", "--cap-drop ALL", "--security-opt no-new-privileges", "--tmpfs /tmp", "-p 127.0.0.1::8080", "--label dockgen.verify=testrun", "-e API_TOKEN dockgen-verify-api:testrun"} {
		if !strings.Contains(run, want) {
			t.Errorf("docker run lacks %q: %s", want, run)
		}
	}
	if strings.Contains(strings.Split(run, "\t")[0], "s3cret") || !strings.HasSuffix(run, "API_TOKEN=s3cret") {
		t.Errorf("the secret must reach docker through its environment, not its arguments: %s", run)
	}
	if !hasCall(calls, "build --progress=plain --label dockgen.verify=testrun -t dockgen-verify-api:testrun") || !hasCall(calls, "stop -t 10 "+fakeCID) ||
		!hasCall(calls, "rm -f -v "+fakeCID) || !hasCall(calls, "image rm dockgen-verify-api:testrun") || !hasCall(calls, "rm -f -v created1") {
		t.Errorf("missing build/stop/cleanup calls:\n%s", strings.Join(calls, "\n"))
	}
	for _, want := range []string{"verify: building target api", "verify: GET http://", "verify: cleaned up"} {
		if !strings.Contains(progress, want) {
			t.Errorf("progress lacks %q:\n%s", want, progress)
		}
	}
}

func TestRunKeep(t *testing.T) {
	r, calls, _ := fakeRun(t, "healthy", ok, func(o *Options) { o.Keep = true })
	if !r.Kept || hasCall(calls, "image rm") || !hasCall(calls, "rm -f -v "+fakeCID) {
		t.Errorf("keep: kept %v, calls:\n%s", r.Kept, strings.Join(calls, "\n"))
	}
}

func TestRunServerError(t *testing.T) {
	r, _, _ := fakeRun(t, "healthy", func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "sqlite: Binary was compiled with 'CGO_ENABLED=0', go-sqlite3 requires cgo to work. This is a stub", 500)
	}, nil)
	if r.OK || r.Diagnosis == nil || r.Diagnosis.Stage != "probe" {
		t.Fatalf("want a probe failure, got %+v", r)
	}
}

func TestRunNotFoundIsANote(t *testing.T) {
	r, _, _ := fakeRun(t, "healthy", http.NotFound, nil)
	if !r.OK || len(r.Notes) == 0 {
		t.Errorf("a 404 on / proves the port answers: OK %v notes %q problems %q", r.OK, r.Notes, r.Problems)
	}
	r, _, _ = fakeRun(t, "healthy", http.NotFound, func(o *Options) { o.Path, o.RequireOK = "/healthz", true })
	if r.OK {
		t.Errorf("with a given path, 404 must fail")
	}
}

func TestRunExitsMissingSecret(t *testing.T) {
	m := &analysis.Main{Dir: ".", Name: "envconfig", LongRunning: true, Env: []analysis.EnvVar{
		{Name: "GREETING", Default: "hello", HasDefault: true, Source: "main.go:26"},
		{Name: "API_TOKEN", Secret: true, Source: "main.go:27"},
	}}
	r, calls, _ := fakeRun(t, "exits", ok, func(o *Options) { o.Main = m; o.Facts = &analysis.Facts{Mains: []analysis.Main{*m}} })
	d := r.Diagnosis
	if r.OK || d == nil || d.Stage != "start" || d.ExitCode != 1 || d.Running {
		t.Fatalf("want a start failure with exit 1, got %+v / %+v", r, d)
	}
	if !r.NonRoot || len(r.Problems) != 1 {
		t.Errorf("want only the exit as a problem, and the image's USER as non-root: %q", r.Problems)
	}
	if len(d.Logs) != 1 || !strings.Contains(d.Logs[0], "API_TOKEN is required") {
		t.Errorf("logs: %q", d.Logs)
	}
	if len(d.Causes) != 1 || !strings.Contains(d.Causes[0], "API_TOKEN (read at main.go:27)") {
		t.Errorf("causes: %q", d.Causes)
	}
	if hasCall(calls, "stop") || !hasCall(calls, "rm -f -v "+fakeCID) {
		t.Errorf("an exited container is not stopped, but removed:\n%s", strings.Join(calls, "\n"))
	}
}

func TestRunRootAndKilled(t *testing.T) {
	r, _, _ := fakeRun(t, "root", ok, nil)
	if r.OK || r.NonRoot || !strings.Contains(strings.Join(r.Problems, "\n"), "runs as root") {
		t.Errorf("root: %q", r.Problems)
	}
	r, _, _ = fakeRun(t, "ignores-sigterm", ok, nil)
	if r.OK || !r.Killed || r.Diagnosis == nil || r.Diagnosis.Stage != "stop" || !strings.Contains(strings.Join(r.Diagnosis.Causes, "\n"), "SIGTERM") {
		t.Errorf("killed: %+v %+v", r, r.Diagnosis)
	}
}

func TestRunBuildFails(t *testing.T) {
	r, calls, _ := fakeRun(t, "build-fails", ok, nil)
	d := r.Diagnosis
	if r.OK || d == nil || d.Stage != "build" || len(d.BuildLog) == 0 {
		t.Fatalf("want a build failure, got %+v", r)
	}
	if !strings.Contains(strings.Join(d.Causes, "\n"), "older than go.mod") {
		t.Errorf("causes: %q", d.Causes)
	}
	if hasCall(calls, "run ") {
		t.Errorf("ran after a failed build")
	}
}

func TestRunNoEngine(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM scratch\n"), 0o644)
	_, err := Run(context.Background(), Options{Dir: dir, Docker: filepath.Join(dir, "no-docker")})
	if err == nil || !strings.Contains(err.Error(), "not installed") {
		t.Errorf("want a missing-CLI error, got %v", err)
	}
	_, err = Run(context.Background(), Options{Dir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "no Dockerfile") {
		t.Errorf("want a missing-Dockerfile error, got %v", err)
	}
}

func TestLikelyCausesLoopback(t *testing.T) {
	lb := analysis.Main{Dir: ".", Name: "loopback", Listeners: []analysis.Listener{{Addr: "127.0.0.1:8080", Port: 8080, Loopback: true, Source: "main.go:16"}}}
	f := &analysis.Facts{Mains: []analysis.Main{lb}, Warnings: []analysis.Warning{{Code: "loopback-bind", Message: "binds 127.0.0.1:8080", Source: "main.go:16"}}}
	c := likelyCauses(evidence{stage: "probe", facts: f, main: &f.Mains[0], port: 8080, hostAddr: "127.0.0.1:1", probeErr: "EOF"})
	if len(c) != 1 || !strings.HasPrefix(c[0], "loopback bind at main.go:16: binds 127.0.0.1:8080") {
		t.Errorf("causes: %q", c)
	}

	// envconfig: the code defaults to 127.0.0.1:9090, but the image pins
	// APP_ADDR=":9090", so the loopback warning does not apply.
	ec := analysis.Main{Dir: ".", Name: "envconfig", Listeners: []analysis.Listener{{Addr: "127.0.0.1:9090", Port: 9090, Loopback: true, PortEnv: "APP_ADDR", EnvIsAddr: true, Source: "main.go:39"}}}
	f = &analysis.Facts{Mains: []analysis.Main{ec}, Warnings: []analysis.Warning{{Code: "loopback-bind", Message: "x", Source: "main.go:39"}}}
	c = likelyCauses(evidence{stage: "probe", facts: f, main: &f.Mains[0], port: 9090, imageEnv: []string{`APP_ADDR=:9090`}})
	if len(c) != 1 || !strings.HasPrefix(c[0], "port not answering") {
		t.Errorf("pinned address: %q", c)
	}

	// A warning in another main's package is not this one's.
	api := analysis.Main{Dir: "./cmd/api", Name: "api"}
	f = &analysis.Facts{Mains: []analysis.Main{api, {Dir: "./cmd/admin", Name: "admin"}}, Warnings: []analysis.Warning{{Code: "loopback-bind", Message: "x", Source: "cmd/admin/main.go:9"}}}
	if c := loopbackBinds(evidence{facts: f, main: &f.Mains[0]}); len(c) != 0 {
		t.Errorf("admin's warning applied to api: %v", c)
	}
}

func TestLikelyCausesCgo(t *testing.T) {
	m := &analysis.Main{Dir: ".", Name: "sqlite", Cgo: true, CgoReason: "github.com/mattn/go-sqlite3 (imported at main.go:13)", CgoSource: "main.go:13"}
	c := likelyCauses(evidence{stage: "start", main: m, exited: true, exitCode: 1, output: []string{"exec /app: no such file or directory"}})
	if len(c) != 1 || !strings.HasPrefix(c[0], "libc mismatch: sqlite is a cgo binary (github.com/mattn/go-sqlite3") {
		t.Errorf("causes: %q", c)
	}
	c = likelyCauses(evidence{stage: "start", exited: true, exitCode: 1, output: []string{"exec /app: exec format error"}})
	if len(c) != 1 || !strings.Contains(c[0], "another OS or CPU") {
		t.Errorf("causes: %q", c)
	}
	c = likelyCauses(evidence{stage: "start", exited: true, exitCode: 1, output: []string{"open /data/x.db: read-only file system"}})
	if len(c) != 1 || !strings.Contains(c[0], "read-only") {
		t.Errorf("causes: %q", c)
	}
}

const multiDockerfile = `# Generated by dockgen
FROM --platform=$BUILDPLATFORM golang:1.23-bookworm AS build
WORKDIR /src
RUN --mount=type=cache,target=/go/pkg/mod \
    go build -o /out/api './cmd/api'

FROM gcr.io/distroless/static-debian12:nonroot AS migrate
COPY --from=build /out/migrate /app
ENTRYPOINT ["/app"]

FROM gcr.io/distroless/static-debian12:nonroot AS worker
COPY --from=build /out/worker /app

from gcr.io/distroless/static-debian12:nonroot as api
COPY --from=build \
     /out/api /app
EXPOSE 8081
`

func TestLineTail(t *testing.T) {
	var copied strings.Builder
	lt := newLineTail(2, &copied, "> ")
	fmt.Fprint(lt, "a\nb\r\nc")
	fmt.Fprint(lt, "d\ne\n")
	if got := lt.Lines(); !slices.Equal(got, []string{"cd", "e"}) {
		t.Errorf("lines %q", got)
	}
	if copied.String() != "> a\n> b\n> cd\n> e\n" {
		t.Errorf("copied %q", copied.String())
	}
}

// TestListeningCauses: the probe's report of what the container listens on
// becomes the fix.
func TestListeningCauses(t *testing.T) {
	m := &analysis.Main{Dir: ".", Name: "api"}
	for _, tc := range []struct {
		out  string
		want string
	}{
		{"healthcheck: listening on 127.0.0.1:9000", "listening on 127.0.0.1:9000, loopback only: unreachable through a published port → bind all interfaces (:9000"},
		{"healthcheck: listening on [::1]:8080", "listening on [::1]:8080, loopback only"},
		{"healthcheck: listening on 0.0.0.0:9000", "listening on 0.0.0.0:9000, not :8080 → `dockgen regenerate` after `dockgen init --force --port api=9000`"},
		{"healthcheck: listening on [::]:8080, 0.0.0.0:6060", "listening on 0.0.0.0:6060, not :8080"},
		{"healthcheck: nothing listens on TCP in this container", "nothing listens on TCP inside the container"},
	} {
		c := likelyCauses(evidence{stage: "health", main: m, port: 8080, output: []string{"healthcheck: dial tcp: connection refused", tc.out}})
		if !strings.Contains(strings.Join(c, "\n"), tc.want) {
			t.Errorf("%q: causes %q, want %q", tc.out, c, tc.want)
		}
	}
}

// TestExitCauses: a container that exits at once is explained by its log.
func TestExitCauses(t *testing.T) {
	for out, want := range map[string]string{
		"Usage: app [command]\n\nAvailable Commands:\n  serve":     "needs a subcommand or flags",
		"flag provided but not defined: -healthz":                  "needs a subcommand or flags",
		"open templates/index.html: no such file or directory":     "not in the image: templates/index.html",
		"2026/01/01 open ./config.yaml: no such file or directory": "not in the image: ./config.yaml",
	} {
		c := likelyCauses(evidence{stage: "start", exited: true, exitCode: 1, output: strings.Split(out, "\n")})
		if !strings.Contains(strings.Join(c, "\n"), want) {
			t.Errorf("%q: causes %q, want %q", out, c, want)
		}
	}
}

func TestProbe404Cause(t *testing.T) {
	c := likelyCauses(evidence{stage: "health", port: 8080, output: []string{"healthcheck: 404 Not Found"}})
	if !strings.Contains(strings.Join(c, "\n"), "answers the probe's health route with 404") {
		t.Errorf("causes %q", c)
	}
}
