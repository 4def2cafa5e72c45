package doctor

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dockgen/dockgen/internal/lint"
)

func TestFixDockerfile(t *testing.T) {
	const build = "FROM golang:1.25-bookworm AS build\nWORKDIR /src\nCOPY go.mod ./\nRUN go mod download\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /out/app .\n\n"
	cases := []struct {
		name, in, want string
	}{
		{"shell CMD on alpine",
			build + "FROM alpine:3.22\nCOPY --from=build /out/app /app\nUSER 65532:65532\nCMD /app --listen :8080\n",
			build + "FROM alpine:3.22\nCOPY --from=build /out/app /app\nUSER 65532:65532\nCMD [\"/app\",\"--listen\",\":8080\"]\n"},
		{"quotes, exec, indentation, lower-case keyword",
			build + "FROM alpine:3.22\nUSER 65532\n  entrypoint exec /app --name 'hello world' --greeting \"hi \\\"you\\\"\"\n",
			build + "FROM alpine:3.22\nUSER 65532\n  entrypoint [\"/app\",\"--name\",\"hello world\",\"--greeting\",\"hi \\\"you\\\"\"]\n"},
		{"continuation lines",
			build + "FROM gcr.io/distroless/static-debian12:nonroot\nCOPY --from=build /out/app /app\nENTRYPOINT /app \\\n    -v\n# trailing comment\n",
			build + "FROM gcr.io/distroless/static-debian12:nonroot\nCOPY --from=build /out/app /app\nENTRYPOINT [\"/app\",\"-v\"]\n# trailing comment\n"},
		{"shell operators stay",
			build + "FROM alpine:3.22\nUSER 65532\nCMD /app && echo done\n",
			build + "FROM alpine:3.22\nUSER 65532\nCMD /app && echo done\n"},
		{"expansion stays",
			build + "FROM alpine:3.22\nUSER 65532\nCMD /app --port $PORT\n",
			build + "FROM alpine:3.22\nUSER 65532\nCMD /app --port $PORT\n"},
		{"USER before ENTRYPOINT, after the last RUN",
			build + "FROM alpine:3.22\nRUN apk add --no-cache tzdata\nCOPY --from=build /out/app /app\nEXPOSE 8080\nENTRYPOINT [\"/app\"]\nCMD [\"serve\"]\n",
			build + "FROM alpine:3.22\nRUN apk add --no-cache tzdata\nCOPY --from=build /out/app /app\nEXPOSE 8080\nUSER 65532:65532\nENTRYPOINT [\"/app\"]\nCMD [\"serve\"]\n"},
		{"USER appended when the stage has no ENTRYPOINT, no final newline",
			build + "FROM debian:bookworm-slim\nCOPY --from=build /out/app /usr/local/bin/app",
			build + "FROM debian:bookworm-slim\nCOPY --from=build /out/app /usr/local/bin/app\nUSER 65532:65532"},
		{"USER root is the author's call",
			build + "FROM alpine:3.22\nUSER root\nENTRYPOINT [\"/app\"]\n",
			build + "FROM alpine:3.22\nUSER root\nENTRYPOINT [\"/app\"]\n"},
		{"CRLF and both fixes",
			strings.ReplaceAll(build+"FROM alpine:3.22\nCOPY --from=build /out/app /app\nCMD /app\n", "\n", "\r\n"),
			strings.ReplaceAll(build+"FROM alpine:3.22\nCOPY --from=build /out/app /app\nUSER 65532:65532\nCMD [\"/app\"]\n", "\n", "\r\n")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"Dockerfile": tc.in, "compose.yaml": ""})
			rep, err := Check(dir, Files{}, nil)
			if err != nil {
				t.Fatal(err)
			}
			changed, err := Fix(dir, rep)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := changed["Dockerfile"]
			if !ok {
				got = []byte(tc.in)
			}
			if string(got) != tc.want {
				t.Errorf("fixed Dockerfile:\n%s\nwant:\n%s", got, tc.want)
			}
			if ok == (tc.in == tc.want) {
				t.Errorf("changed map has Dockerfile: %v; want %v", ok, tc.in != tc.want)
			}
		})
	}
}

