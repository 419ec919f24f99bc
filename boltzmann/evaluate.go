package boltzmann

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gonum.org/v1/gonum/stat"

	"github.com/boltzflow/boltzflow/molecules/traj"
	"github.com/boltzflow/boltzflow/smc"
)

// MethodSMCRefined names the SMC set after the MALA rejuvenation phase
// (SBGConfig.RefineSteps); its results.json keys end in "_smc_mala".
const MethodSMCRefined = "flow-SMC+MALA"

// MethodCalibrated names the row of the calibrated proposals
// (SBGConfig.Calibration), the set IS weights when a calibration is set.
const MethodCalibrated = "flow-cal"

// MethodRow is one row of an SBG results table.
type MethodRow struct {
	// Method is "flow" (raw proposals), "flow-IS" or "flow-SMC".
	Method string `json:"method"`
	// Samples is the number of generated samples compared; ESS the
	// normalised ESS (IS: of the clipped proposal weights; SMC: of the
	// final weights before the final resampling, not comparable with IS).
	Samples int     `json:"samples"`
	ESS     float64 `json:"ess"`
	// EW2 is the energy Wasserstein-2 distance (kT) against the reference,
	// computed on EW2Samples samples of each set; TW2 the torus
	// Wasserstein-2 distance (rad), on TW2Samples samples of each set.
	EW2        float64 `json:"energy_w2"`
	EW2Samples int     `json:"energy_w2_samples"`
	TW2        float64 `json:"torus_w2"`
	TW2Samples int     `json:"torus_w2_samples"`
	// MeanEnergy is the mean reduced energy (kT) of the samples.
	MeanEnergy float64 `json:"mean_energy"`
	// ProposalsPerSec is the flow's sampling rate; WallSeconds the wall
	// time of proposals plus this method's reweighting.
	ProposalsPerSec float64 `json:"proposals_per_sec"`
	WallSeconds     float64 `json:"wall_seconds"`
}

// Report is the outcome of Evaluate.
type Report struct {
	System     string      `json:"system"`
	RefSamples int         `json:"reference_samples"`
	RefMeanE   float64     `json:"reference_mean_energy"`
	Rows       []MethodRow `json:"rows"`
	Settings   SBGSummary  `json:"settings"`
	Chirality  ChiralityStats
	NonFinite  int `json:"non_finite"`
	Clipped    int `json:"clipped"`
	// SMCStart is the number of proposals SMC started from; SMCCutOff
	// counts the proposals at or above the energy cut-off (not eligible
	// for SMC).
	SMCStart    int      `json:"smc_start"`
	SMCCutOff   int      `json:"smc_cut_off"`
	SMCInvalid  int      `json:"smc_invalid"`
	SMCResample int      `json:"smc_resamplings"`
	Files       []string `json:"files"`
	// Reencode is the flow's inversion check (see SBGResult.Reencode).
	Reencode InversionStats `json:"reencode"`
	// RefNLL is the flow's negative log-likelihood per dimension (nats,
	// normalised coordinates, the training loss) of the reference frames,
	// each randomly rotated and CoM-shifted as in training (ValidationNLL);
	// nil if it could not be computed (RefNLLError says why).
	RefNLL      *float64 `json:"reference_nll_per_dim"`
	RefNLLError string   `json:"reference_nll_error,omitempty"`
	// RefLogW summarises ReferenceLogWeights of up to 2,000 reference
	// frames: mean (log Z + KL(p‖q), comparable between models of rotated
	// frames and body-frame models) and standard deviation (nats); nil
	// if they could not be computed.
	RefLogW *LogWeightSummary `json:"reference_log_weights,omitempty"`
	// Terms holds the median energy per force-field term of every sample
	// set (MD reference first), kT.
	Terms []EnergyTerms `json:"energy_terms"`
	// Result holds the raw samples (not serialised).
	Result *SBGResult `json:"-"`
}

// LogWeightSummary summarises importance log-weights (nats).
type LogWeightSummary struct {
	Frames int     `json:"frames"`
	Mean   float64 `json:"mean"`
	SD     float64 `json:"sd"`
}

