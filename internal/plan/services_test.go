package plan

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/dockgen/dockgen/internal/analysis"
	"github.com/dockgen/dockgen/internal/answers"
	"github.com/dockgen/dockgen/internal/lint"
)

// svcFacts is a module with one HTTP service named app that reads env and
// imports the drivers of kinds.
func svcFacts(env []analysis.EnvVar, kinds ...string) *analysis.Facts {
	f := &analysis.Facts{Dir: ".", Module: "example.com/app", Go: "1.25.0", HasGoSum: true,
		Mains: []analysis.Main{{Dir: ".", Name: "app", LongRunning: true, DefaultMux: true, Env: env, Source: "main.go:5",
			Listeners: []analysis.Listener{{Addr: ":8080", Port: 8080, Source: "main.go:30"}}}}}
	for i, k := range kinds {
		f.Services = append(f.Services, k)
		f.Mains[0].Services = append(f.Mains[0].Services, k)
		f.ServiceSources = append(f.ServiceSources, analysis.ServiceSource{Name: k, Source: "db.go:" + strconv.Itoa(3+i), Selection: "always"})
	}
	return f
}

// load makes, renders and loads compose.yaml with compose-go, the way
// `docker compose config` reads it, given env.
func load(t *testing.T, f *analysis.Facts, env map[string]string) (*Plan, []byte, *types.Project, error) {
	t.Helper()
	p, err := Make(f, answers.Answers{})
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	files, err := Render(p, nil)
	if err != nil {
		t.Fatalf("render: %v", err)
	}
	var compose []byte
	for _, fl := range files {
		if fl.Path == ComposeName {
			compose = fl.Content
		}
	}
	proj, err := lint.LoadCompose(t.TempDir(), compose, env)
	return p, compose, proj, err
}

func envOfService(t *testing.T, proj *types.Project, name string) map[string]string {
	t.Helper()
	s, ok := proj.Services[name]
	if !ok {
		t.Fatalf("no service %s in %v", name, proj.ServiceNames())
	}
	out := map[string]string{}
	for k, v := range s.Environment {
		if v != nil {
			out[k] = *v
		}
	}
	return out
}

// passwords are what the user sets: the one required variable per service.
var passwords = map[string]string{"POSTGRES_PASSWORD": "pw", "MYSQL_PASSWORD": "pw"}

