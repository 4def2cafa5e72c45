package analysis

import (
	"go/ast"
	"net/url"
	"reflect"
	"strconv"
	"strings"
)

// envTag is an env var named by a config struct tag.
type envTag struct {
	name   string
	def    string
	hasDef bool
}

// structEnvTag reads the tags of the common env config libraries:
// kelseyhightower/envconfig (`envconfig:"X" default:"d"`), caarlos0/env
// (`env:"X" envDefault:"d"`), ilyakaznacheev/cleanenv (`env:"X" env-default:"d"`)
// and sethvargo/go-envconfig (`env:"X, default=d"`). envconfig prefixes the
// name with Process's prefix but falls back to the tag as given, so the tag
// name is what a deployment can set.
func structEnvTag(tag string) (envTag, bool) {
	st := reflect.StructTag(tag)
	if v, ok := st.Lookup("envconfig"); ok {
		t := envTag{name: strings.TrimSpace(strings.Split(v, ",")[0])}
		t.def, t.hasDef = st.Lookup("default")
		return t, validEnvName(t.name)
	}
	v, ok := st.Lookup("env")
	if !ok {
		return envTag{}, false
	}
	opts := strings.Split(v, ",")
	t := envTag{name: strings.TrimSpace(opts[0])}
	if d, ok := st.Lookup("envDefault"); ok {
		t.def, t.hasDef = d, true
	} else if d, ok := st.Lookup("env-default"); ok {
		t.def, t.hasDef = d, true
	} else {
		for _, o := range opts[1:] {
			if d, ok := strings.CutPrefix(strings.TrimSpace(o), "default="); ok {
				t.def, t.hasDef = d, true
			}
		}
	}
	return t, validEnvName(t.name)
}

func validEnvName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		ok := r == '_' || (r >= 'A' && r <= 'Z') || (r >= 'a' && r <= 'z') || (i > 0 && r >= '0' && r <= '9')
		if !ok {
			return false
		}
	}
	return true
}

// envField returns the env tag of a struct field name when every tagged
// field of that name in the analyzed packages agrees, so `cfg.Port` in a
// listen address resolves to the env var that fills it.
func (a *analyzer) envField(field string) (envTag, bool) {
	a.shared.envOnce.Do(func() {
		a.shared.envFields = map[string][]envTag{}
		for _, p := range a.all {
			for _, f := range p.files {
				ast.Inspect(f.ast, func(n ast.Node) bool {
					st, ok := n.(*ast.StructType)
					if !ok {
						return true
					}
					for _, fld := range st.Fields.List {
						if fld.Tag == nil {
							continue
						}
						tag, err := strconv.Unquote(fld.Tag.Value)
						if err != nil {
							continue
						}
						if t, ok := structEnvTag(tag); ok {
							for _, n := range fld.Names {
								a.shared.envFields[n.Name] = append(a.shared.envFields[n.Name], t)
							}
						}
					}
					return true
				})
			}
		}
	})
	tags := a.shared.envFields[field]
	if len(tags) == 0 {
		return envTag{}, false
	}
	for _, t := range tags[1:] {
		if t != tags[0] {
			return envTag{}, false
		}
	}
	return tags[0], true
}

// Words in an env var name that make its value a secret.
var secretWords = []string{"SECRET", "TOKEN", "PASSWORD", "PASSWD", "CREDENTIAL", "PRIVATE", "APIKEY", "API_KEY", "ACCESS_KEY"}

// Name elements that name a data store whose URL usually carries a password.
var storeWords = map[string]bool{
	"DATABASE": true, "DB": true, "POSTGRES": true, "POSTGRESQL": true, "PG": true, "MYSQL": true,
	"MARIADB": true, "MONGO": true, "MONGODB": true, "REDIS": true, "AMQP": true, "RABBITMQ": true,
	"RABBIT": true, "MSSQL": true, "SQLSERVER": true, "CLICKHOUSE": true,
}

// Last name elements that make a variable a setting about a secret (a path
// to a key file, a token lifetime), not the secret itself.
var notSecretSuffix = map[string]bool{
	"FILE": true, "PATH": true, "DIR": true, "TTL": true, "TIMEOUT": true, "EXPIRY": true,
	"EXPIRES": true, "EXPIRATION": true, "LENGTH": true, "LEN": true, "HEADER": true, "ENABLED": true,
}

// isSecret decides whether an env var must be passed as a secret (compose
// interpolation or secrets:, never a literal in a file or image layer).
// It errs towards secret: a false positive only changes how it is wired.
func isSecret(name, def string) bool {
	n := strings.ToUpper(name)
	words := strings.FieldsFunc(n, func(r rune) bool { return r == '_' || r == '-' || r == '.' })
	if len(words) == 0 {
		return false
	}
	last := words[len(words)-1]
	if notSecretSuffix[last] && len(words) > 1 {
		return false
	}
	for _, w := range secretWords {
		if strings.Contains(n, w) {
			return true
		}
	}
	store := false
	for _, w := range words {
		switch w {
		case "PASS", "PASSPHRASE", "DSN":
			return true
		case "PWD":
			if n != "PWD" { // $PWD is the shell's working directory
				return true
			}
		}
		store = store || storeWords[w]
	}
	if last == "KEY" && (len(words) == 1 || (words[len(words)-2] != "PUBLIC" && words[len(words)-2] != "PUB")) {
		return true
	}
	if store && (last == "URL" || last == "URI") {
		return true
	}
	if strings.Contains(n, "CONNECTION_STRING") || strings.Contains(n, "CONN_STR") {
		return true
	}
	// A default like postgres://user:pass@host/db gives it away.
	if u, err := url.Parse(def); err == nil && u.User != nil {
		if _, ok := u.User.Password(); ok {
			return true
		}
	}
	return false
}