// SBGSummary records the settings of a run with its results.
type SBGSummary struct {
	Proposals    int     `json:"proposals"`
	SMCParticles int     `json:"smc_particles"`
	Com          string  `json:"com_adjustment"`
	ComSigma     float64 `json:"com_sigma"`
	ComEmpirical bool    `json:"com_sigma_empirical"`
	// Frame is the model's body frame (BodyFrame.String), empty for a model
	// of rotated Cartesian frames. A body-frame model has no CoM adjustment.
	Frame string `json:"body_frame,omitempty"`
	// PriorStd is the latent standard deviation τ of the proposal (1: the
	// trained flow, SBG's proposal).
	PriorStd float64 `json:"prior_std"`
	// RotationMixture is the number of orientations of the IS proposal
	// density (0 or 1: the flow's own, SBG's).
	RotationMixture int `json:"rotation_mixture"`
	// RotationGroup names the finite rotation group of the mixture
	// (SBGConfig.RotationGroup; RotationMixture is then its order), empty
	// for random orientations.
	RotationGroup string `json:"rotation_group,omitempty"`
	// ComMixture reports SBGConfig.ComMixture (fresh centroids for the
	// rotation mixture's extra components).
	ComMixture bool `json:"com_mixture,omitempty"`
	// RelabelGroups is the number of equivalent-hydrogen groups the
	// rotation mixture also relabels (0: none).
	RelabelGroups int `json:"relabel_groups"`
	// CalibrationStrength is the strength of the IS proposals' calibration
	// of stiff coordinates (0: none, SBG's), CalibrationTorsionBins the
	// bins of its soft-torsion maps (0: none); it was fitted on
	// CalibrationRefRows reference frames and CalibrationProposals separate
	// proposals.
	CalibrationStrength    float64 `json:"calibration_strength"`
	CalibrationTorsionBins int     `json:"calibration_torsion_bins"`
	CalibrationRefRows     int     `json:"calibration_reference_frames"`
	CalibrationProposals   int     `json:"calibration_proposals"`
	ClipQuantile           float64 `json:"clip_quantile"`
	EnergyCutoff           float64 `json:"energy_cutoff"`
	UseCutoff              bool    `json:"energy_cutoff_on"`
	Steps                  int     `json:"smc_steps"`
	StepSize               float64 `json:"smc_step_size"`
	Kernel                 string  `json:"smc_kernel"`
	ESSThreshold           float64 `json:"smc_ess_threshold"`
	Scheme                 string  `json:"smc_resampling"`
	ReferenceLoop          bool    `json:"smc_reference_loop"`
	MovesPerStep           int     `json:"smc_moves_per_step"`
	Adapt                  bool    `json:"smc_adapt"`
	FinalStepSize          float64 `json:"smc_final_step_size"`
	// RefineSteps MALA moves on the target after SMC, with the final
	// adapted step RefineStepSize and mean acceptance RefineAcceptance.
	RefineSteps      int     `json:"refine_steps"`
	RefineStepSize   float64 `json:"refine_final_step_size"`
	RefineAcceptance float64 `json:"refine_acceptance"`
	Seed             uint64  `json:"seed"`
}

// DefaultSBGConfig returns the SBG inference settings for the system:
// 10,000 proposals, χ₃ CoM adjustment with σ_c = 1/√N, chirality fix against
// the builder's structure, clipping 0.002, the system's energy cut-off and
// Langevin step, 100 SMC steps, ESS threshold 0.5, systematic resampling.
func DefaultSBGConfig(setup *SystemSetup) SBGConfig {
	cfg := SBGConfig{Chirality: setup.Chirality(nil), StepSize: setup.StepSize}
	if !math.IsInf(setup.EnergyCutoff, 1) {
		cfg.UseEnergyCutoff, cfg.EnergyCutoff = true, setup.EnergyCutoff
	}
	cfg.defaults()
	return cfg
}