// TestWiringRows: each row of the connection table, through compose's own
// interpolation: what the app's variable resolves to when the user sets
// only the password. Every row must be exercised.
func TestWiringRows(t *testing.T) {
	pgURL := "postgres://postgres:pw@postgres:5432/postgres?sslmode=disable"
	myDSN := "app:pw@tcp(mysql:3306)/app"
	tests := []struct {
		kinds []string
		name  string
		want  string
	}{
		{[]string{"postgres"}, "DATABASE_URL", pgURL},
		{[]string{"postgres"}, "POSTGRES_URL", pgURL},
		{[]string{"postgres"}, "PG_DSN", pgURL},
		{[]string{"postgres"}, "PGURL", pgURL},
		{[]string{"postgres"}, "APP_DATABASE_URL", pgURL},
		{[]string{"postgres"}, "database_url", pgURL},
		{[]string{"postgres"}, "DB_CONNECTION_STRING", pgURL},
		{[]string{"postgres"}, "DSN", pgURL},
		{[]string{"postgres"}, "POSTGRES_ADDR", "postgres:5432"},
		{[]string{"postgres"}, "DB_ADDR", "postgres:5432"},
		{[]string{"postgres"}, "PGHOST", "postgres"},
		{[]string{"postgres"}, "POSTGRES_HOST", "postgres"},
		{[]string{"postgres"}, "DB_HOST", "postgres"},
		{[]string{"postgres"}, "PGPORT", "5432"},
		{[]string{"postgres"}, "DB_PORT", "5432"},
		{[]string{"postgres"}, "PGUSER", "postgres"},
		{[]string{"postgres"}, "DB_USER", "postgres"},
		{[]string{"postgres"}, "PGPASSWORD", "pw"},
		{[]string{"postgres"}, "POSTGRES_PASSWORD", "pw"},
		{[]string{"postgres"}, "DB_PASSWORD", "pw"},
		{[]string{"postgres"}, "PGDATABASE", "postgres"},
		{[]string{"postgres"}, "POSTGRES_DB", "postgres"},
		{[]string{"postgres"}, "DB_NAME", "postgres"},
		{[]string{"postgres"}, "DBNAME", "postgres"},
		{[]string{"postgres"}, "DB_SSLMODE", "disable"},
		{[]string{"postgres"}, "PGSSLMODE", "disable"},

		{[]string{"mysql"}, "MYSQL_DSN", myDSN},
		{[]string{"mysql"}, "DB_DSN", myDSN},
		{[]string{"mysql"}, "DATABASE_URL", myDSN},
		{[]string{"mysql"}, "DSN", myDSN},
		{[]string{"mysql"}, "MYSQL_ADDR", "mysql:3306"},
		{[]string{"mysql"}, "DB_ADDR", "mysql:3306"},
		{[]string{"mysql"}, "MYSQL_HOST", "mysql"},
		{[]string{"mysql"}, "DB_HOST", "mysql"},
		{[]string{"mysql"}, "MYSQL_PORT", "3306"},
		{[]string{"mysql"}, "DB_PORT", "3306"},
		{[]string{"mysql"}, "MYSQL_USER", "app"},
		{[]string{"mysql"}, "DB_USERNAME", "app"},
		{[]string{"mysql"}, "MYSQL_PASSWORD", "pw"},
		{[]string{"mysql"}, "DB_PASS", "pw"},
		{[]string{"mysql"}, "MYSQL_DATABASE", "app"},
		{[]string{"mysql"}, "DB_NAME", "app"},
		{[]string{"mysql"}, "DBNAME", "app"},

		{[]string{"redis"}, "REDIS_URL", "redis://redis:6379"},
		{[]string{"redis"}, "REDIS_ADDR", "redis:6379"},
		{[]string{"redis"}, "CACHE_REDIS_ADDR", "redis:6379"},
		{[]string{"redis"}, "REDIS_HOST", "redis"},
		{[]string{"redis"}, "REDIS_PORT", "6379"},
		{[]string{"redis"}, "REDIS_PASSWORD", ""}, // the official image has none

		{[]string{"nats"}, "NATS_URL", "nats://nats:4222"},
		{[]string{"nats"}, "NATS_SERVERS", "nats://nats:4222"},
		{[]string{"nats"}, "NATS_HOST", "nats"},
		{[]string{"nats"}, "NATS_PORT", "4222"},

		{[]string{"rabbitmq"}, "AMQP_URL", "amqp://guest:guest@rabbitmq:5672/"},
		{[]string{"rabbitmq"}, "RABBITMQ_URL", "amqp://guest:guest@rabbitmq:5672/"},
		{[]string{"rabbitmq"}, "CLOUDAMQP_URL", "amqp://guest:guest@rabbitmq:5672/"},
		{[]string{"rabbitmq"}, "RABBITMQ_HOST", "rabbitmq"},
		{[]string{"rabbitmq"}, "AMQP_PORT", "5672"},
		{[]string{"rabbitmq"}, "RABBITMQ_USER", "guest"},
		{[]string{"rabbitmq"}, "RABBITMQ_PASSWORD", "guest"},

		{[]string{"mongo"}, "MONGODB_URI", "mongodb://mongo:27017"},
		{[]string{"mongo"}, "MONGO_HOST", "mongo"},
		{[]string{"mongo"}, "MONGO_PORT", "27017"},
		{[]string{"mongo"}, "DATABASE_URL", "mongodb://mongo:27017"},

		// A name that says its service wins over a generic one; a generic
		// one goes to the first SQL database (and a note says so).
		{[]string{"mysql", "postgres"}, "MYSQL_HOST", "mysql"},
		{[]string{"mysql", "postgres"}, "PGHOST", "postgres"},
		{[]string{"mysql", "postgres"}, "DB_HOST", "postgres"},
	}
	hit := map[int]bool{}
	for _, tt := range tests {
		t.Run(strings.Join(tt.kinds, "+")+"/"+tt.name, func(t *testing.T) {
			// As the analysis reports them: a URL or password is a secret
			// without a default, so today it would be required.
			f := svcFacts([]analysis.EnvVar{{Name: tt.name, Secret: true, Source: "main.go:9"}}, tt.kinds...)
			_, _, proj, err := load(t, f, passwords)
			if err != nil {
				t.Fatalf("compose-go: %v", err)
			}
			if got := envOfService(t, proj, "app")[tt.name]; got != tt.want {
				t.Errorf("%s = %q, want %q", tt.name, got, tt.want)
			}
			for _, r := range wiredTo(tt.name, func(k string) bool { return slices.Contains(tt.kinds, k) })[:1] {
				hit[r] = true
			}
		})
	}
	for i, w := range wiring {
		if !hit[i] {
			t.Errorf("row %d (%s %s) is not tested", i, w.kind, w.names)
		}
	}
}

