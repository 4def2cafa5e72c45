package apply

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
)

// ErrChanged means a file changed on disk between Decide and Write; Write
// then writes nothing, so the edit is not lost.
var ErrChanged = errors.New("changed on disk while dockgen was running")

// Test hooks: a failing create or rename, and an edit between staging and
// the re-check.
var (
	createTemp = func(root *os.Root, name string) (*os.File, error) {
		return root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	}
	rename        = func(root *os.Root, from, to string) error { return root.Rename(from, to) }
	beforeRecheck = func() {}
)

// Write puts changes made by Decide and Own on disk, all or nothing:
//
//  1. stage: write every new file to a temp file beside its target (making
//     missing parent directories, inside dir only), fsync it, set its mode
//     (an update keeps the old file's permissions, a new file gets 0644);
//  2. re-check: every file to be written or removed must still be what
//     Decide saw; if not, fail with ErrChanged;
//  3. rename every temp file into place, remove stale files, and write the
//     state file (Own) last.
//
// A failure or a cancelled ctx before step 3 removes the temp files and the
// directories Write made and writes nothing (a cancelled ctx returns
// ctx.Err() as is). Step 3 is not atomic as a whole, but once it starts it
// runs to the end; an error then says what was and was not written.
// Write refuses a set with a conflict. The caller holds Lock from before
// Decide until Write returns.
func Write(ctx context.Context, dir string, changes []Change) error {
	var todo []Change
	seen := map[string]bool{}
	for _, c := range changes {
		switch {
		case c.Action == Conflict:
			return fmt.Errorf("write %s: %s; nothing was written", c.Path, c.Reason)
		case !c.Writes():
			continue
		case !c.decided:
			return fmt.Errorf("write %s: change not made by apply.Decide or apply.Own; nothing was written", c.Path)
		case seen[c.Path]:
			return fmt.Errorf("write %s: more than one change for it; nothing was written", c.Path)
		}
		seen[c.Path] = true
		todo = append(todo, c)
	}
	if len(todo) == 0 {
		return nil
	}
	// Files first, then removals, then the state file, so an interrupted
	// run leaves recorded hashes that make the next run keep, not clobber.
	slices.SortStableFunc(todo, func(a, b Change) int { return order(a) - order(b) })

	root, err := os.OpenRoot(dir)
	if err != nil {
		return fmt.Errorf("open %s: %w; nothing was written", dir, err)
	}
	defer root.Close()
	s := &stager{root: root}
	if err := s.stage(ctx, todo); err != nil {
		s.cleanup()
		if ctxErr := ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
			return ctxErr
		}
		return fmt.Errorf("%w; nothing was written", err)
	}
	return s.commit(todo)
}

func order(c Change) int {
	switch {
	case c.own:
		return 2
	case c.Action == Remove:
		return 1
	}
	return 0
}

// stager holds what Write made before the renames, to undo it on failure.
type stager struct {
	root  *os.Root
	temps map[string]string // target path → temp path
	dirs  []string          // directories made, parents first
}

func (s *stager) stage(ctx context.Context, todo []Change) error {
	s.temps = map[string]string{}
	for _, c := range todo {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := checkPath(s.root, c.Path); err != nil {
			return err
		}
		if c.Action == Remove {
			continue
		}
		if err := s.mkdirs(c.Path); err != nil {
			return err
		}
		if err := s.temp(c); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	beforeRecheck()
	for _, c := range todo {
		now, _, err := look(s.root, c.Path)
		if err != nil {
			return err
		}
		if !c.disk.same(now) {
			return fmt.Errorf("write %s: %w (run dockgen again)", c.Path, ErrChanged)
		}
	}
	return ctx.Err() // the last point where stopping leaves no trace
}

// mkdirs makes the missing parent directories of p, one by one, so each
// can be removed again and none goes through a link (checkPath ran first).
func (s *stager) mkdirs(p string) error {
	for i := 0; i < len(p); i++ {
		if p[i] != '/' {
			continue
		}
		d := p[:i]
		if fi, err := s.root.Lstat(d); err == nil && fi.IsDir() {
			continue
		}
		if err := s.root.Mkdir(d, 0o755); err != nil {
			return fmt.Errorf("write %s: make directory %s: %w", p, d, cause(err))
		}
		s.dirs = append(s.dirs, d)
	}
	return nil
}

// temp writes c.New to a new temp file beside c.Path.
func (s *stager) temp(c Change) error {
	var rnd [6]byte
	rand.Read(rnd[:])
	name := path.Join(path.Dir(c.Path), "."+path.Base(c.Path)+".dockgen-"+hex.EncodeToString(rnd[:]))
	f, err := createTemp(s.root, name)
	if err != nil {
		return fmt.Errorf("write %s: %w", c.Path, cause(err))
	}
	s.temps[c.Path] = name
	perm := fs.FileMode(0o644)
	if c.disk.regular() {
		perm = c.disk.info.Mode().Perm()
	}
	_, err = f.Write(c.New)
	if err == nil {
		err = f.Chmod(perm) // not subject to umask, unlike the create mode
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", c.Path, cause(err))
	}
	return nil
}

// cleanup removes what stage made: temp files, then directories, deepest
// first.
func (s *stager) cleanup() {
	for _, t := range s.temps {
		s.root.Remove(t)
	}
	for _, d := range slices.Backward(s.dirs) {
		s.root.Remove(d) // fails, harmlessly, if someone put a file there
	}
}

// commit renames and removes; it does not stop at the first failure (or on
// cancellation), so the set ends as complete as the disk allows.
func (s *stager) commit(todo []Change) error {
	var done, failed []string
	var first error
	parents := map[string]bool{}
	for _, c := range todo {
		var err error
		if c.Action == Remove {
			err = s.root.Remove(c.Path)
			if err != nil {
				err = fmt.Errorf("remove %s: %w", c.Path, cause(err))
			}
		} else if err = rename(s.root, s.temps[c.Path], c.Path); err != nil {
			s.root.Remove(s.temps[c.Path])
			err = fmt.Errorf("write %s: %w", c.Path, cause(err))
		}
		if err != nil {
			failed = append(failed, c.Path)
			if first == nil {
				first = err
			}
			continue
		}
		done = append(done, c.Path)
		parents[path.Dir(c.Path)] = true
	}
	// Make the renames durable; best effort (Windows cannot sync a directory).
	for d := range parents {
		if f, err := s.root.Open(d); err == nil {
			f.Sync()
			f.Close()
		}
	}
	if first != nil {
		return fmt.Errorf("%w; written: %s; not written: %s", first, list(done), list(failed))
	}
	return nil
}

func list(ps []string) string {
	if len(ps) == 0 {
		return "none"
	}
	return strings.Join(ps, ", ")
}
