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
	got := goreleaserTags([]byte("version: 2\nbuilds:\n  - id: a\n    tags: [x]\n  - id: b\n    flags: [-trimpath, -tags=y,x]\n"), ".goreleaser.yaml")
	if want := (&BuildTags{Tags: []string{"x", "y"}, Source: ".goreleaser.yaml:2"}); !reflect.DeepEqual(got, want) {
		t.Errorf("goreleaser: %+v, want %+v", got, want)
	}
}
