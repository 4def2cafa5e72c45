package plan

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/dockgen/dockgen/internal/analysis"
)

// backing is one row of the backing-service catalogue: the official image
// pinned by tag (the CI stand-ins carry the same names), the port it serves
// inside the compose network, its credentials, a healthcheck the official
// image can run, and where it keeps its data.
type backing struct {
	image string
	port  int
	// user, password and db are compose interpolations written once here:
	// the service's env and every app variable wired to it use the same
	// text, so the app always gets the password the service was given.
	// A password is required (${X:?…}) unless the official image has a
	// development default, which devDefault then warns about.
	user, password, db string
	devDefault         string
	// env and test may use {user} {password} {db} {host} {port}.
	env      []EnvVar
	test     []string
	dataPath string
	// example is the variable the unwired-service warning suggests.
	example string
}

// required is a credential compose refuses to start without.
func required(name string) string {
	return "${" + name + ":?set " + name + " in the environment or .env}"
}

// requiredVar finds the variable of a required interpolation.
var requiredVar = regexp.MustCompile(`^\$\{([A-Za-z_][A-Za-z0-9_]*):\?`)

var backings = map[string]backing{
	"postgres": {image: "postgres:17-bookworm", port: 5432,
		user: "${POSTGRES_USER:-postgres}", password: required("POSTGRES_PASSWORD"), db: "${POSTGRES_DB:-postgres}",
		env: []EnvVar{{"POSTGRES_USER", "{user}"}, {"POSTGRES_PASSWORD", "{password}"}, {"POSTGRES_DB", "{db}"}},
		// TCP, not the socket: during first-start initialisation the
		// image runs a socket-only server that must not count as ready.
		test:     []string{"CMD", "pg_isready", "-h", "127.0.0.1", "-U", "{user}", "-d", "{db}"},
		dataPath: "/var/lib/postgresql/data", example: "DATABASE_URL"},
	"mysql": {image: "mysql:8.4", port: 3306,
		user: "${MYSQL_USER:-app}", password: required("MYSQL_PASSWORD"), db: "${MYSQL_DATABASE:-app}",
		// The app gets its own account on its database; root gets a
		// random password (printed once in the log), so one is required.
		env: []EnvVar{{"MYSQL_RANDOM_ROOT_PASSWORD", "yes"}, {"MYSQL_USER", "{user}"}, {"MYSQL_PASSWORD", "{password}"}, {"MYSQL_DATABASE", "{db}"}},
		// TCP: the initialising server listens on the socket only.
		test:     []string{"CMD", "mysqladmin", "ping", "-h", "127.0.0.1"},
		dataPath: "/var/lib/mysql", example: "MYSQL_DSN"},
	// The official image runs without a password; so does the wiring.
	"redis": {image: "redis:7.4-bookworm", port: 6379, test: []string{"CMD", "redis-cli", "ping"},
		dataPath: "/data", example: "REDIS_ADDR"},
	"mongo": {image: "mongo:7.0", port: 27017, test: []string{"CMD", "mongosh", "--quiet", "--eval", "db.adminCommand('ping')"},
		dataPath: "/data/db", example: "MONGODB_URI"},
	"nats": {image: "nats:2.10-alpine", port: 4222, test: []string{"CMD", "wget", "-q", "--spider", "http://127.0.0.1:8222/healthz"},
		example: "NATS_URL"},
	"rabbitmq": {image: "rabbitmq:3.13-alpine", port: 5672,
		user: "${RABBITMQ_DEFAULT_USER:-guest}", password: "${RABBITMQ_DEFAULT_PASS:-guest}",
		devDefault: "rabbitmq runs with the official image's development login guest/guest unless RABBITMQ_DEFAULT_USER and RABBITMQ_DEFAULT_PASS are set (environment or .env): set them for anything but local development",
		env:        []EnvVar{{"RABBITMQ_DEFAULT_USER", "{user}"}, {"RABBITMQ_DEFAULT_PASS", "{password}"}},
		// Every listener (AMQP included) accepts connections: `ping`
		// alone passes before the AMQP port is open.
		test:     []string{"CMD", "rabbitmq-diagnostics", "-q", "check_port_connectivity"},
		dataPath: "/var/lib/rabbitmq", example: "AMQP_URL"},
}

