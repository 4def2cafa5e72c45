package verify

import (
	"context"
	"fmt"
	"net"
	"path"
	"strconv"
	"strings"

	"github.com/dockgen/dockgen/internal/analysis"
)

// diagnose gathers what a user needs to fix a failure: the exit code, the
// last log lines, the health check's last output, and the likely causes.
func (v *verifier) diagnose(ctx context.Context) {
	dg := &Diagnosis{Stage: v.stage}
	v.r.Diagnosis = dg
	ev := evidence{
		stage:    v.stage,
		facts:    v.o.Facts,
		main:     v.o.Main,
		given:    envNames(v.o.Env),
		imageEnv: v.img.Config.Env,
		port:     v.r.Port,
		hostAddr: v.r.HostAddr,
		killed:   v.r.Killed,
	}
	if v.stage == "build" {
		if v.build != nil {
			dg.BuildLog = lastN(v.build.Lines(), 20)
		}
		ev.output = dg.BuildLog
		dg.Causes = likelyCauses(ev)
		return
	}
	if st := v.state; st != nil {
		dg.Running, dg.ExitCode, dg.OOMKilled, dg.StateError = st.Running, st.ExitCode, st.OOMKilled, st.Error
		ev.stateErr = st.Error
		ev.exitCode, ev.exited = st.ExitCode, !st.Running && st.Status != ""
	}
	if v.cid != "" {
		logs := newLineTail(20, nil, "")
		v.d.stream(ctx, logs, "logs", "--tail", "20", v.cid) //nolint:errcheck // best effort
		dg.Logs = logs.Lines()
		// The health log of the state at failure time, else the latest.
		st := v.state
		if st == nil || st.Health == nil {
			st, _ = v.inspectContainer(ctx)
		}
		if st != nil && st.Health != nil && len(st.Health.Log) > 0 {
			last := st.Health.Log[len(st.Health.Log)-1]
			verdict := "passing"
			if last.ExitCode != 0 {
				verdict = "failing"
			}
			dg.HealthLog = append([]string{fmt.Sprintf("(%s: exit code %d)", verdict, last.ExitCode)}, lastLines(last.Output, 10)...)
		}
	}
	ev.output = append(append(append([]string{}, dg.Logs...), dg.HealthLog...), dg.StateError)
	if v.r.Probe != nil {
		ev.probeErr = v.r.Probe.Err
	}
	dg.Causes = likelyCauses(ev)
}

func envNames(env []string) []string {
	var out []string
	for _, e := range env {
		name, _, _ := strings.Cut(e, "=")
		out = append(out, name)
	}
	return out
}

func lastN(lines []string, n int) []string {
	if len(lines) > n {
		return lines[len(lines)-n:]
	}
	return lines
}

// evidence is everything the causes are read from.
type evidence struct {
	stage    string
	facts    *analysis.Facts
	main     *analysis.Main
	given    []string // env names passed to the container
	imageEnv []string // the image's ENV, NAME=VALUE
	port     int
	hostAddr string
	exited   bool
	exitCode int
	stateErr string
	output   []string // logs, health output, engine error, or build log
	probeErr string
	killed   bool
}

func (e evidence) text() string { return strings.ToLower(strings.Join(e.output, "\n")) }

func (e evidence) has(subs ...string) bool {
	t := e.text()
	for _, s := range subs {
		if strings.Contains(t, strings.ToLower(s)) {
			return true
		}
	}
	return false
}