// Evaluate runs the SBG pipeline for the model on the system, compares
// the raw proposals, the IS-resampled set and the SMC set with the reference
// frames ref (nm, subsampled to MaxEvalSamples by Subsample), and, if outDir
// is not empty, writes results.json, table.md, Ramachandran PNGs per residue
// and an energy histogram there.
func Evaluate(setup *SystemSetup, m *Model, ref [][]float64, cfg SBGConfig, outDir string) (*Report, error) {
	n := setup.Top.NumAtoms()
	if m.Flow.Config.Atoms != n {
		return nil, fmt.Errorf("boltzmann: model has %d atoms (system %q), system %s has %d", m.Flow.Config.Atoms, m.System, setup.Key, n)
	}
	if m.System != "" && m.System != setup.Key {
		return nil, fmt.Errorf("boltzmann: model was trained for system %q, not %q", m.System, setup.Key)
	}
	target, err := NewTarget(setup.Sys, setup.Spec.Temperature, m.Norm.Std)
	if err != nil {
		return nil, err
	}
	ref = Subsample(ref, MaxEvalSamples)
	refE := target.EnergiesNM(ref)
	refA, _ := BackboneAngles(setup.Top, ref)
	cfg.defaults()
	// The reference NLL is a diagnostic: its failure does not stop the run.
	var refNLL *float64
	var refNLLErr string
	frame, err := ModelFrame(m)
	if err != nil {
		return nil, err
	}
	if v, err := ValidationNLL(NormalizeAll(m.Norm, ref), MaxEvalSamples, cfg.Seed+7, frame)(m); err == nil {
		refNLL = &v
	} else {
		refNLLErr = err.Error()
	}
	var refLogW *LogWeightSummary
	if lw, err := ReferenceLogWeights(m, target, NormalizeAll(m.Norm, Subsample(ref, 2000)), cfg.Seed+8); err == nil {
		mean, sd := stat.MeanStdDev(lw, nil)
		refLogW = &LogWeightSummary{Frames: len(lw), Mean: mean, SD: sd}
	}
	res, err := RunSBG(m, target, cfg)
	if err != nil {
		return nil, err
	}
	rep := &Report{RefLogW: refLogW, System: setup.Key, RefSamples: len(ref), RefMeanE: meanFinite(refE), Result: res,
		Chirality: res.Chirality, NonFinite: res.NonFinite, Clipped: res.Clipped, Reencode: res.Reencode, RefNLL: refNLL, RefNLLError: refNLLErr}
	rep.Settings = SBGSummary{Proposals: cfg.Proposals, SMCParticles: cfg.SMCParticles, Com: cfg.Com.String(), ComSigma: res.ComSigma, ComEmpirical: cfg.ComEmpirical,
		PriorStd: res.PriorStd, RotationMixture: cfg.RotationMixture, RotationGroup: cfg.RotationGroup, ComMixture: cfg.ComMixture, RelabelGroups: len(cfg.Relabel),
		ClipQuantile: cfg.ClipQuantile, Steps: cfg.Steps, StepSize: cfg.StepSize, Kernel: cfg.Kernel.String(),
		ESSThreshold: cfg.ESSThreshold, Scheme: cfg.Scheme.String(), ReferenceLoop: cfg.ReferenceLoop,
		MovesPerStep: max(cfg.MovesPerStep, 1), Adapt: cfg.Adapt, Seed: cfg.Seed}
	if cfg.RotationGroup != "" {
		rep.Settings.RotationMixture = res.MixtureComponents
	}
	if frame != nil {
		rep.Settings.Frame, rep.Settings.Com = frame.String(), ComNone.String()
	}
	if res.SMC != nil {
		rep.Settings.FinalStepSize = res.SMC.StepSize
	}
	if c := cfg.Calibration; c != nil {
		rep.Settings.CalibrationStrength, rep.Settings.CalibrationRefRows, rep.Settings.CalibrationProposals = c.Strength, c.RefRows, c.ProposalRows
		rep.Settings.CalibrationTorsionBins = c.TorsionBins
	}
	if cfg.UseEnergyCutoff {
		rep.Settings.EnergyCutoff, rep.Settings.UseCutoff = cfg.EnergyCutoff, true
	}
	toNM := func(x [][]float64) [][]float64 {
		out := make([][]float64, len(x))
		for i, r := range x {
			out[i] = m.Norm.Denormalize(nil, r)
		}
		return out
	}
	row := func(method string, x [][]float64, e []float64, ess float64, wall time.Duration) (MethodRow, [][]float64) {
		nm := toNM(x)
		a, _ := BackboneAngles(setup.Top, nm)
		// A proposal with a non-finite energy (counted in NonFinite) or
		// angle is left out of both metrics rather than making them NaN.
		fa, fe := make([][]float64, 0, len(a)), make([]float64, 0, len(e))
		for i := range a {
			ok := finite(e[i])
			for _, v := range a[i] {
				ok = ok && finite(v)
			}
			if ok {
				fa, fe = append(fa, a[i]), append(fe, e[i])
			}
		}
		tw, tn := TorusW2(fa, refA, cfg.TW2Samples)
		return MethodRow{Method: method, Samples: len(x), ESS: ess, EW2: EnergyW2(fe, refE),
			EW2Samples: evalCount(len(fe), len(refE), 0), TW2: tw, TW2Samples: tn,
			MeanEnergy: meanFinite(e), ProposalsPerSec: res.ProposalsPerSec, WallSeconds: wall.Seconds()}, nm
	}
	sets := []SampleSet{{Name: "MD reference", X: ref, Energy: refE}}
	r0, nm0 := row("flow", res.Proposals, res.Energy, math.NaN(), res.ProposalTime)
	sets = append(sets, SampleSet{Name: "flow proposals", X: nm0, Energy: res.Energy})
	rep.Rows = []MethodRow{r0}
	if res.Calibrated != nil {
		rc, nmc := row(MethodCalibrated, res.Calibrated, res.CalibratedEnergy, math.NaN(), res.ProposalTime)
		rep.Rows = append(rep.Rows, rc)
		sets = append(sets, SampleSet{Name: "calibrated proposals", X: nmc, Energy: res.CalibratedEnergy})
	}
	r1, nm1 := row("flow-IS", res.ISX, res.ISEnergy, res.ISESS, res.ProposalTime+res.ISTime)
	sets = append(sets, SampleSet{Name: "flow-IS", X: nm1, Energy: res.ISEnergy})
	rep.Rows = append(rep.Rows, r1)
	if res.SMC != nil {
		r2, nm2 := row("flow-SMC", res.SMCX, res.SMCEnergy, res.SMC.ESS, res.ProposalTime+res.ISTime+res.SMCTime)
		rep.Rows = append(rep.Rows, r2)
		sets = append(sets, SampleSet{Name: "flow-SMC", X: nm2, Energy: res.SMCEnergy})
		rep.SMCCutOff, rep.SMCInvalid, rep.SMCResample = res.SMC.CutOff, res.SMC.Invalid, res.SMC.Resamplings
		if cfg.UseEnergyCutoff {
			rep.SMCCutOff += len(res.Proposals) - res.BelowCutoff
		}
		rep.SMCStart = res.SMCStart
	}
	if res.Refine != nil {
		r3, nm3 := row(MethodSMCRefined, res.RefinedX, res.RefinedEnergy, math.NaN(), res.ProposalTime+res.ISTime+res.SMCTime+res.RefineTime)
		rep.Rows = append(rep.Rows, r3)
		sets = append(sets, SampleSet{Name: MethodSMCRefined, X: nm3, Energy: res.RefinedEnergy})
		rep.Settings.RefineSteps, rep.Settings.RefineStepSize = cfg.RefineSteps, res.Refine.StepSize
		rep.Settings.RefineAcceptance = res.Refine.Acceptance
	}
	for _, set := range sets {
		et, err := MedianEnergyTerms(setup.Sys, setup.Spec.Temperature, set.Name, Subsample(set.X, MaxEvalSamples))
		if err != nil {
			return nil, err
		}
		if et.Samples > 0 {
			rep.Terms = append(rep.Terms, et)
		}
	}
	if outDir == "" {
		return rep, nil
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return rep, err
	}
	files, err := SaveRamachandranGrid(filepath.Join(outDir, "ramachandran"), setup.Top, sets)
	if err != nil {
		return rep, err
	}
	rep.Files = append(rep.Files, files...)
	hist := filepath.Join(outDir, "energy_hist.png")
	if err := SaveEnergyHistogram(hist, sets); err != nil {
		return rep, err
	}
	rep.Files = append(rep.Files, hist)
	rj := filepath.Join(outDir, "results.json")
	md := filepath.Join(outDir, "table.md")
	rep.Files = append(rep.Files, rj, md)
	b, err := json.MarshalIndent(rep.JSON(), "", "  ")
	if err != nil {
		return rep, err
	}
	if err := traj.WriteFileAtomic(rj, b); err != nil {
		return rep, err
	}
	if err := traj.WriteFileAtomic(md, []byte(rep.Markdown())); err != nil {
		return rep, err
	}
	return rep, nil
}

