package smc

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
)

// Kernel selects the Langevin move applied to each particle after its weight
// increment.
type Kernel int

const (
	// ULA is the unadjusted Langevin algorithm
	// x ← x − h·∇E_t(x) + √(2h)·ξ, ξ ~ N(0, I), with no accept test.
	ULA Kernel = iota
	// MALA is the Metropolis-adjusted Langevin algorithm: the ULA move is a
	// proposal accepted with the Metropolis–Hastings probability for
	// π_t ∝ exp(−E_t). The weight increment is kept whether or not the move
	// is accepted.
	MALA
)

// String returns "ula" or "mala".
func (k Kernel) String() string {
	switch k {
	case ULA:
		return "ula"
	case MALA:
		return "mala"
	}
	return fmt.Sprintf("Kernel(%d)", int(k))
}

// Config holds the settings of an SMC run. The zero value of an optional
// field selects the documented default.
type Config struct {
	// Particles is the number M of proposals drawn when Run is given no
	// initial particles.
	Particles int
	// Steps is the number K of annealing steps of the uniform schedule used
	// when Times is nil.
	Steps int
	// Times is the annealing schedule t_0 = 0 ≤ t_1 ≤ … ≤ t_K = 1
	// (see Uniform, Geometric, CheckSchedule). Nil means Uniform(Steps).
	Times []float64

	// Kernel is the Langevin move (ULA by default).
	Kernel Kernel
	// StepSize is the Langevin step h > 0 in the units of the particle
	// coordinates squared per kT (the SBG setting is 1e-7 to 1e-8 in
	// normalised coordinates).
	StepSize float64
	// ScaleStep uses h_k = StepSize·(t_k − t_{k−1}) instead of a constant h
	// (the convention of the current SBG reference code).
	ScaleStep bool
	// MovesPerStep is the number of Langevin moves after each weight
	// increment (default 1).
	MovesPerStep int
	// Adapt enables step-size adaptation for MALA after each annealing step:
	// h ← h·AdaptFactor if the acceptance rate exceeds AdaptHigh, h ←
	// h/AdaptFactor if it is below AdaptLow. Defaults 0.55, 0.6 and 1.1.
	// AdaptSteps, if positive, stops the adaptation after that many
	// annealing steps: the step size is then frozen, so that the later
	// moves are one fixed kernel (0 adapts at every step).
	Adapt                            bool
	AdaptLow, AdaptHigh, AdaptFactor float64
	AdaptSteps                       int

	// Scheme is the resampling scheme (Systematic by default).
	Scheme Scheme
	// ESSThreshold in [0, 1]: resample after step k < K whenever the
	// normalised ESS of the weights since the last resampling is below it.
	// 0 never resamples.
	ESSThreshold float64
	// FinalResample resamples the final population into an equally weighted
	// set of M particles (Result.LogW then is all zero).
	FinalResample bool

	// ClipQuantile drops initial particles whose importance log-weight
	// −E_T − log q exceeds the (1 − ClipQuantile) quantile (0.002 in SBG);
	// 0 disables. Dropped particles leave the population.
	ClipQuantile float64
	// UseEnergyCutoff drops initial particles whose target energy is not
	// below EnergyCutoff (kT). It is applied after the clip (the order of the
	// paper-era SBG code) unless CutoffFirst is set (the current code's
	// order: the clip quantile is then taken over the survivors).
	UseEnergyCutoff bool
	EnergyCutoff    float64
	CutoffFirst     bool

	// ReferenceLoop reproduces the off-by-one loop of the SBG reference code
	// for comparison: steps j = 0…K−1 with increment (t_j − t_{j−1}) (zero at
	// j = 0) and moves driven by ∇E_{t_j}, so the last increment to t = 1 is
	// never applied. Off by default (the corrected loop).
	ReferenceLoop bool

	// ProposalIsTarget declares that the proposal density is the target's
	// own Boltzmann density, log q = −E_T (an MCMC run on the target, such
	// as a rejuvenation after SMC): the sampler then takes log q and ∇log q
	// from the target's energies and gradients instead of calling
	// Proposal.GradLogProb, which halves the cost of every move. The
	// Proposal is still used by Sample when Run gets no initial particles.
	ProposalIsTarget bool

	// BatchSize is the number of particles per batch passed to Target and
	// Proposal (default 256). Results depend on it, not on Workers.
	BatchSize int
	// Workers is the number of goroutines (default GOMAXPROCS).
	Workers int
	// Seed determines every random number of the run.
	Seed uint64
	// Progress, if not nil, is called after every annealing step.
	Progress func(StepRecord)
}

