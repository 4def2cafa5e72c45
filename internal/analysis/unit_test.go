package analysis

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestIsSecret(t *testing.T) {
	for _, tc := range []struct {
		name, def string
		want      bool
	}{
		{"JWT_SECRET", "", true},
		{"GITHUB_TOKEN", "", true},
		{"DB_PASSWORD", "", true},
		{"DB_PASS", "", true},
		{"MYSQL_PWD", "", true},
		{"SMTP_PASSWD", "", true},
		{"GOOGLE_APPLICATION_CREDENTIALS_JSON", "", true},
		{"PRIVATE_KEY", "", true},
		{"STRIPE_API_KEY", "", true},
		{"OPENAI_APIKEY", "", true},
		{"AWS_ACCESS_KEY_ID", "", true},
		{"SESSION_KEY", "", true},
		{"KEY", "", true},
		{"SENTRY_DSN", "", true},
		{"DATABASE_URL", "", true},
		{"ANALYTICS_DB_URL", "", true},
		{"MONGODB_URI", "", true},
		{"REDIS_URL", "", true},
		{"SQL_CONNECTION_STRING", "", true},
		{"upstream_url", "https://user:hunter2@example.com", true}, // credentials in the default
		{"db-password", "", true},                                  // case and separators do not matter

		{"PORT", "8080", false},
		{"ADDR", ":8080", false},
		{"LOG_LEVEL", "info", false},
		{"REDIS_ADDR", "localhost:6379", false},
		{"PUBLIC_KEY", "", false},
		{"TLS_KEY_FILE", "/etc/tls/key.pem", false}, // a path to a secret is not the secret
		{"DB_PASSWORD_FILE", "", false},
		{"TOKEN_TTL", "1h", false},
		{"PWD", "", false}, // the shell's working directory
		{"BYPASS_CACHE", "", false},
		{"API_URL", "https://api.example.com", false},
		{"API_TOKEN", "", true},
		{"JWTSECRET", "", true},
		{"SESSION_SECRET", "", true},
		{"PB_ID_TOKEN_LEEWAY", "", false}, // a setting about a token, not one
		{"TOKEN_TTL_SECONDS", "", false},
		{"TOKEN_URL", "https://auth.example.com/token", false},
		{"PRIVATE_MODE", "", false},
		{"SECRET_NAME", "", false},
		{"ROUTING_KEY", "", false},
		{"GOOGLE_APPLICATION_CREDENTIALS", "/etc/gcp.json", false}, // a path
		{"AWS_SECRET_ACCESS_KEY", "", true},
		{"SMTP_PASS", "", true},
		{"CALLBACK_URL", "", false},
	} {
		if got := isSecret(tc.name, tc.def); got != tc.want {
			t.Errorf("isSecret(%q, %q) = %v, want %v", tc.name, tc.def, got, tc.want)
		}
	}
}

func TestExecName(t *testing.T) {
	for _, tc := range []struct{ importPath, want string }{
		{"example.com/app", "app"},
		{"github.com/acme/Web-Server/v3", "Web-Server"},
		{"example.com/x/cmd/API", "API"},
		{"example.com/x/cmd/my_worker", "my_worker"},
		{"example.com/x/cmd/2fa", "2fa"},
		{"example.com/x/cmd/v2", "cmd"}, // go build names it after the parent too
		{"example.com/x/v1", "v1"},      // v1 and v0 are not major version suffixes
		{"example.com/x/v02", "v02"},
		{"example.com/x/v10", "x"},
		{"v2", "v2"},
		{"example.com/x/cmd/日本", "日本"},
	} {
		if got := execName(tc.importPath); got != tc.want {
			t.Errorf("execName(%q) = %q, want %q", tc.importPath, got, tc.want)
		}
	}
}

