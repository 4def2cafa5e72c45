package analysis

import (
	"go/ast"
	"strings"
)

// Library models: what a call into a library means for a port, an
// address, an env var, a flag or a health route. They are declared here,
// one row per API, and never read from the library's source, so the facts
// do not depend on what the module cache holds. Each row names the
// testdata fixture that shows it working (TestModelsHaveFixtures).
//
// A row matches a package function pkg.Fn, or, with method set, a method
// Fn called on a value that comes from pkg (r := gin.Default(); r.Run()).
// When the value's origin cannot be traced, a method row still matches if
// the file imports pkg and the call has the row's shape (arity, a literal
// name), the way the shapes of flag definitions are unmistakable.
// In Fn, "<T>" stands for a value type of flag libraries (String, Int,
// Uint16, Duration, ...): "<T>Var" is StringVar, IntVar, and so on.

type modelKind int

const (
	mEnvGet          modelKind = iota // os.Getenv(name)
	mPure                             // a string function dockgen evaluates (fmt.Sprintf, net.JoinHostPort, ...)
	mFlagValue                        // flag.String(name, def, usage): a pointer to the flag's value
	mFlagVar                          // flag.StringVar(&v, name, def, usage): binds v
	mFlagGet                          // cmd.Flags().GetString(name), c.String(name): a defined flag's value
	mKingpinFlag                      // app.Flag(name, help): starts a kingpin flag chain
	mKingpinDefault                   // .Default(value)
	mKingpinEnvar                     // .Envar(name)
	mKingpinRequired                  // .Required()
	mKingpinValue                     // .String(): the chain's value
	mKingpinVar                       // .StringVar(&v): binds v to the chain's value
	mKingpinCommand                   // app.Command(name, help): a subcommand
	mUrfaveFlag                       // &cli.StringFlag{Name:, Value:, EnvVars:/Sources:, Destination:}
	mUrfaveCommand                    // &cli.Command{Name:, Action:}
	mCobraCommand                     // &cobra.Command{Use:, Run/RunE:}
	mViperDefault                     // viper.SetDefault(key, value)
	mViperBindEnv                     // viper.BindEnv(key, env...)
	mViperAutoEnv                     // viper.AutomaticEnv()
	mViperPrefix                      // viper.SetEnvPrefix(prefix)
	mViperReplacer                    // viper.SetEnvKeyReplacer(strings.NewReplacer(old, new))
	mViperBindFlag                    // viper.BindPFlag(key, flags.Lookup(name))
	mViperBindFlags                   // viper.BindPFlags(flags): every flag under its own name
	mViperGet                         // viper.GetString(key)
	mViperConfig                      // viper.SetConfigName(name) / SetConfigFile(path) / AddConfigPath(dir)
	mViperUnmarshal                   // viper.Unmarshal(&cfg): fields by mapstructure keys
	mKoanfLoad                        // k.Load(provider, parser)
	mKoanfGet                         // k.String(key)
	mKoanfUnmarshal                   // k.Unmarshal(path, &cfg): fields by koanf keys
	mStructEnv                        // a struct-tag env library filling &cfg (prefix at arg prefix)
	mListen                           // a call that listens on the address at arg addr
	mServe                            // a call that serves on a listener or a configured server
	mToolkitFlags                     // exporter-toolkit: adds --web.listen-address with a default
	mToolkitListen                    // exporter-toolkit web.ListenAndServe(server, flags, logger)
	mGRPCHealth                       // grpc_health_v1.RegisterHealthServer
)

// model is one row of the table.
type model struct {
	pkgs   []string // import paths (a row for several major versions lists each)
	fn     string
	method bool
	kind   modelKind
	// Argument positions; -1 when the API has none.
	name   int // flag, env or key name
	def    int // default value
	target int // &v the call binds
	addr   int // listen address
	// Details of some kinds.
	short  bool   // pflag's XxxP: a shorthand argument follows the name
	tls    bool   // a TLS listener
	lib    string // mStructEnv: which tag dialect; mPure: which function
	defVal string // mListen without an address argument (gin's r.Run()): the port it uses
	env    string // and the env var it reads first
	flag   string // mToolkitFlags: the flag the library adds
	test   string // the testdata fixture that exercises this row
}