// StepRecord describes one annealing step.
type StepRecord struct {
	// Step is the step index k (1…K, or 0…K−1 with ReferenceLoop).
	Step int `json:"step"`
	// T is the time t_k whose energy E_{t_k} drives the move; Dt the weight
	// increment's time step t_k − t_{k−1}.
	T  float64 `json:"t"`
	Dt float64 `json:"dt"`
	// StepSize is the Langevin step h used at this step.
	StepSize float64 `json:"step_size"`
	// ESS is the normalised Kish ESS of the weights accumulated since the
	// last resampling, after this step's increment and move and before any
	// resampling.
	ESS float64 `json:"ess"`
	// Resampled reports whether the population was resampled after this step.
	Resampled bool `json:"resampled"`
	// Acceptance is the fraction of accepted MALA moves (1 for ULA, 0 if
	// MALA proposed no move).
	Acceptance float64 `json:"acceptance"`
	// LogZ is the running estimate of log Z_{t_k}.
	LogZ float64 `json:"logz"`
	// AncestorFraction is the fraction of distinct initial particles among
	// the ancestors of the current population (1 before any resampling).
	AncestorFraction float64 `json:"ancestor_fraction"`
	// ParentFraction is the fraction of distinct parents chosen by this
	// step's resampling (1 if it did not resample).
	ParentFraction float64 `json:"parent_fraction"`
	// Invalid is the number of particles newly marked invalid at this step.
	Invalid int `json:"invalid"`
}

// Result is the outcome of an SMC run.
type Result struct {
	// X holds the M final particles (rows of length D).
	X [][]float64
	// Energy holds the target energies E_T (kT) of the final particles
	// (non-finite for invalid particles).
	Energy []float64
	// LogW holds the log-weights accumulated since the last resampling
	// (−Inf for invalid particles, all zero after FinalResample).
	LogW []float64
	// Ancestor holds, for each final particle, the index of its initial
	// particle in the population after filtering.
	Ancestor []int
	// LogZ estimates log Z_T (the proposal being normalised, Z_S = 1);
	// LogZErr is its standard error from the ancestor-based variance
	// estimator of Lee and Whiteley (2018), exact for multinomial
	// resampling and approximate for the other schemes.
	LogZ, LogZErr float64
	// ESS is the normalised ESS of the final weights before any final
	// resampling (not comparable with an IS ESS, see sbg.md §11.9).
	ESS float64
	// Particles is the population size M after filtering; Clipped, CutOff
	// and Invalid count particles removed by ClipQuantile, removed by the
	// energy cut-off, and marked invalid (weight zero) during the run.
	Particles, Clipped, CutOff, Invalid int
	// Resamplings is the number of resampling events (final one excluded).
	Resamplings int
	// StepSize is the Langevin step after the last step (after adaptation).
	StepSize float64
	// Acceptance is the mean acceptance rate over all steps (1 for ULA).
	Acceptance float64
	// Times is the schedule used; Steps holds one record per step.
	Times []float64
	Steps []StepRecord
}

// phases run on batches.
const (
	phaseSample = iota
	phaseEval
	phaseStep
	phaseGather
	phaseEnergy
)

// sampler holds the state of one run. All buffers are allocated once.
type sampler struct {
	target Target
	prop   Proposal
	cfg    Config
	d, m   int
	bs, nb int

	x, gT, gS    [][]float64 // current particles, ∇E_T, ∇log q
	eT, lq       []float64   // E_T, log q
	logw         []float64
	dead         []bool
	eve          []int
	xp, gTp, gSp [][]float64 // MALA proposals and their gradients
	eTp, lqp     []float64
	// gather buffers
	x2, gT2, gS2 [][]float64
	eT2, lq2     []float64
	dead2        []bool
	eve2         []int
	anc          []int
	mark         []int32
	w            []float64

	pcg []*rand.PCG
	rng []*rand.Rand
	acc []int // accepted moves per batch
	prp []int // proposed moves per batch
	inv []int // newly invalid per batch

	// current step parameters, read by the batch workers
	step      int
	dt, tMove float64
	h         float64 // Langevin step of the current step
	hBase     float64 // base step size (adapted by MALA)
	moves     int
	increment bool
	cacheOK   bool
}

