// Package verify proves a generated container setup on the local Docker
// engine. It is the last step of dockgen's flow and runs after apply, on the
// files on disk (module on disk → facts → answers → plan → files → verify):
// it builds the Dockerfile that is there now — generated or edited — with
// BuildKit, runs the image hardened the way compose.yaml runs it (read-only
// root, no capabilities, no-new-privileges, a tmpfs /tmp, the image's own
// user, the port published on 127.0.0.1 only), waits for the health check,
// probes the port from the host, stops it and cleans up. The analysis facts
// are used only to explain a failure (a loopback bind, a missing secret, a
// cgo binary on a base without glibc).
//
// It drives the docker CLI through os/exec (no Docker SDK): verify talks to
// whatever engine, context and plugins the user's own `docker` does.
// Everything it creates carries the label dockgen.verify=<run id> and is
// removed before Run returns (the image is kept with Options.Keep).
package verify

import (
	"archive/tar"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/dockgen/dockgen/internal/analysis"
)

// Label is put on every image and container verify creates, with the run id
// as its value: `docker ps -a --filter label=dockgen.verify` finds leftovers.
const Label = "dockgen.verify"

// Options say what to verify and how.
type Options struct {
	// Dir is the build context: the module root holding the Dockerfile.
	Dir string
	// Dockerfile is the Dockerfile's path; default Dir/Dockerfile.
	Dockerfile string
	// Target is the stage to build (docker build --target); "" builds the
	// last stage.
	Target string
	// Port is the container port to publish and probe; 0 takes the image's
	// lowest EXPOSEd TCP port. An image exposing nothing is only run.
	Port int
	// Path is the HTTP path probed from the host; default "/".
	Path string
	// RequireOK makes the probe pass only on a 2xx or 3xx answer. Without
	// it, any answer below 500 proves the port works (a 404 on "/" is an
	// API without a root route, not a broken image).
	RequireOK bool
	// Env is passed to the container, each "NAME=VALUE" (or "NAME" to pass
	// the value from this process's environment). Values never appear on a
	// command line: docker gets them through its own environment.
	Env []string
	// BuildArgs are passed as --build-arg NAME=VALUE.
	BuildArgs []string
	// Timeout bounds the wait for the container to become healthy (or, for
	// an image without a HEALTHCHECK, for its port to answer); default 60s.
	Timeout time.Duration
	// StopGrace is docker stop's -t; default 10s. A container still running
	// then is killed, and verify reports it.
	StopGrace time.Duration
	// Keep keeps the image (tagged Report.Image) instead of removing it.
	Keep bool
	// Facts and Main explain failures; both may be nil.
	Facts *analysis.Facts
	Main  *analysis.Main
	// Progress gets one line per step while verify works; nil discards.
	Progress io.Writer
	// BuildLog, when set, gets docker build's output as it happens (its
	// last lines are in the diagnosis either way).
	BuildLog io.Writer
	// Docker is the docker CLI to run; default "docker".
	Docker string
	// RunID labels everything created; default random.
	RunID string
}

// Report is what verify measured and found.
type Report struct {
	RunID  string
	Target string // stage built ("" = the last one)
	Image  string // the tag verify gave the image
	Kept   bool   // the image was kept (Options.Keep)

	BuildTime  time.Duration
	ImageID    string
	ImageSize  int64  // bytes, as docker image inspect reports it
	Binary     string // the entrypoint binary's path in the image
	BinarySize int64  // bytes; 0 when it could not be read

	User         string   // the image's USER ("" means root)
	UID          string   // the process's real uid seen from the engine's host, when docker top can tell
	NonRoot      bool     // neither USER nor UID is root
	ExposedPorts []string // "8080/tcp", sorted
	Port         int      // container port probed (0: none)
	HostAddr     string   // where Port is published: "127.0.0.1:49153"
	Healthcheck  bool     // the image has a HEALTHCHECK
	Health       string   // last health status seen ("healthy", "unhealthy", "starting"), or the container state without one

	TimeToHealthy time.Duration // from start to healthy (or to the first answer)
	Probe         *Probe        // the request from the host; nil when no port

	StopTime time.Duration // how long docker stop took
	ExitCode int           // the exit code after stop (or after it exited by itself)
	Stopped  bool          // the container was stopped by verify
	Killed   bool          // it did not exit on SIGTERM within StopGrace

	Notes    []string // worth knowing, not failures
	Problems []string // each failed check, in order; empty when OK
	OK       bool

	Diagnosis *Diagnosis // on failure: what a user needs to fix it
}

