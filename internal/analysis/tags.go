package analysis

import (
	"go/ast"
	"go/token"
	"go/types"
	"reflect"
	"sort"
	"strings"
	"unicode"
)

// Config structs filled by a library from env vars, flags or config keys
// through struct tags. The library call (envconfig.Process("app", &cfg),
// env.ParseWithOptions(&cfg, env.Options{Prefix: "APP_"}), conf.Parse,
// kong.Parse, viper.Unmarshal, ...) says which dialect the tags are in and
// which prefix applies; the struct's type says which fields, nested ones
// included. Each field gets the setting the program really reads.

// fieldBind is what fills one struct field.
type fieldBind struct {
	consumer *file  // where the library call is
	src      string // the field's declaration (file:line)
	env      string // as the program reads it: prefix and naming rules applied
	flag     string
	key      string // a viper/koanf key
	keyLib   string // "viper" or "koanf"
	def      string
	hasDef   bool
	required bool
	secret   bool // the library masks it (ardanlabs conf:"mask")
	num      bool
	sub      string // kong: the subcommand the flag belongs to
	cfgFile  string // the config file the default comes from (module-relative)
	opaque   bool   // filled from elsewhere (a sethvargo MapLookuper): no setting, value unknown
	defSrc   string // where that default is (file:line), when not src
}

// bindings returns every library-filled field of the module (the module
// index binds them).
func (a *analyzer) bindings() map[*types.Var][]fieldBind {
	return a.shared.binds
}

// fieldBinding is the setting a library binds a field to, for fields of
// config structs; ok is false when none does.
func (a *analyzer) fieldBinding(obj *types.Var) (sval, bool) {
	for _, b := range a.bindings()[obj] {
		if !a.inScope(b.consumer) {
			continue
		}
		return a.bindVal(b), true
	}
	// No library call found (it may sit in a dependency): the field's own
	// env tag, as written.
	if t, ok := a.fieldTag(obj); ok {
		p := part{env: t.name, def: t.def, hasDef: t.hasDef, src: a.pos(obj.Pos())}
		return sval{parts: []part{p}, num: isNumVar(obj)}, true
	}
	return sval{}, false
}

func (a *analyzer) bindVal(b fieldBind) sval {
	if b.opaque {
		return unknownVal()
	}
	if b.key != "" {
		var v sval
		if b.keyLib == "koanf" {
			v = a.koanfKey(b.key, 0)
		} else {
			v = a.viperKey(b.key, 0)
		}
		v.num = v.num || b.num
		return v
	}
	p := part{env: b.env, flag: b.flag, def: b.def, hasDef: b.hasDef, src: b.src}
	if b.defSrc != "" {
		p.src = b.defSrc
	}
	if p.env == "" && p.flag == "" {
		if !b.hasDef {
			return sval{num: b.num}
		}
		return sval{parts: []part{{lit: b.def}}, num: b.num}
	}
	return sval{parts: []part{p}, num: b.num}
}

// fieldTag reads a field's env struct tag (structEnvTag's dialects).
func (a *analyzer) fieldTag(obj *types.Var) (envTag, bool) {
	st, ok := a.structOf(obj)
	if !ok {
		return envTag{}, false
	}
	for i := 0; i < st.NumFields(); i++ {
		if st.Field(i) == obj {
			return structEnvTag(st.Tag(i))
		}
	}
	return envTag{}, false
}

// structOf finds the struct type declaring a field: among the types and
// variables of its package, or the struct types written in bodies
// (localStruct records those).
func (a *analyzer) structOf(obj *types.Var) (*types.Struct, bool) {
	if obj.Pkg() != nil {
		if p := a.localPkg(obj.Pkg().Path()); p != nil {
			defs := a.infoOf(p).Defs
			a.shared.structMu.Lock()
			done := a.shared.structPkgs[p]
			a.shared.structPkgs[p] = true
			a.shared.structMu.Unlock()
			if !done {
				for _, o := range defs {
					switch o := o.(type) {
					case *types.TypeName:
						a.recordStruct(o.Type().Underlying(), 0)
					case *types.Var:
						if !o.IsField() {
							a.recordStruct(o.Type().Underlying(), 0)
						}
					}
				}
			}
		}
	}
	a.shared.structMu.Lock()
	defer a.shared.structMu.Unlock()
	st, ok := a.shared.fieldStruct[obj]
	return st, ok
}

