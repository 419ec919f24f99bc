package boltzmann

import (
	"bytes"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/boltzflow/boltzflow/nn"
)

// cpuALDP is the default CPU-sized TarFlow for alanine dipeptide.
var cpuALDP = TarFlowConfig{Atoms: 22, Channels: 3, Width: 64, Heads: 2, Blocks: 4, Layers: 2}

// BenchmarkTarFlowTrainStep measures one training step (forward, backward,
// clip, AdamW) on a batch of 256 ALDP frames; samples/s = 256 / (ns/op·1e-9).
func BenchmarkTarFlowTrainStep(b *testing.B) { benchTrainStep(b, cpuALDP) }

// BenchmarkTarFlowSample measures drawing 256 ALDP proposals with the
// sequential KV-cached inverse.
func BenchmarkTarFlowSample(b *testing.B) { benchSample(b, cpuALDP) }

// BenchmarkProposalGradLogProb measures the flow score of 256 particles (the
// flow part of one SMC step).
func BenchmarkProposalGradLogProb(b *testing.B) { benchGradLogProb(b, cpuALDP) }

// w128ALDP is cpuALDP at twice the width, the larger configuration of the
// PyTorch comparison (testdata/torch_tarflow_bench.py, issue #9).
var w128ALDP = TarFlowConfig{Atoms: 22, Channels: 3, Width: 128, Heads: 2, Blocks: 4, Layers: 2}

// BenchmarkTarFlowConfigs runs the three benchmarks above for each
// configuration of the PyTorch comparison (testdata/torch_tarflow_bench.py),
// reporting samples per second of wall clock and of process CPU time
// (cpu-samples/s, from /proc/self/stat where it exists; robust on a shared
// machine).
func BenchmarkTarFlowConfigs(b *testing.B) {
	for _, c := range []struct {
		name string
		cfg  TarFlowConfig
	}{{"cpu", cpuALDP}, {"w128", w128ALDP}} {
		b.Run(c.name+"/TrainStep", func(b *testing.B) { benchTrainStep(b, c.cfg) })
		b.Run(c.name+"/Sample", func(b *testing.B) { benchSample(b, c.cfg) })
		b.Run(c.name+"/GradLogProb", func(b *testing.B) { benchGradLogProb(b, c.cfg) })
	}
}

// BenchmarkTarFlowTrainShapes measures the training step of alanine-dipeptide
// TarFlows of other shapes than the CPU default: scalar tokens (Channels 1,
// 66 tokens, as the paper's ALDP model), more layers per block, wider.
//
//	go test ./boltzmann -run XXX -bench TarFlowTrainShapes -benchtime 3x -cpu 1
func BenchmarkTarFlowTrainShapes(b *testing.B) {
	for _, c := range []struct {
		name string
		cfg  TarFlowConfig
	}{
		{"c3w64L2", cpuALDP},
		{"c3w64L4", TarFlowConfig{Atoms: 22, Channels: 3, Width: 64, Heads: 2, Blocks: 4, Layers: 4}},
		{"c3w96L2", TarFlowConfig{Atoms: 22, Channels: 3, Width: 96, Heads: 2, Blocks: 4, Layers: 2}},
		{"c1w64L2", TarFlowConfig{Atoms: 22, Channels: 1, Width: 64, Heads: 2, Blocks: 4, Layers: 2}},
		{"c1w64L4", TarFlowConfig{Atoms: 22, Channels: 1, Width: 64, Heads: 2, Blocks: 4, Layers: 4}},
		{"c1w128L2", TarFlowConfig{Atoms: 22, Channels: 1, Width: 128, Heads: 2, Blocks: 4, Layers: 2}},
	} {
		b.Run(c.name, func(b *testing.B) { benchTrainStep(b, c.cfg) })
	}
}

// procCPUSeconds returns the user+system CPU time of the process from
// /proc/self/stat (clock ticks of 1/100 s), or -1 where it is unavailable.
func procCPUSeconds() float64 {
	s, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return -1
	}
	i := bytes.LastIndexByte(s, ')')
	if i < 0 {
		return -1
	}
	f := strings.Fields(string(s[i+1:])) // f[0] is field 3 (state)
	if len(f) < 13 {
		return -1
	}
	u, err1 := strconv.ParseFloat(f[11], 64)
	k, err2 := strconv.ParseFloat(f[12], 64)
	if err1 != nil || err2 != nil {
		return -1
	}
	return (u + k) / 100
}

