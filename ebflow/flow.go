package ebflow

import (
	"fmt"
	"math"

	"github.com/boltzflow/boltzflow/nn"
)

// Layer is one invertible, optionally context-conditioned layer of a Flow acting on batches of d-vectors.
type Layer[F nn.Float] interface {
	// Forward maps x ([n, d], sampling direction) to y ([n, d]) given the context s ([n, c] or nil) and
	// returns y and log|det ∂y/∂x| per row ([n]), or a nil log-det when it is identically zero.
	Forward(tp *nn.Tape[F], x, s *nn.Tensor[F]) (y, logDet *nn.Tensor[F])
	// Inverse maps y ([n, d], density direction) back to x and returns x and log|det ∂x/∂y| per row ([n]),
	// or a nil log-det when it is identically zero.
	Inverse(tp *nn.Tape[F], y, s *nn.Tensor[F]) (x, logDet *nn.Tensor[F])
	// IsLinear reports whether the layer is a first- or zero-degree polynomial of its input, i.e. its
	// Jacobian does not depend on the input (it may depend on the context).
	IsLinear() bool
	// Params returns the trainable parameters of the layer.
	Params() []*nn.Param[F]
}

// LinearLayer is a linear Layer that can compute its log-determinant from the context alone.
type LinearLayer[F nn.Float] interface {
	Layer[F]
	// InverseLogDet returns log|det ∂x/∂y| of the density direction for n rows with context s ([n, c] or nil),
	// as an [n] tensor, without touching any data.
	InverseLogDet(tp *nn.Tape[F], s *nn.Tensor[F], n int) *nn.Tensor[F]
}

// Flow is a conditional normalizing flow with a standard normal prior on R^Dim. Layers are listed in the
// sampling direction: x = Layers[L−1](…Layers[0](z)). Every layer with IsLinear() = true must implement
// LinearLayer.
type Flow[F nn.Float] struct {
	Dim    int // dimension d of the latent and of the data
	Layers []Layer[F]
}

// NewFlow returns a flow over R^dim made of layers (in the sampling direction). It panics if a linear layer
// does not implement LinearLayer.
func NewFlow[F nn.Float](dim int, layers ...Layer[F]) *Flow[F] {
	for i, l := range layers {
		if _, ok := l.(LinearLayer[F]); l.IsLinear() && !ok {
			panic(fmt.Sprintf("ebflow: layer %d (%T) is linear but does not implement LinearLayer", i, l))
		}
	}
	return &Flow[F]{Dim: dim, Layers: layers}
}

// Params returns the trainable parameters of all layers, in layer order.
func (f *Flow[F]) Params() []*nn.Param[F] {
	var ps []*nn.Param[F]
	for _, l := range f.Layers {
		ps = append(ps, l.Params()...)
	}
	return ps
}

func (f *Flow[F]) checkData(name string, x *nn.Tensor[F]) int {
	if x.Rank() != 2 || x.Dim(1) != f.Dim {
		panic(fmt.Sprintf("ebflow: %s: data shape %v, want [n, %d]", name, x.Shape(), f.Dim))
	}
	return x.Dim(0)
}

func checkContext[F nn.Float](name string, s *nn.Tensor[F], n int) {
	if s != nil && (s.Rank() != 2 || s.Dim(0) != n) {
		panic(fmt.Sprintf("ebflow: %s: context shape %v, want [%d, c]", name, s.Shape(), n))
	}
}

// addLD adds b to the accumulated log-det a; either may be nil (zero).
func addLD[F nn.Float](tp *nn.Tape[F], a, b *nn.Tensor[F]) *nn.Tensor[F] {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	}
	return tp.Add(a, b)
}

// Forward pushes latents z ([n, d]) through all layers (sampling direction) and returns x ([n, d]) and the
// total log|det ∂x/∂z| ([n]; nil if every layer is volume preserving).
func (f *Flow[F]) Forward(tp *nn.Tape[F], z, s *nn.Tensor[F]) (x, logDet *nn.Tensor[F]) {
	n := f.checkData("Forward", z)
	checkContext("Forward", s, n)
	x = z
	for _, l := range f.Layers {
		var ld *nn.Tensor[F]
		x, ld = l.Forward(tp, x, s)
		logDet = addLD(tp, logDet, ld)
	}
	return x, logDet
}

