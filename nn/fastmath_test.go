package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSigmoidF32Slice(t *testing.T) {
	n := 400001
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(-110 + 220*float64(i)/float64(n-1))
	}
	y, d := make([]float32, n), make([]float32, n)
	sigmoidF32Slice(y, d, x)
	yOnly := make([]float32, n)
	sigmoidF32Slice(yOnly, nil, x)
	require.Equal(t, y, yOnly, "the derivative must not change the values")
	// Errors in units of the last place of the correctly rounded value,
	// inside the clamp |x| < 87 (float32 keeps σ' normal up to |x| ≈ 87.3).
	ulps := func(want float64, got float32) float64 {
		w := float32(want)
		ulp := float64(math.Nextafter32(w, float32(math.Inf(1))) - w)
		return math.Abs(float64(got)-want) / ulp
	}
	var worstY, worstD float64
	for i, v := range x {
		s, c := sigmoid(float64(v)), sigmoid(-float64(v))
		if math.Abs(float64(v)) < 87 {
			worstY = max(worstY, ulps(s, y[i]))
			worstD = max(worstD, ulps(s*c, d[i]))
			continue
		}
		// Beyond the clamp: saturated, with the tiny value 1.6e−38 standing
		// in for what would be a subnormal or zero.
		require.InDelta(t, s, float64(y[i]), 2e-38, "σ at x=%v", v)
		require.InDelta(t, s*c, float64(d[i]), 2e-38, "σ' at x=%v", v)
		require.GreaterOrEqual(t, min(y[i], d[i]), float32(math.SmallestNonzeroFloat32*(1<<23)), "normal at x=%v", v)
	}
	t.Logf("worst error: σ %.2f ulp, σ' %.2f ulp", worstY, worstD)
	require.LessOrEqual(t, worstY, 2.5, "σ")
	require.LessOrEqual(t, worstD, 4.5, "σ'")
	special := []float32{float32(math.Inf(-1)), -1e30, 0, 1e30, float32(math.Inf(1))}
	ys := make([]float32, len(special))
	ds := make([]float32, len(special))
	sigmoidF32Slice(ys, ds, special)
	tiny := float32(1 / (1 + math.Exp(87)))
	require.Equal(t, []float32{0.5, 1, 1}, ys[2:])
	require.Equal(t, float32(0.25), ds[2])
	for _, v := range []float32{ys[0], ys[1], ds[0], ds[1], ds[3], ds[4]} {
		require.InEpsilon(t, tiny, v, 1e-6, "saturated value")
	}
	nan := []float32{float32(math.NaN())}
	sigmoidF32Slice(nan, nil, nan) // in place
	require.True(t, math.IsNaN(float64(nan[0])), "NaN must propagate")
}

// TestFloat32SigmoidSwishMatchFloat64 checks the fast float32 Sigmoid and
// Swish (values and gradients) against the float64 path.
func TestFloat32SigmoidSwishMatchFloat64(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const rows, d = 7, 5
	x64 := make([]float64, rows*d)
	b64 := make([]float64, d)
	for i := range x64 {
		x64[i] = float64(float32(-12 + 24*rng.Float64()))
	}
	for i := range b64 {
		b64[i] = float64(float32(0.2 + 2*rng.Float64()))
	}
	x32, b32 := make([]float32, len(x64)), make([]float32, d)
	for i, v := range x64 {
		x32[i] = float32(v)
	}
	for i, v := range b64 {
		b32[i] = float32(v)
	}
	for _, op := range []string{"Sigmoid", "Swish"} {
		t64 := NewTape[float64](nil)
		xa, ba := t64.Var(x64, rows, d), t64.Var(b64, d)
		t32 := NewTape[float32](nil)
		xb, bb := t32.Var(x32, rows, d), t32.Var(b32, d)
		var y64 *Tensor[float64]
		var y32 *Tensor[float32]
		if op == "Sigmoid" {
			y64, y32 = t64.Sigmoid(xa), t32.Sigmoid(xb)
		} else {
			y64, y32 = t64.Swish(xa, ba), t32.Swish(xb, bb)
		}
		// Recording off takes the path that saves no derivative.
		tng := NewTape[float32](nil)
		tng.NoGrad = true
		xn, bn := tng.Var(x32, rows, d), tng.Var(b32, d)
		yn := tng.Sigmoid(xn)
		if op == "Swish" {
			yn = tng.Swish(xn, bn)
		}
		require.Equal(t, y32.Data, yn.Data, "%s without recording", op)
		// A non-uniform upstream gradient: Σ y⊙y.
		t64.Backward(t64.Sum(t64.Mul(y64, y64)))
		t32.Backward(t32.Sum(t32.Mul(y32, y32)))
		for i := range x64 {
			require.InDelta(t, y64.Data[i], float64(y32.Data[i]), 3e-7*(1+math.Abs(y64.Data[i])), "%s y[%d]", op, i)
			require.InDelta(t, xa.Grad[i], float64(xb.Grad[i]), 1e-6*(1+math.Abs(xa.Grad[i])), "%s dx[%d]", op, i)
		}
		if op == "Swish" {
			for j := range b64 {
				require.InDelta(t, ba.Grad[j], float64(bb.Grad[j]), 1e-5*(1+math.Abs(ba.Grad[j])), "Swish dβ[%d]", j)
			}
		}
	}
}

