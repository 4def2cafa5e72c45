package analysis

import (
	"bufio"
	"bytes"
	"fmt"
	"go/ast"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Configuration libraries that keep state across calls — viper's
// defaults, env prefix, key replacer and flag bindings, koanf's loaded
// providers — and the config files they read by default from the
// repository (config.yaml next to the binary).

// libCall is one call of a stateful configuration library.
type libCall struct {
	f    *file
	fn   *ast.FuncDecl
	call *ast.CallExpr
	row  *model
}

func isLibCallKind(k modelKind) bool {
	switch k {
	case mViperDefault, mViperBindEnv, mViperAutoEnv, mViperPrefix, mViperReplacer,
		mViperBindFlag, mViperBindFlags, mViperConfig, mKoanfLoad, mToolkitFlags:
		return true
	}
	return false
}

// calls returns the library calls of kind k in the code that counts.
func (a *analyzer) calls(k modelKind) []libCall {
	var out []libCall
	for _, lc := range a.shared.libCalls {
		if lc.row.kind == k && a.inScope(lc.f) {
			out = append(out, lc)
		}
	}
	return out
}

func (lc libCall) ctx() evalCtx { return evalCtx{f: lc.f, fn: lc.fn, noParams: true} }

// viperKey is what viper.GetString(key) returns: a bound flag or env var,
// with the default from a config file, SetDefault or the flag's default.
func (a *analyzer) viperKey(key string, depth int) sval {
	key = strings.ToLower(key)
	p := part{}
	// Flags: BindPFlag(key, flags.Lookup("name")), BindPFlags(flags).
	var flagVal sval
	for _, lc := range a.calls(mViperBindFlag) {
		if k, ok := a.nameArg(lc.ctx(), lc.call, lc.row); ok && strings.ToLower(k) == key && len(lc.call.Args) == 2 {
			if look, ok := lc.call.Args[1].(*ast.CallExpr); ok && callName(look) == "Lookup" && len(look.Args) == 1 {
				if name, ok := a.valueNoParams(lc.ctx(), look.Args[0]).known(); ok {
					p.flag = name
					flagVal = a.flagNamed(name, depth)
				}
			}
		}
	}
	if p.flag == "" && len(a.calls(mViperBindFlags)) > 0 {
		if v := a.flagNamed(key, depth); len(v.parts) > 0 {
			if fp, ok := v.single(); !ok || fp.hasDef || fp.flag != key {
				p.flag, flagVal = key, v
			}
		}
	}
	// Env: BindEnv(key, "NAME"), BindEnv(key), AutomaticEnv.
	prefix := ""
	for _, lc := range a.calls(mViperPrefix) {
		if s, ok := a.nameArg(lc.ctx(), lc.call, lc.row); ok {
			prefix = s
		}
	}
	envKey := func() string {
		k := key
		if prefix != "" {
			k = prefix + "_" + k
		}
		k = strings.ToUpper(k)
		for _, lc := range a.calls(mViperReplacer) {
			k = a.applyReplacer(lc, k)
		}
		return k
	}
	for _, lc := range a.calls(mViperBindEnv) {
		k, ok := a.nameArg(lc.ctx(), lc.call, lc.row)
		if !ok || strings.ToLower(k) != key {
			continue
		}
		if len(lc.call.Args) > 1 {
			if s, ok := a.valueNoParams(lc.ctx(), lc.call.Args[1]).known(); ok {
				p.env = s
			}
		} else {
			p.env = envKey()
		}
		break
	}
	if p.env == "" && len(a.calls(mViperAutoEnv)) > 0 {
		p.env = envKey()
	}
	if p.env != "" && !validEnvName(p.env) {
		p.env = ""
	}
	// Default: the config file, else SetDefault, else the flag's default.
	var def sval
	haveDef := false
	if v, src, ok := a.configValue("viper", key); ok {
		def, haveDef = litVal(v), true
		p.src = src
	}
	if !haveDef {
		for _, lc := range a.calls(mViperDefault) {
			k, ok := a.nameArg(lc.ctx(), lc.call, lc.row)
			if !ok || strings.ToLower(k) != key || len(lc.call.Args) < 2 {
				continue
			}
			def, haveDef = a.eval(evalCtx{f: lc.f, fn: lc.fn}, lc.call.Args[1], depth), true
			p.src = a.pos(lc.call.Args[1].Pos())
			break
		}
	}
	if !haveDef && p.flag != "" {
		if fp, ok := flagVal.single(); ok && fp.hasDef {
			def, haveDef = litVal(fp.def), true
			p.src = fp.src
		}
	}
	return settingOrDefault(p, def, haveDef)
}

// settingOrDefault is a key's value: the setting with its default, or the
// default alone (marked with where it is written).
func settingOrDefault(p part, def sval, haveDef bool) sval {
	if p.env == "" && p.flag == "" {
		if !haveDef {
			return unknownVal()
		}
		if s, ok := def.known(); ok && s != "" && p.src != "" {
			return sval{parts: []part{{lit: s, src: p.src}}, num: def.num}
		}
		return def
	}
	if haveDef {
		if s, ok := def.render(); ok {
			p.def, p.hasDef = s, true
		}
		return sval{parts: []part{p}, num: def.num}
	}
	return sval{parts: []part{p}}
}

// applyReplacer applies viper.SetEnvKeyReplacer(strings.NewReplacer(...)).
func (a *analyzer) applyReplacer(lc libCall, k string) string {
	if len(lc.call.Args) != 1 {
		return k
	}
	nr, ok := lc.call.Args[0].(*ast.CallExpr)
	if !ok || callName(nr) != "NewReplacer" || len(nr.Args)%2 != 0 {
		return k
	}
	var pairs []string
	for _, e := range nr.Args {
		s, ok := a.valueNoParams(lc.ctx(), e).known()
		if !ok {
			return k
		}
		pairs = append(pairs, s)
	}
	return strings.NewReplacer(pairs...).Replace(k)
}

// koanfKey is what k.String(key) returns after the k.Load calls: an env
// provider's variable, with the default from confmap or a config file.
func (a *analyzer) koanfKey(key string, depth int) sval {
	p := part{}
	var def sval
	haveDef := false
	for _, lc := range a.calls(mKoanfLoad) {
		if len(lc.call.Args) == 0 {
			continue
		}
		prov, ok := lc.call.Args[0].(*ast.CallExpr)
		if !ok {
			continue
		}
		sel, ok := prov.Fun.(*ast.SelectorExpr)
		if !ok {
			continue
		}
		ip := lc.f.pkgOf(sel.X)
		switch {
		case strings.Contains(ip, "/providers/env"):
			prefix := ""
			if len(prov.Args) > 0 {
				if s, ok := a.valueNoParams(lc.ctx(), prov.Args[0]).known(); ok {
					prefix = s
				}
			}
			if len(prov.Args) > 1 { // env/v2: Provider(delim, Opt{Prefix: ...})
				if s := a.optionString(lc.ctx(), prov, "Prefix"); s != "" {
					prefix = s
				}
			}
			if prefix == "." {
				prefix = ""
			}
			env := prefix + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
			if validEnvName(env) {
				p.env = env
			}
		case strings.Contains(ip, "/providers/confmap"):
			if len(prov.Args) == 0 {
				continue
			}
			if lit, ok := prov.Args[0].(*ast.CompositeLit); ok {
				for _, el := range lit.Elts {
					kv, ok := el.(*ast.KeyValueExpr)
					if !ok {
						continue
					}
					if k, ok := a.valueNoParams(lc.ctx(), kv.Key).known(); ok && k == key {
						def, haveDef = a.eval(evalCtx{f: lc.f, fn: lc.fn}, kv.Value, depth), true
						p.src = a.pos(kv.Value.Pos())
					}
				}
			}
		case strings.Contains(ip, "/providers/file"):
			if len(prov.Args) == 0 {
				continue
			}
			if name, ok := a.valueNoParams(lc.ctx(), prov.Args[0]).known(); ok {
				if v, src, ok := a.fileValue(lc.f, name, key); ok {
					def, haveDef = litVal(v), true
					p.src = src
				}
			}
		}
	}
	return settingOrDefault(p, def, haveDef)
}

// configValue looks key up in the config file viper reads by default:
// SetConfigName + AddConfigPath (relative dirs), or SetConfigFile.
func (a *analyzer) configValue(lib, key string) (string, string, bool) {
	for _, name := range a.viperConfigFiles() {
		if v, src, ok := a.readConfigKey(name, key); ok {
			return v, src, true
		}
	}
	return "", "", false
}

// viperConfigFiles lists the repository files viper would read, relative
// to the module root: a relative config path is taken from the module
// root and from the main package's directory (the usual working dirs).
func (a *analyzer) viperConfigFiles() []string {
	var names, dirs, files []string
	for _, lc := range a.calls(mViperConfig) {
		s, ok := a.nameArg(lc.ctx(), lc.call, lc.row)
		if !ok {
			continue
		}
		switch callName(lc.call) {
		case "SetConfigName":
			names = append(names, s)
		case "AddConfigPath":
			dirs = append(dirs, s)
		case "SetConfigFile":
			files = append(files, s)
		}
	}
	var out []string
	bases := []string{"."}
	if a.mainRel != "" && a.mainRel != "." {
		bases = append(bases, a.mainRel)
	}
	for _, fl := range files {
		for _, b := range bases {
			out = append(out, path.Join(b, fl))
		}
	}
	if len(dirs) == 0 && len(names) > 0 {
		dirs = []string{"."}
	}
	for _, n := range names {
		for _, d := range dirs {
			if path.IsAbs(d) || strings.HasPrefix(d, "$") || strings.HasPrefix(d, "~") {
				continue
			}
			for _, b := range bases {
				for _, ext := range []string{".yaml", ".yml", ".json", ".toml"} {
					out = append(out, path.Join(b, d, n+ext))
				}
			}
		}
	}
	return out
}

// fileValue reads key from a config file the code names (koanf's
// file.Provider, cleanenv.ReadConfig), relative to the working dir.
func (a *analyzer) fileValue(f *file, name, key string) (string, string, bool) {
	if path.IsAbs(name) {
		return "", "", false
	}
	bases := []string{"."}
	if a.mainRel != "" && a.mainRel != "." {
		bases = append(bases, a.mainRel)
	}
	for _, b := range bases {
		if v, src, ok := a.readConfigKey(path.Join(b, name), key); ok {
			return v, src, true
		}
	}
	return "", "", false
}

// readConfigKey returns the value of a dotted key in a YAML, JSON or TOML
// file of the module (module-relative path), with its file:line.
func (a *analyzer) readConfigKey(rel, key string) (string, string, bool) {
	vals := a.configFile(rel)
	if vals == nil {
		return "", "", false
	}
	v, ok := vals[strings.ToLower(key)]
	if !ok {
		return "", "", false
	}
	a.noteConfigFile(rel)
	return v.val, fmt.Sprintf("%s:%d", rel, v.line), true
}

type configEntry struct {
	val  string
	line int
}

// configFile parses a config file once; nil when absent or unreadable.
func (a *analyzer) configFile(rel string) map[string]configEntry {
	a.shared.configMu.Lock()
	defer a.shared.configMu.Unlock()
	if m, ok := a.shared.configFiles[rel]; ok {
		return m
	}
	var m map[string]configEntry
	if !strings.HasPrefix(rel, "../") {
		if data, err := a.readFile(filepath.Join(a.root, filepath.FromSlash(rel)), maxModFile); err == nil {
			if strings.HasSuffix(rel, ".toml") {
				m = parseTOML(data)
			} else {
				m = parseYAML(data)
			}
		}
	}
	a.shared.configFiles[rel] = m
	return m
}

func (a *analyzer) noteConfigFile(rel string) {
	if a.configUsed != nil {
		(*a.configUsed)[rel] = true
	}
}

// parseYAML flattens a YAML (or JSON) mapping to dotted lower-case keys.
func parseYAML(data []byte) map[string]configEntry {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil || len(doc.Content) == 0 {
		return nil
	}
	out := map[string]configEntry{}
	var walk func(n *yaml.Node, prefix string, depth int)
	walk = func(n *yaml.Node, prefix string, depth int) {
		if depth > 16 || n.Kind != yaml.MappingNode {
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			key := strings.ToLower(k.Value)
			if prefix != "" {
				key = prefix + "." + key
			}
			switch v.Kind {
			case yaml.ScalarNode:
				out[key] = configEntry{v.Value, v.Line}
			case yaml.MappingNode:
				walk(v, key, depth+1)
			}
		}
	}
	walk(doc.Content[0], "", 0)
	return out
}

// parseTOML reads the simple TOML config files are made of: [section]
// headers and key = value lines with strings, numbers and booleans.
func parseTOML(data []byte) map[string]configEntry {
	out := map[string]configEntry{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	section := ""
	for line := 1; sc.Scan(); line++ {
		t := strings.TrimSpace(sc.Text())
		if t == "" || t[0] == '#' {
			continue
		}
		if strings.HasPrefix(t, "[") && strings.HasSuffix(t, "]") {
			section = strings.ToLower(strings.Trim(t, "[] "))
			continue
		}
		k, v, ok := strings.Cut(t, "=")
		if !ok {
			continue
		}
		k = strings.ToLower(strings.Trim(strings.TrimSpace(k), `"`))
		v = strings.TrimSpace(v)
		if i := strings.Index(v, " #"); i >= 0 && !strings.HasPrefix(v, `"`) {
			v = strings.TrimSpace(v[:i])
		}
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
		}
		if section != "" {
			k = section + "." + k
		}
		out[k] = configEntry{v, line}
	}
	return out
}

// sortedKeys returns a set's keys in order.
func sortedKeys(m map[string]bool) []string {
	if len(m) == 0 {
		return nil
	}
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
