package examples

// End-to-end tests of backing services on a real Docker engine: each
// example that uses a database or a broker is generated with `dockgen init
// --yes` on a fresh copy, and its compose.yaml, unchanged, must come up with
// `docker compose up --build --wait` given only the one required password
// (in the environment, or in .env): both containers healthy, the backing
// service reachable from the app by its compose name and not published on
// the host, and GET / on the app's published 127.0.0.1 port answering the
// body of a real round trip (a query, a SET/GET, a publish/subscribe). The
// app must wait for the service: compose starts it only once the service is
// healthy, and its health check fails while the service is paused. Then
// `down -v` must leave nothing behind.
//
// The backing images are the stand-ins .ci/provision-docker builds under
// the official names (.ci/standins.md). Gate and engine as in e2e_test.go.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// serviceExample is an example with a backing service, and what its
// compose project must do.
type serviceExample struct {
	name    string // example dir, binary and compose service of the app
	backing string // compose service of the backing service
	port    int    // the app's container port, published as the same host port
	// secret is the one variable compose requires ("" when none), given
	// the value below through the environment or, with dotenv, .env.
	secret string
	dotenv bool
	body   *regexp.Regexp // what GET / answers
}

var serviceExamples = []serviceExample{
	{name: "pgquery", backing: "postgres", port: 8431, secret: "POSTGRES_PASSWORD",
		body: regexp.MustCompile(`^postgres: 42 \(as postgres\)\n$`)},
	{name: "redisvisits", backing: "redis", port: 8432,
		body: regexp.MustCompile(`^redis: visit [1-9]\d*\n$`)},
	{name: "natspubsub", backing: "nats", port: 8433,
		body: regexp.MustCompile(`^nats: received "hello [1-9]\d*"\n$`)},
	{name: "mysqlquery", backing: "mysql", port: 8434, secret: "MYSQL_PASSWORD", dotenv: true,
		body: regexp.MustCompile(`^mysql: 42 \(in app\)\n$`)},
	{name: "amqpqueue", backing: "rabbitmq", port: 8435,
		body: regexp.MustCompile(`^rabbitmq: received "hello [1-9]\d*"\n$`)},
}

// TestE2EServices runs every service example's compose project (named E2E*
// so that .ci/run's e2e pass runs it too).
func TestE2EServices(t *testing.T) {
	requireEngine(t)
	start := time.Now()
	for _, ex := range serviceExamples {
		t.Run(ex.name, func(t *testing.T) {
			t0 := time.Now()
			runServiceExample(t, ex)
			t.Logf("e2e: services %s done in %s", ex.name, time.Since(t0).Round(100*time.Millisecond))
		})
	}
	t.Logf("e2e: all service examples in %s", time.Since(start).Round(time.Second))
}

// healthState is the part of docker inspect's .State the test reads.
type healthState struct {
	StartedAt time.Time
	Running   bool
	Health    *struct {
		Status string
		Log    []struct {
			Start, End time.Time
			ExitCode   int
			Output     string
		}
	}
}

// firstHealthy is when the first passing health check in the log ended
// (zero when none passed).
func (s healthState) firstHealthy() time.Time {
	if s.Health != nil {
		for _, l := range s.Health.Log {
			if l.ExitCode == 0 {
				return l.End
			}
		}
	}
	return time.Time{}
}