const (
	pFlag     = "flag"
	pPflag    = "github.com/spf13/pflag"
	pCobra    = "github.com/spf13/cobra"
	pViper    = "github.com/spf13/viper"
	pKingpin  = "github.com/alecthomas/kingpin/v2"
	pKingpinG = "gopkg.in/alecthomas/kingpin.v2"
	pUrfave1  = "github.com/urfave/cli"
	pUrfave2  = "github.com/urfave/cli/v2"
	pUrfave3  = "github.com/urfave/cli/v3"
	pKoanf    = "github.com/knadh/koanf/v2"
	pKoanf1   = "github.com/knadh/koanf"
	pToolkit  = "github.com/prometheus/exporter-toolkit/web"
	pToolkitK = "github.com/prometheus/exporter-toolkit/web/kingpinflag"
)

var (
	flagPkgs    = []string{pFlag}
	pflagPkgs   = []string{pPflag, pCobra} // cobra's cmd.Flags() is a pflag.FlagSet
	kingpinPkgs = []string{pKingpin, pKingpinG}
	urfavePkgs  = []string{pUrfave1, pUrfave2, pUrfave3}
	viperPkgs   = []string{pViper}
	koanfPkgs   = []string{pKoanf, pKoanf1}
	ginPkgs     = []string{"github.com/gin-gonic/gin"}
	echoPkgs    = []string{"github.com/labstack/echo/v4", "github.com/labstack/echo"}
	fiberPkgs   = []string{"github.com/gofiber/fiber/v2", "github.com/gofiber/fiber/v3", "github.com/gofiber/fiber"}
	irisPkgs    = []string{"github.com/kataras/iris/v12", "github.com/kataras/iris"}
	goflagsPkgs = []string{"github.com/jessevdk/go-flags"}
	httpPkgs    = []string{"net/http"}
	netPkgs     = []string{"net"}
)

func row(pkgs []string, fn string, kind modelKind, test string) model {
	return model{pkgs: pkgs, fn: fn, kind: kind, name: -1, def: -1, target: -1, addr: -1, test: test}
}

