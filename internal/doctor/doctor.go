// Package doctor lints an existing container setup — Dockerfile,
// .dockerignore, compose file, hand-written or generated — against the
// failures dockgen exists to prevent (design §1, P1–P11).
//
// It sits beside the main flow (module on disk → facts → answers → plan →
// files): the caller turns its plan into an Expect (what the module needs)
// and doctor compares the files on disk with it. Without an Expect only the
// rules that need nothing but the files run. BuildKit's own build checks run
// too, through internal/lint, so one report holds everything `docker build
// --check` would say plus what only the module's facts can tell.
package doctor

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
)

// Expect is what the module needs, decided by dockgen's plan. It is a plain
// struct so this package never depends on analysis or plan.
type Expect struct {
	Module    string
	GoVersion string // the minimum Go the builder must have ("1.25"), from go.mod's go/toolchain
	GoSource  string // "go.mod:3"
	Binaries  []Binary
	Embeds    []string // //go:embed patterns, module-relative ("static", "web/*.html")
	Services  []string // backing services implied by drivers ("postgres", …)
}

// Binary is one main package the image runs.
type Binary struct {
	Name, Dir            string // "api", "./cmd/api"
	Port                 int    // 0: serves nothing
	PortSource           string
	Cgo                  bool
	CgoReason, CgoSource string
	Loopback             []string // file:line of loopback binds in the code
	RequiredEnv          []EnvRef // env the program fails without
	SecretEnv            []string // env names that hold secrets
	LongRunning          bool
}

// EnvRef is one environment variable with where the code reads it.
type EnvRef struct{ Name, Source string }

// Files names the files to check, relative to the directory. An empty name
// means the usual one, when it exists: "Dockerfile"; "<Dockerfile>.dockerignore"
// then ".dockerignore" (BuildKit's order); "compose.yaml", "compose.yml",
// "docker-compose.yaml", "docker-compose.yml". A name given explicitly
// must exist.
type Files struct {
	Dockerfile   string
	Dockerignore string
	Compose      string
}

// FilesFromArgs sorts the FILE arguments of `dockgen doctor [DIR] [FILE...]`
// by their names: *.dockerignore, compose files (compose*.y[a]ml,
// docker-compose*.y[a]ml), and anything else is a Dockerfile.
func FilesFromArgs(names []string) (Files, error) {
	var f Files
	for _, n := range names {
		base := filepath.Base(n)
		slot := &f.Dockerfile
		switch {
		case base == ".dockerignore" || filepath.Ext(base) == ".dockerignore":
			slot = &f.Dockerignore
		case (filepath.Ext(base) == ".yaml" || filepath.Ext(base) == ".yml"):
			slot = &f.Compose
		}
		if *slot != "" {
			return Files{}, fmt.Errorf("doctor: two files of one kind: %s and %s", *slot, n)
		}
		*slot = n
	}
	return f, nil
}

// Severity is how bad a finding is. Error means the setup fails to build or
// start (or leaks a secret); the CLI exits 1 when any error fired.
type Severity string

const (
	Error   Severity = "error"
	Warning Severity = "warning"
	Info    Severity = "info"
)

// Finding is one problem at one place. File is relative to the checked
// directory; Line and Col are 1-based.
type Finding struct {
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	File     string   `json:"file"`
	Line     int      `json:"line"`
	Col      int      `json:"col"`
	Message  string   `json:"message"`
	Fix      string   `json:"fix"`
}

// Report is the outcome of Check.
type Report struct {
	Dir      string    // as given to Check
	Files    Files     // the files actually read (empty: absent)
	Findings []Finding // sorted by file, line, col, rule
	exp      *Expect   // kept for Fix, which must not break what Check knows
}

// HasErrors reports whether any error-level finding fired: `dockgen doctor`
// then exits 1.
func (r Report) HasErrors() bool {
	return slices.ContainsFunc(r.Findings, func(f Finding) bool { return f.Severity == Error })
}

// Count returns how many findings have severity s.
func (r Report) Count(s Severity) int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity == s {
			n++
		}
	}
	return n
}

