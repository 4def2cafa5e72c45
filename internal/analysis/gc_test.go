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

	// Garbage of earlier analyses in the process does not raise the
	// limit: it counts from the usual goal, not from what the heap holds.
	garbage := make([][]byte, 0, 64)
	for range 64 {
		garbage = append(garbage, make([]byte, 1<<20))
	}
	garbage = nil
	goal := heapGoal()
	end1 := relaxGC()
	check("one analysis", -1, true)
	if _, l := settings(); l > goal+gcHeadroom {
		t.Errorf("memory limit %d, want at most the heap goal %d + %d", l, goal, gcHeadroom)
	}
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