// models is the table. Argument positions are set with the helpers below
// so each row reads as the call it models.
var models = []model{
	// Environment.
	row([]string{"os"}, "Getenv", mEnvGet, "nethttp_port_fallback").args("name"),
	row([]string{"os"}, "LookupEnv", mEnvGet, "chi-route-health").args("name"),
	row([]string{"syscall"}, "Getenv", mEnvGet, "env-syscall-getenv").args("name"),

	// String functions whose result dockgen works out.
	row([]string{"fmt"}, "Sprintf", mPure, "flag_default").pure("sprintf"),
	row([]string{"fmt"}, "Sprint", mPure, "addr-sprint-concat").pure("sprint"),
	row([]string{"net"}, "JoinHostPort", mPure, "config-struct-receiver").pure("joinhostport"),
	row([]string{"strconv"}, "Itoa", mPure, "port-int-itoa").pure("itoa"),
	row([]string{"strconv"}, "FormatInt", mPure, "strconv-format-port").pure("itoa"),
	row([]string{"strconv"}, "FormatUint", mPure, "strconv-format-port").pure("itoa"),
	row([]string{"strings"}, "TrimSpace", mPure, "port-int-itoa").pure("identity"),
	row([]string{"cmp"}, "Or", mPure, "env-cmp-or").pure("or"),
	row([]string{"path"}, "Join", mPure, "kingpin-exporter").pure("pathjoin"),
	row([]string{"path/filepath"}, "Join", mPure, "reads-through-settings").pure("filejoin"),

	// Standard library flags: package functions and FlagSet methods.
	row(flagPkgs, "<T>", mFlagValue, "flag_default").args("name", "def"),
	row(flagPkgs, "<T>Var", mFlagVar, "flag_default").args("target", "name", "def"),
	row(flagPkgs, "<T>", mFlagValue, "flagset").meth().args("name", "def"),
	row(flagPkgs, "<T>Var", mFlagVar, "flagset").meth().args("target", "name", "def"),

	// spf13/pflag and cobra's cmd.Flags()/cmd.PersistentFlags().
	row(pflagPkgs, "<T>", mFlagValue, "pflag-functions").args("name", "def"),
	row(pflagPkgs, "<T>P", mFlagValue, "pflag-functions").args("name", "def").shorthand(),
	row(pflagPkgs, "<T>Var", mFlagVar, "cobra-persistent-flag").args("target", "name", "def"),
	row(pflagPkgs, "<T>VarP", mFlagVar, "cobra-serve-subcommand").args("target", "name", "def").shorthand(),
	row(pflagPkgs, "<T>", mFlagValue, "cobra-local-flag-get").meth().args("name", "def"),
	row(pflagPkgs, "<T>P", mFlagValue, "cobra-local-flag-get").meth().args("name", "def").shorthand(),
	row(pflagPkgs, "<T>Var", mFlagVar, "cobra-persistent-flag").meth().args("target", "name", "def"),
	row(pflagPkgs, "<T>VarP", mFlagVar, "cobra-serve-subcommand").meth().args("target", "name", "def").shorthand(),
	row(pflagPkgs, "Get<T>", mFlagGet, "cobra-local-flag-get").meth().args("name"),
	row([]string{pCobra}, "Command", mCobraCommand, "cobra-serve-subcommand"),

	// alecthomas/kingpin: app.Flag("listen", "").Default(":9100").Envar("LISTEN").String().
	row(kingpinPkgs, "Flag", mKingpinFlag, "kingpin-exporter").args("name"),
	row(kingpinPkgs, "Flag", mKingpinFlag, "kingpin-exporter").meth().args("name"),
	row(kingpinPkgs, "Default", mKingpinDefault, "kingpin-exporter").meth().args("def"),
	row(kingpinPkgs, "Envar", mKingpinEnvar, "kingpin-envar").meth().args("name"),
	row(kingpinPkgs, "Required", mKingpinRequired, "kingpin-envar").meth(),
	row(kingpinPkgs, "<T>", mKingpinValue, "kingpin-exporter").meth(),
	row(kingpinPkgs, "<T>Var", mKingpinVar, "kingpin-envar").meth().args("target"),
	row(kingpinPkgs, "Command", mKingpinCommand, "kingpin-serve-command").meth().args("name"),
	row(kingpinPkgs, "Command", mKingpinCommand, "kingpin-serve-command").args("name"),

	// urfave/cli v1, v2, v3: flag structs and their getters.
	row(urfavePkgs, "<T>Flag", mUrfaveFlag, "urfave-cli-v2"),
	row(urfavePkgs, "<T>", mFlagGet, "urfave-cli-v2").meth().args("name"),
	row(urfavePkgs, "Command", mUrfaveCommand, "urfave-cli-v3-sources"),

	// spf13/viper: package functions and methods of viper.New().
	row(viperPkgs, "SetDefault", mViperDefault, "viper-default-automaticenv").both().args("name", "def"),
	row(viperPkgs, "BindEnv", mViperBindEnv, "viper-bindenv").both().args("name"),
	row(viperPkgs, "AutomaticEnv", mViperAutoEnv, "viper-default-automaticenv").both(),
	row(viperPkgs, "SetEnvPrefix", mViperPrefix, "viper-prefix-pflag").both().args("name"),
	row(viperPkgs, "SetEnvKeyReplacer", mViperReplacer, "viper-prefix-pflag").both(),
	row(viperPkgs, "BindPFlag", mViperBindFlag, "viper-prefix-pflag").both().args("name"),
	row(viperPkgs, "BindPFlags", mViperBindFlags, "viper-bindpflags").both(),
	row(viperPkgs, "Get<T>", mViperGet, "viper-default-automaticenv").both().args("name"),
	row(viperPkgs, "Get", mViperGet, "viper-bindenv").both().args("name"),
	row(viperPkgs, "SetConfigName", mViperConfig, "viper-config-file").both().args("name"),
	row(viperPkgs, "SetConfigFile", mViperConfig, "viper-setconfigfile").both().args("name"),
	row(viperPkgs, "AddConfigPath", mViperConfig, "viper-config-file").both().args("name"),
	row(viperPkgs, "Unmarshal", mViperUnmarshal, "viper-unmarshal-struct").both().args("target"),

	// knadh/koanf.
	row(koanfPkgs, "Load", mKoanfLoad, "koanf-env-confmap").meth(),
	row(koanfPkgs, "<T>", mKoanfGet, "koanf-env-confmap").meth().args("name"),
	row(koanfPkgs, "Unmarshal", mKoanfUnmarshal, "koanf-env-confmap").meth().args("name", "target"),

	// Config structs filled from env by struct tags.
	row([]string{"github.com/kelseyhightower/envconfig"}, "Process", mStructEnv, "envconfig").args("name", "target").tags("envconfig"),
	row([]string{"github.com/kelseyhightower/envconfig"}, "MustProcess", mStructEnv, "envconfig-prefix").args("name", "target").tags("envconfig"),
	row([]string{"github.com/caarlos0/env/v11", "github.com/caarlos0/env/v10", "github.com/caarlos0/env/v9", "github.com/caarlos0/env/v8", "github.com/caarlos0/env/v6", "github.com/caarlos0/env"}, "Parse", mStructEnv, "envconfig").args("target").tags("caarlos0"),
	row([]string{"github.com/caarlos0/env/v11", "github.com/caarlos0/env/v10", "github.com/caarlos0/env/v9", "github.com/caarlos0/env/v8", "github.com/caarlos0/env/v6", "github.com/caarlos0/env"}, "ParseWithOptions", mStructEnv, "caarlos0-env-prefix").args("target").tags("caarlos0"),
	row([]string{"github.com/ilyakaznacheev/cleanenv"}, "ReadEnv", mStructEnv, "cleanenv-required").args("target").tags("cleanenv"),
	row([]string{"github.com/ilyakaznacheev/cleanenv"}, "ReadConfig", mStructEnv, "cleanenv-config-file").args("name", "target").tags("cleanenv"),
	row([]string{"github.com/sethvargo/go-envconfig"}, "Process", mStructEnv, "sethvargo-envconfig").args("target").at(1).tags("sethvargo"),
	row([]string{"github.com/sethvargo/go-envconfig"}, "ProcessWith", mStructEnv, "sethvargo-envconfig").tags("sethvargo"),
	row([]string{"github.com/ardanlabs/conf/v3", "github.com/ardanlabs/conf"}, "Parse", mStructEnv, "config-struct-ardanlabs").args("name", "target").tags("ardanlabs"),
	row([]string{"github.com/alecthomas/kong"}, "Parse", mStructEnv, "kong-cli").args("target").tags("kong"),
	// jessevdk/go-flags: long/env/default/required tags, groups with
	// namespace/env-namespace, command:"server" structs run by Execute.
	row(goflagsPkgs, "NewParser", mStructEnv, "go-flags-server").args("target").tags("goflags"),
	row(goflagsPkgs, "Parse", mStructEnv, "go-flags-server").args("target").tags("goflags"),
	row(goflagsPkgs, "ParseArgs", mStructEnv, "go-flags-server").args("target").tags("goflags"),
	row(goflagsPkgs, "AddCommand", mStructEnv, "go-flags-server").meth().args("name", "", "", "target").tags("goflags"),
	row(goflagsPkgs, "AddGroup", mStructEnv, "go-flags-server").meth().args("", "", "target").tags("goflags"),

	// Listen calls.
	row(httpPkgs, "ListenAndServe", mListen, "nethttp_port_fallback").args("addr"),
	row(httpPkgs, "ListenAndServeTLS", mListen, "tls-redirect-secondary").args("addr").secure(),
	row(netPkgs, "Listen", mListen, "frameworks").args("addr").at(1),
	row(ginPkgs, "Run", mListen, "gin_default").meth().args("addr").noArg("8080", "PORT"),
	row(ginPkgs, "RunTLS", mListen, "gin-runtls-secondary").meth().args("addr").secure(),
	row(echoPkgs, "Start", mListen, "frameworks").meth().args("addr"),
	row(echoPkgs, "StartTLS", mListen, "echo-autotls").meth().args("addr").secure(),
	row(echoPkgs, "StartAutoTLS", mListen, "echo-autotls").meth().args("addr").secure(),
	row(fiberPkgs, "Listen", mListen, "frameworks").meth().args("addr"),
	row(fiberPkgs, "ListenTLS", mListen, "fiber-listen-tls").meth().args("addr").secure(),
	row(irisPkgs, "Listen", mListen, "iris-listen").meth().args("addr"),
	row(pToolkitList, "AddFlags", mToolkitFlags, "exporter-toolkit-web").args("def").at(1).toolkit("web.listen-address"),
	row(pToolkitList, "ListenAndServe", mToolkitListen, "exporter-toolkit-web"),
	row([]string{"google.golang.org/grpc/health/grpc_health_v1"}, "RegisterHealthServer", mGRPCHealth, "grpc-health"),
}