func newRows(m, d int) [][]float64 {
	flat := make([]float64, m*d)
	rows := make([][]float64, m)
	for i := range rows {
		rows[i] = flat[i*d : (i+1)*d : (i+1)*d]
	}
	return rows
}

// Run anneals particles from the proposal to the target with SMC and
// returns the final population, its weights, the estimate of log Z_T and
// per-step records. If x0 is not nil its rows (length D) are the initial
// particles, assumed drawn from prop; otherwise cfg.Particles are drawn from
// prop. x0 is not modified. Errors report invalid configurations, dimension
// mismatches and ErrAllZeroWeights (wrapped, with the step) when every
// particle has become invalid.
func Run(target Target, prop Proposal, x0 [][]float64, cfg Config) (*Result, error) {
	s, err := newSampler(target, prop, x0, cfg)
	if err != nil {
		return nil, err
	}
	p := newPool(s.cfg.Workers, s.batch)
	defer p.close()
	return s.run(p, x0)
}

func newSampler(target Target, prop Proposal, x0 [][]float64, cfg Config) (*sampler, error) {
	if target == nil || prop == nil {
		return nil, errors.New("smc: nil target or proposal")
	}
	d := target.Dim()
	if prop.Dim() != d {
		return nil, fmt.Errorf("smc: target dimension %d, proposal dimension %d", d, prop.Dim())
	}
	if d < 1 {
		return nil, fmt.Errorf("smc: dimension %d, want at least 1", d)
	}
	m := cfg.Particles
	if x0 != nil {
		m = len(x0)
		for i, r := range x0 {
			if len(r) != d {
				return nil, fmt.Errorf("smc: initial particle %d has length %d, want %d", i, len(r), d)
			}
		}
	}
	if m < 2 {
		return nil, fmt.Errorf("smc: %d particles, want at least 2", m)
	}
	if cfg.Times == nil {
		if cfg.Steps < 1 {
			return nil, fmt.Errorf("smc: %d steps and no schedule, want at least 1 step", cfg.Steps)
		}
		cfg.Times = Uniform(cfg.Steps)
	} else {
		if err := CheckSchedule(cfg.Times); err != nil {
			return nil, err
		}
		cfg.Times = append([]float64(nil), cfg.Times...)
	}
	if !(cfg.StepSize >= 0) || math.IsInf(cfg.StepSize, 1) {
		return nil, fmt.Errorf("smc: step size %v, want finite and non-negative", cfg.StepSize)
	}
	if cfg.Kernel != ULA && cfg.Kernel != MALA {
		return nil, fmt.Errorf("smc: unknown kernel %d", int(cfg.Kernel))
	}
	if cfg.Adapt && cfg.Kernel != MALA {
		return nil, errors.New("smc: step adaptation needs the MALA kernel")
	}
	if cfg.MovesPerStep == 0 {
		cfg.MovesPerStep = 1
	}
	if cfg.MovesPerStep < 0 {
		return nil, fmt.Errorf("smc: %d moves per step, want at least 0", cfg.MovesPerStep)
	}
	if cfg.AdaptLow == 0 {
		cfg.AdaptLow = 0.55
	}
	if cfg.AdaptHigh == 0 {
		cfg.AdaptHigh = 0.6
	}
	if cfg.AdaptFactor == 0 {
		cfg.AdaptFactor = 1.1
	}
	if cfg.AdaptSteps < 0 {
		return nil, fmt.Errorf("smc: %d adaptation steps, want at least 0", cfg.AdaptSteps)
	}
	if cfg.Adapt && !(cfg.AdaptFactor > 1 && cfg.AdaptLow <= cfg.AdaptHigh) {
		return nil, fmt.Errorf("smc: adaptation factor %v (want > 1), band [%v, %v]", cfg.AdaptFactor, cfg.AdaptLow, cfg.AdaptHigh)
	}
	if !(cfg.ESSThreshold >= 0 && cfg.ESSThreshold <= 1) {
		return nil, fmt.Errorf("smc: ESS threshold %v outside [0, 1]", cfg.ESSThreshold)
	}
	switch cfg.Scheme {
	case Systematic, Multinomial, Stratified, Residual:
	default:
		return nil, fmt.Errorf("smc: unknown resampling scheme %d", int(cfg.Scheme))
	}
	if !(cfg.ClipQuantile >= 0 && cfg.ClipQuantile < 1) {
		return nil, fmt.Errorf("smc: clip quantile %v outside [0, 1)", cfg.ClipQuantile)
	}
	if cfg.BatchSize == 0 {
		cfg.BatchSize = 256
	}
	if cfg.BatchSize < 0 {
		return nil, fmt.Errorf("smc: batch size %d, want positive", cfg.BatchSize)
	}
	s := &sampler{target: target, prop: prop, cfg: cfg, d: d, m: m, bs: cfg.BatchSize}
	s.nb = (m + s.bs - 1) / s.bs
	s.x, s.gT, s.gS = newRows(m, d), newRows(m, d), newRows(m, d)
	s.eT, s.lq, s.logw = make([]float64, m), make([]float64, m), make([]float64, m)
	s.dead, s.eve = make([]bool, m), make([]int, m)
	if cfg.Kernel == MALA {
		s.xp, s.gTp, s.gSp = newRows(m, d), newRows(m, d), newRows(m, d)
		s.eTp, s.lqp = make([]float64, m), make([]float64, m)
	}
	s.pcg = make([]*rand.PCG, s.nb)
	s.rng = make([]*rand.Rand, s.nb)
	for b := range s.pcg {
		s.pcg[b] = rand.NewPCG(0, 0)
		s.rng[b] = rand.New(s.pcg[b])
	}
	s.acc, s.prp, s.inv = make([]int, s.nb), make([]int, s.nb), make([]int, s.nb)
	return s, nil
}

