package smc

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// nullModel is a target and proposal that does no work, to time the SMC loop
// itself: energies, log-densities and gradients stay at zero.
type nullModel struct{ d int }

func (n nullModel) Dim() int                                             { return n.d }
func (nullModel) Energy(x [][]float64, e []float64, g [][]float64)       {}
func (nullModel) Sample(_ *rand.Rand, x [][]float64, lq []float64)       {}
func (nullModel) LogProb(x [][]float64, lq []float64)                    {}
func (nullModel) GradLogProb(x [][]float64, lq []float64, g [][]float64) {}

// BenchmarkOverhead times one annealing step over M = 10,000 particles with
// a target and proposal that do nothing (b.N steps per run, so the one-off
// allocations vanish from allocs/op). ns/particle-step is the loop overhead,
// including the D Gaussian draws of each Langevin move.
func BenchmarkOverhead(b *testing.B) {
	const m = 10000
	for _, k := range []Kernel{ULA, MALA} {
		for _, d := range []int{2, 66} {
			b.Run(fmt.Sprintf("%v/D=%d", k, d), func(b *testing.B) {
				nm := nullModel{d}
				b.ReportAllocs()
				b.ResetTimer()
				_, err := Run(nm, nm, nil, Config{Particles: m, Steps: b.N, Kernel: k, StepSize: 1e-3, ESSThreshold: 0.5, Workers: 1, Seed: 1})
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/m, "ns/particle-step")
			})
		}
	}
}

// BenchmarkOverheadResampling is BenchmarkOverhead/ULA with a resampling
// at every step (the weights of a non-trivial target force it).
func BenchmarkOverheadResampling(b *testing.B) {
	const m = 10000
	g := Gaussian{Mean: make([]float64, 66), Sigma: 1}
	tg := Gaussian{Mean: make([]float64, 66), Sigma: 0.5}
	b.ReportAllocs()
	b.ResetTimer()
	r, err := Run(tg, g, nil, Config{Particles: m, Times: Geometric(b.N, 0.5), Kernel: ULA, StepSize: 1e-3, ESSThreshold: 1, Workers: 1, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/m, "ns/particle-step")
	b.ReportMetric(float64(r.Resamplings)/float64(b.N), "resamplings/step")
}

// slowTarget costs about 20 µs per particle.
type slowTarget struct{ Gaussian }

func (s slowTarget) Energy(x [][]float64, e []float64, g [][]float64) {
	s.Gaussian.Energy(x, e, g)
	for i := range x {
		acc := 0.0
		for k := 0; k < 2000; k++ {
			acc += math.Sin(float64(k) + x[i][0])
		}
		e[i] += acc * 1e-300
	}
}

// BenchmarkSpeedup times one step over 512 particles with a target costing
// about 20 µs per particle; run with -cpu 1,2 (Workers = GOMAXPROCS) to read
// the parallel speed-up.
func BenchmarkSpeedup(b *testing.B) {
	g := Gaussian{Mean: make([]float64, 6), Sigma: 1}
	tg := slowTarget{g}
	b.ReportAllocs()
	b.ResetTimer()
	_, err := Run(tg, g, nil, Config{Particles: 512, Steps: b.N, Kernel: ULA, StepSize: 1e-3, BatchSize: 32, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
}

func BenchmarkResample(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	w := make([]float64, 10000)
	for i := range w {
		w[i] = rng.ExpFloat64()
	}
	dst := make([]int, len(w))
	for _, sc := range schemes {
		b.Run(sc.String(), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				_ = Resample(dst, w, sc, rng)
			}
		})
	}
}
