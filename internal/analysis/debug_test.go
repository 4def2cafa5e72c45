package analysis

import (
	"go/ast"
	"os"
	"testing"
)

func TestDebugEval(t *testing.T) {
	dir := os.Getenv("DBG_DIR")
	if dir == "" {
		t.Skip()
	}
	f, err := Analyze(dir)
	if err != nil {
		t.Fatal(err)
	}
	_ = f
	_ = ast.Inspect
}
