package plan

import (
	"strings"

	"github.com/dockgen/dockgen/internal/analysis"
)

// maxName keeps names (stages, services, output paths) readable and well
// inside every limit Docker and compose have.
const maxName = 63

// binaryNames gives every main its one name, in facts order: the go build
// name made Docker-safe (BuildKit stage names: [a-z][a-z0-9._-]*; compose
// service names accept the same), unique across the module. "my_worker"
// and "my.app" stay as they are; "API" becomes "api", "9lives" "app-9lives".
func binaryNames(mains []analysis.Main) []string {
	// docker-bake.hcl's groups share the targets' namespace.
	used := map[string]bool{"default": true, "release": true}
	out := make([]string, len(mains))
	for i, m := range mains {
		out[i] = freeName(dockerName(m.Name), used)
	}
	return out
}

// dockerName maps a binary name to [a-z][a-z0-9._-]*: lower case, any
// other character becomes "-", runs of separators collapse, and a name
// that does not start with a letter gets "app-" in front.
func dockerName(name string) string {
	var b strings.Builder
	sep := byte(0)
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if sep != 0 && b.Len() > 0 {
				b.WriteByte(sep)
			}
			b.WriteRune(r)
			sep = 0
		case r == '.' || r == '_':
			if sep == 0 {
				sep = byte(r)
			}
		default:
			sep = '-'
		}
	}
	n := b.String()
	if len(n) > maxName {
		n = strings.TrimRight(n[:maxName], "-._")
	}
	if n == "" {
		return "app"
	}
	if n[0] < 'a' || n[0] > 'z' {
		n = "app-" + n
	}
	return n
}

// projectName is the compose project name: the module path without its
// host and major-version suffix, so github.com/acme/api/v2 is "acme-api"
// (not "v2"), in compose's alphabet [a-z0-9_-], starting with a letter or
// digit.
func projectName(module string) string {
	elems := strings.Split(module, "/")
	if len(elems) > 1 && strings.Contains(elems[0], ".") {
		elems = elems[1:]
	}
	if len(elems) > 1 && isMajorVersion(elems[len(elems)-1]) {
		elems = elems[:len(elems)-1]
	}
	n := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-' {
			return r
		}
		return '-'
	}, strings.ToLower(strings.Join(elems, "-")))
	n = strings.Trim(n, "-_")
	for strings.Contains(n, "--") {
		n = strings.ReplaceAll(n, "--", "-")
	}
	if len(n) > maxName {
		n = strings.TrimRight(n[:maxName], "-_")
	}
	if n == "" {
		return "app"
	}
	return n
}

func isMajorVersion(s string) bool {
	if len(s) < 2 || s[0] != 'v' {
		return false
	}
	for _, r := range s[1:] {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != "v0" && s != "v1"
}
