package doctor

import (
	"bytes"
	"encoding/json"
	"maps"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
	"golang.org/x/mod/modfile"
)

// dockerfile is a Dockerfile as doctor sees it: BuildKit's parse (stages and
// typed instructions) plus what each instruction leaves behind — env,
// working directory, user — and every `go build` the RUNs perform.
type dockerfile struct {
	name     string
	lines    []string // the source, split at \n (\r kept off)
	lex      *shell.Lex
	meta     map[string]string // global ARG defaults, for FROM
	metaArgs []instructions.ArgCommand
	stages   []*stage
	builds   []*goBuild
	module   string // module path: Expect's, else go.mod's
}

type stage struct {
	idx        int
	name       string // lower-cased, "" when unnamed
	st         instructions.Stage
	parent     *stage   // the in-file stage this one is FROM, nil for an image
	image      imageRef // the external image at the root of the chain
	traits     traits   // the root image's, plus what RUNs installed
	line, col  int      // the FROM instruction and its image word
	referenced bool     // another stage builds on it or copies from it
	buildPlat  bool     // FROM --platform=$BUILDPLATFORM
	before     []*state // state before each command
	after      *state   // state after the last command
}

// setting is one environment value with where it was set.
type setting struct {
	value     string
	set       bool // false: not set at all
	unknown   bool // set to something doctor cannot know (a build arg without default)
	arg       bool // set by ARG: scoped to its stage
	line, col int
}

// state is what the instructions so far leave for the next one.
type state struct {
	env      map[string]setting
	args     map[string]bool // names declared by ARG in this stage
	workdir  string          // absolute; "" when unknown
	user     string
	userSet  bool
	userLine int
	health   *instructions.HealthCheckCommand
	copies   []ctxCopy // COPY/ADD from the build context
	modDL    bool      // a `go mod download` ran
	modLayer int       // line of the first `go mod download`
	installs []string  // RUN text that installs packages, for tool checks
}

// ctxCopy is a COPY or ADD of build-context files.
type ctxCopy struct {
	srcs []string
	dest string // absolute destination ("" unknown); a directory when it ends in "/"
	line int
	col  int
	add  bool
}

func (s *state) clone() *state {
	n := *s
	n.env = maps.Clone(s.env)
	n.args = maps.Clone(s.args)
	n.copies = slices.Clone(s.copies)
	n.installs = slices.Clone(s.installs)
	return &n
}

// get is an EnvGetter over a state's env for BuildKit's word expansion.
type envGetter map[string]setting

func (e envGetter) Get(k string) (string, bool) {
	s, ok := e[k]
	if !ok || !s.set || s.unknown {
		return "", false
	}
	return s.value, true
}

func (e envGetter) Keys() []string { return slices.Sorted(maps.Keys(e)) }

// expand expands $VAR words with what is known; ok is false when something
// stayed unexpanded.
func (d *dockerfile) expand(word string, env map[string]setting) (string, bool) {
	if !strings.ContainsAny(word, "$") {
		return word, true
	}
	res, err := d.lex.ProcessWordWithMatches(word, envGetter(env))
	if err != nil || len(res.Unmatched) > 0 {
		return word, false
	}
	return res.Result, true
}

// parseDockerfile parses content with BuildKit's parser and instruction
// reader and walks it.
func parseDockerfile(name string, content []byte, module string) (*dockerfile, error) {
	res, err := parser.Parse(bytes.NewReader(content))
	if err != nil {
		return nil, err
	}
	stages, metaArgs, err := instructions.Parse(res.AST, nil)
	if err != nil {
		return nil, err
	}
	d := &dockerfile{name: name, lex: shell.NewLex(res.EscapeToken), meta: map[string]string{}, module: module}
	for _, l := range strings.Split(string(content), "\n") {
		d.lines = append(d.lines, strings.TrimSuffix(l, "\r"))
	}
	d.metaArgs = metaArgs
	for _, a := range metaArgs {
		for _, kv := range a.Args {
			if kv.Value != nil {
				d.meta[kv.Key] = *kv.Value
			}
		}
	}
	metaEnv := map[string]setting{}
	for k, v := range d.meta {
		metaEnv[k] = setting{value: v, set: true}
	}
	byName := map[string]*stage{}
	for i, st := range stages {
		s := &stage{idx: i, name: strings.ToLower(st.Name), st: st}
		if len(st.Location) > 0 {
			s.line = st.Location[0].Start.Line
		}
		base, ok := d.expand(st.BaseName, metaEnv)
		if !ok {
			base = st.BaseName
		}
		s.col = d.col(s.line, s.line, st.BaseName, 0) // as written: golang:${GO_VERSION}
		if p, ok := byName[strings.ToLower(base)]; ok {
			s.parent = p
			p.referenced = true
			s.image = p.image
		} else {
			s.image = parseImage(base)
		}
		s.buildPlat = strings.Contains(st.Platform, "BUILDPLATFORM")
		d.stages = append(d.stages, s)
		if s.name != "" {
			byName[s.name] = s
		}
	}
	for _, s := range d.stages {
		d.walk(s)
	}
	return d, nil
}

// stageRef resolves a --from value: a stage name or index; nil for an image.
func (d *dockerfile) stageRef(from string, before int) *stage {
	if n, err := strconv.Atoi(from); err == nil {
		if n >= 0 && n < before {
			return d.stages[n]
		}
		return nil
	}
	for _, s := range d.stages[:before] {
		if s.name != "" && s.name == strings.ToLower(from) {
			return s
		}
	}
	return nil
}

// chain is the stage and its in-file ancestors, the root first.
func (s *stage) chain() []*stage {
	var out []*stage
	for c := s; c != nil; c = c.parent {
		out = append([]*stage{c}, out...)
	}
	return out
}

