package plan

import (
	"path"
	"slices"
	"strings"

	"github.com/moby/patternmatcher"

	"github.com/dockgen/dockgen/internal/analysis"
)

// configExts are the extensions of files a user supplies (config, not
// code): when the repository lacks one, compose mounts it from the host.
var configExts = []string{".yaml", ".yml", ".toml", ".json", ".ini", ".conf", ".cfg", ".env", ".properties", ".hcl"}

// runtimeFiles puts the files the program reads at run time where it looks
// for them: copied from the build context into the runtime stage under its
// working directory — unless they look like secrets or are missing, which
// makes them the user's to supply (a compose bind mount, never baked in).
func (m *maker) runtimeFiles(b *Binary, mn analysis.Main) {
	reads := slices.Clone(mn.Reads)
	// Config files a library loads by default (viper's config.yaml):
	// defaults found there hold in the container only if it carries them.
	for _, c := range mn.ConfigFiles {
		if !slices.ContainsFunc(reads, func(r analysis.Read) bool { return r.Path == c }) {
			reads = append(reads, analysis.Read{Path: c, Exists: true, Source: c})
		}
	}
	for _, r := range reads {
		dst := path.Join(homeDir, r.Path)
		if slices.ContainsFunc(b.Volumes, func(v Volume) bool { return dst == v.Path || strings.HasPrefix(dst, v.Path+"/") }) {
			continue // written there too: it lives in the volume
		}
		src := r.Path
		if r.Glob {
			src = globDir(r.Path)
		}
		switch {
		case !plainPath.MatchString(src):
			m.warn("read-path", r.Source, "%s reads %q, which the Dockerfile cannot copy safely: copy it yourself", b.Name, r.Path)
		case r.Exists && secretFile(src):
			b.Mounts = append(b.Mounts, Mount{Host: "./" + src, Path: path.Join(homeDir, src), Source: r.Source})
			m.warn("secret-file", r.Source, "%s reads %s, which looks like a secret: it is never copied into the image; compose mounts it read-only from the host", b.Name, src)
		case r.Exists:
			b.Files = appendFile(b.Files, RuntimeFile{Src: src, Path: path.Join(homeDir, src), Dir: r.Dir || r.Glob, Source: r.Source})
		case slices.Contains(configExts, path.Ext(r.Path)):
			b.Mounts = append(b.Mounts, Mount{Host: "./" + src, Path: dst, Source: r.Source})
			how := "create it"
			if r.Sample != "" {
				how = "copy " + r.Sample + " to " + r.Path + " and fill it in"
			}
			m.warn("config-missing", r.Source, "%s reads %s, which is not in the repository (it is yours to supply: %s); compose mounts it read-only, the image does not carry it", b.Name, r.Path, how)
		default:
			m.warn("read-missing", r.Source, "%s reads %s, which is not in the repository: if a build step makes it, add that step to the Dockerfile", b.Name, r.Path)
		}
	}
	if len(b.Files) > 0 || len(b.Mounts) > 0 {
		b.WorkDir = homeDir
	}
}

// globDir is the directory part of a glob before any pattern character
// ("templates/*.html" → "templates"; "*.html" → the pattern itself).
func globDir(g string) string {
	i := strings.IndexAny(g, "*?[")
	if d := path.Dir(g[:i]); i > 0 && d != "." {
		return d
	}
	return g
}

// appendFile adds a file unless a directory already copied holds it.
func appendFile(fs []RuntimeFile, f RuntimeFile) []RuntimeFile {
	for _, x := range fs {
		if x.Src == f.Src || x.Dir && strings.HasPrefix(f.Src, x.Src+"/") {
			return fs
		}
	}
	return append(fs, f)
}

// secretFile reports whether a path matches the .dockerignore's secret
// patterns: such a file stays out of the image.
func secretFile(p string) bool {
	pm, err := patternmatcher.New(ignoreGroups[1].Patterns)
	if err != nil {
		return false
	}
	ok, _ := pm.MatchesOrParentMatches(p)
	return ok
}
