package doctor

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// goodDockerfile is dockgen's reference shape (design §2): every rule is
// quiet on it except DG121 (digest pinning is an option).
const goodDockerfile = `FROM --platform=$BUILDPLATFORM golang:1.25-bookworm AS build
WORKDIR /src
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=bind,source=go.mod,target=go.mod \
    go mod download
ARG TARGETOS TARGETARCH
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    --mount=type=bind,target=. \
    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go build -trimpath -ldflags="-s -w" -o /out/app .

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/app /app
USER 65532:65532
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 CMD ["/app", "-healthcheck"]
ENTRYPOINT ["/app"]
`

const goodIgnore = `.git
**/.env
**/.env.*
**/*.pem
**/*.key
**/id_rsa*
Dockerfile
`

const goodCompose = `services:
  app:
    build:
      context: .
    ports:
      - "127.0.0.1:8080:8080"
    environment:
      API_TOKEN: "${API_TOKEN:?set API_TOKEN}"
    read_only: true
    cap_drop: [ALL]
`

// baseFiles is a module whose container setup is clean.
func baseFiles() map[string]string {
	return map[string]string{
		"go.mod":        "module example.com/app\n\ngo 1.25\n",
		"main.go":       "package main\n\nfunc main() {}\n",
		"Dockerfile":    goodDockerfile,
		".dockerignore": goodIgnore,
		"compose.yaml":  goodCompose,
	}
}

func baseExpect() *Expect {
	return &Expect{Module: "example.com/app", GoVersion: "1.25.0", GoSource: "go.mod:3",
		Binaries: []Binary{{Name: "app", Dir: ".", Port: 8080, PortSource: "main.go:9", LongRunning: true,
			RequiredEnv: []EnvRef{{"API_TOKEN", "main.go:7"}}, SecretEnv: []string{"API_TOKEN"}}}}
}

