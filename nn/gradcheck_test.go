package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

type fwdFn func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64]

// randTensor returns a tensor of the given shape with entries uniform in
// [lo, hi).
func randTensor(rng *rand.Rand, lo, hi float64, shape ...int) *Tensor[float64] {
	t := NewTensor[float64](shape...)
	for i := range t.Data {
		t.Data[i] = lo + (hi-lo)*rng.Float64()
	}
	return t
}

// checkGrad compares the tape's gradients of L = Σ w ⊙ fn(inputs), with fixed
// random weights w, against central finite differences (h = 1e-6) for every
// element of every input. It returns the worst error |a−n|/(1+|n|).
func checkGrad(t *testing.T, name string, ins []*Tensor[float64], fn fwdFn, tol float64) float64 {
	t.Helper()
	rng := rand.New(rand.NewPCG(99, 1))
	tp := NewTape[float64](nil)
	var w *Tensor[float64]
	loss := func() float64 {
		tp.Reset()
		out := fn(tp, ins)
		if w == nil {
			w = randTensor(rng, -1, 1, out.Shape()...)
		}
		return tp.Sum(tp.Mul(out, w)).Item()
	}
	for _, in := range ins {
		in.RequireGrad()
		in.ZeroGrad()
	}
	tp.Reset()
	out := fn(tp, ins)
	w = randTensor(rng, -1, 1, out.Shape()...)
	l := tp.Sum(tp.Mul(out, w))
	tp.Backward(l)
	analytic := make([][]float64, len(ins))
	for i, in := range ins {
		analytic[i] = append([]float64(nil), in.Grad...)
	}
	const h = 1e-6
	worst := 0.0
	for i, in := range ins {
		for j := range in.Data {
			v := in.Data[j]
			in.Data[j] = v + h
			lp := loss()
			in.Data[j] = v - h
			lm := loss()
			in.Data[j] = v
			num := (lp - lm) / (2 * h)
			err := math.Abs(analytic[i][j]-num) / (1 + math.Abs(num))
			worst = max(worst, err)
			require.LessOrEqualf(t, err, tol, "%s: input %d element %d: analytic %g, numeric %g", name, i, j, analytic[i][j], num)
		}
	}
	return worst
}