// likelyCauses turns the evidence into explanations a user can act on,
// most specific first. It never guesses beyond what the facts or the
// output show.
func likelyCauses(e evidence) []string {
	if e.stage == "build" {
		return buildCauses(e)
	}
	var causes []string
	add := func(format string, args ...any) { causes = append(causes, fmt.Sprintf(format, args...)) }
	m := e.main

	// cgo and libc: the binary needs a C library the runtime image lacks.
	execFailed := e.has("exec format error", "no such file or directory", "not found") && e.has("/app", "exec ", "exec:")
	if e.has("exec format error") && (m == nil || !m.Cgo) {
		add("exec format error: the binary was built for another OS or CPU than the engine runs; build with GOOS=$TARGETOS GOARCH=$TARGETARCH (as the generated Dockerfile does)")
	}
	if m != nil && m.Cgo && (execFailed || e.has("glibc_", "libc.so", "ld-linux", "error while loading shared libraries")) {
		add("libc mismatch: %s is a cgo binary (%s) linked against glibc, and the runtime image lacks glibc or its loader: use the distroless base (gcr.io/distroless/base-debian12) or debian runtime (dockgen init --base distroless|debian), never scratch or alpine",
			mainLabel(m), cgoWhy(m))
	}
	if e.has("cgo_enabled=0", "requires cgo to work", "this is a stub") {
		reason := "a dependency needs cgo"
		if m != nil && m.CgoReason != "" {
			reason = cgoWhy(m)
		}
		add("the binary was built with CGO_ENABLED=0 but %s: it compiled to a stub that fails at run time; build with CGO_ENABLED=1 on a glibc runtime (regenerate the Dockerfile)", reason)
	}

	// Required env not given.
	if m != nil && (e.exited || e.stage == "health" || e.stage == "start") {
		for _, v := range m.Env {
			if contains(e.given, v.Name) || imageSets(e.imageEnv, v.Name) {
				continue
			}
			mentioned := e.has(v.Name)
			if (v.Secret && !v.HasDefault) || (!v.HasDefault && mentioned && e.exited) {
				kind := "env"
				if v.Secret {
					kind = "secret env"
				}
				add("required %s %s (read at %s) was not set and has no default: pass --env %s=... (compose takes it from your environment or .env)", kind, v.Name, v.Source, v.Name)
			}
		}
	}

	// What the container really listens on, as its probe read it from
	// /proc/net/tcp: the most direct evidence there is.
	if e.stage == "probe" || e.stage == "health" {
		causes = append(causes, listeningCauses(e)...)
		if e.has("healthcheck: 404") {
			causes = append(causes, "the service answers the probe's health route with 404: it serves another handler than the one the route was registered on (dockgen's probe file adds /healthz to http.DefaultServeMux when it finds no health route) — add a health route to the service's own router, or make the probe a TCP connect by editing its dockgen_health.go")
		}
	}

	// The port: loopback binds, or nothing listening where expected.
	if e.stage == "probe" || e.stage == "health" {
		lb := loopbackBinds(e)
		for _, l := range lb {
			add("loopback bind at %s: %s", l.Source, l.Message)
		}
		if len(lb) == 0 && e.stage == "probe" && e.port != 0 {
			where := ""
			if m != nil && len(m.Listeners) > 0 {
				var ls []string
				for _, l := range m.Listeners {
					a := l.Addr
					if a == "" {
						a = "(unresolved address)"
					}
					ls = append(ls, a+at(l.Source))
				}
				where = "; the code listens at " + strings.Join(ls, ", ")
			}
			add("port not answering: nothing answers on container port %d (published at %s: %s)%s — check the port the service really listens on, and that it binds all interfaces", e.port, e.hostAddr, e.probeErr, where)
		}
		if e.stage == "health" && e.has("connection refused") && len(lb) == 0 {
			add("the health check could not connect inside the container: the service does not listen on port %d, or had not started", portOr(e.port))
		}
	}

	// A program that exits at once says why in its log.
	if e.exited {
		if e.has("usage:", "available commands:", "flag provided but not defined", "no command specified", "required flag", "unknown command") {
			causes = append(causes, "the program printed its usage and exited: it needs a subcommand or flags to start serving (e.g. `serve`); add them to the image's CMD (the Dockerfile's last stage) and to compose's `command:`")
		}
		if f := missingFile(e.output); f != "" {
			causes = append(causes, fmt.Sprintf("a file the program reads at start-up is not in the image: %s — copy it into the runtime stage (relative paths resolve from the image's WORKDIR), or mount it in compose", f))
		}
	}

	// Hardened-run restrictions.
	if e.has("read-only file system") {
		add("the program writes outside /tmp, and the root filesystem is read-only in a hardened run: write under /tmp (a tmpfs) or to a mounted volume")
	}
	if e.has("bind: permission denied") {
		add("binding a port below 1024 needs root or CAP_NET_BIND_SERVICE, and the container runs as non-root with no capabilities: listen on a port >= 1024")
	}
	if e.has("address already in use") {
		add("the port is already in use inside the container: two listeners share it")
	}
	if e.exited && e.exitCode == 0 && len(causes) == 0 {
		add("the program exited with code 0 right away: it is not a long-running service (a job or a CLI), or it returned from main early")
	}
	if e.killed {
		add("PID 1 ignored SIGTERM: a shell-form ENTRYPOINT/CMD (sh does not forward signals), or a signal handler that never returns; use exec form and return from main on SIGTERM")
	}
	if e.exitCode == 137 && !e.killed && e.exited {
		add("exit code 137: the process was killed (out of memory, or SIGKILL)")
	}
	return causes
}