func TestDescribeAddr(t *testing.T) {
	for _, tc := range []struct {
		name    string
		v       sval
		addr    string
		port    int
		env     string
		isAddr  bool
		loop    bool
		resolve bool
	}{
		{"literal", litVal(":8080"), ":8080", 8080, "", false, false, true},
		{"all interfaces", litVal("0.0.0.0:80"), "0.0.0.0:80", 80, "", false, false, true},
		{"named port", litVal("localhost:http"), "localhost:http", 80, "", false, true, true},
		{"ipv6 loopback", litVal("[::1]:9000"), "[::1]:9000", 9000, "", false, true, true},
		{"loopback range", litVal("127.1.2.3:9000"), "127.1.2.3:9000", 9000, "", false, true, true},
		{"no port", litVal("8080"), "8080", 0, "", false, false, true},
		{"env port default", litVal(":").concat(envWithDefault("PORT", "3000", false)), ":3000", 3000, "PORT", false, false, true},
		{"env addr", envVal("LISTEN"), "", 0, "LISTEN", true, false, false},
		{"host env and port env", envWithDefault("HOST", "127.0.0.1", false).concat(litVal(":")).concat(envVal("PORT")), "", 0, "PORT", false, true, false},
		{"unknown", unknownVal(), "", 0, "", false, false, false},
		{"loopback host unknown port", litVal("127.0.0.1:").concat(unknownVal()), "", 0, "", false, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var l Listener
			resolved := describeAddr(tc.v, &l)
			if l.Addr != tc.addr || l.Port != tc.port || l.PortEnv != tc.env || l.EnvIsAddr != tc.isAddr || l.Loopback != tc.loop || resolved != tc.resolve {
				t.Errorf("got %+v resolved=%v", l, resolved)
			}
		})
	}
}

func TestSprintf(t *testing.T) {
	v := sprintf("%s:%d/%%x%q", []sval{envWithDefault("HOST", "h", false), litVal("80"), litVal("z")})
	if s, ok := v.render(); ok || s != "" {
		t.Errorf("%%q must make the value unknown, got %q", s)
	}
	v = sprintf("%s:%05d%%", []sval{envWithDefault("HOST", "h", false), litVal("80")})
	if s, ok := v.render(); !ok || s != "h:80%" {
		t.Errorf("render = %q, %v", s, ok)
	}
	if s, ok := sprintf("%s", nil).render(); ok {
		t.Errorf("missing arg must be unknown, got %q", s)
	}
}

func TestStructEnvTag(t *testing.T) {
	for _, tc := range []struct {
		tag    string
		want   envTag
		wantOK bool
	}{
		{`envconfig:"PORT" default:"8080"`, envTag{"PORT", "8080", true}, true},
		{`env:"DB_URL,required"`, envTag{"DB_URL", "", false}, true},
		{`env:"LEVEL" envDefault:"info"`, envTag{"LEVEL", "info", true}, true},
		{`env:"HOST" env-default:"0.0.0.0"`, envTag{"HOST", "0.0.0.0", true}, true},
		{`env:"PORT, default=9000"`, envTag{"PORT", "9000", true}, true},
		{`env:"-"`, envTag{}, false},
		{`json:"port"`, envTag{}, false},
	} {
		got, ok := structEnvTag(tc.tag)
		if ok != tc.wantOK || (ok && got != tc.want) {
			t.Errorf("structEnvTag(%s) = %+v, %v; want %+v, %v", tc.tag, got, ok, tc.want, tc.wantOK)
		}
	}
}