// Probe is the HTTP request verify made from the host.
type Probe struct {
	URL        string
	Status     int    // 0 when no answer
	StatusText string // "200 OK"
	Body       string // the first 64 KiB
	Err        string // why there was no answer
}

// FirstLine is the body's first non-empty line, shortened for a report.
func (p *Probe) FirstLine() string {
	for _, l := range strings.Split(p.Body, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			if len(l) > 120 {
				l = l[:117] + "..."
			}
			return l
		}
	}
	return ""
}

// Diagnosis explains a failure.
type Diagnosis struct {
	// Stage is where it failed: "build", "start", "health", "probe",
	// "user" or "stop".
	Stage      string
	Running    bool // the container was still running when it failed
	ExitCode   int  // when it was not running
	OOMKilled  bool
	StateError string   // the engine's error starting it
	Logs       []string // the container's last 20 log lines
	HealthLog  []string // the last health check's output
	BuildLog   []string // the build's last lines, when the build failed
	Causes     []string // likely causes, from the analysis and the output
}

func (o *Options) defaults() error {
	if o.Dir == "" {
		o.Dir = "."
	}
	if o.Dockerfile == "" {
		o.Dockerfile = filepath.Join(o.Dir, "Dockerfile")
	}
	if _, err := os.Stat(o.Dockerfile); err != nil {
		return fmt.Errorf("no Dockerfile to verify: %w", err)
	}
	if o.Path == "" {
		o.Path = "/"
	}
	if !strings.HasPrefix(o.Path, "/") {
		o.Path = "/" + o.Path
	}
	if o.Timeout <= 0 {
		o.Timeout = 60 * time.Second
	}
	if o.StopGrace <= 0 {
		o.StopGrace = 10 * time.Second
	}
	if o.Progress == nil {
		o.Progress = io.Discard
	}
	if o.Docker == "" {
		o.Docker = "docker"
	}
	if o.RunID == "" {
		o.RunID = NewRunID()
	}
	if o.Port < 0 || o.Port > 65535 {
		return fmt.Errorf("port %d out of range", o.Port)
	}
	for _, e := range o.Env {
		name, _, _ := strings.Cut(e, "=")
		if name == "" {
			return fmt.Errorf("env %q: want NAME=VALUE", e)
		}
	}
	return nil
}

// NewRunID returns a short random id for labels and names.
func NewRunID() string {
	b := make([]byte, 5)
	if _, err := rand.Read(b); err != nil {
		return strconv.FormatInt(time.Now().UnixNano(), 36)
	}
	return hex.EncodeToString(b)
}

// verifier is one Run's state.
type verifier struct {
	o       Options
	d       docker
	r       *Report
	build   *lineTail
	built   bool   // the image exists
	cid     string // the running container
	started time.Time
	img     imageInfo
	state   *containerState // when the failure was seen
	stage   string          // failure stage
}