func TestFixIgnore(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		exp   func(*Expect) *Expect
		want  string // "" : no change
	}{
		{"append to a file without final newline", map[string]string{".dockerignore": "# mine\nbin/\n**/.env"}, nil,
			"# mine\nbin/\n**/.env\n\n# Added by dockgen doctor --fix: keep secrets and version control out of the build context\n.git\n**/.env.*\n**/*.pem\n**/*.key\n**/id_rsa*\n"},
		{"create", map[string]string{".dockerignore": ""}, nil,
			"# Added by dockgen doctor --fix: keep secrets and version control out of the build context\n.git\n**/.env\n**/.env.*\n**/*.pem\n**/*.key\n**/id_rsa*\n"},
		{"never exclude an embedded asset", map[string]string{".dockerignore": ".git\r\n**/.env\r\n**/.env.*\r\n", "certs/dev.key": "k\n"},
			func(e *Expect) *Expect { e.Embeds = []string{"certs"}; return e },
			".git\r\n**/.env\r\n**/.env.*\r\n\r\n# Added by dockgen doctor --fix: keep secrets and version control out of the build context\r\n**/*.pem\r\n**/id_rsa*\r\n"},
		{"complete already", nil, nil, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeFiles(t, tc.files)
			exp := baseExpect()
			if tc.exp != nil {
				exp = tc.exp(exp)
			}
			rep, err := Check(dir, Files{}, exp)
			if err != nil {
				t.Fatal(err)
			}
			changed, err := Fix(dir, rep)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := changed[".dockerignore"]
			if tc.want == "" {
				if ok {
					t.Errorf("changed:\n%s", got)
				}
				return
			}
			if string(got) != tc.want {
				t.Errorf("fixed .dockerignore:\n%q\nwant:\n%q", got, tc.want)
			}
			// Written back, the needed files are still in the context.
			writeChanged(t, dir, changed)
			again, err := Check(dir, Files{}, exp)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range again.Findings {
				if slices.Contains([]string{"DG201", "DG203", "DG204", "DG205", "DG206"}, f.Rule) {
					t.Errorf("after fix: %s %s", f.Rule, f.Message)
				}
			}
		})
	}
}

func writeChanged(t *testing.T, dir string, changed map[string][]byte) {
	t.Helper()
	for name, b := range changed {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// copyDir copies a fixture directory (flat) into a temp dir.
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	ents, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// TestFixRoundTrip: on every naive fixture, the fixed files report none of
// the fixed rules and BuildKit still builds the Dockerfile without new
// complaints.
func TestFixRoundTrip(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("testdata", "naive", "*"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	dirs = append(dirs, filepath.Join("testdata", "golden", "app"))
	for _, src := range dirs {
		t.Run(filepath.Base(src), func(t *testing.T) {
			dir := copyDir(t, src)
			before, err := Check(dir, Files{}, nil)
			if err != nil {
				t.Fatal(err)
			}
			changed, err := Fix(dir, before)
			if err != nil {
				t.Fatal(err)
			}
			fixable := 0
			for _, f := range before.Findings {
				if ruleByID[f.Rule].Fixable {
					fixable++
				}
			}
			if fixable > 0 && len(changed) == 0 {
				t.Fatalf("%d fixable findings, nothing changed", fixable)
			}
			writeChanged(t, dir, changed)
			after, err := Check(dir, Files{}, nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range after.Findings {
				if ruleByID[f.Rule].Fixable || f.Rule == "DG100" {
					t.Errorf("after fix: %s:%d %s %s", f.File, f.Line, f.Rule, f.Message)
				}
			}
			if df, ok := changed["Dockerfile"]; ok {
				if _, err := lint.Dockerfile(df, nil); err != nil {
					t.Errorf("fixed Dockerfile does not build: %v", err)
				}
			}
			// The fix adds nothing BuildKit warns about.
			count := func(r Report) int {
				n := 0
				for _, f := range r.Findings {
					if strings.HasPrefix(f.Rule, bkPrefix) {
						n++
					}
				}
				return n
			}
			if count(after) > count(before) {
				t.Errorf("BuildKit warnings grew: before\n%s\nafter\n%s", dump(before), dump(after))
			}
		})
	}
}
