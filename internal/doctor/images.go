package doctor

import (
	"go/version"
	"strings"
)

// imageRef is a FROM reference split into its parts.
type imageRef struct {
	raw    string // as written, after build-arg expansion
	repo   string // "golang", "gcr.io/distroless/static-debian12"
	tag    string // "" when none
	digest string // "" when none
}

func parseImage(s string) imageRef {
	ref := imageRef{raw: s}
	rest := s
	if i := strings.Index(rest, "@"); i >= 0 {
		ref.digest = rest[i+1:]
		rest = rest[:i]
	}
	if i := strings.LastIndex(rest, ":"); i > strings.LastIndex(rest, "/") {
		ref.tag = rest[i+1:]
		rest = rest[:i]
	}
	ref.repo = strings.ToLower(rest)
	for _, p := range []string{"docker.io/library/", "docker.io/", "index.docker.io/library/"} {
		ref.repo = strings.TrimPrefix(ref.repo, p)
	}
	return ref
}

func (r imageRef) scratch() bool { return r.repo == "scratch" }

// last is the repository's last path element ("static-debian12").
func (r imageRef) last() string { return r.repo[strings.LastIndex(r.repo, "/")+1:] }

// libc is what C library an image offers a dynamically linked binary.
type libc int

const (
	libcUnknown libc = iota
	libcNone
	libcMusl
	libcGlibc
)

// traits is what doctor knows about a base image: enough to tell whether a
// cgo binary, a shell-form command or a wget probe can run on it.
type traits struct {
	known   bool // the image family is recognised; unknown images are given the benefit of the doubt
	shell   bool
	libc    libc
	tools   map[string]bool // programs the image ships (wget, curl)
	nonroot bool            // the image's config runs as a non-root user
	golang  bool            // an official Go toolchain image
}

func (t traits) has(tool string) bool { return !t.known || t.tools[tool] }

// baseTraits recognises the families people put Go binaries on.
func baseTraits(r imageRef) traits {
	tag := strings.ToLower(r.tag)
	last := r.last()
	switch {
	case r.scratch():
		return traits{known: true, libc: libcNone}
	case strings.Contains(r.repo, "distroless/"):
		t := traits{known: true, libc: libcGlibc, nonroot: strings.Contains(tag, "nonroot")}
		if strings.HasPrefix(last, "static") {
			t.libc = libcNone
		}
		if strings.Contains(tag, "debug") { // busybox at /busybox
			t.shell, t.tools = true, map[string]bool{"wget": true, "sh": true}
		}
		return t
	case strings.HasPrefix(r.repo, "cgr.dev/chainguard/"):
		t := traits{known: true, libc: libcGlibc, nonroot: true}
		if last == "static" {
			t.libc = libcNone
		}
		if strings.Contains(tag, "dev") {
			t.shell, t.tools = true, map[string]bool{"wget": true, "sh": true}
		}
		return t
	case last == "golang":
		if strings.Contains(tag, "alpine") {
			return traits{known: true, shell: true, libc: libcMusl, golang: true, tools: map[string]bool{"wget": true, "sh": true}}
		}
		return traits{known: true, shell: true, libc: libcGlibc, golang: true,
			tools: map[string]bool{"wget": true, "curl": true, "sh": true, "bash": true, "git": true}}
	case last == "alpine" || strings.Contains(tag, "alpine"):
		return traits{known: true, shell: true, libc: libcMusl, tools: map[string]bool{"wget": true, "sh": true}}
	case last == "busybox":
		return traits{known: true, shell: true, tools: map[string]bool{"wget": true, "sh": true}}
	case last == "debian" || last == "ubuntu":
		return traits{known: true, shell: true, libc: libcGlibc, tools: map[string]bool{"sh": true, "bash": true}}
	}
	return traits{shell: true}
}

// golangVersion is the Go version a golang image tag names ("1.22" from
// "1.22-bookworm", "1.22.3" from "1.22.3-alpine3.20"), "" when the tag names
// none (latest, bookworm, alpine, 1).
func golangVersion(tag string) string {
	v, _, _ := strings.Cut(tag, "-")
	if strings.Count(v, ".") == 0 || !version.IsValid("go"+v) {
		return ""
	}
	return v
}

// olderGo reports whether the Go of a golang tag (as golangVersion returns
// it) is older than need ("1.25", "1.25.0", "go1.26.1"). A tag without a
// patch release ("1.24") stands for that line's newest release, so it is
// compared by language version only.
func olderGo(tag, need string) bool {
	need = "go" + strings.TrimPrefix(need, "go")
	if !version.IsValid(need) {
		return false
	}
	have := "go" + tag
	if strings.Count(tag, ".") == 1 && !strings.ContainsAny(tag, "abcdefghijklmnopqrstuvwxyz") {
		return version.Compare(have, version.Lang(need)) < 0
	}
	return version.Compare(have, need) < 0
}
