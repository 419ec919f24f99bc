package agents

import (
	"math/rand/v2"
	"syscall"
	"testing"
	"time"
)

// cpuTime returns the process's user+system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// timed runs f b.N times and reports, besides ns/op (wall clock), the CPU time per op in ms ("cpu-ms/op"),
// which is less sensitive to other processes on a shared machine.
func timed(b *testing.B, f func()) {
	b.ReportAllocs()
	b.ResetTimer()
	c0 := cpuTime()
	for i := 0; i < b.N; i++ {
		f()
	}
	b.StopTimer()
	b.ReportMetric(float64(cpuTime()-c0)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
}

// BenchmarkMEowUpdate times one MEow gradient step (target pass, loss, backward, clip, Adam, Polyak) with the
// paper's network sizes, batch 256, Hopper dimensions (observation 11, action 3), float32.
// The PyTorch counterpart is testdata/torch_update_bench.py.
func BenchmarkMEowUpdate(b *testing.B) {
	m := NewMEow[float32](DefaultMEowConfig(11, 3), 1)
	batch := randBatch(rand.New(rand.NewPCG(1, 2)), 256, 11, 3)
	for i := 0; i < 3; i++ {
		if _, err := m.Update(batch); err != nil {
			b.Fatal(err)
		}
	}
	timed(b, func() {
		if _, err := m.Update(batch); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkMEowAct times one stochastic action for a single observation (the per-environment-step cost).
func BenchmarkMEowAct(b *testing.B) {
	m := NewMEow[float32](DefaultMEowConfig(11, 3), 1)
	obs := make([]float64, 11)
	dst := make([]float64, 3)
	m.Act(dst, obs, 1, false)
	timed(b, func() { m.Act(dst, obs, 1, false) })
}

// BenchmarkSACUpdate times one SAC update averaged the CleanRL way: one critic step plus, on every second
// call, two actor and α steps (so b.N calls include b.N actor steps), Hopper dimensions, batch 256, float32.
func BenchmarkSACUpdate(b *testing.B) {
	s := NewSAC(DefaultSACConfig(11, 3), 1)
	batch := randBatch(rand.New(rand.NewPCG(1, 2)), 256, 11, 3)
	for i := 0; i < 4; i++ {
		if _, err := s.Update(batch); err != nil {
			b.Fatal(err)
		}
	}
	timed(b, func() {
		if _, err := s.Update(batch); err != nil {
			b.Fatal(err)
		}
	})
}
