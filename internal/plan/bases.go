package plan

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Base is one runtime base image dockgen knows: one row of the catalogue.
// Everything dockgen says or decides about a base (wizard help, which image
// a cgo binary gets, what must be copied in, whether a tool can be
// installed) is read from this table; adding a base is adding a row.
type Base struct {
	// Name is the answer value (`--base NAME`, `base:` in .dockgen.yaml).
	Name string `yaml:"name"`
	// Image runs a static binary; GlibcImage a dynamically linked cgo one
	// ("" when the base has no glibc).
	Image      string `yaml:"image"`
	GlibcImage string `yaml:"glibc_image,omitempty"`
	// DebugImage and GlibcDebugImage add a shell for `docker exec` ("" when
	// the base has no such variant; bases with a shell need none).
	DebugImage      string `yaml:"debug_image,omitempty"`
	GlibcDebugImage string `yaml:"glibc_debug_image,omitempty"`
	// Libc is what the image's C library is: "none", "glibc" or "musl".
	Libc  string `yaml:"libc"`
	Shell bool   `yaml:"shell"`
	// Has lists the runtime needs the image already meets: NeedCA,
	// NeedTZ, NeedPasswd.
	Has []string `yaml:"has,omitempty"`
	// Apt: Debian packages can be installed (runtime tools such as git).
	Apt bool `yaml:"apt,omitempty"`
	// SizeMB is the image's size on disk without the binary, roughly, for
	// the wizard's estimate (static image; glibc image in GlibcSizeMB).
	SizeMB      float64 `yaml:"size_mb"`
	GlibcSizeMB float64 `yaml:"glibc_size_mb,omitempty"`
	// Summary is the wizard's one-line why.
	Summary string `yaml:"summary"`
}

// Runtime needs a base may lack, as the analysis names them.
const (
	NeedCA     = "ca-certificates"
	NeedTZ     = "tzdata"
	NeedPasswd = "passwd"
)

// Paths copied from the builder (golang:*-bookworm) to meet a need.
var needCopies = map[string]string{
	NeedCA: "/etc/ssl/certs/ca-certificates.crt",
	NeedTZ: "/usr/share/zoneinfo",
}

// Bases is the catalogue, default first. Images are pinned by tag;
// `dockgen pin` adds digests.
var Bases = []Base{
	{Name: "distroless",
		Image: "gcr.io/distroless/static-debian12:nonroot", GlibcImage: "gcr.io/distroless/base-debian12:nonroot",
		DebugImage: "gcr.io/distroless/static-debian12:debug-nonroot", GlibcDebugImage: "gcr.io/distroless/base-debian12:debug-nonroot",
		Libc: "none (glibc in the base variant)", Has: []string{NeedCA, NeedTZ, NeedPasswd},
		SizeMB: 2, GlibcSizeMB: 20,
		Summary: "no shell or package manager; CA roots, tzdata and a nonroot user; glibc variant for cgo — the smallest safe default"},
	{Name: "scratch", Image: "scratch", Libc: "none",
		Summary: "empty: dockgen copies in CA roots (and zoneinfo, /etc/passwd when the code needs them); static binaries only"},
	{Name: "alpine", Image: "alpine:3.22", Libc: "musl", Shell: true, Has: []string{NeedCA, NeedPasswd},
		SizeMB:  8,
		Summary: "busybox shell and apk for debugging; musl, so static binaries only"},
	{Name: "debian", Image: "debian:bookworm-slim", GlibcImage: "debian:bookworm-slim", Libc: "glibc", Shell: true,
		Has: []string{NeedPasswd}, Apt: true, SizeMB: 75, GlibcSizeMB: 75,
		Summary: "a shell, glibc and apt (runtime tools can be installed); dockgen copies CA roots and zoneinfo when needed"},
}

// DefaultBase is the base used when nothing else is asked for.
const DefaultBase = "distroless"

// BaseNamed returns the catalogue row for an answer value.
func BaseNamed(name string) (Base, bool) {
	i := slices.IndexFunc(Bases, func(b Base) bool { return b.Name == name })
	if i < 0 {
		return Base{}, false
	}
	return Bases[i], true
}

// BaseNames lists the answer values, default first.
func BaseNames() []string {
	var out []string
	for _, b := range Bases {
		out = append(out, b.Name)
	}
	return out
}

// CheckBase is the usage check for a --base value.
func CheckBase(name string) error {
	if _, ok := BaseNamed(name); !ok {
		return fmt.Errorf("unknown base %q: choose one of %s", name, strings.Join(BaseNames(), ", "))
	}
	return nil
}

// MarshalYAML saves a base by name: the catalogue row is dockgen's, not
// the repository's.
func (b Base) MarshalYAML() (any, error) { return b.Name, nil }

// UnmarshalYAML reads a saved base name back into its catalogue row.
func (b *Base) UnmarshalYAML(n *yaml.Node) error {
	row, ok := BaseNamed(n.Value)
	if !ok {
		return fmt.Errorf("line %d: unknown base %q", n.Line, n.Value)
	}
	*b = row
	return nil
}

// RunsGlibc reports whether the base can run a dynamically linked cgo
// binary.
func (b Base) RunsGlibc() bool { return b.GlibcImage != "" }

// image picks the row's image for a binary.
func (b Base) image(glibc, debug bool) string {
	switch {
	case glibc && debug && b.GlibcDebugImage != "":
		return b.GlibcDebugImage
	case glibc:
		return b.GlibcImage
	case debug && b.DebugImage != "":
		return b.DebugImage
	}
	return b.Image
}

// size is the row's approximate size for a binary.
func (b Base) size(glibc bool) float64 {
	if glibc {
		return b.GlibcSizeMB
	}
	return b.SizeMB
}

// has reports whether the image meets a runtime need.
func (b Base) has(need string) bool { return slices.Contains(b.Has, need) }
