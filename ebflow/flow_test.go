package ebflow

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"github.com/boltzflow/boltzflow/nn"
)

// flowKind selects the layer stack of a test flow (sampling direction).
type flowKind int

const (
	kindMEow   flowKind = iota // Scale → 4 additive couplings → Tanh (the MEow policy)
	kindAffine                 // Scale → 2 affine couplings → Tanh
	kindLU                     // LU → additive → LU → affine → Tanh
)

func (k flowKind) String() string { return [...]string{"meow", "affine", "lu"}[k] }

func testNet[F nn.Float](name string, in, out int, rng *rand.Rand) *nn.MLP[F] {
	return nn.NewMLP[F](name, nn.MLPConfig{
		Sizes: []int{in, 8, out}, Activation: nn.ActTanh,
		Init: nn.Init{Kind: nn.InitPyTorch}, OutputInit: nn.Init{Kind: nn.InitUniform, Gain: 0.5},
	}, rng)
}

// newTestFlow builds a flow on R^d with context dimension c and non-trivial random parameters.
func newTestFlow[F nn.Float](kind flowKind, d, c int, seed uint64) *Flow[F] {
	rng := rand.New(rand.NewPCG(seed, 7))
	var layers []Layer[F]
	switch kind {
	case kindMEow:
		layers = append(layers, NewScale[F](testNet[F]("h", c, d, rng), -2, 0))
		for k := 0; k < 4; k++ {
			layers = append(layers, NewAdditiveCoupling(AlternatingMask[F](d, k%2), Net[F](testNet[F](fmt.Sprint("t", k), d+c, d, rng))))
		}
	case kindAffine:
		layers = append(layers, NewScale[F](testNet[F]("h", c, d, rng), -2, 0))
		for k := 0; k < 2; k++ {
			layers = append(layers, NewAffineCoupling(AlternatingMask[F](d, k%2), Net[F](testNet[F](fmt.Sprint("a", k), d+c, 2*d, rng)), 1))
		}
	case kindLU:
		lu1 := NewLU[F]("lu1", d, 0.5, rng)
		for i := range lu1.LogDiag.Data {
			lu1.LogDiag.Data[i] = F(-0.3 + 0.2*float64(i))
		}
		layers = append(layers, lu1, NewAdditiveCoupling(AlternatingMask[F](d, 0), Net[F](testNet[F]("t", d+c, d, rng))))
		lu2 := NewLU[F]("lu2", d, 0.3, rng)
		lu2.LogDiag.Data[0] = -0.4
		for i := range lu2.Bias.Data {
			lu2.Bias.Data[i] = F(0.1 * float64(i+1))
		}
		layers = append(layers, lu2, NewAffineCoupling(AlternatingMask[F](d, 1), Net[F](testNet[F]("a", d+c, 2*d, rng)), 1))
	}
	layers = append(layers, NewTanh[F]())
	return NewFlow(d, layers...)
}

func repeatRow(s []float64, m int) []float64 {
	out := make([]float64, 0, m*len(s))
	for i := 0; i < m; i++ {
		out = append(out, s...)
	}
	return out
}

// TestLogZByQuadrature checks log Z(s) = log ∫ exp(−E(a|s)) da by quadrature for 1-D and 2-D actions, which
// is V(s) = α log ∫ exp(Q(s,a)/α) da with Q = −αE, V = α log Z (any α), and that p = exp(−E − log Z)
// integrates to 1.
func TestLogZByQuadrature(t *testing.T) {
	const c = 3
	for _, tc := range []struct {
		kind flowKind
		d, n int
		L    float64
	}{
		{kindMEow, 1, 3001, 7}, {kindMEow, 2, 301, 6.5},
		{kindAffine, 1, 3001, 7}, {kindAffine, 2, 301, 6.5},
		{kindLU, 1, 3001, 7}, {kindLU, 2, 301, 6.5},
	} {
		t.Run(fmt.Sprintf("%v/d=%d", tc.kind, tc.d), func(t *testing.T) {
			f := newTestFlow[float64](tc.kind, tc.d, c, 1)
			tp := nn.NewTape[float64](nil)
			tp.NoGrad = true
			for _, s := range [][]float64{{0.3, -1.2, 0.8}, {-2, 0.5, 1.5}} {
				tp.Reset()
				logZ := f.LogZ(tp, tp.Const(s, 1, c), 1).Data[0]
				negE := func(a []float64, m int, out []float64) {
					tp.Reset()
					e, _ := f.Energy(tp, tp.Const(a, m, tc.d), tp.Const(repeatRow(s, m), m, c))
					for i := range out {
						out[i] = -e.Data[i]
					}
				}
				got := logIntegral(tc.d, tc.n, tc.L, negE)
				assert.InDelta(t, logZ, got, 1e-3, "log Z(s) against quadrature of exp(−E)")
				// Normalisation of log p = −E − log Z (the MEow identity log π = (Q − V)/α).
				logP := func(a []float64, m int, out []float64) {
					tp.Reset()
					lp := f.LogProb(tp, tp.Const(a, m, tc.d), tp.Const(repeatRow(s, m), m, c))
					copy(out, lp.Data)
				}
				assert.InDelta(t, 0, logIntegral(tc.d, tc.n, tc.L, logP), 1e-3, "∫ p da = 1")
			}
		})
	}
}