// allocGather allocates the resampling buffers on first use.
func (s *sampler) allocGather() {
	if s.x2 != nil {
		return
	}
	s.x2, s.gT2, s.gS2 = newRows(s.m, s.d), newRows(s.m, s.d), newRows(s.m, s.d)
	s.eT2, s.lq2 = make([]float64, s.m), make([]float64, s.m)
	s.dead2, s.eve2 = make([]bool, s.m), make([]int, s.m)
	s.anc, s.w = make([]int, s.m), make([]float64, s.m)
	s.mark = make([]int32, s.m)
}

func (s *sampler) span(b int) (lo, hi int) {
	lo = b * s.bs
	hi = min(lo+s.bs, s.m)
	return lo, hi
}

func (s *sampler) seedBatch(tag uint64, b int) *rand.Rand {
	a, c := streamSeed(s.cfg.Seed, tag, uint64(s.step), uint64(b))
	s.pcg[b].Seed(a, c)
	return s.rng[b]
}

// batch runs one phase on batch b. It is called from the worker goroutines.
func (s *sampler) batch(phase, b int) {
	lo, hi := s.span(b)
	switch phase {
	case phaseSample:
		s.prop.Sample(s.seedBatch(tagSample, b), s.x[lo:hi], s.lq[lo:hi])
	case phaseEval:
		s.inv[b] = s.eval(lo, hi)
	case phaseStep:
		s.stepBatch(b, lo, hi)
	case phaseGather:
		for j := lo; j < hi; j++ {
			a := s.anc[j]
			copy(s.x2[j], s.x[a])
			copy(s.gT2[j], s.gT[a])
			copy(s.gS2[j], s.gS[a])
			s.eT2[j], s.lq2[j], s.dead2[j], s.eve2[j] = s.eT[a], s.lq[a], s.dead[a], s.eve[a]
		}
	case phaseEnergy:
		s.target.Energy(s.x[lo:hi], s.eT[lo:hi], nil)
		n := 0
		for i := lo; i < hi; i++ {
			if !s.dead[i] && !isFinite(s.eT[i]) {
				s.kill(i)
				n++
			}
		}
		s.inv[b] = n
	}
}

