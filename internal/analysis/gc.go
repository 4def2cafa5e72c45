package analysis

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// An analysis builds, in a fraction of a second, a large structure that
// stays alive until it ends: the syntax trees of every file it parses.
// With the default GOGC the collector runs each time the heap doubles and
// marks everything parsed so far, and while it marks every pointer write
// costs extra: on a 1,000-file module that was a third of the CPU time,
// with almost nothing to free. So while analyses run, the collector waits
// until the heap has grown gcHeadroom past its usual goal; its first cycle after that puts
// the settings back, so a very large module is collected as usual from
// there on (cmd/compile does the same for its start-up heap). A GOGC
// or GOMEMLIMIT the user set is left alone.

// gcHeadroom is how much beyond its usual next goal the heap may grow
// before the collector runs.
const gcHeadroom = 256 << 20

// gcRelax is the state of the relaxed settings, shared by the analyses
// running at once.
type gcRelax struct {
	mu       sync.Mutex
	users    int    // analyses running
	relaxed  bool   // the settings are changed
	gen      uint64 // which relaxation a sentinel's finalizer belongs to
	percent  int    // the settings to put back
	memLimit int64
}

var gcState gcRelax

// relaxGC holds off garbage collection while an analysis runs; call the
// function it returns when the analysis ends.
func relaxGC() (restore func()) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	s := &gcState
	s.mu.Lock()
	s.users++
	if s.users == 1 {
		s.relaxed = true
		s.gen++
		limit := heapGoal() + gcHeadroom // with the usual settings, before they change
		s.percent = debug.SetGCPercent(-1)
		s.memLimit = debug.SetMemoryLimit(limit)
		// The first collection (the limit reached) puts the settings back.
		gen := s.gen
		runtime.SetFinalizer(&gcSentinel{}, func(*gcSentinel) { s.restore(gen) })
	}
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		s.users--
		if s.users == 0 {
			s.restoreLocked()
		}
		s.mu.Unlock()
	}
}

// gcSentinel is garbage from the start: its finalizer runs after the
// first collection. (It holds a pointer so it is never a tiny or
// zero-size allocation, which may not be finalized.)
type gcSentinel struct{ _ *int }

func (s *gcRelax) restore(gen uint64) {
	s.mu.Lock()
	if s.gen == gen {
		s.restoreLocked()
	}
	s.mu.Unlock()
}

func (s *gcRelax) restoreLocked() {
	if !s.relaxed {
		return
	}
	s.relaxed = false
	debug.SetGCPercent(s.percent)
	debug.SetMemoryLimit(s.memLimit)
}

// heapGoal is the heap size at which the collector would run next with
// the usual settings: the limit counts from there, so garbage left by
// earlier analyses in the same process is collected as usual.
func heapGoal() int64 {
	sample := []metrics.Sample{{Name: "/gc/heap/goal:bytes"}}
	metrics.Read(sample)
	return int64(sample[0].Value.Uint64())
}
