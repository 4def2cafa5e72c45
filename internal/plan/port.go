package plan

import (
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/dockgen/dockgen/internal/analysis"
)

// flagName is a command-line flag name dockgen may put in CMD.
var flagName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// secretLike is BuildKit's SecretsUsedInArgOrEnv test: an ENV with such a
// name is flagged even when it holds a port.
var secretLike = regexp.MustCompile(`(?i)(?:_|^)(?:apikey|auth|credentials?|key|password|pword|passwd|secret|token)(?:_|$)`)

// pinnable reports whether the image may set env var name: a plain shell
// name that BuildKit does not take for a secret.
func pinnable(name string) bool { return envName(name) && !secretLike.MatchString(name) }

// primaryListener is the listener the container port comes from: the
// first one, unless a later one is reachable (not loopback) and the first
// is not, or has a known port where the first has none.
func primaryListener(ls []analysis.Listener) *analysis.Listener {
	// The analysis ranks them (the unconditional service before TLS,
	// metrics or pprof listeners behind flags) and marks its choice.
	for i := range ls {
		if ls[i].Primary {
			return &ls[i]
		}
	}
	var l *analysis.Listener
	for i := range ls {
		c := &ls[i]
		if l == nil || (l.Loopback && !c.Loopback) || (l.Port == 0 && c.Port != 0 && !c.Loopback) {
			l = c
		}
	}
	return l
}

// port decides the container port, how the image sets it, the probe and
// the compose environment.
func (m *maker) port(b *Binary, mn analysis.Main) {
	answered, asked := m.a.Ports[b.Name]
	l := primaryListener(mn.Listeners)
	exposed := m.dockerfilePort(mn, l)
	if asked {
		exposed = nil
	}
	if l == nil && !asked && exposed == nil {
		if mn.LongRunning {
			m.note(mn.Source, "%s runs as a service without a listener: compose runs it, nothing is published or probed (if it does serve, set the port with --port %s=PORT)", b.Name, b.Name)
		}
		m.composeEnv(b, mn, "")
		return
	}
	b.Port = defaultPort
	portEnv, envIsAddr, flag, flagIsAddr := "", false, "", false
	if l != nil && l.Subcommand != "" {
		// The server starts only under a subcommand: the image runs it
		// (ENTRYPOINT stays the binary, so `docker run IMAGE other` works).
		if words, ok := commandWords(l.Subcommand); ok {
			b.Args = append(b.Args, words...)
			m.note(l.Source, "%s serves under the %q subcommand: the image's CMD runs it", b.Name, l.Subcommand)
		} else {
			m.warn("subcommand-unsafe", l.Source, "%s serves under a subcommand dockgen will not put in a command line (%q): add it to the compose service's command yourself", b.Name, l.Subcommand)
		}
	}
	if l != nil {
		flag, flagIsAddr = l.Flag, l.FlagIsAddr
		if l.AddrSource != "" {
			b.PortSource = l.AddrSource
		}
		if b.PortSource == "" {
			b.PortSource = l.Source
		}
		if l.Port != 0 {
			b.Port = l.Port
		}
		portEnv, envIsAddr = l.PortEnv, l.EnvIsAddr
		if portEnv != "" && !pinnable(portEnv) {
			m.note(l.Source, "%s reads its port from $%s, a name the image cannot set safely; set it yourself", b.Name, portEnv)
			portEnv = ""
		}
	}
	if exposed != nil {
		// The code does not tell; the user's own Dockerfile does.
		m.note(exposed.Source, "%s: port %d from the existing Dockerfile's EXPOSE (the code did not tell)", b.Name, exposed.Port)
		b.Port, b.PortSource = exposed.Port, exposed.Source
	}
	if b.Port < 1024 && portEnv != "" && !asked && exposed == nil {
		// The image runs as 65532: ports below 1024 need a sysctl that
		// Docker sets but Kubernetes and others do not. The env var lets
		// the image move the service to an unprivileged port instead.
		m.note(b.PortSource, "%s defaults to port %d, privileged for a non-root user; the image sets $%s to move it to %d", b.Name, b.Port, portEnv, defaultPort)
		b.Port = defaultPort
	}
	if asked {
		if l != nil && l.Port != 0 && portEnv == "" && answered != l.Port {
			m.warn("fixed-port", l.Source, "%s listens on the fixed port %d, but you answered %d: the image probes and publishes %d, which works only if the code really listens there", b.Name, l.Port, answered, answered)
		}
		if answered < 1024 {
			m.note("", "%s uses port %d as you answered: below 1024 a non-root process needs Docker's default sysctl (net.ipv4.ip_unprivileged_port_start=0), which Kubernetes does not set", b.Name, answered)
		}
		b.Port = answered
	} else if exposed == nil && (l == nil || l.Port == 0) {
		// A guess. The analysis has already warned about the listener it
		// could not follow; the plan says what it assumed.
		b.PortGuessed = true
		src := mn.Source
		if l != nil {
			src = l.Source
		}
		m.note(src, "%s: port %d is a guess (set it with --port %s=PORT)", b.Name, b.Port, b.Name)
	}
	switch {
	case portEnv != "":
		v := strconv.Itoa(b.Port)
		if envIsAddr {
			v = ":" + v // pinning the whole address also fixes a loopback default
		}
		b.Env = append(b.Env, EnvVar{Name: portEnv, Value: v})
		if envIsAddr && l != nil && l.Loopback {
			m.p.Fixed = append(m.p.Fixed, l.Source)
		}
	case flag != "" && flagName.MatchString(flag):
		// The image's CMD sets the flag: the port dockgen publishes is the
		// one the service listens on, and a loopback default is fixed.
		v := strconv.Itoa(b.Port)
		if flagIsAddr {
			v = ":" + v
		}
		b.Args = append(b.Args, "--"+flag+"="+v)
		if flagIsAddr && l.Loopback {
			m.p.Fixed = append(m.p.Fixed, l.Source)
		}
		m.note(b.PortSource, "%s listens where --%s says; the image's CMD sets --%s=%s", b.Name, flag, flag, v)
	}
	if mn.LongRunning && !slices.Contains(m.a.NoProbe, b.Name) {
		b.Probe = probeFor(mn, b, portEnv, envIsAddr)
		hc := healthTiming
		hc.Test = []string{"CMD", "/app", "-healthcheck"}
		b.Healthcheck = &hc
	} else if mn.LongRunning {
		m.note("", "%s has no HEALTHCHECK: its probe file was deleted (to restore it, take %s out of no_probe in .dockgen.yaml)", b.Name, b.Name)
	}
	m.composeEnv(b, mn, portEnv)
}

