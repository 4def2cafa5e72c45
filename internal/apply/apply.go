// Package apply is the last arrow of dockgen's flow: planned files → disk.
//
// It decides, for each planned file, whether to create, update, leave or
// refuse it, by comparing what is on disk with the hash dockgen recorded
// when it last wrote the file; then writes atomically (temp file + rename),
// or only reports (dry run, diff, check). Nothing is written until every
// decision is made.
package apply

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"

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
	// Conflict: a file dockgen did not write is in the way.
	Conflict Action = "conflict"
	// Remove: dockgen wrote it, nobody edited it, and the plan no longer has
	// it (e.g. compose.yaml once no binary is long-running).
	Remove Action = "remove"
)

// Mode says how existing files the user owns are treated.
type Mode int

const (
	// Strict (init): a file dockgen did not write is a conflict.
	Strict Mode = iota
	// KeepEdits (regenerate): files the user edited are kept.
	KeepEdits
	// Force: overwrite whatever is there.
	Force
)

// Change is the decision for one file.
type Change struct {
	Path   string
	Action Action
	Reason string
	Old    []byte // current content, nil when absent
	New    []byte
	Policy plan.Policy
}

// Writes reports whether the change writes (or removes) the file.
func (c Change) Writes() bool { return c.Action == Create || c.Action == Update || c.Action == Remove }

// Decide compares each planned file with the disk and the previous state.
// Files dockgen recorded but no longer plans are removed when unedited.
func Decide(dir string, files []plan.File, recorded map[string]string, mode Mode) ([]Change, error) {
	var out []Change
	planned := map[string]bool{}
	for _, f := range files {
		planned[f.Path] = true
	}
	{
		for _, p := range slices.Sorted(maps.Keys(recorded)) {
			if planned[p] {
				continue
			}
			old, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(p)))
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("read %s: %w", p, err)
			}
			c := Change{Path: p, Old: old, Action: Kept, Reason: "no longer generated; edited by you, so left in place"}
			if recorded[p] == Hash(old) {
				c.Action, c.Reason = Remove, "no longer generated"
			}
			out = append(out, c)
		}
	}
	for _, f := range files {
		old, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f.Path)))
		exists := err == nil
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("read %s: %w", f.Path, err)
		}
		c := Change{Path: f.Path, New: f.Content, Policy: f.Policy}
		if exists {
			c.Old = old
		}
		rec := recorded[f.Path] != ""
		ours := rec && recorded[f.Path] == Hash(old)
		switch {
		case !exists:
			c.Action, c.Reason = Create, "new"
		case f.Policy == plan.Once:
			c.Action, c.Reason = Kept, "yours once created"
		case bytes.Equal(old, f.Content):
			c.Action, c.Reason = Unchanged, "up to date"
		case ours:
			c.Action, c.Reason = Update, "unedited since dockgen wrote it"
		case mode == Force:
			c.Action, c.Reason = Update, "overwritten (--force)"
		case mode == KeepEdits && rec:
			c.Action, c.Reason = Kept, "edited by you since dockgen wrote it"
		case rec:
			c.Action, c.Reason = Conflict, "edited since dockgen wrote it"
		default:
			c.Action, c.Reason = Conflict, "not written by dockgen"
		}
		out = append(out, c)
	}
	return out, nil
}

// Recorded is the hash record after these changes: the hash of what
// dockgen wrote for every file it manages, the previous hash for files kept.
func Recorded(changes []Change, prev map[string]string) map[string]string {
	out := map[string]string{}
	for _, c := range changes {
		if c.New == nil {
			continue
		}
		switch c.Action {
		case Create, Update, Unchanged:
			out[c.Path] = Hash(c.New)
		case Kept, Conflict:
			if prev[c.Path] != "" {
				out[c.Path] = prev[c.Path]
			}
		}
	}
	return out
}

// Own plans the write of dockgen's own state file: always brought up to date.
func Own(dir, path string, content []byte) (Change, error) {
	cs, err := Decide(dir, []plan.File{{Path: path, Content: content}}, nil, Force)
	if err != nil {
		return Change{}, err
	}
	cs[0].Reason = "dockgen's answers, plan and file hashes"
	return cs[0], nil
}

// Hash is the form file hashes take in the record.
func Hash(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// Lock keeps two dockgen runs apart (stub until the real lock lands).
func Lock(dir string) (func(), error) { return func() {}, nil }

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

// Write performs the changes that write, each atomically.
func Write(ctx context.Context, dir string, changes []Change) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, c := range changes {
		if !c.Writes() {
			continue
		}
		name := filepath.Join(dir, filepath.FromSlash(c.Path))
		if c.Action == Remove {
			if err := os.Remove(name); err != nil {
				return fmt.Errorf("remove %s: %w", c.Path, err)
			}
			continue
		}
		if err := writeAtomic(name, c.New); err != nil {
			return err
		}
	}
	return nil
}

// writeAtomic writes through a temp file in the same directory and renames
// it into place, so a reader or a crash never sees a half-written file.
func writeAtomic(name string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".dockgen-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := os.Rename(tmp.Name(), name); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
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
	return diff.Diff(oldName, c.Old, "b/"+c.Path, c.New)
}
