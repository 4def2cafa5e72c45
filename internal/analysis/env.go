package analysis

import (
	"net/url"
	"reflect"
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

// Credential words: a name that ends with one holds a secret (API_TOKEN,
// DB_PASSWORD, JWT_SECRET); one that only contains one is a setting about
// it (PB_ID_TOKEN_LEEWAY, TOKEN_TTL, PASSWORD_FILE).
var credentialWords = map[string]bool{
	"SECRET": true, "TOKEN": true, "PASSWORD": true, "PASSWD": true, "PASS": true,
	"PASSPHRASE": true, "CREDENTIAL": true, "CREDENTIALS": true, "APIKEY": true, "DSN": true,
	"KEY": true, "PWD": true,
}

// credentialSuffixes end a run-together last word: JWTSECRET, APITOKEN.
var credentialSuffixes = []string{"SECRET", "TOKEN", "PASSWORD", "PASSWD", "APIKEY", "PASSPHRASE"}

// Words before KEY that make it a name, not a secret (PUBLIC_KEY,
// ROUTING_KEY), and well-known names that hold a path, not a secret.
var (
	harmlessKey = map[string]bool{"PUBLIC": true, "PUB": true, "ROUTING": true, "PARTITION": true, "SORT": true,
		"CACHE": true, "PRIMARY": true, "FOREIGN": true, "IDEMPOTENCY": true, "HASH": true, "SHARD": true, "QUEUE": true}
	notSecretNames = map[string]bool{"GOOGLE_APPLICATION_CREDENTIALS": true, "PWD": true, "OLDPWD": true}
)

// Name elements that name a data store whose URL usually carries a password.
var storeWords = map[string]bool{
	"DATABASE": true, "DB": true, "POSTGRES": true, "POSTGRESQL": true, "PG": true, "MYSQL": true,
	"MARIADB": true, "MONGO": true, "MONGODB": true, "REDIS": true, "AMQP": true, "RABBITMQ": true,
	"RABBIT": true, "MSSQL": true, "SQLSERVER": true, "CLICKHOUSE": true,
}

// isSecret decides whether an env var must be passed as a secret (compose
// interpolation or secrets:, never a literal in a file or image layer).
// It takes strong evidence: the name ends with a credential word, names a
// data store's URL or connection string, or the default carries a
// password. A required secret blocks compose up until it is set, so a
// setting about a secret (a lifetime, a file path) must not count.
func isSecret(name, def string) bool {
	n := strings.ToUpper(name)
	if notSecretNames[n] {
		return false
	}
	words := strings.FieldsFunc(n, func(r rune) bool { return r == '_' || r == '-' || r == '.' })
	if len(words) == 0 {
		return false
	}
	last := words[len(words)-1]
	prev := ""
	if len(words) > 1 {
		prev = words[len(words)-2]
	}
	switch {
	case last == "KEY":
		if !harmlessKey[prev] {
			return true
		}
	case credentialWords[last]:
		return true
	case (last == "JSON" || last == "B64" || last == "BASE64") && credentialWords[prev]: // CREDENTIALS_JSON
		return true
	case last == "ID" && prev == "KEY" && len(words) > 2 && words[len(words)-3] == "ACCESS": // AWS_ACCESS_KEY_ID
		return true
	}
	for _, w := range credentialSuffixes {
		if strings.HasSuffix(last, w) && last != "BYPASS" {
			return true
		}
	}
	store := false
	for _, w := range words {
		store = store || storeWords[w]
	}
	if store && (last == "URL" || last == "URI") {
		return true
	}
	if strings.HasSuffix(n, "CONNECTION_STRING") || strings.HasSuffix(n, "CONN_STR") || strings.HasSuffix(n, "CONNSTR") {
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
