package doctor

import (
	"os"
	"testing"
)

func TestSmoke(t *testing.T) {
	dir := os.Getenv("SMOKE")
	if dir == "" {
		t.Skip()
	}
	exp := &Expect{Module: "example.com/myapp", GoVersion: "1.23", GoSource: "go.mod:3", Binaries: []Binary{{Name: "myapp", Dir: ".", Port: 8080, Cgo: true, CgoReason: "github.com/mattn/go-sqlite3", LongRunning: true, Loopback: []string{"main.go:12"}}}}
	if os.Getenv("NOEXP") != "" {
		exp = nil
	}
	r, err := Check(dir, Files{}, exp)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range r.Findings {
		t.Logf("%s:%d:%d: %s: %s [%s]\n    fix: %s", f.File, f.Line, f.Col, f.Severity, f.Message, f.Rule, f.Fix)
	}
}

func TestSmokeFix(t *testing.T) {
	dir := os.Getenv("SMOKE")
	if dir == "" {
		t.Skip()
	}
	r, err := Check(dir, Files{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ch, err := Fix(dir, r)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range ch {
		t.Logf("=== %s\n%s", k, v)
	}
}
