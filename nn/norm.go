package nn

import (
	"fmt"
	"math"
)

// LayerNorm normalises each row of x [..., D] to zero mean and unit variance
// (biased variance, eps added inside the square root) and applies the affine
// map γ ⊙ x̂ + β; gamma and beta are [D] or nil (no affine part). The forward
// and backward passes are fused.
func (tp *Tape[F]) LayerNorm(x, gamma, beta *Tensor[F], eps float64) *Tensor[F] {
	rows, d := x.rowsCols()
	for _, p := range [2]*Tensor[F]{gamma, beta} {
		if p != nil && (p.rank != 1 || p.shape[0] != d) {
			panic(fmt.Sprintf("nn: LayerNorm: parameter %v does not match input %v", p.Shape(), x.Shape()))
		}
	}
	out := tp.newTensor(x.shape, x.rank)
	need := tp.needs(x, gamma, beta)
	var stats []F
	if need {
		stats = tp.alloc(2 * rows)
	}
	for i := 0; i < rows; i++ {
		row := x.Data[i*d : (i+1)*d]
		var s float64
		for _, v := range row {
			s += float64(v)
		}
		mean := s / float64(d)
		var q float64
		for _, v := range row {
			e := float64(v) - mean
			q += e * e
		}
		rstd := 1 / math.Sqrt(q/float64(d)+eps)
		o := out.Data[i*d : (i+1)*d]
		m, r := F(mean), F(rstd)
		switch {
		case gamma != nil && beta != nil:
			for j, v := range row {
				o[j] = (v-m)*r*gamma.Data[j] + beta.Data[j]
			}
		case gamma != nil:
			for j, v := range row {
				o[j] = (v - m) * r * gamma.Data[j]
			}
		default:
			for j, v := range row {
				o[j] = (v - m) * r
			}
			if beta != nil {
				for j := range o {
					o[j] += beta.Data[j]
				}
			}
		}
		if need {
			stats[2*i], stats[2*i+1] = m, r
		}
	}
	if need {
		tp.push(record[F]{op: opLayerNorm, out: out, a: x, b: gamma, c: beta, s0: stats})
	}
	return out
}

func (tp *Tape[F]) backLayerNorm(r *record[F]) {
	x, gamma := r.a, r.b
	gx, gg, gb := tp.grad(x), tp.grad(gamma), tp.grad(r.c)
	rows, d := x.rowsCols()
	for i := 0; i < rows; i++ {
		row := x.Data[i*d : (i+1)*d]
		g := r.out.Grad[i*d : (i+1)*d]
		m, rs := r.s0[2*i], r.s0[2*i+1]
		var s1, s2 float64
		for j, v := range row {
			xh := (v - m) * rs
			gh := g[j]
			if gamma != nil {
				gh *= gamma.Data[j]
			}
			s1 += float64(gh)
			s2 += float64(gh * xh)
			if gg != nil {
				gg[j] += g[j] * xh
			}
			if gb != nil {
				gb[j] += g[j]
			}
		}
		if gx == nil {
			continue
		}
		m1, m2 := F(s1/float64(d)), F(s2/float64(d))
		dst := gx[i*d : (i+1)*d]
		for j, v := range row {
			xh := (v - m) * rs
			gh := g[j]
			if gamma != nil {
				gh *= gamma.Data[j]
			}
			dst[j] += rs * (gh - m1 - xh*m2)
		}
	}
}

// softmaxRow writes softmax(src[:n]) to dst (entries n.. of dst are zeroed).
func softmaxRow[F Float](dst, src []F, n int) {
	mx := src[0]
	for _, v := range src[1:n] {
		mx = max(mx, v)
	}
	var s float64
	f32 := isF32[F]()
	for j := 0; j < n; j++ {
		var e F
		if f32 {
			e = F(expF32(float64(src[j] - mx)))
		} else {
			e = F(math.Exp(float64(src[j] - mx)))
		}
		dst[j] = e
		s += float64(e)
	}
	inv := F(1 / s)
	for j := 0; j < n; j++ {
		dst[j] *= inv
	}
	for j := n; j < len(dst); j++ {
		dst[j] = 0
	}
}

// Softmax returns the softmax of x along its last axis.
func (tp *Tape[F]) Softmax(x *Tensor[F]) *Tensor[F] {
	rows, d := x.rowsCols()
	out := tp.newTensor(x.shape, x.rank)
	for i := 0; i < rows; i++ {
		softmaxRow(out.Data[i*d:(i+1)*d], x.Data[i*d:(i+1)*d], d)
	}
	if tp.needs(x) {
		tp.push(record[F]{op: opSoftmax, out: out, a: x})
	}
	return out
}

// CausalSoftmax returns the softmax of scores x [..., S, S] along the last
// axis with the causal mask: entry (i, j) with j > i is excluded (its output
// is 0).
func (tp *Tape[F]) CausalSoftmax(x *Tensor[F]) *Tensor[F] {
	if x.rank < 2 || x.shape[x.rank-1] != x.shape[x.rank-2] {
		panic(fmt.Sprintf("nn: CausalSoftmax: shape %v is not [..., S, S]", x.Shape()))
	}
	rows, s := x.rowsCols()
	out := tp.newTensor(x.shape, x.rank)
	for i := 0; i < rows; i++ {
		softmaxRow(out.Data[i*s:(i+1)*s], x.Data[i*s:(i+1)*s], i%s+1)
	}
	if tp.needs(x) {
		tp.push(record[F]{op: opCausalSoftmax, out: out, a: x})
	}
	return out
}

// softmaxBackRow accumulates into dx the gradient through y = softmax given
// upstream g.
func softmaxBackRow[F Float](dx, y, g []F) {
	var dot float64
	for j, v := range y {
		dot += float64(v * g[j])
	}
	d := F(dot)
	for j, v := range y {
		dx[j] += v * (g[j] - d)
	}
}

func (tp *Tape[F]) backSoftmax(r *record[F]) {
	gx := tp.grad(r.a)
	if gx == nil {
		return
	}
	rows, d := r.a.rowsCols()
	for i := 0; i < rows; i++ {
		softmaxBackRow(gx[i*d:(i+1)*d], r.out.Data[i*d:(i+1)*d], r.out.Grad[i*d:(i+1)*d])
	}
}

// LogSoftmax returns x − logsumexp(x) along the last axis.
func (tp *Tape[F]) LogSoftmax(x *Tensor[F]) *Tensor[F] {
	rows, d := x.rowsCols()
	out := tp.newTensor(x.shape, x.rank)
	for i := 0; i < rows; i++ {
		row := x.Data[i*d : (i+1)*d]
		mx := row[0]
		for _, v := range row {
			mx = max(mx, v)
		}
		var s float64
		for _, v := range row {
			s += math.Exp(float64(v - mx))
		}
		l := mx + F(math.Log(s))
		for j, v := range row {
			out.Data[i*d+j] = v - l
		}
	}
	if tp.needs(x) {
		tp.push(record[F]{op: opLogSoftmax, out: out, a: x})
	}
	return out
}

func (tp *Tape[F]) backLogSoftmax(r *record[F]) {
	gx := tp.grad(r.a)
	if gx == nil {
		return
	}
	rows, d := r.a.rowsCols()
	for i := 0; i < rows; i++ {
		g := r.out.Grad[i*d : (i+1)*d]
		var s float64
		for _, v := range g {
			s += float64(v)
		}
		for j, y := range r.out.Data[i*d : (i+1)*d] {
			gx[i*d+j] += g[j] - F(math.Exp(float64(y))*s)
		}
	}
}