var pToolkitList = []string{pToolkit, pToolkitK}

func (m model) meth() model   { m.method = true; return m }
func (m model) both() model   { m.method = true; m.lib = "both"; return m }
func (m model) secure() model { m.tls = true; return m }
func (m model) shorthand() model {
	m.short = true
	return m
}
func (m model) pure(fn string) model      { m.lib = fn; return m }
func (m model) tags(dialect string) model { m.lib = dialect; return m }
func (m model) noArg(def, env string) model {
	m.defVal, m.env = def, env
	return m
}
func (m model) toolkit(flag string) model { m.flag = flag; return m }

// args assigns argument positions in order: args("target", "name", "def")
// is f(&v, name, def, ...). A shorthand argument (pflag's XxxP) is skipped.
func (m model) args(names ...string) model {
	i := 0
	for _, n := range names {
		switch n {
		case "name":
			m.name = i
		case "def":
			m.def = i
		case "target":
			m.target = i
		case "addr":
			m.addr = i
		}
		i++
	}
	return m
}

// at shifts every argument position by n (a leading ctx or network).
func (m model) at(n int) model {
	for _, p := range []*int{&m.name, &m.def, &m.target, &m.addr} {
		if *p >= 0 {
			*p += n
		}
	}
	return m
}

// valueTypes are the <T> of flag libraries; the numeric ones make num values.
var valueTypes = map[string]bool{
	"String": false, "Int": true, "Int8": true, "Int16": true, "Int32": true, "Int64": true,
	"Uint": true, "Uint8": true, "Uint16": true, "Uint32": true, "Uint64": true,
	"Duration": false, "Bool": false, "Float64": false, "Float32": false,
	"TCPAddr": false, "IP": false, "URL": false, "HostPort": false, "Path": false,
}

