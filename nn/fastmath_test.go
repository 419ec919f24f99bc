package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSigmoidF32Slice(t *testing.T) {
	n := 40001
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(-110 + 220*float64(i)/float64(n-1))
	}
	y, d := make([]float32, n), make([]float32, n)
	sigmoidF32Slice(y, d, x)
	yOnly := make([]float32, n)
	sigmoidF32Slice(yOnly, nil, x)
	require.Equal(t, y, yOnly, "the derivative must not change the values")
	for i, v := range x {
		s, c := sigmoid(float64(v)), sigmoid(-float64(v))
		// Within one float32 ulp of the correctly rounded values.
		for _, p := range []struct {
			name      string
			want, got float32
		}{{"σ", float32(s), y[i]}, {"σ'", float32(s * c), d[i]}} {
			ulp := math.Nextafter32(p.want, float32(math.Inf(1))) - p.want
			require.InDelta(t, p.want, p.got, float64(ulp)+1e-45, "%s at x=%v", p.name, v)
		}
	}
	special := []float32{float32(math.Inf(-1)), -1e30, 0, 1e30, float32(math.Inf(1))}
	ys := make([]float32, len(special))
	ds := make([]float32, len(special))
	sigmoidF32Slice(ys, ds, special)
	require.Equal(t, []float32{0, 0, 0.5, 1, 1}, ys)
	require.Equal(t, []float32{0, 0, 0.25, 0, 0}, ds)
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
