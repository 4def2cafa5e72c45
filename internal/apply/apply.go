// Package apply is the last arrow of dockgen's flow: planned files → disk.
//
// Decide compares each planned file with the disk and with the hash dockgen
// recorded when it last wrote the file, and says whether to create, update,
// leave or refuse it; Write then puts the whole set on disk, all or nothing.
// Nothing is written until every decision is made, so dry runs, diffs and
// checks are just Decide without Write.
//
// dockgen runs on repositories people just cloned, so both the recorded
// hashes (from .dockgen.yaml) and the tree itself are untrusted: apply only
// ever touches clean relative paths inside the project, never through a
// symbolic link, reads at most MaxSize bytes of a regular file and never
// opens anything else, and removes only a file it can recognise as its own.
package apply

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"os"
	"path"
	"slices"

	"github.com/dockgen/dockgen/internal/merge"
	"github.com/dockgen/dockgen/internal/plan"
	"github.com/rogpeppe/go-internal/diff"
)

// Action is what happens to one file.
type Action string

const (
	Create    Action = "create"
	Update    Action = "update"
	Unchanged Action = "unchanged"
	// Kept: the file is the user's (edited since dockgen wrote it, or a
	// create-once file that exists); it stays as it is.
	Kept Action = "kept"
	// Conflict: something dockgen did not write is in the way, or the path
	// is one dockgen will not write (outside the project, through a link).
	Conflict Action = "conflict"
	// Remove: dockgen wrote it, nobody edited it, and the plan no longer has
	// it (e.g. compose.yaml once no binary is long-running).
	Remove Action = "remove"
	// Ignored: a recorded path dockgen will not touch at all (outside the
	// project, not clean, or through a symbolic link); Reason says why, so
	// the caller can warn. It is dropped from the next recorded set.
	Ignored Action = "ignored"
	// Merged: the user edited the file and dockgen's output changed since;
	// dockgen's change is merged into the user's file (three-way).
	Merged Action = "merged"
)

// Mode says how existing files the user owns are treated.
type Mode int

const (
	// Strict (init): a file dockgen did not write is a conflict.
	Strict Mode = iota
	// KeepEdits (regenerate): files the user edited are kept.
	KeepEdits
	// Ours (regenerate --ours): like KeepEdits, and an edited file is
	// recorded as accepted against what dockgen renders now, so the next
	// merge starts from there.
	Ours
	// Force: overwrite whatever regular file or symbolic link is there
	// (a link is replaced, never followed). Paths dockgen will not write,
	// directories, pipes and devices stay conflicts.
	Force
)

// MaxSize bounds how much of an existing file apply reads: dockgen's own
// outputs are a few KiB, so anything bigger is not dockgen's.
const MaxSize = 4 << 20

// Change is the decision for one file.
type Change struct {
	Path   string // slash-separated, relative to the project directory
	Action Action
	Reason string
	Old    []byte // current content; nil when absent or not read
	New    []byte // nil for Remove, Ignored and stale Kept
	Policy plan.Policy
	// Rendered is dockgen's own output when New is something else (a
	// merge) or nothing (a file kept, or accepted with --ours): it is what
	// gets recorded, the base of the next merge.
	Rendered []byte
	// Behind: a kept file that dockgen's output has moved past.
	Behind bool
	// Conflicts are the overlapping regions of a failed merge.
	Conflicts []merge.Conflict

	// What Decide saw on disk, so Write can refuse when the file changed
	// in between (an edit made while dockgen runs must not be lost).
	disk    onDisk
	decided bool // made by Decide or Own, so disk is meaningful
	own     bool // dockgen's state file: never recorded in itself
}

// Writes reports whether the change writes (or removes) the file.
// Own reports whether the change is dockgen's own state file.
func (c Change) Own() bool { return c.own }

func (c Change) Writes() bool {
	return c.Action == Create || c.Action == Update || c.Action == Remove || c.Action == Merged
}

