package doctor

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/template"
	"github.com/compose-spec/compose-go/v2/types"
	"go.yaml.in/yaml/v3"

	"github.com/dockgen/dockgen/internal/lint"
)

// child returns the value node of key in mapping n (nil when absent), and
// the key node for its position.
func child(n *yaml.Node, key string) (val, keyNode *yaml.Node) {
	if n == nil {
		return nil, nil
	}
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	if n.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1], n.Content[i]
		}
	}
	return nil, nil
}

var yamlLineRe = regexp.MustCompile(`line (\d+)`)

// composeVars are the values a compose file is loaded with: every variable
// it uses without a default gets a placeholder, so `${TOKEN:?set it}` (the
// way dockgen wires secrets) loads, and nothing depends on the caller's
// environment. "1" fits the places a variable stands in for a string, a
// number or a port.
func composeVars(doc map[string]any) map[string]string {
	env := map[string]string{}
	for name, v := range template.ExtractVariables(doc, template.DefaultPattern) {
		if v.DefaultValue == "" {
			env[name] = "1"
		}
	}
	return env
}

// compose runs the DG3xx rules.
func (c *checker) compose(content []byte) {
	name := c.files.Compose
	var root yaml.Node
	var doc map[string]any
	if err := yaml.Unmarshal(content, &root); err != nil {
		line := 1
		if m := yamlLineRe.FindStringSubmatch(err.Error()); m != nil {
			line, _ = strconv.Atoi(m[1])
		}
		c.add("DG300", name, line, 1, "the compose file is not YAML: "+err.Error(), "")
		return
	}
	_ = root.Decode(&doc)
	proj, err := lint.LoadCompose(c.dir, content, composeVars(doc))
	if err != nil {
		line := 1
		if m := yamlLineRe.FindStringSubmatch(err.Error()); m != nil {
			line, _ = strconv.Atoi(m[1])
		}
		c.add("DG300", name, line, 1, "compose-go cannot load it: "+err.Error(), "")
		return
	}
	servicesNode, servicesKey := child(&root, "services")
	c.backingServices(name, proj, servicesKey)
	for _, sname := range slices.Sorted(func(yield func(string) bool) {
		for k := range proj.Services {
			if !yield(k) {
				return
			}
		}
	}) {
		svc := proj.Services[sname]
		node, key := child(servicesNode, sname)
		at := func(n *yaml.Node) (int, int) {
			if n == nil {
				n = key
			}
			if n == nil {
				return 1, 1
			}
			return n.Line, n.Column
		}
		bins := c.serviceBinaries(proj, svc)
		envNode, envKey := child(node, "environment")
		portsNode, portsKey := child(node, "ports")

		// DG301: env the program exits without.
		for _, bin := range bins {
			for _, e := range bin.RequiredEnv {
				if _, ok := svc.Environment[e.Name]; ok || c.imageSets(svc, e.Name) {
					continue
				}
				l, col := at(envKey)
				src := ""
				if e.Source != "" {
					src = " (" + e.Source + ")"
				}
				c.add("DG301", name, l, col,
					fmt.Sprintf("service %s does not set %s, which %s exits without%s", sname, e.Name, bin.Name, src),
					fmt.Sprintf("add %s to services.%s.environment (a secret as \"${%s}\")", e.Name, sname, e.Name))
			}
		}

		// DG302: published on all interfaces.
		for i, p := range svc.Ports {
			if p.Published == "" || (p.HostIP != "" && p.HostIP != "0.0.0.0" && p.HostIP != "::") {
				continue
			}
			var item *yaml.Node
			if portsNode != nil && portsNode.Kind == yaml.SequenceNode && len(portsNode.Content) == len(svc.Ports) {
				item = portsNode.Content[i]
			} else {
				item = portsKey
			}
			l, col := at(item)
			c.add("DG302", name, l, col,
				fmt.Sprintf("service %s publishes %s:%d on every host interface: anyone who can reach this host reaches it", sname, p.Published, p.Target),
				fmt.Sprintf("publish on 127.0.0.1 (\"127.0.0.1:%s:%d\") unless other hosts must reach it", p.Published, p.Target))
		}

		// DG303, DG304: hardening of the services built here.
		if svc.Build != nil {
			l, col := at(key)
			if !svc.ReadOnly {
				c.add("DG303", name, l, col, fmt.Sprintf("service %s has a writable root filesystem", sname), "")
			}
			if !slices.ContainsFunc(svc.CapDrop, func(s string) bool { return strings.EqualFold(s, "ALL") }) {
				c.add("DG304", name, l, col, fmt.Sprintf("service %s keeps the default Linux capabilities", sname), "")
			}
		}

		// DG305: secret literals.
		c.secretLiterals(name, sname, envNode, bins)

		// DG306: published container port vs the code's.
		if len(bins) == 1 && bins[0].Port > 0 && len(svc.Ports) > 0 {
			want := uint32(bins[0].Port)
			ok := slices.ContainsFunc(svc.Ports, func(p types.ServicePortConfig) bool { return p.Target == want })
			for _, v := range svc.Environment {
				// The port may be moved through env (PORT=9090): then the env says where it listens.
				if v != nil && slices.ContainsFunc(svc.Ports, func(p types.ServicePortConfig) bool {
					return strings.Contains(*v, strconv.Itoa(int(p.Target)))
				}) {
					ok = true
				}
			}
			if !ok {
				l, col := at(portsKey)
				src := ""
				if bins[0].PortSource != "" {
					src = " (" + bins[0].PortSource + ")"
				}
				c.add("DG306", name, l, col,
					fmt.Sprintf("service %s publishes container port %d, but %s listens on %d%s", sname, svc.Ports[0].Target, bins[0].Name, bins[0].Port, src),
					fmt.Sprintf("publish \"127.0.0.1:%d:%d\"", bins[0].Port, bins[0].Port))
			}
		}
	}
}

