// Package analysis is the first arrow of dockgen's flow: module on disk → facts.
//
// It reads a Go module offline (no go list, no network) and reports what a
// container setup depends on: main packages, cgo, listen addresses, env
// configuration, Go version, embeds and runtime needs. Every fact carries the
// file:line it was read from, so dockgen can explain each choice it makes.
// The JSON form of Facts is the stable `dockgen analyze --json` contract:
// fields may be added, never renamed. Facts are raw: names are what the go
// command uses (Main.Name is go build's binary name), and making them
// Docker-safe is the plan's decision. A main that cannot be built carries
// its error (Main.Error); only a problem with the whole module fails.
//
// Facts depend on the repository alone, so files generated from them are
// the same on every machine: no environment variable (GOOS, GOFLAGS,
// GOPRIVATE, GOWORK, ...) and no module cache content changes a fact. The
// module cache and go env are read only to add Facts.CacheNotes, hints that
// confirm or question a decision and are not part of the JSON contract.
//
// How values are followed: the module's own declarations are type-checked
// with go/types on demand (typecheck.go; every import from outside the
// module is a fake package, so no dependency is read), and an evaluator
// (eval.go) works out what a listen address, an env var name or a route
// is, through locals, struct fields and package variables (every write,
// flow.go), parameters bound at call sites, constants, helpers, config
// structs and the library APIs declared in one table (models.go, evaluated
// in libs.go, tags.go and config.go). A listen call counts for a binary
// only when its main reaches it (reach.go), which also tells whether it is
// conditional and which CLI subcommand starts it; the same way tells
// whether a backing service's driver is used by default (services.go).
// Analyses are cached on disk (cache.go) while every input they read is
// unchanged.
package analysis

// Facts is everything dockgen knows about one module.
type Facts struct {
	Dir          string `json:"dir"`
	Module       string `json:"module"`
	ModuleSource string `json:"module_source,omitempty"` // go.mod:line of the module directive
	Go           string `json:"go"`
	GoSource     string `json:"go_source,omitempty"`
	Toolchain    string `json:"toolchain"`
	// ToolchainSource is the go.mod:line of the toolchain directive.
	ToolchainSource string   `json:"toolchain_source,omitempty"`
	HasGoSum        bool     `json:"go_sum"`
	Cgo             bool     `json:"cgo"`
	Mains           []Main   `json:"mains"`
	Embed           []string `json:"embed"`
	// Vendor is true when go build uses vendor/ (so the image builds with
	// -mod=vendor and downloads nothing).
	Vendor bool `json:"vendor"`
	// VendorIgnored is true when vendor/ exists but go build does not use
	// it (go.mod declares go < 1.14, or vendor/modules.txt disagrees with
	// go.mod): it stays out of the build context; a warning says why.
	VendorIgnored bool   `json:"vendor_ignored,omitempty"`
	Workspace     string `json:"workspace"`
	// Work is the go.work the module needs to build (it requires workspace
	// modules it does not replace); nil when it builds alone.
	Work        *Work    `json:"work,omitempty"`
	ReplaceDirs []string `json:"replace_dirs"`
	// Context is the Docker build context relative to the module root when
	// it must be wider than the module ("..": a replaced module beside it
	// in the repository); "" for the module root itself.
	Context string `json:"context,omitempty"`
	// ModuleDir is the module's directory inside that context ("backend").
	ModuleDir string `json:"module_dir,omitempty"`
	// PrivateModules is empty unless the repository itself marks modules as
	// private: $GOPRIVATE is the machine's, so it only adds a CacheNote.
	PrivateModules []string `json:"private_modules"`
	// Services are the backing services whose client or driver the mains'
	// code imports; ServiceSources says, for each, how the configuration
	// selects it (an imported driver may not be the one used).
	Services       []string        `json:"services"`
	ServiceSources []ServiceSource `json:"service_sources,omitempty"`
	Warnings       []Warning       `json:"warnings"`
	// Generate is set when the build needs code generated first (names
	// the code uses that no file declares), with the repository's step.
	Generate *Generate `json:"generate,omitempty"`
	// BuildTags are the tags the repository builds with (nil: none).
	BuildTags *BuildTags `json:"build_tags,omitempty"`
	// ComposeFile is the compose file already at the module root (the one
	// docker compose would pick); "" when there is none.
	ComposeFile string `json:"compose_file,omitempty"`
	// Dockerfile is what a Dockerfile at the module root that dockgen did
	// not write says; nil when there is none (or it is dockgen's).
	Dockerfile *Dockerfile `json:"dockerfile,omitempty"`
	// CacheNotes are what the machine's module cache and go env add: they
	// confirm or question a decision ("module cache: ./cmd/api does not link
	// github.com/mattn/go-sqlite3 ...") but never change one, and are not
	// part of the JSON contract, so the facts depend on the repository alone.
	CacheNotes []Warning `json:"-"`
}