// Run builds, runs, probes and stops one image, then cleans up. The error
// is for what keeps verify itself from working (no docker, no engine, bad
// options); a broken image is a Report with OK false and a Diagnosis.
func Run(ctx context.Context, o Options) (*Report, error) {
	if err := o.defaults(); err != nil {
		return nil, err
	}
	v := &verifier{
		o: o,
		d: docker{bin: o.Docker, env: []string{"DOCKER_BUILDKIT=1"}},
		r: &Report{RunID: o.RunID, Target: o.Target, Image: imageTag(o.Target, o.RunID)},
	}
	if _, err := exec.LookPath(o.Docker); err != nil {
		return nil, fmt.Errorf("the docker CLI is not installed (%v): verify needs Docker with BuildKit", err)
	}
	if _, err := v.d.run(ctx, "version", "--format", "{{.Server.Version}}"); err != nil {
		return nil, fmt.Errorf("%w: %v", errNoEngine, err)
	}
	defer v.cleanup()
	v.run(ctx)
	if err := ctx.Err(); err != nil {
		return v.r, err
	}
	v.r.OK = len(v.r.Problems) == 0
	if !v.r.OK {
		v.diagnose(ctx)
	}
	return v.r, nil
}

func (v *verifier) progressf(format string, args ...any) {
	fmt.Fprintf(v.o.Progress, "verify: "+format+"\n", args...)
}

func (v *verifier) fail(stage, format string, args ...any) {
	if v.stage == "" {
		v.stage = stage
	}
	msg := fmt.Sprintf(format, args...)
	v.r.Problems = append(v.r.Problems, msg)
	v.progressf("FAIL: %s", msg)
}

func (v *verifier) run(ctx context.Context) {
	if !v.buildImage(ctx) {
		return
	}
	if !v.inspectImage(ctx) {
		return
	}
	v.binarySize(ctx)
	if !v.start(ctx) {
		return
	}
	ready := v.waitReady(ctx)
	if ready && v.r.Port != 0 && v.r.Probe == nil {
		v.probeFromHost(ctx, 5*time.Second)
	}
	v.checkUser(ctx)
	if ctx.Err() != nil {
		return
	}
	if v.state == nil && v.stage != "" {
		v.state, _ = v.inspectContainer(ctx)
	}
	v.stop(ctx)
}

func imageTag(target, id string) string {
	name := "app"
	if target != "" {
		name = strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' {
				return r
			}
			return '-'
		}, strings.ToLower(target))
	}
	return "dockgen-verify-" + name + ":" + id
}

func (v *verifier) buildImage(ctx context.Context) bool {
	what := "the last stage"
	if v.o.Target != "" {
		what = "target " + v.o.Target
	}
	v.progressf("building %s of %s with BuildKit", what, v.o.Dockerfile)
	args := []string{"build", "--progress=plain", "--label", Label + "=" + v.o.RunID, "-t", v.r.Image, "-f", v.o.Dockerfile}
	if v.o.Target != "" {
		args = append(args, "--target", v.o.Target)
	}
	for _, a := range v.o.BuildArgs {
		args = append(args, "--build-arg", a)
	}
	args = append(args, v.o.Dir)
	v.build = newLineTail(30, v.o.BuildLog, "  | ")
	t0 := time.Now()
	err := v.d.stream(ctx, v.build, args...)
	v.r.BuildTime = time.Since(t0)
	if err != nil {
		if ctx.Err() == nil {
			v.fail("build", "docker build failed after %s", round(v.r.BuildTime))
		}
		return false
	}
	v.built = true
	v.progressf("built in %s", round(v.r.BuildTime))
	return true
}

// imageInfo is the part of docker image inspect verify reads.
type imageInfo struct {
	ID     string `json:"Id"`
	Size   int64  `json:"Size"`
	Config struct {
		User         string              `json:"User"`
		ExposedPorts map[string]struct{} `json:"ExposedPorts"`
		Env          []string            `json:"Env"`
		Entrypoint   []string            `json:"Entrypoint"`
		Cmd          []string            `json:"Cmd"`
		Healthcheck  *struct {
			Test []string `json:"Test"`
		} `json:"Healthcheck"`
	} `json:"Config"`
}