// writeFiles writes base files with overrides ("" deletes) into a temp dir.
func writeFiles(t *testing.T, over map[string]string) string {
	t.Helper()
	files := baseFiles()
	for k, v := range over {
		files[k] = v
	}
	dir := t.TempDir()
	for name, content := range files {
		if content == "" {
			continue
		}
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// replace returns s with old replaced by new, failing when old is absent
// (so a case cannot silently test the base file).
func replace(t *testing.T, s, old, new string) string {
	t.Helper()
	if !strings.Contains(s, old) {
		t.Fatalf("fixture: %q not in %q", old, s)
	}
	return strings.Replace(s, old, new, 1)
}

type ruleCase struct {
	rule string
	name string
	// files overrides baseFiles; exp changes baseExpect (nil: keep; noExp: none).
	files func(t *testing.T) map[string]string
	exp   func(e *Expect) *Expect
	// at is where the rule must fire ("Dockerfile:4:1"); empty: it must not.
	at []string
}

func noExp(*Expect) *Expect { return nil }

func df(over func(string) string) func(t *testing.T) map[string]string {
	return func(t *testing.T) map[string]string { return map[string]string{"Dockerfile": over(goodDockerfile)} }
}

func files(m map[string]string) func(t *testing.T) map[string]string {
	return func(*testing.T) map[string]string { return m }
}

// ruleCases holds, for every rule, a bad input that must fire it at a
// given place and a good one that must not: removing a rule, or breaking
// its location, fails its bad case.
func ruleCases(t *testing.T) []ruleCase {
	r := func(old, new string) func(string) string {
		return func(s string) string { return replace(t, s, old, new) }
	}
	naiveBuild := "FROM golang:1.25-bookworm AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/app .\n\n"
	return []ruleCase{
		{rule: "DG100", name: "bad", files: df(func(string) string { return "FROM alpine:3.22\nFROB x\n" }), at: []string{"Dockerfile:2:1"}},
		{rule: "DG100", name: "good"},

		{rule: "DG101", name: "bad", files: df(r("COPY --from=build /out/app /app", "COPY --from=build /out/server /app")), at: []string{"Dockerfile:14:19"}},
		{rule: "DG101", name: "bad without facts", files: df(r("COPY --from=build /out/app /app", "COPY --from=build /src/main /app")), exp: noExp, at: []string{"Dockerfile:14:19"}},
		{rule: "DG101", name: "good", files: df(r("-o /out/app .", "-o /out/ .")), exp: noExp},

		{rule: "DG102", name: "bad", exp: func(e *Expect) *Expect { e.Binaries[0].Dir = "./cmd/api"; return e }, at: []string{"Dockerfile:11:5"}},
		{rule: "DG102", name: "good", files: df(r("-o /out/app .", "-o /out/app ./cmd/api")),
			exp: func(e *Expect) *Expect { e.Binaries[0].Dir = "./cmd/api"; return e }},

		{rule: "DG103", name: "bad", exp: cgoExp, files: df(r("static-debian12", "base-debian12")), at: []string{"Dockerfile:10:5"}},
		{rule: "DG103", name: "bad alpine builder", exp: cgoExp,
			files: df(func(string) string {
				return "FROM golang:1.25-alpine AS build\nWORKDIR /src\nCOPY go.mod ./\nRUN go mod download\nCOPY . .\nRUN go build -o /out/app .\n\nFROM alpine:3.22\nCOPY --from=build /out/app /app\nUSER 65532:65532\nEXPOSE 8080\nHEALTHCHECK CMD [\"/app\", \"-healthcheck\"]\nENTRYPOINT [\"/app\"]\n"
			}), at: []string{"Dockerfile:6:5"}},
		{rule: "DG103", name: "good", exp: cgoExp, files: df(func(s string) string {
			return replace(t, replace(t, s, "CGO_ENABLED=0", "CGO_ENABLED=1"), "static-debian12", "base-debian12")
		})},

		{rule: "DG104", name: "bad", exp: cgoExp, files: df(r("CGO_ENABLED=0", "CGO_ENABLED=1")), at: []string{"Dockerfile:13:6"}},
		{rule: "DG104", name: "bad without facts", exp: noExp, files: df(r("CGO_ENABLED=0", "CGO_ENABLED=1")), at: []string{"Dockerfile:13:6"}},
		{rule: "DG104", name: "good", exp: cgoExp, files: df(func(s string) string {
			return replace(t, replace(t, s, "CGO_ENABLED=0", "CGO_ENABLED=1"), "static-debian12", "base-debian12")
		})},

		{rule: "DG105", name: "bad", files: df(r("CGO_ENABLED=0 ", "")), at: []string{"Dockerfile:11:5"}},
		{rule: "DG105", name: "good", files: df(r("CGO_ENABLED=0 ", "")), exp: cgoExp}, // DG104's business then

		{rule: "DG106", name: "bad no GOARCH", files: df(r("GOARCH=$TARGETARCH", "")), at: []string{"Dockerfile:11:5"}},
		{rule: "DG106", name: "bad undeclared", files: df(r("ARG TARGETOS TARGETARCH\n", "")), at: []string{"Dockerfile:9:34"}},
		{rule: "DG106", name: "good"},

		{rule: "DG111", name: "bad", files: df(r("HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 CMD [\"/app\", \"-healthcheck\"]\n", "")), at: []string{"Dockerfile:13:6"}},
		{rule: "DG111", name: "good not a server", files: df(r("HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 CMD [\"/app\", \"-healthcheck\"]\n", "")),
			exp: func(e *Expect) *Expect { e.Binaries[0].Port = 0; return e }},

		{rule: "DG112", name: "bad wget shell form", files: df(r(`CMD ["/app", "-healthcheck"]`, "CMD wget -q --spider http://localhost:8080/health || exit 1")), at: []string{"Dockerfile:17:71"}},
		{rule: "DG112", name: "bad curl exec form", files: df(r(`CMD ["/app", "-healthcheck"]`, `CMD ["curl", "-f", "http://localhost:8080/"]`)), at: []string{"Dockerfile:17:77"}},
		{rule: "DG112", name: "good"},

		{rule: "DG113", name: "bad", files: df(func(s string) string {
			s = replace(t, s, "gcr.io/distroless/static-debian12:nonroot", "debian:bookworm-slim")
			return replace(t, s, `CMD ["/app", "-healthcheck"]`, `CMD ["curl", "-f", "http://localhost:8080/"]`)
		}), at: []string{"Dockerfile:17:77"}},
		{rule: "DG113", name: "good installed", files: df(func(s string) string {
			s = replace(t, s, "gcr.io/distroless/static-debian12:nonroot", "debian:bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl")
			return replace(t, s, `CMD ["/app", "-healthcheck"]`, `CMD ["curl", "-f", "http://localhost:8080/"]`)
		})},

		{rule: "DG114", name: "bad no USER", files: df(func(s string) string {
			return replace(t, replace(t, s, "USER 65532:65532\n", ""), ":nonroot", "")
		}), at: []string{"Dockerfile:13:6"}},
		{rule: "DG114", name: "bad USER root", files: df(r("USER 65532:65532", "USER root")), at: []string{"Dockerfile:15:6"}},
		{rule: "DG114", name: "good nonroot base", files: df(r("USER 65532:65532\n", ""))},

		{rule: "DG115", name: "bad", files: df(func(s string) string { return naiveBuild + s[strings.Index(s, "FROM gcr"):] }), at: []string{"Dockerfile:3:1"}},
		{rule: "DG115", name: "good module layer", files: df(func(s string) string {
			return "FROM golang:1.25-bookworm AS build\nWORKDIR /src\nCOPY go.mod ./\nRUN go mod download\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /out/app .\n\n" + s[strings.Index(s, "FROM gcr"):]
		})},

		{rule: "DG116", name: "bad", files: df(func(s string) string {
			return replace(t, replace(t, s, "gcr.io/distroless/static-debian12:nonroot", "alpine:3.22"), `ENTRYPOINT ["/app"]`, "ENTRYPOINT /app")
		}), at: []string{"Dockerfile:18:1"}},
		{rule: "DG116", name: "good"},

		{rule: "DG117", name: "bad", files: df(r(`ENTRYPOINT ["/app"]`, "CMD /app --port 8080")), at: []string{"Dockerfile:18:1"}},
		{rule: "DG117", name: "good"},

		{rule: "DG120", name: "bad untagged", files: df(r("gcr.io/distroless/static-debian12:nonroot", "alpine")), at: []string{"Dockerfile:13:6"}},
		{rule: "DG120", name: "bad latest", files: df(r("golang:1.25-bookworm", "golang:latest")), at: []string{"Dockerfile:1:32"}},
		{rule: "DG120", name: "bad golang without version", files: df(r("golang:1.25-bookworm", "golang:bookworm")), at: []string{"Dockerfile:1:32"}},
		{rule: "DG120", name: "good"},

		{rule: "DG121", name: "bad", at: []string{"Dockerfile:1:32", "Dockerfile:13:6"}},
		{rule: "DG121", name: "good", files: df(func(s string) string {
			pin := "@sha256:" + strings.Repeat("ab", 32)
			return replace(t, replace(t, s, "golang:1.25-bookworm", "golang:1.25-bookworm"+pin), ":nonroot", ":nonroot"+pin)
		})},

		{rule: "DG122", name: "bad", files: df(r("USER 65532", "ENV API_TOKEN=hunter2\nUSER 65532")), at: []string{"Dockerfile:15:5"}},
		{rule: "DG122", name: "bad module secret", files: df(r("USER 65532", "ENV DATABASE_URL=postgres://u:p@db/x\nUSER 65532")),
			exp: func(e *Expect) *Expect { e.Binaries[0].SecretEnv = []string{"DATABASE_URL"}; return e }, at: []string{"Dockerfile:15:5"}},
		{rule: "DG122", name: "good", files: df(r("USER 65532", "ENV API_TOKEN_FILE=/run/secrets/token\nUSER 65532"))},

		{rule: "DG123", name: "bad", files: df(r("ARG TARGETOS TARGETARCH", "ARG TARGETOS TARGETARCH\nARG GITHUB_TOKEN")), at: []string{"Dockerfile:7:5"}},
		{rule: "DG123", name: "good"},

		{rule: "DG125", name: "bad", files: df(r("golang:1.25-bookworm", "golang:1.22-bookworm")), at: []string{"Dockerfile:1:32"}},
		{rule: "DG125", name: "bad patch", files: df(r("golang:1.25-bookworm", "golang:1.25.0-alpine")),
			exp: func(e *Expect) *Expect { e.GoVersion = "1.25.3"; return e }, at: []string{"Dockerfile:1:32"}},
		{rule: "DG125", name: "bad toolchain", exp: func(e *Expect) *Expect { e.GoVersion = "go1.26.1"; return e }, at: []string{"Dockerfile:1:32"}},
		{rule: "DG125", name: "good line tag", exp: func(e *Expect) *Expect { e.GoVersion = "1.25.3"; return e }},

		{rule: "DG126", name: "bad", files: df(r("EXPOSE 8080", "EXPOSE 3000")), at: []string{"Dockerfile:16:8"}},
		{rule: "DG126", name: "good"},

		{rule: "DG200", name: "bad", files: files(map[string]string{".dockerignore": ".git\nweb/[\n"}), at: []string{".dockerignore:2:1"}},
		{rule: "DG200", name: "good"},

		{rule: "DG201", name: "bad", files: files(map[string]string{".dockerignore": ""}), at: []string{".dockerignore:1:1"}},
		{rule: "DG201", name: "good"},

		{rule: "DG202", name: "bad", files: files(map[string]string{".dockerignore": ".git\n.env\n"}), at: []string{".dockerignore:1:1"}},
		{rule: "DG202", name: "good"},

		{rule: "DG203", name: "bad", files: files(map[string]string{".dockerignore": strings.Replace(goodIgnore, ".git\n", "", 1)}), at: []string{".dockerignore:1:1"}},
		{rule: "DG203", name: "good"},

		{rule: "DG204", name: "bad", files: files(map[string]string{"static/index.html": "<p>hi</p>\n", ".dockerignore": goodIgnore + "static\n"}),
			exp: embedExp, at: []string{".dockerignore:8:1"}},
		{rule: "DG204", name: "bad not on disk", files: files(map[string]string{".dockerignore": goodIgnore + "**/*.html\n"}),
			exp: func(e *Expect) *Expect { e.Embeds = []string{"web/*.html"}; return e }, at: []string{".dockerignore:8:1"}},
		{rule: "DG204", name: "good re-included", files: files(map[string]string{"static/index.html": "<p>hi</p>\n", ".dockerignore": goodIgnore + "static\n!static/index.html\n"}),
			exp: embedExp},
		// BuildKit's walk: "!static" alone does not bring back static/a.pem
		// that "**/*.pem" (in goodIgnore) excluded; "!static/**" does.
		{rule: "DG204", name: "bad dir exception alone", files: files(map[string]string{"static/a.pem": "x\n", ".dockerignore": goodIgnore + "!static\n"}),
			exp: embedExp, at: []string{".dockerignore:4:1"}},
		{rule: "DG204", name: "good dir exception with /**", files: files(map[string]string{"static/a.pem": "x\n", ".dockerignore": goodIgnore + "!static\n!static/**\n"}),
			exp: embedExp},

		{rule: "DG205", name: "bad", files: files(map[string]string{".dockerignore": goodIgnore + "go.*\n"}), at: []string{".dockerignore:8:1"}},
		{rule: "DG205", name: "good"},

		{rule: "DG206", name: "bad", files: files(map[string]string{".dockerignore": goodIgnore + "*.go\n"}), exp: noExp, at: []string{".dockerignore:8:1"}},
		{rule: "DG206", name: "good another binary", files: files(map[string]string{"cmd/tool/main.go": "package main\n", ".dockerignore": goodIgnore + "cmd/tool\n"}), exp: noExp},
		{rule: "DG206", name: "good nested module", files: files(map[string]string{"tools/go.mod": "module example.com/tools\n", "tools/gen.go": "package tools\n", ".dockerignore": goodIgnore + "tools\n"})},
		{rule: "DG206", name: "bad library", files: files(map[string]string{"internal/db/db.go": "package db\n", ".dockerignore": goodIgnore + "internal\n"}), at: []string{".dockerignore:8:1"}},
		{rule: "DG206", name: "good tests only", files: files(map[string]string{"main_test.go": "package main\n", ".dockerignore": goodIgnore + "**/*_test.go\n"})},

		{rule: "DG300", name: "bad", files: files(map[string]string{"compose.yaml": "services:\n  app:\n    imagee: x\n"}), at: []string{"compose.yaml:1:1"}},
		{rule: "DG300", name: "good"},

		{rule: "DG301", name: "bad", files: files(map[string]string{"compose.yaml": replace(t, goodCompose, "API_TOKEN:", "OTHER:")}), at: []string{"compose.yaml:7:5"}},
		{rule: "DG301", name: "good set in image", files: func(t *testing.T) map[string]string {
			return map[string]string{"compose.yaml": replace(t, goodCompose, "API_TOKEN:", "OTHER:"),
				"Dockerfile": replace(t, goodDockerfile, "USER 65532", "ENV API_TOKEN_FILE=/x API_TOKEN=\"\"\nUSER 65532")}
		}},

		{rule: "DG302", name: "bad", files: files(map[string]string{"compose.yaml": replace(t, goodCompose, "127.0.0.1:8080:8080", "8080:8080")}), at: []string{"compose.yaml:6:9"}},
		{rule: "DG302", name: "good"},

		{rule: "DG303", name: "bad", files: files(map[string]string{"compose.yaml": replace(t, goodCompose, "    read_only: true\n", "")}), at: []string{"compose.yaml:2:3"}},
		{rule: "DG303", name: "good"},

		{rule: "DG304", name: "bad", files: files(map[string]string{"compose.yaml": replace(t, goodCompose, "    cap_drop: [ALL]\n", "")}), at: []string{"compose.yaml:2:3"}},
		{rule: "DG304", name: "good"},

		{rule: "DG305", name: "bad", files: files(map[string]string{"compose.yaml": replace(t, goodCompose, `"${API_TOKEN:?set API_TOKEN}"`, "hunter2")}), at: []string{"compose.yaml:8:7"}},
		{rule: "DG305", name: "good"},

		{rule: "DG306", name: "bad", files: files(map[string]string{"compose.yaml": replace(t, goodCompose, "127.0.0.1:8080:8080", "127.0.0.1:8080:3000")}), at: []string{"compose.yaml:5:5"}},
		{rule: "DG306", name: "good"},

		{rule: "DG307", name: "bad", exp: func(e *Expect) *Expect { e.Services = []string{"postgres"}; return e }, at: []string{"compose.yaml:1:1"}},
		{rule: "DG307", name: "good", exp: func(e *Expect) *Expect { e.Services = []string{"postgres"}; return e },
			files: files(map[string]string{"compose.yaml": goodCompose + "  db:\n    image: postgres:17-alpine\n"})},

		{rule: "DG401", name: "bad", exp: func(e *Expect) *Expect { e.Binaries[0].Loopback = []string{"main.go:12"}; return e }, at: []string{"main.go:12:1"}},
		{rule: "DG401", name: "good"},
	}
}

func cgoExp(e *Expect) *Expect {
	e.Binaries[0].Cgo = true
	e.Binaries[0].CgoReason = "github.com/mattn/go-sqlite3 uses cgo"
	e.Binaries[0].CgoSource = "main.go:5"
	return e
}

func embedExp(e *Expect) *Expect { e.Embeds = []string{"static"}; return e }

func TestRules(t *testing.T) {
	for _, tc := range ruleCases(t) {
		t.Run(tc.rule+"/"+tc.name, func(t *testing.T) {
			var over map[string]string
			if tc.files != nil {
				over = tc.files(t)
			}
			dir := writeFiles(t, over)
			exp := baseExpect()
			if tc.exp != nil {
				exp = tc.exp(exp)
			}
			rep, err := Check(dir, Files{}, exp)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range rep.Findings {
				if f.Rule == tc.rule {
					got = append(got, fmt.Sprintf("%s:%d:%d", f.File, f.Line, f.Col))
					if f.Message == "" || f.Fix == "" || f.Severity != ruleByID[tc.rule].Severity {
						t.Errorf("incomplete finding %+v", f)
					}
				}
			}
			if !slices.Equal(got, tc.at) {
				t.Errorf("%s fired at %v, want %v\nall findings:\n%s", tc.rule, got, tc.at, dump(rep))
			}
		})
	}
}

func dump(r Report) string {
	var b strings.Builder
	for _, f := range r.Findings {
		fmt.Fprintf(&b, "  %s:%d:%d %s %s: %s\n", f.File, f.Line, f.Col, f.Severity, f.Rule, f.Message)
	}
	return b.String()
}

// TestRuleCasesCoverRules: every rule has a case that fires it and one
// that does not.
func TestRuleCasesCoverRules(t *testing.T) {
	bad, good := map[string]bool{}, map[string]bool{}
	for _, tc := range ruleCases(t) {
		if len(tc.at) > 0 {
			bad[tc.rule] = true
		} else {
			good[tc.rule] = true
		}
	}
	for _, r := range Rules {
		if !bad[r.ID] || !good[r.ID] {
			t.Errorf("%s: bad case %v, good case %v", r.ID, bad[r.ID], good[r.ID])
		}
	}
}

// TestBaseIsClean: the base fixture trips nothing but the digest notice, so
// each case's finding comes from its own change.
func TestBaseIsClean(t *testing.T) {
	rep, err := Check(writeFiles(t, nil), Files{}, baseExpect())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range rep.Findings {
		if f.Rule != "DG121" {
			t.Errorf("base fixture: %s:%d:%d %s %s", f.File, f.Line, f.Col, f.Rule, f.Message)
		}
	}
}
