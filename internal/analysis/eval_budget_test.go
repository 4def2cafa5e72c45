package analysis

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// A chain of variables that doubles at each step must not make evaluation
// exponential: the step budget cuts it off and the port is just unknown.
func TestEvalBudget(t *testing.T) {
	t.Setenv("GOENV", "off")
	var b strings.Builder
	b.WriteString("package main\n\nimport \"net/http\"\n\nfunc main() {\n\ta0 := \":80\"\n")
	for i := 1; i <= 60; i++ {
		fmt.Fprintf(&b, "\ta%d := a%d + a%d\n", i, i-1, i-1)
	}
	b.WriteString("\thttp.ListenAndServe(a60, nil)\n}\n")
	dir := t.TempDir()
	writeModule(t, dir, map[string]string{"go.mod": "module example.com/chain\n\ngo 1.22\n", "main.go": b.String()})
	start := time.Now()
	f, err := Analyze(dir)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Analyze took %v", d)
	}
	if l := f.Mains[0].Listeners; len(l) != 1 || l[0].Port != 0 {
		t.Errorf("listeners = %+v, want one with an unknown port", l)
	}
}