// matchName reports whether a call's name fits the row's Fn, and for a <T>
// row whether the value is a number.
func (m *model) matchName(name string) (num, ok bool) {
	pre, post, generic := strings.Cut(m.fn, "<T>")
	if !generic {
		return false, name == m.fn
	}
	if !strings.HasPrefix(name, pre) || !strings.HasSuffix(name, post) || len(name) < len(pre)+len(post) {
		return false, false
	}
	t := name[len(pre) : len(name)-len(post)]
	isNum, known := valueTypes[t]
	return isNum, known
}

// rowsByName indexes the rows by every name they can match, for speed.
var rowsByName = func() map[string][]*model {
	idx := map[string][]*model{}
	for i := range models {
		m := &models[i]
		pre, post, generic := strings.Cut(m.fn, "<T>")
		if !generic {
			idx[m.fn] = append(idx[m.fn], m)
			continue
		}
		for t := range valueTypes {
			idx[pre+t+post] = append(idx[pre+t+post], m)
		}
	}
	return idx
}()

func (m *model) hasPkg(ip string) bool {
	for _, p := range m.pkgs {
		if ip == p {
			return true
		}
	}
	return false
}

func (m *model) importedBy(f *file) bool {
	for _, p := range m.pkgs {
		for _, ip := range f.names {
			if ip == p {
				return true
			}
		}
	}
	return false
}