// writeModule writes files (path → content) into a new temp dir.
func writeModule(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// Root ignores file modes, so permission errors are injected through the
// read hooks; TestPermissionDeniedChmod covers the real thing when not root.
func TestPermissionDenied(t *testing.T) {
	t.Setenv("GOENV", "off")
	dir := t.TempDir()
	writeModule(t, dir, map[string]string{
		"go.mod":             "module example.com/perm\n\ngo 1.22\n",
		"main.go":            "package main\n\nimport \"example.com/perm/lib\"\n\nfunc main() { lib.X() }\n",
		"lib/lib.go":         "package lib\n\nfunc X() {}\n",
		"data/pg/PG_VERSION": "16\n",
	})
	deny := func(target string) func() {
		oldDir, oldOpen, oldRead := readDir, openFile, readFile
		denied := func(p string) bool { return p == filepath.Join(dir, filepath.FromSlash(target)) }
		readDir = func(p string) ([]fs.DirEntry, error) {
			if denied(p) {
				return nil, &fs.PathError{Op: "open", Path: p, Err: fs.ErrPermission}
			}
			return oldDir(p)
		}
		openFile = func(p string) (io.ReadCloser, error) {
			if denied(p) {
				return nil, &fs.PathError{Op: "open", Path: p, Err: fs.ErrPermission}
			}
			return oldOpen(p)
		}
		readFile = func(p string, limit int64) ([]byte, error) {
			if denied(p) {
				return nil, &fs.PathError{Op: "open", Path: p, Err: fs.ErrPermission}
			}
			return oldRead(p, limit)
		}
		return func() { readDir, openFile, readFile = oldDir, oldOpen, oldRead }
	}
	// An unreadable directory, go.mod or only main file fails the module;
	// an unreadable file of a package fails the mains importing it.
	for _, target := range []string{"data/pg", "lib/lib.go", "go.mod", "main.go"} {
		t.Run(target, func(t *testing.T) {
			defer deny(target)()
			f, err := Analyze(dir)
			if err == nil && target == "lib/lib.go" && len(f.Mains) == 1 && f.Mains[0].Err != nil {
				err = f.Mains[0].Err
			}
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("want *InputError, got %T %v", err, err)
			}
			if ie.File != target || !errors.Is(ie, fs.ErrPermission) || !strings.Contains(ie.Hint, "readable") {
				t.Errorf("got File=%q Err=%v Hint=%q", ie.File, ie.Err, ie.Hint)
			}
		})
	}
	if _, err := Analyze(dir); err != nil {
		t.Fatalf("without the injected error: %v", err)
	}
}

func TestPermissionDeniedChmod(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads files whatever their mode; TestPermissionDenied covers this")
	}
	t.Setenv("GOENV", "off")
	dir := t.TempDir()
	writeModule(t, dir, map[string]string{
		"go.mod":  "module example.com/perm\n\ngo 1.22\n",
		"main.go": "package main\n\nfunc main() {}\n",
	})
	secret := filepath.Join(dir, "secret")
	if err := os.Mkdir(secret, 0o000); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(secret, 0o755)
	_, err := Analyze(dir)
	var ie *InputError
	if !errors.As(err, &ie) || ie.File != "secret" {
		t.Fatalf("got %v", err)
	}
}

func TestNotADirectory(t *testing.T) {
	var ie *InputError
	if _, err := Analyze(filepath.Join(t.TempDir(), "missing")); !errors.As(err, &ie) || ie.Hint == "" {
		t.Fatalf("got %v", err)
	}
}

// Directory names a txtar archive cannot hold: a main there carries an
// error naming the directory readably; the other main is unaffected.
func TestBadDirNames(t *testing.T) {
	t.Setenv("GOENV", "off")
	for _, tc := range []struct{ name, file string }{
		{"a\nb", `"cmd/a\nb"`},
		{"\xff", `"cmd/\xff"`},
		{"tab\there", "cmd/tab\there"},
		{"日本", "cmd/日本"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			dir := t.TempDir()
			writeModule(t, dir, map[string]string{
				"go.mod":                      "module example.com/bd\n\ngo 1.22\n",
				"cmd/good/main.go":            "package main\n\nfunc main() {}\n",
				"cmd/" + tc.name + "/main.go": "package main\n\nfunc main() {}\n",
			})
			f, err := analyzeWithin(t, dir)
			if err != nil {
				t.Fatal(err)
			}
			var bad, good *Main
			for i := range f.Mains {
				switch f.Mains[i].Dir {
				case "./cmd/good":
					good = &f.Mains[i]
				case "./cmd/" + strings.ToValidUTF8(tc.name, "\uFFFD"): // facts are valid UTF-8
					bad = &f.Mains[i]
				}
			}
			if good == nil || good.Err != nil || bad == nil || bad.Err == nil {
				t.Fatalf("mains: %+v", f.Mains)
			}
			if bad.Err.Op != "check package path" || bad.Err.File != tc.file || !strings.Contains(bad.Error, "malformed import path") {
				t.Errorf("error %#v (%s)", bad.Err, bad.Error)
			}
		})
	}
}