// ErrNoFiles is returned (wrapped) by Check when the directory holds none
// of the files it checks.
var ErrNoFiles = errors.New("no Dockerfile, .dockerignore or compose file")

// Check reads the files of the container setup in dir and reports every
// rule that fires. exp may be nil: then only the rules that need nothing but
// the files run. The error is for files that cannot be read; a file that
// does not parse is a finding (DG100, DG300).
func Check(dir string, files Files, exp *Expect) (Report, error) {
	rep := Report{Dir: dir, exp: exp}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return rep, fmt.Errorf("doctor: %s is not a directory", dir)
	}
	var err error
	if rep.Files, err = resolveFiles(dir, files); err != nil {
		return rep, err
	}
	if rep.Files == (Files{}) {
		return rep, fmt.Errorf("doctor: %w in %s: run `dockgen init` to write them, or name the files", ErrNoFiles, dir)
	}
	read := func(name string) ([]byte, error) {
		if name == "" {
			return nil, nil
		}
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("doctor: read %s: %w", name, err)
		}
		return b, nil
	}
	df, err := read(rep.Files.Dockerfile)
	if err != nil {
		return rep, err
	}
	ig, err := read(rep.Files.Dockerignore)
	if err != nil {
		return rep, err
	}
	cf, err := read(rep.Files.Compose)
	if err != nil {
		return rep, err
	}

	c := &checker{dir: dir, files: rep.Files, exp: exp, ignore: ig, hasIgnore: rep.Files.Dockerignore != ""}
	if rep.Files.Dockerfile != "" {
		c.dockerfile(df)
	}
	if rep.Files.Dockerfile != "" || rep.Files.Dockerignore != "" {
		c.dockerignore()
	}
	if rep.Files.Compose != "" {
		c.compose(cf)
	}
	c.code()
	rep.Findings = c.out
	sortFindings(rep.Findings)
	return rep, nil
}

func sortFindings(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Col, b.Col), cmp.Compare(a.Rule, b.Rule), cmp.Compare(a.Message, b.Message))
	})
}

// resolveFiles fills in the default names that exist and checks that the
// ones given do.
func resolveFiles(dir string, f Files) (Files, error) {
	exists := func(name string) (bool, error) {
		st, err := os.Stat(filepath.Join(dir, name))
		if errors.Is(err, fs.ErrNotExist) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("doctor: %w", err)
		}
		return !st.IsDir(), nil
	}
	pick := func(given string, defaults ...string) (string, error) {
		if given != "" {
			ok, err := exists(given)
			if err != nil {
				return "", err
			}
			if !ok {
				return "", fmt.Errorf("doctor: %s: no such file in %s", given, dir)
			}
			return given, nil
		}
		for _, d := range defaults {
			ok, err := exists(d)
			if err != nil || ok {
				return d, err
			}
		}
		return "", nil
	}
	var out Files
	var err error
	if out.Dockerfile, err = pick(f.Dockerfile, "Dockerfile"); err != nil {
		return out, err
	}
	ignores := []string{".dockerignore"}
	if out.Dockerfile != "" {
		ignores = []string{out.Dockerfile + ".dockerignore", ".dockerignore"}
	}
	if out.Dockerignore, err = pick(f.Dockerignore, ignores...); err != nil {
		return out, err
	}
	out.Compose, err = pick(f.Compose, "compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")
	return out, err
}

// checker collects findings for one Check.
type checker struct {
	dir       string
	files     Files
	exp       *Expect
	ignore    []byte // .dockerignore content
	hasIgnore bool
	df        *dockerfile // nil when there is none or it does not parse
	out       []Finding
}

// add records a finding of rule id; severity and fix come from the rule
// table unless fix is given.
func (c *checker) add(id, file string, line, col int, msg, fix string) {
	r, _ := RuleFor(id)
	if fix == "" {
		fix = r.Fix
	}
	c.out = append(c.out, Finding{Rule: id, Severity: r.Severity, File: file,
		Line: max(line, 1), Col: max(col, 1), Message: msg, Fix: fix})
}
