package plan

import (
	"slices"
)

// backing is one row of the backing-service catalogue: the official image
// pinned by tag, a healthcheck that image can run, where it keeps its data.
type backing struct {
	image    string
	env      []EnvVar
	test     []string
	dataPath string
}

var backings = map[string]backing{
	"postgres": {image: "postgres:17-bookworm",
		env:      []EnvVar{{"POSTGRES_PASSWORD", "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD in the environment or .env}"}},
		test:     []string{"CMD", "pg_isready", "-U", "postgres"},
		dataPath: "/var/lib/postgresql/data"},
	"mysql": {image: "mysql:8.4",
		env:      []EnvVar{{"MYSQL_ROOT_PASSWORD", "${MYSQL_ROOT_PASSWORD:?set MYSQL_ROOT_PASSWORD in the environment or .env}"}},
		test:     []string{"CMD", "mysqladmin", "ping", "-h", "127.0.0.1"},
		dataPath: "/var/lib/mysql"},
	"redis": {image: "redis:7.4-bookworm", test: []string{"CMD", "redis-cli", "ping"}},
	"mongo": {image: "mongo:7.0", test: []string{"CMD", "mongosh", "--quiet", "--eval", "db.adminCommand('ping')"},
		dataPath: "/data/db"},
	"nats": {image: "nats:2.10-alpine", test: []string{"CMD", "wget", "-q", "--spider", "http://127.0.0.1:8222/healthz"}},
	"rabbitmq": {image: "rabbitmq:3.13-alpine", test: []string{"CMD", "rabbitmq-diagnostics", "-q", "ping"},
		dataPath: "/var/lib/rabbitmq"},
}

// backingTiming gives a database time to initialise on first start.
var backingTiming = Healthcheck{Interval: "10s", Timeout: "5s", StartPeriod: "20s", Retries: 5}

// services adds the backing services the code's drivers imply, named so
// they never clash with a binary's service, and makes every service
// binary wait for them.
func (m *maker) services() error {
	used := map[string]bool{}
	for _, c := range m.p.Candidates {
		used[c.Name] = true
	}
	var names []string
	for i, kind := range m.f.Services {
		bk, ok := backings[kind]
		if !ok {
			continue
		}
		src := ""
		if i < len(m.f.ServiceSources) {
			src = m.f.ServiceSources[i].Source
		}
		name := kind
		if used[name] {
			name = freeName(kind+"-db", used)
			m.note(src, "a binary is named %s, so the %s service is %s", kind, kind, name)
		}
		used[name] = true
		hc := backingTiming
		hc.Test = bk.test
		s := Service{Name: name, Kind: kind, Image: bk.image, Env: slices.Clone(bk.env), Healthcheck: &hc, Source: src, DataPath: bk.dataPath}
		if bk.dataPath != "" {
			s.Volume = name + "-data"
		}
		m.p.Services = append(m.p.Services, s)
		names = append(names, name)
	}
	for i := range m.p.Binaries {
		if m.p.Binaries[i].LongRunning {
			m.p.Binaries[i].DependsOn = names
		}
	}
	return nil
}