// TestSigmoidF32VectorMatchesScalar checks the vector kernel (AVX2 on amd64) bit for bit against the scalar loop
// for every length up to 41 (vector body and scalar tail), with and without the derivative and in place, on
// arguments that include the clamp at ±87, float32 subnormal results, zeros, infinities and NaN.
func TestSigmoidF32VectorMatchesScalar(t *testing.T) {
	inf := float32(math.Inf(1))
	specials := []float32{0, float32(math.Copysign(0, -1)), 1e-30, -1e-30, 86.9, -86.9, 87.1, -87.1, 88.8, -88.8, 103.9,
		-103.9, 104.1, -104.1, 1e30, -1e30, inf, -inf, math.SmallestNonzeroFloat32, 0.5, -0.5, 15, -15}
	rng := rand.New(rand.NewPCG(7, 8))
	bits := func(v []float32) []uint32 {
		b := make([]uint32, len(v))
		for i, f := range v {
			b[i] = math.Float32bits(f)
		}
		return b
	}
	for _, c := range []struct {
		name  string
		scale float64 // arguments uniform in [−scale, scale], every third one a special value
	}{{"narrow", 8}, {"wide", 120}} {
		for n := 0; n <= 41; n++ {
			x := make([]float32, n)
			for i := range x {
				x[i] = float32(c.scale * (2*rng.Float64() - 1))
				if i%3 == 1 {
					x[i] = specials[rng.IntN(len(specials))]
				}
			}
			wantY, wantD := make([]float32, n), make([]float32, n)
			sigmoidF32Scalar(wantY, wantD, x)
			y, d := make([]float32, n), make([]float32, n)
			sigmoidF32Slice(y, d, x)
			require.Equal(t, bits(wantY), bits(y), "%s n=%d: σ", c.name, n)
			require.Equal(t, bits(wantD), bits(d), "%s n=%d: σ'", c.name, n)
			yOnly := make([]float32, n)
			sigmoidF32Slice(yOnly, nil, x)
			require.Equal(t, bits(wantY), bits(yOnly), "%s n=%d: σ without derivative", c.name, n)
			inPlace := append([]float32(nil), x...)
			sigmoidF32Slice(inPlace, nil, inPlace)
			require.Equal(t, bits(wantY), bits(inPlace), "%s n=%d: σ in place", c.name, n)
		}
	}
	nan := float32(math.NaN())
	x := []float32{nan, 1, nan, -1, nan}
	y, d := make([]float32, len(x)), make([]float32, len(x))
	sigmoidF32Slice(y, d, x)
	for i, v := range x {
		require.Equal(t, math.IsNaN(float64(v)), math.IsNaN(float64(y[i])), "σ at %d", i)
		require.Equal(t, math.IsNaN(float64(v)), math.IsNaN(float64(d[i])), "σ' at %d", i)
	}
	// On machines with the kernel the vector path must really run: it takes the leading multiple of 8.
	if hasGemmKernel {
		require.Equal(t, 40, sigmoidVec(make([]float32, 41), nil, make([]float32, 41)))
	}
}