// backingTiming gives a database time to initialise on first start.
var backingTiming = Healthcheck{Interval: "10s", Timeout: "5s", StartPeriod: "20s", Retries: 5}

// wire is one row of the connection table: an env var the code reads whose
// whole name matches names (case-insensitively) is set, in the app's
// compose environment, to value for a service of kind. value may use
// {host} (the service's compose name), {port}, {user}, {password}, {db}.
type wire struct {
	kind  string
	names string
	value string
}

// Name pieces of the connection table. pre allows a PREFIX_ (APP_DB_URL),
// on names that say what they connect to; a bare DSN does not take one
// (SENTRY_DSN is no database).
const (
	pre     = `(?:[A-Z0-9]+_)*`
	pgWord  = `(?:POSTGRES|POSTGRESQL|PG)`
	myWord  = `(?:MYSQL|MARIADB)`
	mqWord  = `(?:RABBITMQ|RABBIT|RMQ|AMQP)`
	moWord  = `(?:MONGO|MONGODB)`
	dbWord  = `(?:DATABASE|DB)`
	urlTail = `_(?:URL|URI|DSN|CONN|CONNECTION|CONN_STR|CONN_STRING|CONNECTION_STRING)`
	addrs   = `_(?:ADDR|ADDRESS|ADDRS|HOST_PORT|HOSTPORT)`
	hostT   = `_(?:HOST|HOSTNAME|SERVER)`
	userT   = `_(?:USER|USERNAME|LOGIN)`
	passT   = `_(?:PASSWORD|PASS|PASSWD|PWD)`
	nameT   = `_(?:NAME|DB|DATABASE|DBNAME|DB_NAME)`
)

// Value templates shared by several rows.
const (
	pgURL    = "postgres://{user}:{password}@{host}:{port}/{db}?sslmode=disable"
	myDSN    = "{user}:{password}@tcp({host}:{port})/{db}"
	hostPort = "{host}:{port}"
)

