package boltzmann

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"sync/atomic"

	"github.com/boltzflow/boltzflow/molecules"
	"github.com/boltzflow/boltzflow/nn"
	"github.com/boltzflow/boltzflow/smc"
)

// Target adapts a molecules.System to smc.Target over normalised
// coordinates x̃ (length 3N): E(x̃) = U(x̃·Std)/kT (reduced, kT at the system
// temperature) and ∇E(x̃) = −Std·F(x̃·Std)/kT. It is safe for concurrent use
// (one evaluator per goroutine from a pool). Conformations whose energy or
// forces are not finite get energy NaN and are counted.
type Target struct {
	sys       *molecules.System
	std, kT   float64
	pool      freeList[*evalScratch]
	nonFinite atomic.Int64
}

// freeList keeps per-goroutine scratch objects for reuse. Unlike sync.Pool it
// never drops them at a garbage collection: a flow replica with a grown tape
// arena holds tens of MB, and rebuilding it after every collection cost more
// than the flow evaluation itself. It holds at most as many objects as there
// were concurrent callers.
type freeList[T any] struct {
	mu   sync.Mutex
	free []T
	New  func() T
}

func (l *freeList[T]) Get() T {
	l.mu.Lock()
	if n := len(l.free); n > 0 {
		v := l.free[n-1]
		l.free = l.free[:n-1]
		l.mu.Unlock()
		return v
	}
	l.mu.Unlock()
	return l.New()
}

func (l *freeList[T]) Put(v T) {
	l.mu.Lock()
	l.free = append(l.free, v)
	l.mu.Unlock()
}

type evalScratch struct {
	ev         *molecules.Evaluator
	pos, force []float64
}

// NewTarget returns the reduced-energy target of sys at temperature (K) for
// coordinates normalised by std (nm).
func NewTarget(sys *molecules.System, temperature, std float64) (*Target, error) {
	if !(temperature > 0) || !(std > 0) {
		return nil, fmt.Errorf("boltzmann: NewTarget: temperature %g K and scale %g nm must be positive", temperature, std)
	}
	if _, err := molecules.NewEvaluator(sys); err != nil {
		return nil, err
	}
	t := &Target{sys: sys, std: std, kT: molecules.KT(temperature)}
	n := sys.NumAtoms()
	t.pool.New = func() *evalScratch {
		ev, _ := molecules.NewEvaluator(sys)
		return &evalScratch{ev: ev, pos: make([]float64, 3*n), force: make([]float64, 3*n)}
	}
	return t, nil
}

// Dim returns 3N.
func (t *Target) Dim() int { return 3 * t.sys.NumAtoms() }

// KT returns kT in kJ/mol.
func (t *Target) KT() float64 { return t.kT }

// NonFinite returns the number of conformations whose energy or forces were
// not finite so far.
func (t *Target) NonFinite() int { return int(t.nonFinite.Load()) }

// Energy implements smc.Target.
func (t *Target) Energy(x [][]float64, e []float64, grad [][]float64) {
	s := t.pool.Get()
	defer t.pool.Put(s)
	for i, r := range x {
		for j, v := range r {
			s.pos[j] = v * t.std
		}
		en, err := s.ev.Evaluate(s.pos, s.force)
		u := en.Total() / t.kT
		bad := err != nil || !finite(u)
		if grad != nil {
			for j, f := range s.force {
				g := -t.std * f / t.kT
				if !finite(g) {
					bad = true
				}
				grad[i][j] = g
			}
		}
		if bad {
			u = math.NaN()
			t.nonFinite.Add(1)
		}
		e[i] = u
	}
}

// EnergiesNM returns the reduced energies (kT) of frames in nm (flat rows),
// NaN for non-finite ones.
func (t *Target) EnergiesNM(frames [][]float64) []float64 {
	out := make([]float64, len(frames))
	x := make([][]float64, 1)
	row := make([]float64, t.Dim())
	for i, f := range frames {
		for j, v := range f {
			row[j] = v / t.std
		}
		x[0] = row
		t.Energy(x, out[i:i+1], nil)
	}
	return out
}

