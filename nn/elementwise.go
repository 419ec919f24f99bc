package nn

import (
	"fmt"
	"math"
)

const (
	binAdd uint8 = iota
	binSub
	binMul
	binDiv
)

// bcast describes a broadcast of two tensors padded to rank 4.
type bcast struct {
	out    [MaxRank]int
	rank   int
	sa, sb [MaxRank]int
}

func contiguousStrides(shape [MaxRank]int, rank int) [MaxRank]int {
	var s [MaxRank]int
	acc := 1
	for i := rank - 1; i >= 0; i-- {
		s[i] = acc
		acc *= shape[i]
	}
	return s
}

func makeBcast[F Float](a, b *Tensor[F], name string) bcast {
	var bc bcast
	rank := max(a.rank, b.rank)
	bc.rank = rank
	as, bs := contiguousStrides(a.shape, a.rank), contiguousStrides(b.shape, b.rank)
	p := MaxRank - rank
	for i := 0; i < p; i++ {
		bc.out[i] = 1
	}
	for i := 0; i < rank; i++ {
		da, db := 1, 1
		sa, sb := 0, 0
		if j := i - (rank - a.rank); j >= 0 {
			da, sa = a.shape[j], as[j]
		}
		if j := i - (rank - b.rank); j >= 0 {
			db, sb = b.shape[j], bs[j]
		}
		var d int
		switch {
		case da == db:
			d = da
		case da == 1:
			d, sa = db, 0
		case db == 1:
			d, sb = da, 0
		default:
			panic(fmt.Sprintf("nn: %s: shapes %v and %v do not broadcast", name, a.Shape(), b.Shape()))
		}
		if da == 1 {
			sa = 0
		}
		if db == 1 {
			sb = 0
		}
		bc.out[p+i] = d
		bc.sa[p+i] = sa
		bc.sb[p+i] = sb
	}
	return bc
}

func (bc *bcast) outShape() ([MaxRank]int, int) {
	var s [MaxRank]int
	copy(s[:], bc.out[MaxRank-bc.rank:])
	return s, bc.rank
}

// Add returns a + b with NumPy broadcasting.
func (tp *Tape[F]) Add(a, b *Tensor[F]) *Tensor[F] { return tp.binary(binAdd, a, b, "Add") }

// Sub returns a − b with NumPy broadcasting.
func (tp *Tape[F]) Sub(a, b *Tensor[F]) *Tensor[F] { return tp.binary(binSub, a, b, "Sub") }

// Mul returns the element-wise product a ⊙ b with NumPy broadcasting.
func (tp *Tape[F]) Mul(a, b *Tensor[F]) *Tensor[F] { return tp.binary(binMul, a, b, "Mul") }

// Div returns the element-wise quotient a / b with NumPy broadcasting.
func (tp *Tape[F]) Div(a, b *Tensor[F]) *Tensor[F] { return tp.binary(binDiv, a, b, "Div") }

func binOp[F Float](k uint8, x, y F) F {
	switch k {
	case binAdd:
		return x + y
	case binSub:
		return x - y
	case binMul:
		return x * y
	default:
		return x / y
	}
}

func (tp *Tape[F]) binary(k uint8, a, b *Tensor[F], name string) *Tensor[F] {
	var out *Tensor[F]
	if sameShape(a, b) {
		out = tp.newTensor(a.shape, a.rank)
		o, x, y := out.Data, a.Data, b.Data[:len(a.Data)]
		switch k {
		case binAdd:
			for i := range o {
				o[i] = x[i] + y[i]
			}
		case binSub:
			for i := range o {
				o[i] = x[i] - y[i]
			}
		case binMul:
			for i := range o {
				o[i] = x[i] * y[i]
			}
		default:
			for i := range o {
				o[i] = x[i] / y[i]
			}
		}
	} else {
		bc := makeBcast(a, b, name)
		s, r := bc.outShape()
		out = tp.newTensor(s, r)
		o := 0
		x, y := a.Data, b.Data
		for i0 := 0; i0 < bc.out[0]; i0++ {
			for i1 := 0; i1 < bc.out[1]; i1++ {
				for i2 := 0; i2 < bc.out[2]; i2++ {
					ia := i0*bc.sa[0] + i1*bc.sa[1] + i2*bc.sa[2]
					ib := i0*bc.sb[0] + i1*bc.sb[1] + i2*bc.sb[2]
					for i3 := 0; i3 < bc.out[3]; i3++ {
						out.Data[o] = binOp(k, x[ia], y[ib])
						o++
						ia += bc.sa[3]
						ib += bc.sb[3]
					}
				}
			}
		}
	}
	if tp.needs(a, b) {
		tp.push(record[F]{op: opBinary, sub: k, out: out, a: a, b: b})
	}
	return out
}

