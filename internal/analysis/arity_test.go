package analysis

import (
	"fmt"
	"go/token"
	"sort"
	"strings"
	"testing"
)

// Code being edited does not type-check, and dockgen reads it anyway: no
// call of a library function it models, with any number of arguments of
// any kind, and no literal of a library type with odd fields, may crash
// the analysis (panics in its workers end the process). Every row of the
// model table, the read, migration and route tables are called with zero
// to three arguments, as functions, as methods of a value the package
// returns, and as composite literal types.
func TestLibraryCallsWithAnyArguments(t *testing.T) {
	t.Setenv("GOENV", "off")
	t.Setenv("DOCKGEN_CACHE", "off")
	calls := map[string]bool{} // "import/path.Name"
	for _, m := range models {
		for _, p := range m.pkgs {
			for _, t := range []string{"String", "Int", "Bool", "Duration"} { // "<T>": a flag value type
				calls[p+"."+strings.ReplaceAll(m.fn, "<T>", t)] = true
			}
		}
	}
	for _, table := range []map[string]bool{keysOf(readFuncs), migrationFuncs} {
		for k := range table {
			calls[k] = true
		}
	}
	for name := range routeMethods {
		calls["github.com/go-chi/chi/v5."+name] = true
	}
	for name := range readMethods {
		calls["html/template."+name] = true
	}
	var keys []string
	for k := range calls {
		if token.IsIdentifier(k[strings.LastIndexByte(k, '.')+1:]) { // not a placeholder row
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	argSets := []string{"", "x", "x, x", "x, x, x", `"", nil`, `&x, "", "", ""`}
	const fields = "Name: x, Value: x, Addr: x, Handler: x, EnvVars: x, Sources: x, Destination: x, Use: x, Run: x, RunE: x, Commands: x, Subcommands: x, Flags: x, Action: x"
	// Several rows per module, so the test stays quick; each module's
	// imports are distinct paths.
	const perModule = 40
	for start := 0; start < len(keys); start += perModule {
		end := min(start+perModule, len(keys))
		var imports, body strings.Builder
		for i, k := range keys[start:end] {
			dot := strings.LastIndexByte(k, '.')
			path, name := k[:dot], k[dot+1:]
			alias := fmt.Sprintf("p%d", i)
			fmt.Fprintf(&imports, "\t%s %q\n", alias, path)
			for _, args := range argSets {
				fmt.Fprintf(&body, "\t%s.%s(%s)\n", alias, name, args)
				fmt.Fprintf(&body, "\t%s.New().%s(%s)\n", alias, name, args)
				fmt.Fprintf(&body, "\tv%d := %s.New()\n\tv%d.%s(%s)\n", i, alias, i, name, args)
				fmt.Fprintf(&body, "\tx = %s.%s(%s)\n", alias, name, args)
			}
			fmt.Fprintf(&body, "\t_ = &%s.%s{}\n\t_ = %s.%s{%s}\n\t_ = %s.%s{x, x}\n", alias, name, alias, name, fields, alias, name)
		}
		src := "package main\n\nimport (\n" + imports.String() + ")\n\nvar x any\n\nfunc main() {\n" + body.String() + "}\n"
		t.Run(fmt.Sprintf("rows%d-%d", start, end), func(t *testing.T) {
			dir := t.TempDir()
			writeModule(t, dir, map[string]string{"go.mod": "module example.com/arity\n\ngo 1.22\n", "main.go": src})
			f, err := analyzeWithin(t, dir)
			if err != nil {
				t.Fatalf("%v", err) // the module is valid syntax: it must be analysed
			}
			if len(f.Mains) != 1 || f.Mains[0].Err != nil {
				t.Fatalf("mains: %+v", f.Mains)
			}
		})
	}
}

func keysOf[V any](m map[string]V) map[string]bool {
	out := map[string]bool{}
	for k := range m {
		out[k] = true
	}
	return out
}
