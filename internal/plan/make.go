package plan

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/dockgen/dockgen/internal/analysis"
	"github.com/dockgen/dockgen/internal/answers"
)

// plainPath is a path that needs no quoting anywhere in a Dockerfile.
var plainPath = regexp.MustCompile(`^[A-Za-z0-9._/-]+$`)

// Fixed decisions, each made here once.
const (
	// User is the numeric non-root user every image runs as (distroless's
	// nonroot): numeric, so it needs no /etc/passwd to take effect.
	User = "65532:65532"
	// defaultPort is assumed when the code's port cannot be followed; a
	// warning always says so.
	defaultPort = 8080
)

// healthTiming is the HEALTHCHECK every probe runs with.
var healthTiming = Healthcheck{Interval: "10s", Timeout: "3s", StartPeriod: "5s", Retries: 3}

// logging is the article's log rotation: 3 files of 10 MB per container.
var logging = Logging{Driver: "json-file", MaxSize: "10m", MaxFile: 3}

// Make decides the container setup for the facts and answers, and
// validates it. Errors about answers are *answers.Error (naming the
// field); errors about the module are *analysis.InputError.
func Make(f *analysis.Facts, a answers.Answers) (*Plan, error) {
	if err := a.Check(); err != nil {
		return nil, err
	}
	if err := checkLengths(f); err != nil {
		return nil, err
	}
	m := &maker{f: f, a: a.Clone(), p: &Plan{Module: f.Module, Project: projectName(f.Module), User: User, Logging: logging, ComposeFile: ComposeName}}
	if slices.Contains(ComposeNames, f.ComposeFile) {
		m.p.ComposeFile = f.ComposeFile
	}
	steps := []func() error{m.selectMains, m.resolveAnswers, m.builder, m.base, m.binaries, m.services, m.jobs, m.ignore, m.pin}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, err
		}
	}
	m.p.Answers = m.a
	return m.p, nil
}

// maker holds one Make call's state.
type maker struct {
	f     *analysis.Facts
	a     answers.Answers
	p     *Plan
	mains []analysis.Main // selected, in facts order
}

func (m *maker) note(src, format string, args ...any) {
	m.p.Notes = append(m.p.Notes, Note{Text: fmt.Sprintf(format, args...), Source: src})
}

func (m *maker) warn(code, src, format string, args ...any) {
	m.p.Warnings = append(m.p.Warnings, Note{Code: code, Text: fmt.Sprintf(format, args...), Source: src})
}

func (m *maker) base() error {
	name := m.a.Base
	m.p.BaseWhy = "the default"
	if name == "" {
		name = DefaultBase
	} else {
		m.p.BaseWhy = "your answer"
	}
	b, ok := BaseNamed(name)
	if !ok {
		return answers.Errorf("base", "unknown base %q: choose one of %s", name, strings.Join(BaseNames(), ", "))
	}
	m.p.Base = b
	if m.a.Debug {
		if b.DebugImage == "" {
			m.note("", "the %s base has no debug variant%s; --debug changes nothing", b.Name, map[bool]string{true: " (it has a shell already)"}[b.Shell])
		} else {
			m.p.Debug = true
		}
	}
	return nil
}

func (m *maker) binaries() error {
	p := m.p
	used := map[string]bool{}
	for _, c := range p.Candidates {
		used[c.Name] = true
	}
	p.Builder.Stage = freeName("build", used)
	for _, mn := range m.mains {
		b, err := m.binary(mn)
		if err != nil {
			return err
		}
		p.Binaries = append(p.Binaries, b)
	}
	for i := range p.Binaries {
		b := &p.Binaries[i]
		b.BuildStage = p.Builder.Stage
		if len(p.Binaries) > 1 {
			b.OwnBuildStage = true
			b.BuildStage = freeName(b.Name+"-build", used)
		}
		if b.Cgo {
			p.Builder.CrossCompile = false
		}
		p.Builder.Passwd = p.Builder.Passwd || b.Passwd
	}
	// The default target (docker build with no --target) is the last
	// stage: make it the first long-running binary.
	if i := slices.IndexFunc(p.Binaries, func(b Binary) bool { return b.LongRunning }); i >= 0 {
		b := p.Binaries[i]
		p.Binaries = append(slices.Delete(p.Binaries, i, i+1), b)
	}
	m.release(used)
	// Each service publishes its own host port.
	taken := map[int]string{}
	for i := range p.Binaries {
		b := &p.Binaries[i]
		if !b.LongRunning || b.Port == 0 {
			continue
		}
		b.HostPort = b.Port
		for taken[b.HostPort] != "" && b.HostPort < 65535 {
			b.HostPort++
		}
		if b.HostPort != b.Port {
			m.note("", "%s and %s both use port %d; compose publishes %s on host port %d", taken[b.Port], b.Name, b.Port, b.Name, b.HostPort)
		}
		taken[b.HostPort] = b.Name
	}
	return nil
}

