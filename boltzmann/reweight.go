package boltzmann

import (
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"time"

	"github.com/boltzflow/boltzflow/nn"
	"github.com/boltzflow/boltzflow/smc"
)

// SBGConfig holds the inference settings of a Sequential Boltzmann Generator
// run (sbg.md §5–6). Zero values select the documented defaults.
type SBGConfig struct {
	// Proposals is the number of flow samples (default 10,000); BatchSize
	// the sampling and SMC batch (default 256); Workers the goroutines
	// (default GOMAXPROCS); Seed determines every random number.
	Proposals, BatchSize, Workers int
	Seed                          uint64
	// Com is the CoM adjustment (default ComChi, the official variant);
	// ComEmpirical uses the empirical std of the proposals' CoM as σ_c
	// instead of the analytic 1/√N.
	Com          ComVariant
	ComNone      bool
	ComEmpirical bool
	// Chirality, if not nil, mirrors proposals with the wrong chirality
	// before weighting.
	Chirality *Chirality
	// PriorStd, if not 0, is the latent standard deviation τ of the
	// proposal (TarFlow.PriorStd): τ < 1 draws from a colder flow with an
	// exact density, used for IS and as the SMC's initial density. 0 keeps
	// the model's own (1 for a trained flow: SBG's proposal).
	PriorStd float64
	// RotationMixture, if above 1, weights the IS proposals with the
	// density of the rotation-mixture proposal over that many orientations
	// (RotationMixtureLogQ: the proposal's own and k−1 random ones), which
	// averages the flow's orientation error out of the weights at k−1 extra
	// forward passes per proposal. The weights stay unbiased. It is not
	// part of SBG and changes the IS only: SMC starts from the same
	// proposals with the flow's own density.
	RotationMixture int
	// RotationGroup, if not empty, names a finite rotation group
	// ("tetrahedral", "octahedral", "icosahedral"; RotationGroup) whose
	// elements, conjugated by a random rotation per proposal, replace the
	// random orientations of the rotation mixture (GroupMixtureLogQ; k is
	// the group's order and RotationMixture and Relabel must be unset).
	RotationGroup string
	// Relabel lists triples of equivalent atoms (EquivalentHydrogens) that
	// the rotation mixture also relabels at random in each of its extra
	// components (RotationMixtureLogQ); ignored unless RotationMixture > 1.
	Relabel [][3]int
	// ComMixture, with a rotation mixture (RotationMixture > 1 or
	// RotationGroup) and a CoM adjustment, moves every extra mixture
	// component to a fresh centroid cⱼ ~ g instead of the rotated
	// proposal's own, g the density the adjustment divides by (𝒩(0, σ_c²I₃)
	// for ComGaussian, ∝ χ₃(|c|/σ_c) on ℝ³ for ComChi): the IS
	// denominator becomes (1/k)·Σⱼ q(Rⱼx̃ + cⱼ)/g(cⱼ) (x̃ the centred
	// proposal, R₁ = I and c₁ its own centroid), which averages the flow's
	// dependence on where it put the centroid out of the weights as the
	// rotations average its orientation error, at no extra forward pass.
	// The weights stay unbiased: with the target's rotation invariance and
	// the cⱼ independent draws from the same g that adjusts the proposal's
	// own density, the k terms are exchangeable, so each contributes 1/k
	// of the expected weight (TestComMixtureUnbiased). Not part of SBG; IS
	// only.
	ComMixture bool
	// Calibration, if not nil, maps every proposal through it before IS
	// (an exact bijection in internal coordinates; the IS density is the
	// proposal's, with RotationMixture if set, minus the map's
	// log-Jacobian). It is not part of SBG and changes the IS only: SMC
	// starts from the uncalibrated proposals with the flow's own density.
	Calibration *Calibration
	// ClipQuantile drops the top fraction of importance log-weights
	// (default 0.002; negative disables).
	ClipQuantile float64
	// UseEnergyCutoff keeps only proposals with E < EnergyCutoff (kT) for
	// SMC (sbg.md §5.1 step 6).
	UseEnergyCutoff bool
	EnergyCutoff    float64
	// SkipSMC runs importance sampling only.
	SkipSMC bool
	// SMCParticles, if positive and below Proposals, starts SMC from the
	// first SMCParticles proposals only (to fit a CPU budget); IS always
	// uses all proposals. With UseEnergyCutoff they are the first
	// SMCParticles proposals below the cut-off (all of them if fewer), so
	// that the cut-off thins a larger pool instead of the SMC population.
	SMCParticles int
	// SMC settings: Steps (default 100), StepSize h in normalised units
	// (default 1e-7), Kernel (ULA default, or MALA), ESSThreshold (default
	// 0.5; a negative value never resamples before the final resampling),
	// Scheme (systematic default), ReferenceLoop (the off-by-one loop of the
	// reference code).
	Steps         int
	StepSize      float64
	Kernel        smc.Kernel
	ESSThreshold  float64
	Scheme        smc.Scheme
	ReferenceLoop bool
	// MovesPerStep is the number of Langevin moves after each weight
	// increment (default 1); Adapt adapts the MALA step size after each
	// annealing step (sbg.md §6: off for SBG).
	MovesPerStep int
	Adapt        bool
	// RefineSteps, if positive, follows SMC with that many MALA moves on
	// the target alone (t = 1), starting from step RefineStepSize (default
	// 1e-5), adapted after each of the first half of the moves and then
	// frozen. The moves leave the target invariant and the equal final
	// weights unchanged (an MCMC rejuvenation phase, not part of SBG); the
	// refined set is reported as its own method.
	RefineSteps    int
	RefineStepSize float64
	// TW2Samples caps the number of samples of each set used by T-W2
	// (default MaxEvalSamples; both sets are thinned evenly to the smaller
	// size); the count is reported with every value.
	TW2Samples int
	// Progress, if not nil, receives progress lines.
	Progress io.Writer
}