// backingServices: DG307 — a service the drivers imply, matched by service
// name or image name ("postgres" matches postgres:17-alpine, bitnami/postgresql).
func (c *checker) backingServices(file string, proj *types.Project, at *yaml.Node) {
	if c.exp == nil {
		return
	}
	line, col := 1, 1
	if at != nil {
		line, col = at.Line, at.Column
	}
	for _, want := range c.exp.Services {
		found := false
		for name, svc := range proj.Services {
			img := svc.Image
			if i := strings.LastIndex(img, "/"); i >= 0 {
				img = img[i+1:]
			}
			found = found || strings.Contains(name, want) || strings.HasPrefix(img, want)
		}
		if !found {
			c.add("DG307", file, line, col,
				fmt.Sprintf("the code uses %s (its driver is imported), but no compose service runs it", want), "")
		}
	}
}

// secretLiterals: DG305, from the raw YAML (before interpolation, which
// would hide whether a value was written or interpolated).
func (c *checker) secretLiterals(file, sname string, env *yaml.Node, bins []*Binary) {
	if env == nil {
		return
	}
	check := func(k, v string, n *yaml.Node) {
		if v == "" || strings.Contains(v, "$") || !c.isSecretName(k) {
			return
		}
		c.add("DG305", file, n.Line, n.Column,
			fmt.Sprintf("service %s sets %s to a literal: the secret is in the file and in `docker inspect`", sname, k),
			fmt.Sprintf("write %s: \"${%s}\" and set it in the environment or .env (kept out of git)", k, k))
	}
	switch env.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(env.Content); i += 2 {
			check(env.Content[i].Value, env.Content[i+1].Value, env.Content[i])
		}
	case yaml.SequenceNode:
		for _, n := range env.Content {
			if k, v, ok := strings.Cut(n.Value, "="); ok {
				check(k, v, n)
			}
		}
	}
}

// serviceBinaries are the module binaries a compose service runs: the
// binaries of the Dockerfile stage it targets (the last stage when it names
// none), else the binary named like the service, else the only binary when
// this is the only service built here.
func (c *checker) serviceBinaries(proj *types.Project, svc types.ServiceConfig) []*Binary {
	if c.exp == nil || svc.Build == nil {
		return nil
	}
	if d := c.df; d != nil && len(d.stages) > 0 {
		target := d.stages[len(d.stages)-1]
		if svc.Build.Target != "" {
			target = nil
			for _, s := range d.stages {
				if s.name == strings.ToLower(svc.Build.Target) {
					target = s
				}
			}
		}
		if target != nil {
			if bins := c.stageBinaries(d, target); len(bins) > 0 {
				return bins
			}
		}
	}
	for i := range c.exp.Binaries {
		if c.exp.Binaries[i].Name == svc.Name {
			return []*Binary{&c.exp.Binaries[i]}
		}
	}
	built := 0
	for _, s := range proj.Services {
		if s.Build != nil {
			built++
		}
	}
	if built == 1 && len(c.exp.Binaries) == 1 {
		return []*Binary{&c.exp.Binaries[0]}
	}
	return nil
}

// imageSets reports whether the Dockerfile stage a service builds sets env
// var name with ENV: then compose need not.
func (c *checker) imageSets(svc types.ServiceConfig, name string) bool {
	d := c.df
	if d == nil || len(d.stages) == 0 || svc.Build == nil {
		return false
	}
	target := d.stages[len(d.stages)-1]
	for _, s := range d.stages {
		if svc.Build.Target != "" && s.name == strings.ToLower(svc.Build.Target) {
			target = s
		}
	}
	v, ok := target.after.env[name]
	return ok && v.set && !v.arg
}

// code: DG401, findings in the module's own code.
func (c *checker) code() {
	if c.exp == nil {
		return
	}
	for _, b := range c.exp.Binaries {
		for _, src := range b.Loopback {
			file, line := splitSource(src)
			c.add("DG401", file, line, 1,
				fmt.Sprintf("%s listens on a loopback address: inside a container nothing reaches it through a published port", b.Name), "")
		}
	}
}

// splitSource splits "file:line" (the line may be missing).
func splitSource(s string) (string, int) {
	if i := strings.LastIndex(s, ":"); i > 0 {
		if n, err := strconv.Atoi(s[i+1:]); err == nil {
			return s[:i], n
		}
	}
	return s, 1
}
