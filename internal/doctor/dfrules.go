package doctor

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"

	"github.com/dockgen/dockgen/internal/lint"
)

// dockerfile runs BuildKit's build checks and the DG1xx rules.
func (c *checker) dockerfile(content []byte) {
	name := c.files.Dockerfile
	var ignore []byte
	if c.hasIgnore {
		ignore = c.ignore
		if ignore == nil {
			ignore = []byte{}
		}
	}
	ws, err := lint.Dockerfile(content, ignore)
	refused := false
	if err != nil {
		refused = true
		var be *lint.BuildError
		if errors.As(err, &be) {
			c.add("DG100", name, be.Line, 1, "BuildKit cannot build the Dockerfile: "+be.Message, "")
		} else {
			c.add("DG100", name, 1, 1, err.Error(), "")
		}
	}
	d, perr := parseDockerfile(name, content, modulePath(c.dir, c.exp))
	for _, w := range ws {
		col := w.Column + 1
		if w.Column == 0 && d != nil {
			_, col = d.loc(w.Line, w.Line, "", 0)
		}
		c.add(bkPrefix+w.RuleName, name, w.Line, col, w.Detail, "see "+w.URL)
	}
	if perr != nil {
		if !refused {
			line := 1
			var le *parser.LocationError
			if errors.As(perr, &le) && len(le.Locations) > 0 && len(le.Locations[0]) > 0 {
				line = le.Locations[0][0].Start.Line
			}
			c.add("DG100", name, line, 1, "BuildKit cannot parse the Dockerfile: "+perr.Error(), "")
		}
		return
	}
	c.df = d
	c.binaryNotBuilt(d)
	c.buildNotMain(d)
	c.cgo(d)
	c.crossArch(d)
	c.moduleLayer(d)
	c.images(d)
	c.secrets(d)
	for _, r := range d.runtime() {
		c.root(d, r)
		c.commands(d, r)
		c.health(d, r)
		c.expose(d, r)
	}
	c.dedupeBuildKit()
}

// dedupeBuildKit drops BuildKit findings a DG rule already reports on the
// same line, with more to say.
func (c *checker) dedupeBuildKit() {
	covers := map[string][]string{
		bkPrefix + "JSONArgsRecommended":   {"DG116", "DG117"},
		bkPrefix + "SecretsUsedInArgOrEnv": {"DG122", "DG123"},
	}
	type key struct {
		file string
		line int
		rule string
	}
	have := map[key]bool{}
	for _, f := range c.out {
		have[key{f.File, f.Line, f.Rule}] = true
	}
	c.out = slices.DeleteFunc(c.out, func(f Finding) bool {
		for _, id := range covers[f.Rule] {
			if have[key{f.File, f.Line, id}] {
				return true
			}
		}
		return false
	})
}

// runtime are the images the Dockerfile is for: the last stage (what a
// plain `docker build` makes) and every other stage nothing builds on or
// copies from that has an ENTRYPOINT or CMD (a --target, one per binary in
// a multi-binary file). A dead builder stage is neither.
func (d *dockerfile) runtime() []*stage {
	var out []*stage
	for i, s := range d.stages {
		ep, cmd := effective(s)
		if i == len(d.stages)-1 || (!s.referenced && (ep != nil || cmd != nil)) {
			out = append(out, s)
		}
	}
	return out
}

// under reports whether p is dir or inside it.
func under(p, dir string) bool {
	dir = strings.TrimSuffix(dir, "/")
	return p == dir || dir == "" || strings.HasPrefix(p, dir+"/")
}

// chainBuilds are the builds performed in s or the stages it builds on.
func (d *dockerfile) chainBuilds(s *stage) []*goBuild {
	chain := s.chain()
	var out []*goBuild
	for _, b := range d.builds {
		if slices.Contains(chain, b.stage) {
			out = append(out, b)
		}
	}
	return out
}

