package nn

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkMLPTrainStep: MLP 17→256→256→6 with ReLU, batch 256, MSE loss,
// forward + backward + Adam, float32 (issue 2, benchmark A).
func BenchmarkMLPTrainStep(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	m := NewMLP[float32]("mlp", MLPConfig{Sizes: []int{17, 256, 256, 6}, Activation: ActReLU}, rng)
	opt := NewAdam(m.Params(), 1e-3)
	const n = 256
	x, y := make([]float32, n*17), make([]float32, n*6)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	for i := range y {
		y[i] = float32(rng.NormFloat64())
	}
	tp := NewTape[float32](nil)
	for i := 0; i < 3; i++ {
		mlpStep(m, opt, tp, x, y, n)
	}
	b.ReportAllocs()
	b.ResetTimer()
	c0 := processCPUSeconds()
	for i := 0; i < b.N; i++ {
		mlpStep(m, opt, tp, x, y, n)
	}
	reportCPU(b, c0)
}

// reportCPU adds the process CPU time per op (ms), which is robust against
// time-sharing with other processes when run with -cpu 1.
func reportCPU(b *testing.B, c0 float64) {
	if c := processCPUSeconds(); c > 0 {
		b.ReportMetric(1e3*(c-c0)/float64(b.N), "cpu-ms/op")
	}
}

// BenchmarkAttentionBlock: pre-LN causal attention block (4 heads, width 128,
// MLP 4×, GELU) over batch 64 × 22 tokens, forward + backward of an MSE loss,
// float32 (issue 2, benchmark B).
func BenchmarkAttentionBlock(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	const B, S, D = 64, 22, 128
	blk := NewTransformerBlock[float32]("blk", BlockConfig{Dim: D, Heads: 4, Hidden: 4 * D, Activation: ActGELU, Causal: true}, rng)
	x, y := make([]float32, B*S*D), make([]float32, B*S*D)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
		y[i] = float32(rng.NormFloat64())
	}
	tp := NewTape[float32](nil)
	step := func() {
		tp.Reset()
		out := blk.Forward(tp, tp.Const(x, B, S, D))
		loss := tp.MSE(out, tp.Const(y, B, S, D))
		ZeroGrad(blk.Params())
		tp.Backward(loss)
	}
	for i := 0; i < 3; i++ {
		step()
	}
	b.ReportAllocs()
	b.ResetTimer()
	c0 := processCPUSeconds()
	for i := 0; i < b.N; i++ {
		step()
	}
	reportCPU(b, c0)
}

// BenchmarkGemm measures float32 products of the MLP benchmark's shapes.
func BenchmarkGemm(b *testing.B) {
	for _, c := range []struct {
		name    string
		tA, tB  bool
		m, n, k int
	}{
		{"fwd256x256x256", false, true, 256, 256, 256},
		{"dX256x256x256", false, false, 256, 256, 256},
		{"dW256x256x256", true, false, 256, 256, 256},
		{"head22x22x32", false, true, 22, 22, 32},
	} {
		b.Run(c.name, func(b *testing.B) {
			a, bb, cc := make([]float32, c.m*c.k), make([]float32, c.k*c.n), make([]float32, c.m*c.n)
			for i := range a {
				a[i] = float32(i%7) - 3
			}
			for i := range bb {
				bb[i] = float32(i%5) - 2
			}
			lda, ldb := c.k, c.n
			if c.tA {
				lda = c.m
			}
			if c.tB {
				ldb = c.k
			}
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				gemm(c.tA, c.tB, c.m, c.n, c.k, 1, a, lda, bb, ldb, 0, cc, c.n)
			}
			b.ReportMetric(2*float64(c.m*c.n*c.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOPS")
		})
	}
}

// BenchmarkAdamDeadUnits times one Adam step over 140,000 float32 parameters
// (a SAC critic pair) of which 40 % have zero gradient and second moments just
// above the subnormal range, as dead ReLU units leave them late in a run.
// Without flushing, those moments would sit in the subnormal range for about
// 16,000 steps.
func BenchmarkAdamDeadUnits(b *testing.B) {
	p := NewParam[float32]("w", 140000)
	o := NewAdam([]*Param[float32]{p}, 1e-3)
	rng := rand.New(rand.NewPCG(1, 2))
	for j := range p.Grad {
		if j%5 < 2 {
			o.V[0][j] = 0x1p-125 // becomes subnormal after one decay step
			continue
		}
		p.Grad[j] = float32(rng.NormFloat64())
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		o.Step()
	}
}
