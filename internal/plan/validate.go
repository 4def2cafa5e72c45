package plan

import (
	"fmt"
	"path"
	"regexp"
	"strings"
)

// nameRE is what every binary and service name must be: a BuildKit stage
// name that compose also takes as a service name.
var nameRE = regexp.MustCompile(`^[a-z][a-z0-9._-]{0,62}$`)

// Validate checks the invariants every later step relies on. Make's plans
// hold them by construction; a plan read back from .dockgen.yaml (which
// arrives with the repository) is checked before anyone uses it.
func (p *Plan) Validate() error {
	names := map[string]bool{}
	for _, b := range p.Binaries {
		if !nameRE.MatchString(b.Name) {
			return fmt.Errorf("binary name %q is not a valid stage name", b.Name)
		}
		if names[b.Name] {
			return fmt.Errorf("binary name %q is used twice", b.Name)
		}
		names[b.Name] = true
		if b.Main != "." && (!strings.HasPrefix(b.Main, "./") || path.Clean(b.Main) != strings.TrimPrefix(b.Main, "./") || strings.Contains(b.Main, "..")) {
			return fmt.Errorf("binary %s: main package dir %q is not a clean relative dir", b.Name, b.Main)
		}
		if b.Port < 0 || b.Port > 65535 || b.HostPort < 0 || b.HostPort > 65535 {
			return fmt.Errorf("binary %s: port out of range", b.Name)
		}
		if pr := b.Probe; pr != nil && (pr.Port < 0 || pr.Port > 65535 || path.Clean(pr.File) != pr.File || strings.HasPrefix(pr.File, "/") || strings.HasPrefix(pr.File, "..")) {
			return fmt.Errorf("binary %s: bad probe", b.Name)
		}
	}
	for _, s := range p.Services {
		if !nameRE.MatchString(s.Name) || names[s.Name] {
			return fmt.Errorf("service name %q is not valid or not unique", s.Name)
		}
		names[s.Name] = true
	}
	return nil
}