// wiring is the connection table, in precedence order: the first row whose
// kind was added and whose names match wins, so names that say their
// service come before the generic DB_* ones (used for the first added SQL
// database in this order; the others get a note).
var wiring = []wire{
	{"postgres", pre + pgWord + urlTail + `|PGURL|PGDSN`, pgURL},
	{"postgres", pre + pgWord + addrs, hostPort},
	{"postgres", pre + pgWord + hostT + `|` + pre + `PGHOST`, "{host}"},
	{"postgres", pre + pgWord + `_PORT|` + pre + `PGPORT`, "{port}"},
	{"postgres", pre + pgWord + userT + `|` + pre + `PGUSER`, "{user}"},
	{"postgres", pre + pgWord + passT + `|` + pre + `PGPASSWORD`, "{password}"},
	{"postgres", pre + pgWord + nameT + `|` + pre + `PGDATABASE`, "{db}"},
	{"postgres", pre + `(?:` + pgWord + `|` + dbWord + `)_SSL_?MODE|` + pre + `PGSSLMODE`, "disable"},

	{"mysql", pre + myWord + urlTail, myDSN},
	{"mysql", pre + myWord + addrs, hostPort},
	{"mysql", pre + myWord + hostT, "{host}"},
	{"mysql", pre + myWord + `_PORT`, "{port}"},
	{"mysql", pre + myWord + userT, "{user}"},
	{"mysql", pre + myWord + passT, "{password}"},
	{"mysql", pre + myWord + nameT, "{db}"},

	{"redis", pre + `REDIS_(?:URL|URI|DSN)`, "redis://{host}:{port}"},
	{"redis", pre + `REDIS(?:` + addrs + `|_SERVER|_SERVERS|_ENDPOINT)`, hostPort},
	{"redis", pre + `REDIS_(?:HOST|HOSTNAME)`, "{host}"},
	{"redis", pre + `REDIS_PORT`, "{port}"},
	{"redis", pre + `REDIS` + passT, "{password}"},

	{"nats", pre + `NATS(?:` + urlTail + `|_URLS|` + addrs + `|_SERVER|_SERVERS)`, "nats://{host}:{port}"},
	{"nats", pre + `NATS_(?:HOST|HOSTNAME)`, "{host}"},
	{"nats", pre + `NATS_PORT`, "{port}"},

	{"rabbitmq", pre + mqWord + `(?:` + urlTail + `|` + addrs + `|_SERVER)|` + pre + `AMQPURL|CLOUDAMQP_URL`, "amqp://{user}:{password}@{host}:{port}/"},
	{"rabbitmq", pre + mqWord + `_(?:HOST|HOSTNAME)`, "{host}"},
	{"rabbitmq", pre + mqWord + `_PORT`, "{port}"},
	{"rabbitmq", pre + mqWord + userT, "{user}"},
	{"rabbitmq", pre + mqWord + passT, "{password}"},

	{"mongo", pre + moWord + `(?:` + urlTail + `|` + addrs + `)`, "mongodb://{host}:{port}"},
	{"mongo", pre + moWord + `_(?:HOST|HOSTNAME)`, "{host}"},
	{"mongo", pre + moWord + `_PORT`, "{port}"},

	// Generic names: the first added SQL database (postgres, then mysql,
	// then mongo for the URL).
	{"postgres", pre + dbWord + urlTail + `|DSN`, pgURL},
	{"postgres", pre + dbWord + addrs, hostPort},
	{"postgres", pre + dbWord + hostT, "{host}"},
	{"postgres", pre + dbWord + `_PORT`, "{port}"},
	{"postgres", pre + dbWord + userT, "{user}"},
	{"postgres", pre + dbWord + passT, "{password}"},
	{"postgres", pre + dbWord + `_(?:NAME|DATABASE)|` + pre + `DBNAME`, "{db}"},
	{"mysql", pre + dbWord + urlTail + `|DSN`, myDSN},
	{"mysql", pre + dbWord + addrs, hostPort},
	{"mysql", pre + dbWord + hostT, "{host}"},
	{"mysql", pre + dbWord + `_PORT`, "{port}"},
	{"mysql", pre + dbWord + userT, "{user}"},
	{"mysql", pre + dbWord + passT, "{password}"},
	{"mysql", pre + dbWord + `_(?:NAME|DATABASE)|` + pre + `DBNAME`, "{db}"},
	{"mongo", pre + dbWord + `_(?:URL|URI)`, "mongodb://{host}:{port}"},
}

// wiringRE are the compiled names of wiring, row by row: compiled when
// first needed, not when any dockgen command starts (2 ms).
var wiringRE = sync.OnceValue(func() []*regexp.Regexp {
	out := make([]*regexp.Regexp, len(wiring))
	for i, w := range wiring {
		out[i] = regexp.MustCompile(`(?i)^(?:` + w.names + `)$`)
	}
	return out
})

// wiredTo returns the rows (indexes into wiring) that match an env var
// name, among the kinds present, in precedence order.
func wiredTo(name string, present func(kind string) bool) []int {
	var out []int
	for i, w := range wiring {
		if present(w.kind) && wiringRE()[i].MatchString(name) {
			out = append(out, i)
		}
	}
	return out
}

// locates reports whether a row's value says where the service is.
func (w wire) locates() bool { return strings.Contains(w.value, "{host}") }

// fill replaces the placeholders of a value template for service s.
func (bk backing) fill(s *Service, tmpl string) string {
	return strings.NewReplacer("{host}", s.Name, "{port}", strconv.Itoa(bk.port),
		"{user}", bk.user, "{password}", bk.password, "{db}", bk.db).Replace(tmpl)
}