// Hash is the form recorded hashes take: "sha256:" and 64 lowercase hex
// digits. A recorded value in any other form never matches a file.
func Hash(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// Decide compares each planned file with the disk and with recorded (path →
// Hash of what dockgen last wrote there). Recorded paths no longer planned
// are removed when dockgen can tell they are its own and unedited; recorded
// paths apply will not touch come back as Ignored. Decide reads, never
// writes.
func Decide(dir string, files []plan.File, recorded map[string]string, mode Mode) ([]Change, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", dir, err)
	}
	defer root.Close()

	planned := map[string]bool{}
	for _, f := range files {
		if planned[f.Path] {
			return nil, fmt.Errorf("plan %s: planned twice", f.Path)
		}
		planned[f.Path] = true
	}
	var out, stale []Change
	for _, f := range files {
		c, err := decideFile(root, f, recorded[f.Path], mode)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	for _, p := range slices.Sorted(maps.Keys(recorded)) {
		if planned[p] {
			continue
		}
		c, err := decideStale(root, p, recorded[p])
		if err != nil {
			return nil, err
		}
		// Another spelling of a planned file (dockerfile on a
		// case-insensitive disk, a hard link, a Windows short name) is
		// that file, not a stale one: removing it would remove the output.
		if c.Action == "" || c.disk.exists() && slices.ContainsFunc(out, func(o Change) bool {
			return o.disk.exists() && os.SameFile(o.disk.info, c.disk.info)
		}) {
			continue
		}
		stale = append(stale, c)
	}
	return append(stale, out...), nil
}

func decideFile(root *os.Root, f plan.File, rec string, mode Mode) (Change, error) {
	c := Change{Path: f.Path, New: f.Content, Policy: f.Policy, decided: true}
	if err := checkPath(root, f.Path); err != nil {
		// Not even --force writes here: the path itself is the problem.
		c.Action, c.Reason = Conflict, err.Error()
		return c, nil
	}
	d, old, err := look(root, f.Path)
	if err != nil {
		return c, err
	}
	c.disk, c.Old = d, old
	switch {
	case !d.exists():
		c.Action, c.Reason = Create, "new"
	case f.Policy == plan.Once:
		c.Action, c.Reason = Kept, "yours once created"
	case d.special():
		c.Action, c.Reason = Conflict, d.kind()+" is in the way"
	case d.symlink() && mode == Force:
		c.Action, c.Reason = Update, "symbolic link replaced (--force); what it points to is not touched"
	case d.symlink():
		c.Action, c.Reason = Conflict, "a symbolic link; dockgen does not write through links (--force replaces the link itself)"
	case d.large() && mode == Force:
		c.Action, c.Reason = Update, "overwritten (--force)"
	case d.large():
		c.Action, c.Reason = Conflict, fmt.Sprintf("too large to be dockgen's (over %d MiB)", MaxSize>>20)
	case bytes.Equal(old, f.Content):
		c.Action, c.Reason = Unchanged, "up to date"
	case rec != "" && rec == d.hash:
		c.Action, c.Reason = Update, "unedited since dockgen wrote it"
	case mode == Force:
		c.Action, c.Reason = Update, "overwritten (--force)"
	case (mode == KeepEdits || mode == Ours) && rec != "":
		keepEdited(&c, f, old, rec, mode)
	case rec != "":
		c.Action, c.Reason = Conflict, "edited since dockgen wrote it"
	default:
		c.Action, c.Reason = Conflict, "not written by dockgen"
	}
	return c, nil
}

// keepEdited decides a file the user edited since dockgen wrote it: with
// what dockgen rendered then (f.Base) it merges dockgen's change since into
// the user's file; without it, the file is kept and marked behind when
// dockgen's output may have moved.
func keepEdited(c *Change, f plan.File, old []byte, rec string, mode Mode) {
	c.Action = Kept
	switch {
	case mode == Ours:
		c.Reason, c.Rendered = "edited by you; accepted as it is (--ours)", f.Content
	case f.Base == nil:
		c.Reason = "edited by you since dockgen wrote it"
	case Hash(f.Base) != rec:
		c.Reason, c.Behind = "edited by you, and dockgen's templates changed since it wrote the file (a dockgen upgrade, or your templates), so it cannot merge: --force takes dockgen's version, --ours keeps yours", !bytes.Equal(f.Base, f.Content)
	case bytes.Equal(f.Base, f.Content):
		c.Reason = "edited by you; dockgen's output is unchanged"
	default:
		r, err := merge.Merge(f.Base, old, f.Content)
		switch {
		case err != nil:
			c.Reason, c.Behind = "edited by you; "+err.Error(), true
		case len(r.Conflicts) > 0:
			c.Action, c.Conflicts = Conflict, r.Conflicts
			c.Reason = "your edits overlap dockgen's change: --force takes dockgen's version, --ours keeps yours"
		case bytes.Equal(r.Text, old):
			c.Reason, c.Rendered = "edited by you; it already has dockgen's change", f.Content
		default:
			c.Action, c.New, c.Rendered = Merged, r.Text, f.Content
			c.Reason = "dockgen's change merged into your edits"
		}
	}
}

// generatedMarker is in the header of every file dockgen manages. A
// recorded hash alone cannot prove a file is dockgen's: .dockgen.yaml comes
// with the repository, and whoever wrote it knows the hash of go.mod too.
var generatedMarker = []byte("generated by dockgen")

// decideStale decides a file dockgen recorded but no longer plans. It is
// removed only when it is a regular file inside the project, holds exactly
// what dockgen recorded, and says it was generated by dockgen; otherwise it
// is left alone. A zero Change means there is nothing to report (absent).
func decideStale(root *os.Root, p, rec string) (Change, error) {
	c := Change{Path: p, decided: true}
	if err := checkPath(root, p); err != nil {
		c.Action, c.Reason = Ignored, "recorded in dockgen's state, but "+err.Error()
		return c, nil
	}
	d, old, err := look(root, p)
	if err != nil || !d.exists() {
		return Change{}, err
	}
	c.disk, c.Old = d, old
	c.Action = Kept
	head := old[:min(len(old), 1024)]
	switch {
	case d.special() || d.symlink():
		c.Reason = "no longer generated; " + d.kind() + ", so left in place"
	case d.large():
		c.Reason = "no longer generated; too large to be dockgen's, so left in place"
	case path.Base(p) == plan.HealthFile:
		// A probe file is the user's once created, even unedited.
		c.Reason = "no longer planned; yours once created, so left in place"
	case d.hash != rec:
		c.Reason = "no longer generated; edited by you, so left in place"
	case !bytes.Contains(bytes.ToLower(head), generatedMarker):
		c.Reason = "no longer generated; has no \"Generated by dockgen\" header, so left in place"
	default:
		c.Action, c.Reason = Remove, "no longer generated"
	}
	return c, nil
}

// Own plans the write of dockgen's own state file (.dockgen.yaml) at path:
// it is always brought up to date (a symbolic link there is replaced, not
// followed), and written last by Write, with the rest of the set.
func Own(dir, path string, content []byte) (Change, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return Change{}, fmt.Errorf("open %s: %w", dir, err)
	}
	defer root.Close()
	if err := checkPath(root, path); err != nil {
		return Change{}, fmt.Errorf("write %s: %w", path, err)
	}
	d, old, err := look(root, path)
	if err != nil {
		return Change{}, err
	}
	c := Change{Path: path, Old: old, New: content, disk: d, decided: true, own: true, Reason: "dockgen's own state"}
	switch {
	case !d.exists():
		c.Action = Create
	case d.special():
		c.Action, c.Reason = Conflict, d.kind()+" is in the way"
	case d.regular() && !d.large() && bytes.Equal(old, content):
		c.Action = Unchanged
	default:
		c.Action = Update
	}
	return c, nil
}

