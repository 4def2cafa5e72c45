// Package editor writes editor integration files for a module dockgen manages.
// It sits beside the main flow (facts → answers → plan → files): it needs none of
// them, only the commands dockgen offers, and is called by `dockgen editor vscode`.
package editor

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/tailscale/hujson"
)

// LabelPrefix marks the tasks dockgen owns in tasks.json. A task with one of
// dockgen's labels is rewritten on every run; every other task is the user's.
const LabelPrefix = "dockgen: "

// goRunPackage runs dockgen through the module's own requirement, so the tasks
// work without a dockgen binary on PATH.
const goRunPackage = "github.com/dockgen/dockgen/cmd/dockgen"

// Problem matcher regexps. VS Code compiles them with JavaScript's RegExp and
// the tests with Go's regexp, so they keep to the subset both read alike:
// anchors, groups, (?:), lazy quantifiers, \d, \s and bracket classes.
const (
	// doctorRegexp reads `doctor --format gnu`: FILE:LINE:COL: SEVERITY: MESSAGE [RULE].
	// The lazy file group stops at the first ":LINE:COL: severity: ", so a drive
	// letter (C:\x) or a colon in the message does not shift the groups.
	doctorRegexp = `^(.+?):(\d+):(\d+): (error|warning|info): (.*?)(?: \[([^\[\]\s]+)\])?$`
	// driftRegexp reads `regenerate --check`: "would update   PATH (reason)".
	driftRegexp = `^(would (?:create|update|remove) +(.+?) \(.*\))$`
	// conflictRegexp reads the conflicts regenerate reports: "conflict: PATH: reason".
	conflictRegexp = `^(conflict: (.+?): .*)$`
)

// Options says how the tasks run dockgen.
type Options struct {
	// GoRun runs `go run github.com/dockgen/dockgen/cmd/dockgen` instead of a
	// `dockgen` on PATH; it needs dockgen in the module's go.mod.
	GoRun bool
}

// newFile is what VSCodeTasks starts from when there is no tasks.json yet.
// Tabs, as VS Code's own tasks.json template uses.
const newFile = `{
	// Tasks labelled "dockgen: …" are rewritten by ` + "`dockgen editor vscode`" + `;
	// every other task here is yours and left as it is.
	"version": "2.0.0",
	"tasks": []
}
`

// VSCodeTasks returns .vscode/tasks.json with dockgen's tasks in it: a new file
// when existing is nil, otherwise existing with dockgen's tasks replaced in
// place and missing ones appended. Comments, trailing commas, formatting and
// every other task are kept byte for byte. Running it on its own output gives
// the same bytes. It fails when existing is not JSON with comments or its
// "tasks" is not an array; the caller should then leave the file alone.
func VSCodeTasks(existing []byte, opts Options) ([]byte, error) {
	if len(bytes.TrimSpace(existing)) == 0 {
		existing = []byte(newFile)
	}
	root, err := hujson.Parse(existing)
	if err != nil {
		return nil, fmt.Errorf("parse tasks.json: %w", err)
	}
	obj, ok := root.Value.(*hujson.Object)
	if !ok {
		return nil, fmt.Errorf("parse tasks.json: top level is not an object")
	}
	l := layoutOf(existing, obj)

	if i := member(obj, "version"); i < 0 {
		addVersion(obj, l)
	} else if v := obj.Members[i].Value.Value; v.Kind() != '"' || v.(hujson.Literal).String() != "2.0.0" {
		return nil, fmt.Errorf("tasks.json: version is %s, dockgen writes version 2.0.0 tasks: convert the file to version 2.0.0 first", hujson.Value{Value: v}.Pack())
	}

	ti := member(obj, "tasks")
	if ti < 0 {
		appendMembers(obj, l, hujson.ObjectMember{
			Name:  hujson.Value{Value: hujson.String("tasks")},
			Value: hujson.Value{BeforeExtra: hujson.Extra(" "), Value: &hujson.Array{}},
		})
		ti = len(obj.Members) - 1
	}
	arr, ok := obj.Members[ti].Value.Value.(*hujson.Array)
	if !ok {
		return nil, fmt.Errorf("tasks.json: \"tasks\" is not an array")
	}
	memberIndent, ok := indentOf(obj.Members[ti].Name.BeforeExtra)
	if !ok {
		memberIndent = l.unit
	}
	elemIndent := memberIndent + l.unit
	if len(arr.Elements) > 0 {
		if ind, ok := indentOf(arr.Elements[0].BeforeExtra); ok {
			elemIndent = ind
		}
	}

	var missing []hujson.Value
	for _, t := range tasks(opts) {
		found := false
		for i := range arr.Elements {
			el := &arr.Elements[i]
			if labelOf(el) != t.Label {
				continue
			}
			// Every task with this label is dockgen's: rewrite each in place,
			// at its own indentation, so nothing around it moves.
			ind, ok := indentOf(el.BeforeExtra)
			if !ok {
				ind = elemIndent
			}
			v, err := l.render(t, ind)
			if err != nil {
				return nil, err
			}
			el.Value = v.Value
			found = true
		}
		if !found {
			v, err := l.render(t, elemIndent)
			if err != nil {
				return nil, err
			}
			missing = append(missing, v)
		}
	}
	appendElements(arr, l, memberIndent, elemIndent, missing)
	return root.Pack(), nil
}