// release decides docker-bake.hcl's groups: the services (every binary
// when none is long-running), each with a release target of its own.
func (m *maker) release(used map[string]bool) {
	r := &m.p.Release
	r.Platforms = slices.Clone(m.a.Platforms)
	if len(r.Platforms) == 0 {
		r.Platforms = slices.Clone(answers.Platforms)
	}
	anyLong := slices.ContainsFunc(m.p.Binaries, func(b Binary) bool { return b.LongRunning })
	for i := range m.p.Binaries {
		b := &m.p.Binaries[i]
		b.ReleaseTarget = freeName(b.Name+"-release", used)
		if b.LongRunning || !anyLong {
			r.Default = append(r.Default, b.Name)
			r.Targets = append(r.Targets, b.ReleaseTarget)
		}
	}
}

// freeName is name, or name with a number, not yet used; it marks it used.
func freeName(name string, used map[string]bool) string {
	n := name
	for i := 2; used[n]; i++ {
		n = name + "-" + strconv.Itoa(i)
	}
	used[n] = true
	return n
}

func (m *maker) binary(mn analysis.Main) (Binary, error) {
	p := m.p
	name := p.Candidates[slices.IndexFunc(p.Candidates, func(c Candidate) bool { return c.Dir == mn.Dir })].Name
	b := Binary{Name: name, Main: mn.Dir, LongRunning: mn.LongRunning, Ldflags: "-s -w", Needs: mn.Needs,
		Description: path.Join(m.f.Module, mn.Dir) + " built by dockgen"}
	if err := m.cgo(&b, mn); err != nil {
		return b, err
	}
	b.Base, b.BaseWhy = p.Base, p.BaseWhy
	m.tools(&b, mn)
	glibc := b.Cgo && b.CgoLink == answers.CgoGlibc
	b.Runtime = b.Base.image(glibc, p.Debug)
	if glibc && !b.Base.RunsGlibc() {
		return b, answers.Errorf("base", "%s needs cgo (%s) and so glibc, which the %s base lacks: use --base distroless or --base debian, or link it statically with --cgo %s=static",
			mn.Dir, mn.CgoReason, b.Base.Name, name)
	}
	if mn.VersionVar != "" && isIdent(mn.VersionVar) {
		b.Ldflags += " -X main." + mn.VersionVar + "=${VERSION}"
		b.VersionArg = true
	}
	if t := m.f.BuildTags; t != nil {
		b.Tags = slices.Clone(t.Tags)
	}
	if b.Cgo && b.CgoLink == answers.CgoStatic {
		b.Ldflags += " -linkmode=external -extldflags=-static"
		b.Tags = append(b.Tags, "netgo", "osusergo")
	}
	slices.Sort(b.Tags)
	b.Tags = slices.Compact(b.Tags)
	m.runtimeNeeds(&b, mn)
	m.volumes(&b, mn)
	m.runtimeFiles(&b, mn)
	m.port(&b, mn)
	return b, nil
}

