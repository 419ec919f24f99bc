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
	binMin
	binMax
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
	case binDiv:
		return x / y
	case binMin:
		return min(x, y)
	default:
		return max(x, y)
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
		case binDiv:
			for i := range o {
				o[i] = x[i] / y[i]
			}
		default:
			for i := range o {
				o[i] = binOp(k, x[i], y[i])
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
	case binDiv:
		return 1 / y, -x / (y * y)
	case binMin:
		if x <= y {
			return 1, 0
		}
		return 0, 1
	default:
		if x >= y {
			return 1, 0
		}
		return 0, 1
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

// Minimum returns min(a, b) element-wise with NumPy broadcasting (the
// gradient goes to a on ties), e.g. the clipped double-Q target.
func (tp *Tape[F]) Minimum(a, b *Tensor[F]) *Tensor[F] { return tp.binary(binMin, a, b, "Minimum") }

// Maximum returns max(a, b) element-wise with NumPy broadcasting (the
// gradient goes to a on ties).
func (tp *Tape[F]) Maximum(a, b *Tensor[F]) *Tensor[F] { return tp.binary(binMax, a, b, "Maximum") }

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
	unAbs
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
	case unAbs:
		return math.Abs(x)
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
	case unAbs:
		if x > 0 {
			return 1
		} else if x < 0 {
			return -1
		}
		return 0
	default:
		return -1
	}
}