func (c *SBGConfig) defaults() {
	if c.Proposals == 0 {
		c.Proposals = 10000
	}
	if c.BatchSize == 0 {
		c.BatchSize = 256
	}
	if c.Workers == 0 {
		c.Workers = runtime.GOMAXPROCS(0)
	}
	if c.Com == ComNone && !c.ComNone {
		c.Com = ComChi
	}
	if c.ClipQuantile == 0 {
		c.ClipQuantile = 0.002
	}
	if c.ClipQuantile < 0 {
		c.ClipQuantile = 0
	}
	if c.Steps == 0 {
		c.Steps = 100
	}
	if c.StepSize == 0 {
		c.StepSize = 1e-7
	}
	if c.ESSThreshold == 0 {
		c.ESSThreshold = 0.5
	}
}

// SBGResult is the outcome of RunSBG. Coordinates are normalised (multiply
// by the model's Norm.Std for nm).
type SBGResult struct {
	// Proposals, their adjusted log q' (of the rotation mixture with
	// SBGConfig.RotationMixture) and target energies (kT; NaN if not
	// finite).
	Proposals    [][]float64
	LogQ, Energy []float64
	// Calibrated, CalibratedLogQ and CalibratedEnergy are the proposals
	// mapped through SBGConfig.Calibration, their log-density and energies
	// (nil without a calibration; a proposal mapped out of range has
	// log-density NaN and keeps its coordinates). IS weights these.
	Calibrated                       [][]float64
	CalibratedLogQ, CalibratedEnergy []float64
	// ComSigma is the σ_c used by the CoM adjustment; PriorStd the latent
	// standard deviation τ of the proposal (1 for SBG's).
	ComSigma, PriorStd float64
	// Chirality counts the chirality outcomes of the proposals.
	Chirality ChiralityStats
	// NonFinite counts proposals with a non-finite energy or log q
	// (dropped: weight zero); Clipped those removed by the quantile clip.
	NonFinite, Clipped int
	// ISLogW are the clipped importance log-weights; ISESS their normalised
	// Kish ESS; ISX and ISEnergy the multinomially resampled set (as many
	// samples as survivors).
	ISLogW   []float64
	ISESS    float64
	ISX      [][]float64
	ISEnergy []float64
	// SMCStart is the number of proposals SMC starts from; BelowCutoff the
	// number of proposals with a finite energy below the cut-off (0 when
	// it is off).
	SMCStart, BelowCutoff int
	SMC                   *smc.Result
	SMCX                  [][]float64
	SMCEnergy             []float64
	// Refine is the MALA rejuvenation run after SMC (nil unless
	// RefineSteps > 0); RefinedX and RefinedEnergy its final particles.
	Refine        *smc.Result
	RefinedX      [][]float64
	RefinedEnergy []float64
	RefineTime    time.Duration
	// Reencode is the inversion check on 64 extra samples: x = f⁻¹(z)
	// re-encoded by a forward pass and decoded again (sbg.md §3.3).
	Reencode InversionStats
	// MixtureComponents is the number of orientations of the IS rotation
	// mixture (1: none; the group's order with RotationGroup).
	MixtureComponents int
	// ProposalsPerSec and ProposalTime are the flow's sampling rate and
	// time; ISTime covers the CoM adjustment, the rotation mixture, the
	// calibration, the target energies and the IS resampling; SMCTime the
	// SMC run.
	ProposalsPerSec float64
	ProposalTime    time.Duration
	ISTime, SMCTime time.Duration
	// frameY holds a body-frame model's proposals as drawn, with their
	// gauge noise (Proposals holds the conformations): SMC starts from
	// them.
	frameY [][]float64
}