// missingFile is the path in an "open X: no such file or directory" line.
func missingFile(output []string) string {
	for _, l := range output {
		i := strings.Index(l, "open ")
		j := strings.Index(l, ": no such file or directory")
		if i >= 0 && j > i+5 && !strings.Contains(l[i:j], "/app") {
			return l[i+5 : j]
		}
	}
	return ""
}

// listeningCauses reads the probe's "healthcheck: listening on A, B" (or
// "nothing listens") line and names the fix.
func listeningCauses(e evidence) []string {
	var addrs []string
	nothing := false
	for _, l := range e.output {
		if i := strings.Index(l, "healthcheck: listening on "); i >= 0 {
			addrs = strings.Split(strings.TrimSpace(l[i+len("healthcheck: listening on "):]), ", ")
		}
		nothing = nothing || strings.Contains(l, "healthcheck: nothing listens on TCP")
	}
	name := "NAME"
	if e.main != nil {
		name = e.main.Name
	}
	if nothing {
		return []string{fmt.Sprintf("nothing listens on TCP inside the container (the probe looked): the service has not started its server — it may wait for a subcommand, a config file or a backing service; read the logs below")}
	}
	var out []string
	for _, a := range addrs {
		host, port, err := net.SplitHostPort(a)
		if err != nil {
			continue
		}
		ip := net.ParseIP(host)
		p, _ := strconv.Atoi(port)
		switch {
		case ip != nil && ip.IsLoopback():
			out = append(out, fmt.Sprintf("listening on %s, loopback only: unreachable through a published port → bind all interfaces (%s, not %s)", a, net.JoinHostPort("", port), a))
		case p != e.port && e.port != 0:
			out = append(out, fmt.Sprintf("listening on %s, not :%d → `dockgen regenerate` after `dockgen init --force --port %s=%d`, or make the service listen on :%d", a, e.port, name, p, e.port))
		}
	}
	return out
}