func (tp *Tape[F]) unary(k uint8, x *Tensor[F]) *Tensor[F] {
	out := tp.newTensor(x.shape, x.rank)
	o := out.Data[:len(x.Data)]
	if k == unGELU {
		var d []F
		if tp.needs(x) {
			d = tp.alloc(len(x.Data))
		}
		geluForward(o, d, x.Data)
		if d != nil {
			tp.push(record[F]{op: opUnary, sub: k, out: out, a: x, s0: d})
		}
		return out
	}
	if k == unReLU {
		reluForward(o, x.Data)
	} else if k == unSigmoid && isF32[F]() {
		var d []F
		if tp.needs(x) {
			d = tp.alloc(len(x.Data))
			sigmoidF32Slice(asF32(o), asF32(d), asF32(x.Data))
			tp.push(record[F]{op: opUnary, sub: k, out: out, a: x, s0: d})
			return out
		}
		sigmoidF32Slice(asF32(o), nil, asF32(x.Data))
		return out
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
	if r.s0 != nil { // derivative saved by the forward pass
		for i, v := range g {
			gx[i] += v * r.s0[i]
		}
		return
	}
	if r.sub == unReLU {
		reluBackward(gx, g, y)
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
	n := rows * d
	// s holds σ(β⊙x) and ds σ'(β⊙x), kept for the backward pass when a
	// gradient is needed.
	var s, ds []F
	needs := tp.needs(x, beta)
	if needs {
		s, ds = tp.alloc(n), tp.alloc(n)
	} else {
		s = out.Data[:n]
	}
	beta1 := beta.Data[:d]
	for i := 0; i < rows; i++ {
		xi, si := x.Data[i*d:i*d+d], s[i*d:i*d+d]
		j0 := 0
		if isF32[F]() {
			j0 = mulVec(asF32(si), asF32(beta1), asF32(xi))
		}
		for j := j0; j < d; j++ {
			si[j] = beta1[j] * xi[j]
		}
	}
	if isF32[F]() {
		sigmoidF32Slice(asF32(s), asF32(ds), asF32(s))
	} else {
		for k, z := range s {
			sv := sigmoid(float64(z))
			s[k] = F(sv)
			if ds != nil {
				ds[k] = F(sv * (1 - sv))
			}
		}
	}
	o, s1, x1 := out.Data[:n], s[:n], x.Data[:n]
	k0 := 0
	if isF32[F]() {
		k0 = mulVec(asF32(o), asF32(x1), asF32(s1))
	}
	for k := k0; k < n; k++ {
		o[k] = x1[k] * s1[k]
	}
	if needs {
		tp.push(record[F]{op: opSwish, out: out, a: x, b: beta, s0: s, s1: ds})
	}
	return out
}

// backSwish uses σ and σ' saved by the forward pass: ∂y/∂x = σ + βx·σ' and
// ∂y/∂β = x²·σ', with σ, σ' evaluated at βx.
func (tp *Tape[F]) backSwish(r *record[F]) {
	gx, gb := tp.grad(r.a), tp.grad(r.b)
	rows, d := r.a.rowsCols()
	beta := r.b.Data[:d]
	for i := 0; i < rows; i++ {
		lo := i * d
		x, s, ds, g := r.a.Data[lo:lo+d], r.s0[lo:lo+d], r.s1[lo:lo+d], r.out.Grad[lo:lo+d]
		// The AVX2 kernels do the leading multiple of 8 with the same
		// operations in the same order; the conversions keep the compiler
		// from fusing multiply-adds (GOAMD64=v3), which the kernels do not use.
		if gx != nil {
			gxi := gx[lo : lo+d]
			j0 := 0
			if isF32[F]() {
				j0 = swishBwdXVec(asF32(gxi), asF32(g), asF32(s), asF32(ds), asF32(x), asF32(beta))
			}
			for j := j0; j < d; j++ {
				gxi[j] += F(g[j] * (s[j] + F(F(beta[j]*x[j])*ds[j])))
			}
		}
		if gb != nil {
			gb := gb[:d]
			j0 := 0
			if isF32[F]() {
				j0 = swishBwdBetaVec(asF32(gb), asF32(g), asF32(x), asF32(ds))
			}
			for j := j0; j < d; j++ {
				gb[j] += F(F(F(g[j]*x[j])*x[j]) * ds[j])
			}
		}
	}
}

// geluForward writes GELU(x) = x·Φ(x) to y and, if d is non-nil, the
// derivative Φ(x) + x·φ(x) to d. float64 uses math.Erf; float32 uses the
// Abramowitz–Stegun 7.1.26 approximation of erf (absolute error ≤ 1.5e−7,
// below float32 resolution), which shares one exponential between Φ and φ.
func geluForward[F Float](y, d, x []F) {
	if !isF32[F]() {
		for i, v := range x {
			xf := float64(v)
			cdf := 0.5 * (1 + math.Erf(xf*invSqrt2))
			y[i] = F(xf * cdf)
			if d != nil {
				d[i] = F(cdf + xf*invSqrt2Pi*math.Exp(-0.5*xf*xf))
			}
		}
		return
	}
	const (
		p  = 0.3275911
		a1 = 0.254829592
		a2 = -0.284496736
		a3 = 1.421413741
		a4 = -1.453152027
		a5 = 1.061405429
	)
	const (
		log2e   = 1.4426950408889634
		ln2hi   = 0.6931471803691238
		ln2lo   = 1.9082149292705877e-10
		shifter = 6755399441055744.0
	)
	done := geluVec(y, d, x)
	x, y = x[done:], y[done:]
	if d != nil {
		d = d[done:]
	}
	for i, v := range x {
		xf := float64(v)
		z := math.Abs(xf) * invSqrt2
		// e = exp(−z²) = exp(−x²/2), inlined expF32 (the argument is ≤ 0).
		arg := -z * z
		if arg < -103 {
			arg = -103
		}
		sh := arg*log2e + shifter
		n := sh - shifter
		r := arg - n*ln2hi - n*ln2lo
		e := (1 + r*(1+r*(1.0/2+r*(1.0/6+r*(1.0/24+r*(1.0/120+r*(1.0/720+r*(1.0/5040)))))))) *
			math.Float64frombits(uint64(int64(int32(math.Float64bits(sh)))+1023)<<52)
		t := 1 / (1 + p*z)
		// Copysign instead of a branch: signs of activations are random.
		erf := math.Copysign(1-((((a5*t+a4)*t+a3)*t+a2)*t+a1)*t*e, xf)
		cdf := 0.5 * (1 + erf)
		y[i] = F(xf * cdf)
		if d != nil {
			d[i] = F(cdf + xf*invSqrt2Pi*e)
		}
	}
}

// Clamp limits x element-wise to [lo, hi]; the gradient is passed through
// where lo ≤ x ≤ hi and is zero outside.
func (tp *Tape[F]) Clamp(x *Tensor[F], lo, hi float64) *Tensor[F] {
	out := tp.newTensor(x.shape, x.rank)
	l, h := F(lo), F(hi)
	for i, v := range x.Data {
		out.Data[i] = min(max(v, l), h)
	}
	if tp.needs(x) {
		tp.push(record[F]{op: opClamp, out: out, a: x, f0: lo, f1: hi})
	}
	return out
}

func (tp *Tape[F]) backClamp(r *record[F]) {
	gx := tp.grad(r.a)
	if gx == nil {
		return
	}
	l, h := F(r.f0), F(r.f1)
	for i, v := range r.a.Data {
		if v >= l && v <= h {
			gx[i] += r.out.Grad[i]
		}
	}
}

// Abs returns |x| element-wise (gradient sign(x), 0 at 0).
func (tp *Tape[F]) Abs(x *Tensor[F]) *Tensor[F] { return tp.unary(unAbs, x) }

// reluForward writes max(x, 0) to y without branches (random signs would
// make a branch mispredict half of the time).
func reluForward[F Float](y, x []F) {
	if isF32[F]() {
		y32, x32 := asF32(y), asF32(x)[:len(y)]
		k := reluFwdVec(y32, x32)
		y32, x32 = y32[k:], x32[k:]
		for i, v := range x32 {
			b := math.Float32bits(v)
			y32[i] = math.Float32frombits(b & uint32(^int32(b)>>31))
		}
		return
	}
	y64, x64 := asF64(y), asF64(x)[:len(y)]
	for i, v := range x64 {
		b := math.Float64bits(v)
		y64[i] = math.Float64frombits(b & uint64(^int64(b)>>63))
	}
}

// reluBackward adds g where the ReLU output y is positive to gx, without
// branches.
func reluBackward[F Float](gx, g, y []F) {
	if isF32[F]() {
		gx32, g32, y32 := asF32(gx), asF32(g)[:len(gx)], asF32(y)[:len(gx)]
		k := reluBwdVec(gx32, g32, y32)
		gx32, g32, y32 = gx32[k:], g32[k:], y32[k:]
		for i, v := range g32 {
			m := uint32(-int32(math.Float32bits(y32[i])) >> 31)
			gx32[i] += math.Float32frombits(math.Float32bits(v) & m)
		}
		return
	}
	gx64, g64, y64 := asF64(gx), asF64(g)[:len(gx)], asF64(y)[:len(gx)]
	for i, v := range g64 {
		m := uint64(-int64(math.Float64bits(y64[i])) >> 63)
		gx64[i] += math.Float64frombits(math.Float64bits(v) & m)
	}
}