func TestGradOps(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	r := func(shape ...int) *Tensor[float64] { return randTensor(rng, -1, 1, shape...) }
	pos := func(shape ...int) *Tensor[float64] { return randTensor(rng, 0.5, 2, shape...) }
	small := func(shape ...int) *Tensor[float64] { return randTensor(rng, -0.9, 0.9, shape...) }
	idx := []int{2, 0, 2}
	cases := []struct {
		name string
		ins  []*Tensor[float64]
		fn   fwdFn
	}{
		{"MatMul", []*Tensor[float64]{r(3, 4), r(4, 5)}, func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] {
			return tp.MatMul(in[0], in[1], false, false)
		}},
		{"MatMulTA", []*Tensor[float64]{r(4, 3), r(4, 5)}, func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] {
			return tp.MatMul(in[0], in[1], true, false)
		}},
		{"MatMulTB", []*Tensor[float64]{r(3, 4), r(5, 4)}, func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] {
			return tp.MatMul(in[0], in[1], false, true)
		}},
		{"MatMulTATB", []*Tensor[float64]{r(4, 3), r(5, 4)}, func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] {
			return tp.MatMul(in[0], in[1], true, true)
		}},
		{"MatMulLongK", []*Tensor[float64]{r(3, 70), r(70, 2)}, func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] {
			return tp.MatMul(in[0], in[1], false, false)
		}},
		{"BatchMatMul", []*Tensor[float64]{r(2, 3, 4), r(2, 5, 4)}, func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] {
			return tp.BatchMatMul(in[0], in[1], false, true)
		}},
		{"BatchMatMulTA", []*Tensor[float64]{r(2, 4, 3), r(2, 4, 5)}, func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] {
			return tp.BatchMatMul(in[0], in[1], true, false)
		}},
		{"Linear", []*Tensor[float64]{r(2, 3, 4), r(5, 4), r(5)}, func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] {
			return tp.Linear(in[0], in[1], in[2])
		}},
		{"LinearNoBias", []*Tensor[float64]{r(3, 4), r(5, 4)}, func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] {
			return tp.Linear(in[0], in[1], nil)
		}},
		{"Add", []*Tensor[float64]{r(3, 4), r(3, 4)}, func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] { return tp.Add(in[0], in[1]) }},
		{"AddBroadcastRow", []*Tensor[float64]{r(3, 4), r(4)}, func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] { return tp.Add(in[0], in[1]) }},
		{"SubBroadcastCol", []*Tensor[float64]{r(2, 3, 4), r(3, 1)}, func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] { return tp.Sub(in[0], in[1]) }},
		{"MulBroadcastBoth", []*Tensor[float64]{r(3, 1), r(1, 4)}, func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] { return tp.Mul(in[0], in[1]) }},
		{"MulScalarTensor", []*Tensor[float64]{r(2, 3), r()}, func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] { return tp.Mul(in[0], in[1]) }},
		{"Div", []*Tensor[float64]{r(2, 3, 4), pos(4)}, func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] { return tp.Div(in[0], in[1]) }},
		{"DivSame", []*Tensor[float64]{r(3, 4), pos(3, 4)}, func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] { return tp.Div(in[0], in[1]) }},
		{"Minimum", []*Tensor[float64]{r(3, 4), r(4)}, func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] { return tp.Minimum(in[0], in[1]) }},
		{"Maximum", []*Tensor[float64]{r(3, 4), r(3, 4)}, func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] { return tp.Maximum(in[0], in[1]) }},
		{"AddScalar", []*Tensor[float64]{r(3, 4)}, func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] { return tp.AddScalar(in[0], 0.7) }},
		{"Scale", []*Tensor[float64]{r(3, 4)}, func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] { return tp.Scale(in[0], -1.3) }},
		{"Exp", []*Tensor[float64]{r(3, 4)}, func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] { return tp.Exp(in[0]) }},
		{"Log", []*Tensor[float64]{pos(3, 4)}, func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] { return tp.Log(in[0]) }},
		{"Log1p", []*Tensor[float64]{pos(3, 4)}, func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] { return tp.Log1p(in[0]) }},
		{"Softplus", []*Tensor[float64]{randTensor(rng, -30, 30, 3, 4)}, func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] { return tp.Softplus(in[0]) }},
		{"Sigmoid", []*Tensor[float64]{randTensor(rng, -5, 5, 3, 4)}, func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] { return tp.Sigmoid(in[0]) }},
		{"Tanh", []*Tensor[float64]{r(3, 4)}, func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] { return tp.Tanh(in[0]) }},
		{"Atanh", []*Tensor[float64]{small(3, 4)}, func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] { return tp.Atanh(in[0]) }},
		{"ReLU", []*Tensor[float64]{r(3, 4)}, func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] { return tp.ReLU(in[0]) }},
		{"GELU", []*Tensor[float64]{randTensor(rng, -3, 3, 3, 4)}, func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] { return tp.GELU(in[0]) }},
		{"SiLU", []*Tensor[float64]{randTensor(rng, -3, 3, 3, 4)}, func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] { return tp.SiLU(in[0]) }},
		{"Square", []*Tensor[float64]{r(3, 4)}, func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] { return tp.Square(in[0]) }},
		{"Sqrt", []*Tensor[float64]{pos(3, 4)}, func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] { return tp.Sqrt(in[0]) }},
		{"Abs", []*Tensor[float64]{r(3, 4)}, func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] { return tp.Abs(in[0]) }},
		{"Clamp", []*Tensor[float64]{randTensor(rng, -2, 2, 3, 4)}, func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] { return tp.Clamp(in[0], -1, 1.5) }},
		{"Detach", []*Tensor[float64]{r(3, 4)}, func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] {
			return tp.Add(in[0], tp.Square(tp.Detach(tp.Scale(in[0], 0))))
		}},
		{"Neg", []*Tensor[float64]{r(3, 4)}, func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] { return tp.Neg(in[0]) }},
		{"Swish", []*Tensor[float64]{randTensor(rng, -3, 3, 2, 3, 4), pos(4)}, func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] { return tp.Swish(in[0], in[1]) }},
		{"Sum", []*Tensor[float64]{r(3, 4)}, func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] { return tp.Sum(in[0]) }},
		{"Mean", []*Tensor[float64]{r(3, 4)}, func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] { return tp.Mean(in[0]) }},
		{"SumAxis0", []*Tensor[float64]{r(3, 4, 2)}, func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] { return tp.SumAxis(in[0], 0) }},
		{"SumAxis1", []*Tensor[float64]{r(3, 4, 2)}, func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] { return tp.SumAxis(in[0], 1) }},
		{"MeanAxisLast", []*Tensor[float64]{r(3, 4, 2)}, func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] { return tp.MeanAxis(in[0], -1) }},
		{"LogSumExp", []*Tensor[float64]{randTensor(rng, -5, 5, 3, 4, 2)}, func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] { return tp.LogSumExp(in[0], 1) }},
		{"Reshape", []*Tensor[float64]{r(3, 4)}, func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] {
			return tp.Mul(tp.Reshape(in[0], 2, -1), tp.Reshape(in[0], 2, 6))
		}},
		{"Concat", []*Tensor[float64]{r(2, 3, 2), r(2, 1, 2), r(2, 2, 2)}, func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] {
			return tp.Concat(1, in...)
		}},
		{"ConcatLast", []*Tensor[float64]{r(2, 3), r(2, 4)}, func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] { return tp.Concat(-1, in...) }},
		{"Slice", []*Tensor[float64]{r(2, 5, 3)}, func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] { return tp.Slice(in[0], 1, 1, 4) }},
		{"Split", []*Tensor[float64]{r(2, 5)}, func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] {
			p := tp.Split(in[0], 1, 2, 3)
			return tp.Concat(1, p[1], p[0])
		}},
		{"Gather", []*Tensor[float64]{r(2, 4, 3)}, func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] { return tp.Gather(in[0], 1, idx) }},
		{"Flip", []*Tensor[float64]{r(2, 4, 3)}, func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] { return tp.Flip(in[0], 1) }},
		{"ShiftRight", []*Tensor[float64]{r(2, 4, 3)}, func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] { return tp.ShiftRight(in[0], 1) }},
		{"Transpose", []*Tensor[float64]{r(3, 4)}, func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] { return tp.Transpose(in[0]) }},
		{"SwapAxes12", []*Tensor[float64]{r(2, 3, 4, 2)}, func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] { return tp.SwapAxes12(in[0]) }},
		{"SplitMergeHeads", []*Tensor[float64]{r(2, 3, 4)}, func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] {
			h := tp.SplitHeads(in[0], 2)
			return tp.MergeHeads(tp.Mul(h, h))
		}},
		{"LayerNorm", []*Tensor[float64]{r(2, 3, 5), pos(5), r(5)}, func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] {
			return tp.LayerNorm(in[0], in[1], in[2], 1e-5)
		}},
		{"LayerNormNoAffine", []*Tensor[float64]{r(3, 5)}, func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] {
			return tp.LayerNorm(in[0], nil, nil, 1e-5)
		}},
		{"Softmax", []*Tensor[float64]{randTensor(rng, -3, 3, 2, 3, 4)}, func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] { return tp.Softmax(in[0]) }},
		{"LogSoftmax", []*Tensor[float64]{randTensor(rng, -3, 3, 3, 4)}, func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] { return tp.LogSoftmax(in[0]) }},
		{"CausalSoftmax", []*Tensor[float64]{randTensor(rng, -3, 3, 2, 4, 4)}, func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] { return tp.CausalSoftmax(in[0]) }},
		{"MSE", []*Tensor[float64]{r(3, 4), r(3, 4)}, func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] { return tp.MSE(in[0], in[1]) }},
		{"GaussianLogDensity", []*Tensor[float64]{r(3, 4), r(3, 4), r(3, 4)}, func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] {
			return tp.GaussianLogDensity(in[0], in[1], in[2])
		}},
		{"StdNormalLogDensity", []*Tensor[float64]{r(3, 4)}, func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] {
			return tp.GaussianLogDensity(in[0], nil, nil)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkGrad(t, c.name, c.ins, c.fn, 1e-6)
		})
	}
}

