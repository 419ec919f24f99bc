package forcefield_test

import (
	"runtime"
	"syscall"
	"testing"
)

func threadCPU() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(1, &ru) // RUSAGE_THREAD
	return float64(ru.Utime.Sec) + float64(ru.Utime.Usec)*1e-6 + float64(ru.Stime.Sec) + float64(ru.Stime.Usec)*1e-6
}

func TestZZCPU(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	dir := sharedDir(t)
	for _, key := range []string{"aldp", "a6"} {
		var rs refSystem
		for _, r := range refSystems {
			if r.key == key {
				rs = r
			}
		}
		_, sys := buildRef(t, dir, rs)
		confs := loadConfs(t, dir, key)
		pos := flat(confs.Conformations[0].Positions)
		forces := make([]float64, len(pos))
		n := 40000
		if key == "a6" {
			n = 5000
		}
		for rep := 0; rep < 3; rep++ {
			t0 := threadCPU()
			for i := 0; i < n; i++ {
				sys.Evaluate(pos, forces)
			}
			t.Logf("%s: %.2f us thread-CPU per eval", key, (threadCPU()-t0)/float64(n)*1e6)
		}
	}
}