// match finds the row for a call, and whether its value is numeric.
func (a *analyzer) match(c evalCtx, call *ast.CallExpr) (*model, bool) {
	return a.matchKinds(c, call, nil)
}

// matchKinds is match restricted to some kinds (nil: any).
func (a *analyzer) matchKinds(c evalCtx, call *ast.CallExpr, kinds func(modelKind) bool) (*model, bool) {
	var name string
	var recv ast.Expr
	switch fun := call.Fun.(type) {
	case *ast.SelectorExpr:
		name, recv = fun.Sel.Name, fun.X
	case *ast.IndexExpr: // env.ParseAs[Config]()
		if sel, ok := fun.X.(*ast.SelectorExpr); ok {
			name, recv = sel.Sel.Name, sel.X
		}
	}
	rows := rowsByName[name]
	if len(rows) == 0 || recv == nil {
		return nil, false
	}
	ip := c.f.pkgOf(recv)
	origin := ""
	for _, m := range rows {
		if kinds != nil && !kinds(m.kind) {
			continue
		}
		num, ok := m.matchName(name)
		if !ok {
			continue
		}
		if ip != "" {
			if m.hasPkg(ip) && (!m.method || m.lib == "both") {
				return m, num
			}
			continue
		}
		if !m.method {
			continue
		}
		if origin == "" {
			origin = a.origin(c, recv, 0)
			if origin == "" {
				origin = "?"
			}
		}
		if m.hasPkg(origin) || (origin == "?" && m.importedBy(c.f) && a.shapeFits(c, m, call)) {
			return m, num
		}
	}
	return nil, false
}

// shapeFits is the check for a method call whose receiver could not be
// traced: the arguments must be where the row expects them, with a
// literal name, and a &target for binding rows.
func (a *analyzer) shapeFits(c evalCtx, m *model, call *ast.CallExpr) bool {
	n := len(call.Args)
	switch m.kind {
	case mFlagValue, mFlagVar:
		want := m.def + 2 // name, [short], def, usage
		if m.short {
			want++
		}
		if n != want || !isStringLit(call.Args[m.name]) {
			return false
		}
		if m.target >= 0 {
			u, ok := call.Args[m.target].(*ast.UnaryExpr)
			return ok && u.Op == tokenAND
		}
		return true
	case mFlagGet, mKoanfGet, mViperGet, mKingpinFlag, mKingpinCommand:
		return n >= 1 && m.name < n && isStringLit(call.Args[m.name])
	case mKingpinDefault, mKingpinEnvar, mKingpinRequired, mKingpinValue, mKingpinVar:
		return a.kingpinChain(c, call) != nil
	case mListen:
		return m.addr < n && addrLike(a.value(c, call.Args[m.addr]))
	}
	return true
}

// argOf returns the call's argument at i, shifted past a shorthand for
// positions after the name, or nil.
func (m *model) argOf(call *ast.CallExpr, i int) ast.Expr {
	if i < 0 {
		return nil
	}
	if m.short && m.name >= 0 && i > m.name {
		i++
	}
	if i >= len(call.Args) {
		return nil
	}
	return call.Args[i]
}