func runServiceExample(t *testing.T, ex serviceExample) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	dir := generate(t, ex.name, "distroless") // distroless is the default base: plain `init --yes`
	compose, err := os.ReadFile(filepath.Join(dir, "compose.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	// What works here is what is committed (the golden test keeps them equal).
	if committed, err := os.ReadFile(filepath.Join(ex.name, "compose.yaml")); err != nil || string(committed) != string(compose) {
		t.Fatalf("the generated compose.yaml differs from the committed one (run go test ./examples -run TestGolden -update): %v", err)
	}
	var required []string
	for _, m := range composeRequired.FindAllStringSubmatch(string(compose), -1) {
		if !slices.Contains(required, m[1]) {
			required = append(required, m[1])
		}
	}
	if want := slices.DeleteFunc([]string{ex.secret}, func(s string) bool { return s == "" }); !slices.Equal(required, want) {
		t.Fatalf("compose.yaml requires %v, want exactly %v", required, want)
	}

	project := fmt.Sprintf("dockgen-e2e-svc-%s-%s", ex.name, e2eRunID)
	file := filepath.Join(dir, "compose.yaml")
	var env []string
	run := func(args ...string) (string, error) {
		return docker(ctx, env, append([]string{"compose", "-p", project, "-f", file}, args...)...)
	}
	if ex.secret != "" {
		// Without the password compose refuses, naming it.
		if out, err := run("config", "-q"); err == nil || !strings.Contains(err.Error(), ex.secret) {
			t.Fatalf("compose config without %s: want a refusal naming it, got %v\n%s", ex.secret, err, out)
		}
		kv := ex.secret + "=e2eSecret1234"
		if ex.dotenv {
			if err := os.WriteFile(filepath.Join(dir, ".env"), []byte(kv+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
		} else {
			env = []string{kv}
		}
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		docker(ctx, env, "compose", "-p", project, "-f", file, "down", "-v", "--rmi", "local", "--timeout", "10") //nolint:errcheck // idempotent
	})

	t0 := time.Now()
	if out, err := run("up", "--build", "--wait", "--wait-timeout", "180", "--quiet-pull"); err != nil {
		ps, _ := run("ps", "-a")
		logs, _ := run("logs", "--tail", "30")
		t.Fatalf("compose up: %v\n%s\nps:\n%s\nlogs:\n%s", err, tail(out, 20), ps, logs)
	}
	up := time.Since(t0)

	ids := map[string]string{}
	states := map[string]healthState{}
	for _, svc := range []string{ex.backing, ex.name} {
		out, err := run("ps", "-q", svc)
		if err != nil || strings.TrimSpace(out) == "" {
			t.Fatalf("compose ps %s: %q %v", svc, out, err)
		}
		ids[svc] = strings.TrimSpace(out)
		var st healthState
		if err := json.Unmarshal([]byte(mustDocker(t, ctx, nil, "container", "inspect", "--format", "{{json .State}}", ids[svc])), &st); err != nil {
			t.Fatal(err)
		}
		if st.Health == nil || st.Health.Status != "healthy" {
			t.Fatalf("%s is not healthy after up --wait: %+v", svc, st.Health)
		}
		states[svc] = st
	}

	// The backing service publishes nothing on the host.
	if pb := strings.TrimSpace(mustDocker(t, ctx, nil, "container", "inspect", "--format", "{{json .HostConfig.PortBindings}}", ids[ex.backing])); pb != "{}" && pb != "null" {
		t.Errorf("%s publishes host ports: %s", ex.backing, pb)
	}

	// The app started only once the service was healthy, and became
	// healthy after it.
	db, app := states[ex.backing], states[ex.name]
	dbHealthy, appHealthy := db.firstHealthy(), app.firstHealthy()
	if dbHealthy.IsZero() || appHealthy.IsZero() {
		t.Fatalf("no passing health check in the logs: %s %+v, %s %+v", ex.backing, db.Health, ex.name, app.Health)
	}
	if !app.StartedAt.After(dbHealthy) || !appHealthy.After(dbHealthy) {
		t.Errorf("%s started at %s and was healthy at %s, but %s was first healthy at %s: it did not wait",
			ex.name, app.StartedAt.Format(time.RFC3339Nano), appHealthy.Format(time.RFC3339Nano), ex.backing, dbHealthy.Format(time.RFC3339Nano))
	}

	// The round trip, from the host through the published port.
	out, err := run("port", ex.name, strconv.Itoa(ex.port))
	if err != nil {
		t.Fatal(err)
	}
	addr := strings.TrimSpace(out)
	if addr != fmt.Sprintf("127.0.0.1:%d", ex.port) {
		t.Errorf("%s is published at %q, want 127.0.0.1:%d (the generated file, unchanged)", ex.name, addr, ex.port)
	}
	status, body, err := httpGet(ctx, "http://"+addr+"/")
	if err != nil || status != http.StatusOK || !ex.body.MatchString(body) {
		logs, _ := run("logs", "--tail", "30")
		t.Fatalf("GET http://%s/ = %d %q (%v), want 200 and a body matching %s\nlogs:\n%s", addr, status, body, err, ex.body, logs)
	}

	// The app's health follows the service's: paused, the probe fails;
	// unpaused, it passes again.
	t1 := time.Now()
	if _, err := run("pause", ex.backing); err != nil {
		t.Fatal(err)
	}
	_, probeErr := docker(ctx, nil, "exec", ids[ex.name], "/app", "-healthcheck")
	paused := time.Since(t1)
	if _, err := run("unpause", ex.backing); err != nil {
		t.Fatal(err)
	}
	if probeErr == nil {
		t.Errorf("%s's health check passes while %s is paused: its health route does not check the connection", ex.name, ex.backing)
	}
	var again error
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(500 * time.Millisecond) {
		if _, again = docker(ctx, nil, "exec", ids[ex.name], "/app", "-healthcheck"); again == nil || time.Now().After(deadline) {
			break
		}
	}
	if again != nil {
		t.Errorf("%s's health check still fails after %s is unpaused: %v", ex.name, ex.backing, again)
	}

	t2 := time.Now()
	if out, err := run("down", "-v", "--rmi", "local", "--timeout", "10"); err != nil {
		t.Errorf("compose down: %v\n%s", err, out)
	}
	down := time.Since(t2)
	filter := "label=com.docker.compose.project=" + project
	if out, _ := docker(ctx, nil, "ps", "-aq", "--filter", filter); strings.TrimSpace(out) != "" {
		t.Errorf("compose down left containers: %s", out)
	}
	if out, _ := docker(ctx, nil, "volume", "ls", "-q", "--filter", filter); strings.TrimSpace(out) != "" {
		t.Errorf("compose down -v left volumes: %s", out)
	}
	t.Logf("e2e: services %s: up --build --wait %s (%s healthy %s after start; %s started %s after that, healthy %s after start); GET / %q; probe failed %s after pausing %s; down -v %s",
		ex.name, up.Round(10*time.Millisecond),
		ex.backing, dbHealthy.Sub(db.StartedAt).Round(10*time.Millisecond),
		ex.name, app.StartedAt.Sub(dbHealthy).Round(10*time.Millisecond), appHealthy.Sub(app.StartedAt).Round(10*time.Millisecond),
		strings.TrimSpace(body), paused.Round(10*time.Millisecond), ex.backing, down.Round(10*time.Millisecond))
}