func (a *analyzer) recordStruct(t types.Type, depth int) {
	a.shared.structMu.Lock()
	defer a.shared.structMu.Unlock()
	a.recordStructLocked(t, depth)
}

func (a *analyzer) recordStructLocked(t types.Type, depth int) {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem().Underlying()
	}
	st, ok := t.(*types.Struct)
	if !ok || depth > 8 {
		return
	}
	for i := 0; i < st.NumFields(); i++ {
		f := st.Field(i)
		if _, seen := a.shared.fieldStruct[f]; seen {
			continue
		}
		a.shared.fieldStruct[f] = st
		a.recordStructLocked(f.Type().Underlying(), depth+1)
	}
}

// bindStruct records the fields one library call fills.
func (a *analyzer) bindStruct(c evalCtx, call *ast.CallExpr, m *model) {
	target := m.argOf(call, m.target)
	prefix := ""
	var provided map[string]bool
	if m.kind == mStructEnv && m.lib == "sethvargo" && m.target < 0 {
		target, prefix, provided = a.sethvargoConfig(c, call)
	}
	if target == nil {
		return
	}
	t := a.typeOf(c, target)
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
		// viper.Unmarshal(&Server) with var Server = &options{} (navidrome):
		// mapstructure decodes through the second pointer too.
		if p, ok := t.Underlying().(*types.Pointer); ok {
			t = p.Elem()
		}
	} else if m.kind != mKoanfUnmarshal || t == nil {
		if t == nil {
			return
		}
	}
	st, ok := t.Underlying().(*types.Struct)
	if !ok {
		return
	}
	w := structWalk{a: a, c: c, m: m, pos: call.Pos(), provided: provided, lookPrefix: prefix}
	switch {
	case m.kind == mViperUnmarshal:
		w.keyLib = "viper"
	case m.kind == mKoanfUnmarshal:
		w.keyLib = "koanf"
		if s, ok := a.nameArg(c, call, m); ok {
			prefix = s
		}
	case m.lib == "envconfig":
		if s, ok := a.nameArg(c, call, m); ok {
			prefix = strings.ToUpper(s)
		}
	case m.lib == "ardanlabs":
		if s, ok := a.nameArg(c, call, m); ok {
			prefix = strings.ToUpper(s)
		}
	case m.lib == "caarlos0":
		prefix = a.optionString(c, call, "Prefix")
	case m.lib == "cleanenv" && m.name >= 0:
		w.file, _ = a.nameArg(c, call, m)
	case m.lib == "kong":
		prefix = a.kongEnvPrefix(c, call)
	case m.lib == "goflags" && m.name >= 0: // p.AddCommand("server", short, long, &cmd)
		if name, ok := a.nameArg(c, call, m); ok {
			w.addCommand(t, name)
			w.walk(st, prefix, nil, name, 0)
			return
		}
	}
	w.walk(st, prefix, nil, "", 0)
}

// optionString finds Key: "value" in a struct literal argument of a call
// (env.Options{Prefix: "APP_"}).
func (a *analyzer) optionString(c evalCtx, call *ast.CallExpr, key string) string {
	for _, arg := range call.Args {
		if u, ok := arg.(*ast.UnaryExpr); ok {
			arg = u.X
		}
		lit, ok := arg.(*ast.CompositeLit)
		if !ok {
			continue
		}
		for _, el := range lit.Elts {
			if kv, ok := el.(*ast.KeyValueExpr); ok && isIdent(kv.Key, key) {
				if s, ok := a.valueNoParams(c, kv.Value).known(); ok {
					return s
				}
			}
		}
	}
	return ""
}