func buildCauses(e evidence) []string {
	var causes []string
	add := func(format string, args ...any) { causes = append(causes, fmt.Sprintf(format, args...)) }
	switch {
	case e.has("buildx component is missing", "buildkit is enabled but"):
		add("BuildKit is missing: install the docker buildx plugin (the Dockerfile uses RUN --mount cache mounts, which the legacy builder rejects)")
	case e.has("the --mount option requires buildkit", "unknown flag: mount"):
		add("the legacy builder ran: enable BuildKit (DOCKER_BUILDKIT=1 and the buildx plugin)")
	}
	if e.has("pull access denied", "failed to resolve source metadata", "failed to do request", "not found: manifest unknown", "no such host") {
		add("a base image is neither local nor pullable: pull it (or its stand-in) first, or check the registry/network")
	}
	if e.has("go.mod requires go >=", "requires go >= ") {
		add("the builder's Go is older than go.mod asks: regenerate the Dockerfile (dockgen picks golang:<go directive>)")
	}
	if e.has("x509: certificate signed by unknown authority") {
		add("module download failed TLS verification inside the builder: a proxy with its own CA sits between the builder and the module proxy; add that CA to the builder")
	}
	if e.has(`"gcc": executable file not found`, "cgo: c compiler", "gcc: not found") {
		add("cgo needs a C compiler in the builder: use a golang:*-bookworm builder (it has gcc)")
	}
	if e.has("cannot find main module", "no go files in", "is not in std", "cannot find package", "no required module provides package") {
		add("the build context lacks sources the build needs: check .dockerignore and that the Dockerfile is at the module root")
	}
	if e.has("terminal prompts disabled", "could not read username", "410 gone", "reading https://") && e.has("go mod download", "go: ") {
		add("a private module could not be downloaded: pass credentials as a BuildKit secret (docker build --secret id=netrc,src=$HOME/.netrc), never in a layer")
	}
	return causes
}

// loopbackBinds returns the loopback-bind warnings that apply to the main,
// leaving out a listener whose address the image pins to all interfaces
// through an env var (dockgen does that: ENV APP_ADDR=":9090").
func loopbackBinds(e evidence) []analysis.Warning {
	if e.facts == nil {
		return nil
	}
	var out []analysis.Warning
	for _, w := range e.facts.Warnings {
		if w.Code != "loopback-bind" {
			continue
		}
		if e.main != nil && !inMain(e.facts, e.main, w.Source) {
			continue
		}
		if e.main != nil && pinnedAway(e.main, w.Source, e.imageEnv, e.given) {
			continue
		}
		out = append(out, w)
	}
	return out
}

// inMain reports whether source (file:line) is in the main's package dir,
// or (for a warning in shared code) not in any other main's.
func inMain(f *analysis.Facts, m *analysis.Main, source string) bool {
	file, _, _ := strings.Cut(source, ":")
	dir := path.Dir(file)
	own := strings.TrimPrefix(strings.TrimPrefix(m.Dir, "./"), ".")
	if own == "" {
		own = "."
	}
	if dir == own {
		return true
	}
	for _, o := range f.Mains {
		od := strings.TrimPrefix(strings.TrimPrefix(o.Dir, "./"), ".")
		if od == "" {
			od = "."
		}
		if od == dir {
			return false
		}
	}
	return true
}

// pinnedAway reports whether the listener at source takes its address from
// an env var that the image or the run sets (so the code's loopback default
// does not apply). A run-time value is not inspected: any given value counts.
func pinnedAway(m *analysis.Main, source string, imageEnv, given []string) bool {
	for _, l := range m.Listeners {
		if l.Source != source || l.PortEnv == "" || !l.EnvIsAddr {
			continue
		}
		if contains(given, l.PortEnv) {
			return true
		}
		for _, kv := range imageEnv {
			name, val, _ := strings.Cut(kv, "=")
			if name == l.PortEnv {
				host, _, _ := strings.Cut(val, ":")
				return host == "" || host == "0.0.0.0" || host == "::" || host == "[::]"
			}
		}
	}
	return false
}

func imageSets(imageEnv []string, name string) bool {
	for _, kv := range imageEnv {
		if n, _, _ := strings.Cut(kv, "="); n == name {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func mainLabel(m *analysis.Main) string {
	if m.Dir == "." || m.Dir == "" {
		return m.Name
	}
	return m.Dir
}

func at(src string) string {
	if src == "" {
		return ""
	}
	return " at " + src
}

func portOr(p int) int {
	if p == 0 {
		return 8080
	}
	return p
}

// cgoWhy is the main's cgo reason with its source, once.
func cgoWhy(m *analysis.Main) string {
	if m.CgoSource == "" || strings.Contains(m.CgoReason, m.CgoSource) {
		return m.CgoReason
	}
	return m.CgoReason + at(m.CgoSource)
}