func TestGradDropout(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	x := randTensor(rng, -1, 1, 4, 5)
	// The same seed for every evaluation gives the same mask, so the
	// finite-difference check sees a fixed linear map.
	checkGrad(t, "Dropout", []*Tensor[float64]{x}, func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] {
		tp.Training = true
		tp.Rand = rand.New(rand.NewPCG(5, 6))
		return tp.Dropout(in[0], 0.3)
	}, 1e-6)

	tp := NewTape[float64](rand.New(rand.NewPCG(5, 6)))
	tp.Training = true
	y := tp.Dropout(x, 0.5)
	zeros := 0
	for i, v := range y.Data {
		if v == 0 {
			zeros++
		} else {
			require.InDelta(t, 2*x.Data[i], v, 1e-15)
		}
	}
	require.Greater(t, zeros, 0)
	require.Less(t, zeros, len(y.Data))
	tp.Training = false
	require.Same(t, x, tp.Dropout(x, 0.5), "evaluation mode must be the identity")
}

// TestDropoutMaskDraws checks that Dropout drops exactly the elements whose
// draw rand.Rand.Float64() would put below p (the same random stream), and
// that the drop rate is p within Monte-Carlo error.
func TestDropoutMaskDraws(t *testing.T) {
	for _, p := range []float64{0.5, 0.3, 0.1, 1e-17, 0.9999} {
		const n = 100000
		x := NewTensor[float32](n)
		for i := range x.Data {
			x.Data[i] = 1
		}
		tp := NewTape[float32](rand.New(rand.NewPCG(9, 10)))
		tp.Training = true
		y := tp.Dropout(x, p)
		ref := rand.New(rand.NewPCG(9, 10))
		dropped := 0
		for i, v := range y.Data {
			want := ref.Float64() < p
			require.Equal(t, want, v == 0, "p=%v element %d", p, i)
			if v == 0 {
				dropped++
			} else {
				require.Equal(t, float32(1/(1-p)), v)
			}
		}
		sd := math.Sqrt(p * (1 - p) / n)
		require.InDelta(t, p, float64(dropped)/n, 5*sd+1e-12, "p=%v", p)
	}
}