// Proposal adapts a trained TarFlow to smc.Proposal over normalised
// coordinates, with the CoM adjustment applied to every log-density and
// score: log q'(x̃) = log q(x̃) − log p_c(c(x̃)). It keeps one model replica
// per concurrent caller, so it is safe for concurrent use.
type Proposal struct {
	Model *Model
	Com   ComAdjust
	// Chirality, if not nil, mirrors sampled conformations with the wrong
	// chirality (x → −x); ChiralityStats counts the outcomes. The proposal's
	// density is then that of the corrected samples, q_fix(x) = q(x) + q(−x)
	// for x of the right chirality (the mirror has unit Jacobian), in Sample,
	// LogProb and GradLogProb alike, so that the SMC's intermediate densities
	// match the weights of its initial particles. (The paper-era code keeps
	// log q of the unflipped sample and evaluates q at the mirrored
	// coordinates during SMC, where a sharp flow puts almost no mass: a
	// mirrored particle then gets a spurious weight of order q(−x)/q(x).)
	// Rows whose chirality is wrong or uncorrectable use q(x) alone.
	Chirality *Chirality
	pool      freeList[*replica]
	mu        sync.Mutex
	stats     ChiralityStats
}

type replica struct {
	flow     *TarFlow[float32]
	tp       *nn.Tape[float32]
	samplers map[int]*Sampler[float32]
	buf      []float32
	ones     []float32
	bad      []bool
	lm       []float64
	idx      []int
}

// NewProposal returns the proposal of the model with the given CoM
// adjustment.
func NewProposal(m *Model, com ComAdjust) *Proposal {
	p := &Proposal{Model: m, Com: com}
	p.pool.New = func() *replica {
		f := m.Flow.Clone()
		// The replicas only ever need gradients with respect to x.
		for _, q := range f.Params() {
			q.SetRequiresGrad(false)
		}
		return &replica{flow: f, tp: nn.NewTape[float32](nil), samplers: map[int]*Sampler[float32]{}}
	}
	return p
}

// Dim returns 3N.
func (p *Proposal) Dim() int { return p.Model.Flow.Config.Dim() }

// ChiralityStats returns the chirality outcomes of all samples drawn so far.
func (p *Proposal) ChiralityStats() ChiralityStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stats
}

// mixLogQ returns log(e^a + e^b).
func mixLogQ(a, b float64) float64 {
	if a < b {
		a, b = b, a
	}
	if math.IsInf(a, -1) {
		return a
	}
	return a + math.Log1p(math.Exp(b-a))
}

// Sample implements smc.Proposal: it draws len(dst) samples with the
// sequential inverse and writes the adjusted log q'.
func (p *Proposal) Sample(rng *rand.Rand, dst [][]float64, logq []float64) {
	r := p.pool.Get()
	defer p.pool.Put(r)
	n, d := len(dst), p.Dim()
	s, ok := r.samplers[n]
	if !ok {
		s = r.flow.NewSampler(n)
		r.samplers[n] = s
	}
	if cap(r.buf) < n*d {
		r.buf = make([]float32, n*d)
	}
	b := r.buf[:n*d]
	s.Sample(rng, b, logq)
	for i := range dst {
		for j := range dst[i] {
			dst[i][j] = float64(b[i*d+j])
		}
	}
	if p.Chirality != nil {
		// log q of each sample's mirror image, for the density of the
		// corrected samples (see Chirality).
		lm := r.logQRows(dst, d, -1)
		if len(r.bad) < n {
			r.bad = make([]bool, n)
		}
		bad := r.bad[:n]
		st := p.Chirality.Fix(dst, bad)
		for i := range dst {
			if !bad[i] {
				logq[i] = mixLogQ(logq[i], lm[i])
			}
		}
		p.mu.Lock()
		p.stats.Correct += st.Correct
		p.stats.Flipped += st.Flipped
		p.stats.Uncorrectable += st.Uncorrectable
		p.mu.Unlock()
	}
	for i := range dst {
		logq[i] = p.Com.Apply(dst[i], logq[i], nil)
	}
}

// LogProb implements smc.Proposal (forward passes without gradient, at x
// and, with chirality fixing, at −x).
func (p *Proposal) LogProb(x [][]float64, logq []float64) {
	r := p.pool.Get()
	defer p.pool.Put(r)
	d := p.Dim()
	copy(logq, r.logQRows(x, d, 1))
	if p.Chirality != nil {
		lm := r.logQRows(x, d, -1)
		for i := range x {
			if p.Chirality.Correct(x[i]) {
				logq[i] = mixLogQ(logq[i], lm[i])
			}
		}
	}
	for i := range x {
		logq[i] = p.Com.Apply(x[i], logq[i], nil)
	}
}

// mirrorNegligible is the log-weight below which the mirror term of the
// chirality-fixed density, q(−x)/(q(x) + q(−x)), is left out of the score:
// e^−50 ≈ 2e−22 of the mirror's score is far below float32 resolution. Its
// density still enters log q' exactly.
const mirrorNegligible = -50.0