func (v *verifier) inspectImage(ctx context.Context) bool {
	out, err := v.d.run(ctx, "image", "inspect", v.r.Image)
	if err != nil {
		v.fail("build", "inspect the built image: %v", err)
		return false
	}
	var imgs []imageInfo
	if err := json.Unmarshal([]byte(out), &imgs); err != nil || len(imgs) != 1 {
		v.fail("build", "inspect the built image: unexpected output (%v)", err)
		return false
	}
	v.img = imgs[0]
	r := v.r
	r.ImageID = v.img.ID
	r.ImageSize = v.img.Size
	r.User = v.img.Config.User
	r.NonRoot = !isRootUser(r.User)
	hc := v.img.Config.Healthcheck
	r.Healthcheck = hc != nil && len(hc.Test) > 0 && hc.Test[0] != "NONE"
	var tcp []int
	for p := range v.img.Config.ExposedPorts {
		r.ExposedPorts = append(r.ExposedPorts, p)
		num, proto, _ := strings.Cut(p, "/")
		if n, err := strconv.Atoi(num); err == nil && (proto == "tcp" || proto == "") {
			tcp = append(tcp, n)
		}
	}
	sort.Strings(r.ExposedPorts)
	slices.Sort(tcp)
	r.Port = v.o.Port
	if r.Port == 0 && len(tcp) > 0 {
		r.Port = tcp[0]
	}
	if len(tcp) > 1 && v.o.Port == 0 {
		r.Notes = append(r.Notes, fmt.Sprintf("the image exposes %d ports; probing %d (choose with --port)", len(tcp), r.Port))
	}
	r.Binary = "/app"
	switch {
	case len(v.img.Config.Entrypoint) > 0:
		r.Binary = v.img.Config.Entrypoint[0]
	case len(v.img.Config.Cmd) > 0:
		r.Binary = v.img.Config.Cmd[0]
	}
	return true
}

// binarySize copies the entrypoint binary out of a created (never started)
// container and reads its size from the tar header.
func (v *verifier) binarySize(ctx context.Context) {
	if !strings.HasPrefix(v.r.Binary, "/") {
		return
	}
	out, err := v.d.run(ctx, "create", "--label", Label+"="+v.o.RunID, v.r.Image)
	if err != nil {
		v.r.Notes = append(v.r.Notes, "binary size unknown: "+err.Error())
		return
	}
	cid := strings.TrimSpace(out)
	defer v.d.run(context.WithoutCancel(ctx), "rm", "-f", "-v", cid) //nolint:errcheck // best effort
	cmd := v.d.cmd(ctx, nil, "cp", "-L", cid+":"+v.r.Binary, "-")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return
	}
	if err := cmd.Start(); err != nil {
		return
	}
	tr := tar.NewReader(stdout)
	for {
		h, err := tr.Next()
		if err != nil {
			break
		}
		if h.Typeflag == tar.TypeReg {
			v.r.BinarySize = h.Size
			break
		}
	}
	io.Copy(io.Discard, stdout) //nolint:errcheck // drain so docker cp exits
	cmd.Wait()                  //nolint:errcheck // the size is all we wanted
}