// JSON returns the machine-readable results: the keys ess_is, ew2_is,
// tw2_is, ess_smc, ew2_smc, tw2_smc (NaN values become null) plus the full
// report under "report".
func (r *Report) JSON() map[string]any {
	out := map[string]any{"report": r}
	num := func(v float64) any {
		if !finite(v) {
			return nil
		}
		return v
	}
	for _, row := range r.Rows {
		suffix := map[string]string{"flow-IS": "is", "flow-SMC": "smc", "flow": "flow", MethodSMCRefined: "smc_mala"}[row.Method]
		out["ess_"+suffix] = num(row.ESS)
		out["ew2_"+suffix] = num(row.EW2)
		out["tw2_"+suffix] = num(row.TW2)
	}
	// Sanitize NaNs inside the report rows for encoding/json.
	for i := range r.Rows {
		for _, p := range []*float64{&r.Rows[i].ESS, &r.Rows[i].EW2, &r.Rows[i].TW2, &r.Rows[i].MeanEnergy} {
			if !finite(*p) {
				*p = -1
			}
		}
	}
	if !finite(r.RefMeanE) {
		r.RefMeanE = -1
	}
	return out
}

// Markdown returns the results as a markdown table with the sample counts
// and settings.
func (r *Report) Markdown() string {
	var b strings.Builder
	com := fmt.Sprintf("CoM adjustment %s (σ_c %.4f)", r.Settings.Com, r.Settings.ComSigma)
	nllNote := "rotated, CoM-shifted as in training"
	if r.Settings.Frame != "" {
		com = fmt.Sprintf("body frame %s (atoms origin, axis, plane, gauge noise σ), no CoM adjustment", r.Settings.Frame)
		nllNote = "in the body frame with gauge noise, as in training"
	}
	fmt.Fprintf(&b, "SBG on %s: %d proposals (%s), reference %d MD frames (mean energy %.2f kT); %s, clip %.3g, SMC %d steps × %d moves h=%.1e %s%s, ESS threshold %s, %s resampling, energy cut-off %s\n\n",
		r.System, r.Settings.Proposals, smcNote(r), r.RefSamples, r.RefMeanE, com, r.Settings.ClipQuantile,
		r.Settings.Steps, max(r.Settings.MovesPerStep, 1), r.Settings.StepSize, r.Settings.Kernel, adaptNote(r.Settings), essNote(r.Settings), r.Settings.Scheme, cutoffNote(r.Settings))
	fmt.Fprintf(&b, "| method | samples | ESS | E-W2 (kT) | E-W2 samples | T-W2 (rad) | T-W2 samples | mean E (kT) | proposals/s | wall time (s) |\n")
	fmt.Fprintf(&b, "|---|---|---|---|---|---|---|---|---|---|\n")
	f := func(v float64, prec int) string {
		if !finite(v) || v == -1 {
			return "–"
		}
		return fmt.Sprintf("%.*f", prec, v)
	}
	for _, row := range r.Rows {
		fmt.Fprintf(&b, "| %s | %d | %s | %s | %d | %s | %d | %s | %.1f | %.1f |\n", row.Method, row.Samples, f(row.ESS, 4), f(row.EW2, 3),
			row.EW2Samples, f(row.TW2, 3), row.TW2Samples, f(row.MeanEnergy, 2), row.ProposalsPerSec, row.WallSeconds)
	}
	if r.Settings.RefineSteps > 0 {
		fmt.Fprintf(&b, "\n%s: %d MALA moves on the target after SMC (adaptive step, final h=%.2e, mean acceptance %.2f); not part of SBG.\n",
			MethodSMCRefined, r.Settings.RefineSteps, r.Settings.RefineStepSize, r.Settings.RefineAcceptance)
	}
	if len(r.Terms) > 0 {
		fmt.Fprintf(&b, "\nMedian energy per force-field term (kT):\n\n| set | samples | bond | angle | torsion | non-bonded | GB | total |\n|---|---|---|---|---|---|---|---|\n")
		for _, t := range r.Terms {
			fmt.Fprintf(&b, "| %s | %d | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f |\n", t.Set, t.Samples, t.Bond, t.Angle, t.Torsion, t.Nonbonded, t.GB, t.Total)
		}
	}
	if r.RefNLL != nil {
		fmt.Fprintf(&b, "\nflow NLL of the reference frames (%s): %.4f nats per dimension; ", nllNote, *r.RefNLL)
	} else {
		fmt.Fprintf(&b, "\nflow NLL of the reference frames: – (%s); ", r.RefNLLError)
	}
	if l := r.RefLogW; l != nil {
		fmt.Fprintf(&b, "IS log-weights of %d reference frames: mean %.3f (log Z + KL), sd %.3f nats; ", l.Frames, l.Mean, l.SD)
	}
	fmt.Fprintf(&b, "re-encoding check (64 samples): max |Δx| %.2e, mean %.2e; ", r.Reencode.MaxAbs, r.Reencode.MeanAbs)
	fmt.Fprintf(&b, "non-finite proposals %d, clipped %d, chirality %d correct / %d flipped / %d uncorrectable; SMC: cut off %d, invalid %d, resamplings %d. SMC ESS is measured before the final resampling and is not comparable with the IS ESS.\n",
		r.NonFinite, r.Clipped, r.Chirality.Correct, r.Chirality.Flipped, r.Chirality.Uncorrectable, r.SMCCutOff, r.SMCInvalid, r.SMCResample)
	return b.String()
}