// copiesFrom yields every COPY --from in s's chain that names a stage.
func (d *dockerfile) copiesFrom(s *stage, fn func(x *stage, c *instructions.CopyCommand, src *stage)) {
	for _, x := range s.chain() {
		for _, cmd := range x.st.Commands {
			if cp, ok := cmd.(*instructions.CopyCommand); ok && cp.From != "" {
				if src := d.stageRef(cp.From, x.idx); src != nil {
					fn(x, cp, src)
				}
			}
		}
	}
}

// stageBuilds are the builds whose output ends up in runtime stage r:
// copied in with COPY --from, or built in r's own chain.
//
// When no copied path matches an output (the COPY is wrong, or the output
// unknown), every build of the stages copied from counts: the stage is
// still meant to run what they build.
func (d *dockerfile) stageBuilds(r *stage) []*goBuild {
	out := d.chainBuilds(r)
	var loose []*goBuild
	d.copiesFrom(r, func(_ *stage, cp *instructions.CopyCommand, src *stage) {
		for _, b := range d.chainBuilds(src) {
			for _, s := range cp.SourcePaths {
				abs := path.Clean("/" + s)
				if slices.ContainsFunc(b.outputs, func(o string) bool { return under(o, abs) || under(abs, o) }) && !slices.Contains(out, b) {
					out = append(out, b)
				}
			}
			if !slices.Contains(loose, b) {
				loose = append(loose, b)
			}
		}
	})
	if len(out) == 0 {
		return loose
	}
	return out
}

// binaryOf is the module binary a build produces, nil when unknown.
func (c *checker) binaryOf(b *goBuild) *Binary {
	if c.exp == nil {
		return nil
	}
	for _, p := range b.pkgs {
		for i := range c.exp.Binaries {
			if p != "" && normDir(c.exp.Binaries[i].Dir) == p {
				return &c.exp.Binaries[i]
			}
		}
	}
	return nil
}

func normDir(dir string) string {
	return strings.TrimPrefix(path.Clean(filepath.ToSlash(dir)), "./")
}

// stageBinaries are the module binaries runtime stage r runs. When nothing
// links them and the module has one binary and the file one runtime stage,
// that binary is the stage's.
func (c *checker) stageBinaries(d *dockerfile, r *stage) []*Binary {
	if c.exp == nil {
		return nil
	}
	var out []*Binary
	for _, b := range d.stageBuilds(r) {
		if bin := c.binaryOf(b); bin != nil && !slices.Contains(out, bin) {
			out = append(out, bin)
		}
	}
	if len(out) == 0 && len(c.exp.Binaries) == 1 && len(d.runtime()) == 1 {
		linked := false
		for _, b := range d.builds {
			linked = linked || c.binaryOf(b) != nil
		}
		if !linked {
			out = append(out, &c.exp.Binaries[0])
		}
	}
	return out
}

// binaryNotBuilt: DG101.
func (c *checker) binaryNotBuilt(d *dockerfile) {
	for _, x := range d.stages {
		d.copiesFrom(x, func(at *stage, cp *instructions.CopyCommand, src *stage) {
			if at != x {
				return // reported for the stage holding the COPY
			}
			bs := d.chainBuilds(src)
			if len(bs) == 0 || slices.ContainsFunc(bs, func(b *goBuild) bool { return !b.known }) {
				return
			}
			var outs, names []string
			for _, b := range bs {
				outs = append(outs, b.outputs...)
				for _, o := range b.outputs {
					names = append(names, path.Base(o))
				}
			}
			if c.exp != nil {
				for _, bin := range c.exp.Binaries {
					names = append(names, bin.Name)
				}
			}
			line, end := cmdLines(cp)
			for _, s := range cp.SourcePaths {
				if strings.ContainsAny(s, "*?[$") {
					continue
				}
				abs := path.Clean("/" + s)
				if slices.ContainsFunc(outs, func(o string) bool { return under(o, abs) || under(abs, o) }) {
					continue
				}
				looksBuilt := slices.Contains(names, path.Base(abs)) ||
					slices.ContainsFunc(outs, func(o string) bool { return path.Dir(o) == path.Dir(abs) }) ||
					slices.ContainsFunc(bs, func(b *goBuild) bool { return b.cwd != "" && b.cwd != "/" && under(abs, b.cwd) })
				if !looksBuilt || c.madeOtherwise(d, src, abs) {
					continue
				}
				wrote, fix := "nothing", fmt.Sprintf("build with -o %s", abs)
				if len(outs) > 0 {
					wrote = strings.Join(outs, ", ")
					fix = fmt.Sprintf("copy %s, or build with -o %s", wrote, abs)
				}
				l, col := d.loc(line, end, s, 0)
				c.add("DG101", d.name, l, col,
					fmt.Sprintf("COPY --from=%s %s: the build never writes it (go build at line %d writes %s)", cp.From, s, bs[0].line, wrote), fix)
			}
		})
	}
}

