package doctor

import (
	"os"
	"strings"
	"testing"
)

func TestZZSmoke(t *testing.T) {
	dirs := os.Getenv("SMOKE")
	if dirs == "" {
		t.Skip()
	}
	for _, dir := range strings.Fields(dirs) {
		r, err := Check(dir, Files{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		r.Write(&b, "gnu")
		t.Log("\n" + b.String())
	}
}
