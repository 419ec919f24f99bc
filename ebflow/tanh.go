package ebflow

import (
	"github.com/boltzflow/boltzflow/nn"
)

// Float32Eps is the float32 machine epsilon 2⁻²³ ≈ 1.19e-7, the ε of log(1 − a² + ε) in meow.md §4.
const Float32Eps = 1.1920928955078125e-07

// Tanh is the squashing layer y = tanh(x) (non-linear). In the density direction the input is first clamped to
// ±(1 − Clip), so that atanh stays finite for actions at the bounds, and the log-det uses log(1 − y² + Eps):
//
//	x = atanh(clamp(y, ±(1−Clip))),   log|det ∂x/∂y| = −Σ log(1 − y_c² + Eps).
//
// The forward log-det is Σ log(1 − y² + Eps) with the same Eps, so sampling and density agree.
type Tanh[F nn.Float] struct {
	Clip float64 // 1e-5 in MEow
	Eps  float64 // Float32Eps in MEow
}

// NewTanh returns the squashing layer with MEow's constants (Clip 1e-5, Eps = Float32Eps).
func NewTanh[F nn.Float]() *Tanh[F] { return &Tanh[F]{Clip: 1e-5, Eps: Float32Eps} }

func (l *Tanh[F]) logDet(tp *nn.Tape[F], y *nn.Tensor[F]) *nn.Tensor[F] {
	return tp.SumAxis(tp.Log(tp.AddScalar(tp.Neg(tp.Square(y)), 1+l.Eps)), 1)
}

// Forward implements Layer (sampling direction).
func (l *Tanh[F]) Forward(tp *nn.Tape[F], x, s *nn.Tensor[F]) (*nn.Tensor[F], *nn.Tensor[F]) {
	y := tp.Tanh(x)
	return y, l.logDet(tp, y)
}

// Inverse implements Layer (density direction).
func (l *Tanh[F]) Inverse(tp *nn.Tape[F], y, s *nn.Tensor[F]) (*nn.Tensor[F], *nn.Tensor[F]) {
	yc := Clamp(tp, y, -(1 - l.Clip), 1-l.Clip)
	return tp.Atanh(yc), tp.Neg(l.logDet(tp, yc))
}

// IsLinear returns false.
func (l *Tanh[F]) IsLinear() bool { return false }

// Params returns nil (no parameters).
func (l *Tanh[F]) Params() []*nn.Param[F] { return nil }

// Clamp returns x clamped element-wise to [lo, hi] with the gradient of a clamp (1 inside, 0 where clamped).
// nn has no clamp op; it is built from Mul and Add with constant masks taken from x's values.
func Clamp[F nn.Float](tp *nn.Tape[F], x *nn.Tensor[F], lo, hi float64) *nn.Tensor[F] {
	flo, fhi := F(lo), F(hi)
	if !x.RequiresGrad() {
		out := tp.New(x.Shape()...)
		for i, v := range x.Data {
			out.Data[i] = min(max(v, flo), fhi)
		}
		return out
	}
	m := tp.New(x.Shape()...)
	c := tp.New(x.Shape()...)
	for i, v := range x.Data {
		switch {
		case v < flo:
			c.Data[i] = flo
		case v > fhi:
			c.Data[i] = fhi
		default:
			m.Data[i] = 1
		}
	}
	return tp.Add(tp.Mul(x, m), c)
}
