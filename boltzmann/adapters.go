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
	// chirality (keeping log q of the unflipped sample, as the paper-era
	// code does); Stats counts the outcomes.
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

func (r *replica) load(x [][]float64, d int) []float32 {
	if cap(r.buf) < len(x)*d {
		r.buf = make([]float32, len(x)*d)
	}
	b := r.buf[:len(x)*d]
	for i, row := range x {
		for j, v := range row {
			b[i*d+j] = float32(v)
		}
	}
	return b
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
		st := p.Chirality.Fix(dst, nil)
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

// LogProb implements smc.Proposal (one parallel forward pass).
func (p *Proposal) LogProb(x [][]float64, logq []float64) {
	r := p.pool.Get()
	defer p.pool.Put(r)
	d := p.Dim()
	r.tp.Reset()
	r.tp.NoGrad = true
	lq := r.flow.LogProb(r.tp, r.tp.Const(r.load(x, d), len(x), d))
	for i := range x {
		logq[i] = p.Com.Apply(x[i], float64(lq.Data[i]), nil)
	}
}

// GradLogProb implements smc.Proposal: log q' and its score by reverse-mode
// differentiation through the forward pass.
func (p *Proposal) GradLogProb(x [][]float64, logq []float64, grad [][]float64) {
	r := p.pool.Get()
	defer p.pool.Put(r)
	d := p.Dim()
	r.tp.Reset()
	r.tp.NoGrad = false
	xv := r.tp.Var(r.load(x, d), len(x), d)
	lq := r.flow.LogProb(r.tp, xv)
	if len(r.ones) < len(x) {
		r.ones = make([]float32, len(x))
		for i := range r.ones {
			r.ones[i] = 1
		}
	}
	r.tp.BackwardFrom(lq, r.ones[:len(x)])
	for i := range x {
		for j := 0; j < d; j++ {
			grad[i][j] = float64(xv.Grad[i*d+j])
		}
		logq[i] = p.Com.Apply(x[i], float64(lq.Data[i]), grad[i])
	}
}

var (
	_ smc.Target   = (*Target)(nil)
	_ smc.Proposal = (*Proposal)(nil)
)