// sethvargoConfig reads envconfig.ProcessWith(ctx, &envconfig.Config{Target:
// &cfg, Lookuper: envconfig.PrefixLookuper("APP_", ...)}). provided are
// the keys a MapLookuper ahead of the environment answers
// (MapLookuper(map[string]string{"HOSTNAME": os.Getenv("HOSTNAME")})):
// MultiLookuper asks its lookupers in order, so those fields never read
// the prefixed variable, and the map's own reads are how the program
// passes the runtime's values on, not settings.
func (a *analyzer) sethvargoConfig(c evalCtx, call *ast.CallExpr) (target ast.Expr, prefix string, provided map[string]bool) {
	for _, arg := range call.Args {
		if u, ok := arg.(*ast.UnaryExpr); ok {
			arg = u.X
		}
		lit, ok := arg.(*ast.CompositeLit)
		if !ok {
			continue
		}
		for _, el := range lit.Elts {
			kv, ok := el.(*ast.KeyValueExpr)
			if !ok {
				continue
			}
			switch {
			case isIdent(kv.Key, "Target"):
				target = kv.Value
			case isIdent(kv.Key, "Lookuper"):
				// PrefixLookuper("APP_", ...), possibly inside MultiLookuper(...)
				env := false // the environment is asked from here on
				ast.Inspect(a.callOf(c, kv.Value), func(n ast.Node) bool {
					pc, ok := n.(*ast.CallExpr)
					if !ok {
						return true
					}
					switch callName(pc) {
					case "PrefixLookuper":
						if len(pc.Args) > 0 && prefix == "" {
							prefix, _ = a.valueNoParams(c, pc.Args[0]).known()
						}
						env = true
					case "OsLookuper":
						env = true
					case "MapLookuper":
						if m, ok := mapLiteral(pc); ok && !env {
							for _, el := range m.Elts {
								if kv, ok := el.(*ast.KeyValueExpr); ok {
									if k, ok := a.valueNoParams(c, kv.Key).known(); ok {
										if provided == nil {
											provided = map[string]bool{}
										}
										provided[k] = true
									}
								}
							}
						}
						return false
					}
					return true
				})
			}
		}
	}
	return target, prefix, provided
}

// mapLiteral is a call's map literal argument (MapLookuper(map[...]...{})).
func mapLiteral(call *ast.CallExpr) (*ast.CompositeLit, bool) {
	if len(call.Args) != 1 {
		return nil, false
	}
	m, ok := call.Args[0].(*ast.CompositeLit)
	if !ok {
		return nil, false
	}
	_, isMap := m.Type.(*ast.MapType)
	return m, isMap
}

// kongEnvPrefix reads kong.DefaultEnvars("APP") among kong.Parse's options.
func (a *analyzer) kongEnvPrefix(c evalCtx, call *ast.CallExpr) string {
	for _, arg := range call.Args[1:] {
		if oc, ok := arg.(*ast.CallExpr); ok && callName(oc) == "DefaultEnvars" && len(oc.Args) == 1 {
			if s, ok := a.valueNoParams(c, oc.Args[0]).known(); ok {
				return "\x00" + s // a marker: every flag gets PREFIX_NAME
			}
		}
	}
	return ""
}

type structWalk struct {
	pos    token.Pos
	file   string // cleanenv.ReadConfig's file: defaults come from it
	a      *analyzer
	c      evalCtx
	m      *model
	keyLib string
	// sethvargo: keys a MapLookuper answers before the environment, and
	// the PrefixLookuper's prefix (not part of the key).
	provided   map[string]bool
	lookPrefix string
}

