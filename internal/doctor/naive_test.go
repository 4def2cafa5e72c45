package doctor

import (
	"fmt"
	"path/filepath"
	"slices"
	"testing"
)

// naiveExpect is what dockgen's analysis says of the naive fixtures: one
// HTTP service at the module root on 8080.
func naiveExpect(module, goVersion string, cgo bool) *Expect {
	b := Binary{Name: filepath.Base(module), Dir: ".", Port: 8080, PortSource: "main.go:3", LongRunning: true}
	if cgo {
		b.Cgo, b.CgoReason, b.CgoSource = true, "github.com/mattn/go-sqlite3 uses cgo", "main.go:3"
	}
	return &Expect{Module: module, GoVersion: goVersion, GoSource: "go.mod:3", Binaries: []Binary{b}}
}

// TestNaiveDockerfiles: the Dockerfiles people write from the seed article
// are reported at the lines where they go wrong.
func TestNaiveDockerfiles(t *testing.T) {
	cases := []struct {
		dir  string
		exp  *Expect
		want []string // rule@file:line, each must be reported
	}{
		{"article", naiveExpect("example.com/myapp", "1.21", false), []string{
			"DG201@.dockerignore:1", // no .dockerignore
			"DG115@Dockerfile:4",    // COPY . . before any module layer
			"DG105@Dockerfile:5",    // cgo on by default in golang:1.21, alpine runtime
			"DG114@Dockerfile:8",    // root
			"DG120@Dockerfile:8",    // alpine:latest
			"DG111@Dockerfile:8",    // a server without HEALTHCHECK
		}},
		{"shellcmd", naiveExpect("example.com/main", "1.21", false), []string{
			"DG114@Dockerfile:1", // root, single stage
			"DG115@Dockerfile:3", // COPY . . first
			"DG116@Dockerfile:6", // CMD ./main: sh is PID 1
		}},
		{"distroless-wget", naiveExpect("example.com/server", "1.22", false), []string{
			"DG112@Dockerfile:12", // shell-form wget probe on distroless: no shell, no wget
			"DG114@Dockerfile:8",  // distroless without :nonroot runs as root
		}},
		{"alpine-cgo", naiveExpect("example.com/app", "1.22", true), []string{
			"DG104@Dockerfile:8", // cgo binary on musl
		}},
		{"alpine-cgo", nil, []string{
			"DG104@Dockerfile:8", // CGO_ENABLED=1 says as much without facts
		}},
	}
	for _, tc := range cases {
		t.Run(tc.dir, func(t *testing.T) {
			rep, err := Check(filepath.Join("testdata", "naive", tc.dir), Files{}, tc.exp)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range rep.Findings {
				got = append(got, fmt.Sprintf("%s@%s:%d", f.Rule, f.File, f.Line))
			}
			for _, w := range tc.want {
				if !slices.Contains(got, w) {
					t.Errorf("missing %s", w)
				}
			}
			if !rep.HasErrors() && slices.ContainsFunc(tc.want, func(w string) bool { return ruleByID[w[:5]].Severity == Error }) {
				t.Errorf("HasErrors is false")
			}
			if t.Failed() {
				t.Logf("got:\n%s", dump(rep))
			}
		})
	}
}