// binGrads returns ∂/∂x and ∂/∂y of x∘y.
func binGrads[F Float](k uint8, x, y F) (F, F) {
	switch k {
	case binAdd:
		return 1, 1
	case binSub:
		return 1, -1
	case binMul:
		return y, x
	default:
		return 1 / y, -x / (y * y)
	}
}

func (tp *Tape[F]) backBinary(r *record[F]) {
	a, b, g := r.a, r.b, r.out.Grad
	ga, gb := tp.grad(a), tp.grad(b)
	if sameShape(a, b) {
		for i, v := range g {
			dx, dy := binGrads(r.sub, a.Data[i], b.Data[i])
			if ga != nil {
				ga[i] += v * dx
			}
			if gb != nil {
				gb[i] += v * dy
			}
		}
		return
	}
	bc := makeBcast(a, b, "binary")
	o := 0
	for i0 := 0; i0 < bc.out[0]; i0++ {
		for i1 := 0; i1 < bc.out[1]; i1++ {
			for i2 := 0; i2 < bc.out[2]; i2++ {
				ia := i0*bc.sa[0] + i1*bc.sa[1] + i2*bc.sa[2]
				ib := i0*bc.sb[0] + i1*bc.sb[1] + i2*bc.sb[2]
				for i3 := 0; i3 < bc.out[3]; i3++ {
					dx, dy := binGrads(r.sub, a.Data[ia], b.Data[ib])
					if ga != nil {
						ga[ia] += g[o] * dx
					}
					if gb != nil {
						gb[ib] += g[o] * dy
					}
					o++
					ia += bc.sa[3]
					ib += bc.sb[3]
				}
			}
		}
	}
}

// AddScalar returns x + c element-wise.
func (tp *Tape[F]) AddScalar(x *Tensor[F], c float64) *Tensor[F] {
	out := tp.newTensor(x.shape, x.rank)
	cf := F(c)
	for i, v := range x.Data {
		out.Data[i] = v + cf
	}
	if tp.needs(x) {
		tp.push(record[F]{op: opAddScalar, out: out, a: x})
	}
	return out
}

// Scale returns c·x element-wise.
func (tp *Tape[F]) Scale(x *Tensor[F], c float64) *Tensor[F] {
	out := tp.newTensor(x.shape, x.rank)
	cf := F(c)
	for i, v := range x.Data {
		out.Data[i] = v * cf
	}
	if tp.needs(x) {
		tp.push(record[F]{op: opScale, out: out, a: x, f0: c})
	}
	return out
}

// Unary function identifiers.
const (
	unExp uint8 = iota
	unLog
	unLog1p
	unSoftplus
	unSigmoid
	unTanh
	unAtanh
	unReLU
	unGELU
	unSiLU
	unSquare
	unSqrt
	unNeg
)

// Exp returns eˣ element-wise.
func (tp *Tape[F]) Exp(x *Tensor[F]) *Tensor[F] { return tp.unary(unExp, x) }

// Log returns the natural logarithm element-wise.
func (tp *Tape[F]) Log(x *Tensor[F]) *Tensor[F] { return tp.unary(unLog, x) }

// Log1p returns log(1+x) element-wise.
func (tp *Tape[F]) Log1p(x *Tensor[F]) *Tensor[F] { return tp.unary(unLog1p, x) }

// Softplus returns log(1+eˣ) element-wise (computed stably).
func (tp *Tape[F]) Softplus(x *Tensor[F]) *Tensor[F] { return tp.unary(unSoftplus, x) }

// Sigmoid returns 1/(1+e⁻ˣ) element-wise.
func (tp *Tape[F]) Sigmoid(x *Tensor[F]) *Tensor[F] { return tp.unary(unSigmoid, x) }

// Tanh returns tanh(x) element-wise.
func (tp *Tape[F]) Tanh(x *Tensor[F]) *Tensor[F] { return tp.unary(unTanh, x) }

// Atanh returns artanh(x) element-wise (x in (−1, 1)).
func (tp *Tape[F]) Atanh(x *Tensor[F]) *Tensor[F] { return tp.unary(unAtanh, x) }

// ReLU returns max(x, 0) element-wise.
func (tp *Tape[F]) ReLU(x *Tensor[F]) *Tensor[F] { return tp.unary(unReLU, x) }

// GELU returns x·Φ(x) element-wise with the exact (erf) normal CDF Φ, as
// PyTorch's default GELU.
func (tp *Tape[F]) GELU(x *Tensor[F]) *Tensor[F] { return tp.unary(unGELU, x) }

// SiLU returns x·σ(x) element-wise.
func (tp *Tape[F]) SiLU(x *Tensor[F]) *Tensor[F] { return tp.unary(unSiLU, x) }

// Square returns x² element-wise.
func (tp *Tape[F]) Square(x *Tensor[F]) *Tensor[F] { return tp.unary(unSquare, x) }

