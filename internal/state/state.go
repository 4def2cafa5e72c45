// Package state reads and writes .dockgen.yaml, the record between runs:
// the answers (so `dockgen regenerate` asks nothing), the plan they made
// (so verify and regenerate know what was generated), and a hash of every
// file dockgen wrote (so a file the user edited is never overwritten).
//
// In the flow it sits after the plan and before apply. The file arrives
// with the repository, so it is untrusted input: it is read only if it is a
// small regular file, every value is checked, and a recorded path that is
// not one dockgen could have written is dropped with a warning naming its
// line — it is never read, written or removed.
package state

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/dockgen/dockgen/internal/answers"
	"github.com/dockgen/dockgen/internal/plan"
)

// File is where the state lives, at the module root.
const File = ".dockgen.yaml"

// maxSize bounds what is read: a real state file is a few kilobytes.
const maxSize = 1 << 20

// State is the content of .dockgen.yaml.
type State struct {
	Answers answers.Answers `yaml:"answers"`
	// Plan is what the files were last rendered from.
	Plan *plan.Plan `yaml:"plan,omitempty"`
	// Files maps each path dockgen wrote to the sha256 of what it wrote.
	Files map[string]string `yaml:"files"`
}

// Loaded is a state read from disk, with what was dropped from it.
type Loaded struct {
	State
	// Warnings name the .dockgen.yaml line of every entry ignored.
	Warnings []string
	lines    map[string]int
}

// Line is the line of a field ("answers.ports.api"), or of the nearest
// enclosing one that is there; 0 when unknown.
func (l *Loaded) Line(field string) int {
	for f := field; f != ""; f = parent(f) {
		if n, ok := l.lines[f]; ok {
			return n
		}
	}
	return 0
}

func parent(f string) string {
	i := strings.LastIndexByte(f, '.')
	if i < 0 {
		return ""
	}
	return f[:i]
}

// Error is a problem with .dockgen.yaml's content, at a line.
type Error struct {
	Line int
	Err  error
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %v", File, e.Line, e.Err)
	}
	return fmt.Sprintf("%s: %v", File, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// Hint is what the user can do about any state error.
const Hint = "fix that line, or delete .dockgen.yaml and run `dockgen init` again"

var hashRE = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)

// Load reads dir/.dockgen.yaml. A missing file is (nil, nil).
func Load(dir string) (*Loaded, error) {
	name := filepath.Join(dir, File)
	fi, err := os.Lstat(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", File, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, &Error{Err: fmt.Errorf("not a regular file (%s): dockgen reads its state only from a file it wrote", fi.Mode().Type())}
	}
	if fi.Size() > maxSize {
		return nil, &Error{Err: fmt.Errorf("%d bytes: too large to be dockgen's state", fi.Size())}
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", File, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", File, err)
	}
	return Parse(b)
}

// Parse reads a state from its bytes and checks it.
func Parse(b []byte) (*Loaded, error) {
	if len(b) > maxSize {
		return nil, &Error{Err: fmt.Errorf("too large to be dockgen's state")}
	}
	var root yaml.Node
	if err := yaml.Unmarshal(b, &root); err != nil {
		return nil, &Error{Line: yamlLine(err), Err: fmt.Errorf("not valid YAML: %w", err)}
	}
	l := &Loaded{lines: map[string]int{}}
	if len(root.Content) > 0 {
		index(root.Content[0], "", l.lines)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&l.State); err != nil && !errors.Is(err, io.EOF) {
		return nil, &Error{Line: yamlLine(err), Err: err}
	}
	var ae *answers.Error
	if err := l.Answers.Check(); errors.As(err, &ae) {
		return nil, &Error{Line: l.Line("answers." + ae.Field), Err: err}
	}
	files := map[string]string{}
	for p, h := range l.Files {
		line := l.Line("files." + p)
		switch err := CheckPath(p); {
		case err != nil:
			l.Warnings = append(l.Warnings, fmt.Sprintf("%s:%d: ignoring recorded file %q: %v", File, line, p, err))
		case !hashRE.MatchString(h):
			l.Warnings = append(l.Warnings, fmt.Sprintf("%s:%d: ignoring recorded file %q: its hash is not sha256:<64 hex digits>", File, line, p))
		default:
			files[p] = h
		}
	}
	l.Files = files
	if l.Plan != nil {
		if err := l.Plan.Validate(); err != nil {
			l.Warnings = append(l.Warnings, fmt.Sprintf("%s:%d: ignoring the saved plan: %v", File, l.Line("plan"), err))
			l.Plan = nil
		}
	}
	return l, nil
}

// CheckPath says why a recorded path is not one dockgen could have
// written: it must be relative, clean, inside the module, and name a file
// dockgen generates.
func CheckPath(p string) error {
	switch {
	case p == "" || strings.ContainsAny(p, "\\\x00") || strings.ContainsFunc(p, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return errors.New("not a plain relative path")
	case path.IsAbs(p) || filepath.IsAbs(p) || filepath.VolumeName(p) != "":
		return errors.New("an absolute path")
	case path.Clean(p) != p:
		return fmt.Errorf("not a clean path (%s)", path.Clean(p))
	case p == ".." || strings.HasPrefix(p, "../"):
		return errors.New("outside the module")
	case !plan.IsOutput(p):
		return errors.New("not a file dockgen generates")
	}
	return nil
}

// index records the line of every mapping key, by dotted path.
func index(n *yaml.Node, prefix string, lines map[string]int) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			p := k.Value
			if prefix != "" {
				p = prefix + "." + k.Value
			}
			lines[p] = k.Line
			index(n.Content[i+1], p, lines)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			p := prefix + "." + strconv.Itoa(i)
			lines[p] = c.Line
			index(c, p, lines)
		}
	}
}

var lineRE = regexp.MustCompile(`line (\d+)`)

func yamlLine(err error) int {
	if m := lineRE.FindStringSubmatch(err.Error()); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return 0
}

const header = "# Written by dockgen: your answers (reused by `dockgen regenerate`), the plan\n# they made, and a hash of each file it wrote (so it never overwrites your\n# edits). Commit it.\n"

// Marshal renders the state deterministically (yaml sorts map keys).
func (s State) Marshal() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(header)
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(s); err != nil {
		return nil, fmt.Errorf("encode %s: %w", File, err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encode %s: %w", File, err)
	}
	return buf.Bytes(), nil
}