func TestBroadcastPanicsNameShapes(t *testing.T) {
	tp := NewTape[float64](nil)
	a, b := NewTensor[float64](3, 4), NewTensor[float64](5)
	require.PanicsWithValue(t, fmt.Sprintf("nn: Add: shapes %v and %v do not broadcast", a.Shape(), b.Shape()), func() { tp.Add(a, b) })
	require.Panics(t, func() { tp.MatMul(a, a, false, false) })
}

func TestForwardValues(t *testing.T) {
	tp := NewTape[float64](nil)
	a := tp.Const([]float64{1, 2, 3, 4, 5, 6}, 2, 3)
	b := tp.Const([]float64{1, 0, 0, 1, 1, 1}, 3, 2)
	require.Equal(t, []float64{4, 5, 10, 11}, tp.MatMul(a, b, false, false).Data)
	require.Equal(t, []float64{6, 15}, tp.SumAxis(a, 1).Data)
	require.Equal(t, []float64{2.5, 3.5, 4.5}, tp.MeanAxis(a, 0).Data)
	sm := tp.CausalSoftmax(tp.Const([]float64{5, 7, 1, 2}, 2, 2))
	require.Equal(t, []float64{1, 0}, sm.Data[:2])
	require.InDelta(t, 1/(1+math.E), sm.Data[2], 1e-15)
	require.Equal(t, []float64{4, 5, 6, 1, 2, 3}, tp.Flip(a, 0).Data)
	require.Equal(t, []float64{3, 2, 1, 6, 5, 4}, tp.Flip(a, 1).Data)
	require.Equal(t, []float64{0, 1, 2, 0, 4, 5}, tp.ShiftRight(a, 1).Data)
	require.Equal(t, []float64{0, 0, 0, 1, 2, 3}, tp.ShiftRight(a, 0).Data)
	lse := tp.LogSumExp(tp.Const([]float64{1000, 1000}, 2), 0)
	require.InDelta(t, 1000+math.Ln2, lse.Item(), 1e-12)
	g := tp.GaussianLogDensity(tp.Const([]float64{0, 0}, 1, 2), nil, nil)
	require.InDelta(t, -math.Log(2*math.Pi), g.Item(), 1e-14)
}

