package plan

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dockgen/dockgen/internal/analysis"
	"github.com/dockgen/dockgen/internal/answers"
)

// selectMains names every main package and picks the selected ones.
func (m *maker) selectMains() error {
	names := binaryNames(m.f.Mains)
	for i, mn := range m.f.Mains {
		c := Candidate{Dir: mn.Dir, Name: names[i], Serves: mn.LongRunning}
		c.Why = notShipped(mn.Dir)
		c.Default = c.Why == ""
		m.p.Candidates = append(m.p.Candidates, c)
	}
	switch {
	case !slices.ContainsFunc(m.p.Candidates, func(c Candidate) bool { return c.Default }):
		for i := range m.p.Candidates { // only examples or tools: they are what there is
			m.p.Candidates[i].Default = true
		}
	case !slices.ContainsFunc(m.p.Candidates, func(c Candidate) bool { return c.Default && c.Serves }):
		// No service among what ships (a library with CLIs): the servers
		// under examples/ are what a container would run.
		for i := range m.p.Candidates {
			if c := &m.p.Candidates[i]; c.Serves && strings.HasPrefix(c.Why, "under example") {
				c.Default, c.Why = true, ""
			}
		}
	}
	var dirs []string
	for _, v := range m.a.Mains {
		i := m.candidate(v)
		if i < 0 {
			return answers.Errorf("mains", "--main %s: no main package there (found: %s)", v, strings.Join(m.dirs(), ", "))
		}
		if !slices.Contains(dirs, m.p.Candidates[i].Dir) {
			dirs = append(dirs, m.p.Candidates[i].Dir)
		}
	}
	slices.Sort(dirs)
	m.a.Mains = dirs
	for i := range m.p.Candidates {
		c := &m.p.Candidates[i]
		c.Selected = c.Default
		if len(dirs) > 0 {
			c.Selected = slices.Contains(dirs, c.Dir)
		}
		if c.Selected {
			mn := m.f.Mains[i]
			if mn.Err != nil {
				return mainError(mn, len(m.f.Mains) > 1)
			}
			m.mains = append(m.mains, mn)
		}
	}
	return nil
}

// mainError is a broken selected main, with how to leave it out.
func mainError(mn analysis.Main, others bool) error {
	e := *mn.Err
	if others {
		e.Hint = strings.TrimSpace(e.Hint + fmt.Sprintf("; or build the other binaries without %s: --main DIR (repeatable)", mn.Dir))
	}
	return &e
}

func (m *maker) dirs() []string {
	var out []string
	for _, c := range m.p.Candidates {
		out = append(out, c.Dir)
	}
	return out
}

// candidate finds a main by dir ("./cmd/api", "cmd/api"), Docker name or
// go build name; -1 when none.
func (m *maker) candidate(v string) int {
	dir := answers.NormalizeMain(v)
	for i, c := range m.p.Candidates {
		if c.Dir == dir || c.Dir == "./"+strings.TrimPrefix(dir, "./") {
			return i
		}
	}
	for i, c := range m.p.Candidates {
		if c.Name == v || m.f.Mains[i].Name == v {
			return i
		}
	}
	return -1
}

// resolveAnswers turns the names in per-binary answers into Binary names
// ("my_worker", "./cmd/my_worker" → the binary's one name).
func (m *maker) resolveAnswers() error {
	resolve := func(field, key string) (string, error) {
		if key == "" {
			var serving []string
			for _, c := range m.p.Candidates {
				if c.Selected && c.Serves {
					serving = append(serving, c.Name)
				}
			}
			if len(serving) != 1 {
				return "", answers.Errorf(field, "%d binaries could take it (%s): say which with NAME=VALUE", len(serving), strings.Join(serving, ", "))
			}
			return serving[0], nil
		}
		i := m.candidate(key)
		if i < 0 {
			return "", answers.Errorf(field, "%q is not a selected binary (binaries: %s)", key, strings.Join(m.selectedNames(), ", "))
		}
		c := m.p.Candidates[i]
		if !c.Selected {
			// Kept for when it is selected again, and said.
			m.warn("answer-unused", "", "the %s answer for %s is kept, but %s is not selected", field, c.Name, c.Dir)
		}
		return c.Name, nil
	}
	if m.a.Ports != nil {
		ports := map[string]int{}
		// "" (a --port without NAME=) last: it is the command line's, so
		// it wins over a saved answer for the same binary.
		keys := sortedKeys(m.a.Ports)
		if len(keys) > 0 && keys[0] == "" {
			keys = append(keys[1:], "")
		}
		for _, k := range keys {
			name, err := resolve("ports."+k, k)
			if err != nil {
				return err
			}
			ports[name] = m.a.Ports[k]
		}
		m.a.Ports = ports
	}
	if m.a.Cgo != nil {
		cgo := map[string]string{}
		for _, k := range sortedKeys(m.a.Cgo) {
			name, err := resolve("cgo."+k, k)
			if err != nil {
				return err
			}
			cgo[name] = m.a.Cgo[k]
		}
		m.a.Cgo = cgo
	}
	for i, k := range m.a.NoProbe {
		name, err := resolve("no_probe", k)
		if err != nil {
			return err
		}
		m.a.NoProbe[i] = name
	}
	slices.Sort(m.a.NoProbe)
	m.a.NoProbe = slices.Compact(m.a.NoProbe)
	return nil
}

func (m *maker) selectedNames() []string {
	var out []string
	for _, c := range m.p.Candidates {
		if c.Selected {
			out = append(out, c.Name)
		}
	}
	return out
}