// TestWiringLeavesOthers: a variable no row matches stays as the code has
// it; a prefix on a bare DSN does not make it a database's.
func TestWiringLeavesOthers(t *testing.T) {
	env := []analysis.EnvVar{
		{Name: "DATABASE_URL", Secret: true, Source: "main.go:9"},
		{Name: "SENTRY_DSN", Secret: true, HasDefault: true, Source: "main.go:10"},
		{Name: "DB_DRIVER", Default: "postgres", HasDefault: true, Source: "main.go:11"},
		{Name: "REDIS_DB", Default: "0", HasDefault: true, Source: "main.go:12"},
		{Name: "PORT", Default: "8080", HasDefault: true, Source: "main.go:13"},
	}
	p, compose, proj, err := load(t, svcFacts(env, "postgres"), passwords)
	if err != nil {
		t.Fatal(err)
	}
	got := envOfService(t, proj, "app")
	want := map[string]string{"SENTRY_DSN": "", "DB_DRIVER": "postgres", "REDIS_DB": "0", "PORT": "8080",
		"DATABASE_URL": "postgres://postgres:pw@postgres:5432/postgres?sslmode=disable"}
	if !maps.Equal(got, want) {
		t.Errorf("app env %v, want %v\n%s", got, want, compose)
	}
	if w := p.Services[0].WiredEnv; !slices.Equal(w, []string{"DATABASE_URL"}) {
		t.Errorf("WiredEnv %v", w)
	}
}

// TestWiringRenamedService: the app is pointed at the service's compose
// name, which differs from its kind when a binary has that name.
func TestWiringRenamedService(t *testing.T) {
	f := svcFacts([]analysis.EnvVar{{Name: "REDIS_URL", Source: "main.go:9"}}, "redis")
	f.Mains[0].Name = "redis"
	_, _, proj, err := load(t, f, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := envOfService(t, proj, "redis")["REDIS_URL"]; got != "redis://redis-db:6379" {
		t.Errorf("REDIS_URL = %q, want redis://redis-db:6379", got)
	}
	if _, ok := proj.Services["redis-db"]; !ok {
		t.Errorf("no service redis-db: %v", proj.ServiceNames())
	}
}

// TestSharedCredentials: the database and the app get their credentials
// from the same interpolation, so whatever the user sets reaches both; the
// healthcheck uses them too.
func TestSharedCredentials(t *testing.T) {
	tests := []struct {
		kind    string
		env     []string // what the app reads
		set     map[string]string
		service map[string]string // want on the backing service
		app     map[string]string // want on the app
	}{
		{"postgres", []string{"DATABASE_URL", "DB_USER", "DB_PASSWORD", "DB_NAME"},
			map[string]string{"POSTGRES_PASSWORD": "s3cret", "POSTGRES_USER": "alice", "POSTGRES_DB": "shop"},
			map[string]string{"POSTGRES_PASSWORD": "s3cret", "POSTGRES_USER": "alice", "POSTGRES_DB": "shop"},
			map[string]string{"DATABASE_URL": "postgres://alice:s3cret@postgres:5432/shop?sslmode=disable", "DB_USER": "alice", "DB_PASSWORD": "s3cret", "DB_NAME": "shop"}},
		{"mysql", []string{"MYSQL_DSN", "DB_PASSWORD"},
			map[string]string{"MYSQL_PASSWORD": "s3cret", "MYSQL_USER": "bob"},
			map[string]string{"MYSQL_PASSWORD": "s3cret", "MYSQL_USER": "bob", "MYSQL_DATABASE": "app", "MYSQL_RANDOM_ROOT_PASSWORD": "yes"},
			map[string]string{"MYSQL_DSN": "bob:s3cret@tcp(mysql:3306)/app", "DB_PASSWORD": "s3cret"}},
		{"rabbitmq", []string{"AMQP_URL"},
			map[string]string{"RABBITMQ_DEFAULT_USER": "carol", "RABBITMQ_DEFAULT_PASS": "s3cret"},
			map[string]string{"RABBITMQ_DEFAULT_USER": "carol", "RABBITMQ_DEFAULT_PASS": "s3cret"},
			map[string]string{"AMQP_URL": "amqp://carol:s3cret@rabbitmq:5672/"}},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			var env []analysis.EnvVar
			for _, n := range tt.env {
				env = append(env, analysis.EnvVar{Name: n, Secret: true, Source: "main.go:9"})
			}
			p, _, proj, err := load(t, svcFacts(env, tt.kind), tt.set)
			if err != nil {
				t.Fatal(err)
			}
			if got := envOfService(t, proj, tt.kind); !maps.Equal(got, tt.service) {
				t.Errorf("%s env %v, want %v", tt.kind, got, tt.service)
			}
			app := envOfService(t, proj, "app")
			for k, v := range tt.app {
				if app[k] != v {
					t.Errorf("app %s = %q, want %q", k, app[k], v)
				}
			}
			// The same text on both sides, not two texts that happen to agree.
			bk := backings[tt.kind]
			for _, e := range p.Binaries[0].ComposeEnv {
				if strings.Contains(strings.ToUpper(e.Name), "PASS") || strings.HasSuffix(e.Name, "_URL") || strings.HasSuffix(e.Name, "_DSN") {
					if !strings.Contains(e.Value, bk.password) {
						t.Errorf("app %s = %q does not use the service's password %q", e.Name, e.Value, bk.password)
					}
				}
			}
			if tt.kind == "postgres" {
				hc := proj.Services["postgres"].HealthCheck
				if hc == nil || !slices.Equal([]string(hc.Test), []string{"CMD", "pg_isready", "-h", "127.0.0.1", "-U", "alice", "-d", "shop"}) {
					t.Errorf("postgres healthcheck %v: want pg_isready over TCP as the configured user and database", hc)
				}
			}
		})
	}
}

