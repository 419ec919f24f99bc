package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// kernelInputs returns n float32 values mixing normal numbers of many scales
// with ±0, subnormals, infinities and NaNs of both signs.
func kernelInputs(rng *rand.Rand, n int) []float32 {
	specials := []float32{0, float32(math.Copysign(0, -1)), 1e-40, -1e-40, float32(math.Inf(1)),
		float32(math.Inf(-1)), float32(math.NaN()), -float32(math.NaN()), 3e38, -3e38}
	v := make([]float32, n)
	for i := range v {
		if rng.IntN(5) == 0 {
			v[i] = specials[rng.IntN(len(specials))]
		} else {
			v[i] = float32(rng.NormFloat64() * math.Pow(10, float64(rng.IntN(8)-4)))
		}
	}
	return v
}

// requireSameBits requires identical bits, except that any two NaNs are
// equal: when both operands of an operation are NaN, x86 returns the first
// one, and the kernels may order operands differently from compiled Go.
func requireSameBits(t *testing.T, want, got []float32, msg string, args ...any) {
	t.Helper()
	require.Equal(t, len(want), len(got))
	for i := range want {
		if want[i] != want[i] && got[i] != got[i] {
			continue
		}
		require.Equal(t, math.Float32bits(want[i]), math.Float32bits(got[i]), append([]any{msg + " [%d]"}, append(args, i)...)...)
	}
}

// logKernel says whether the comparison involves the AVX2 kernels at all.
func logKernel(t *testing.T) {
	if !hasGemmKernel {
		t.Log("no AVX2/FMA on this machine (or -tags noasm): the scalar loops are compared with themselves")
	}
}

// TestElementwiseKernelsMatchScalar checks the AVX2 kernels of ReLU, the
// element-wise product and the Swish backward bit for bit against scalar
// loops, for lengths around the 8-lane blocks and on special values.
func TestElementwiseKernelsMatchScalar(t *testing.T) {
	logKernel(t)
	rng := rand.New(rand.NewPCG(11, 12))
	for _, n := range []int{0, 1, 7, 8, 9, 16, 31, 64, 257} {
		x, g, s, ds, b := kernelInputs(rng, n), kernelInputs(rng, n), kernelInputs(rng, n), kernelInputs(rng, n), kernelInputs(rng, n)
		acc := kernelInputs(rng, n)

		// ReLU forward and backward.
		want, got := make([]float32, n), make([]float32, n)
		for i, v := range x {
			bits := math.Float32bits(v)
			want[i] = math.Float32frombits(bits & uint32(^int32(bits)>>31))
		}
		reluForward(got, x)
		requireSameBits(t, want, got, "relu n=%d", n)
		y := got
		wantG, gotG := append([]float32(nil), acc...), append([]float32(nil), acc...)
		for i := range g { // g where y > 0, +0 elsewhere (so −0 + masked = +0)
			m := uint32(-int32(math.Float32bits(y[i])) >> 31)
			wantG[i] += math.Float32frombits(math.Float32bits(g[i]) & m)
		}
		reluBackward(gotG, g, y)
		requireSameBits(t, wantG, gotG, "relu backward n=%d", n)

		// Product.
		for i := range want {
			want[i] = x[i] * s[i]
		}
		got = make([]float32, n)
		k := mulVec(got, x, s)
		for i := k; i < n; i++ {
			got[i] = x[i] * s[i]
		}
		requireSameBits(t, want, got, "mul n=%d", n)

		// Swish backward, both parts.
		wantG, gotG = append([]float32(nil), acc...), append([]float32(nil), acc...)
		// Explicit conversions: no fused multiply-adds under GOAMD64=v3.
		for i := range wantG {
			wantG[i] += float32(g[i] * (s[i] + float32(float32(b[i]*x[i])*ds[i])))
		}
		k = swishBwdXVec(gotG, g, s, ds, x, b)
		for i := k; i < n; i++ {
			gotG[i] += float32(g[i] * (s[i] + float32(float32(b[i]*x[i])*ds[i])))
		}
		requireSameBits(t, wantG, gotG, "swish dx n=%d", n)
		wantG, gotG = append([]float32(nil), acc...), append([]float32(nil), acc...)
		for i := range wantG {
			wantG[i] += float32(float32(float32(g[i]*x[i])*x[i]) * ds[i])
		}
		k = swishBwdBetaVec(gotG, g, x, ds)
		for i := k; i < n; i++ {
			gotG[i] += float32(float32(float32(g[i]*x[i])*x[i]) * ds[i])
		}
		requireSameBits(t, wantG, gotG, "swish dβ n=%d", n)
	}
}

// TestSwishF32MatchesScalar runs the float32 Swish forward and backward on a
// tape (AVX2 kernels for the 8-lane blocks of each row) and recomputes both
// with scalar loops from σ(β⊙x), requiring identical bits.
func TestSwishF32MatchesScalar(t *testing.T) {
	logKernel(t)
	rng := rand.New(rand.NewPCG(13, 14))
	const rows, d = 5, 21
	x := make([]float32, rows*d)
	for i := range x {
		x[i] = float32(rng.NormFloat64() * 3)
	}
	beta := make([]float32, d)
	for i := range beta {
		beta[i] = float32(0.5 + rng.Float64())
	}
	seed := make([]float32, rows*d)
	for i := range seed {
		seed[i] = float32(rng.NormFloat64())
	}
	tp := NewTape[float32](nil)
	xv, bv := tp.Var(x, rows, d), tp.Var(beta, d)
	y := tp.Swish(xv, bv)
	tp.BackwardFrom(y, seed)

	z := make([]float32, rows*d)
	for i := range z {
		z[i] = beta[i%d] * x[i]
	}
	s, ds := make([]float32, rows*d), make([]float32, rows*d)
	sigmoidF32Scalar(s, ds, z)
	wantY, wantGX, wantGB := make([]float32, rows*d), make([]float32, rows*d), make([]float32, d)
	for i := range x {
		j := i % d
		wantY[i] = x[i] * s[i]
		wantGX[i] += float32(seed[i] * (s[i] + float32(float32(beta[j]*x[i])*ds[i])))
	}
	for r := 0; r < rows; r++ {
		for j := 0; j < d; j++ {
			i := r*d + j
			wantGB[j] += float32(float32(float32(seed[i]*x[i])*x[i]) * ds[i])
		}
	}
	requireSameBits(t, wantY, y.Data, "y")
	requireSameBits(t, wantGX, xv.Grad, "dx")
	requireSameBits(t, wantGB, bv.Grad, "dβ")
}
