// Package plan is the third arrow of dockgen's flow: facts + answers → plan
// → files.
//
// Make decides everything once — per binary one Docker-safe name used
// everywhere (stage, compose service, `--port NAME=`, `--target`, verify),
// its port and how the image sets it, the runtime base and why, cgo, how
// runtime needs are met, the health probe — and validates it. Every later
// step reads the Plan: the templates render it (Render is pure: no disk, no
// clock), the wizard takes its defaults from it, .dockgen.yaml saves it so
// that verify and regenerate know what was generated. Writing files is
// internal/apply's job.
package plan

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/dockgen/dockgen/internal/answers"
)

// Plan is every decision behind the generated files. Its YAML form is saved
// in .dockgen.yaml; templates (built-in or the user's) get it as their data,
// documented field by field in docs/templates.md.
type Plan struct {
	// Module is the module path; Project the compose project name.
	Module  string `yaml:"module"`
	Project string `yaml:"project"`
	// Answers are the answers the plan was made from, normalized (binary
	// names resolved to Binary.Name). They are what .dockgen.yaml stores.
	Answers answers.Answers `yaml:"-"`
	// Candidates are every main package of the module, selected or not,
	// with the name each would get: the wizard's binary question.
	Candidates []Candidate `yaml:"-"`

	Builder Builder `yaml:"builder"`
	// Base is the runtime base's catalogue row; BaseWhy says why it was
	// chosen.
	Base    Base   `yaml:"base"`
	BaseWhy string `yaml:"base_why"`
	// Debug selects the base's variant with a shell.
	Debug bool `yaml:"debug,omitempty"`
	// Binaries are the selected main packages, in Dockerfile stage order:
	// the last is the default target (the first long-running one).
	Binaries []Binary `yaml:"binaries"`
	// Services are the backing services (databases, brokers) for compose.
	Services []Service `yaml:"services,omitempty"`
	// Platforms for compose's build.platforms; empty: the engine's own.
	Platforms []string `yaml:"platforms,omitempty"`
	// ComposeFile is the compose file's name: the one already in the
	// repository (docker compose reads only one), else compose.yaml.
	ComposeFile string `yaml:"compose_file"`
	// Release is how docker-bake.hcl builds and publishes.
	Release Release `yaml:"release"`
	// User is the numeric user:group every image runs as.
	User string `yaml:"user"`
	// Logging is the log rotation every compose service gets.
	Logging Logging `yaml:"logging"`
	// Ignore is the .dockerignore, in groups; IgnoreFile its name:
	// .dockerignore beside the Dockerfile, or Dockerfile.dockerignore (which
	// BuildKit reads for that Dockerfile) when the context is wider than
	// the module, so every generated file stays in the module.
	Ignore     []IgnoreGroup `yaml:"ignore"`
	IgnoreFile string        `yaml:"ignore_file"`
	// SyntaxLine is the `# syntax=` frontend, "" for none (the default:
	// the line makes BuildKit pull an image, which breaks offline builds).
	SyntaxLine string `yaml:"syntax_line,omitempty"`
	// Notes explain choices (Dockerfile header comments, stderr);
	// Warnings are guesses and problems the user should look at.
	Notes    []Note `yaml:"notes,omitempty"`
	Warnings []Note `yaml:"warnings,omitempty"`
	// Fixed are the sources of analysis warnings the image takes care of:
	// loopback binds (it pins the address through the env var or flag the
	// code reads) and missing generated code (the build stage runs go
	// generate). They need no action.
	Fixed []string `yaml:"-"`
}

// Release is docker-bake.hcl's grouping: the default group builds the
// services for the engine's platform; the release group builds them for
// Platforms (a cgo binary for its native platform only: cross-compiling C
// needs a toolchain per target).
type Release struct {
	Default   []string `yaml:"default"`
	Targets   []string `yaml:"targets"`
	Platforms []string `yaml:"platforms"`
}

// Candidate is one main package of the module.
type Candidate struct {
	Dir      string // "./cmd/api"
	Name     string // the Binary.Name it gets
	Selected bool
	Default  bool   // selected when nothing is asked
	Why      string // why it is not a default ("under examples/"), or ""
	Serves   bool   // long-running
}