func adaptNote(s SBGSummary) string {
	if !s.Adapt {
		return ""
	}
	return fmt.Sprintf(" (adaptive, final h=%.1e)", s.FinalStepSize)
}

func essNote(s SBGSummary) string {
	if s.ESSThreshold < 0 {
		return "none (no intermediate resampling)"
	}
	return fmt.Sprintf("%.2f", s.ESSThreshold)
}

func cutoffNote(s SBGSummary) string {
	if !s.UseCutoff {
		return "off"
	}
	return fmt.Sprintf("%.4g kT", s.EnergyCutoff)
}

// smcNote says how many proposals SMC started from, or that it did not run.
func smcNote(r *Report) string {
	note := "no SMC"
	for _, row := range r.Rows {
		if row.Method == "flow-SMC" {
			note = fmt.Sprintf("SMC from %d", r.SMCStart)
		}
	}
	if tau := r.Settings.PriorStd; tau != 0 && tau != 1 {
		note += fmt.Sprintf("; latent std τ = %g, a colder proposal than SBG's", tau)
	}
	if k := r.Settings.RotationMixture; k > 1 && r.Settings.RotationGroup == "" {
		relabel := ""
		if g := r.Settings.RelabelGroups; g > 0 {
			relabel = fmt.Sprintf(" and relabellings of %d equivalent-hydrogen groups", g)
		}
		note += fmt.Sprintf("; IS weights with the rotation mixture over %d orientations%s, not SBG's", k, relabel)
	}
	if g := r.Settings.RotationGroup; g != "" {
		note += fmt.Sprintf("; IS weights with the rotation mixture over the %s group (%d orientations, randomly conjugated per proposal), not SBG's", g, r.Settings.RotationMixture)
	}
	if r.Settings.ComMixture {
		note += fmt.Sprintf("; each extra mixture component at a fresh centroid from the %s CoM density (σ_c %.3g)", r.Settings.Com, r.Settings.ComSigma)
	}
	if a := r.Settings.CalibrationStrength; a > 0 {
		tors := "soft torsions left alone"
		if b := r.Settings.CalibrationTorsionBins; b > 0 {
			tors = fmt.Sprintf("soft torsions matched over %d bins", b)
		}
		note += fmt.Sprintf("; IS from proposals calibrated in internal coordinates (stiff strength %g, %s; fitted on %d MD frames and %d separate proposals), not SBG's",
			a, tors, r.Settings.CalibrationRefRows, r.Settings.CalibrationProposals)
	}
	return note
}