func (s *sampler) kill(i int) {
	s.dead[i] = true
	s.logw[i] = math.Inf(-1)
}

// finiteRow reports whether every entry of r is finite.
func finiteRow(r []float64) bool {
	for _, v := range r {
		if v-v != 0 {
			return false
		}
	}
	return true
}

// eval computes E_T, ∇E_T, log q and ∇log q at the current particles lo…hi−1
// and marks the particles with non-finite energies or log-densities. It
// returns the number of newly marked particles. Non-finite gradients are
// caught by the moves, where they make the moved position non-finite.
func (s *sampler) eval(lo, hi int) int {
	s.target.Energy(s.x[lo:hi], s.eT[lo:hi], s.gT[lo:hi])
	s.score(s.x[lo:hi], s.eT[lo:hi], s.gT[lo:hi], s.lq[lo:hi], s.gS[lo:hi])
	n := 0
	for i := lo; i < hi; i++ {
		if s.dead[i] {
			continue
		}
		if !isFinite(s.eT[i]) || !isFinite(s.lq[i]) {
			s.kill(i)
			n++
		}
	}
	return n
}

// score sets lq and gS to the proposal's log-density and its gradient at x,
// given the target's energies eT and gradients gT there: −eT and −gT when
// Config.ProposalIsTarget, Proposal.GradLogProb otherwise.
func (s *sampler) score(x [][]float64, eT []float64, gT [][]float64, lq []float64, gS [][]float64) {
	if !s.cfg.ProposalIsTarget {
		s.prop.GradLogProb(x, lq, gS)
		return
	}
	for i := range x {
		lq[i] = -eT[i]
		for j, g := range gT[i] {
			gS[i][j] = -g
		}
	}
}

// stepBatch applies the weight increment and the Langevin moves of the
// current step to particles lo…hi−1.
func (s *sampler) stepBatch(b, lo, hi int) {
	inv := 0
	if !s.cacheOK {
		inv += s.eval(lo, hi)
	}
	if s.increment && s.dt != 0 {
		for i := lo; i < hi; i++ {
			if !s.dead[i] {
				// −dt·(E_T − E_S) with E_S = −log q.
				s.logw[i] -= s.dt * (s.eT[i] + s.lq[i])
			}
		}
	}
	acc, prp := 0, 0
	h := s.h
	if h > 0 {
		rng := s.seedBatch(tagMove, b)
		for r := 0; r < s.moves; r++ {
			if r > 0 && s.cfg.Kernel == ULA {
				inv += s.eval(lo, hi)
			}
			switch s.cfg.Kernel {
			case ULA:
				inv += s.ula(lo, hi, h, rng)
			case MALA:
				a, p, n := s.mala(lo, hi, h, rng)
				acc += a
				prp += p
				inv += n
			}
		}
	}
	s.acc[b], s.prp[b], s.inv[b] = acc, prp, inv
}

// ula moves the live particles lo…hi−1 and returns the number marked
// invalid because a non-finite gradient made their position non-finite.
func (s *sampler) ula(lo, hi int, h float64, rng *rand.Rand) int {
	t := s.tMove
	sd := math.Sqrt(2 * h)
	n := 0
	for i := lo; i < hi; i++ {
		if s.dead[i] {
			continue
		}
		x, gT, gS := s.x[i], s.gT[i], s.gS[i]
		gT = gT[:len(x)]
		gS = gS[:len(x)]
		bad := false
		for j := range x {
			// ∇E_t = t·∇E_T − (1−t)·∇log q
			g := t*gT[j] - (1-t)*gS[j]
			v := x[j] - h*g + sd*rng.NormFloat64()
			if v-v != 0 {
				bad = true
			}
			x[j] = v
		}
		if bad {
			s.kill(i)
			n++
		}
	}
	return n
}