// TestRequiredNeverLiteral: a service with a required password refuses to
// load without it (naming it) and loads with it; no password is a literal
// in the file; the plan names the variable (Service.Secret). Services whose
// official image has no password need nothing.
func TestRequiredNeverLiteral(t *testing.T) {
	for _, kind := range slices.Sorted(maps.Keys(backings)) {
		t.Run(kind, func(t *testing.T) {
			f := svcFacts([]analysis.EnvVar{{Name: backings[kind].example, Secret: true, Source: "main.go:9"}}, kind)
			p, compose, _, err := load(t, f, nil)
			secret := p.Services[0].Secret
			switch kind {
			case "postgres", "mysql":
				if secret != strings.ToUpper(kind)+"_PASSWORD" {
					t.Errorf("Secret %q", secret)
				}
				if err == nil || !strings.Contains(err.Error(), secret) {
					t.Errorf("loads without %s: %v", secret, err)
				}
				if _, _, _, err := load(t, f, map[string]string{secret: "x"}); err != nil {
					t.Errorf("does not load with %s: %v", secret, err)
				}
				if n := strings.Count(string(compose), "${"+secret+":?"); n != 2 {
					t.Errorf("%s is required %d times, want 2 (the service and the app's variable)\n%s", secret, n, compose)
				}
			default:
				if secret != "" || err != nil {
					t.Errorf("Secret %q, load without env: %v", secret, err)
				}
			}
			for _, e := range p.Services[0].Env {
				// MYSQL_RANDOM_ROOT_PASSWORD=yes is a switch, not a credential.
				if secretLike.MatchString(e.Name) && e.Name != "MYSQL_RANDOM_ROOT_PASSWORD" && !strings.HasPrefix(e.Value, "${") {
					t.Errorf("%s is a literal %q", e.Name, e.Value)
				}
			}
		})
	}
}

