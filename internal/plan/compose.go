package plan

import (
	"path"
	"slices"
	"strconv"
	"strings"
)

// ComposeView fills compose.yaml.tmpl.
type ComposeView struct {
	Module       string
	Project      string
	Services     []ServiceView
	NamedVolumes []string
}

// ServiceView is one compose service: a dockgen-built binary or a backing
// service implied by a driver the code imports.
type ServiceView struct {
	Name      string
	Build     bool
	Target    string
	Image     string
	Ports     []string
	Env       []EnvView
	Hardened  bool
	Health    *HealthView
	DependsOn []string
	Volumes   []string
}

// HealthView is a compose healthcheck.
type HealthView struct {
	Test                           []string
	Interval, Timeout, StartPeriod string
	Retries                        int
}

// backing is a service implied by a driver, with an image pinned by tag and
// a healthcheck its own image can run.
type backing struct {
	image  string
	env    []EnvView
	test   []string
	volume string // named volume:path for its data
}

var backings = map[string]backing{
	"postgres": {image: "postgres:17-bookworm",
		env:    []EnvView{{"POSTGRES_PASSWORD", "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD in the environment or .env}"}},
		test:   []string{"CMD", "pg_isready", "-U", "postgres"},
		volume: "postgres-data:/var/lib/postgresql/data"},
	"mysql": {image: "mysql:8.4",
		env:    []EnvView{{"MYSQL_ROOT_PASSWORD", "${MYSQL_ROOT_PASSWORD:?set MYSQL_ROOT_PASSWORD in the environment or .env}"}},
		test:   []string{"CMD", "mysqladmin", "ping", "-h", "127.0.0.1"},
		volume: "mysql-data:/var/lib/mysql"},
	"redis": {image: "redis:7.4-bookworm", test: []string{"CMD", "redis-cli", "ping"}},
	"mongo": {image: "mongo:7.0", test: []string{"CMD", "mongosh", "--quiet", "--eval", "db.adminCommand('ping')"},
		volume: "mongo-data:/data/db"},
	"nats": {image: "nats:2.10-alpine", test: []string{"CMD", "wget", "-q", "--spider", "http://127.0.0.1:8222/healthz"}},
	"rabbitmq": {image: "rabbitmq:3.13-alpine", test: []string{"CMD", "rabbitmq-diagnostics", "-q", "ping"},
		volume: "rabbitmq-data:/var/lib/rabbitmq"},
}

func composeView(s *spec) any {
	v := ComposeView{Module: s.facts.Module, Project: projectName(s.facts.Module)}
	var deps []string
	for _, name := range s.facts.Services {
		bk, ok := backings[name]
		if !ok {
			continue
		}
		deps = append(deps, name)
		sv := ServiceView{Name: name, Image: bk.image, Env: bk.env,
			Health: &HealthView{Test: bk.test, Interval: "10s", Timeout: "5s", StartPeriod: "20s", Retries: 5}}
		if bk.volume != "" {
			sv.Volumes = []string{bk.volume}
			v.NamedVolumes = append(v.NamedVolumes, strings.SplitN(bk.volume, ":", 2)[0])
		}
		v.Services = append(v.Services, sv)
	}
	for _, b := range s.services() {
		sv := ServiceView{Name: b.stage, Build: true, Target: b.stage, Hardened: true, DependsOn: deps}
		if b.port != 0 {
			p := strconv.Itoa(b.port)
			sv.Ports = []string{"127.0.0.1:" + p + ":" + p}
		}
		if b.portEnv != "" {
			sv.Env = append(sv.Env, EnvView{b.portEnv, composeLiteral(b.envVal)})
		}
		for _, e := range b.main.Env {
			if e.Name == b.portEnv || !envName(e.Name) {
				continue
			}
			sv.Env = append(sv.Env, EnvView{e.Name, composeEnvValue(e.Name, e.Default, e.HasDefault, e.Secret)})
		}
		if b.probe != nil {
			sv.Health = &HealthView{Test: []string{"CMD", "/app", "-healthcheck"}, Interval: "10s", Timeout: "3s", StartPeriod: "5s", Retries: 3}
		}
		v.Services = append(v.Services, sv)
	}
	slices.Sort(v.NamedVolumes)
	return v
}

// composeEnvValue wires one env var through compose interpolation: secrets
// come from the user's environment or .env, never a literal in the file;
// other vars default to what the code defaults to.
func composeEnvValue(name, def string, hasDef, secret bool) string {
	switch {
	case secret && !hasDef:
		return "${" + name + ":?set " + name + " (a secret) in the environment or .env}"
	case secret:
		return "${" + name + ":-}"
	case strings.Contains(def, "}"):
		// Interpolation has no escape for "}" in a default: use the
		// literal value (overridable by editing the file).
		return composeLiteral(def)
	default:
		return "${" + name + ":-" + escapeDollar(def) + "}"
	}
}

// composeLiteral is a value compose must not interpolate.
func composeLiteral(s string) string { return escapeDollar(s) }

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

// projectName is a compose project name from the module path: lowercase
// letters, digits, dashes and underscores, starting with a letter or digit.
func projectName(module string) string {
	n := strings.ToLower(path.Base(module))
	n = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '-'
	}, n)
	n = strings.TrimLeft(n, "-_")
	if n == "" {
		return "app"
	}
	return n
}