// walk visits the fields of st. prefix is the env prefix so far (or the
// key path for viper/koanf); path is the field names from the root (for
// ardanlabs and kong names).
func (w *structWalk) walk(st *types.Struct, prefix string, path []string, sub string, depth int) {
	if depth > 6 {
		return
	}
	for i := 0; i < st.NumFields(); i++ {
		fld := st.Field(i)
		tag := reflect.StructTag(st.Tag(i))
		if !fld.Exported() {
			continue
		}
		if fld.Anonymous() && !isValid(fld.Type()) {
			continue // an embedded library type (conf.Version)
		}
		inner, isStruct := structType(fld.Type())
		b := fieldBind{consumer: w.c.f, src: w.a.pos(fld.Pos()), num: isNumVar(fld), sub: sub}
		lib := w.m.lib
		if w.keyLib != "" {
			lib = w.keyLib
		}
		switch lib {
		case "viper", "koanf":
			name := strings.ToLower(fld.Name())
			tagName := "mapstructure"
			if lib == "koanf" {
				tagName = "koanf"
			}
			if v, ok := tag.Lookup(tagName); ok {
				opts := strings.Split(v, ",")
				if opts[0] == "-" {
					continue
				}
				if opts[0] != "" {
					name = opts[0]
				}
				if isStruct && (fld.Anonymous() || hasOpt(opts[1:], "squash")) {
					w.walk(inner, prefix, path, sub, depth+1)
					continue
				}
			}
			key := name
			if prefix != "" {
				key = prefix + "." + name
			}
			if isStruct && !isTextType(fld.Type()) {
				w.walk(inner, key, path, sub, depth+1)
				continue
			}
			b.key, b.keyLib = key, lib
		case "envconfig":
			if tag.Get("ignored") == "true" {
				continue
			}
			alt := strings.TrimSpace(strings.Split(tag.Get("envconfig"), ",")[0])
			key := fld.Name()
			if tag.Get("split_words") == "true" && alt == "" {
				key = strings.Join(camelSplit(key), "_")
			}
			if alt != "" {
				key = alt
			}
			if prefix != "" {
				key = prefix + "_" + key
			}
			key = strings.ToUpper(key)
			if isStruct && !isTextType(fld.Type()) {
				next := key
				if fld.Anonymous() {
					next = prefix
				}
				w.walk(inner, next, path, sub, depth+1)
				continue
			}
			// A tagged field is also read under its bare name, which is
			// what a deployment usually sets; report that one.
			if alt != "" {
				key = strings.ToUpper(alt)
			}
			b.env = key
			b.def, b.hasDef = tag.Lookup("default")
			b.required = tag.Get("required") == "true"
		case "caarlos0":
			if isStruct && !isTextType(fld.Type()) {
				if _, hasEnv := tag.Lookup("env"); !hasEnv || fld.Anonymous() {
					w.walk(inner, prefix+tag.Get("envPrefix"), path, sub, depth+1)
					continue
				}
			}
			v, ok := tag.Lookup("env")
			if !ok {
				continue
			}
			opts := strings.Split(v, ",")
			name := strings.TrimSpace(opts[0])
			if name == "" || name == "-" {
				continue
			}
			b.env = prefix + name
			b.def, b.hasDef = tag.Lookup("envDefault")
			b.required = hasOpt(opts[1:], "required") || hasOpt(opts[1:], "notEmpty")
		case "cleanenv":
			if isStruct && !isTextType(fld.Type()) {
				w.walk(inner, prefix+tag.Get("env-prefix"), append(append([]string{}, path...), yamlName(fld.Name(), tag)), sub, depth+1)
				continue
			}
			v, ok := tag.Lookup("env")
			if !ok {
				continue
			}
			name := strings.TrimSpace(strings.Split(v, ",")[0])
			if name == "" || name == "-" {
				continue
			}
			b.env = prefix + name
			b.def, b.hasDef = tag.Lookup("env-default")
			b.required = tag.Get("env-required") == "true"
			if w.file != "" {
				// the file's value wins over env-default; env wins over both
				key := strings.Join(append(append([]string{}, path...), yamlName(fld.Name(), tag)), ".")
				if v, src, ok := w.a.fileValue(w.c.f, w.file, key); ok {
					b.def, b.hasDef, b.defSrc, b.cfgFile = v, true, src, strings.Split(src, ":")[0]
				}
			}
		case "sethvargo":
			v := tag.Get("env")
			opts := strings.Split(v, ",")
			name := strings.TrimSpace(opts[0])
			p := prefix
			for _, o := range opts[1:] {
				o = strings.TrimSpace(o)
				switch {
				case strings.HasPrefix(o, "default="):
					b.def, b.hasDef = strings.TrimPrefix(o, "default="), true
				case o == "required":
					b.required = true
				case strings.HasPrefix(o, "prefix="):
					p += strings.TrimPrefix(o, "prefix=")
				}
			}
			if isStruct && !isTextType(fld.Type()) && name == "" {
				w.walk(inner, p, path, sub, depth+1)
				continue
			}
			if name == "" || name == "-" {
				continue
			}
			if w.provided[strings.TrimPrefix(prefix+name, w.lookPrefix)] {
				b.opaque, b.required = true, false // a MapLookuper answers it, not the environment
				break
			}
			b.env = prefix + name
		case "ardanlabs":
			opts := confOptions(tag.Get("conf"))
			if _, ok := opts["-"]; ok {
				continue
			}
			names := append(append([]string{}, path...), fld.Name())
			if isStruct && !isTextType(fld.Type()) {
				if fld.Anonymous() {
					names = path
				}
				w.walk(inner, prefix, names, sub, depth+1)
				continue
			}
			var words []string
			for _, n := range names {
				words = append(words, camelSplit(n)...)
			}
			envWords := words
			if e, ok := opts["env"]; ok && e != "" {
				envWords = append(camelSplit(strings.Join(path, "")), strings.Split(e, "_")...)
				envWords = strings.Split(e, "_")
			}
			env := strings.ToUpper(strings.Join(envWords, "_"))
			if prefix != "" {
				env = prefix + "_" + env
			}
			b.env = env
			b.flag = strings.ToLower(strings.Join(words, "-"))
			if fl, ok := opts["flag"]; ok && fl != "" {
				b.flag = fl
			}
			b.def, b.hasDef = opts["default"]
			_, b.required = opts["required"]
			_, b.secret = opts["mask"]
		case "goflags":
			if tag.Get("no-flag") != "" || tag.Get("positional-args") != "" {
				continue
			}
			if name := tag.Get("command"); name != "" && isStruct {
				w.addCommand(fld.Type(), name)
				w.walk(inner, prefix, path, name, depth+1)
				continue
			}
			if isStruct && !isTextType(fld.Type()) {
				p, ns := prefix, path
				if _, group := tag.Lookup("group"); group {
					if e := tag.Get("env-namespace"); e != "" {
						p = prefix + e + "_"
					}
					if n := tag.Get("namespace"); n != "" {
						ns = append(append([]string{}, path...), n)
					}
				}
				w.walk(inner, p, ns, sub, depth+1)
				continue
			}
			long, hasLong := tag.Lookup("long")
			env, hasEnv := tag.Lookup("env")
			if !hasLong && !hasEnv {
				continue
			}
			if hasLong && long != "" {
				b.flag = strings.Join(append(append([]string{}, path...), long), ".")
			}
			if hasEnv && env != "" {
				b.env = prefix + env
			}
			b.def, b.hasDef = tag.Lookup("default")
			// Required for every command only at the top: a subcommand's
			// required option is required when that command runs.
			r := strings.ToLower(tag.Get("required"))
			b.required = sub == "" && r != "" && r != "false" && r != "no" && r != "0"
		case "kong":
			if _, isCmd := tag.Lookup("cmd"); isCmd && isStruct {
				name := tag.Get("name")
				if name == "" {
					name = kebab(fld.Name())
				}
				if w.c.fn != nil {
					t := fld.Type()
					if p, ok := t.(*types.Pointer); ok {
						t = p.Elem()
					}
					w.a.shared.kongCmds = append(w.a.shared.kongCmds, kongCmd{t: t, sub: name, method: "Run", f: w.c.f, decl: w.c.fn, fn: w.c.fn, pos: w.pos})
				}
				w.walk(inner, prefix, nil, name, depth+1)
				continue
			}
			if _, isArg := tag.Lookup("arg"); isArg {
				continue
			}
			if isStruct && !isTextType(fld.Type()) {
				if _, embed := tag.Lookup("embed"); embed || fld.Anonymous() {
					w.walk(inner, prefix, path, sub, depth+1)
					continue
				}
			}
			name := tag.Get("name")
			if name == "" {
				name = kebab(fld.Name())
			}
			name = tag.Get("prefix") + name
			b.flag = name
			if e, ok := tag.Lookup("env"); ok {
				b.env = strings.TrimSpace(strings.Split(e, ",")[0])
			} else if strings.HasPrefix(prefix, "\x00") {
				b.env = strings.ToUpper(strings.TrimPrefix(prefix, "\x00") + "_" + strings.ReplaceAll(name, "-", "_"))
			}
			b.def, b.hasDef = tag.Lookup("default")
			_, b.required = tag.Lookup("required")
		default:
			continue
		}
		if b.env != "" && !validEnvName(b.env) {
			b.env = ""
		}
		w.a.shared.binds[fld] = append(w.a.shared.binds[fld], b)
	}
}