// cgo decides CGO_ENABLED and the link mode from the facts and answers.
func (m *maker) cgo(b *Binary, mn analysis.Main) error {
	b.Cgo, b.CgoReason = mn.Cgo, mn.CgoReason
	if b.Cgo {
		b.CgoLink = answers.CgoGlibc
	}
	switch ans := m.a.Cgo[b.Name]; ans {
	case answers.CgoOff:
		if mn.Cgo {
			m.warn("cgo-off", mn.CgoSource, "%s is built without cgo as you answered, though %s: a cgo dependency built as a stub fails at run time", b.Name, mn.CgoReason)
		}
		b.Cgo, b.CgoLink, b.CgoReason = false, "", ""
		return nil
	case answers.CgoGlibc, answers.CgoStatic:
		if !b.Cgo {
			b.CgoReason = "your answer"
		}
		b.Cgo, b.CgoLink = true, ans
	default:
		if mn.CgoGuessed {
			m.warn("cgo-guessed", mn.CgoSource, "%s: %s; it is built with cgo to be safe — if it does not link it, answer --cgo %s=off for a static image", b.Name, mn.CgoReason, b.Name)
		}
	}
	if b.Cgo {
		how := "CGO_ENABLED=1, glibc runtime"
		if b.CgoLink == answers.CgoStatic {
			how = "CGO_ENABLED=1, linked statically"
		}
		m.note("", "%s is built with cgo (%s): %s", b.Name, how, b.CgoReason)
	}
	return nil
}

// runtimeNeeds meets what the binary needs at run time on the base:
// copies from the builder for what the base lacks.
func (m *maker) runtimeNeeds(b *Binary, mn analysis.Main) {
	base := b.Base
	// CA roots always, on a base without them: outbound TLS through
	// libraries is hard to see in the code, and they cost 200 kB.
	if !base.has(NeedCA) {
		b.Copies = append(b.Copies, needCopies[NeedCA])
	}
	if slices.Contains(mn.Needs, NeedTZ) && !base.has(NeedTZ) {
		b.Copies = append(b.Copies, needCopies[NeedTZ])
	}
	b.Passwd = slices.Contains(mn.Needs, NeedPasswd) && !base.has(NeedPasswd)
}

// pin adds the recorded digest to every image reference that has one, and
// says when a pin no longer matches any image the plan uses.
func (m *maker) pin() error {
	if len(m.a.Pins) == 0 {
		return nil
	}
	used := map[string]bool{}
	at := func(ref *string) {
		if d, ok := m.a.Pins[*ref]; ok {
			used[*ref] = true
			*ref += "@" + d
		}
	}
	at(&m.p.Builder.Image)
	for i := range m.p.Binaries {
		at(&m.p.Binaries[i].Runtime)
	}
	for i := range m.p.Services {
		at(&m.p.Services[i].Image)
	}
	for _, ref := range sortedKeys(m.a.Pins) {
		if !used[ref] {
			m.warn("pin-unused", "", "the pin for %s is no longer used (the plan now uses other images); run `dockgen pin` to pin them", ref)
		}
	}
	return nil
}

// Images are the image references the plan builds from and runs, without
// digests, sorted: what `dockgen pin` resolves.
func (p *Plan) Images() []string {
	var out []string
	add := func(ref string) {
		ref, _, _ = strings.Cut(ref, "@")
		if ref != "scratch" && !slices.Contains(out, ref) {
			out = append(out, ref)
		}
	}
	add(p.Builder.Image)
	for _, b := range p.Binaries {
		add(b.Runtime)
	}
	for _, s := range p.Services {
		add(s.Image)
	}
	slices.Sort(out)
	return out
}

// notShipped says why a main package is, by convention, an example, a test
// fixture or dev tooling rather than what a repository ships ("" when it
// ships). The others can still be picked with --main or in the wizard.
func notShipped(dir string) string {
	for _, el := range strings.Split(strings.TrimPrefix(dir, "./"), "/") {
		if slices.Contains(notShippedDirs, el) {
			return "under " + el + "/"
		}
	}
	return ""
}

var notShippedDirs = []string{"example", "examples", "_examples", "test", "tests", "testing", "testutil", "e2e", "hack", "tools", "scripts"}

func isIdent(s string) bool {
	for i, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return s != ""
}

func sortedKeys[V any](mp map[string]V) []string {
	out := make([]string, 0, len(mp))
	for k := range mp {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
