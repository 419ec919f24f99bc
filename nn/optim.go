package nn

import (
	"fmt"
	"math"
)

// Adam is the Adam optimiser (Kingma & Ba 2015) with PyTorch's semantics.
// With Decoupled set it is AdamW (Loshchilov & Hutter 2019): weight decay
// multiplies the parameters by (1 − LR·WeightDecay) before the Adam update;
// otherwise WeightDecay adds an L2 term WeightDecay·θ to the gradient.
type Adam[F Float] struct {
	// Params are the parameters updated by Step.
	Params []*Param[F]
	// LR is the learning rate used by the next Step (set it from a Schedule).
	LR float64
	// Beta1 and Beta2 are the exponential decay rates of the moment
	// estimates; Eps is added to the denominator.
	Beta1, Beta2, Eps float64
	// WeightDecay is the L2 (Adam) or decoupled (AdamW) decay coefficient.
	WeightDecay float64
	// Decoupled selects AdamW.
	Decoupled bool
	// Steps counts the updates done so far (t in the bias corrections).
	Steps int64
	// M and V are the first and second moment estimates, one per parameter.
	M, V [][]F
}

// NewAdam returns Adam over ps with learning rate lr and PyTorch's defaults
// β₁ = 0.9, β₂ = 0.999, ε = 1e−8, no weight decay.
func NewAdam[F Float](ps []*Param[F], lr float64) *Adam[F] {
	o := &Adam[F]{Params: ps, LR: lr, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
	for _, p := range ps {
		o.M = append(o.M, make([]F, len(p.Data)))
		o.V = append(o.V, make([]F, len(p.Data)))
	}
	return o
}

// NewAdamW returns AdamW over ps with learning rate lr and decoupled weight
// decay wd (PyTorch's AdamW default is 0.01).
func NewAdamW[F Float](ps []*Param[F], lr, wd float64) *Adam[F] {
	o := NewAdam(ps, lr)
	o.WeightDecay = wd
	o.Decoupled = true
	return o
}

// ZeroGrad zeroes the gradients of the optimiser's parameters.
func (o *Adam[F]) ZeroGrad() { ZeroGrad(o.Params) }

// Step applies one update from the parameters' current gradients. It does not
// zero the gradients.
//
// Moment estimates that fall below the smallest normal number of F are set to
// zero, as flush-to-zero hardware would. A parameter whose gradient is exactly
// zero for many steps (a dead ReLU unit) otherwise leaves its second moment
// decaying through the subnormal range for about 16,000 steps at β₂ = 0.999,
// and x86 processors compute on subnormals tens of times more slowly: a SAC
// update late in a Hopper run took twice the CPU time of a fresh one. The
// update of such a parameter is at most about 1e−38/ε ≈ 1e−30 (float32), so
// flushing changes nothing measurable.
func (o *Adam[F]) Step() {
	o.Steps++
	t := float64(o.Steps)
	bc1 := 1 - math.Pow(o.Beta1, t)
	bc2 := 1 - math.Pow(o.Beta2, t)
	stepSize := F(o.LR / bc1)
	invSqrtBC2 := F(1 / math.Sqrt(bc2))
	b1, b2 := F(o.Beta1), F(o.Beta2)
	c := adamStep[F]{b1: b1, c1: 1 - b1, b2: b2, c2: 1 - b2, tiny: smallestNormal[F](),
		invSqrtBC2: invSqrtBC2, eps: F(o.Eps), stepSize: stepSize, decay: 1, wd: F(o.WeightDecay)}
	if o.WeightDecay != 0 && o.Decoupled {
		c.decay, c.wd = F(1-o.LR*o.WeightDecay), 0
	}
	var c32 *adamConsts
	if isF32[F]() && c.wd == 0 {
		c32 = &adamConsts{b1: float32(c.b1), c1: float32(c.c1), b2: float32(c.b2), c2: float32(c.c2),
			tiny: float32(c.tiny), invSqrtBC2: float32(c.invSqrtBC2), eps: float32(c.eps),
			stepSize: float32(c.stepSize), decay: float32(c.decay)}
	}
	for i, p := range o.Params {
		m, v, w, g := o.M[i], o.V[i], p.Data, p.Grad
		k := 0
		if c32 != nil {
			k = adamVec(asF32(m), asF32(v), asF32(w), asF32(g), c32)
		}
		c.scalar(m[k:], v[k:], w[k:len(m)], g[k:len(m)])
	}
}

// adamConsts holds the float32 constants of one Adam step in the order the
// AVX2 kernel (adam_amd64.s) reads them.
type adamConsts struct {
	b1, c1, b2, c2, tiny, invSqrtBC2, eps, stepSize, decay float32
}

// adamStep holds the constants of one Adam step. Decoupled decay multiplies
// the parameters by decay (1 without it); L2 decay adds wd·θ to the gradient.
type adamStep[F Float] struct {
	b1, c1, b2, c2, tiny, invSqrtBC2, eps, stepSize, decay, wd F
}

// scalar updates m, v and w from g element by element. The AVX2 kernel
// (adamVec) performs the same operations in the same order, so the results
// are identical (a NaN stays a NaN; its sign bit may differ).
func (c *adamStep[F]) scalar(m, v, w, g []F) {
	for j := range w {
		gj := g[j]
		if c.wd != 0 {
			gj += F(c.wd * w[j])
		}
		if c.decay != 1 {
			w[j] *= c.decay
		}
		// The explicit conversions round every product, so that no compiler
		// (GOAMD64=v3 included) fuses them into multiply-adds, which the
		// kernel does not use either.
		mj := F(c.b1*m[j]) + F(c.c1*gj)
		vj := F(c.b2*v[j]) + F(F(c.c2*gj)*gj)
		// Flush subnormal moments to zero (see Step's doc).
		if mj < c.tiny && mj > -c.tiny {
			mj = 0
		}
		if vj < c.tiny {
			vj = 0
		}
		m[j], v[j] = mj, vj
		den := F(F(math.Sqrt(float64(vj)))*c.invSqrtBC2) + c.eps
		w[j] -= F(c.stepSize*mj) / den
	}
}

// smallestNormal returns the smallest positive normal number of F.
func smallestNormal[F Float]() F {
	var x F
	if _, ok := any(x).(float32); ok {
		return F(0x1p-126)
	}
	return F(0x1p-1022)
}

// ClipGradNorm scales the gradients of ps so that their global Euclidean norm
// is at most maxNorm (PyTorch's clip_grad_norm_: factor maxNorm/(norm+1e−6)
// when below 1). It returns the norm before clipping.
func ClipGradNorm[F Float](ps []*Param[F], maxNorm float64) float64 {
	var s float64
	for _, p := range ps {
		for _, g := range p.Grad {
			s += float64(g) * float64(g)
		}
	}
	norm := math.Sqrt(s)
	c := maxNorm / (norm + 1e-6)
	if c < 1 {
		cf := F(c)
		for _, p := range ps {
			for j := range p.Grad {
				p.Grad[j] *= cf
			}
		}
	}
	return norm
}

// Schedule gives the learning rate for an optimiser step.
type Schedule interface {
	// LR returns the learning rate for step (0-based: the rate of the first
	// update is LR(0)).
	LR(step int) float64
}

// Constant is a constant learning-rate schedule.
type Constant float64

// LR returns the constant rate.
func (c Constant) LR(int) float64 { return float64(c) }

// OneCycle is PyTorch's OneCycleLR with cosine annealing (two phases): the
// rate rises from MaxLR/DivFactor to MaxLR over the first PctStart fraction of
// TotalSteps, then falls to MaxLR/(DivFactor·FinalDivFactor) at step
// TotalSteps−1.
type OneCycle struct {
	MaxLR          float64
	TotalSteps     int
	PctStart       float64
	DivFactor      float64
	FinalDivFactor float64
}

// NewOneCycle returns a OneCycle schedule with PyTorch's defaults
// (PctStart 0.3, DivFactor 25, FinalDivFactor 1e4).
func NewOneCycle(maxLR float64, totalSteps int) OneCycle {
	return OneCycle{MaxLR: maxLR, TotalSteps: totalSteps, PctStart: 0.3, DivFactor: 25, FinalDivFactor: 1e4}
}

func cosAnneal(start, end, pct float64) float64 {
	return end + (start-end)/2*(math.Cos(math.Pi*pct)+1)
}

// LR returns the rate at step (steps past TotalSteps−1 keep the final rate).
func (s OneCycle) LR(step int) float64 {
	if s.TotalSteps <= 1 {
		panic(fmt.Sprintf("nn: OneCycle: TotalSteps %d must exceed 1", s.TotalSteps))
	}
	initial := s.MaxLR / s.DivFactor
	final := initial / s.FinalDivFactor
	end1 := s.PctStart*float64(s.TotalSteps) - 1
	end2 := float64(s.TotalSteps - 1)
	x := float64(min(step, s.TotalSteps-1))
	if x <= end1 {
		return cosAnneal(initial, s.MaxLR, x/end1)
	}
	return cosAnneal(s.MaxLR, final, (x-end1)/(end2-end1))
}
