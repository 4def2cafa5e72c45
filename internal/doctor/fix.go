package doctor

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// Fix repairs what can be repaired without judgement, for the findings in
// r: shell-form ENTRYPOINT/CMD that splits unambiguously becomes exec form
// (DG116, DG117); a runtime stage without USER gets `USER 65532:65532`
// before its ENTRYPOINT/CMD (DG114); .dockerignore gets the missing secret
// and VCS lines, or is created (DG201–DG203). Everything else in each file
// stays byte-identical. It returns the new content of each changed file,
// keyed by its name relative to dir, for the caller to write.
func Fix(dir string, r Report) (map[string][]byte, error) {
	want := map[string]map[int]bool{} // rule → lines
	for _, f := range r.Findings {
		if rule, ok := ruleByID[f.Rule]; ok && rule.Fixable {
			if want[f.Rule] == nil {
				want[f.Rule] = map[int]bool{}
			}
			want[f.Rule][f.Line] = true
		}
	}
	changed := map[string][]byte{}
	if name := r.Files.Dockerfile; name != "" && (want["DG114"] != nil || want["DG116"] != nil || want["DG117"] != nil) {
		old, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("doctor: fix %s: %w", name, err)
		}
		fixed, err := fixDockerfile(old, want, modulePath(dir, r.exp))
		if err != nil {
			return nil, fmt.Errorf("doctor: fix %s: %w", name, err)
		}
		if !bytes.Equal(old, fixed) {
			changed[name] = fixed
		}
	}
	if want["DG201"] != nil || want["DG202"] != nil || want["DG203"] != nil {
		name := r.Files.Dockerignore
		if name == "" {
			name = ".dockerignore"
		}
		old, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("doctor: fix %s: %w", name, err)
		}
		c := &checker{dir: dir, files: r.Files, exp: r.exp}
		fixed, err := c.fixIgnore(old)
		if err != nil {
			return nil, fmt.Errorf("doctor: fix %s: %w", name, err)
		}
		if fixed != nil && !bytes.Equal(old, fixed) {
			changed[name] = fixed
		}
	}
	return changed, nil
}

// edit replaces src[start:end] with text.
type edit struct {
	start, end int
	text       string
}

func applyEdits(src []byte, edits []edit) []byte {
	slices.SortFunc(edits, func(a, b edit) int { return b.start - a.start }) // back to front
	out := slices.Clone(src)
	for _, e := range edits {
		out = slices.Concat(out[:e.start], []byte(e.text), out[e.end:])
	}
	return out
}

// lineOffsets returns the byte offset where each 1-based line starts
// (offsets[0] is line 1), with a last entry at len(src).
func lineOffsets(src []byte) []int {
	offs := []int{0}
	for i, b := range src {
		if b == '\n' {
			offs = append(offs, i+1)
		}
	}
	if offs[len(offs)-1] != len(src) {
		offs = append(offs, len(src))
	}
	return offs
}

// eol is the file's line ending.
func eol(src []byte) string {
	if bytes.Contains(src, []byte("\r\n")) {
		return "\r\n"
	}
	return "\n"
}

// lineEnd is the offset of the end of 1-based line n, before its newline.
func lineEnd(src []byte, offs []int, n int) int {
	end := offs[min(n, len(offs)-1)]
	for end > offs[n-1] && (src[end-1] == '\n' || src[end-1] == '\r') {
		end--
	}
	return end
}

func fixDockerfile(src []byte, want map[string]map[int]bool, module string) ([]byte, error) {
	d, err := parseDockerfile("Dockerfile", src, module)
	if err != nil {
		return nil, err
	}
	offs := lineOffsets(src)
	nl := eol(src)
	var edits []edit
	for _, r := range d.runtime() {
		// Exec form for shell-form ENTRYPOINT/CMD.
		for _, cmd := range r.st.Commands {
			var cl instructions.ShellDependantCmdLine
			switch c := cmd.(type) {
			case *instructions.EntrypointCommand:
				cl = c.ShellDependantCmdLine
			case *instructions.CmdCommand:
				cl = c.ShellDependantCmdLine
			default:
				continue
			}
			start, end := cmdLines(cmd)
			if !cl.PrependShell || !(want["DG116"][start] || want["DG117"][start]) {
				continue
			}
			words, ok := execWords(strings.Join(cl.CmdLine, " "))
			if !ok {
				continue
			}
			first := d.lines[start-1]
			indent := len(first) - len(strings.TrimLeft(first, " \t"))
			kw := strings.Fields(first)[0]
			edits = append(edits, edit{offs[start-1] + indent, lineEnd(src, offs, end), kw + " " + jsonArray(words)})
		}
		// USER for a stage that runs as root for want of one.
		if want["DG114"][r.line] && !r.after.userSet && !r.traits.nonroot {
			edits = append(edits, userEdit(d, r, src, offs, nl))
		}
	}
	return applyEdits(src, edits), nil
}

// userEdit inserts USER 65532:65532 before the ENTRYPOINT/CMD that follows
// the stage's last RUN (so installs still run as root), or after the
// stage's last instruction when it has no ENTRYPOINT/CMD of its own.
func userEdit(d *dockerfile, r *stage, src []byte, offs []int, nl string) edit {
	lastRun := -1
	for i, cmd := range r.st.Commands {
		if _, ok := cmd.(*instructions.RunCommand); ok {
			lastRun = i
		}
	}
	for i := lastRun + 1; i < len(r.st.Commands); i++ {
		switch r.st.Commands[i].(type) {
		case *instructions.EntrypointCommand, *instructions.CmdCommand:
			line, _ := cmdLines(r.st.Commands[i])
			text := d.lines[line-1]
			indent := text[:len(text)-len(strings.TrimLeft(text, " \t"))]
			return edit{offs[line-1], offs[line-1], indent + "USER 65532:65532" + nl}
		}
	}
	end := r.line
	if n := len(r.st.Commands); n > 0 {
		_, end = cmdLines(r.st.Commands[n-1])
	}
	at := lineEnd(src, offs, end)
	return edit{at, at, nl + "USER 65532:65532"}
}

// fixIgnore appends the secret and VCS patterns a .dockerignore lacks
// (creating it when old is nil), leaving out any pattern that would keep
// out a file the build needs.
func (c *checker) fixIgnore(old []byte) ([]byte, error) {
	var cur *ignoreFile
	if old != nil {
		var err error
		if cur, err = parseIgnore(old); err != nil {
			return nil, err
		}
	}
	secrets, vcs := missingIgnores(cur)
	var add []string
	if vcs {
		add = append(add, vcsPattern)
	}
	for _, sc := range secrets {
		add = append(add, sc.pattern)
	}
	mods, srcs, assets := c.neededPaths()
	needed := slices.Concat(mods, srcs, assets)
	add = slices.DeleteFunc(add, func(p string) bool {
		f, err := parseIgnore([]byte(p))
		if err != nil {
			return true
		}
		return slices.ContainsFunc(needed, func(n string) bool { ex, _ := f.excluded(n); return ex })
	})
	if len(add) == 0 {
		return old, nil
	}
	nl := eol(old)
	var b bytes.Buffer
	b.Write(old)
	if len(old) > 0 {
		if !bytes.HasSuffix(old, []byte("\n")) {
			b.WriteString(nl)
		}
		b.WriteString(nl)
	}
	b.WriteString("# Added by dockgen doctor --fix: keep secrets and version control out of the build context" + nl)
	for _, p := range add {
		b.WriteString(p + nl)
	}
	return b.Bytes(), nil
}