// ErrNoFiniteProposals reports that every proposal had a non-finite energy
// or density.
var ErrNoFiniteProposals = errors.New("boltzmann: every proposal has a non-finite energy or log-density")

// RunSBG draws proposals from the model, weights them against the target
// (IS with quantile clipping and multinomial resampling) and, unless
// cfg.SkipSMC, runs annealed-Langevin SMC from them through package smc with
// the corrected time loop.
func RunSBG(m *Model, target *Target, cfg SBGConfig) (*SBGResult, error) {
	cfg.defaults()
	// Proposals, energies and SMC run on cfg.Workers goroutines: each keeps
	// its matrix products to its share of the cores (results do not change).
	defer nn.ShareCores(cfg.Workers)()
	d := m.Flow.Config.Dim()
	if target.Dim() != d {
		return nil, fmt.Errorf("boltzmann: model for %d atoms, target system has %d", d/3, target.Dim()/3)
	}
	if cfg.PriorStd < 0 || math.IsNaN(cfg.PriorStd) || math.IsInf(cfg.PriorStd, 0) {
		return nil, fmt.Errorf("boltzmann: latent standard deviation %g (want a positive finite value, or 0 for the model's own)", cfg.PriorStd)
	}
	if cfg.PriorStd != 0 {
		mc := *m
		mc.Flow = m.Flow.Clone()
		mc.Flow.PriorStd = cfg.PriorStd
		m = &mc
	}
	var group [][3][3]float64
	if cfg.RotationGroup != "" {
		if cfg.RotationMixture > 1 || len(cfg.Relabel) > 0 {
			return nil, fmt.Errorf("boltzmann: rotation group %s replaces the random rotation mixture: leave RotationMixture (%d) and Relabel unset", cfg.RotationGroup, cfg.RotationMixture)
		}
		var err error
		if group, err = RotationGroup(cfg.RotationGroup); err != nil {
			return nil, err
		}
	}
	if cfg.ComMixture && (cfg.Com == ComNone || max(cfg.RotationMixture, len(group)) <= 1) {
		return nil, fmt.Errorf("boltzmann: the CoM-translation mixture needs a CoM adjustment (have %v) and a rotation mixture (RotationMixture > 1 or RotationGroup)", cfg.Com)
	}
	frame, err := ModelFrame(m)
	if err != nil {
		return nil, err
	}
	if frame != nil && wantsMixture(cfg, group) {
		return nil, fmt.Errorf("boltzmann: the model works in body frame %s: it has no rotation or CoM mixture (the frame fixes both)", frame)
	}
	prop := NewProposal(m, ComAdjust{})
	if frame == nil {
		prop.Chirality = cfg.Chirality
	}
	n := cfg.Proposals
	res := &SBGResult{Proposals: make([][]float64, n), LogQ: make([]float64, n), Energy: make([]float64, n), PriorStd: m.Flow.priorStd()}
	for i := range res.Proposals {
		res.Proposals[i] = make([]float64, d)
	}
	nb := (n + cfg.BatchSize - 1) / cfg.BatchSize
	start := time.Now()
	var done int64
	var mu sync.Mutex
	parallel(cfg.Workers, nb, func(b int) {
		lo, hi := b*cfg.BatchSize, min((b+1)*cfg.BatchSize, n)
		rng := rand.New(rand.NewPCG(cfg.Seed, 0x5b9+uint64(b)))
		prop.Sample(rng, res.Proposals[lo:hi], res.LogQ[lo:hi])
		if cfg.Progress != nil {
			mu.Lock()
			done += int64(hi - lo)
			el := time.Since(start).Seconds()
			fmt.Fprintf(cfg.Progress, "proposals %d/%d  %.1f/s  ETA %.0fs\n", done, n, float64(done)/el, el/float64(done)*float64(int64(n)-done))
			mu.Unlock()
		}
	})
	res.ProposalTime = time.Since(start)
	res.ProposalsPerSec = float64(n) / res.ProposalTime.Seconds()
	res.Chirality = prop.ChiralityStats()
	if frame != nil {
		if !cfg.SkipSMC {
			res.frameY = make([][]float64, n)
			for i, y := range res.Proposals {
				res.frameY[i] = append([]float64(nil), y...)
			}
		}
		res.Chirality = frameWeights(frame, cfg.Chirality, res.Proposals, res.LogQ)
	}
	{
		const k = 64
		x32 := make([]float32, k*d)
		m.Flow.NewSampler(k).Sample(rand.New(rand.NewPCG(cfg.Seed, 0xe1)), x32, make([]float64, k))
		res.Reencode = ReencodeError(m.Flow, x32, k)
	}

	// CoM adjustment (IS time from here: the rotation mixture and the
	// calibration are part of the IS weighting).
	t0 := time.Now()
	sigma := 1 / math.Sqrt(float64(d/3))
	if cfg.ComEmpirical {
		sigma = ComSigma(res.Proposals)
	}
	res.ComSigma = sigma
	prop.Com = ComAdjust{Variant: cfg.Com, Sigma: sigma}
	if frame != nil {
		prop.Com = ComAdjust{} // the frame fixes the translation
	}
	for i, x := range res.Proposals {
		res.LogQ[i] = prop.Com.Apply(x, res.LogQ[i], nil)
	}
	res.MixtureComponents = max(cfg.RotationMixture, len(group), 1)
	if k := res.MixtureComponents; k > 1 {
		// One call of logProb per extra mixture component.
		t2, calls := time.Now(), 0
		logProb := func(x [][]float64, lq []float64) {
			parallel(cfg.Workers, nb, func(b int) {
				lo, hi := b*cfg.BatchSize, min((b+1)*cfg.BatchSize, n)
				prop.LogProb(x[lo:hi], lq[lo:hi])
			})
			calls++
			if cfg.Progress != nil {
				el := time.Since(t2).Seconds()
				fmt.Fprintf(cfg.Progress, "rotation mixture %d/%d  %.1fs  ETA %.0fs\n", calls+1, k, el, el/float64(calls)*float64(k-1-calls))
			}
		}
		rng := rand.New(rand.NewPCG(cfg.Seed, 0x407))
		var com *ComAdjust
		if cfg.ComMixture {
			com = &prop.Com
		}
		if group != nil {
			groupMixtureLogQ(res.LogQ, res.Proposals, res.LogQ, group, com, rng, logProb)
		} else {
			randomMixtureLogQ(res.LogQ, res.Proposals, res.LogQ, k, cfg.Relabel, com, rng, logProb)
		}
	}

	// Target energies and IS.
	parallel(cfg.Workers, nb, func(b int) {
		lo, hi := b*cfg.BatchSize, min((b+1)*cfg.BatchSize, n)
		target.Energy(res.Proposals[lo:hi], res.Energy[lo:hi], nil)
	})
	isX, isLogQ, isE := res.Proposals, res.LogQ, res.Energy
	if c := cfg.Calibration; c != nil {
		res.Calibrated = make([][]float64, n)
		res.CalibratedLogQ, res.CalibratedEnergy = make([]float64, n), make([]float64, n)
		parallel(cfg.Workers, nb, func(b int) {
			lo, hi := b*cfg.BatchSize, min((b+1)*cfg.BatchSize, n)
			for i := lo; i < hi; i++ {
				res.Calibrated[i] = make([]float64, d)
				ld, err := c.Apply(res.Calibrated[i], res.Proposals[i])
				if err != nil {
					copy(res.Calibrated[i], res.Proposals[i])
					res.CalibratedLogQ[i] = math.NaN()
					continue
				}
				res.CalibratedLogQ[i] = res.LogQ[i] - ld
			}
			target.Energy(res.Calibrated[lo:hi], res.CalibratedEnergy[lo:hi], nil)
		})
		isX, isLogQ, isE = res.Calibrated, res.CalibratedLogQ, res.CalibratedEnergy
	}
	res.ISLogW, res.NonFinite = smc.LogWeights(nil, isE, isLogQ)
	if res.NonFinite == n {
		return nil, ErrNoFiniteProposals
	}
	res.Clipped = smc.ClipQuantile(res.ISLogW, cfg.ClipQuantile)
	res.ISESS = ESS(res.ISLogW) // over the proposals that survive clipping and the energy check
	survivors := 0
	for _, v := range res.ISLogW {
		if !math.IsInf(v, -1) {
			survivors++
		}
	}
	w, err := smc.Normalize(nil, res.ISLogW)
	if err != nil {
		return nil, fmt.Errorf("boltzmann: importance sampling: %w", err)
	}
	idx := make([]int, survivors)
	if err := smc.Resample(idx, w, smc.Multinomial, rand.New(rand.NewPCG(cfg.Seed, 0x15))); err != nil {
		return nil, err
	}
	res.ISX = make([][]float64, survivors)
	res.ISEnergy = make([]float64, survivors)
	for k, i := range idx {
		res.ISX[k] = isX[i]
		res.ISEnergy[k] = isE[i]
	}
	res.ISTime = time.Since(t0)
	if cfg.Progress != nil {
		fmt.Fprintf(cfg.Progress, "IS: ESS %.4f  non-finite %d  clipped %d  chirality %+v  re-encoding max error %.2e\n", res.ISESS, res.NonFinite, res.Clipped, res.Chirality, res.Reencode.MaxAbs)
	}
	if cfg.SkipSMC {
		return res, nil
	}

	// SMC from the (chirality-fixed) proposals.
	t1 := time.Now()
	x0 := smcStart(res, cfg)
	res.SMCStart = len(x0)
	if len(x0) < 2 && !cfg.UseEnergyCutoff {
		return nil, fmt.Errorf("boltzmann: SMC needs at least 2 proposals, have %d: %w", len(x0), smc.ErrAllZeroWeights)
	}
	if len(x0) < 2 {
		return nil, fmt.Errorf("boltzmann: SMC: %d of %d proposals below the energy cut-off of %.4g kT (lowest energy %.4g kT); need at least 2: %w",
			res.BelowCutoff, n, cfg.EnergyCutoff, minFinite(res.Energy), smc.ErrAllZeroWeights)
	}
	sc := smc.Config{
		Steps: cfg.Steps, Kernel: cfg.Kernel, StepSize: cfg.StepSize, Scheme: cfg.Scheme,
		ESSThreshold: max(cfg.ESSThreshold, 0), FinalResample: true, MovesPerStep: cfg.MovesPerStep, Adapt: cfg.Adapt, ClipQuantile: cfg.ClipQuantile,
		UseEnergyCutoff: cfg.UseEnergyCutoff, EnergyCutoff: cfg.EnergyCutoff, ReferenceLoop: cfg.ReferenceLoop,
		BatchSize: cfg.BatchSize, Workers: cfg.Workers, Seed: cfg.Seed + 1,
	}
	if cfg.Progress != nil {
		sc.Progress = func(r smc.StepRecord) {
			if r.Step%10 == 0 || r.Step == cfg.Steps {
				el := time.Since(t1).Seconds()
				fmt.Fprintf(cfg.Progress, "SMC step %d/%d  t %.2f  ESS %.3f  ancestors %.3f  invalid %d  %.1fs  ETA %.0fs\n",
					r.Step, cfg.Steps, r.T, r.ESS, r.AncestorFraction, r.Invalid, el, el/float64(max(r.Step, 1))*float64(cfg.Steps-r.Step))
			}
		}
	}
	var st smc.Target = target
	if frame != nil {
		// SMC moves the frame coordinates with their gauge noise, towards
		// the extended target (FrameTarget); smcStart applied the cut-off
		// to the conformations' energies already.
		st = NewFrameTarget(target, *frame, cfg.Chirality)
		sc.UseEnergyCutoff = false
	}
	sr, err := smc.Run(st, prop, x0, sc)
	if err != nil {
		if errors.Is(err, smc.ErrAllZeroWeights) {
			return nil, fmt.Errorf("boltzmann: SMC: every particle's weight vanished (try a smaller step size, an energy cut-off or MALA): %w", err)
		}
		return nil, fmt.Errorf("boltzmann: SMC: %w", err)
	}
	res.SMC = sr
	for i, x := range sr.X {
		if finite(sr.Energy[i]) {
			if frame != nil {
				y0 := make([]float64, len(x))
				frame.LogJacobian(y0, x) // the conformation
				x = y0
			}
			res.SMCX = append(res.SMCX, x)
			res.SMCEnergy = append(res.SMCEnergy, sr.Energy[i])
		}
	}
	if frame != nil {
		// sr.Energy is the extended energy; report the conformations' own.
		target.Energy(res.SMCX, res.SMCEnergy, nil)
	}
	res.SMCTime = time.Since(t1)
	if cfg.RefineSteps > 0 && len(res.SMCX) > 0 {
		if err := refine(res, target, cfg); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// wantsMixture reports whether cfg asks for a rotation or CoM mixture.
func wantsMixture(cfg SBGConfig, group [][3][3]float64) bool {
	return cfg.RotationMixture > 1 || group != nil || cfg.ComMixture
}

// frameWeights turns the body-frame proposals x (frame coordinates with
// gauge noise) into conformations in place, by zeroing their gauge
// coordinates, and their log q into the log-density whose importance
// weight against e^{−E} is exact (BodyFrame.LogJacobian): log q − log J.
// Proposals outside the frame's chart, or of the wrong chirality when chir
// is not nil, get log q = +∞, i.e. weight zero (the target is restricted to
// the right chirality; a frame model's samples are not mirrored). It
// returns the chirality counts, with wrong-chirality proposals counted as
// uncorrectable.
func frameWeights(frame *BodyFrame, chir *Chirality, x [][]float64, logq []float64) ChiralityStats {
	var st ChiralityStats
	for i, y := range x {
		logJ, ok := frame.LogJacobian(y, y)
		if ok && chir != nil {
			if chir.Correct(y) {
				st.Correct++
			} else {
				st.Uncorrectable++
				ok = false
			}
		}
		if !ok {
			logq[i] = math.Inf(1)
			continue
		}
		logq[i] -= logJ
	}
	return st
}

// minFinite returns the smallest finite value of v (NaN if none).
func minFinite(v []float64) float64 {
	m := math.NaN()
	for _, x := range v {
		if finite(x) && !(x >= m) {
			m = x
		}
	}
	return m
}

// smcStart returns copies of the proposals SMC starts from: the first
// cfg.SMCParticles (all if not positive), taken, with the energy cut-off on,
// from the proposals with a finite energy below it. It sets res.BelowCutoff.
func smcStart(res *SBGResult, cfg SBGConfig) [][]float64 {
	n := len(res.Proposals)
	m0 := n
	if cfg.SMCParticles > 0 && cfg.SMCParticles < n {
		m0 = cfg.SMCParticles
	}
	var x0 [][]float64
	src := res.Proposals
	if res.frameY != nil {
		src = res.frameY
	}
	for i, x := range src {
		if cfg.UseEnergyCutoff {
			if !(res.Energy[i] < cfg.EnergyCutoff) {
				continue
			}
			res.BelowCutoff++
		}
		if len(x0) < m0 {
			x0 = append(x0, append([]float64(nil), x...))
		}
	}
	return x0
}

// refine runs cfg.RefineSteps adaptive MALA moves on the target from the
// SMC particles. It uses package smc with the target standing in for the
// proposal, so that every annealed density is the target itself and the
// weight increments vanish.
func refine(res *SBGResult, target *Target, cfg SBGConfig) error {
	t0 := time.Now()
	h := cfg.RefineStepSize
	if h == 0 {
		h = 1e-5
	}
	x0 := make([][]float64, len(res.SMCX))
	for i, x := range res.SMCX {
		x0[i] = append([]float64(nil), x...)
	}
	rc := smc.Config{Steps: cfg.RefineSteps, Kernel: smc.MALA, StepSize: h, Adapt: cfg.RefineSteps > 1, AdaptSteps: cfg.RefineSteps / 2, FinalResample: false,
		ProposalIsTarget: true, BatchSize: cfg.BatchSize, Workers: cfg.Workers, Seed: cfg.Seed + 2}
	if cfg.Progress != nil {
		rc.Progress = func(r smc.StepRecord) {
			if r.Step%50 == 0 || r.Step == cfg.RefineSteps {
				el := time.Since(t0).Seconds()
				fmt.Fprintf(cfg.Progress, "MALA refinement %d/%d  h %.2e  acceptance %.2f  %.1fs  ETA %.0fs\n",
					r.Step, cfg.RefineSteps, r.StepSize, r.Acceptance, el, el/float64(max(r.Step, 1))*float64(cfg.RefineSteps-r.Step))
			}
		}
	}
	rr, err := smc.Run(target, targetDensity{target}, x0, rc)
	if err != nil {
		return fmt.Errorf("boltzmann: MALA refinement: %w", err)
	}
	res.Refine = rr
	for i, x := range rr.X {
		if finite(rr.Energy[i]) && !math.IsInf(rr.LogW[i], -1) {
			res.RefinedX = append(res.RefinedX, x)
			res.RefinedEnergy = append(res.RefinedEnergy, rr.Energy[i])
		}
	}
	res.RefineTime = time.Since(t0)
	return nil
}

// targetDensity presents the unnormalised target exp(−E) as an smc.Proposal
// (log q = −E), so that an SMC run between it and the target is a plain
// MCMC run on the target. It cannot be sampled.
type targetDensity struct{ t *Target }

func (p targetDensity) Dim() int { return p.t.Dim() }

func (p targetDensity) Sample(*rand.Rand, [][]float64, []float64) {
	panic("boltzmann: targetDensity cannot be sampled")
}

func (p targetDensity) LogProb(x [][]float64, logq []float64) {
	p.t.Energy(x, logq, nil)
	for i := range logq {
		logq[i] = -logq[i]
	}
}

func (p targetDensity) GradLogProb(x [][]float64, logq []float64, grad [][]float64) {
	p.t.Energy(x, logq, grad)
	for i := range logq {
		logq[i] = -logq[i]
		for j := range grad[i] {
			grad[i][j] = -grad[i][j]
		}
	}
}

// parallel runs fn(b) for b in [0, n) on workers goroutines. Each item is
// independent, so results do not depend on the number of workers.
func parallel(workers, n int, fn func(b int)) {
	if workers < 1 {
		workers = 1
	}
	var wg sync.WaitGroup
	ch := make(chan int)
	for w := 0; w < min(workers, n); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range ch {
				fn(b)
			}
		}()
	}
	for b := 0; b < n; b++ {
		ch <- b
	}
	close(ch)
	wg.Wait()
}

