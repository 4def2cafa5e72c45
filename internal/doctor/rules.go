package doctor

import "strings"

// Rule is one check. IDs are stable: DG1xx Dockerfile, DG2xx .dockerignore,
// DG3xx compose, DG4xx the module's code; BuildKit's build checks appear as
// "BK:<RuleName>" (their names are BuildKit's, stable there).
type Rule struct {
	ID       string
	Name     string // CamelCase, for SARIF
	Severity Severity
	What     string // what it catches, one line
	Fix      string // the default fix, one line
	Fixable  bool   // Fix can repair it safely
	NeedsExp bool   // runs only with module facts
}

// Rules is every dockgen rule, in ID order.
var Rules = []Rule{
	{ID: "DG100", Name: "DockerfileDoesNotBuild", Severity: Error,
		What: "BuildKit refuses the Dockerfile (parse error, unknown instruction, …)",
		Fix:  "fix the instruction BuildKit names"},
	{ID: "DG101", Name: "BinaryNotBuilt", Severity: Error,
		What: "COPY --from of a path the build stage never writes (P1)",
		Fix:  "copy the path `go build -o` writes, or change -o to the path copied"},
	{ID: "DG102", Name: "BuildNotMain", Severity: Error, NeedsExp: true,
		What: "`go build` of a package that is not a main package, e.g. `go build .` when the mains are in cmd/ (P1)",
		Fix:  "build the main package's directory (go build -o /out/NAME ./cmd/NAME)"},
	{ID: "DG103", Name: "CgoDisabled", Severity: Error, NeedsExp: true,
		What: "a binary that needs cgo is built with CGO_ENABLED=0: the driver compiles as a stub (P2)",
		Fix:  "build it with CGO_ENABLED=1 in a builder with a C toolchain"},
	{ID: "DG104", Name: "CgoNoLibc", Severity: Error,
		What: "a cgo (dynamically linked) binary on a runtime without glibc: scratch, alpine, distroless static (P2)",
		Fix:  "run it on a glibc image (gcr.io/distroless/base-debian12:nonroot, debian:bookworm-slim)"},
	{ID: "DG105", Name: "CgoDefault", Severity: Warning,
		What: "CGO_ENABLED unset in a glibc builder while the runtime has no glibc: net or os/user link libc dynamically (P1/P2)",
		Fix:  "set CGO_ENABLED=0 on the go build (the binary is then static)"},
	{ID: "DG106", Name: "CrossArch", Severity: Warning,
		What: "builder on $BUILDPLATFORM whose go build does not take GOARCH from TARGETARCH: exec format error on other platforms (P1)",
		Fix:  "declare ARG TARGETOS TARGETARCH in the stage and build with GOOS=$TARGETOS GOARCH=$TARGETARCH"},
	{ID: "DG111", Name: "NoHealthcheck", Severity: Warning,
		What: "a long-running service image without HEALTHCHECK (P5)",
		Fix:  "add an exec-form HEALTHCHECK (dockgen's `/app -healthcheck` probe needs no shell or curl)"},
	{ID: "DG112", Name: "HealthcheckCannotRun", Severity: Error,
		What: "HEALTHCHECK needs a shell or a tool (wget, curl) the image lacks: distroless, scratch (P5)",
		Fix:  "probe with the binary itself in exec form: HEALTHCHECK CMD [\"/app\",\"-healthcheck\"]"},
	{ID: "DG113", Name: "HealthcheckToolMissing", Severity: Warning,
		What: "HEALTHCHECK calls wget/curl, which the base image does not ship and no RUN installs (P5)",
		Fix:  "install the tool in this stage, or probe with the binary itself in exec form"},
	{ID: "DG114", Name: "RunsAsRoot", Severity: Warning, Fixable: true,
		What: "the image runs as root: no USER (on a root base), or USER root/0 (P7)",
		Fix:  "add USER 65532:65532 before ENTRYPOINT"},
	{ID: "DG115", Name: "NoModuleLayer", Severity: Warning,
		What: "`COPY . .` before `go mod download` (or no module layer): every source change re-downloads modules (P6)",
		Fix:  "COPY go.mod go.sum ./ and RUN go mod download before copying the sources, or use cache mounts"},
	{ID: "DG116", Name: "ShellFormCommand", Severity: Warning, Fixable: true,
		What: "shell-form ENTRYPOINT/CMD: /bin/sh is PID 1 and the program never gets SIGTERM (P4)",
		Fix:  "use exec form: ENTRYPOINT [\"/app\"]"},
	{ID: "DG117", Name: "ShellFormNoShell", Severity: Error, Fixable: true,
		What: "shell-form ENTRYPOINT/CMD on an image without /bin/sh: the container cannot start (P4)",
		Fix:  "use exec form: ENTRYPOINT [\"/app\"]"},
	{ID: "DG120", Name: "FloatingTag", Severity: Warning,
		What: "base image with `:latest` or no tag: builds change under you",
		Fix:  "pin a version tag (golang:1.25-bookworm, alpine:3.22)"},
	{ID: "DG121", Name: "UnpinnedDigest", Severity: Info,
		What: "base image not pinned by digest",
		Fix:  "pin tag@sha256:… (`dockgen pin`)"},
	{ID: "DG122", Name: "SecretInImage", Severity: Error,
		What: "a secret value written into ARG/ENV: it stays in the image history (P7)",
		Fix:  "remove the value; pass secrets at run time or with RUN --mount=type=secret"},
	{ID: "DG123", Name: "SecretThroughArgEnv", Severity: Warning,
		What: "a secret passed through ARG/ENV: build args and ENV are visible in the image (P7)",
		Fix:  "use RUN --mount=type=secret for build secrets and runtime env for run secrets"},
	{ID: "DG125", Name: "GoTooOld", Severity: Error, NeedsExp: true,
		What: "builder image older than go.mod's go/toolchain: `go.mod requires go >= …` (P9)",
		Fix:  "use a golang tag at least as new as go.mod requires"},
	{ID: "DG126", Name: "ExposeMismatch", Severity: Warning, NeedsExp: true,
		What: "EXPOSE lists ports the program does not listen on (P3)",
		Fix:  "EXPOSE the port the code listens on"},
	{ID: "DG200", Name: "IgnoreInvalid", Severity: Error,
		What: ".dockerignore holds a pattern the matcher rejects: the build fails",
		Fix:  "fix the pattern (Go filepath.Match syntax, ** for any depth)"},
	{ID: "DG201", Name: "NoDockerignore", Severity: Warning, Fixable: true,
		What: "no .dockerignore: .git, .env and keys go into the build context (P7)",
		Fix:  "add a .dockerignore excluding .git, **/.env*, keys"},
	{ID: "DG202", Name: "IgnoreMissesSecrets", Severity: Warning, Fixable: true,
		What: ".dockerignore lets .env files or keys (*.pem, *.key, id_rsa*) into the context (P7)",
		Fix:  "add the missing patterns (**/.env, **/.env.*, **/*.pem, **/*.key, **/id_rsa*)"},
	{ID: "DG203", Name: "IgnoreMissesVCS", Severity: Warning, Fixable: true,
		What: ".dockerignore lets .git into the context (size, cache busting, history leaks)",
		Fix:  "add .git to .dockerignore"},
	{ID: "DG204", Name: "IgnoreExcludesEmbed", Severity: Error, NeedsExp: true,
		What: ".dockerignore excludes //go:embed assets: the build fails (P11)",
		Fix:  "remove the pattern or re-include the assets with a !pattern line"},
	{ID: "DG205", Name: "IgnoreExcludesGoMod", Severity: Error,
		What: ".dockerignore excludes go.mod or go.sum: the build cannot resolve modules",
		Fix:  "remove the pattern"},
	{ID: "DG206", Name: "IgnoreExcludesSources", Severity: Error,
		What: ".dockerignore excludes Go sources the build compiles",
		Fix:  "remove the pattern or re-include the sources with a !pattern line"},
	{ID: "DG300", Name: "ComposeDoesNotLoad", Severity: Error,
		What: "compose-go refuses the compose file (schema, interpolation, consistency)",
		Fix:  "fix what compose-go names (`docker compose config` shows the same)"},
	{ID: "DG301", Name: "ComposeMissingEnv", Severity: Error, NeedsExp: true,
		What: "a service lacks an env var its program exits without (P4)",
		Fix:  "add it to the service's environment (a secret as ${NAME})"},
	{ID: "DG302", Name: "ComposeAllInterfaces", Severity: Info,
		What: "port published on all host interfaces (0.0.0.0)",
		Fix:  "publish on 127.0.0.1 (\"127.0.0.1:8080:8080\") unless other hosts must reach it"},
	{ID: "DG303", Name: "ComposeNotReadOnly", Severity: Info,
		What: "service built here runs with a writable root filesystem",
		Fix:  "set read_only: true and mount tmpfs where it writes"},
	{ID: "DG304", Name: "ComposeNoCapDrop", Severity: Info,
		What: "service built here keeps the default Linux capabilities",
		Fix:  "set cap_drop: [ALL]"},
	{ID: "DG305", Name: "ComposeSecretLiteral", Severity: Warning,
		What: "a secret written as a literal in the compose file (P7)",
		Fix:  "interpolate it (${NAME}) or use secrets:"},
	{ID: "DG306", Name: "ComposePortMismatch", Severity: Warning, NeedsExp: true,
		What: "published container port is not the port the program listens on (P3)",
		Fix:  "publish the port the code listens on"},
	{ID: "DG307", Name: "ComposeMissingService", Severity: Info, NeedsExp: true,
		What: "the code's drivers imply a backing service (postgres, redis, …) that compose does not run",
		Fix:  "add the service with a healthcheck and depends_on: condition: service_healthy (or point the env at an external one)"},
	{ID: "DG401", Name: "LoopbackBind", Severity: Warning, NeedsExp: true,
		What: "the code listens on 127.0.0.1/localhost: unreachable through a published port (P3)",
		Fix:  "listen on all interfaces (\":8080\") or read the address from the environment"},
}

var ruleByID = func() map[string]Rule {
	m := map[string]Rule{}
	for _, r := range Rules {
		m[r.ID] = r
	}
	return m
}()

// bkPrefix marks BuildKit build-check findings: "BK:FromAsCasing".
const bkPrefix = "BK:"

// RuleFor returns the rule behind a finding's ID, BuildKit's included.
func RuleFor(id string) (Rule, bool) {
	if r, ok := ruleByID[id]; ok {
		return r, true
	}
	if name, ok := strings.CutPrefix(id, bkPrefix); ok {
		return Rule{ID: id, Name: name, Severity: Warning, What: "BuildKit build check " + name,
			Fix: "see BuildKit's build checks documentation for " + name}, true
	}
	return Rule{}, false
}