// mala proposes a Langevin move for each live particle, evaluates the
// proposals and accepts them with the Metropolis–Hastings probability. It
// returns the number accepted, proposed and newly invalid: a proposal with
// non-finite values is rejected, while a non-finite gradient at the current
// state (which makes the proposal non-finite) marks the particle.
func (s *sampler) mala(lo, hi int, h float64, rng *rand.Rand) (acc, prp, inv int) {
	t := s.tMove
	sd := math.Sqrt(2 * h)
	for i := lo; i < hi; i++ {
		x, xp, gT, gS := s.x[i], s.xp[i], s.gT[i], s.gS[i]
		if s.dead[i] {
			copy(xp, x)
			continue
		}
		bad := false
		for j := range x {
			g := t*gT[j] - (1-t)*gS[j]
			v := x[j] - h*g + sd*rng.NormFloat64()
			if v-v != 0 {
				bad = true
			}
			xp[j] = v
		}
		if bad {
			// A non-finite gradient at the current state.
			s.kill(i)
			inv++
			copy(xp, x)
		}
	}
	s.target.Energy(s.xp[lo:hi], s.eTp[lo:hi], s.gTp[lo:hi])
	s.score(s.xp[lo:hi], s.eTp[lo:hi], s.gTp[lo:hi], s.lqp[lo:hi], s.gSp[lo:hi])
	for i := lo; i < hi; i++ {
		if s.dead[i] {
			continue
		}
		prp++
		u := rng.Float64()
		if !isFinite(s.eTp[i]) || !isFinite(s.lqp[i]) || !finiteRow(s.gTp[i]) || !finiteRow(s.gSp[i]) {
			continue
		}
		x, xp := s.x[i], s.xp[i]
		gT, gS, gTp, gSp := s.gT[i], s.gS[i], s.gTp[i], s.gSp[i]
		et := t*s.eT[i] - (1-t)*s.lq[i]
		etp := t*s.eTp[i] - (1-t)*s.lqp[i]
		// log q(x | x') − log q(x' | x) for the kernel N(y − h∇E_t(y), 2hI).
		var fwd, bwd float64
		for j := range x {
			g := t*gT[j] - (1-t)*gS[j]
			gp := t*gTp[j] - (1-t)*gSp[j]
			a := xp[j] - x[j] + h*g
			c := x[j] - xp[j] + h*gp
			fwd += a * a
			bwd += c * c
		}
		logA := et - etp - (bwd-fwd)/(4*h)
		if math.Log(u) < logA {
			acc++
			copy(x, xp)
			copy(gT, gTp)
			copy(gS, gSp)
			s.eT[i], s.lq[i] = s.eTp[i], s.lqp[i]
		}
	}
	return acc, prp, inv
}

func sum(a []int) int {
	n := 0
	for _, v := range a {
		n += v
	}
	return n
}