// TestLogZIndependentOfData checks that the log Z returned with the energy does not depend on the data and
// equals LogZ computed from the context alone, and that LogProb equals the log-density returned by Sample.
func TestLogZIndependentOfData(t *testing.T) {
	const d, c, n = 3, 2, 5
	for _, kind := range []flowKind{kindMEow, kindAffine, kindLU} {
		t.Run(kind.String(), func(t *testing.T) {
			f := newTestFlow[float64](kind, d, c, 2)
			rng := rand.New(rand.NewPCG(3, 4))
			tp := nn.NewTape[float64](nil)
			tp.NoGrad = true
			s := randSlice(rng, n*c, 1)
			st := tp.Const(s, n, c)
			ref := append([]float64(nil), f.LogZ(tp, st, n).Data...)
			for trial := 0; trial < 3; trial++ {
				a := make([]float64, n*d)
				for i := range a {
					a[i] = 1.8*rng.Float64() - 0.9
				}
				_, lz := f.Energy(tp, tp.Const(a, n, d), st)
				for i := range ref {
					assert.InDelta(t, ref[i], lz.Data[i], 1e-12)
				}
			}
			// Sample's log-density (forward log-dets) agrees with LogProb (inverse log-dets).
			eps := tp.Const(randSlice(rng, n*d, 0.7), n, d)
			x, lp := f.Sample(tp, eps, st)
			lp2 := f.LogProb(tp, x, st)
			for i := 0; i < n; i++ {
				assert.InDelta(t, lp.Data[i], lp2.Data[i], 1e-7)
			}
			// Mode is the zero latent pushed through.
			m := f.Mode(tp, st, n)
			x0, _ := f.Forward(tp, tp.New(n, d), st)
			assert.Equal(t, x0.Data, m.Data)
		})
	}
}

func randSlice(rng *rand.Rand, n int, scale float64) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = scale * rng.NormFloat64()
	}
	return v
}

// TestInverseForwardFloat32 checks inverse(forward(z)) = z to 1e-5 in float32 for every kind of flow.
func TestInverseForwardFloat32(t *testing.T) {
	const d, c, n = 4, 3, 64
	for _, kind := range []flowKind{kindMEow, kindAffine, kindLU} {
		t.Run(kind.String(), func(t *testing.T) {
			f := newTestFlow[float32](kind, d, c, 5)
			rng := rand.New(rand.NewPCG(6, 7))
			tp := nn.NewTape[float32](nil)
			tp.NoGrad = true
			z := make([]float32, n*d)
			for i := range z {
				z[i] = float32(0.5 * rng.NormFloat64())
			}
			s := make([]float32, n*c)
			for i := range s {
				s[i] = float32(rng.NormFloat64())
			}
			st := tp.Const(s, n, c)
			x, _ := f.Forward(tp, tp.Const(z, n, d), st)
			back, _, _ := f.Inverse(tp, x, st)
			for i := range z {
				require.InDelta(t, z[i], back.Data[i], 1e-5, "entry %d", i)
			}
			// And every single layer, both ways round.
			for li, l := range f.Layers {
				y, _ := l.Forward(tp, tp.Const(z, n, d), st)
				zz, _ := l.Inverse(tp, y, st)
				for i := range z {
					require.InDelta(t, z[i], zz.Data[i], 1e-5, "layer %d entry %d", li, i)
				}
			}
		})
	}
}

