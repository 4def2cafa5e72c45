package plan

import (
	"path"
	"slices"
	"strings"

	"github.com/dockgen/dockgen/internal/analysis"
)

// homeDir is the non-root user's home, and the working directory of an
// image whose program writes (or reads) relative paths: the same on every
// base, so relative paths resolve the same way everywhere.
const homeDir = "/home/nonroot"

// systemDirs are directories the base images have (or must keep): never
// a volume.
var systemDirs = map[string]bool{"/": true, "/home": true, "/etc": true, "/usr": true, "/usr/local": true, "/var": true,
	"/var/lib": true, "/var/log": true, "/var/run": true, "/run": true, "/opt": true, "/srv": true, "/root": true, "/bin": true,
	"/sbin": true, "/lib": true, "/dev": true, "/proc": true, "/sys": true, "/mnt": true, "/media": true}

// volumes makes the paths the program writes writable under a read-only
// root: each becomes a directory owned by the image's user, declared as a
// VOLUME (so a plain `docker run --read-only` works too), and mounted as a
// named volume in compose (so the data survives `down`/`up`).
func (m *maker) volumes(b *Binary, mn analysis.Main) {
	type dir struct{ path, source string }
	var dirs []dir
	for _, w := range mn.Writes {
		p := w.Path
		switch {
		case p == "$HOME":
			p = homeDir
			b.Env = append(b.Env, EnvVar{Name: "HOME", Value: homeDir})
		case !path.IsAbs(p):
			b.WorkDir = homeDir
			p = path.Join(homeDir, p)
		}
		if !w.Dir {
			p = path.Dir(p)
		}
		p = path.Clean(p)
		switch {
		case p == "/tmp" || strings.HasPrefix(p, "/tmp/"):
			continue // the tmpfs
		case systemDirs[p] || !plainPath.MatchString(p):
			// A volume there would hide the base image's files, and a
			// directory the base already has keeps its owner (root):
			// COPY --chown only owns what it creates.
			m.warn("write-path", w.Source, "%s writes %q, which resolves to %s: a volume cannot go there; make the path configurable and point it at its own directory", b.Name, w.Path, p)
			continue
		}
		dirs = append(dirs, dir{p, w.Source})
	}
	slices.SortFunc(dirs, func(x, y dir) int { return strings.Compare(x.path, y.path) })
	used := map[string]bool{}
	for _, d := range dirs {
		// A volume covers what is under it.
		if slices.ContainsFunc(b.Volumes, func(v Volume) bool { return d.path == v.Path || strings.HasPrefix(d.path, v.Path+"/") }) {
			continue
		}
		slug := strings.Trim(strings.NewReplacer("/", "-", ".", "-", "_", "-").Replace(strings.TrimPrefix(d.path, homeDir)), "-")
		if slug == "" {
			slug = "home"
		}
		b.Volumes = append(b.Volumes, Volume{Path: d.path, Name: freeName(b.Name+"-"+slug, used), Source: d.source})
		m.note(d.source, "%s writes under %s: the image makes it a volume owned by %s, and compose mounts the named volume %s there", b.Name, d.path, User, b.Volumes[len(b.Volumes)-1].Name)
	}
	if len(b.Volumes) > 0 {
		m.p.Builder.EmptyDir = true
	}
}
