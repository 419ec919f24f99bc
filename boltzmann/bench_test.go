package boltzmann

import (
	"math/rand/v2"
	"testing"

	"github.com/boltzflow/boltzflow/nn"
)

// cpuALDP is the default CPU-sized TarFlow for alanine dipeptide.
var cpuALDP = TarFlowConfig{Atoms: 22, Channels: 3, Width: 64, Heads: 2, Blocks: 4, Layers: 2}

// BenchmarkTarFlowTrainStep measures one training step (forward, backward,
// clip, AdamW) on a batch of 256 ALDP frames; samples/s = 256 / (ns/op·1e-9).
func BenchmarkTarFlowTrainStep(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	f := NewTarFlow[float32](cpuALDP, rng)
	opt := nn.NewAdamW(f.Params(), 1e-4, 4e-4)
	bs, d := 256, cpuALDP.Dim()
	x := make([]float32, bs*d)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	tp := nn.NewTape[float32](nil)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tp.Reset()
		loss := f.Loss(tp, tp.Const(x, bs, d))
		opt.ZeroGrad()
		tp.Backward(loss)
		nn.ClipGradNorm(f.Params(), 1)
		opt.Step()
	}
	b.ReportMetric(float64(bs*b.N)/b.Elapsed().Seconds(), "samples/s")
}

// BenchmarkTarFlowSample measures drawing 256 ALDP proposals with the
// sequential KV-cached inverse.
func BenchmarkTarFlowSample(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	f := NewTarFlow[float32](cpuALDP, rng)
	bs := 256
	s := f.NewSampler(bs)
	x := make([]float32, bs*cpuALDP.Dim())
	lq := make([]float64, bs)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.Sample(rng, x, lq)
	}
	b.ReportMetric(float64(bs*b.N)/b.Elapsed().Seconds(), "samples/s")
}

// BenchmarkProposalGradLogProb measures the flow score of 256 particles (the
// flow part of one SMC step).
func BenchmarkProposalGradLogProb(b *testing.B) {
	m := &Model{Flow: NewTarFlow[float32](cpuALDP, rand.New(rand.NewPCG(1, 1))), Norm: Normalizer{Std: 0.17}}
	p := NewProposal(m, ComAdjust{Variant: ComChi, Sigma: 0.2})
	x := newRowsT(256, cpuALDP.Dim())
	g := newRowsT(256, cpuALDP.Dim())
	rng := rand.New(rand.NewPCG(2, 2))
	for _, r := range x {
		for j := range r {
			r[j] = rng.NormFloat64()
		}
	}
	lq := make([]float64, 256)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p.GradLogProb(x, lq, g)
	}
	b.ReportMetric(float64(256*b.N)/b.Elapsed().Seconds(), "samples/s")
}