// dockerfilePort is the port a hand-written Dockerfile exposes, used when
// the code's listener has no known port — only for a module built into one
// binary, where that Dockerfile's last stage can only be this one.
func (m *maker) dockerfilePort(mn analysis.Main, l *analysis.Listener) *analysis.Port {
	df := m.f.Dockerfile
	if df == nil || len(df.Expose) == 0 || len(m.mains) != 1 || !mn.LongRunning || l != nil && l.Port != 0 {
		return nil
	}
	return &df.Expose[0]
}

func probeFor(mn analysis.Main, b *Binary, portEnv string, addrEnv bool) *Probe {
	p := &Probe{Port: b.Port, PortEnv: portEnv, AddrEnv: addrEnv, File: mn.ProbeFile}
	if p.File == "" {
		p.File = path.Join(strings.TrimPrefix(mn.Dir, "./"), HealthFile)
	}
	switch {
	case mn.HealthPath != "":
		p.HTTP, p.Path = true, mn.HealthPath
	case mn.DefaultMux:
		p.HTTP, p.Serve, p.Path = true, true, "/healthz"
	}
	return p
}

// composeEnv wires the binary's environment in compose: the port pin as a
// literal, every other variable the code reads through interpolation.
func (m *maker) composeEnv(b *Binary, mn analysis.Main, portEnv string) {
	for _, e := range b.Env {
		b.ComposeEnv = append(b.ComposeEnv, EnvVar{Name: e.Name, Value: escapeDollar(e.Value)})
	}
	for _, e := range mn.Env {
		if e.Name == portEnv || !envName(e.Name) || ambientEnv[e.Name] {
			continue
		}
		b.ComposeEnv = append(b.ComposeEnv, EnvVar{Name: e.Name, Value: composeEnvValue(e)})
	}
}

// ambientEnv are variables the operating system or the runtime sets, which
// programs read but nobody configures: interpolated from the user's shell
// they would carry the host's values into the container (HOME=/root,
// HOSTNAME of the laptop). Compose leaves them to the container.
var ambientEnv = map[string]bool{
	"HOME": true, "USER": true, "LOGNAME": true, "SHELL": true, "PATH": true, "PWD": true, "OLDPWD": true,
	"HOSTNAME": true, "HOST": true, "TERM": true, "LANG": true, "LANGUAGE": true, "LC_ALL": true, "TMPDIR": true, "TZ": true,
	"XDG_CONFIG_HOME": true, "XDG_CACHE_HOME": true, "XDG_DATA_HOME": true, "XDG_STATE_HOME": true, "XDG_RUNTIME_DIR": true,
	"GOMAXPROCS": true, "GOMEMLIMIT": true, "GOGC": true, "GODEBUG": true, "GOTRACEBACK": true,
	"KUBERNETES_SERVICE_HOST": true, "KUBERNETES_SERVICE_PORT": true, "POD_NAME": true, "POD_NAMESPACE": true,
}

// composeEnvValue wires one env var through compose interpolation: secrets
// come from the user's environment or .env, never a literal in the file;
// other vars default to what the code defaults to.
func composeEnvValue(e analysis.EnvVar) string {
	name, def, hasDef, secret := e.Name, e.Default, e.HasDefault, e.Secret
	switch {
	case secret && e.Required && !hasDef:
		// Required secrets block `compose up` with the reason; optional
		// ones never do (and never get a literal).
		return "${" + name + ":?set " + name + " (a secret) in the environment or .env}"
	case secret:
		return "${" + name + ":-}"
	case e.Required && !hasDef:
		// The program fails without it: compose says so before starting.
		return "${" + name + ":?set " + name + " in the environment or .env (the program needs it)}"
	case strings.Contains(def, "}"):
		// Interpolation has no escape for "}" in a default: use the
		// literal value (overridable by editing the file).
		return escapeDollar(def)
	default:
		return "${" + name + ":-" + escapeDollar(def) + "}"
	}
}

func escapeDollar(s string) string { return strings.ReplaceAll(s, "$", "$$") }

// envName reports whether name can be interpolated by compose (and set by a
// shell): anything else is left for the user to wire.
func envName(name string) bool {
	for i, r := range name {
		if !(r == '_' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return name != ""
}

// commandWords splits a subcommand path (`migrate up`: nested) into words,
// each one dockgen may put in a command line; ok is false for none or an
// unsafe one.
func commandWords(sub string) ([]string, bool) {
	words := strings.Fields(sub)
	for _, w := range words {
		if !flagName.MatchString(w) {
			return nil, false
		}
	}
	return words, len(words) > 0
}