func hasOpt(opts []string, o string) bool {
	for _, x := range opts {
		if strings.TrimSpace(x) == o {
			return true
		}
	}
	return false
}

// structType returns the struct behind a field type (T or *T).
func structType(t types.Type) (*types.Struct, bool) {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	st, ok := t.Underlying().(*types.Struct)
	return st, ok
}

// isTextType reports types that libraries read as one value though they
// are structs (time.Time, url.URL): here all library types are invalid, so
// only module types with an UnmarshalText or Set method count.
func isTextType(t types.Type) bool {
	for _, name := range []string{"UnmarshalText", "Set", "Decode", "UnmarshalYAML"} {
		if o, _, _ := types.LookupFieldOrMethod(t, true, nil, name); o != nil {
			if _, ok := o.(*types.Func); ok {
				return true
			}
		}
	}
	return false
}

// confOptions parses ardanlabs/conf tags: `conf:"default:0.0.0.0:3000,mask"`.
func confOptions(tag string) map[string]string {
	out := map[string]string{}
	if tag == "" {
		return out
	}
	for _, o := range splitConf(tag) {
		k, v, _ := strings.Cut(o, ":")
		out[strings.TrimSpace(k)] = v
	}
	return out
}

// splitConf splits on commas, except inside a default value (which runs to
// the next option keyword).
func splitConf(tag string) []string {
	var out []string
	for _, p := range strings.Split(tag, ",") {
		k, _, _ := strings.Cut(p, ":")
		switch strings.TrimSpace(k) {
		case "default", "env", "flag", "short", "help", "required", "mask", "noprint", "notzero", "-":
			out = append(out, p)
		default:
			if len(out) > 0 {
				out[len(out)-1] += "," + p
			} else {
				out = append(out, p)
			}
		}
	}
	return out
}

