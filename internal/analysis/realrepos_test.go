package analysis

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// TestRealRepos runs Analyze on checkouts of real services when they are
// provided (one module per directory under $DOCKGEN_REALREPOS; only when
// set, so what is on the machine does not change what CI runs): no crash,
// sources valid, same facts twice. With -v it
// logs a summary per module. It fetches nothing and skips when absent.
func TestRealRepos(t *testing.T) {
	root := os.Getenv("DOCKGEN_REALREPOS")
	if root == "" {
		t.Skip("set DOCKGEN_REALREPOS to a directory of checkouts")
	}
	dirs, _ := filepath.Glob(filepath.Join(root, "*", "go.mod"))
	if len(dirs) == 0 {
		t.Skipf("no checkouts under %s", root)
	}
	for _, gm := range dirs {
		dir := filepath.Dir(gm)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			start := time.Now()
			f, err := Analyze(dir)
			if err != nil {
				t.Logf("InputError (may be right for this module): %v", err)
				return
			}
			took := time.Since(start)
			checkSources(t, dir, f)
			again, err := Analyze(dir)
			if err != nil || !reflect.DeepEqual(f, again) {
				t.Errorf("second run differs (err %v)", err)
			}
			t.Logf("%v, %d mains, cgo=%v services=%v warnings=%d", took, len(f.Mains), f.Cgo, f.Services, len(f.Warnings))
			for _, m := range f.Mains {
				t.Logf("  %s: %d listeners %+v, %d env, health %q, needs %v, cgo %q", m.Dir, len(m.Listeners), m.Listeners, len(m.Env), m.HealthPath, m.Needs, m.CgoReason)
			}
			for _, w := range f.Warnings {
				t.Logf("  warning %s %s: %s", w.Code, w.Source, w.Message)
			}
		})
	}
}
