package plan

import (
	"errors"
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
	steps := []func() error{m.selectMains, m.resolveAnswers, m.builder, m.base, m.binaries, m.services, m.ignore, m.pin}
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

// selectMains names every main package and picks the selected ones.
func (m *maker) selectMains() error {
	names := binaryNames(m.f.Mains)
	for i, mn := range m.f.Mains {
		c := Candidate{Dir: mn.Dir, Name: names[i], Serves: mn.LongRunning}
		c.Why = notShipped(mn.Dir)
		c.Default = c.Why == ""
		m.p.Candidates = append(m.p.Candidates, c)
	}
	if !slices.ContainsFunc(m.p.Candidates, func(c Candidate) bool { return c.Default }) {
		for i := range m.p.Candidates { // only examples or tools: they are what there is
			m.p.Candidates[i].Default = true
		}
	}
	var dirs []string
	for _, v := range m.a.Mains {
		i := m.candidate(v)
		if i < 0 {
			return answers.Errorf("mains", "--main %s: no main package there (found: %s)", v, strings.Join(m.dirs(), ", "))
		}
		if !slices.Contains(dirs, m.p.Candidates[i].Dir) {
			dirs = append(dirs, m.p.Candidates[i].Dir)
		}
	}
	slices.Sort(dirs)
	m.a.Mains = dirs
	for i := range m.p.Candidates {
		c := &m.p.Candidates[i]
		c.Selected = c.Default
		if len(dirs) > 0 {
			c.Selected = slices.Contains(dirs, c.Dir)
		}
		if c.Selected {
			mn := m.f.Mains[i]
			if mn.Err != nil {
				return mainError(mn, len(m.f.Mains) > 1)
			}
			m.mains = append(m.mains, mn)
		}
	}
	return nil
}

// mainError is a broken selected main, with how to leave it out.
func mainError(mn analysis.Main, others bool) error {
	e := *mn.Err
	if others {
		e.Hint = strings.TrimSpace(e.Hint + fmt.Sprintf("; or build the other binaries without %s: --main DIR (repeatable)", mn.Dir))
	}
	return &e
}

func (m *maker) dirs() []string {
	var out []string
	for _, c := range m.p.Candidates {
		out = append(out, c.Dir)
	}
	return out
}

// candidate finds a main by dir ("./cmd/api", "cmd/api"), Docker name or
// go build name; -1 when none.
func (m *maker) candidate(v string) int {
	dir := answers.NormalizeMain(v)
	for i, c := range m.p.Candidates {
		if c.Dir == dir || c.Dir == "./"+strings.TrimPrefix(dir, "./") {
			return i
		}
	}
	for i, c := range m.p.Candidates {
		if c.Name == v || m.f.Mains[i].Name == v {
			return i
		}
	}
	return -1
}

// resolveAnswers turns the names in per-binary answers into Binary names
// ("my_worker", "./cmd/my_worker" → the binary's one name).
func (m *maker) resolveAnswers() error {
	resolve := func(field, key string) (string, error) {
		if key == "" {
			var serving []string
			for _, c := range m.p.Candidates {
				if c.Selected && c.Serves {
					serving = append(serving, c.Name)
				}
			}
			if len(serving) != 1 {
				return "", answers.Errorf(field, "%d binaries could take it (%s): say which with NAME=VALUE", len(serving), strings.Join(serving, ", "))
			}
			return serving[0], nil
		}
		i := m.candidate(key)
		if i < 0 {
			return "", answers.Errorf(field, "%q is not a selected binary (binaries: %s)", key, strings.Join(m.selectedNames(), ", "))
		}
		c := m.p.Candidates[i]
		if !c.Selected {
			// Kept for when it is selected again, and said.
			m.warn("answer-unused", "", "the %s answer for %s is kept, but %s is not selected", field, c.Name, c.Dir)
		}
		return c.Name, nil
	}
	if m.a.Ports != nil {
		ports := map[string]int{}
		// "" (a --port without NAME=) last: it is the command line's, so
		// it wins over a saved answer for the same binary.
		keys := sortedKeys(m.a.Ports)
		if len(keys) > 0 && keys[0] == "" {
			keys = append(keys[1:], "")
		}
		for _, k := range keys {
			name, err := resolve("ports."+k, k)
			if err != nil {
				return err
			}
			ports[name] = m.a.Ports[k]
		}
		m.a.Ports = ports
	}
	if m.a.Cgo != nil {
		cgo := map[string]string{}
		for _, k := range sortedKeys(m.a.Cgo) {
			name, err := resolve("cgo."+k, k)
			if err != nil {
				return err
			}
			cgo[name] = m.a.Cgo[k]
		}
		m.a.Cgo = cgo
	}
	for i, k := range m.a.NoProbe {
		name, err := resolve("no_probe", k)
		if err != nil {
			return err
		}
		m.a.NoProbe[i] = name
	}
	slices.Sort(m.a.NoProbe)
	m.a.NoProbe = slices.Compact(m.a.NoProbe)
	return nil
}

func (m *maker) selectedNames() []string {
	var out []string
	for _, c := range m.p.Candidates {
		if c.Selected {
			out = append(out, c.Name)
		}
	}
	return out
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

// builder picks golang:<major.minor>-bookworm from the newer of go.mod's go
// and toolchain lines, so the builder is never older than go.mod asks.
func (m *maker) builder() error {
	f := m.f
	bl := &m.p.Builder
	bl.CrossCompile, bl.GoSum, bl.Vendor = true, f.HasGoSum, f.Vendor
	bl.Private = strings.Join(m.a.Private, ",")
	bl.Context, bl.ModDir, bl.WorkDir, bl.SourceMount = ".", "", "/src", "."
	if f.Context != "" && plainPath.MatchString(f.Context) && plainPath.MatchString(f.ModuleDir) {
		bl.Context, bl.ModDir, bl.WorkDir, bl.SourceMount = f.Context, f.ModuleDir, path.Join("/src", f.ModuleDir), "/src"
		m.note("go.mod", "the build context is %s (a replaced module sits beside this one in the repository): build with `docker build -f %s %s`", bl.Context, path.Join(bl.ModDir, DockerfileName), bl.Context)
	}
	bind := func(rel string) { // rel: relative to the module root
		bl.ModBinds = append(bl.ModBinds, Bind{Source: path.Join(bl.ModDir, rel), Target: rel})
	}
	bind("go.mod")
	if f.HasGoSum {
		bind("go.sum")
	}
	for _, d := range f.ReplaceDirs {
		mod := path.Join(strings.TrimPrefix(d, "./"), "go.mod")
		switch {
		case d == ".":
		case plainPath.MatchString(mod):
			bind(mod)
		default:
			// A bind mount's source is a CSV field: keep to names that
			// need no quoting rather than risk a broken or injected flag.
			m.warn("replace-path", "go.mod", "the replaced module in %q has a name the Dockerfile cannot bind safely: rename the directory, or vendor the dependencies", d)
		}
	}
	bl.Download = !f.Vendor
	if w := f.Work; w != nil && bl.ModDir != "" || f.Work != nil && f.Context == "" {
		bl.Work = path.Join(bl.WorkDir, f.Work.File)
		bl.Download = false
		var needs []string
		for _, n := range f.Work.Needs {
			needs = append(needs, n.Name)
		}
		m.note(f.Work.Needs[0].Source, "builds in the workspace %s: it requires %s from it", f.Work.File, strings.Join(needs, ", "))
	} else if f.Workspace != "" {
		// The Go docs advise against committing go.work, and its other
		// members are usually outside the build context anyway.
		bl.NoWork = true
		m.note("", "%s is ignored in the image (GOWORK=off): the module builds from its go.mod alone", f.Workspace)
	}
	if m.a.SyntaxLine {
		m.p.SyntaxLine = "docker/dockerfile:1"
	}
	if t := f.BuildTags; t != nil {
		m.note(t.Source, "built with -tags=%s, as the repository builds", strings.Join(t.Tags, ","))
	}
	m.p.Platforms = slices.Clone(m.a.Platforms)
	if m.a.Go != "" {
		bl.GoVersion, bl.GoWhy = m.a.Go, "your answer"
		bl.Image = "golang:" + m.a.Go + "-bookworm"
		return nil
	}
	gv, gerr := parseGoVersion(f.Go)
	tv, terr := parseGoVersion(strings.TrimPrefix(f.Toolchain, "go"))
	if f.Go != "" && gerr != nil {
		return goLineError(f.GoSource, fmt.Errorf("go line %q: %w", f.Go, gerr))
	}
	if f.Toolchain != "" && terr != nil {
		return goLineError(f.ToolchainSource, fmt.Errorf("toolchain line %q: %w", f.Toolchain, terr))
	}
	want, src, why := gv, f.GoSource, "go.mod's go line"
	if f.Toolchain != "" && (f.Go == "" || gv.less(tv)) {
		want, src, why = tv, f.ToolchainSource, "go.mod's toolchain line"
	}
	switch {
	case f.Go == "" && f.Toolchain == "":
		want, why = latestGo, "the newest Go dockgen knows (go.mod has no go line)"
		m.note("go.mod", "go.mod has no go line; the builder is Go %s", latestGo.mm())
	case want.less(oldestBookworm):
		m.note(src, "go.mod asks for go %s; the builder is Go %s, the oldest with a bookworm image (the go line still sets the language version)", want, oldestBookworm.mm())
		want, why = oldestBookworm, "the oldest Go with a bookworm image"
	case latestGo.less(want.release()) && want.pre == "":
		return goLineError(src, fmt.Errorf("go %s is newer than any Go release dockgen knows (latest %s)", want, latestGo.mm()))
	}
	bl.GoVersion, bl.GoWhy = want.tag(), why+sourceSuffix(src)
	bl.Image = "golang:" + bl.GoVersion + "-bookworm"
	return nil
}

func goLineError(src string, err error) error {
	file, line := splitSource(src)
	return &analysis.InputError{Op: "read", File: file, Line: line, Err: err,
		Hint: "fix the line in go.mod, or choose the builder's Go with --go MAJOR.MINOR"}
}

func splitSource(src string) (string, int) {
	file, l, ok := strings.Cut(src, ":")
	if !ok {
		if src == "" {
			return "go.mod", 0
		}
		return src, 0
	}
	n, _ := strconv.Atoi(l)
	return file, n
}

// goVersion is a Go release: 1.23, 1.23.4, 1.24rc2.
type goVersion struct {
	major, minor int
	pre          string // "rc2", "beta1"; "" for a release
}

// latestGo is the newest Go release this dockgen knows; oldestBookworm the
// oldest with a golang:<v>-bookworm image.
var (
	latestGo       = goVersion{major: 1, minor: 26}
	oldestBookworm = goVersion{major: 1, minor: 21}
)

var errGoVersion = errors.New("want a Go version such as 1.25, 1.25.3 or 1.26rc1")

func parseGoVersion(v string) (goVersion, error) {
	var g goVersion
	major, rest, ok := strings.Cut(v, ".")
	if !ok {
		return g, errGoVersion
	}
	minor := rest
	if i := strings.IndexByte(rest, '.'); i >= 0 {
		minor = rest[:i]
		if _, err := strconv.Atoi(rest[i+1:]); err != nil {
			return g, errGoVersion
		}
	}
	if i := strings.IndexFunc(minor, func(r rune) bool { return r < '0' || r > '9' }); i >= 0 {
		g.pre = minor[i:]
		minor = minor[:i]
		if !(strings.HasPrefix(g.pre, "rc") || strings.HasPrefix(g.pre, "beta")) {
			return g, errGoVersion
		}
		if _, err := strconv.Atoi(strings.TrimLeft(g.pre, "abcert")); err != nil {
			return g, errGoVersion
		}
	}
	var err1, err2 error
	g.major, err1 = strconv.Atoi(major)
	g.minor, err2 = strconv.Atoi(minor)
	if err1 != nil || err2 != nil || g.major < 1 || len(minor) > 3 || len(major) > 2 {
		return g, errGoVersion
	}
	return g, nil
}

func (g goVersion) less(h goVersion) bool {
	if g.major != h.major {
		return g.major < h.major
	}
	if g.minor != h.minor {
		return g.minor < h.minor
	}
	return g.pre != "" && h.pre == "" || g.pre != "" && h.pre != "" && g.pre < h.pre
}

func (g goVersion) release() goVersion { return goVersion{major: g.major, minor: g.minor} }
func (g goVersion) mm() string         { return fmt.Sprintf("%d.%d", g.major, g.minor) }
func (g goVersion) String() string     { return g.mm() + g.pre }

// tag is the golang image tag: the minor for a released Go (an rc of a
// released minor builds with the release), the exact pre-release tag for a
// Go that is not released yet.
func (g goVersion) tag() string {
	if g.pre != "" && latestGo.less(g.release()) {
		return g.String()
	}
	return g.mm()
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