var installRe = regexp.MustCompile(`\b(apk\s+add|apt-get\s+install|apt\s+install|yum\s+install|dnf\s+install|microdnf\s+install)\b`)

// walk computes the state before each command of s and finds its builds.
func (d *dockerfile) walk(s *stage) {
	var st *state
	if s.parent != nil {
		st = s.parent.after.clone()
		st.args = map[string]bool{}
		for k, v := range st.env {
			if v.arg { // ARGs are scoped to their stage; ENV carries over
				delete(st.env, k)
			}
		}
		s.traits = s.parent.traits
	} else {
		s.traits = baseTraits(s.image)
		st = &state{env: map[string]setting{}, args: map[string]bool{}, workdir: "/"}
		if s.traits.golang {
			st.workdir = "/go"
		}
	}
	for i, cmd := range s.st.Commands {
		s.before = append(s.before, st)
		st = st.clone()
		line, endLine := cmdLines(cmd)
		switch c := cmd.(type) {
		case *instructions.EnvCommand:
			for _, kv := range c.Env {
				v, ok := d.expand(kv.Value, st.env)
				st.env[kv.Key] = setting{value: v, set: true, unknown: !ok, line: line, col: d.col(line, endLine, kv.Key, 0)}
			}
		case *instructions.ArgCommand:
			for _, kv := range c.Args {
				st.args[kv.Key] = true
				set := setting{set: true, arg: true, line: line, col: d.col(line, endLine, kv.Key, 0)}
				switch {
				case kv.Value != nil:
					v, ok := d.expand(*kv.Value, st.env)
					set.value, set.unknown = v, !ok
				case d.meta[kv.Key] != "":
					set.value = d.meta[kv.Key]
				default:
					set.unknown = true
				}
				if prev, ok := st.env[kv.Key]; !ok || prev.arg { // ENV wins over ARG
					st.env[kv.Key] = set
				}
			}
		case *instructions.WorkdirCommand:
			p, ok := d.expand(c.Path, st.env)
			switch {
			case !ok:
				st.workdir = ""
			case path.IsAbs(p):
				st.workdir = path.Clean(p)
			case st.workdir != "":
				st.workdir = path.Join(st.workdir, p)
			}
		case *instructions.UserCommand:
			u, _ := d.expand(c.User, st.env)
			st.user, st.userSet, st.userLine = u, true, line
		case *instructions.HealthCheckCommand:
			st.health = c
		case *instructions.CopyCommand:
			if c.From == "" {
				st.copies = append(st.copies, ctxCopy{srcs: c.SourcePaths, dest: d.dest(c.DestPath, st), line: line, col: d.col(line, endLine, "COPY", 0)})
			} else if ref := d.stageRef(c.From, s.idx); ref != nil {
				ref.referenced = true
			}
		case *instructions.AddCommand:
			st.copies = append(st.copies, ctxCopy{srcs: c.SourcePaths, dest: d.dest(c.DestPath, st), line: line, col: d.col(line, endLine, "ADD", 0), add: true})
		case *instructions.RunCommand:
			for _, m := range instructions.GetMounts(c) {
				if m.From != "" {
					if ref := d.stageRef(m.From, s.idx); ref != nil {
						ref.referenced = true
					}
				}
			}
			text := strings.Join(c.CmdLine, " ")
			if installRe.MatchString(text) {
				st.installs = append(st.installs, text)
			}
			d.runBuilds(s, i, c, st)
		}
	}
	s.after = st
}

// dest resolves a COPY destination against the working directory; a
// directory keeps its trailing slash.
func (d *dockerfile) dest(p string, st *state) string {
	p, ok := d.expand(p, st.env)
	if !ok {
		return ""
	}
	dir := strings.HasSuffix(p, "/") || p == "." || p == ".."
	if !path.IsAbs(p) {
		if st.workdir == "" {
			return ""
		}
		p = path.Join(st.workdir, p)
	}
	p = path.Clean(p)
	if dir && p != "/" {
		p += "/"
	}
	return p
}

func cmdLines(cmd instructions.Command) (int, int) {
	loc := cmd.Location()
	if len(loc) == 0 {
		return 0, 0
	}
	return loc[0].Start.Line, loc[len(loc)-1].End.Line
}

// col finds needle on lines [line, end] and returns the 1-based column of
// its n-th occurrence (0-based n) on the first line holding it; when it is
// not there, the column of the first non-blank character of line. The line
// it was found on is given by loc.
func (d *dockerfile) col(line, end int, needle string, n int) int {
	_, c := d.loc(line, end, needle, n)
	return c
}

func (d *dockerfile) loc(line, end int, needle string, n int) (int, int) {
	if line < 1 || line > len(d.lines) {
		return max(line, 1), 1
	}
	for l := line; l <= end && l <= len(d.lines); l++ {
		text := d.lines[l-1]
		off := 0
		for {
			i := strings.Index(text[off:], needle)
			if i < 0 || needle == "" {
				break
			}
			if n == 0 {
				return l, len([]rune(text[:off+i])) + 1
			}
			n--
			off += i + len(needle)
		}
	}
	text := d.lines[line-1]
	return line, len([]rune(text)) - len([]rune(strings.TrimLeft(text, " \t"))) + 1
}

// modulePath is the module path from Expect, else from dir/go.mod.
func modulePath(dir string, exp *Expect) string {
	if exp != nil && exp.Module != "" {
		return exp.Module
	}
	b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return ""
	}
	return modfile.ModulePath(b)
}

// jsonArray renders words as a Dockerfile exec-form array, the way dockgen
// writes them: ["/app","-healthcheck"].
func jsonArray(words []string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(words) // []string always encodes
	return strings.TrimSuffix(b.String(), "\n")
}
