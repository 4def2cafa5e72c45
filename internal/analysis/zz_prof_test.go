package analysis

import (
	"os"
	"runtime/pprof"
	"testing"
)

func TestProfDir(t *testing.T) {
	dir := os.Getenv("PROF_DIR")
	if dir == "" {
		t.Skip()
	}
	t.Setenv("DOCKGEN_CACHE", "off")
	f, _ := os.Create(os.Getenv("PROF_OUT"))
	pprof.StartCPUProfile(f)
	_, err := Analyze(dir)
	pprof.StopCPUProfile()
	f.Close()
	if m := os.Getenv("PROF_MEM"); m != "" {
		mf, _ := os.Create(m)
		pprof.Lookup("allocs").WriteTo(mf, 0)
		mf.Close()
	}
	if err != nil {
		t.Log(err)
	}
}