// QuickstartConfig holds the inputs of Quickstart.
type QuickstartConfig struct {
	// System is the system key (default aldp); ModelPath a TarFlow model
	// checkpoint for it; RefPath the MD test frames (.npy, nm); OutDir
	// receives results.json, table.md and the PNGs.
	System, ModelPath, RefPath, OutDir string
	// Proposals (default 10,000), SMCParticles (default 2,000: SMC starts
	// from the first SMCParticles proposals below the energy cut-off to fit
	// a CPU budget), Steps (default 100), TW2Samples (default 10,000: every
	// proposal of the default run; larger sets are thinned evenly to that
	// size) and Seed.
	Proposals, SMCParticles, Steps, TW2Samples int
	// NoEnergyCutoff disables the system's energy cut-off before SMC.
	NoEnergyCutoff bool
	// MALA replaces the SBG's ULA step (h = StepSize, default the
	// system's SBG value) by MALA with step-size adaptation starting from
	// StepSize; RefineSteps adds that many MALA moves on the target after
	// SMC (SBGConfig.RefineSteps, reported as its own row).
	MALA        bool
	StepSize    float64
	RefineSteps int
	Seed        uint64
	// Progress, if not nil, receives progress lines.
	Progress io.Writer
}

// Quickstart runs the whole SBG evaluation of a trained model against an MD
// test set with the SBG defaults of the system (DefaultSBGConfig): flow
// proposals, IS and SMC, metrics table, results.json (keys ess_is, ew2_is,
// tw2_is, ess_smc, ew2_smc, tw2_smc) and Ramachandran PNGs in OutDir.
func Quickstart(cfg QuickstartConfig) (*Report, error) {
	if cfg.System == "" {
		cfg.System = "aldp"
	}
	setup, err := LoadSystem(cfg.System)
	if err != nil {
		return nil, err
	}
	m, err := LoadModel(cfg.ModelPath, setup.Top.NumAtoms())
	if err != nil {
		return nil, err
	}
	ref, err := LoadFrames(cfg.RefPath, setup.Top.NumAtoms())
	if err != nil {
		return nil, err
	}
	sc := DefaultSBGConfig(setup)
	if cfg.Proposals > 0 {
		sc.Proposals = cfg.Proposals
	}
	sc.SMCParticles = cfg.SMCParticles
	if sc.SMCParticles == 0 {
		sc.SMCParticles = 2000
	}
	sc.TW2Samples = cfg.TW2Samples
	if sc.TW2Samples == 0 {
		sc.TW2Samples = 10000
	}
	if cfg.Steps > 0 {
		sc.Steps = cfg.Steps
	}
	if cfg.NoEnergyCutoff {
		sc.UseEnergyCutoff = false
	}
	if cfg.StepSize > 0 {
		sc.StepSize = cfg.StepSize
	}
	if cfg.MALA {
		sc.Kernel, sc.Adapt = smc.MALA, true
	}
	sc.RefineSteps = cfg.RefineSteps
	sc.Seed = cfg.Seed
	sc.Progress = cfg.Progress
	return Evaluate(setup, m, ref, sc, cfg.OutDir)
}