// reportSamples reports samples/s of wall clock and, if c0 ≥ 0, of CPU time
// since c0.
func reportSamples(b *testing.B, samples int, c0 float64) {
	b.ReportMetric(float64(samples)/b.Elapsed().Seconds(), "samples/s")
	if c := procCPUSeconds(); c0 >= 0 && c > c0 {
		b.ReportMetric(float64(samples)/(c-c0), "cpu-samples/s")
	}
}

func benchTrainStep(b *testing.B, cfg TarFlowConfig) {
	rng := rand.New(rand.NewPCG(1, 1))
	f := NewTarFlow[float32](cfg, rng)
	opt := nn.NewAdamW(f.Params(), 1e-4, 4e-4)
	bs, d := 256, cfg.Dim()
	x := make([]float32, bs*d)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	tp := nn.NewTape[float32](nil)
	step := func() {
		tp.Reset()
		loss := f.Loss(tp, tp.Const(x, bs, d))
		opt.ZeroGrad()
		tp.Backward(loss)
		nn.ClipGradNorm(f.Params(), 1)
		opt.Step()
	}
	// The first step fills the tape's arena (about 0.5 GB at batch 256);
	// later steps reuse it, so warm up before measuring B/op.
	step()
	b.ReportAllocs()
	b.ResetTimer()
	c0 := procCPUSeconds()
	for i := 0; i < b.N; i++ {
		step()
	}
	reportSamples(b, bs*b.N, c0)
}

func benchSample(b *testing.B, cfg TarFlowConfig) {
	rng := rand.New(rand.NewPCG(1, 1))
	f := NewTarFlow[float32](cfg, rng)
	bs := 256
	s := f.NewSampler(bs)
	x := make([]float32, bs*cfg.Dim())
	lq := make([]float64, bs)
	b.ReportAllocs()
	b.ResetTimer()
	c0 := procCPUSeconds()
	for i := 0; i < b.N; i++ {
		s.Sample(rng, x, lq)
	}
	reportSamples(b, bs*b.N, c0)
}

func benchGradLogProb(b *testing.B, cfg TarFlowConfig) {
	m := &Model{Flow: NewTarFlow[float32](cfg, rand.New(rand.NewPCG(1, 1))), Norm: Normalizer{Std: 0.17}}
	p := NewProposal(m, ComAdjust{Variant: ComChi, Sigma: 0.2})
	x := newRowsT(256, cfg.Dim())
	g := newRowsT(256, cfg.Dim())
	rng := rand.New(rand.NewPCG(2, 2))
	for _, r := range x {
		for j := range r {
			r[j] = rng.NormFloat64()
		}
	}
	timeGradLogProb(b, p, x, g)
}

// timeGradLogProb times p.GradLogProb on the rows x (gradients into g).
func timeGradLogProb(b *testing.B, p *Proposal, x, g [][]float64) {
	lq := make([]float64, len(x))
	b.ReportAllocs()
	b.ResetTimer()
	c0 := procCPUSeconds()
	for i := 0; i < b.N; i++ {
		p.GradLogProb(x, lq, g)
	}
	reportSamples(b, len(x)*b.N, c0)
}

// BenchmarkProposalGradLogProbChirality measures the score of 256 samples of
// the shipped ALDP model with chirality fixing, as SMC evaluates it (the
// density q(x) + q(−x) of the corrected samples).
func BenchmarkProposalGradLogProbChirality(b *testing.B) {
	m, err := LoadModel(filepath.Join("testdata", "aldp_tarflow_cpu.ckpt"), 22)
	if err != nil {
		b.Fatal(err)
	}
	s, err := LoadSystem("aldp")
	if err != nil {
		b.Fatal(err)
	}
	p := NewProposal(m, ComAdjust{Variant: ComChi, Sigma: 1 / math.Sqrt(22)})
	p.Chirality = s.Chirality(nil)
	const n = 256
	x, g := newRowsT(n, 66), newRowsT(n, 66)
	lq := make([]float64, n)
	p.Sample(rand.New(rand.NewPCG(3, 3)), x, lq)
	p.GradLogProb(x, lq, g)
	timeGradLogProb(b, p, x, g)
}
