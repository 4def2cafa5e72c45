package analysis

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// BuildTags are the build tags the repository itself builds with, and
// where that was read: `.goreleaser.yaml` builds, a Makefile's `go build`,
// or a hand-written Dockerfile's. The analysis reads the code with them, and
// the image builds with them (a file excluded without a tag, a driver
// feature like sqlite_fts5).
type BuildTags struct {
	Tags   []string `json:"tags"`
	Source string   `json:"source"`
}

var (
	// tagsFlagRE is -tags in a go build command line: -tags=a,b, -tags "a b".
	tagsFlagRE = regexp.MustCompile(`-tags[= ]+(?:"([^"]*)"|'([^']*)'|([^\s"']+))`)
	tagRE      = regexp.MustCompile(`^[A-Za-z0-9_.]+$`)
)

// buildTags finds the tags the repository builds with, first found wins in
// this order: .goreleaser.yaml/.yml, Makefile, a hand-written Dockerfile.
func (a *analyzer) buildTags() (*BuildTags, []Warning) {
	for _, name := range []string{".goreleaser.yaml", ".goreleaser.yml"} {
		b, err := a.readFile(filepath.Join(a.root, name), maxModFile)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, []Warning{{Code: "buildtags-unreadable", Source: name, Message: fmt.Sprintf("cannot read %s (%v): its build tags are not used", name, unwrapPath(err))}}
		}
		if t := goreleaserTags(b, name); t != nil {
			return t, nil
		}
	}
	for _, name := range []string{"Makefile", "makefile", "GNUmakefile", "Dockerfile"} {
		b, err := a.readFile(filepath.Join(a.root, name), maxModFile)
		if err != nil {
			continue
		}
		if name == "Dockerfile" && bytes.Contains(bytes.ToLower(b[:min(len(b), 512)]), []byte(generatedHeader)) {
			continue // dockgen's own output is not evidence
		}
		if t := commandLineTags(b, name); t != nil {
			return t, nil
		}
	}
	return nil, nil
}

// goreleaserTags reads builds[].tags and -tags in builds[].flags.
func goreleaserTags(b []byte, name string) *BuildTags {
	var root yaml.Node
	if yaml.Unmarshal(b, &root) != nil || len(root.Content) == 0 {
		return nil
	}
	var doc struct {
		Builds []struct {
			Tags  []string `yaml:"tags"`
			Flags []string `yaml:"flags"`
		} `yaml:"builds"`
	}
	if root.Content[0].Decode(&doc) != nil {
		return nil
	}
	line := 0
	for i, n := range root.Content[0].Content {
		if n.Value == "builds" && i%2 == 0 {
			line = n.Line
		}
	}
	var tags []string
	for _, bl := range doc.Builds {
		tags = append(tags, bl.Tags...)
		for _, f := range bl.Flags {
			tags = append(tags, flagTags(f)...)
		}
	}
	return tagsAt(tags, fmt.Sprintf("%s:%d", name, line))
}

// commandLineTags reads -tags from the first `go build`/`go install` line.
func commandLineTags(b []byte, name string) *BuildTags {
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		l := sc.Text()
		if !strings.Contains(l, "go build") && !strings.Contains(l, "go install") {
			continue
		}
		if t := tagsAt(flagTags(l), fmt.Sprintf("%s:%d", name, n)); t != nil {
			return t
		}
	}
	return nil
}

func flagTags(s string) []string {
	m := tagsFlagRE.FindStringSubmatch(s)
	if m == nil {
		return nil
	}
	v := m[1] + m[2] + m[3]
	return strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' })
}

// tagsAt keeps the valid tags, sorted and unique; nil when none.
func tagsAt(tags []string, src string) *BuildTags {
	var out []string
	for _, t := range tags {
		if tagRE.MatchString(t) && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	if len(out) == 0 {
		return nil
	}
	slices.Sort(out)
	return &BuildTags{Tags: out, Source: src}
}