// Builder is the build stage.
type Builder struct {
	Image string `yaml:"image"` // golang:1.25-bookworm
	// GoVersion is the Go minor the builder has; GoWhy where it comes from.
	GoVersion string `yaml:"go_version"`
	GoWhy     string `yaml:"go_why"`
	// Stage is the shared build stage's name.
	Stage string `yaml:"stage"`
	// CrossCompile: no binary needs cgo, so the build runs on the build
	// platform and cross-compiles (FROM --platform=$BUILDPLATFORM).
	CrossCompile bool `yaml:"cross_compile"`
	GoSum        bool `yaml:"go_sum"`
	// Context is the build context relative to the Dockerfile's directory
	// ("." or "..": wider when a replaced module sits beside this one in
	// the repository); ModDir is the module's directory inside it.
	Context string `yaml:"context"`
	ModDir  string `yaml:"mod_dir,omitempty"`
	// WorkDir is the build stage's working directory (the module's place
	// under /src); SourceMount where the build binds the context.
	WorkDir     string `yaml:"workdir"`
	SourceMount string `yaml:"source_mount"`
	// ModBinds are what `go mod download` reads: go.mod, go.sum and the
	// go.mod of each module replaced by a directory (source in the
	// context, target relative to WorkDir).
	ModBinds []Bind `yaml:"mod_binds,omitempty"`
	Vendor   bool   `yaml:"vendor"`
	// Private is GOPRIVATE for the module download (with a netrc secret mount).
	Private string `yaml:"private,omitempty"`
	// Generate: the build runs `go generate ./...` first, the code using
	// names only generated code declares (//go:generate directives that
	// need nothing but the go command).
	Generate bool `yaml:"generate,omitempty"`
	// NoWork builds without the repository's go.work (GOWORK=off); Work
	// is the go.work the build uses instead, when the module needs its
	// workspace (its path in the image).
	NoWork bool   `yaml:"no_work,omitempty"`
	Work   string `yaml:"work,omitempty"`
	// Download: a `go mod download` layer of its own (not when vendored,
	// nor in a workspace, where go mod download cannot resolve the
	// workspace's unpublished modules: the build's cache mount serves).
	Download bool `yaml:"download"`
	// Passwd: write an /etc/passwd for a base that lacks one.
	Passwd bool `yaml:"passwd,omitempty"`
	// EmptyDir: make /out/empty, copied (owned by User) to create the
	// writable directories of the runtime stages.
	EmptyDir bool `yaml:"empty_dir,omitempty"`
}