// addService is the rule for when an imported driver makes compose run its
// service: when the configuration the mains run with uses it (selection
// "always", or "default": the default of the setting that chooses among
// drivers). A driver only a non-default setting selects, or that no main
// reaches, adds nothing; the note says how it would be selected. Facts
// without a selection (older ones) add it.
func addService(src analysis.ServiceSource) (add bool, why string) {
	switch src.Selection {
	case "optional":
		if src.Setting != "" {
			at := ""
			if src.SettingSource != "" {
				at = " (" + src.SettingSource + ")"
			}
			return false, fmt.Sprintf("%s is used only when %s%s selects it, not by default; add the service to compose.yaml yourself if you set it", src.Import, src.Setting, at)
		}
		return false, fmt.Sprintf("%s is used only in code that does not run by default", src.Import)
	case "unused":
		return false, fmt.Sprintf("%s is imported, but no main reaches code that uses it", src.Import)
	}
	return true, ""
}

// services adds the backing services the code's drivers imply, named so
// they never clash with a binary's service, makes every service binary
// wait for them, and wires the binaries' connection variables to them.
func (m *maker) services() error {
	used := map[string]bool{}
	for _, c := range m.p.Candidates {
		used[c.Name] = true
	}
	var names, kinds []string
	for i, kind := range m.f.Services {
		src := analysis.ServiceSource{Name: kind}
		if i < len(m.f.ServiceSources) && m.f.ServiceSources[i].Name == kind {
			src = m.f.ServiceSources[i]
		}
		bk, ok := backings[kind]
		if !ok {
			m.note(src.Source, "the code uses %s, which dockgen has no backing service for: add it to compose.yaml yourself", kind)
			continue
		}
		if add, why := addService(src); !add {
			m.note(src.Source, "no %s service: %s", kind, why)
			continue
		}
		name := kind
		if used[name] {
			name = freeName(kind+"-db", used)
			m.note(src.Source, "a binary is named %s, so the %s service is %s", kind, kind, name)
		}
		used[name] = true
		s := Service{Name: name, Kind: kind, Image: bk.image, Port: bk.port, Source: src.Source, DataPath: bk.dataPath}
		for _, e := range bk.env {
			s.Env = append(s.Env, EnvVar{Name: e.Name, Value: bk.fill(&s, e.Value)})
		}
		hc := backingTiming
		for _, a := range bk.test {
			hc.Test = append(hc.Test, bk.fill(&s, a))
		}
		s.Healthcheck = &hc
		if bk.dataPath != "" {
			s.Volume = name + "-data"
		}
		if sm := requiredVar.FindStringSubmatch(bk.password); sm != nil {
			s.Secret = sm[1]
		}
		if bk.devDefault != "" {
			m.warn("service-dev-credentials", src.Source, "%s", bk.devDefault)
		}
		m.p.Services = append(m.p.Services, s)
		names, kinds = append(names, name), append(kinds, kind)
	}
	// Services wait for the ones their main uses; so do jobs (a migration
	// needs its database).
	for i := range m.p.Binaries {
		b := &m.p.Binaries[i]
		b.DependsOn = nil
		for j, name := range names {
			if m.uses(b.Main, kinds[j]) {
				b.DependsOn = append(b.DependsOn, name)
			}
		}
	}
	m.wire()
	return nil
}

