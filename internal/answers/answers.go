// Package answers is the second arrow of dockgen's flow: facts → answers.
//
// Answers are the choices a user makes, and only those: every field left
// empty means "what the plan decides from the facts". So `--yes` is the
// empty Answers, the wizard records a choice only where it departs from the
// plan's default (pressing Enter everywhere gives byte-identical files), and
// a later `dockgen regenerate` keeps following the code wherever the user
// did not choose. Flags and .dockgen.yaml fill the same struct; internal/plan
// validates it against the facts.
package answers

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Answers are the user's choices. The YAML form lives in .dockgen.yaml.
type Answers struct {
	// Mains are the selected main package dirs ("./cmd/api"), sorted;
	// empty: every main package the module ships.
	Mains []string `yaml:"mains,omitempty"`
	// Base is a runtime base's catalogue name ("distroless", "scratch", …).
	Base string `yaml:"base,omitempty"`
	// Debug picks the base's variant with a shell.
	Debug bool `yaml:"debug,omitempty"`
	// Ports sets the container port per binary name ("" while a flag
	// without NAME= is being resolved).
	Ports map[string]int `yaml:"ports,omitempty"`
	// Cgo overrides the cgo decision per binary name: CgoOff, CgoGlibc or
	// CgoStatic.
	Cgo map[string]string `yaml:"cgo,omitempty"`
	// NoProbe are binaries without dockgen's health probe: the user
	// deleted its file, so the image has no HEALTHCHECK to run it.
	NoProbe []string `yaml:"no_probe,omitempty"`
	// Platforms are the target platforms ("linux/amd64", "linux/arm64").
	Platforms []string `yaml:"platforms,omitempty"`
	// Go is the builder's Go version ("1.25"), instead of go.mod's.
	Go string `yaml:"go,omitempty"`
	// Private are GOPRIVATE patterns for modules the builder downloads
	// with credentials (a netrc BuildKit secret).
	Private []string `yaml:"private,omitempty"`
	// Pins are the digests base images are pinned to, by image reference
	// ("golang:1.25-bookworm": "sha256:…"): `dockgen pin` records them.
	Pins map[string]string `yaml:"pins,omitempty"`
	// SyntaxLine adds `# syntax=docker/dockerfile:1` (BuildKit then pulls a
	// frontend image, so it is off by default for offline builds).
	SyntaxLine bool `yaml:"syntax_line,omitempty"`
}

// Cgo answers.
const (
	CgoOff    = "off"    // CGO_ENABLED=0, whatever the analysis says
	CgoGlibc  = "glibc"  // cgo, dynamically linked: a glibc runtime
	CgoStatic = "static" // cgo, linked statically: any base
)

// CgoModes lists the cgo answers.
var CgoModes = []string{CgoOff, CgoGlibc, CgoStatic}

// Platforms dockgen offers.
var Platforms = []string{"linux/amd64", "linux/arm64"}

// Error is a bad answer: Field says which ("ports.api"), so the CLI can
// name the flag or the .dockgen.yaml line it came from.
type Error struct {
	Field string
	Err   error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// Errorf makes an *Error for field.
func Errorf(field, format string, args ...any) *Error {
	return &Error{Field: field, Err: fmt.Errorf(format, args...)}
}

var (
	goVersionRE = regexp.MustCompile(`^[1-9][0-9]*\.[0-9]+$`)
	digestRE    = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)
	// imageRE is an image reference as dockgen writes them (no digest).
	imageRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._/:-]*$`)
	// privateRE is a GOPRIVATE glob: module path characters and * only.
	privateRE = regexp.MustCompile(`^[A-Za-z0-9.\-_~/*]+$`)
)

// Check validates what can be checked without the facts: value syntax and
// ranges. It is run on flags before any analysis (usage errors) and on
// .dockgen.yaml when it is read.
func (a Answers) Check() error {
	for _, m := range a.Mains {
		if strings.TrimSpace(m) == "" {
			return Errorf("mains", "empty main package dir")
		}
	}
	for name, p := range a.Ports {
		if err := CheckPort(p); err != nil {
			return &Error{Field: "ports." + name, Err: fmt.Errorf("port for %s: %w", orAll(name), err)}
		}
	}
	for name, c := range a.Cgo {
		if !slices.Contains(CgoModes, c) {
			return Errorf("cgo."+name, "cgo for %s: %q is not one of %s", orAll(name), c, strings.Join(CgoModes, ", "))
		}
	}
	for _, p := range a.Platforms {
		if !slices.Contains(Platforms, p) {
			return Errorf("platforms", "platform %q: choose from %s", p, strings.Join(Platforms, ", "))
		}
	}
	if a.Go != "" && !goVersionRE.MatchString(a.Go) {
		return Errorf("go", "go version %q: want MAJOR.MINOR, e.g. 1.25", a.Go)
	}
	for ref, d := range a.Pins {
		if !imageRE.MatchString(ref) || !digestRE.MatchString(d) {
			return Errorf("pins."+ref, "pin %q: %q: want an image reference and sha256:<64 hex digits>", ref, d)
		}
	}
	for _, p := range a.Private {
		if !privateRE.MatchString(p) {
			return Errorf("private", "private module pattern %q: want a module path glob such as example.com/*", p)
		}
	}
	return nil
}

func orAll(name string) string {
	if name == "" {
		return "the service"
	}
	return name
}

// CheckPort says what is wrong with a container port.
func CheckPort(p int) error {
	if p < 1 || p > 65535 {
		return fmt.Errorf("%d is out of range 1-65535", p)
	}
	return nil
}

// ParsePort reads a port number.
func ParsePort(s string) (int, error) {
	p, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	return p, CheckPort(p)
}

// ParseNamed reads a NAME=VALUE flag value; NAME may be empty (VALUE
// alone) when named is false.
func ParseNamed(v string) (name, value string, named bool) {
	name, value, named = strings.Cut(v, "=")
	if !named {
		return "", name, false
	}
	return name, value, true
}

// NormalizeMain turns a user's --main value ("cmd/api", "./cmd/api/",
// "api") into the facts' Dir form when it names a dir; other values are
// returned as given for the plan to resolve by binary name.
func NormalizeMain(v string) string {
	clean := strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(v, "./"), "/"), "/")
	switch {
	case clean == "" || clean == ".":
		return "."
	case strings.Contains(clean, "/") || strings.HasPrefix(v, "./"):
		return "./" + clean
	}
	return v
}

// Clone returns a deep copy (the wizard edits a copy).
func (a Answers) Clone() Answers {
	c := a
	c.Mains = slices.Clone(a.Mains)
	c.Platforms = slices.Clone(a.Platforms)
	c.Private = slices.Clone(a.Private)
	c.NoProbe = slices.Clone(a.NoProbe)
	if a.Ports != nil {
		c.Ports = map[string]int{}
		for k, v := range a.Ports {
			c.Ports[k] = v
		}
	}
	if a.Pins != nil {
		c.Pins = map[string]string{}
		for k, v := range a.Pins {
			c.Pins[k] = v
		}
	}
	if a.Cgo != nil {
		c.Cgo = map[string]string{}
		for k, v := range a.Cgo {
			c.Cgo[k] = v
		}
	}
	return c
}

// SetPort records a port answer.
func (a *Answers) SetPort(name string, port int) {
	if a.Ports == nil {
		a.Ports = map[string]int{}
	}
	a.Ports[name] = port
}

// SetCgo records a cgo answer.
func (a *Answers) SetCgo(name, mode string) {
	if a.Cgo == nil {
		a.Cgo = map[string]string{}
	}
	a.Cgo[name] = mode
}
