package lint

import (
	"testing"

	"github.com/moby/patternmatcher"
)

func TestExcluded(t *testing.T) {
	for _, tc := range []struct {
		patterns []string
		path     string
		want     bool
	}{
		{[]string{"**/*.pem", "!certs"}, "certs/ca.pem", true}, // BuildKit's walk: the exception alone does not reach below
		{[]string{"**/*.pem", "!certs", "!certs/**"}, "certs/ca.pem", false},
		{[]string{"**/*.pem"}, "keys/a.pem", true},
		{[]string{"dist/", "!dist/**/*.go"}, "dist/d.go", false},
		{[]string{"dist/"}, "dist/d.go", true},
		{[]string{"*", "!backend"}, "backend/main.go", false},
		{[]string{"*", "!backend"}, "other/x.go", true},
		{[]string{".git"}, "main.go", false},
	} {
		pm, err := patternmatcher.New(tc.patterns)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := Excluded(pm, tc.path); err != nil || got != tc.want {
			t.Errorf("%v %s: %v %v, want %v", tc.patterns, tc.path, got, err, tc.want)
		}
	}
}
