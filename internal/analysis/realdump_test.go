package analysis

import (
	"os"
	"strings"
	"testing"
	"time"
)

func TestRealDump(t *testing.T) {
	for _, d := range strings.Fields(os.Getenv("REALDIRS")) {
		start := time.Now()
		f, err := Analyze(d)
		if err != nil {
			t.Logf("%s: %v", d, err)
			continue
		}
		t.Logf("%s (%v):\n%s", d, time.Since(start), mustJSON(t, f))
		checkSources(t, d, f)
	}
}