// GradLogProb implements smc.Proposal: log q' and its score by reverse-mode
// differentiation through the forward pass. With chirality fixing, log q(−x)
// comes from a forward pass without gradient, and the score at −x is
// computed only for the rows whose mirror term is not negligible (usually
// none: a trained flow puts almost no mass on mirror images), which saves
// a third of the cost of differentiating at x and −x alike.
func (p *Proposal) GradLogProb(x [][]float64, logq []float64, grad [][]float64) {
	r := p.pool.Get()
	defer p.pool.Put(r)
	d := p.Dim()
	mirror := p.Chirality != nil
	var lm []float64
	if mirror {
		lm = r.logQRows(x, d, -1)
		for i := range lm {
			if !p.Chirality.Correct(x[i]) {
				lm[i] = math.Inf(-1)
			}
		}
	}
	// log q and its gradient at x, written to logq and grad.
	r.scoreRows(x, nil, d, 1, func(k int, l float64, g []float32) {
		logq[k] = l
		for j, v := range g {
			grad[k][j] = float64(v)
		}
	})
	if mirror {
		far := r.idx[:0]
		for i := range x {
			if lm[i]-logq[i] > mirrorNegligible {
				far = append(far, i)
			}
		}
		r.idx = far
		if len(far) > 0 {
			// ∇ log(q(x) + q(−x)) = w·(score at x) − (1 − w)·(score at −x),
			// w = q(x)/(q(x) + q(−x)).
			r.scoreRows(x, far, d, -1, func(k int, _ float64, gm []float32) {
				i := far[k]
				mix := mixLogQ(logq[i], lm[i])
				w, wm := math.Exp(logq[i]-mix), math.Exp(lm[i]-mix)
				for j, v := range gm {
					grad[i][j] = w*grad[i][j] - wm*float64(v)
				}
			})
		}
		for i := range x {
			logq[i] = mixLogQ(logq[i], lm[i])
		}
	}
	for i := range x {
		logq[i] = p.Com.Apply(x[i], logq[i], grad[i])
	}
}

// loadRows writes sign·x[i] for the rows i in idx (every row when idx is
// nil) to the replica's buffer and returns it.
func (r *replica) loadRows(x [][]float64, idx []int, d int, sign float64) []float32 {
	rows := len(x)
	if idx != nil {
		rows = len(idx)
	}
	if cap(r.buf) < rows*d {
		r.buf = make([]float32, rows*d)
	}
	b := r.buf[:rows*d]
	for k := 0; k < rows; k++ {
		i := k
		if idx != nil {
			i = idx[k]
		}
		for j, v := range x[i] {
			b[k*d+j] = float32(sign * v)
		}
	}
	return b
}

// logQRows returns log q(sign·x[i]) for every row of x from one forward pass
// without gradient, in the replica's scratch (valid until the next call).
func (r *replica) logQRows(x [][]float64, d int, sign float64) []float64 {
	r.tp.Reset()
	r.tp.NoGrad = true
	b := r.loadRows(x, nil, d, sign)
	out := r.flow.LogProb(r.tp, r.tp.Const(b, len(x), d))
	if cap(r.lm) < len(x) {
		r.lm = make([]float64, len(x))
	}
	lm := r.lm[:len(x)]
	for i := range lm {
		lm[i] = float64(out.Data[i])
	}
	return lm
}

// scoreRows runs one forward and backward pass over the rows sign·x[i] (i in
// idx, or every row when idx is nil) and calls fn with each row's position k
// in that list, its log q and its gradient ∇_y log q(y) at y = sign·x[i]
// (valid until the next pass on the replica).
func (r *replica) scoreRows(x [][]float64, idx []int, d int, sign float64, fn func(k int, l float64, g []float32)) {
	r.tp.Reset()
	r.tp.NoGrad = false
	b := r.loadRows(x, idx, d, sign)
	rows := len(b) / d
	xv := r.tp.Var(b, rows, d)
	lq := r.flow.LogProb(r.tp, xv)
	if len(r.ones) < rows {
		r.ones = make([]float32, rows)
		for i := range r.ones {
			r.ones[i] = 1
		}
	}
	r.tp.BackwardFrom(lq, r.ones[:rows])
	for k := 0; k < rows; k++ {
		fn(k, float64(lq.Data[k]), xv.Grad[k*d:k*d+d])
	}
}

var (
	_ smc.Target   = (*Target)(nil)
	_ smc.Proposal = (*Proposal)(nil)
)