// labelOf is the task's label, "" when it has none.
func labelOf(v *hujson.Value) string {
	l := v.Find("/label")
	if l == nil {
		return ""
	}
	lit, ok := l.Value.(hujson.Literal)
	if !ok || lit.Kind() != '"' {
		return ""
	}
	return lit.String()
}

// layout is how the file is written, so that what dockgen adds looks like it.
type layout struct {
	nl   string // "\n" or "\r\n"
	unit string // one level of indentation
}

func layoutOf(src []byte, obj *hujson.Object) layout {
	l := layout{nl: "\n", unit: "\t"}
	if bytes.Contains(src, []byte("\r\n")) {
		l.nl = "\r\n"
	}
	if len(obj.Members) > 0 {
		if ind, ok := indentOf(obj.Members[0].Name.BeforeExtra); ok && ind != "" {
			l.unit = ind
		}
	}
	return l
}

// member is the index of obj's first member called name, or -1.
func member(obj *hujson.Object, name string) int {
	for i, m := range obj.Members {
		if lit, ok := m.Name.Value.(hujson.Literal); ok && lit.String() == name {
			return i
		}
	}
	return -1
}

// render writes t as a JSON object whose lines start with indent.
func (l layout) render(t task, indent string) (hujson.Value, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent(indent, l.unit)
	if err := enc.Encode(t); err != nil {
		return hujson.Value{}, fmt.Errorf("render task %q: %w", t.Label, err)
	}
	out := bytes.TrimRight(b.Bytes(), "\n")
	if l.nl != "\n" {
		out = bytes.ReplaceAll(out, []byte("\n"), []byte(l.nl))
	}
	v, err := hujson.Parse(out)
	if err != nil {
		return hujson.Value{}, fmt.Errorf("render task %q: %w", t.Label, err)
	}
	return v, nil
}

// indentOf is the whitespace after the last line break in extra: the
// indentation of whatever follows it. ok is false when extra has no line break
// or the text after it is not blank.
func indentOf(extra hujson.Extra) (string, bool) {
	i := bytes.LastIndexByte(extra, '\n')
	if i < 0 {
		return "", false
	}
	tail := string(extra[i+1:])
	if strings.Trim(tail, " \t") != "" {
		return "", false
	}
	return tail, true
}

// tail splits a container's closing extra (the text between its last item and
// its closing bracket) for appending: the comments stay with the item they
// followed, and the closing bracket keeps its indentation.
func tail(after hujson.Extra, l layout, closeIndent string) (comments, closing hujson.Extra) {
	if ind, ok := indentOf(after); ok {
		closeIndent = ind
	}
	// A copy: after aliases the caller's input, which append must not write into.
	c := bytes.Clone(bytes.TrimRight(after, " \t\r\n"))
	return hujson.Extra(c), hujson.Extra(l.nl + closeIndent)
}

// appendElements adds vs at the end of arr, one per line at indent, keeping a
// trailing comma if the array had one.
func appendElements(arr *hujson.Array, l layout, closeIndent, indent string, vs []hujson.Value) {
	if len(vs) == 0 {
		return
	}
	trailingComma := len(arr.Elements) > 0 && arr.Elements[len(arr.Elements)-1].AfterExtra != nil
	comments, closing := tail(arr.AfterExtra, l, closeIndent)
	for i := range vs {
		vs[i].BeforeExtra = hujson.Extra(l.nl + indent)
		vs[i].AfterExtra = nil
	}
	vs[0].BeforeExtra = append(comments, vs[0].BeforeExtra...)
	if trailingComma {
		vs[len(vs)-1].AfterExtra = hujson.Extra{}
	}
	arr.Elements = append(arr.Elements, vs...)
	arr.AfterExtra = closing
}

// appendMembers is appendElements for the top-level object.
func appendMembers(obj *hujson.Object, l layout, ms ...hujson.ObjectMember) {
	trailingComma := len(obj.Members) > 0 && obj.Members[len(obj.Members)-1].Value.AfterExtra != nil
	comments, closing := tail(obj.AfterExtra, l, "")
	for i := range ms {
		ms[i].Name.BeforeExtra = hujson.Extra(l.nl + l.unit)
		ms[i].Value.AfterExtra = nil
	}
	ms[0].Name.BeforeExtra = append(comments, ms[0].Name.BeforeExtra...)
	if trailingComma {
		ms[len(ms)-1].Value.AfterExtra = hujson.Extra{}
	}
	obj.Members = append(obj.Members, ms...)
	obj.AfterExtra = closing
}

// addVersion puts "version": "2.0.0" first, where VS Code's template has it;
// comments before the first member stay with that member.
func addVersion(obj *hujson.Object, l layout) {
	m := hujson.ObjectMember{
		Name:  hujson.Value{Value: hujson.String("version")},
		Value: hujson.Value{BeforeExtra: hujson.Extra(" "), Value: hujson.String("2.0.0")},
	}
	if len(obj.Members) == 0 {
		appendMembers(obj, l, m)
		return
	}
	m.Name.BeforeExtra = hujson.Extra(l.nl + l.unit)
	obj.Members = append([]hujson.ObjectMember{m}, obj.Members...)
}