// Inverse maps data x ([n, d]) to latents z ([n, d]) through all layers (density direction) and returns z and
// the log|det ∂z/∂x| ([n]) of the non-linear and of the linear layers separately (nil when zero).
func (f *Flow[F]) Inverse(tp *nn.Tape[F], x, s *nn.Tensor[F]) (z, nonLinear, linear *nn.Tensor[F]) {
	n := f.checkData("Inverse", x)
	checkContext("Inverse", s, n)
	z = x
	for i := len(f.Layers) - 1; i >= 0; i-- {
		l := f.Layers[i]
		var ld *nn.Tensor[F]
		z, ld = l.Inverse(tp, z, s)
		if l.IsLinear() {
			linear = addLD(tp, linear, ld)
		} else {
			nonLinear = addLD(tp, nonLinear, ld)
		}
	}
	return z, nonLinear, linear
}

// halfLog2Pi is ½·log 2π.
var halfLog2Pi = 0.5 * math.Log(2*math.Pi)

// Energy returns the energy E(x|s) ([n]) of data x ([n, d]) with context s: ½‖z‖² minus the non-linear
// layers' log-dets of the density direction, and log Z(s) ([n]). log p(x|s) = −E − log Z.
func (f *Flow[F]) Energy(tp *nn.Tape[F], x, s *nn.Tensor[F]) (energy, logZ *nn.Tensor[F]) {
	z, nl, lin := f.Inverse(tp, x, s)
	energy = tp.Scale(tp.SumAxis(tp.Square(z), 1), 0.5)
	if nl != nil {
		energy = tp.Sub(energy, nl)
	}
	logZ = f.constLogZ(tp, x.Dim(0))
	if lin != nil {
		logZ = tp.Sub(logZ, lin)
	}
	return energy, logZ
}

func (f *Flow[F]) constLogZ(tp *nn.Tape[F], n int) *nn.Tensor[F] {
	c := tp.New(n)
	v := F(float64(f.Dim) * halfLog2Pi)
	for i := range c.Data {
		c.Data[i] = v
	}
	return c
}

// LogZ returns log Z(s) ([n]) for n rows of context s ([n, c], or nil for an unconditional flow) from the
// linear layers alone — the data path (coupling networks) is not evaluated.
func (f *Flow[F]) LogZ(tp *nn.Tape[F], s *nn.Tensor[F], n int) *nn.Tensor[F] {
	checkContext("LogZ", s, n)
	logZ := f.constLogZ(tp, n)
	for _, l := range f.Layers {
		if ll, ok := l.(LinearLayer[F]); ok && l.IsLinear() {
			logZ = tp.Sub(logZ, ll.InverseLogDet(tp, s, n))
		}
	}
	return logZ
}

// LogProb returns log p(x|s) ([n]) = −E(x|s) − log Z(s).
func (f *Flow[F]) LogProb(tp *nn.Tape[F], x, s *nn.Tensor[F]) *nn.Tensor[F] {
	e, lz := f.Energy(tp, x, s)
	return tp.Neg(tp.Add(e, lz))
}

// Sample pushes the standard normal draws eps ([n, d], supplied by the caller's random stream) through the flow
// and returns the samples x ([n, d]) and their log-density log p(x|s) ([n]) = log N(eps) − log|det ∂x/∂z|.
func (f *Flow[F]) Sample(tp *nn.Tape[F], eps, s *nn.Tensor[F]) (x, logProb *nn.Tensor[F]) {
	x, ld := f.Forward(tp, eps, s)
	logProb = tp.Neg(tp.Add(tp.Scale(tp.SumAxis(tp.Square(eps), 1), 0.5), f.constLogZ(tp, eps.Dim(0))))
	if ld != nil {
		logProb = tp.Sub(logProb, ld)
	}
	return x, logProb
}

// Mode returns the deterministic output ([n, d]) for context s: the zero latent (the prior's mode) pushed
// through every layer. For volume-preserving non-linear layers (additive couplings) and a Gaussian prior this
// is the mode of the pre-squash density (meow.md Proposition 2).
func (f *Flow[F]) Mode(tp *nn.Tape[F], s *nn.Tensor[F], n int) *nn.Tensor[F] {
	checkContext("Mode", s, n)
	x, _ := f.Forward(tp, tp.New(n, f.Dim), s)
	return x
}