// ResampledEnergyW2 returns a validation score for Train: it draws n
// proposals from the model, applies IS with the default clipping and
// chirality fix, resamples, and returns the energy-W2 (kT) between the
// resampled energies and refEnergy (the validation MD energies, kT).
func ResampledEnergyW2(target *Target, chir *Chirality, refEnergy []float64, n int, seed uint64) func(m *Model) (float64, error) {
	return func(m *Model) (float64, error) {
		r, err := RunSBG(m, target, SBGConfig{Proposals: n, Seed: seed, Chirality: chir, SkipSMC: true})
		if err != nil {
			return math.NaN(), err
		}
		return EnergyW2(r.ISEnergy, refEnergy), nil
	}
}

// ValidationNLL returns a validation score for Train: the mean negative
// log-likelihood per dimension (the training loss, nats) of the model on up
// to n of the normalised validation frames, each rotated and CoM-shifted by
// Augment with a random source fixed by seed, so that every call sees the
// same augmented frames and scores are comparable across epochs. Unlike a
// resampled energy-W2, it uses every one of those frames and does not
// depend on a handful of importance weights. It runs forward passes only,
// in batches of 500. Frames whose length is not the model's dimension are
// an error.
//
// With a body frame (not nil), the frames are written in it with gauge
// noise instead (the training data of TrainConfig.Frame), and the score is
// the NLL per dimension of those frame coordinates.
func ValidationNLL(frames [][]float64, n int, seed uint64, frame *BodyFrame) func(m *Model) (float64, error) {
	frames = Subsample(frames, n)
	aug := make([][]float64, len(frames))
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	var bad error
	for i, x := range frames {
		aug[i] = make([]float64, len(x))
		if err := augmentFrame(aug[i], x, frame, rng); err != nil && bad == nil {
			bad = fmt.Errorf("boltzmann: validation NLL: frame %d: %w", i, err)
		}
	}
	return func(m *Model) (float64, error) {
		d := m.Flow.Config.Dim()
		if bad != nil {
			return math.NaN(), bad
		}
		if len(aug) == 0 {
			return math.NaN(), fmt.Errorf("boltzmann: validation NLL: no frames")
		}
		for i, x := range aug {
			if len(x) != d {
				return math.NaN(), fmt.Errorf("boltzmann: validation NLL: frame %d has length %d, model of dimension %d", i, len(x), d)
			}
		}
		r := &replica{flow: m.Flow, tp: nn.NewTape[float32](nil)}
		const bs = 500
		sum := 0.0
		for lo := 0; lo < len(aug); lo += bs {
			for _, l := range r.logQRows(aug[lo:min(lo+bs, len(aug))], d, 1) {
				sum -= l
			}
		}
		v := sum / float64(len(aug)*d)
		if !finite(v) {
			return math.NaN(), fmt.Errorf("boltzmann: validation NLL is %v", v)
		}
		return v, nil
	}
}