// Binary is one selected main package and everything decided for it.
type Binary struct {
	// Name is the one name used everywhere: Dockerfile stage, compose
	// service, `--port NAME=`, `--target NAME`, verify, the output /out/NAME.
	Name string `yaml:"name"`
	Main string `yaml:"main"` // "./cmd/api"
	// BuildStage builds it: the shared build stage, or its own (derived
	// from the shared one) when there are several binaries, so that
	// `--target api` compiles api only.
	BuildStage    string `yaml:"build_stage"`
	OwnBuildStage bool   `yaml:"own_build_stage,omitempty"`

	// Cgo: built with CGO_ENABLED=1. CgoLink is "glibc" (dynamic, needs a
	// glibc runtime) or "static" (-linkmode external -extldflags -static).
	Cgo       bool   `yaml:"cgo"`
	CgoLink   string `yaml:"cgo_link,omitempty"`
	CgoReason string `yaml:"cgo_reason,omitempty"`
	// Tags are build tags (netgo,osusergo for a static cgo link).
	Tags    []string `yaml:"tags,omitempty"`
	Ldflags string   `yaml:"ldflags"`
	// VersionArg: ldflags stamp ${VERSION}, so the stage declares ARG VERSION.
	VersionArg bool `yaml:"version_arg,omitempty"`

	// Base is the binary's runtime base when it differs from the plan's
	// (a binary that runs programs needs one with apt); BaseWhy says why.
	Base    Base   `yaml:"base,omitempty"`
	BaseWhy string `yaml:"base_why,omitempty"`
	// Packages are Debian packages installed in the runtime stage for the
	// programs the code runs (git, ffmpeg, …).
	Packages []string `yaml:"packages,omitempty"`
	// Runtime is the final stage's image; Copies what is copied into it
	// from the build stage to meet runtime needs (CA roots, zoneinfo).
	Runtime string   `yaml:"runtime"`
	Copies  []string `yaml:"copies,omitempty"`
	Passwd  bool     `yaml:"passwd,omitempty"`
	Needs   []string `yaml:"needs,omitempty"`

	// WorkDir is the runtime WORKDIR when relative paths must resolve to a
	// known place ("" keeps the base's).
	WorkDir string `yaml:"workdir,omitempty"`
	// Volumes are the directories the program writes: created owned by
	// User, declared VOLUME, mounted as named volumes in compose.
	Volumes []Volume `yaml:"volumes,omitempty"`

	// Files are the files and directories the program reads at run time,
	// copied from the build context to where it looks for them.
	Files []RuntimeFile `yaml:"files,omitempty"`
	// Mounts are files the user supplies (a missing config, a secret):
	// compose mounts them read-only; the image does not carry them.
	Mounts []Mount `yaml:"mounts,omitempty"`

	// LongRunning binaries are services: EXPOSE, HEALTHCHECK, compose.
	LongRunning bool `yaml:"long_running"`
	// Port is the container port (0: serves nothing); PortSource where it
	// was found; PortGuessed when it was not found (a warning says so).
	Port        int    `yaml:"port,omitempty"`
	PortSource  string `yaml:"port_source,omitempty"`
	PortGuessed bool   `yaml:"port_guessed,omitempty"`
	// Env is set in the image (ENV): the port pin when the code reads its
	// port or address from the environment.
	Env []EnvVar `yaml:"env,omitempty"`
	// Args are the image's CMD (after ENTRYPOINT ["/app"]): the subcommand
	// that starts the server, and the flag that pins its address.
	Args []string `yaml:"args,omitempty"`
	// Probe is how the image's HEALTHCHECK probes the service; nil: no
	// HEALTHCHECK (a job, or a service with nothing to probe).
	Probe       *Probe       `yaml:"probe,omitempty"`
	Healthcheck *Healthcheck `yaml:"healthcheck,omitempty"`

	// Compose: the service's published host port (unique across
	// services), its environment, and what it waits for.
	HostPort   int      `yaml:"host_port,omitempty"`
	ComposeEnv []EnvVar `yaml:"compose_env,omitempty"`
	DependsOn  []string `yaml:"depends_on,omitempty"`
	// Jobs are its one-shot subcommands (a schema migration under
	// `migrate`): compose services behind the jobs profile that run the
	// same image with that subcommand instead of the server's CMD.
	Jobs []Job `yaml:"jobs,omitempty"`
	// ReleaseTarget is its bake target in the release group.
	ReleaseTarget string `yaml:"release_target"`
	// Description is the OCI image description label.
	Description string `yaml:"description"`
}

// Dockerfile is the Dockerfile's path inside the build context.
func (b Builder) Dockerfile() string { return b.ContextPath(DockerfileName) }

// ContextPath is a module-relative path as the build context names it.
func (b Builder) ContextPath(rel string) string { return path.Join(b.ModDir, rel) }

// Bind is a bind mount of a context path.
type Bind struct {
	Source string `yaml:"source"`
	Target string `yaml:"target"`
}

// RuntimeFile is a file (or directory, or glob) copied into the image.
type RuntimeFile struct {
	Src    string `yaml:"src"`  // in the build context
	Path   string `yaml:"path"` // in the image
	Dir    bool   `yaml:"dir,omitempty"`
	Source string `yaml:"source"`
}

// Mount is a host file compose mounts read-only.
type Mount struct {
	Host   string `yaml:"host"` // relative to the compose file
	Path   string `yaml:"path"` // in the container
	Source string `yaml:"source"`
}

// Volume is a writable directory of a binary.
type Volume struct {
	Path   string `yaml:"path"`   // absolute, in the image
	Name   string `yaml:"name"`   // compose's named volume
	Source string `yaml:"source"` // where the code writes there
}