// madeOtherwise reports whether something other than go build may have put
// abs into stage s: a COPY from the build context, or a RUN naming it.
func (c *checker) madeOtherwise(d *dockerfile, s *stage, abs string) bool {
	for _, cp := range s.after.copies {
		if cp.dest == "" {
			return true
		}
		dest := strings.TrimSuffix(cp.dest, "/")
		for _, src := range cp.srcs {
			src = path.Clean(src)
			switch {
			case abs == dest:
				return true
			case !under(abs, dest):
			case src == "." || src == "/":
				rel := strings.TrimPrefix(abs, dest+"/")
				if _, err := os.Stat(filepath.Join(c.dir, filepath.FromSlash(rel))); err == nil {
					return true
				}
			case strings.Contains(src, "$"):
				return true
			default:
				if ok, _ := path.Match(path.Base(src), path.Base(abs)); ok {
					return true
				}
			}
		}
	}
	base := path.Base(abs)
	for _, x := range s.chain() {
		for _, cmd := range x.st.Commands {
			run, ok := cmd.(*instructions.RunCommand)
			if !ok {
				continue
			}
			for _, words := range simpleCommands(strings.Join(run.CmdLine, "\n")) {
				words = stripAssignments(words)
				if len(words) == 0 {
					continue
				}
				if p := path.Base(words[0]); p == "go" || p == "cd" {
					continue
				}
				for _, w := range words[1:] {
					if w == abs || w == base || strings.HasSuffix(w, "/"+base) {
						return true
					}
				}
			}
		}
	}
	return false
}

// buildNotMain: DG102.
func (c *checker) buildNotMain(d *dockerfile) {
	if c.exp == nil || len(c.exp.Binaries) == 0 {
		return
	}
	var mains []string
	for _, b := range c.exp.Binaries {
		mains = append(mains, "./"+strings.TrimPrefix(normDir(b.Dir), "./"))
	}
	for _, b := range d.builds {
		for i, p := range b.pkgs {
			if p == "" {
				continue
			}
			matches := slices.ContainsFunc(c.exp.Binaries, func(bin Binary) bool {
				dir := normDir(bin.Dir)
				if pre, ok := strings.CutSuffix(p, "..."); ok {
					return pre == "" || under(dir, strings.TrimSuffix(pre, "/"))
				}
				return dir == p
			})
			if matches {
				continue
			}
			arg := "."
			if i < len(b.rawPkgs) {
				arg = b.rawPkgs[i]
			}
			c.add("DG102", d.name, b.line, b.col,
				fmt.Sprintf("go %s %s builds %s, which is not a main package: it writes no binary (the main packages are %s)",
					map[bool]string{true: "install", false: "build"}[b.install], arg, "./"+strings.TrimPrefix(p, "./"), strings.Join(mains, ", ")),
				fmt.Sprintf("build a main package: go build -o /out/%s %s", c.exp.Binaries[0].Name, mains[0]))
		}
	}
}