// ReferenceLogWeights returns the importance log-weights log w = −E − log q'
// of the normalised reference frames (samples of the target, e.g. MD) under
// the model, in batches of 500 forward passes: for a model of rotated
// Cartesian frames each frame is rotated and CoM-shifted by Augment and q'
// includes the Gaussian CoM density of that shift (as in training's
// log-variance loss); for a body-frame model each frame is written in the
// frame with gauge noise and q' is q/J (BodyFrame.LogJacobian), plus the
// constant log 8π² that makes the two comparable. Their mean over target
// samples is log Z + KL(p‖q) with the same Z for both kinds of model, so a
// lower mean is a proposal closer to the target, and their spread is what
// makes importance weights degenerate. The random source is fixed by seed.
func ReferenceLogWeights(m *Model, target *Target, frames [][]float64, seed uint64) ([]float64, error) {
	d := m.Flow.Config.Dim()
	if target.Dim() != d {
		return nil, fmt.Errorf("boltzmann: model for %d atoms, target system has %d", d/3, target.Dim()/3)
	}
	frame, err := ModelFrame(m)
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(seed, 0x10a))
	x := make([][]float64, len(frames))
	off := make([]float64, len(frames))
	scratch := make([]float64, d)
	for i, f := range frames {
		if len(f) != d {
			return nil, fmt.Errorf("boltzmann: reference frame %d has length %d, model of dimension %d", i, len(f), d)
		}
		x[i] = make([]float64, d)
		if err := augmentFrame(x[i], f, frame, rng); err != nil {
			return nil, fmt.Errorf("boltzmann: reference frame %d: %w", i, err)
		}
		off[i] = augmentLogDensity(scratch, x[i], frame)
		if frame != nil {
			off[i] += math.Log(8 * math.Pi * math.Pi)
		}
	}
	e := make([]float64, len(frames))
	target.Energy(frames, e, nil)
	r := &replica{flow: m.Flow, tp: nn.NewTape[float32](nil)}
	lw := make([]float64, len(frames))
	const bs = 500
	for lo := 0; lo < len(x); lo += bs {
		for k, l := range r.logQRows(x[lo:min(lo+bs, len(x))], d, 1) {
			i := lo + k
			lw[i] = -e[i] + off[i] - l
		}
	}
	return lw, nil
}
