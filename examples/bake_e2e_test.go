package examples

// End to end for docker-bake.hcl: the generated file builds every service
// with `docker buildx bake --load`, and publishes with `--push` to a local
// OCI registry (127.0.0.1 only) under VERSION and its semver family; each
// tag pulls back and runs healthy.

import (
	"context"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestE2EBake(t *testing.T) {
	requireEngine(t)
	regBin := requireBinary(t, "DOCKGEN_REGISTRY_BIN", "an OCI registry binary (go-containerregistry's cmd/registry)", "bash .ci/provision-docker --registry-bin")
	t.Cleanup(func() { removeLabelled(t) })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	dir := generate(t, "multi", "")
	// bake runs where a user runs it: in the project, so the context "."
	// needs no extra entitlement.
	bake := func(env []string, args ...string) string {
		t.Helper()
		cmd := exec.CommandContext(ctx, "docker", append([]string{"buildx", "bake"}, args...)...)
		cmd.Dir = dir
		cmd.Env = append(append(os.Environ(), "DOCKER_BUILDKIT=1"), env...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("docker buildx bake %v (%v): %v\n%s", args, env, err, tail(string(out), 30))
		}
		return string(out)
	}

	// The default group: the services, loaded into the engine.
	t0 := time.Now()
	local := "dockgen-e2e-bake-" + e2eRunID
	bake([]string{"REGISTRY=" + local}, "--load", "--set", "*.labels."+e2eLabel+"="+e2eRunID)
	for _, name := range []string{"api", "worker"} {
		mustDocker(t, ctx, nil, "image", "inspect", local+"/"+name+":dev")
	}
	if _, err := docker(ctx, nil, "image", "inspect", local+"/migrate:dev"); err == nil {
		t.Error("the default group built migrate, a job")
	}
	t.Logf("e2e: bake --load (api, worker) in %s", time.Since(t0).Round(10*time.Millisecond))

	// The release group asks for both platforms (this engine's docker
	// driver cannot build them, so only its definition is checked).
	if out := bake(nil, "--print", "release"); !strings.Contains(out, `"linux/arm64"`) || !strings.Contains(out, `"api-release"`) {
		t.Errorf("bake --print release:\n%s", out)
	}

	// Publish v1.2.3 and read every tag back.
	reg := startRegistry(t, regBin, t.TempDir())
	repo := reg + "/dockgen"
	t0 = time.Now()
	bake([]string{"REGISTRY=" + repo, "VERSION=v1.2.3", "REVISION=abc123"}, "api", "--push")
	tags := []string{"v1.2.3", "1.2.3", "1.2", "1"}
	for _, tag := range tags {
		ref := repo + "/api:" + tag
		_, _ = docker(ctx, nil, "image", "rm", "-f", ref)
		mustDocker(t, ctx, nil, "pull", "-q", ref)
		labels := mustDocker(t, ctx, nil, "image", "inspect", "-f", `{{index .Config.Labels "org.opencontainers.image.version"}} {{index .Config.Labels "org.opencontainers.image.revision"}}`, ref)
		if strings.TrimSpace(labels) != "v1.2.3 abc123" {
			t.Errorf("%s labels %q, want version v1.2.3 and revision abc123", ref, labels)
		}
		mustDocker(t, ctx, nil, "tag", ref, ref+"-"+e2eRunID) // labelled copy, removed at the end
	}
	// A pre-release gets only its own tag.
	bake([]string{"REGISTRY=" + repo, "VERSION=v2.0.0-rc.1"}, "api", "--push")
	mustDocker(t, ctx, nil, "pull", "-q", repo+"/api:v2.0.0-rc.1")
	if _, err := docker(ctx, nil, "pull", "-q", repo+"/api:2"); err == nil {
		t.Error("a pre-release was tagged 2")
	}
	t.Logf("e2e: bake --push v1.2.3 and a pre-release, pulled back, in %s", time.Since(t0).Round(10*time.Millisecond))

	// A pulled tag runs healthy, hardened.
	// Its binary is stamped with VERSION (bake passes it as a build arg).
	tg := e2eTarget{stage: "api", port: 8081, body: regexp.MustCompile(`^hello, visitor, from the api \(version v1\.2\.3\)\n$`)}
	health, healthy, stop := runHardened(t, ctx, repo+"/api:1.2", tg, nil)
	t.Logf("e2e: %s/api:1.2 %s after %s, stopped in %s", repo, health, healthy.Round(10*time.Millisecond), stop.Round(10*time.Millisecond))
	for _, tag := range tags {
		_, _ = docker(ctx, nil, "image", "rm", "-f", repo+"/api:"+tag, repo+"/api:"+tag+"-"+e2eRunID)
	}
	_, _ = docker(ctx, nil, "image", "rm", "-f", repo+"/api:v2.0.0-rc.1", local+"/api:dev", local+"/worker:dev")
}