// Main is one main package: one binary in the image.
type Main struct {
	Dir string `json:"dir"` // "./cmd/api" or "." — slash-separated, relative to the module root
	// Name is the binary's name exactly as `go build` gives it: the last
	// element of the import path, skipping a /vN suffix; case kept, not
	// made unique (the plan derives Docker-safe stage names from it).
	Name      string `json:"name"`
	Cgo       bool   `json:"cgo"`
	CgoReason string `json:"cgo_reason"` // e.g. "github.com/mattn/go-sqlite3 uses cgo (imported at cmd/api/db.go:7)"
	// CgoGuessed is true when cgo is on because go.mod requires a known cgo
	// module that the main may link through its third-party dependencies,
	// whose sources are not in the repository: a cgo build on a glibc
	// runtime always works, a stub does not.
	CgoGuessed bool `json:"cgo_guessed,omitempty"`
	// CgoSource is where the cgo need was seen (file:line), empty when no cgo.
	CgoSource string     `json:"cgo_source,omitempty"`
	Listeners []Listener `json:"listeners"`
	Env       []EnvVar   `json:"env"`
	// HealthPath is an existing health route the service serves ("" when none).
	HealthPath   string `json:"health_path"`
	HealthSource string `json:"health_source,omitempty"`
	// DefaultMux is true when the service serves http.DefaultServeMux
	// (ListenAndServe with a nil handler), so an init() can add a route to it.
	DefaultMux bool `json:"default_mux"`
	// Needs are runtime needs: "ca-certificates", "tzdata", "passwd", "exec:<binary>".
	Needs []string `json:"needs"`
	// Services are the backing services this main uses in its default
	// configuration (Facts.ServiceSources selection "always" or "default"
	// for it): the ones it must wait for and be wired to.
	Services    []string `json:"services,omitempty"`
	NeedSources []Need   `json:"need_sources,omitempty"`
	// LongRunning is true when main reaches a listener, a server's Serve,
	// or blocks until stopped (select {}, a wait for a signal in its own
	// goroutine, an endless loop only a signal ends). A signal handler
	// alone does not count: a CLI that stops cleanly on Ctrl-C is a job.
	LongRunning bool `json:"long_running"`
	// Commands are one-shot subcommands of a long-running binary: code
	// that runs to completion (a schema migration) only under a subcommand
	// other than the server's. Compose runs each as a job.
	Commands []Command `json:"commands,omitempty"`
	// PortGuessed is true when the main serves but no listener has a known
	// port (and none is set by an env var or flag): a warning says what
	// could not be followed, and the port must be given (--port).
	PortGuessed bool `json:"port_guessed"`
	// GRPCHealth is true when the service registers the gRPC health
	// service (grpc_health_v1.RegisterHealthServer) at GRPCHealthSource.
	GRPCHealth       bool   `json:"grpc_health,omitempty"`
	GRPCHealthSource string `json:"grpc_health_source,omitempty"`
	// ConfigFiles are the repository files (module-relative) the main reads
	// its configuration from by default, relative to its working directory
	// (viper's config.yaml, koanf's file.Provider): a default found there
	// holds in the container only if the image carries the file.
	ConfigFiles []string `json:"config_files,omitempty"`
	// VersionVar is a package-level string variable in package main that
	// version stamping can set with -X ("version" → -X main.version=...).
	VersionVar string `json:"version_var,omitempty"`
	// Reads are the files and directories the program reads at run time
	// at paths relative to its working directory (templates, static
	// assets, config files, migrations), literal or the default of a
	// setting: the image must carry them.
	Reads []Read `json:"reads,omitempty"`
	// Writes are the paths the program writes at literal locations (a
	// database file, a data directory, $HOME): on a read-only root they
	// must be volumes.
	Writes []Write `json:"writes,omitempty"`
	// ProbeFile is the module-relative path of the file in the main package
	// that declares func dockgenProbe: dockgen's health probe, wherever the
	// user moved it ("" when none). Its code does not count as the
	// service's: listeners, env, needs and health routes come from the rest.
	ProbeFile string `json:"probe_file,omitempty"`
	// Source is the file:line of func main.
	Source string `json:"source,omitempty"`
	// Err is why this main cannot be built (a syntax error, an unreadable
	// file, an invalid directory name in its own package or one it imports);
	// nil when it can. Other mains are not affected: only module-level
	// problems make Analyze fail. A broken main has only Dir, Name and,
	// when its package could be read, Source. Error is Err's text (as
	// valid UTF-8, like every string of the facts).
	Err   *InputError `json:"-"`
	Error string      `json:"error,omitempty"`
}