// Sqrt returns √x element-wise.
func (tp *Tape[F]) Sqrt(x *Tensor[F]) *Tensor[F] { return tp.unary(unSqrt, x) }

// Neg returns −x element-wise.
func (tp *Tape[F]) Neg(x *Tensor[F]) *Tensor[F] { return tp.unary(unNeg, x) }

func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

func softplus(x float64) float64 {
	return max(x, 0) + math.Log1p(math.Exp(-math.Abs(x)))
}

const invSqrt2 = 0.7071067811865476
const invSqrt2Pi = 0.3989422804014327

func unaryF(k uint8, x float64) float64 {
	switch k {
	case unExp:
		return math.Exp(x)
	case unLog:
		return math.Log(x)
	case unLog1p:
		return math.Log1p(x)
	case unSoftplus:
		return softplus(x)
	case unSigmoid:
		return sigmoid(x)
	case unTanh:
		return math.Tanh(x)
	case unAtanh:
		return math.Atanh(x)
	case unGELU:
		return 0.5 * x * (1 + math.Erf(x*invSqrt2))
	case unSiLU:
		return x * sigmoid(x)
	case unSquare:
		return x * x
	case unSqrt:
		return math.Sqrt(x)
	default:
		return -x
	}
}

// unaryD returns dy/dx given x and y.
func unaryD(k uint8, x, y float64) float64 {
	switch k {
	case unExp:
		return y
	case unLog:
		return 1 / x
	case unLog1p:
		return 1 / (1 + x)
	case unSoftplus:
		return sigmoid(x)
	case unSigmoid:
		return y * (1 - y)
	case unTanh:
		return 1 - y*y
	case unAtanh:
		return 1 / (1 - x*x)
	case unGELU:
		return 0.5*(1+math.Erf(x*invSqrt2)) + x*invSqrt2Pi*math.Exp(-0.5*x*x)
	case unSiLU:
		s := sigmoid(x)
		return s * (1 + x*(1-s))
	case unSquare:
		return 2 * x
	case unSqrt:
		return 0.5 / y
	default:
		return -1
	}
}

func (tp *Tape[F]) unary(k uint8, x *Tensor[F]) *Tensor[F] {
	out := tp.newTensor(x.shape, x.rank)
	o := out.Data[:len(x.Data)]
	if k == unReLU {
		for i, v := range x.Data {
			if v > 0 {
				o[i] = v
			} else {
				o[i] = 0
			}
		}
	} else {
		for i, v := range x.Data {
			o[i] = F(unaryF(k, float64(v)))
		}
	}
	if tp.needs(x) {
		tp.push(record[F]{op: opUnary, sub: k, out: out, a: x})
	}
	return out
}

func (tp *Tape[F]) backUnary(r *record[F]) {
	gx := tp.grad(r.a)
	if gx == nil {
		return
	}
	g, x, y := r.out.Grad, r.a.Data, r.out.Data
	if r.sub == unReLU {
		for i, v := range g {
			if x[i] > 0 {
				gx[i] += v
			}
		}
		return
	}
	for i, v := range g {
		gx[i] += v * F(unaryD(r.sub, float64(x[i]), float64(y[i])))
	}
}

// Swish returns x ⊙ σ(β ⊙ x) with a learnable per-unit β: x is [..., D] and
// beta is [D].
func (tp *Tape[F]) Swish(x, beta *Tensor[F]) *Tensor[F] {
	rows, d := x.rowsCols()
	if beta.rank != 1 || beta.shape[0] != d {
		panic(fmt.Sprintf("nn: Swish: beta %v does not match input %v", beta.Shape(), x.Shape()))
	}
	out := tp.newTensor(x.shape, x.rank)
	for i := 0; i < rows; i++ {
		for j := 0; j < d; j++ {
			v := float64(x.Data[i*d+j])
			out.Data[i*d+j] = F(v * sigmoid(float64(beta.Data[j])*v))
		}
	}
	if tp.needs(x, beta) {
		tp.push(record[F]{op: opSwish, out: out, a: x, b: beta})
	}
	return out
}

func (tp *Tape[F]) backSwish(r *record[F]) {
	gx, gb := tp.grad(r.a), tp.grad(r.b)
	rows, d := r.a.rowsCols()
	for i := 0; i < rows; i++ {
		for j := 0; j < d; j++ {
			k := i*d + j
			x := float64(r.a.Data[k])
			b := float64(r.b.Data[j])
			s := sigmoid(b * x)
			g := float64(r.out.Grad[k])
			ds := s * (1 - s)
			if gx != nil {
				gx[k] += F(g * (s + b*x*ds))
			}
			if gb != nil {
				gb[j] += F(g * x * x * ds)
			}
		}
	}
}