var staticLinkRe = regexp.MustCompile(`extldflags[ =]*['"]?[^'"]*-static`)

// cgo: DG103, DG104, DG105.
func (c *checker) cgo(d *dockerfile) {
	for _, b := range d.builds {
		bin := c.binaryOf(b)
		if bin == nil || !bin.Cgo {
			continue
		}
		v := b.get("CGO_ENABLED")
		why := cgoWhy(bin)
		switch {
		case v.set && !v.unknown && v.value == "0":
			line, col := v.line, v.col
			if line == 0 {
				line, col = b.line, b.col
			}
			c.add("DG103", d.name, line, col,
				fmt.Sprintf("%s needs cgo (%s) but is built with CGO_ENABLED=0: the cgo code compiles as a stub that fails at run time", bin.Name, why), "")
		case !v.set && b.stage.traits.libc == libcMusl && b.stage.traits.golang && !b.hasInstalled("gcc", "build-base"):
			c.add("DG103", d.name, b.line, b.col,
				fmt.Sprintf("%s needs cgo (%s) but %s has no C compiler, so cgo is off: the cgo code compiles as a stub", bin.Name, why, b.stage.image.raw),
				"build in golang:<version>-bookworm with CGO_ENABLED=1")
		}
	}
	for _, r := range d.runtime() {
		rt := r.traits
		if rt.libc == libcGlibc || rt.libc == libcUnknown {
			continue
		}
		for _, b := range d.stageBuilds(r) {
			bt := b.stage.traits
			if b.stage == r || (rt.libc == libcMusl && bt.libc == libcMusl) || staticLinkRe.MatchString(b.ldflags) {
				continue
			}
			lacks := "has no C library"
			if rt.libc == libcMusl {
				lacks = "has musl, not glibc"
			}
			v := b.get("CGO_ENABLED")
			bin := c.binaryOf(b)
			switch {
			case bin != nil && bin.Cgo && !(v.set && v.value == "0"): // CGO_ENABLED=0 is DG103's
				c.add("DG104", d.name, r.line, r.col,
					fmt.Sprintf("%s needs cgo (%s) and links libc dynamically, but runs on %s, which %s: it fails to start", bin.Name, cgoWhy(bin), r.image.raw, lacks), "")
			case v.set && !v.unknown && v.value == "1":
				c.add("DG104", d.name, r.line, r.col,
					fmt.Sprintf("the binary is built with CGO_ENABLED=1 (line %d) and links libc dynamically, but runs on %s, which %s", v.line, r.image.raw, lacks),
					"run it on a glibc image, or build with CGO_ENABLED=0 when it needs no cgo")
			case !v.set && bt.golang && bt.libc == libcGlibc:
				c.add("DG105", d.name, b.line, b.col,
					fmt.Sprintf("go build in %s runs with cgo on (CGO_ENABLED unset): a binary importing net or os/user links glibc dynamically, and %s %s", b.stage.image.raw, r.image.raw, lacks), "")
			}
		}
	}
}