// EnvVar is one NAME=VALUE for an image ENV or a compose environment.
type EnvVar struct {
	Name  string `yaml:"name"`
	Value string `yaml:"value"`
}

// Probe is the generated health probe of one binary.
type Probe struct {
	// HTTP probes with GET Path; otherwise a TCP connect.
	HTTP bool   `yaml:"http"`
	Path string `yaml:"path,omitempty"`
	// Serve: the probe file also registers Path on http.DefaultServeMux
	// (the service has no health route of its own).
	Serve bool `yaml:"serve,omitempty"`
	// PortEnv is the env var the service reads its port (or, AddrEnv, its
	// whole address) from; the probe follows it. Port is the default.
	PortEnv string `yaml:"port_env,omitempty"`
	AddrEnv bool   `yaml:"addr_env,omitempty"`
	Port    int    `yaml:"port"`
	// File is the probe's Go file: the one in the package (wherever the
	// user moved it), or where dockgen creates it. Once it exists it is the
	// user's: dockgen never rewrites it.
	File string `yaml:"file"`
}

// Healthcheck is an exec-form health check, as the image and compose run it.
type Healthcheck struct {
	Test        []string `yaml:"test"`
	Interval    string   `yaml:"interval"`
	Timeout     string   `yaml:"timeout"`
	StartPeriod string   `yaml:"start_period"`
	Retries     int      `yaml:"retries"`
}

// Command is the checked command: Test without its leading "CMD", as a
// Dockerfile HEALTHCHECK writes it.
func (h Healthcheck) Command() []string {
	if len(h.Test) > 0 && h.Test[0] == "CMD" {
		return h.Test[1:]
	}
	return h.Test
}

// Service is a backing service implied by a driver the code imports.
type Service struct {
	Name        string       `yaml:"name"`
	Kind        string       `yaml:"kind"` // "postgres", "redis", …
	Image       string       `yaml:"image"`
	Env         []EnvVar     `yaml:"env,omitempty"`
	Healthcheck *Healthcheck `yaml:"healthcheck"`
	Volume      string       `yaml:"volume,omitempty"` // named volume
	DataPath    string       `yaml:"data_path,omitempty"`
	Source      string       `yaml:"source"` // where the driver is imported
	// Port is where it serves inside the compose network (Name:Port);
	// it is never published on the host.
	Port int `yaml:"port"`
	// Secret is the variable the user must set (environment or .env)
	// before compose starts it, "" when none: its password, shared with
	// every app variable wired to it.
	Secret string `yaml:"secret,omitempty"`
	// WiredEnv are the app variables pointed at it (DATABASE_URL, …), in
	// the order first wired.
	WiredEnv []string `yaml:"wired_env,omitempty"`
}

// Logging is compose's logging block.
type Logging struct {
	Driver  string `yaml:"driver"`
	MaxSize string `yaml:"max_size"`
	MaxFile int    `yaml:"max_file"`
}

// IgnoreGroup is a commented block of .dockerignore patterns.
type IgnoreGroup struct {
	Comment  string   `yaml:"comment"`
	Patterns []string `yaml:"patterns"`
}

// Note is one explanation, with the source of the fact behind it.
type Note struct {
	Code   string `yaml:"code,omitempty"`
	Text   string `yaml:"text"`
	Source string `yaml:"source,omitempty"`
}

// String is the note as printed and written into comments.
func (n Note) String() string {
	if n.Source == "" {
		return n.Text
	}
	return fmt.Sprintf("%s (%s)", n.Text, n.Source)
}

// Job is a one-shot subcommand of a service binary.
type Job struct {
	Name   string   `yaml:"name"` // the compose service
	Args   []string `yaml:"args"` // replaces the image's CMD
	Does   string   `yaml:"does"` // "migrate"
	Source string   `yaml:"source"`
}

// ComposeApp is one compose service that runs a binary's image: the
// binary itself, or one of its jobs.
type ComposeApp struct {
	Binary
	Service string   // the compose service's name
	Command []string // replaces the image's CMD (a job's subcommand)
	Job     bool     // behind the "jobs" profile, run to completion
	// NoHealthcheck turns off the image's HEALTHCHECK: a job of a
	// service's image serves nothing to probe.
	NoHealthcheck bool
}

