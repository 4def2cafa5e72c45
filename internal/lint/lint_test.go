package lint

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func ruleNames(ws []Warning) []string {
	var out []string
	for _, w := range ws {
		out = append(out, w.RuleName)
	}
	return out
}

func TestDockerfileBad(t *testing.T) {
	bad := `FROM golang:1.26-bookworm as Build
ENV KEY value
run echo hi
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=Build /etc/passwd /etc/passwd
CMD echo hi
`
	ws, err := Dockerfile([]byte(bad), nil)
	if err != nil {
		t.Fatal(err)
	}
	got := ruleNames(ws)
	for _, want := range []string{"FromAsCasing", "StageNameCasing", "LegacyKeyValueFormat", "JSONArgsRecommended", "ConsistentInstructionCasing", "SecretsUsedInArgOrEnv"} {
		if !slices.Contains(got, want) {
			t.Errorf("missing %s in %v", want, ws)
		}
	}
	for _, w := range ws {
		if w.Line == 0 || w.Detail == "" || w.URL == "" {
			t.Errorf("incomplete warning %+v", w)
		}
	}
	for _, w := range ws {
		if w.RuleName == "LegacyKeyValueFormat" && w.Line != 2 {
			t.Errorf("LegacyKeyValueFormat on line %d, want 2", w.Line)
		}
	}
}

func TestDockerfileExperimental(t *testing.T) {
	// InvalidDefinitionDescription is experimental: it only fires when the
	// full rule set is on.
	df := `# an unrelated comment
FROM alpine:3.22 AS base
ENTRYPOINT ["/bin/true"]
`
	ws, err := Dockerfile([]byte(df), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(ruleNames(ws), "InvalidDefinitionDescription") {
		t.Errorf("experimental rule did not run: %v", ws)
	}
}

func TestDockerfileSkipDirective(t *testing.T) {
	df := "# check=skip=JSONArgsRecommended\nFROM alpine:3.22\nCMD echo hi\n"
	ws, err := Dockerfile([]byte(df), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(ws) != 0 {
		t.Errorf("skip directive ignored: %v", ws)
	}
}

func TestDockerfileCopyIgnored(t *testing.T) {
	df := "FROM alpine:3.22\nCOPY config.yaml /etc/app/config.yaml\nENTRYPOINT [\"/bin/true\"]\n"
	ws, err := Dockerfile([]byte(df), []byte("# secrets\n*.yaml\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(ruleNames(ws), "CopyIgnoredFile") {
		t.Errorf("CopyIgnoredFile not reported with a .dockerignore: %v", ws)
	}
	ws, err = Dockerfile([]byte(df), nil)
	if err != nil || len(ws) != 0 {
		t.Errorf("without .dockerignore: %v, %v", ws, err)
	}
}

func TestDockerfileClean(t *testing.T) {
	clean := `FROM --platform=$BUILDPLATFORM golang:1.26-bookworm AS build
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
ENV PORT="8080"
USER 65532:65532
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 CMD ["/app", "-healthcheck"]
ENTRYPOINT ["/app"]
`
	ws, err := Dockerfile([]byte(clean), []byte(".git\n**/.env\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(ws) != 0 {
		t.Errorf("clean Dockerfile has warnings: %v", ws)
	}
}

func TestDockerfileBroken(t *testing.T) {
	_, err := Dockerfile([]byte("FROM alpine:3.22\nNOPE x\n"), nil)
	var be *BuildError
	if !errors.As(err, &be) || be.Line != 2 {
		t.Fatalf("got %v, want a BuildError on line 2", err)
	}
	if _, err := Dockerfile(nil, nil); err == nil {
		t.Error("empty Dockerfile: no error")
	}
}

const goodCompose = `name: demo
services:
  api:
    build:
      context: .
      target: "api"
    environment:
      "TOKEN": "${TOKEN:?set TOKEN}"
      "GREETING": "${GREETING:-hello $$USER}"
    ports:
      - "127.0.0.1:8080:8080"
    read_only: true
`

func TestCompose(t *testing.T) {
	dir := t.TempDir()
	p, err := LoadCompose(dir, []byte(goodCompose), map[string]string{"TOKEN": "s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	env := p.Services["api"].Environment
	if v := env["TOKEN"]; v == nil || *v != "s3cret" {
		t.Errorf("TOKEN = %v", v)
	}
	if v := env["GREETING"]; v == nil || *v != "hello $USER" {
		t.Errorf("GREETING = %v", v)
	}
	if err := Compose(dir, []byte(goodCompose), nil); err == nil || !strings.Contains(err.Error(), "TOKEN") {
		t.Errorf("missing required variable: err = %v", err)
	}
}

func TestComposeBroken(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"schema":      "services:\n  api:\n    image: x\n    restart: sometimes-maybe\n    bogus_key: 1\n",
		"yaml":        "services:\n  api:\n    image: [x\n",
		"consistency": "services:\n  api:\n    image: x\n    depends_on: [db]\n",
		"interpolate": "services:\n  api:\n    image: \"${X\"\n",
	} {
		if err := Compose(dir, []byte(content), nil); err == nil {
			t.Errorf("%s: broken compose file loaded without error", name)
		}
	}
}

func TestComposeLeavesEnvAlone(t *testing.T) {
	env := map[string]string{"TOKEN": "x"}
	if err := Compose(t.TempDir(), []byte(goodCompose), env); err != nil {
		t.Fatal(err)
	}
	if len(env) != 1 {
		t.Errorf("Compose changed the caller's env: %v", env)
	}
}

// TestDockerfileOffline: any reference resolves, nothing is fetched, even
// for images, stages copied from images and remote sources that do not exist.
func TestDockerfileOffline(t *testing.T) {
	df := `FROM registry.invalid/nope/base:1 AS base
COPY --from=registry.invalid/other:2 /bin/x /bin/x
ADD https://registry.invalid/file.tar.gz /tmp/
FROM base
ENTRYPOINT ["/bin/x"]
`
	ws, err := Dockerfile([]byte(df), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(ws) != 0 {
		t.Errorf("warnings: %v", ws)
	}
}
