package nn

import (
	"fmt"
	"math"
)

// Dropout zeroes each element of x with probability p and scales the others
// by 1/(1−p) when tp.Training is true (drawing from tp.Rand); in evaluation
// mode, or with p = 0, it returns x unchanged.
func (tp *Tape[F]) Dropout(x *Tensor[F], p float64) *Tensor[F] {
	if !tp.Training || p == 0 {
		return x
	}
	if p < 0 || p >= 1 {
		panic(fmt.Sprintf("nn: Dropout: probability %v not in [0, 1)", p))
	}
	if tp.Rand == nil {
		panic("nn: Dropout in training mode needs Tape.Rand")
	}
	out := tp.newTensor(x.shape, x.rank)
	mask := tp.alloc(len(x.Data))
	keep := F(1 / (1 - p))
	// rand.Rand.Float64() is (u mod 2⁵³)/2⁵³ for u = Uint64(), so
	// Float64() < p exactly when u mod 2⁵³ < ⌈p·2⁵³⌉: the same draws, without
	// the conversion.
	drop := uint64(math.Ceil(p * (1 << 53)))
	src := tp.Rand
	for i, v := range x.Data {
		m := keep
		if src.Uint64()<<11>>11 < drop {
			m = 0
		}
		mask[i] = m
		out.Data[i] = v * m
	}
	if tp.needs(x) {
		tp.push(record[F]{op: opDropout, out: out, a: x, s0: mask})
	}
	return out
}

// MSE returns the mean over all elements of (a − b)² as a scalar tensor; a
// and b must have the same shape.
func (tp *Tape[F]) MSE(a, b *Tensor[F]) *Tensor[F] {
	if !sameShape(a, b) {
		panic(fmt.Sprintf("nn: MSE: shapes %v and %v differ", a.Shape(), b.Shape()))
	}
	out := tp.newTensor([MaxRank]int{}, 0)
	var s float64
	for i, v := range a.Data {
		e := float64(v - b.Data[i])
		s += e * e
	}
	out.Data[0] = F(s / float64(max(len(a.Data), 1)))
	if tp.needs(a, b) {
		tp.push(record[F]{op: opMSE, out: out, a: a, b: b})
	}
	return out
}

func (tp *Tape[F]) backMSE(r *record[F]) {
	ga, gb := tp.grad(r.a), tp.grad(r.b)
	c := r.out.Grad[0] * F(2/float64(max(len(r.a.Data), 1)))
	for i, v := range r.a.Data {
		e := c * (v - r.b.Data[i])
		if ga != nil {
			ga[i] += e
		}
		if gb != nil {
			gb[i] -= e
		}
	}
}

// log2Pi is log(2π).
const log2Pi = 1.8378770664093453

// GaussianLogDensity returns the log-density of a diagonal Gaussian summed
// over the last axis: for x [..., D] the result is [...] with entries
// Σ_d −½((x−μ)/σ)² − log σ − ½ log 2π, where σ = exp(logStd). mu and logStd
// have x's shape, or are nil for 0 (standard normal).
func (tp *Tape[F]) GaussianLogDensity(x, mu, logStd *Tensor[F]) *Tensor[F] {
	for _, p := range [2]*Tensor[F]{mu, logStd} {
		if p != nil && !sameShape(p, x) {
			panic(fmt.Sprintf("nn: GaussianLogDensity: shapes %v and %v differ", x.Shape(), p.Shape()))
		}
	}
	if x.rank == 0 {
		panic("nn: GaussianLogDensity: x must have at least one dimension")
	}
	rows, d := x.rowsCols()
	s, rk := removeAxis(x.shape, x.rank, x.rank-1)
	out := tp.newTensor(s, rk)
	for i := 0; i < rows; i++ {
		var acc float64
		for j := 0; j < d; j++ {
			k := i*d + j
			z := float64(x.Data[k])
			var ls float64
			if mu != nil {
				z -= float64(mu.Data[k])
			}
			if logStd != nil {
				ls = float64(logStd.Data[k])
				z *= math.Exp(-ls)
			}
			acc += -0.5*z*z - ls - 0.5*log2Pi
		}
		out.Data[i] = F(acc)
	}
	if tp.needs(x, mu, logStd) {
		tp.push(record[F]{op: opGaussLogDensity, out: out, a: x, b: mu, c: logStd})
	}
	return out
}

func (tp *Tape[F]) backGauss(r *record[F]) {
	gx, gm, gs := tp.grad(r.a), tp.grad(r.b), tp.grad(r.c)
	rows, d := r.a.rowsCols()
	for i := 0; i < rows; i++ {
		g := float64(r.out.Grad[i])
		for j := 0; j < d; j++ {
			k := i*d + j
			z := float64(r.a.Data[k])
			inv := 1.0
			if r.b != nil {
				z -= float64(r.b.Data[k])
			}
			if r.c != nil {
				inv = math.Exp(-float64(r.c.Data[k]))
				z *= inv
			}
			if gx != nil {
				gx[k] += F(-g * z * inv)
			}
			if gm != nil {
				gm[k] += F(g * z * inv)
			}
			if gs != nil {
				gs[k] += F(g * (z*z - 1))
			}
		}
	}
}