// Recorded is the path → Hash map to save after changes: the hash of what
// dockgen writes for every managed file, the previous hash for a file kept
// or in conflict. Create-once files are the user's from the start, and the
// state file cannot hold its own hash, so neither is recorded; removed,
// ignored and stale files drop out.
func Recorded(changes []Change, prev map[string]string) map[string]string {
	out := map[string]string{}
	for _, c := range changes {
		// Create-once files are recorded too: a later run can then tell a
		// probe file the user deleted from one never made.
		if c.own || c.New == nil {
			continue
		}
		switch {
		case c.Rendered != nil:
			out[c.Path] = Hash(c.Rendered)
		case c.Action == Create || c.Action == Update || c.Action == Unchanged:
			out[c.Path] = Hash(c.New)
		case c.Action == Kept || c.Action == Conflict:
			if h := prev[c.Path]; h != "" {
				out[c.Path] = h
			} else if c.Policy == plan.Once && c.Old != nil {
				// An existing create-once file (one the user moved or
				// wrote) is recorded too: deleting it later is then a
				// choice dockgen remembers.
				out[c.Path] = Hash(c.Old)
			}
		}
	}
	return out
}

// Conflicts returns the changes that block writing.
func Conflicts(changes []Change) []Change {
	var out []Change
	for _, c := range changes {
		if c.Action == Conflict {
			out = append(out, c)
		}
	}
	return out
}

// Diff is a unified diff of one change (empty when it writes nothing).
func Diff(c Change) []byte {
	if !c.Writes() {
		return nil
	}
	oldName := "a/" + c.Path
	if c.Old == nil {
		oldName = "/dev/null"
	}
	newName := "b/" + c.Path
	if c.Action == Remove {
		newName = "/dev/null"
	}
	return diff.Diff(oldName, c.Old, newName, c.New)
}
