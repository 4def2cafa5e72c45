package plan

import (
	"fmt"
	"slices"
	"strings"
)

// Changes names what differs between the plan the files were last
// rendered from and a new one, fact by fact, so `regenerate` (and
// `--check` in CI) can say why a file is behind: "builder golang:1.25 →
// golang:1.26 (go.mod's go line (go.mod:3))", "new binary ./cmd/tool".
func Changes(old, new *Plan) []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	image := func(what, o, n, why string) {
		switch {
		case unpinned(o) != unpinned(n):
			add("%s %s → %s (%s)", what, unpinned(o), unpinned(n), why)
		case o != n:
			add("%s %s pinned to %s", what, unpinned(n), digestOf(n))
		}
	}
	image("builder", old.Builder.Image, new.Builder.Image, new.Builder.GoWhy)
	if old.Base.Name != new.Base.Name {
		add("base %s → %s (%s)", old.Base.Name, new.Base.Name, new.BaseWhy)
	}
	for _, b := range new.Binaries {
		o := old.BinaryFor(b.Main)
		if o == nil {
			what := "target " + b.Name
			if b.LongRunning {
				what += ", service " + b.Name
			}
			add("new binary %s (%s)", b.Main, what)
			continue
		}
		if o.Cgo != b.Cgo || o.CgoLink != b.CgoLink {
			if b.Cgo {
				add("%s is now built with cgo (%s): %s", b.Name, b.CgoLink, b.CgoReason)
			} else {
				add("%s is now built without cgo", b.Name)
			}
		}
		image(b.Name+" runtime", o.Runtime, b.Runtime, b.BaseWhy)
		if o.Port != b.Port {
			add("%s port %d → %d%s", b.Name, o.Port, b.Port, sourceSuffix(b.PortSource))
		}
		for _, e := range b.ComposeEnv {
			if !slices.ContainsFunc(o.ComposeEnv, func(x EnvVar) bool { return x.Name == e.Name }) {
				add("new env var %s for %s", e.Name, b.Name)
			}
		}
		if !slices.Equal(o.Args, b.Args) {
			add("%s command %q → %q", b.Name, o.Args, b.Args)
		}
		if (o.Probe == nil) != (b.Probe == nil) {
			add("%s health probe: %s", b.Name, map[bool]string{true: "added", false: "removed"}[b.Probe != nil])
		}
		if o.LongRunning != b.LongRunning {
			add("%s long-running: %v → %v", b.Name, o.LongRunning, b.LongRunning)
		}
	}
	for _, o := range old.Binaries {
		if new.BinaryFor(o.Main) == nil {
			add("binary %s (%s) is no longer built", o.Name, o.Main)
		}
	}
	for _, s := range new.Services {
		if !slices.ContainsFunc(old.Services, func(x Service) bool { return x.Kind == s.Kind }) {
			add("new backing service %s%s", s.Name, sourceSuffix(s.Source))
		}
	}
	for _, s := range old.Services {
		if !slices.ContainsFunc(new.Services, func(x Service) bool { return x.Kind == s.Kind }) {
			add("backing service %s is no longer needed", s.Name)
		}
	}
	return out
}

// unpinned is an image reference without its digest; digestOf the digest
// ("" when there is none).
func unpinned(ref string) string {
	r, _, _ := strings.Cut(ref, "@")
	return r
}

func digestOf(ref string) string {
	_, d, _ := strings.Cut(ref, "@")
	if d == "" {
		return "nothing (unpinned)"
	}
	return d
}