func (v *verifier) start(ctx context.Context) bool {
	name := strings.ReplaceAll(strings.ReplaceAll(v.r.Image, ":", "-"), "/", "-")
	args := []string{"run", "-d", "--name", name,
		"--label", Label + "=" + v.o.RunID,
		"--read-only", "--cap-drop", "ALL", "--security-opt", "no-new-privileges",
		"--tmpfs", "/tmp",
	}
	if v.r.Port != 0 {
		args = append(args, "-p", fmt.Sprintf("127.0.0.1::%d", v.r.Port))
	}
	var env []string
	for _, e := range v.o.Env {
		name, _, hasValue := strings.Cut(e, "=")
		args = append(args, "-e", name)
		if hasValue {
			env = append(env, e)
		}
	}
	args = append(args, v.r.Image)
	v.progressf("running %s hardened: --read-only --cap-drop ALL --security-opt no-new-privileges --tmpfs /tmp%s", v.r.Image, publishNote(v.r.Port))
	out, err := v.d.runEnv(ctx, env, args...)
	v.started = time.Now()
	v.cid = strings.TrimSpace(out)
	if err != nil {
		if v.cid == "" {
			// docker run prints the id before starting; look it up by name.
			if id, err2 := v.d.run(ctx, "ps", "-aq", "--filter", "label="+Label+"="+v.o.RunID, "--filter", "name="+name); err2 == nil {
				v.cid = strings.TrimSpace(id)
			}
		}
		v.fail("start", "the container did not start: %v", err)
		var stderr string
		var de *DockerError
		if errors.As(err, &de) {
			stderr = strings.TrimSpace(de.Stderr)
		}
		if st, err := v.inspectContainer(ctx); err == nil {
			v.state = st
			if st.Error == "" {
				st.Error = stderr
			}
		} else {
			v.state = &containerState{Error: stderr}
		}
		return false
	}
	if v.r.Port != 0 {
		out, err := v.d.run(ctx, "port", v.cid, fmt.Sprintf("%d/tcp", v.r.Port))
		if err != nil {
			// A container that exited at once has no published port:
			// waitReady reports the exit, with its code.
			if st, err2 := v.inspectContainer(ctx); err2 == nil && !st.Running {
				return true
			}
			v.fail("start", "find the published port: %v", err)
			return false
		}
		v.r.HostAddr = firstLine(out)
	}
	return true
}

func publishNote(port int) string {
	if port == 0 {
		return " (no port exposed)"
	}
	return fmt.Sprintf(" -p 127.0.0.1::%d", port)
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(l)
}

// containerState is the part of docker inspect's .State verify reads.
type containerState struct {
	Status     string `json:"Status"`
	Running    bool   `json:"Running"`
	ExitCode   int    `json:"ExitCode"`
	OOMKilled  bool   `json:"OOMKilled"`
	Error      string `json:"Error"`
	StartedAt  string `json:"StartedAt"`
	FinishedAt string `json:"FinishedAt"`
	Health     *struct {
		Status string `json:"Status"`
		Log    []struct {
			ExitCode int    `json:"ExitCode"`
			Output   string `json:"Output"`
		} `json:"Log"`
	} `json:"Health"`
}

func (v *verifier) inspectContainer(ctx context.Context) (*containerState, error) {
	if v.cid == "" {
		return nil, errors.New("no container")
	}
	out, err := v.d.run(ctx, "container", "inspect", "--format", "{{json .State}}", v.cid)
	if err != nil {
		return nil, err
	}
	var st containerState
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		return nil, fmt.Errorf("docker inspect: %w", err)
	}
	return &st, nil
}

// settle is how long a container without health check and port must keep
// running to count as started.
const settle = 3 * time.Second

