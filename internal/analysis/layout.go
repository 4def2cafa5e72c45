package analysis

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// repoRoot is the repository that holds the module: the nearest directory
// at or above it with a .git (a directory, or a file for worktrees and
// submodules). "" when there is none: then nothing outside the module may
// join the build context, since where the repository ends is unknown.
func (a *analyzer) repoRoot() string {
	for dir := a.root; ; {
		if _, err := a.lstat(filepath.Join(dir, ".git")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// modulesBelow lists the module directories under dir that have a main
// package, for the error when dir itself is not a module: `dockgen init
// backend` is then what to run. The walk is bounded (depth and count) and
// skips what is never a module of the repository.
func modulesBelow(dir string) []string {
	const maxDepth, maxDirs = 5, 2000
	var out []string
	seen := 0
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		name := d.Name()
		if seen++; seen > maxDirs || rel != "." && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "vendor" || name == "node_modules" || name == "testdata" || strings.Count(rel, string(filepath.Separator)) >= maxDepth) {
			return filepath.SkipDir
		}
		if rel != "." && isRegular(filepath.Join(p, "go.mod")) && hasMainBelow(p) {
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	slices.Sort(out)
	return out
}

// hasMainBelow reports whether a module has a `package main` file in its
// root or one level of cmd/-style directories below (enough to suggest it).
func hasMainBelow(mod string) bool {
	for _, pattern := range []string{"*.go", "*/*.go", "*/*/*.go"} {
		files, _ := filepath.Glob(filepath.Join(mod, pattern))
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") || !isRegular(f) {
				continue
			}
			b, err := readFile(f, maxGoFile)
			if err == nil && bytes.Contains(b[:min(len(b), 4096)], []byte("package main")) {
				return true
			}
		}
	}
	return false
}

func isRegular(name string) bool {
	fi, err := os.Lstat(name)
	return err == nil && fi.Mode().IsRegular()
}