// TestLogDetBruteForce compares every layer's log-dets, both directions, with log|det| of the Jacobian by
// central differences (float64).
func TestLogDetBruteForce(t *testing.T) {
	const d, c, n = 3, 2, 4
	const h = 1e-6
	for _, kind := range []flowKind{kindMEow, kindAffine, kindLU} {
		f := newTestFlow[float64](kind, d, c, 8)
		// The ε of log(1 − y² + ε) is a deliberate deviation of size ε/(1 − y²) from the exact Jacobian;
		// check the formula itself with ε = 0 (the quadrature tests use MEow's ε).
		f.Layers[len(f.Layers)-1].(*Tanh[float64]).Eps = 0
		rng := rand.New(rand.NewPCG(9, 10))
		tp := nn.NewTape[float64](nil)
		tp.NoGrad = true
		s := randSlice(rng, n*c, 1)
		st := tp.Const(s, n, c)
		x := randSlice(rng, n*d, 0.4)
		for li, l := range f.Layers {
			for dir, fn := range []func(*nn.Tape[float64], *nn.Tensor[float64], *nn.Tensor[float64]) (*nn.Tensor[float64], *nn.Tensor[float64]){l.Forward, l.Inverse} {
				t.Run(fmt.Sprintf("%v/layer%d/%T/dir%d", kind, li, l, dir), func(t *testing.T) {
					_, ld := fn(tp, tp.Const(x, n, d), st)
					for r := 0; r < n; r++ {
						jac := mat.NewDense(d, d, nil)
						for j := 0; j < d; j++ {
							xp := append([]float64(nil), x...)
							xm := append([]float64(nil), x...)
							xp[r*d+j] += h
							xm[r*d+j] -= h
							yp, _ := fn(tp, tp.Const(xp, n, d), st)
							ym, _ := fn(tp, tp.Const(xm, n, d), st)
							for i := 0; i < d; i++ {
								jac.Set(i, j, (yp.Data[r*d+i]-ym.Data[r*d+i])/(2*h))
							}
						}
						want := math.Log(math.Abs(mat.Det(jac)))
						got := 0.0
						if ld != nil {
							got = ld.Data[r]
						}
						assert.InDelta(t, want, got, 1e-6, "row %d", r)
					}
				})
			}
		}
	}
}

// TestGradientsFiniteDifference checks the tape gradients of a weighted sum of log-densities with respect to
// every parameter and to the data against central differences (float64).
func TestGradientsFiniteDifference(t *testing.T) {
	const d, c, n = 2, 2, 3
	const h = 1e-6
	for _, kind := range []flowKind{kindMEow, kindAffine, kindLU} {
		t.Run(kind.String(), func(t *testing.T) {
			f := newTestFlow[float64](kind, d, c, 11)
			rng := rand.New(rand.NewPCG(12, 13))
			s := randSlice(rng, n*c, 1)
			x := make([]float64, n*d)
			for i := range x {
				x[i] = 1.6*rng.Float64() - 0.8
			}
			w := randSlice(rng, n, 1)
			tp := nn.NewTape[float64](nil)
			loss := func(withGrad bool) (float64, []float64) {
				tp.Reset()
				tp.NoGrad = !withGrad
				xt := tp.Var(x, n, d)
				lp := f.LogProb(tp, xt, tp.Const(s, n, c))
				l := tp.Sum(tp.Mul(lp, tp.Const(w, n)))
				if withGrad {
					nn.ZeroGrad(f.Params())
					tp.Backward(l)
					return l.Data[0], append([]float64(nil), xt.Grad...)
				}
				return l.Data[0], nil
			}
			_, gx := loss(true)
			grads := map[string][]float64{}
			for _, p := range f.Params() {
				grads[p.Name] = append([]float64(nil), p.Grad...)
			}
			worst := 0.0
			check := func(name string, v []float64, g []float64) {
				for i := range v {
					old := v[i]
					v[i] = old + h
					lp, _ := loss(false)
					v[i] = old - h
					lm, _ := loss(false)
					v[i] = old
					fd := (lp - lm) / (2 * h)
					err := math.Abs(fd-g[i]) / math.Max(1, math.Abs(fd))
					worst = math.Max(worst, err)
					assert.InDelta(t, fd, g[i], 1e-5*math.Max(1, math.Abs(fd)), "%s[%d]", name, i)
				}
			}
			for _, p := range f.Params() {
				check(p.Name, p.Data, grads[p.Name])
			}
			check("x", x, gx)
			t.Logf("worst relative error %.2g over %d parameters", worst, nn.NumParams(f.Params()))
		})
	}
}