// waitReady waits, bounded, for healthy (or, without a HEALTHCHECK, for the
// port to answer from the host, or for the container to keep running).
func (v *verifier) waitReady(ctx context.Context) bool {
	r := v.r
	switch {
	case r.Healthcheck:
		v.progressf("waiting up to %s for the health check to report healthy", v.o.Timeout)
	case r.Port != 0:
		v.progressf("no HEALTHCHECK in the image: waiting up to %s for port %d to answer from the host", v.o.Timeout, r.Port)
		r.Notes = append(r.Notes, "the image has no HEALTHCHECK")
	default:
		v.progressf("no HEALTHCHECK and no port: checking that it keeps running for %s", settle)
	}
	deadline := v.started.Add(v.o.Timeout)
	last, lastReport := "", time.Now()
	for {
		st, err := v.inspectContainer(ctx)
		if err != nil {
			if ctx.Err() == nil {
				v.fail("start", "inspect the container: %v", err)
			}
			return false
		}
		status := st.Status
		if st.Health != nil {
			status = st.Health.Status
		}
		r.Health = status
		if status != last {
			if last != "" {
				v.progressf("%s after %s", status, round(time.Since(v.started)))
			}
			last, lastReport = status, time.Now()
		} else if time.Since(lastReport) >= 10*time.Second {
			v.progressf("still %s after %s", status, round(time.Since(v.started)))
			lastReport = time.Now()
		}
		switch {
		case !st.Running:
			v.state = st
			v.fail("start", "the container exited with code %d %s after it started", st.ExitCode, round(time.Since(v.started)))
			return false
		case st.Health != nil && st.Health.Status == "healthy":
			r.TimeToHealthy = time.Since(v.started)
			return true
		case st.Health != nil && st.Health.Status == "unhealthy":
			v.state = st
			v.fail("health", "the health check reports unhealthy after %s", round(time.Since(v.started)))
			return false
		case st.Health == nil && r.Port != 0:
			if p := v.get(ctx); p.Status != 0 {
				r.TimeToHealthy = time.Since(v.started)
				v.acceptProbe(p)
				return true
			}
		case st.Health == nil && time.Since(v.started) >= settle:
			r.TimeToHealthy = time.Since(v.started)
			return true
		}
		if time.Now().After(deadline) {
			v.state = st
			if st.Health != nil {
				v.fail("health", "not healthy after %s (health status %q)", v.o.Timeout, st.Health.Status)
			} else {
				p := v.get(ctx)
				v.r.Probe = p
				v.fail("probe", "port %d does not answer from the host after %s (GET %s: %s)", r.Port, v.o.Timeout, p.URL, p.Err)
			}
			return false
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(250 * time.Millisecond):
		}
	}
}

var httpClient = &http.Client{
	Timeout: 5 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	},
}

// get makes one request to the published port.
func (v *verifier) get(ctx context.Context) *Probe {
	p := &Probe{URL: "http://" + v.r.HostAddr + v.o.Path}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.URL, nil)
	if err != nil {
		p.Err = err.Error()
		return p
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		p.Err = shortNetErr(err)
		return p
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	p.Status, p.StatusText, p.Body = resp.StatusCode, resp.Status, string(b)
	return p
}

// shortNetErr says why a request got no answer, without the noise of
// addresses and wrapping.
func shortNetErr(err error) string {
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset by peer"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed without an answer (EOF)"
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "timed out"
	}
	msg := err.Error()
	// "Get \"http://...\": EOF" → "EOF"
	if i := strings.LastIndex(msg, "\": "); i >= 0 {
		msg = msg[i+3:]
	}
	return msg
}

// probeFromHost requests the published port, retrying for up to wait: the
// service is healthy inside its container, so it should answer at once.
func (v *verifier) probeFromHost(ctx context.Context, wait time.Duration) {
	end := time.Now().Add(wait)
	for {
		p := v.get(ctx)
		if p.Status != 0 || time.Now().After(end) || ctx.Err() != nil {
			if p.Status == 0 {
				v.r.Probe = p
				v.fail("probe", "healthy inside the container, but port %d does not answer from the host (GET %s: %s)", v.r.Port, p.URL, p.Err)
				return
			}
			v.acceptProbe(p)
			return
		}
		select {
		case <-ctx.Done():
		case <-time.After(500 * time.Millisecond):
		}
	}
}

func (v *verifier) acceptProbe(p *Probe) {
	v.r.Probe = p
	v.progressf("GET %s → %s", p.URL, p.StatusText)
	ok := p.Status < 500
	if v.o.RequireOK {
		ok = p.Status >= 200 && p.Status < 400
	}
	if !ok {
		v.fail("probe", "GET %s answered %s: %s", v.o.Path, p.StatusText, p.FirstLine())
	} else if p.Status >= 400 {
		v.r.Notes = append(v.r.Notes, fmt.Sprintf("GET %s answered %s: the port works; probe a real route with --path", v.o.Path, p.StatusText))
	}
}