// wire points the connection variables each service binary reads at the
// backing services (the connection table above), and warns about a service
// that no variable locates: the app would look for it elsewhere, usually
// on localhost, which in a container is the app itself.
func (m *maker) wire() {
	byKind := map[string]*Service{}
	for i := range m.p.Services {
		byKind[m.p.Services[i].Kind] = &m.p.Services[i]
	}
	located := map[string]bool{}
	anyApp := false
	for bi := range m.p.Binaries {
		b := &m.p.Binaries[bi]
		present := func(kind string) bool { return byKind[kind] != nil && m.uses(b.Main, kind) }
		anyApp = true
		sources := m.envSources(b.Main)
		for ei := range b.ComposeEnv {
			e := &b.ComposeEnv[ei]
			if slices.ContainsFunc(b.Env, func(x EnvVar) bool { return x.Name == e.Name }) {
				continue // the image's own pin (the port), not a connection
			}
			rows := wiredTo(e.Name, present)
			if len(rows) == 0 {
				continue
			}
			w := wiring[rows[0]]
			s := byKind[w.kind]
			e.Value = backings[w.kind].fill(s, w.value)
			if !slices.Contains(s.WiredEnv, e.Name) {
				s.WiredEnv = append(s.WiredEnv, e.Name)
			}
			located[w.kind] = located[w.kind] || w.locates()
			var others []string
			for _, r := range rows[1:] {
				if k := wiring[r].kind; k != w.kind && !slices.Contains(others, k) {
					others = append(others, k)
				}
			}
			if len(others) > 0 {
				m.note(sources[e.Name], "%s could be for %s or %s; compose points it at %s: edit compose.yaml if it is meant for %s",
					e.Name, s.Name, strings.Join(others, ", "), s.Name, strings.Join(others, ", "))
			}
		}
	}
	if !anyApp {
		return
	}
	for _, s := range m.p.Services {
		if located[s.Kind] {
			continue
		}
		bk := backings[s.Kind]
		m.warn("service-unwired", s.Source,
			"compose adds %s for the %s driver imported here, but the code reads no env var that says where it is: read the address from the environment (e.g. os.Getenv(%q), which compose then points at %s:%d), or set it in compose.yaml yourself; otherwise the app looks for %s where its code says (localhost is the app's own container)",
			s.Name, s.Kind, bk.example, s.Name, bk.port, s.Kind)
	}
}

// uses reports whether the main in dir uses a service of kind in its
// default configuration (analysis Main.Services). Facts that say nothing
// per main (no main lists a service) count every main as a user.
func (m *maker) uses(dir, kind string) bool {
	perMain := false
	for _, mn := range m.f.Mains {
		perMain = perMain || len(mn.Services) > 0
	}
	if !perMain {
		return true
	}
	for _, mn := range m.f.Mains {
		if mn.Dir == dir {
			return slices.Contains(mn.Services, kind)
		}
	}
	return false
}

// envSources maps the env vars a selected main reads to where they are read.
func (m *maker) envSources(dir string) map[string]string {
	out := map[string]string{}
	if mn := m.main(dir); mn != nil {
		for _, e := range mn.Env {
			if _, ok := out[e.Name]; !ok {
				out[e.Name] = e.Source
			}
		}
	}
	return out
}

// jobs gives each service binary's one-shot subcommands (a schema
// migration under `migrate`) a compose job of their own: the same image,
// environment and backing services, that subcommand as its command, run
// once with `docker compose run --rm`, never in the server's restart loop.
func (m *maker) jobs() error {
	used := map[string]bool{}
	for _, c := range m.p.Candidates {
		used[c.Name] = true
	}
	for _, s := range m.p.Services {
		used[s.Name] = true
	}
	for i := range m.p.Binaries {
		b := &m.p.Binaries[i]
		mn := m.main(b.Main)
		if !b.LongRunning || mn == nil {
			continue
		}
		for _, c := range mn.Commands {
			words, ok := commandWords(c.Subcommand)
			if !ok {
				m.note(c.Source, "%s has a one-shot subcommand dockgen will not put in a command line: run it yourself", b.Name)
				continue
			}
			j := Job{Name: freeName(b.Name+"-"+dockerName(strings.Join(words, "-")), used), Args: words, Does: c.Does, Source: c.Source}
			b.Jobs = append(b.Jobs, j)
			m.note(c.Source, "%s %s migrates the database (through %s) and exits: compose runs it as the job %s — `docker compose run --rm %s` once the database is up, before the service needs the schema",
				b.Name, c.Subcommand, c.Via, j.Name, j.Name)
		}
	}
	return nil
}

// main is the selected main built from dir, or nil.
func (m *maker) main(dir string) *analysis.Main {
	for i := range m.mains {
		if m.mains[i].Dir == dir {
			return &m.mains[i]
		}
	}
	return nil
}