// Files over the read limits: a clear error naming the file, for the main
// using a Go file (others unaffected) or for the module (go.mod, go.sum).
func TestReadLimits(t *testing.T) {
	t.Setenv("GOENV", "off")
	big := func(prefix string, n int) string {
		return prefix + strings.Repeat("// generated data, not code\n", n/28+1)
	}
	for _, tc := range []struct {
		name, file, content string
		mainErr             bool
	}{
		{"go file", "data/data.go", big("package data\n\nconst X = 1\n", maxGoFile), true},
		{"go.mod", "go.mod", big("module example.com/big\n\ngo 1.22\n", maxModFile), false},
		{"go.sum", "go.sum", big("", maxModFile), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			files := map[string]string{
				"go.mod":           "module example.com/big\n\ngo 1.22\n",
				"cmd/good/main.go": "package main\n\nfunc main() {}\n",
				"cmd/data/main.go": "package main\n\nimport \"example.com/big/data\"\n\nfunc main() { _ = data.X }\n",
			}
			files[tc.file] = tc.content
			writeModule(t, dir, files)
			f, err := analyzeWithin(t, dir)
			if tc.mainErr {
				if err != nil || len(f.Mains) != 2 || f.Mains[1].Err != nil {
					t.Fatalf("want cmd/data broken and cmd/good fine: %v %+v", err, f)
				}
				err = f.Mains[0].Err
			}
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("want *InputError, got %T %v", err, err)
			}
			t.Logf("%v; hint: %s", ie, ie.Hint)
			if ie.File != tc.file || !strings.Contains(ie.Error(), "over dockgen's read limit") || ie.Hint == "" {
				t.Errorf("got %v (file %q, hint %q)", ie, ie.File, ie.Hint)
			}
		})
	}
}

// A health route under a prefix is the service's only when the prefix is
// an API or version one.
func TestVersionPrefix(t *testing.T) {
	for p, want := range map[string]bool{
		"/api": true, "/v1": true, "/api/v2": true, "/v10": true, "/v1.2": false,
		"/audiomuseai": false, "/v": false, "/vx": false, "": false, "/admin": false,
	} {
		if got := versionPrefix(p); got != want {
			t.Errorf("versionPrefix(%q) = %v, want %v", p, got, want)
		}
	}
}

// The module's import graph is searched once per package, not once per
// path: 40 layers of two packages each importing both of the next make
// 2^40 paths from main to the last layer (loki's import graph took the
// analysis minutes). The server's package is not below main's first
// imports, so the whole graph is searched.
func TestImportDiamondsAreLinear(t *testing.T) {
	const layers = 40
	files := map[string]string{"go.mod": "module example.com/diamond\n\ngo 1.22\n"}
	for l := range layers {
		for _, side := range []string{"a", "b"} {
			src := fmt.Sprintf("package %s%02d\n\n", side, l)
			if l+1 < layers {
				src += fmt.Sprintf("import (\n\t_ \"example.com/diamond/a%02d\"\n\t_ \"example.com/diamond/b%02d\"\n)\n", l+1, l+1)
			}
			files[fmt.Sprintf("%s%02d/p.go", side, l)] = src + "\nfunc F() {}\n"
		}
	}
	files["zserver/server.go"] = "package zserver\n\nimport \"net/http\"\n\nfunc Run() error {\n\tsrv := &http.Server{Addr: \":8080\"}\n\treturn srv.ListenAndServe()\n}\n"
	files["main.go"] = "package main\n\nimport (\n\t\"net/http\"\n\n\t_ \"example.com/diamond/a00\"\n\t\"example.com/diamond/zserver\"\n)\n\n" +
		"type box struct{ Handler http.Handler }\n\nfunc main() {\n\tvar b box\n\tb.Handler = http.NotFoundHandler()\n\t_ = b\n\tzserver.Run()\n}\n"
	dir := t.TempDir()
	writeModule(t, dir, files)
	f, err := analyzeWithin(t, dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Mains) != 1 || len(f.Mains[0].Listeners) != 1 || f.Mains[0].Listeners[0].Port != 8080 {
		t.Fatalf("facts: %+v", f.Mains)
	}
}