// checkUser fails when the container runs as root: by the image's USER and,
// when docker top can tell, by the process's real uid.
func (v *verifier) checkUser(ctx context.Context) {
	if v.cid == "" {
		return
	}
	user := v.r.User
	if out, err := v.d.run(ctx, "container", "inspect", "--format", "{{.Config.User}}", v.cid); err == nil {
		user = strings.TrimSpace(out)
		v.r.User = user
	}
	if out, err := v.d.run(ctx, "top", v.cid, "-o", "pid,uid"); err == nil {
		lines := lastLines(out, 100)
		if len(lines) >= 2 {
			if f := strings.Fields(lines[1]); len(f) == 2 {
				v.r.UID = f[1]
			}
		}
	}
	v.r.NonRoot = !isRootUser(user) && v.r.UID != "0"
	if !v.r.NonRoot {
		shown := user
		if shown == "" {
			shown = "(none: root)"
		}
		v.fail("user", "the container runs as root (USER %s): add a numeric non-root USER such as 65532:65532", shown)
	}
}

// isRootUser reports whether a Docker USER value means root.
func isRootUser(user string) bool {
	u, _, _ := strings.Cut(strings.TrimSpace(user), ":")
	return u == "" || u == "0" || u == "root"
}

func (v *verifier) stop(ctx context.Context) {
	if v.cid == "" {
		return
	}
	st, err := v.inspectContainer(ctx)
	if err != nil || !st.Running {
		if st != nil {
			v.r.ExitCode = st.ExitCode
		}
		return
	}
	grace := int(v.o.StopGrace.Round(time.Second) / time.Second)
	v.progressf("stopping (docker stop -t %d)", grace)
	t0 := time.Now()
	_, err = v.d.run(ctx, "stop", "-t", strconv.Itoa(grace), v.cid)
	v.r.StopTime = time.Since(t0)
	v.r.Stopped = true
	if err != nil {
		v.fail("stop", "docker stop: %v", err)
		return
	}
	st, err = v.inspectContainer(ctx)
	if err != nil {
		v.fail("stop", "inspect after stop: %v", err)
		return
	}
	v.r.ExitCode = st.ExitCode
	// 137 is SIGKILL: the engine's after the grace period (or the OOM
	// killer's, which OOMKilled tells apart).
	if (st.ExitCode == 137 && !st.OOMKilled) || v.r.StopTime >= v.o.StopGrace {
		v.r.Killed = true
		if v.state == nil {
			v.state = st
		}
		v.fail("stop", "it did not exit on SIGTERM within %s and was killed (exit %d)", v.o.StopGrace, st.ExitCode)
		return
	}
	v.progressf("stopped in %s, exit code %d", round(v.r.StopTime), st.ExitCode)
}

// cleanup removes what Run created; it runs even when ctx is cancelled.
func (v *verifier) cleanup() {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if v.cid != "" {
		v.d.run(ctx, "rm", "-f", "-v", v.cid) //nolint:errcheck // best effort
	}
	// Anything else with this run's label (a container whose id was lost).
	if out, err := v.d.run(ctx, "ps", "-aq", "--filter", "label="+Label+"="+v.o.RunID); err == nil {
		if ids := strings.Fields(out); len(ids) > 0 {
			v.d.run(ctx, append([]string{"rm", "-f", "-v"}, ids...)...) //nolint:errcheck // best effort
		}
	}
	if v.o.Keep {
		if v.built {
			v.r.Kept = true
			v.progressf("kept image %s", v.r.Image)
		}
		return
	}
	if v.built {
		v.d.run(ctx, "image", "rm", v.r.Image) //nolint:errcheck // best effort
	}
	v.progressf("cleaned up")
}

func round(d time.Duration) time.Duration {
	switch {
	case d >= 10*time.Second:
		return d.Round(100 * time.Millisecond)
	case d >= time.Second:
		return d.Round(10 * time.Millisecond)
	default:
		return d.Round(time.Millisecond)
	}
}
