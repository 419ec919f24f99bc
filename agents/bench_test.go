package agents

import (
	"math/rand/v2"
	"testing"
)

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
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := m.Update(batch); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMEowAct times one stochastic action for a single observation (the per-environment-step cost).
func BenchmarkMEowAct(b *testing.B) {
	m := NewMEow[float32](DefaultMEowConfig(11, 3), 1)
	obs := make([]float64, 11)
	dst := make([]float64, 3)
	m.Act(dst, obs, 1, false)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m.Act(dst, obs, 1, false)
	}
}
