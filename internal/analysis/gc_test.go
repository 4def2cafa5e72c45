package analysis

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// While analyses run the collector waits; the last one to end, or the
// first collection, puts the settings back; a GOGC the user set is kept.
func TestRelaxGC(t *testing.T) {
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	defer debug.SetGCPercent(debug.SetGCPercent(150))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))
	settings := func() (int, int64) {
		p := debug.SetGCPercent(-1)
		debug.SetGCPercent(p)
		return p, debug.SetMemoryLimit(-1)
	}
	check := func(step string, wantPercent int, limited bool) {
		t.Helper()
		p, l := settings()
		if p != wantPercent || (l != math.MaxInt64) != limited {
			t.Errorf("%s: GC percent %d, memory limit %d; want %d, limited %v", step, p, l, wantPercent, limited)
		}
	}

	end1 := relaxGC()
	check("one analysis", -1, true)
	end2 := relaxGC()
	end1()
	check("the second still running", -1, true)
	end2()
	check("none running", 150, false)

	end := relaxGC()
	runtime.GC() // the heap outgrew the headroom
	deadline := time.Now().Add(5 * time.Second)
	for p, _ := settings(); p != 150 && time.Now().Before(deadline); p, _ = settings() {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	check("after a collection", 150, false)
	end()
	check("after the analysis", 150, false)

	t.Setenv("GOGC", "100")
	end = relaxGC()
	check("GOGC set", 150, false)
	end()
}