func cgoWhy(bin *Binary) string {
	why := cmpOr(bin.CgoReason, "cgo code")
	if bin.CgoSource != "" && !strings.Contains(why, bin.CgoSource) {
		why += " at " + bin.CgoSource
	}
	return why
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// hasInstalled reports whether a RUN of the build's stage chain installed
// one of the packages.
func (b *goBuild) hasInstalled(pkgs ...string) bool {
	for _, text := range b.stage.before[b.cmdIdx].installs {
		for _, p := range pkgs {
			if slices.Contains(strings.Fields(text), p) {
				return true
			}
		}
	}
	return false
}

// crossArch: DG106.
func (c *checker) crossArch(d *dockerfile) {
	done := map[*goBuild]bool{}
	for _, r := range d.runtime() {
		for _, b := range d.stageBuilds(r) {
			if done[b] || b.stage == r || !slices.ContainsFunc(b.stage.chain(), func(s *stage) bool { return s.buildPlat }) {
				continue
			}
			done[b] = true
			v := b.get("GOARCH")
			args := b.stage.before[b.cmdIdx].args
			switch {
			case !v.set:
				c.add("DG106", d.name, b.line, b.col,
					"the builder runs on $BUILDPLATFORM but go build sets no GOARCH: an image for another platform gets a binary for the build machine (exec format error)", "")
			case strings.Contains(v.value, "TARGETARCH") && !args["TARGETARCH"]:
				c.add("DG106", d.name, v.line, v.col,
					"GOARCH=$TARGETARCH, but this stage declares no ARG TARGETARCH: it is empty and the binary is for the build machine (exec format error elsewhere)", "")
			case !v.unknown && !strings.Contains(v.value, "$"):
				c.add("DG106", d.name, v.line, v.col,
					fmt.Sprintf("GOARCH=%s is fixed while the builder runs on $BUILDPLATFORM: images for other platforms get a %s binary (exec format error)", v.value, v.value), "")
			}
		}
	}
}

// moduleLayer: DG115.
func (c *checker) moduleLayer(d *dockerfile) {
	if _, err := os.Stat(filepath.Join(c.dir, "vendor", "modules.txt")); err == nil {
		return // vendored: nothing to download
	}
	seen := map[int]bool{}
	for _, b := range d.builds {
		if b.vendor || b.modCache {
			continue
		}
		st := b.stage.before[b.cmdIdx]
		var whole *ctxCopy
		for i, cp := range st.copies {
			if slices.ContainsFunc(cp.srcs, func(s string) bool { s = path.Clean(s); return s == "." || s == "/" }) {
				whole = &st.copies[i]
				break
			}
		}
		switch {
		case whole != nil && (!st.modDL || st.modLayer > whole.line):
			if !seen[whole.line] {
				seen[whole.line] = true
				what := strings.Join(strings.Fields(d.lines[whole.line-1]), " ")
				c.add("DG115", d.name, whole.line, whole.col,
					fmt.Sprintf("`%s` copies the whole context before go mod download: any source change re-downloads every module", what), "")
			}
		case whole == nil && !st.modDL && !seen[b.line]:
			seen[b.line] = true
			c.add("DG115", d.name, b.line, b.col,
				"go build downloads modules in the same layer as it compiles, with no module cache mount: every build re-downloads them", "")
		}
	}
}

// images: DG120, DG121, DG125.
func (c *checker) images(d *dockerfile) {
	for _, s := range d.stages {
		if s.parent != nil || s.image.scratch() || strings.Contains(s.image.raw, "$") {
			continue
		}
		ref := s.image
		switch {
		case ref.digest == "" && (ref.tag == "" || ref.tag == "latest"):
			c.add("DG120", d.name, s.line, s.col,
				fmt.Sprintf("FROM %s: %s moves to whatever was pushed last, so the same Dockerfile builds differently tomorrow", ref.raw,
					map[bool]string{true: "an untagged image means :latest, which", false: ":latest"}[ref.tag == ""]), "")
		case ref.digest == "" && s.traits.golang && golangVersion(ref.tag) == "" && !strings.ContainsAny(ref.tag, "0123456789"):
			c.add("DG120", d.name, s.line, s.col,
				fmt.Sprintf("FROM %s: a golang tag without a version follows the newest Go release", ref.raw),
				"name the Go version: golang:1.25-"+ref.tag)
		case ref.digest == "":
			c.add("DG121", d.name, s.line, s.col, fmt.Sprintf("FROM %s is not pinned by digest", ref.raw), "")
		}
		if c.exp != nil && c.exp.GoVersion != "" && s.traits.golang {
			if v := golangVersion(ref.tag); v != "" && olderGo(v, c.exp.GoVersion) {
				src := ""
				if c.exp.GoSource != "" {
					src = " (" + c.exp.GoSource + ")"
				}
				need := strings.TrimPrefix(c.exp.GoVersion, "go")
				c.add("DG125", d.name, s.line, s.col,
					fmt.Sprintf("%s has Go %s, but go.mod%s requires Go %s: the build stops with \"go.mod requires go >= %s\"", ref.raw, v, src, need, need),
					fmt.Sprintf("use golang:%s%s or newer", langOf(c.exp.GoVersion), tagSuffix(ref.tag)))
			}
		}
	}
}

func langOf(v string) string {
	v = strings.TrimPrefix(v, "go")
	parts := strings.SplitN(v, ".", 3)
	if len(parts) >= 2 {
		return parts[0] + "." + parts[1]
	}
	return v
}

func tagSuffix(tag string) string {
	if _, suf, ok := strings.Cut(tag, "-"); ok {
		return "-" + suf
	}
	return ""
}

// secretWords mark an env or arg name as holding a secret.
var secretWords = []string{"TOKEN", "PASSWORD", "PASSWD", "SECRET", "APIKEY", "CREDENTIALS", "CREDENTIAL", "PRIVATEKEY"}

// notSecretLast are last words that make a name about a secret, not one.
var notSecretLast = map[string]bool{"FILE": true, "PATH": true, "DIR": true, "TTL": true, "TIMEOUT": true,
	"EXPIRY": true, "LENGTH": true, "LEN": true, "HEADER": true, "ENABLED": true, "URL": false, "NAME": true, "ID": true}

// isSecretName: *_TOKEN, *_PASSWORD, *_SECRET, API_KEY, PRIVATE_KEY, … and
// the module's own secret env.
func (c *checker) isSecretName(name string) bool {
	if c.exp != nil {
		for _, b := range c.exp.Binaries {
			if slices.Contains(b.SecretEnv, name) {
				return true
			}
		}
	}
	words := strings.FieldsFunc(strings.ToUpper(name), func(r rune) bool { return r == '_' || r == '-' || r == '.' })
	if len(words) == 0 || (len(words) > 1 && notSecretLast[words[len(words)-1]]) {
		return false
	}
	joined := strings.Join(words, "")
	for _, w := range secretWords {
		if strings.Contains(joined, w) {
			return true
		}
	}
	for i, w := range words {
		if w == "KEY" && i > 0 && slices.Contains([]string{"API", "PRIVATE", "ACCESS", "SECRET", "SIGNING", "ENCRYPTION", "MASTER", "LICENSE"}, words[i-1]) {
			return true
		}
		if w == "PASS" || w == "PWD" && len(words) > 1 {
			return true
		}
	}
	return false
}

// secrets: DG122, DG123.
func (c *checker) secrets(d *dockerfile) {
	check := func(kind, key string, value *string, line, end int) {
		if !c.isSecretName(key) {
			return
		}
		l, col := d.loc(line, end, key, 0)
		if value != nil && *value != "" && !strings.Contains(*value, "$") {
			c.add("DG122", d.name, l, col,
				fmt.Sprintf("%s %s holds a secret value: it is stored in the image (docker history shows it)", kind, key), "")
			return
		}
		c.add("DG123", d.name, l, col,
			fmt.Sprintf("%s %s passes a secret through a build arg or env: it ends up in the image metadata", kind, key), "")
	}
	for _, s := range d.stages {
		for _, cmd := range s.st.Commands {
			line, end := cmdLines(cmd)
			switch x := cmd.(type) {
			case *instructions.EnvCommand:
				for _, kv := range x.Env {
					check("ENV", kv.Key, &kv.Value, line, end)
				}
			case *instructions.ArgCommand:
				for _, kv := range x.Args {
					check("ARG", kv.Key, kv.Value, line, end)
				}
			}
		}
	}
	for _, a := range d.metaArgs {
		line, end := cmdLines(&a)
		for _, kv := range a.Args {
			check("ARG", kv.Key, kv.Value, line, end)
		}
	}
}

func isRootUser(u string) bool {
	name, _, _ := strings.Cut(u, ":")
	return name == "root" || name == "0"
}

// root: DG114.
func (c *checker) root(d *dockerfile, r *stage) {
	st := r.after
	switch {
	case st.userSet && isRootUser(st.user):
		l, col := d.loc(st.userLine, st.userLine, st.user, 0)
		c.add("DG114", d.name, l, col, fmt.Sprintf("USER %s: the program runs as root", st.user), "use a numeric non-root user: USER 65532:65532")
	case !st.userSet && !r.traits.nonroot:
		c.add("DG114", d.name, r.line, r.col,
			fmt.Sprintf("%s runs as root: no USER, and its base image runs as root by default", stageLabel(r)), "")
	}
}

// stageLabel names a stage for messages: "stage api", "stage 1 (FROM alpine:3.22)".
func stageLabel(s *stage) string {
	if s.name != "" {
		return "stage " + s.name
	}
	return fmt.Sprintf("stage %d (FROM %s)", s.idx, s.st.BaseName)
}

// effective returns the last ENTRYPOINT and CMD of r's chain.
func effective(r *stage) (ep *instructions.EntrypointCommand, cmd *instructions.CmdCommand) {
	for _, x := range r.chain() {
		for _, c := range x.st.Commands {
			switch v := c.(type) {
			case *instructions.EntrypointCommand:
				ep, cmd = v, nil // ENTRYPOINT resets an inherited CMD
			case *instructions.CmdCommand:
				cmd = v
			}
		}
	}
	return ep, cmd
}

// commands: DG116, DG117.
func (c *checker) commands(d *dockerfile, r *stage) {
	ep, cmd := effective(r)
	report := func(kw string, cl instructions.ShellDependantCmdLine, loc []parser.Range) {
		if !cl.PrependShell || len(loc) == 0 {
			return
		}
		line := loc[0].Start.Line
		_, col := d.loc(line, line, "", 0)
		text := strings.Join(cl.CmdLine, " ")
		if !r.traits.shell {
			c.add("DG117", d.name, line, col,
				fmt.Sprintf("shell-form %s needs /bin/sh, which %s does not have: the container cannot start", kw, r.image.raw), execFix(kw, text))
			return
		}
		c.add("DG116", d.name, line, col,
			fmt.Sprintf("shell-form %s runs /bin/sh -c %q: sh is PID 1, so the program never receives SIGTERM", kw, text), execFix(kw, text))
	}
	if ep != nil {
		report("ENTRYPOINT", ep.ShellDependantCmdLine, ep.Location())
	}
	if cmd != nil {
		report("CMD", cmd.ShellDependantCmdLine, cmd.Location())
	}
}

func execFix(kw, text string) string {
	if words, ok := execWords(text); ok {
		return fmt.Sprintf("use exec form: %s %s", kw, jsonArray(words))
	}
	return fmt.Sprintf("use exec form: %s [\"/app\", \"arg\"] (move shell logic into the program)", kw)
}

// health: DG111, DG112, DG113.
func (c *checker) health(d *dockerfile, r *stage) {
	h := r.after.health
	if h == nil {
		what := ""
		for _, b := range c.stageBinaries(d, r) {
			if b.LongRunning && b.Port > 0 {
				what = fmt.Sprintf("%s serves port %d", b.Name, b.Port)
				if b.PortSource != "" {
					what += " (" + b.PortSource + ")"
				}
			}
		}
		if c.exp == nil && exposes(r) != nil {
			what = "it EXPOSEs a port"
		}
		if what != "" {
			c.add("DG111", d.name, r.line, r.col,
				fmt.Sprintf("%s has no HEALTHCHECK, but %s: nothing notices when it hangs", stageLabel(r), what), "")
		}
		return
	}
	test := h.Health.Test
	if len(test) < 2 || test[0] == "NONE" {
		return
	}
	line, end := cmdLines(h)
	prog := ""
	switch test[0] {
	case "CMD-SHELL":
		if !r.traits.shell {
			l, col := d.loc(line, end, "CMD", 0)
			c.add("DG112", d.name, l, col,
				fmt.Sprintf("shell-form HEALTHCHECK needs /bin/sh, which %s does not have: the check always fails", r.image.raw), "")
			return
		}
		if cmds := simpleCommands(test[1]); len(cmds) > 0 {
			prog = cmds[0][0]
		}
	case "CMD":
		prog = test[1]
	}
	tool := path.Base(prog)
	if !slices.Contains([]string{"wget", "curl", "nc", "sh", "bash"}, tool) || c.hasTool(r, tool) {
		return
	}
	l, col := d.loc(line, end, prog, 0)
	if !r.traits.shell {
		c.add("DG112", d.name, l, col,
			fmt.Sprintf("HEALTHCHECK runs %s, which %s does not have: the check always fails and the container never becomes healthy", tool, r.image.raw), "")
		return
	}
	c.add("DG113", d.name, l, col,
		fmt.Sprintf("HEALTHCHECK runs %s, which %s does not ship and no RUN installs", tool, r.image.raw), "")
}

// hasTool reports whether runtime stage r can run tool: its base ships it,
// a RUN installs it, or a COPY brings it in.
func (c *checker) hasTool(r *stage, tool string) bool {
	if r.traits.has(tool) {
		return true
	}
	for _, text := range r.after.installs {
		if slices.ContainsFunc(strings.Fields(text), func(w string) bool { return w == tool || strings.HasPrefix(w, tool+"=") }) {
			return true
		}
	}
	for _, x := range r.chain() {
		for _, cmd := range x.st.Commands {
			if cp, ok := cmd.(*instructions.CopyCommand); ok {
				for _, p := range append(slices.Clone(cp.SourcePaths), cp.DestPath) {
					if path.Base(p) == tool {
						return true
					}
				}
			}
		}
	}
	return false
}

// exposes returns the EXPOSE instructions of r's chain.
func exposes(r *stage) []*instructions.ExposeCommand {
	var out []*instructions.ExposeCommand
	for _, x := range r.chain() {
		for _, cmd := range x.st.Commands {
			if e, ok := cmd.(*instructions.ExposeCommand); ok {
				out = append(out, e)
			}
		}
	}
	return out
}

// expose: DG126.
func (c *checker) expose(d *dockerfile, r *stage) {
	bins := c.stageBinaries(d, r)
	es := exposes(r)
	if len(bins) != 1 || bins[0].Port == 0 || len(es) == 0 {
		return
	}
	bin := bins[0]
	var listed []string
	moved := false // the port is moved through ENV (PORT=9090): then EXPOSE follows the env
	for _, v := range r.after.env {
		moved = moved || (v.set && !v.arg && slices.ContainsFunc(es, func(e *instructions.ExposeCommand) bool {
			return slices.ContainsFunc(e.Ports, func(p string) bool { port, _, _ := strings.Cut(p, "/"); return strings.Contains(v.value, port) })
		}))
	}
	if moved {
		return
	}
	for _, e := range es {
		for _, p := range e.Ports {
			port, _, _ := strings.Cut(p, "/")
			if strings.Contains(port, "$") || strings.Contains(port, "-") {
				return // a variable or a range: cannot tell
			}
			if port == strconv.Itoa(bin.Port) {
				return
			}
			listed = append(listed, p)
		}
	}
	line, _ := cmdLines(es[0])
	src := ""
	if bin.PortSource != "" {
		src = " (" + bin.PortSource + ")"
	}
	l, col := d.loc(line, line, listed[0], 0)
	c.add("DG126", d.name, l, col,
		fmt.Sprintf("EXPOSE %s, but %s listens on %d%s", strings.Join(listed, " "), bin.Name, bin.Port, src),
		fmt.Sprintf("EXPOSE %d", bin.Port))
}