// TestComposeShape: backing services publish no host port, keep their
// data in a named volume where the official image keeps it, have a
// healthcheck, and the app waits for them healthy; the files stay clean
// for BuildKit and compose.
func TestComposeShape(t *testing.T) {
	f := svcFacts(nil, "mongo", "mysql", "nats", "postgres", "rabbitmq", "redis")
	env := maps.Clone(passwords)
	p, _, proj, err := load(t, f, env)
	if err != nil {
		t.Fatal(err)
	}
	app := proj.Services["app"]
	for _, s := range p.Services {
		ps := proj.Services[s.Name]
		if len(ps.Ports) != 0 {
			t.Errorf("%s publishes %v", s.Name, ps.Ports)
		}
		if ps.HealthCheck == nil || len(ps.HealthCheck.Test) < 2 || ps.HealthCheck.Test[0] != "CMD" {
			t.Errorf("%s healthcheck %v", s.Name, ps.HealthCheck)
		}
		if d, ok := app.DependsOn[s.Name]; !ok || d.Condition != types.ServiceConditionHealthy {
			t.Errorf("app depends_on %s: %+v", s.Name, d)
		}
		wantData := map[string]string{"postgres": "/var/lib/postgresql/data", "mysql": "/var/lib/mysql", "redis": "/data",
			"mongo": "/data/db", "rabbitmq": "/var/lib/rabbitmq"}[s.Kind]
		var vols []string
		for _, v := range ps.Volumes {
			vols = append(vols, v.Type+":"+v.Source+":"+v.Target)
		}
		if want := "volume:" + s.Name + "-data:" + wantData; wantData != "" && !slices.Equal(vols, []string{want}) {
			t.Errorf("%s volumes %v, want [%s]", s.Name, vols, want)
		}
		if wantData == "" && len(vols) != 0 {
			t.Errorf("%s volumes %v, want none", s.Name, vols)
		}
	}
	files, err := Render(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	by := map[string][]byte{}
	for _, fl := range files {
		by[fl.Path] = fl.Content
	}
	ws, err := lint.Dockerfile(by[DockerfileName], by[DockerignoreName])
	if err != nil || len(ws) != 0 {
		t.Errorf("BuildKit: %v %v", err, ws)
	}
}

// TestServiceWarnings: a service no variable locates is a warning at the
// driver import, naming a variable to read and where it would point; a
// password alone does not locate it. An official development login is a
// warning too.
func TestServiceWarnings(t *testing.T) {
	tests := []struct {
		kind  string
		env   []string
		codes []string
	}{
		{"postgres", nil, []string{"service-unwired"}},
		{"postgres", []string{"DB_PASSWORD"}, []string{"service-unwired"}},
		{"postgres", []string{"DATABASE_URL"}, nil},
		{"postgres", []string{"DB_HOST", "DB_PASSWORD"}, nil},
		{"redis", []string{"REDIS_PORT"}, []string{"service-unwired"}},
		{"redis", []string{"REDIS_ADDR"}, nil},
		{"rabbitmq", []string{"AMQP_URL"}, []string{"service-dev-credentials"}},
		{"rabbitmq", nil, []string{"service-dev-credentials", "service-unwired"}},
	}
	for _, tt := range tests {
		t.Run(tt.kind+"/"+strings.Join(tt.env, ","), func(t *testing.T) {
			var env []analysis.EnvVar
			for _, n := range tt.env {
				env = append(env, analysis.EnvVar{Name: n, Source: "main.go:9"})
			}
			p, err := Make(svcFacts(env, tt.kind), answers.Answers{})
			if err != nil {
				t.Fatal(err)
			}
			var codes []string
			for _, w := range p.Warnings {
				codes = append(codes, w.Code)
				if w.Source != "db.go:3" {
					t.Errorf("warning %s at %q, want the driver import db.go:3", w.Code, w.Source)
				}
				if w.Code == "service-unwired" {
					bk := backings[tt.kind]
					for _, want := range []string{bk.example, tt.kind + ":" + strconv.Itoa(bk.port), "localhost"} {
						if !strings.Contains(w.Text, want) {
							t.Errorf("unwired warning lacks %q: %s", want, w.Text)
						}
					}
				}
			}
			slices.Sort(codes)
			if !slices.Equal(codes, tt.codes) {
				t.Errorf("warnings %v, want %v: %v", codes, tt.codes, p.Warnings)
			}
		})
	}
}

// TestAddService: a driver the default configuration uses adds its
// service; one only a non-default setting selects, or that no main
// reaches, is a note naming the setting; an unknown kind is a note, not a
// service.
func TestAddService(t *testing.T) {
	tests := []struct {
		src  analysis.ServiceSource
		add  bool
		note string
	}{
		{analysis.ServiceSource{Selection: "always"}, true, ""},
		{analysis.ServiceSource{Selection: "default", Setting: "DB_DRIVER", SettingSource: "config.go:7"}, true, ""},
		{analysis.ServiceSource{}, true, ""}, // facts without a selection
		{analysis.ServiceSource{Selection: "optional", Import: "github.com/lib/pq", Setting: "DB_DRIVER", SettingSource: "config.go:7"}, false,
			"github.com/lib/pq is used only when DB_DRIVER (config.go:7) selects it"},
		{analysis.ServiceSource{Selection: "optional", Import: "github.com/lib/pq"}, false, "does not run by default"},
		{analysis.ServiceSource{Selection: "unused", Import: "github.com/lib/pq"}, false, "no main reaches"},
	}
	for _, tt := range tests {
		for kind := range backings {
			src := tt.src
			src.Name, src.Source = kind, "db.go:3"
			add, why := addService(src)
			if add != tt.add || !strings.Contains(why, tt.note) || (tt.note == "") != (why == "") {
				t.Errorf("%s %+v: addService = %v %q, want %v %q", kind, tt.src, add, why, tt.add, tt.note)
			}
		}
	}
	p, err := Make(svcFacts([]analysis.EnvVar{{Name: "DATABASE_URL", Source: "main.go:9"}}, "cassandra", "postgres"), answers.Answers{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Services) != 1 || p.Services[0].Kind != "postgres" || p.Services[0].Source != "db.go:4" {
		t.Errorf("services %+v", p.Services)
	}
	if !slices.ContainsFunc(p.Notes, func(n Note) bool { return strings.Contains(n.Text, "cassandra") && n.Source == "db.go:3" }) {
		t.Errorf("no note about cassandra: %v", p.Notes)
	}
}

// TestServicesPerMain: only the binaries whose main uses a service wait
// for it and get its connection variables; an optional driver adds no
// service and a note names its setting.
func TestServicesPerMain(t *testing.T) {
	f := svcFacts([]analysis.EnvVar{{Name: "DATABASE_URL", Source: "main.go:9"}}, "postgres", "mysql")
	f.ServiceSources[1].Selection, f.ServiceSources[1].Setting, f.ServiceSources[1].Import = "optional", "DB_DRIVER", "github.com/go-sql-driver/mysql"
	f.Mains[0].Services = []string{"postgres"}
	f.Mains = append(f.Mains, analysis.Main{Dir: "./cmd/worker", Name: "worker", LongRunning: true, Source: "cmd/worker/main.go:5",
		Env: []analysis.EnvVar{{Name: "DATABASE_URL", Source: "cmd/worker/main.go:9"}}})
	p, err := Make(f, answers.Answers{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Services) != 1 || p.Services[0].Kind != "postgres" {
		t.Fatalf("services %+v, want postgres only", p.Services)
	}
	if len(p.Binaries) != 2 {
		t.Fatalf("binaries %+v, want app and worker", p.Binaries)
	}
	if !slices.ContainsFunc(p.Notes, func(n Note) bool {
		return strings.Contains(n.Text, "no mysql service") && strings.Contains(n.Text, "DB_DRIVER") && n.Source == "db.go:4"
	}) {
		t.Errorf("no note about the optional mysql driver: %v", p.Notes)
	}
	for _, b := range p.Binaries {
		wired := slices.ContainsFunc(b.ComposeEnv, func(e EnvVar) bool { return e.Name == "DATABASE_URL" && strings.Contains(e.Value, "@postgres:") })
		switch b.Main {
		case ".":
			if !slices.Equal(b.DependsOn, []string{"postgres"}) || !wired {
				t.Errorf("app: depends on %v, DATABASE_URL wired %v; want postgres, true", b.DependsOn, wired)
			}
		case "./cmd/worker":
			if len(b.DependsOn) != 0 || wired {
				t.Errorf("worker: depends on %v, DATABASE_URL wired %v; want none, false", b.DependsOn, wired)
			}
		}
	}
}

// TestWiringAmbiguous: a generic name with two SQL databases goes to the
// first, and a note at the line that reads it says so.
func TestWiringAmbiguous(t *testing.T) {
	f := svcFacts([]analysis.EnvVar{{Name: "DB_HOST", Source: "main.go:9"}, {Name: "MYSQL_HOST", Source: "main.go:10"}}, "mysql", "postgres")
	p, err := Make(f, answers.Answers{})
	if err != nil {
		t.Fatal(err)
	}
	var notes []string
	for _, n := range p.Notes {
		if strings.Contains(n.Text, "could be for") {
			notes = append(notes, n.String())
		}
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "DB_HOST could be for postgres or mysql") || !strings.HasSuffix(notes[0], "(main.go:9)") {
		t.Errorf("notes %q, want one about DB_HOST at main.go:9", notes)
	}
}