// TestGELUFloat32Approximation bounds the float32 GELU (erf approximation)
// against the exact float64 values.
func TestGELUFloat32Approximation(t *testing.T) {
	n := 2001
	x32, x64 := make([]float32, n), make([]float64, n)
	for i := range x32 {
		x64[i] = -8 + 16*float64(i)/float64(n-1)
		x32[i] = float32(x64[i])
		x64[i] = float64(x32[i])
	}
	y32, d32 := make([]float32, n), make([]float32, n)
	y64, d64 := make([]float64, n), make([]float64, n)
	geluForward(y32, d32, x32)
	geluForward(y64, d64, x64)
	yOnly := make([]float32, n)
	geluForward(yOnly, nil, x32)
	require.Equal(t, y32, yOnly, "the derivative must not change the values")
	for i := range x32 {
		require.InDelta(t, y64[i], float64(y32[i]), 2e-6*(1+math.Abs(x64[i])), "x=%v", x64[i])
		require.InDelta(t, d64[i], float64(d32[i]), 2e-6*(1+math.Abs(x64[i])), "x=%v", x64[i])
	}
}

func TestBackwardTwicePanics(t *testing.T) {
	tp := NewTape[float64](nil)
	x := tp.Var([]float64{1, 2}, 2)
	l := tp.Sum(tp.Square(x))
	tp.Backward(l)
	require.Equal(t, []float64{2, 4}, x.Grad)
	require.PanicsWithValue(t, "nn: Backward called twice without Reset", func() { tp.Backward(l) })
	tp.Reset()
	x = tp.Var([]float64{1, 2}, 2)
	d := tp.Detach(x)
	require.False(t, d.RequiresGrad())
	tp.Backward(tp.Sum(tp.Mul(x, d)))
	require.Equal(t, []float64{1, 2}, x.Grad, "no gradient through Detach")
}

func TestExpF32(t *testing.T) {
	for x := -103.0; x < 88.7; x += 0.0137 {
		want := math.Exp(x)
		require.InDelta(t, 1, expF32(x)/want, 1e-8, "x=%v", x)
	}
	require.Equal(t, 0.0, expF32(-200))
	require.True(t, math.IsInf(expF32(100), 1))
}

func TestReLUSpecialValues(t *testing.T) {
	x := []float32{-1, -0.0, 0, 2.5, float32(math.Inf(1)), float32(math.Inf(-1)), 1e-40, -1e-40}
	y := make([]float32, len(x))
	reluForward(y, x)
	require.Equal(t, []float32{0, 0, 0, 2.5, float32(math.Inf(1)), 0, 1e-40, 0}, y)
	g := []float32{1, 2, 3, 4, 5, 6, 7, 8}
	gx := make([]float32, len(x))
	reluBackward(gx, g, y)
	require.Equal(t, []float32{0, 0, 0, 4, 5, 0, 7, 0}, gx)
	x64 := []float64{-3, 0, 3}
	y64 := make([]float64, 3)
	reluForward(y64, x64)
	require.Equal(t, []float64{0, 0, 3}, y64)
}