// ComposeBinaries are the apps in compose: the long-running binaries, and
// the jobs (a migration binary, a CLI, a service's one-shot subcommand)
// behind the "jobs" profile, run with `docker compose run --rm NAME`,
// never restarted in a loop.
func (p *Plan) ComposeBinaries() []ComposeApp {
	if len(p.ServiceBinaries()) == 0 {
		return nil
	}
	var out []ComposeApp
	for _, b := range p.Binaries {
		out = append(out, ComposeApp{Binary: b, Service: b.Name, Job: !b.LongRunning})
		for _, j := range b.Jobs {
			jb := b
			jb.Port, jb.Healthcheck = 0, nil
			out = append(out, ComposeApp{Binary: jb, Service: j.Name, Command: j.Args, Job: true, NoHealthcheck: b.Healthcheck != nil || b.Probe != nil})
		}
	}
	return out
}

// ServiceBinaries are the binaries compose runs: the long-running ones.
func (p *Plan) ServiceBinaries() []Binary {
	var out []Binary
	for _, b := range p.Binaries {
		if b.LongRunning {
			out = append(out, b)
		}
	}
	return out
}

// Volumes are the named volumes compose declares, sorted.
func (p *Plan) Volumes() []string {
	var out []string
	for _, s := range p.Services {
		if s.Volume != "" {
			out = append(out, s.Volume)
		}
	}
	for _, b := range p.ServiceBinaries() {
		for _, v := range b.Volumes {
			out = append(out, v.Name)
		}
	}
	slices.Sort(out)
	return out
}

// Binary returns the binary with a name, or nil.
func (p *Plan) Binary(name string) *Binary {
	for i := range p.Binaries {
		if p.Binaries[i].Name == name {
			return &p.Binaries[i]
		}
	}
	return nil
}

// BinaryFor returns the binary built from a main package dir, or nil.
func (p *Plan) BinaryFor(dir string) *Binary {
	for i := range p.Binaries {
		if p.Binaries[i].Main == dir {
			return &p.Binaries[i]
		}
	}
	return nil
}

// BinaryNames lists the binaries' names in stage order.
func (p *Plan) BinaryNames() []string {
	var out []string
	for _, b := range p.Binaries {
		out = append(out, b.Name)
	}
	return out
}

// HealthFile is the name dockgen gives a new probe file.
const HealthFile = "dockgen_health.go"

// The file names dockgen generates at the module root.
const (
	DockerfileName   = "Dockerfile"
	DockerignoreName = ".dockerignore"
	ComposeName      = "compose.yaml" // unless the repository has another
	BakeName         = "docker-bake.hcl"
	// DockerfileIgnoreName is the ignore file BuildKit reads for the
	// Dockerfile beside it, wherever the context is.
	DockerfileIgnoreName = "Dockerfile.dockerignore"
)

// ComposeNames are the names docker compose reads, in its order.
var ComposeNames = []string{"compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"}

// IsOutput reports whether a module-relative path is one dockgen could
// generate: a recorded path that is not is never read, written or removed.
func IsOutput(p string) bool {
	switch p {
	case DockerfileName, DockerignoreName, DockerfileIgnoreName, BakeName:
		return true
	}
	if slices.Contains(ComposeNames, p) {
		return true
	}
	return path.Base(p) == HealthFile
}

// sourceSuffix formats " (file:line)" for messages.
func sourceSuffix(src string) string {
	if src == "" {
		return ""
	}
	return fmt.Sprintf(" (%s)", src)
}

// localPkg makes a main's dir a package pattern go build reads as a
// directory, never as an import path ("cmd/x" would be one).
func localPkg(dir string) string {
	if dir == "." || strings.HasPrefix(dir, "./") {
		return dir
	}
	return "./" + dir
}

// VolumePaths are the binary's volume paths, for VOLUME.
func (b Binary) VolumePaths() []string {
	var out []string
	for _, v := range b.Volumes {
		out = append(out, v.Path)
	}
	return out
}

// Pkg is the go build package argument of the binary.
func (b Binary) Pkg() string { return localPkg(b.Main) }