// camelSplit splits a Go name into words: "APIHost" → API, Host.
func camelSplit(s string) []string {
	var words []string
	rs := []rune(s)
	start := 0
	for i := 1; i < len(rs); i++ {
		prev, cur := rs[i-1], rs[i]
		next := rune(0)
		if i+1 < len(rs) {
			next = rs[i+1]
		}
		if (unicode.IsLower(prev) || unicode.IsDigit(prev)) && unicode.IsUpper(cur) ||
			unicode.IsUpper(prev) && unicode.IsUpper(cur) && unicode.IsLower(next) {
			words = append(words, string(rs[start:i]))
			start = i
		}
	}
	return append(words, string(rs[start:]))
}

// kebab is kong's flag name for a field: "ListenAddr" → "listen-addr".
func kebab(s string) string {
	return strings.ToLower(strings.Join(camelSplit(s), "-"))
}

// mainBindings are the library-filled fields whose library call is in the
// main being analyzed, in source order.
func (a *analyzer) mainBindings() []fieldBind {
	var out []fieldBind
	for _, bs := range a.bindings() {
		for _, b := range bs {
			if a.inScope(b.consumer) {
				out = append(out, b)
				break
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].src != out[j].src {
			return sourceLess(out[i].src, out[j].src)
		}
		return out[i].env < out[j].env
	})
	return out
}

func isValid(t types.Type) bool {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	b, ok := t.(*types.Basic)
	return !ok || b.Kind() != types.Invalid
}

// yamlName is a field's key in a YAML config file: its yaml tag, else
// the lower-cased field name (what yaml.v3 uses).
func yamlName(field string, tag reflect.StructTag) string {
	if v, ok := tag.Lookup("yaml"); ok {
		if n := strings.Split(v, ",")[0]; n != "" && n != "-" {
			return n
		}
	}
	return strings.ToLower(field)
}

// callOf follows a local variable to the expression it was last set to.
func (a *analyzer) callOf(c evalCtx, e ast.Expr) ast.Expr {
	id, ok := e.(*ast.Ident)
	if !ok || c.fn == nil {
		return e
	}
	list := a.funcIndex(c.f, c.fn).assigns[id.Name]
	for i := len(list) - 1; i >= 0; i-- {
		if list[i].pos < id.Pos() && list[i].kind == kExpr {
			return list[i].rhs
		}
	}
	return e
}

// addCommand records a go-flags command struct: the parser runs its
// Execute method when the subcommand is given.
func (w *structWalk) addCommand(t types.Type, name string) {
	if w.c.fn == nil {
		return
	}
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	w.a.shared.kongCmds = append(w.a.shared.kongCmds, kongCmd{t: t, sub: name, method: "Execute", f: w.c.f, decl: w.c.fn, fn: w.c.fn, pos: w.pos})
}
