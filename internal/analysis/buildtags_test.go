package analysis

import (
	"reflect"
	"testing"
)

func TestBuildTagSources(t *testing.T) {
	for _, tc := range []struct {
		name, file, content string
		want                *BuildTags
	}{
		{"makefile", "Makefile", "build:\n\tgo build -tags \"sqlite_fts5 netgo\" -o bin/app ./cmd/app\n", &BuildTags{Tags: []string{"netgo", "sqlite_fts5"}, Source: "Makefile:2"}},
		{"makefile equals", "Makefile", "all:\n\tCGO_ENABLED=1 go install -tags=a,b ./...\n", &BuildTags{Tags: []string{"a", "b"}, Source: "Makefile:2"}},
		{"dockerfile", "Dockerfile", "FROM golang\nRUN go build -tags 'prod' -o /app .\n", &BuildTags{Tags: []string{"prod"}, Source: "Dockerfile:2"}},
		{"no tags", "Makefile", "build:\n\tgo build ./...\n", nil},
		{"bad tag", "Makefile", "b:\n\tgo build -tags '$(TAGS)'\n", nil},
	} {
		got := commandLineTags([]byte(tc.content), tc.file)
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
	}
	for _, tc := range []struct {
		name, yaml string
		want       *BuildTags
	}{
		{"first build", "version: 2\nbuilds:\n  - id: a\n    tags: [x]\n  - id: b\n    flags: [-trimpath, -tags=y,x]\n", &BuildTags{Tags: []string{"x"}, Source: ".goreleaser.yaml:3"}},
		{"flags", "builds:\n  - flags: [-trimpath, \"-tags=y,x\"]\n", &BuildTags{Tags: []string{"x", "y"}, Source: ".goreleaser.yaml:2"}},
		// ntfy: the Windows build leaves the server out; the image is the linux build.
		{"linux build", "builds:\n  - id: win\n    tags: [noserver]\n    goos: [windows]\n  - id: lin\n    tags: [netgo]\n    goos: [linux, darwin]\n", &BuildTags{Tags: []string{"netgo"}, Source: ".goreleaser.yaml:5"}},
		{"skipped build", "builds:\n  - skip: true\n    tags: [a]\n  - tags: [b]\n", &BuildTags{Tags: []string{"b"}, Source: ".goreleaser.yaml:4"}},
		{"no linux build", "builds:\n  - goos: [windows]\n    tags: [a]\n", nil},
		{"not a mapping", "- a\n", nil},
	} {
		if got := goreleaserTags([]byte(tc.yaml), ".goreleaser.yaml"); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("goreleaser %s: %+v, want %+v", tc.name, got, tc.want)
		}
	}
}