// Listener is one listen address found in the code.
type Listener struct {
	Addr     string `json:"addr"` // as resolved, e.g. ":8080", "127.0.0.1:9000"; "" when unknown
	Port     int    `json:"port"` // 0 when unknown
	Loopback bool   `json:"loopback"`
	// PortEnv names the env var the port or address comes from, when it does
	// ("PORT"), so the health probe and compose can follow it.
	PortEnv string `json:"port_env,omitempty"`
	// EnvIsAddr is true when PortEnv holds a whole address (":8080") rather than a port.
	EnvIsAddr bool `json:"env_is_addr,omitempty"`
	// DefaultMux is true when this listener serves http.DefaultServeMux.
	DefaultMux bool   `json:"default_mux,omitempty"`
	Source     string `json:"source"`
	// Flag names the command-line flag the address or port comes from, when
	// it does ("listen-address", "web.listen-address", "port"), so the image
	// can pin it in CMD; FlagIsAddr is true when it holds the whole address.
	Flag       string `json:"flag,omitempty"`
	FlagIsAddr bool   `json:"flag_is_addr,omitempty"`
	// AddrSource is where the default address or port is written, when that
	// is not the listen call: a flag default, a struct tag, a viper default,
	// a config file line (file:line).
	AddrSource string `json:"addr_source,omitempty"`
	// Primary marks the listener the container port comes from: exactly one
	// per main that has listeners, and it comes first in Main.Listeners.
	Primary bool `json:"primary,omitempty"`
	// Conditional is true when the listener starts only behind an if, a
	// switch case or a loop (a TLS or metrics server behind a flag).
	Conditional bool `json:"conditional,omitempty"`
	// Subcommand is the CLI subcommand that starts the listener ("serve"),
	// when it runs only through one: the image's CMD must name it.
	Subcommand string `json:"subcommand,omitempty"`
	// Kind is what the listener serves when it is not the plain service:
	// "tls", "grpc", "metrics", "pprof", "admin", "ssh", "redirect".
	Kind string `json:"kind,omitempty"`
	// Unresolved is the expression the port could not be followed through,
	// with its file:line, when Port is 0 and no env var or flag sets it.
	Unresolved string `json:"unresolved,omitempty"`

	bg bool // started with go where it is called (ranking only)
}

// EnvVar is one environment variable the program reads.
type EnvVar struct {
	Name       string `json:"name"`
	Default    string `json:"default"`
	HasDefault bool   `json:"has_default,omitempty"`
	Secret     bool   `json:"secret"`
	Source     string `json:"source"`
	// Required is true when the program fails without it: a required tag
	// or option, or a log.Fatal/panic/os.Exit/error return on an empty value.
	Required bool `json:"required,omitempty"`
}

// Need is one runtime need with where it was seen.
type Need struct {
	Need   string `json:"need"`
	Source string `json:"source"`
}

// Source is a named fact with its origin.
type Source struct {
	Name   string `json:"name"`
	Source string `json:"source"`
}

// ServiceSource is a backing service the code has a client or driver for,
// and how the configuration the mains run with selects it.
type ServiceSource struct {
	Name string `json:"name"` // "postgres", "redis", ...
	// Source is where the driver is imported (file:line); Import its path.
	Source string `json:"source"`
	Import string `json:"import,omitempty"`
	// Selection is "always" when a main uses it unconditionally,
	// "default" when a setting selects it and the setting's default does,
	// "optional" when only a non-default value of a setting (or a branch
	// that does not run by default) uses it, "unused" when no main
	// reaches a use of it. The strongest over the mains.
	Selection string `json:"selection,omitempty"`
	// Setting is what selects it: an env var ("DB_DRIVER") or a flag
	// ("--db"); SettingSource where that is read or defaulted (file:line).
	Setting       string `json:"setting,omitempty"`
	SettingSource string `json:"setting_source,omitempty"`
}

// Warning is something the user should fix or know; Code is stable.
type Warning struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Source  string `json:"source"`
}

// Dockerfile is the evidence in a hand-written Dockerfile's last stage.
type Dockerfile struct {
	Expose    []Port   `json:"expose,omitempty"`
	Cmd       []string `json:"cmd,omitempty"`
	CmdSource string   `json:"cmd_source,omitempty"`
}

// Port is a port number with where it was read.
type Port struct {
	Port   int    `json:"port"`
	Source string `json:"source"`
}

// Write is a path the program writes to, as the code names it: relative to
// the working directory, absolute, or "$HOME".
type Write struct {
	Path string `json:"path"`
	Dir  bool   `json:"dir,omitempty"` // a directory (MkdirAll), not a file
	// Env names the variable the path comes from (Path is its default).
	Env    string `json:"env,omitempty"`
	Source string `json:"source"`
}

// Read is a path the program reads at run time, relative to its working
// directory (the module root when run from source).
type Read struct {
	Path   string `json:"path"`
	Dir    bool   `json:"dir,omitempty"`  // a directory
	Glob   bool   `json:"glob,omitempty"` // a pattern (template.ParseGlob)
	Exists bool   `json:"exists"`         // in the repository
	// Sample is the sample beside a missing file (config.sample.yaml).
	Sample string `json:"sample,omitempty"`
	Source string `json:"source"`
	// Env or Flag names the setting the path comes from, when it does
	// (Path is what the program reads with the setting's default);
	// DefaultSource is where that default is written (file:line).
	Env           string `json:"env,omitempty"`
	Flag          string `json:"flag,omitempty"`
	DefaultSource string `json:"default_source,omitempty"`
}

// Command is a one-shot subcommand: `app migrate` migrates the schema and
// exits.
type Command struct {
	Subcommand string `json:"subcommand"`
	// Does is what it does: "migrate" (a schema migration through Via,
	// the library's import path).
	Does   string `json:"does"`
	Via    string `json:"via"`
	Source string `json:"source"` // the call that does it (file:line)
}