func (s *sampler) run(p *pool, x0 [][]float64) (*Result, error) {
	res := &Result{Times: s.cfg.Times}
	// Initial population and its evaluation.
	s.step = 0
	if x0 != nil {
		for i, r := range x0 {
			copy(s.x[i], r)
		}
	} else {
		p.do(phaseSample, s.nb)
	}
	p.do(phaseEval, s.nb)
	res.Invalid += sum(s.inv)
	if err := s.filter(res); err != nil {
		return nil, err
	}
	res.Particles = s.m
	for i := range s.eve {
		s.eve[i] = i
	}
	s.cacheOK = true
	s.hBase = s.cfg.StepSize
	s.moves = s.cfg.MovesPerStep

	times := s.cfg.Times
	nsteps := len(times) - 1
	logM := math.Log(float64(s.m))
	var logZacc float64
	ancFrac := 1.0
	accTot, prpTot := 0, 0
	res.Steps = make([]StepRecord, 0, nsteps)
	for k := 1; k <= nsteps; k++ {
		var step int
		if s.cfg.ReferenceLoop {
			step = k - 1
			s.tMove = times[k-1]
			s.dt = 0
			if k > 1 {
				s.dt = times[k-1] - times[k-2]
			}
		} else {
			step = k
			s.tMove = times[k]
			s.dt = times[k] - times[k-1]
		}
		s.step = step
		s.increment = true
		hUsed := s.hBase
		if s.cfg.ScaleStep {
			hUsed = s.hBase * s.dt
		}
		s.h = hUsed
		p.do(phaseStep, s.nb)
		s.cacheOK = s.cfg.Kernel == MALA || hUsed == 0 || s.moves == 0
		newInv := sum(s.inv)
		res.Invalid += newInv
		acc, prp := sum(s.acc), sum(s.prp)
		accTot += acc
		prpTot += prp
		rate := 1.0
		if s.cfg.Kernel == MALA {
			rate = math.NaN()
			if prp > 0 {
				rate = float64(acc) / float64(prp)
			}
		}
		lse, ess := lseESS(s.logw)
		if math.IsInf(lse, -1) || math.IsNaN(lse) {
			return nil, fmt.Errorf("smc: step %d (t = %v): %w", step, s.tMove, ErrAllZeroWeights)
		}
		rec := StepRecord{
			Step: step, T: s.tMove, Dt: s.dt, StepSize: hUsed,
			ESS: ess, Acceptance: rate,
			LogZ: logZacc + lse - logM, AncestorFraction: ancFrac, ParentFraction: 1,
			Invalid: newInv,
		}
		if s.cfg.Adapt && prp > 0 && (s.cfg.AdaptSteps == 0 || k <= s.cfg.AdaptSteps) {
			switch {
			case rate > s.cfg.AdaptHigh:
				s.hBase *= s.cfg.AdaptFactor
			case rate < s.cfg.AdaptLow:
				s.hBase /= s.cfg.AdaptFactor
			}
		}
		if k < nsteps && rec.ESS < s.cfg.ESSThreshold {
			logZacc += lse - logM
			parents, err := s.resample(p, uint64(step))
			if err != nil {
				return nil, fmt.Errorf("smc: step %d: %w", step, err)
			}
			ancFrac = s.ancestorFraction()
			res.Resamplings++
			rec.Resampled = true
			rec.ParentFraction = parents
			rec.AncestorFraction = ancFrac
		}
		if rec.Acceptance != rec.Acceptance {
			rec.Acceptance = 0
		}
		res.Steps = append(res.Steps, rec)
		if s.cfg.Progress != nil {
			s.cfg.Progress(rec)
		}
	}
	// Final energies at the final positions (ULA moved the particles after
	// the last evaluation).
	if !s.cacheOK {
		p.do(phaseEnergy, s.nb)
		res.Invalid += sum(s.inv)
	}
	lse := LogSumExp(s.logw)
	if math.IsInf(lse, -1) || math.IsNaN(lse) {
		return nil, fmt.Errorf("smc: final population: %w", ErrAllZeroWeights)
	}
	res.LogZ = logZacc + lse - logM
	res.LogZErr = s.logZErr(res.Resamplings)
	res.ESS = ESS(s.logw)
	res.StepSize = s.hBase
	res.Acceptance = 1
	if s.cfg.Kernel == MALA {
		res.Acceptance = 0
		if prpTot > 0 {
			res.Acceptance = float64(accTot) / float64(prpTot)
		}
	}
	if s.cfg.FinalResample {
		s.step = nsteps + 1
		if _, err := s.resample(p, uint64(nsteps+1)); err != nil {
			return nil, fmt.Errorf("smc: final resampling: %w", err)
		}
	}
	res.X = s.x
	res.Energy = s.eT
	res.LogW = s.logw
	res.Ancestor = s.eve
	return res, nil
}

