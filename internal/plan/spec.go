package plan

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/dockgen/dockgen/internal/analysis"
	"github.com/dockgen/dockgen/internal/answers"
)

// spec is the decided shape of the setup, shared by every view.
type spec struct {
	facts      *analysis.Facts
	answers    answers.Answers
	bins       []*bin
	buildStage string
	notes      []string
}

// bin is one selected main package and what was decided for it.
type bin struct {
	main  analysis.Main
	stage string // Dockerfile stage and compose service name
	// buildStage builds the binary: the shared build stage for one binary;
	// with several, one stage each, so `--target api` compiles api only.
	buildStage string
	port       int    // container port; 0 for a binary that serves nothing
	portEnv    string // env var the port comes from, set to port in the image
	envVal     string // value for portEnv
	probe      *ProbeView
}

// maxStage keeps stage names (and compose service names) readable.
const maxStage = 63

// secretLike is BuildKit's SecretsUsedInArgOrEnv test: an ENV with such a
// name is flagged even when it holds a port.
var secretLike = regexp.MustCompile(`(?i)(?:_|^)(?:apikey|auth|credentials?|key|password|pword|passwd|secret|token)(?:_|$)`)

// pinnable reports whether the image may set env var name: a plain shell
// name that BuildKit does not take for a secret.
func pinnable(name string) bool { return envName(name) && !secretLike.MatchString(name) }

func newSpec(f *analysis.Facts, a answers.Answers) *spec {
	s := &spec{facts: f, answers: a, buildStage: "build"}
	if v := majorMinor(f.Go); versionLess(v, oldestBookworm) {
		s.notes = append(s.notes, fmt.Sprintf("go.mod asks for go %q%s; the builder is Go %s, the oldest with a bookworm image (the go line still sets the language version)", f.Go, sourceSuffix(f.GoSource), oldestBookworm))
	}
	if f.Workspace != "" {
		// The Go docs advise against committing go.work, and its other
		// members are usually outside the build context anyway.
		s.notes = append(s.notes, fmt.Sprintf("%s is ignored in the image (GOWORK=off): the module builds from its go.mod alone", f.Workspace))
	}
	used := map[string]bool{}
	for _, m := range a.Selected(f) {
		b := &bin{main: m, stage: uniqueStage(m.Name, used)}
		s.bins = append(s.bins, b)
		s.decidePort(b)
		if m.Cgo {
			s.notes = append(s.notes, fmt.Sprintf("%s is built with cgo (CGO_ENABLED=1, glibc runtime): %s", b.stage, m.CgoReason))
		}
	}
	for used[s.buildStage] {
		s.buildStage = "dockgen-" + s.buildStage
	}
	used[s.buildStage] = true
	for _, b := range s.bins {
		b.buildStage = s.buildStage
		if len(s.bins) > 1 {
			b.buildStage = uniqueStage(b.stage+"-build", used)
		}
	}
	// The default target (docker build with no --target) is the last stage:
	// make it the first long-running binary.
	for i, b := range s.bins {
		if b.main.LongRunning {
			s.bins = append(append(s.bins[:i:i], s.bins[i+1:]...), b)
			break
		}
	}
	return s
}

// uniqueStage turns a binary name into a valid, unused stage name.
func uniqueStage(name string, used map[string]bool) string {
	n := stageFrom(name)
	base := n
	for i := 2; used[n] || n == "build"; i++ {
		n = base + "-" + strconv.Itoa(i)
	}
	used[n] = true
	return n
}

// decidePort picks the container port and how the image pins it.
func (s *spec) decidePort(b *bin) {
	m := b.main
	if _, asked := s.answers.Ports[m.Name]; len(m.Listeners) == 0 && !asked {
		return // a worker or a CLI: nothing to publish or probe
	}
	var l *analysis.Listener
	for i := range m.Listeners {
		if l == nil || (l.Loopback && !m.Listeners[i].Loopback) || (l.Port == 0 && m.Listeners[i].Port != 0 && !m.Listeners[i].Loopback) {
			l = &m.Listeners[i]
		}
	}
	b.port = 8080
	src := ""
	if l != nil {
		src = l.Source
		if l.Port != 0 {
			b.port = l.Port
		}
		b.portEnv = l.PortEnv
		if b.portEnv != "" && !pinnable(b.portEnv) {
			s.notes = append(s.notes, fmt.Sprintf("%s reads its port from $%s%s, a name the image cannot set safely; set it yourself", b.stage, b.portEnv, sourceSuffix(src)))
			b.portEnv = ""
		}
	}
	if b.port < 1024 && b.portEnv != "" {
		// The image runs as 65532: ports below 1024 need a sysctl that
		// Docker sets but Kubernetes and others do not. The env var lets
		// the image move the service to an unprivileged port instead.
		s.notes = append(s.notes, fmt.Sprintf("%s defaults to port %d%s, privileged for a non-root user; the image sets $%s to move it to 8080", b.stage, b.port, sourceSuffix(src), b.portEnv))
		b.port = 8080
	}
	if p, ok := s.answers.Ports[m.Name]; ok {
		if l != nil && l.Port != 0 && l.PortEnv == "" && p != l.Port {
			s.notes = append(s.notes, fmt.Sprintf("%s listens on the fixed port %d%s; --port %d needs the code to read its port from the environment", m.Dir, l.Port, sourceSuffix(src), p))
		}
		b.port = p
	}
	switch {
	case b.portEnv != "" && l.EnvIsAddr:
		// Pinning the whole address also fixes a loopback default.
		b.envVal = ":" + strconv.Itoa(b.port)
	case b.portEnv != "":
		b.envVal = strconv.Itoa(b.port)
	}
	if l == nil || l.Port == 0 {
		s.notes = append(s.notes, fmt.Sprintf("%s: listen port not found in the code; assuming %d (set it with --port)", m.Dir, b.port))
	}
	if m.LongRunning {
		b.probe = newProbe(m, b)
	}
}

// services are the binaries that become compose services.
func (s *spec) services() []*bin {
	var out []*bin
	for _, b := range s.bins {
		if b.main.LongRunning {
			out = append(out, b)
		}
	}
	return out
}

// ProbeView fills health.go.tmpl.
type ProbeView struct {
	Serve   bool   // register Path on http.DefaultServeMux
	HTTP    bool   // probe with GET Path, else a TCP connect
	Path    string // health route
	PortEnv string // env var the service reads its port or address from
	AddrEnv bool   // PortEnv holds host:port
	Port    string // default port
}

func newProbe(m analysis.Main, b *bin) *ProbeView {
	p := &ProbeView{Path: m.HealthPath, Port: strconv.Itoa(b.port), PortEnv: b.portEnv}
	for _, l := range m.Listeners {
		if l.PortEnv == b.portEnv && l.EnvIsAddr {
			p.AddrEnv = true
		}
	}
	switch {
	case m.HealthPath != "":
		p.HTTP = true
	case m.DefaultMux:
		p.HTTP, p.Serve, p.Path = true, true, "/healthz"
	}
	return p
}

// stageFrom maps a binary name to a stage name: lower case, anything else
// becomes "-", separators collapse and trim, "app" when nothing is left.
func stageFrom(name string) string {
	var b strings.Builder
	sep := false
	for _, r := range strings.ToLower(name) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if sep && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			sep = false
			continue
		}
		sep = true
	}
	n := b.String()
	if len(n) > maxStage {
		n = strings.TrimRight(n[:maxStage], "-")
	}
	if n == "" {
		return "app"
	}
	if n[0] >= '0' && n[0] <= '9' {
		n = "app-" + n // BuildKit: a stage name starts with a letter
	}
	return n
}
