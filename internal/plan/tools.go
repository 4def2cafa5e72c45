package plan

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dockgen/dockgen/internal/analysis"
)

// execNeed is the prefix of a runtime need for a program the code runs
// (exec.Command("git", …) → "exec:git").
const execNeed = "exec:"

// toolPackages maps a program the code runs to the Debian package that
// provides it: the runtime image gets it with apt (only a base with apt
// can carry tools; the plan picks debian for such a binary).
var toolPackages = map[string]string{
	"git": "git", "ssh": "openssh-client", "scp": "openssh-client", "curl": "curl", "wget": "wget",
	"ffmpeg": "ffmpeg", "ffprobe": "ffmpeg", "convert": "imagemagick", "magick": "imagemagick", "identify": "imagemagick",
	"gpg": "gnupg", "rsync": "rsync", "zip": "zip", "unzip": "unzip", "xz": "xz-utils", "zstd": "zstd", "bzip2": "bzip2",
	"jq": "jq", "sqlite3": "sqlite3", "pg_dump": "postgresql-client", "psql": "postgresql-client", "pg_restore": "postgresql-client",
	"mysqldump": "mariadb-client", "mysql": "mariadb-client", "redis-cli": "redis-tools", "openssl": "openssl",
	"gs": "ghostscript", "pandoc": "pandoc", "pdftotext": "poppler-utils", "exiftool": "libimage-exiftool-perl",
	"tesseract": "tesseract-ocr", "wkhtmltopdf": "wkhtmltopdf", "chromium": "chromium", "dot": "graphviz",
	"python3": "python3", "node": "nodejs", "make": "make", "docker": "docker.io", "kubectl": "kubernetes-client",
	"hg": "mercurial", "svn": "subversion", "bzr": "bzr", "nsenter": "util-linux", "iptables": "iptables", "ip": "iproute2",
	"ping": "iputils-ping", "dig": "dnsutils", "host": "bind9-host",
}

// baseTools are programs every apt base (debian:bookworm-slim) has.
var baseTools = []string{"sh", "bash", "dash", "cat", "ls", "cp", "mv", "rm", "mkdir", "tar", "gzip", "gunzip", "sed", "grep", "find", "env", "date", "sleep", "true", "false", "test", "echo", "uname", "id", "kill", "ps"}

// tools decides how a binary gets the programs it runs: the base must carry
// them (debian with apt, unless the user chose another base, which is then
// a warning), installed in the runtime stage.
func (m *maker) tools(b *Binary, mn analysis.Main) {
	var need []analysis.Need
	for _, n := range mn.NeedSources {
		if strings.HasPrefix(n.Need, execNeed) {
			need = append(need, n)
		}
	}
	if len(need) == 0 {
		return
	}
	base := b.Base
	if m.a.Base == "" && !base.Apt {
		debian, _ := BaseNamed("debian")
		tool, src := strings.TrimPrefix(need[0].Need, execNeed), need[0].Source
		b.BaseWhy = fmt.Sprintf("it runs %s (%s), which the %s base cannot carry", tool, src, base.Name)
		m.note(src, "%s is on %s: it runs %s, which the %s base cannot carry (--base overrides)", b.Name, debian.Name, tool, base.Name)
		b.Base, base = debian, debian
	}
	for _, n := range need {
		tool := strings.TrimPrefix(n.Need, execNeed)
		pkg, known := toolPackages[tool]
		switch {
		case base.Apt && slices.Contains(baseTools, tool):
		case !base.Apt:
			m.warn("tool-missing", n.Source, "%s runs %s, which the %s base you chose does not have: it fails at run time unless you add it", b.Name, tool, base.Name)
		case !known:
			m.warn("tool-unknown", n.Source, "%s runs %s, which dockgen cannot map to a Debian package: add it to the runtime stage yourself", b.Name, tool)
		case !slices.Contains(b.Packages, pkg):
			b.Packages = append(b.Packages, pkg)
		}
	}
	slices.Sort(b.Packages)
}