// filter applies the quantile clip and the energy cut-off to the initial
// population and compacts it.
func (s *sampler) filter(res *Result) error {
	keep := make([]bool, s.m)
	for i := range keep {
		keep[i] = true
	}
	cutoff := func() {
		if !s.cfg.UseEnergyCutoff {
			return
		}
		for i := range keep {
			if keep[i] && !s.dead[i] && !(s.eT[i] < s.cfg.EnergyCutoff) {
				keep[i] = false
				res.CutOff++
			}
		}
	}
	if s.cfg.CutoffFirst {
		cutoff()
	}
	if s.cfg.ClipQuantile > 0 {
		lw := make([]float64, s.m)
		for i := range lw {
			lw[i] = math.Inf(-1)
			if keep[i] && !s.dead[i] {
				lw[i] = -s.eT[i] - s.lq[i]
			}
		}
		res.Clipped = ClipQuantile(lw, s.cfg.ClipQuantile)
		for i := range lw {
			if keep[i] && !s.dead[i] && math.IsInf(lw[i], -1) {
				keep[i] = false
			}
		}
	}
	if !s.cfg.CutoffFirst {
		cutoff()
	}
	n := 0
	for i, k := range keep {
		if !k {
			continue
		}
		if n != i {
			copy(s.x[n], s.x[i])
			copy(s.gT[n], s.gT[i])
			copy(s.gS[n], s.gS[i])
			s.eT[n], s.lq[n], s.dead[n], s.logw[n] = s.eT[i], s.lq[i], s.dead[i], s.logw[i]
		}
		n++
	}
	if n < 2 {
		return fmt.Errorf("smc: %d particles left after filtering (%d clipped, %d above the energy cut-off): %w", n, res.Clipped, res.CutOff, ErrAllZeroWeights)
	}
	if n < s.m {
		s.m = n
		s.nb = (n + s.bs - 1) / s.bs
		s.x, s.gT, s.gS = s.x[:n], s.gT[:n], s.gS[:n]
		s.eT, s.lq, s.logw, s.dead, s.eve = s.eT[:n], s.lq[:n], s.logw[:n], s.dead[:n], s.eve[:n]
		if s.xp != nil {
			s.xp, s.gTp, s.gSp = s.xp[:n], s.gTp[:n], s.gSp[:n]
			s.eTp, s.lqp = s.eTp[:n], s.lqp[:n]
		}
	}
	allDead := true
	for _, d := range s.dead {
		if !d {
			allDead = false
			break
		}
	}
	if allDead {
		return fmt.Errorf("smc: initial population: %w", ErrAllZeroWeights)
	}
	return nil
}

// resample draws M ancestors from the current weights, gathers the
// population and zeroes the log-weights. It returns the fraction of distinct
// parents.
func (s *sampler) resample(p *pool, step uint64) (float64, error) {
	s.allocGather()
	if _, err := Normalize(s.w, s.logw); err != nil {
		return 0, err
	}
	a, c := streamSeed(s.cfg.Seed, tagResample, step, 0)
	s.pcg[0].Seed(a, c)
	if err := Resample(s.anc, s.w, s.cfg.Scheme, s.rng[0]); err != nil {
		return 0, err
	}
	distinct := 1
	for j := 1; j < s.m; j++ {
		if s.anc[j] != s.anc[j-1] {
			distinct++
		}
	}
	p.do(phaseGather, s.nb)
	s.x, s.x2 = s.x2, s.x
	s.gT, s.gT2 = s.gT2, s.gT
	s.gS, s.gS2 = s.gS2, s.gS
	s.eT, s.eT2 = s.eT2, s.eT
	s.lq, s.lq2 = s.lq2, s.lq
	s.dead, s.dead2 = s.dead2, s.dead
	s.eve, s.eve2 = s.eve2, s.eve
	for i := range s.logw {
		s.logw[i] = 0
	}
	return float64(distinct) / float64(s.m), nil
}

// ancestorFraction returns the fraction of distinct initial particles among
// the current ancestors.
func (s *sampler) ancestorFraction() float64 {
	for i := range s.mark {
		s.mark[i] = 0
	}
	n := 0
	for _, e := range s.eve {
		if s.mark[e] == 0 {
			s.mark[e] = 1
			n++
		}
	}
	return float64(n) / float64(s.m)
}

// logZErr returns the standard error of log Ẑ from the Lee–Whiteley
// ancestor-based estimator of the relative variance of Ẑ,
//
//	V = 1 − (M/(M−1))^{r+1}·(1 − Σ_e W_e²),
//
// where W_e is the normalised final weight carried by the descendants of
// initial particle e and r the number of resamplings. With r = 0 it equals
// the importance-sampling formula of LogZ.
func (s *sampler) logZErr(r int) float64 {
	lse := LogSumExp(s.logw)
	mass := make([]float64, s.m)
	for i, lw := range s.logw {
		if lw > math.Inf(-1) {
			mass[s.eve[i]] += math.Exp(lw - lse)
		}
	}
	var s2 float64
	for _, v := range mass {
		s2 += v * v
	}
	mf := float64(s.m)
	v := 1 - math.Pow(mf/(mf-1), float64(r+1))*(1-s2)
	if v < 0 {
		v = 0
	}
	return math.Sqrt(v)
}
