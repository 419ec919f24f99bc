package main

import (
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"

	"github.com/boltzflow/boltzflow/boltzmann"
	"github.com/boltzflow/boltzflow/molecules/traj"
	"github.com/boltzflow/boltzflow/smc"
)

// sbgFlags registers the inference flags shared by sample and eval.
type sbgFlags struct {
	system, model          *string
	n, batch, workers      *int
	seed                   *uint64
	com                    *string
	comEmpirical, noChiral *bool
	clip, cutoff, h, ess   *float64
	steps, particles, tw2  *int
	kernel, scheme         *string
	refLoop, noSMC         *bool
	moves, refine          *int
	refineH                *float64
	adapt                  *bool
	priorStd               *float64
	rotMix                 *int
	rotGroup               *string
	calib                  *string
	calibStrength          *float64
	calibN, calibFrames    *int
	calibBins              *int
	relabel                *bool
	comMix                 *bool
}

func addSBGFlags(fs *flag.FlagSet) *sbgFlags {
	return &sbgFlags{
		system:        fs.String("system", "aldp", "system: aldp, al3, al4 or al6"),
		model:         fs.String("model", "", "TarFlow model checkpoint (best.ckpt/final.ckpt from train; required)"),
		n:             fs.Int("n", 10000, "number of proposals"),
		batch:         fs.Int("batch", 256, "batch size for sampling, energies and SMC"),
		workers:       fs.Int("workers", runtime.GOMAXPROCS(0), "goroutines"),
		seed:          fs.Uint64("seed", 0, "random seed"),
		com:           fs.String("com", "chi", "CoM adjustment: chi (official), gaussian (exact under factorisation) or none"),
		comEmpirical:  fs.Bool("com-empirical", false, "use the empirical CoM std of the proposals as σ_c (default: analytic 1/√N)"),
		noChiral:      fs.Bool("no-chirality-fix", false, "do not mirror proposals with the wrong chirality"),
		clip:          fs.Float64("clip", 0.002, "drop the top fraction of importance log-weights (0 disables)"),
		cutoff:        fs.Float64("energy-cutoff", math.NaN(), "energy cut-off (kT) before SMC (default: the SBG value of the system; +Inf disables)"),
		steps:         fs.Int("steps", 100, "SMC annealing steps"),
		tw2:           fs.Int("tw2-samples", 10000, "samples per set used by T-W2 (both sets thinned evenly; exact optimal transport; reported in the table)"),
		particles:     fs.Int("smc-particles", 0, "start SMC from only the first this many proposals below the energy cut-off (0 = all of them)"),
		h:             fs.Float64("h", 0, "Langevin step size in normalised units (default: the SBG value of the system)"),
		ess:           fs.Float64("ess-threshold", 0.5, "resample when the normalised ESS falls below this (negative: never, until the final resampling)"),
		kernel:        fs.String("kernel", "ula", "Langevin kernel: ula or mala"),
		scheme:        fs.String("resampling", "systematic", "resampling scheme: systematic, multinomial, stratified, residual"),
		refLoop:       fs.Bool("reference-loop", false, "use the off-by-one time loop of the reference code (for comparison)"),
		noSMC:         fs.Bool("no-smc", false, "importance sampling only"),
		moves:         fs.Int("moves", 1, "Langevin moves per annealing step"),
		refine:        fs.Int("refine", 0, "MALA moves on the target after SMC (rejuvenation, reported as its own row; 0 = none)"),
		refineH:       fs.Float64("refine-h", 1e-5, "initial step size of the MALA refinement (adapted), normalised units"),
		adapt:         fs.Bool("adapt", false, "adapt the MALA step size after each annealing step (needs -kernel mala)"),
		rotMix:        fs.Int("rot-mix", 1, "weight the IS proposals with the density of the rotation-mixture proposal over this many orientations (1 = the flow's own density, SBG's; k > 1 costs k−1 extra forward passes per proposal and leaves SMC unchanged)"),
		calib:         fs.String("calibrate", "", "MD frames (.npy, nm; e.g. the training set, not the test set) to fit an internal-coordinate calibration of the IS proposals to (exact bijection with its Jacobian; leaves SMC unchanged; empty = none, SBG's)"),
		calibStrength: fs.Float64("calibrate-strength", 0.5, "calibration strength in (0, 1]: how far each bond, angle and stiff dihedral moves from the proposals' spread and centre to the MD frames'"),
		rotGroup:      fs.String("rot-group", "", "weight the IS proposals with a rotation mixture over a finite rotation group, randomly conjugated per proposal, instead of -rot-mix's random orientations: tetrahedral (12), octahedral (24) or icosahedral (60); empty = none"),
		comMix:        fs.Bool("com-mix", false, "with -rot-mix k > 1 or -rot-group, give every extra mixture component a fresh centroid drawn from the density the CoM adjustment divides by (exact, no extra forward pass; averages the flow's centroid dependence out of the IS weights)"),
		relabel:       fs.Bool("relabel", false, "with -rot-mix k > 1, also relabel each methyl group's hydrogens by a random cyclic shift in every extra mixture component (exact; the energy is invariant under it)"),
		calibBins:     fs.Int("calibrate-torsion-bins", 72, "histogram bins of the calibration's soft-torsion maps (φ, ψ, methyl rotations moved onto the MD marginals; -1 leaves them alone)"),
		calibN:        fs.Int("calibrate-proposals", 5000, "separate proposals drawn to fit the calibration"),
		calibFrames:   fs.Int("calibrate-frames", 20000, "MD frames used to fit the calibration (thinned evenly)"),
		priorStd:      fs.Float64("prior-std", 1, "latent standard deviation τ of the proposal: z ~ N(0, τ²I) (1 = the trained flow, SBG's proposal; τ < 1 a colder proposal with an exact density)"),
	}
}

func (f *sbgFlags) load() (*boltzmann.SystemSetup, *boltzmann.Model, boltzmann.SBGConfig, error) {
	var cfg boltzmann.SBGConfig
	if *f.model == "" {
		return nil, nil, cfg, fmt.Errorf("-model is required")
	}
	setup, err := boltzmann.LoadSystem(*f.system)
	if err != nil {
		return nil, nil, cfg, err
	}
	m, err := boltzmann.LoadModel(*f.model, setup.Top.NumAtoms())
	if err != nil {
		return nil, nil, cfg, err
	}
	if m.System != "" && m.System != setup.Key {
		return nil, nil, cfg, fmt.Errorf("%s: model was trained for system %q, not %q", *f.model, m.System, setup.Key)
	}
	com, err := boltzmann.ParseComVariant(*f.com)
	if err != nil {
		return nil, nil, cfg, err
	}
	var kernel smc.Kernel
	switch *f.kernel {
	case "ula":
		kernel = smc.ULA
	case "mala":
		kernel = smc.MALA
	default:
		return nil, nil, cfg, fmt.Errorf("unknown -kernel %q (want ula or mala)", *f.kernel)
	}
	scheme, err := smc.ParseScheme(*f.scheme)
	if err != nil {
		return nil, nil, cfg, err
	}
	cfg = boltzmann.SBGConfig{
		Proposals: *f.n, BatchSize: *f.batch, Workers: *f.workers, Seed: *f.seed,
		Com: com, ComNone: com == boltzmann.ComNone, ComEmpirical: *f.comEmpirical,
		ClipQuantile: *f.clip, SkipSMC: *f.noSMC, SMCParticles: *f.particles, TW2Samples: *f.tw2, Steps: *f.steps, StepSize: *f.h,
		Kernel: kernel, ESSThreshold: *f.ess, Scheme: scheme, ReferenceLoop: *f.refLoop,
		MovesPerStep: *f.moves, Adapt: *f.adapt, RefineSteps: *f.refine, RefineStepSize: *f.refineH,
		Progress: os.Stderr,
	}
	if cfg.ClipQuantile == 0 {
		cfg.ClipQuantile = -1
	}
	if cfg.StepSize == 0 {
		cfg.StepSize = setup.StepSize
	}
	if *f.moves < 1 {
		return nil, nil, cfg, fmt.Errorf("-moves %d: want at least 1", *f.moves)
	}
	if *f.refine < 0 || !(*f.refineH > 0) {
		return nil, nil, cfg, fmt.Errorf("-refine %d -refine-h %g: want refine ≥ 0 and a positive step", *f.refine, *f.refineH)
	}
	if !(*f.priorStd > 0) || math.IsInf(*f.priorStd, 1) {
		return nil, nil, cfg, fmt.Errorf("-prior-std %g: want a positive finite standard deviation", *f.priorStd)
	}
	cfg.PriorStd = *f.priorStd
	if *f.rotMix < 1 {
		return nil, nil, cfg, fmt.Errorf("-rot-mix %d: want at least 1", *f.rotMix)
	}
	cfg.RotationMixture = *f.rotMix
	cfg.ComMixture = *f.comMix
	if g := *f.rotGroup; g != "" {
		if *f.rotMix > 1 || *f.relabel {
			return nil, nil, cfg, fmt.Errorf("-rot-group %s replaces -rot-mix and cannot be combined with it or with -relabel", g)
		}
		if _, err := boltzmann.RotationGroup(g); err != nil {
			return nil, nil, cfg, fmt.Errorf("-rot-group: %w", err)
		}
		cfg.RotationGroup = g
	}
	if *f.relabel {
		if *f.rotMix < 2 {
			return nil, nil, cfg, fmt.Errorf("-relabel needs -rot-mix 2 or more")
		}
		if cfg.Relabel, err = setup.EquivalentHydrogens(); err != nil {
			return nil, nil, cfg, err
		}
	}
	if *f.calib != "" {
		frames, err := boltzmann.LoadFrames(*f.calib, setup.Top.NumAtoms())
		if err != nil {
			return nil, nil, cfg, fmt.Errorf("-calibrate: %w", err)
		}
		if *f.calibFrames < 10 {
			return nil, nil, cfg, fmt.Errorf("-calibrate-frames %d: want at least 10", *f.calibFrames)
		}
		c, err := boltzmann.FitModelCalibration(setup, m, boltzmann.Subsample(frames, *f.calibFrames), *f.calibN, *f.seed, *f.workers,
			boltzmann.CalibrationConfig{Strength: *f.calibStrength, TorsionBins: *f.calibBins})
		if err != nil {
			return nil, nil, cfg, fmt.Errorf("-calibrate %s: %w", *f.calib, err)
		}
		fmt.Fprintf(os.Stderr, "calibration: stiff strength %g, torsion bins %d, %d MD frames of %s, %d proposals\n", c.Strength, c.TorsionBins, c.RefRows, *f.calib, c.ProposalRows)
		cfg.Calibration = c
	}
	if *f.adapt && kernel != smc.MALA {
		return nil, nil, cfg, fmt.Errorf("-adapt needs -kernel mala")
	}
	cut := *f.cutoff
	if math.IsNaN(cut) {
		cut = setup.EnergyCutoff
	}
	if !math.IsInf(cut, 1) {
		cfg.UseEnergyCutoff, cfg.EnergyCutoff = true, cut
	}
	if !*f.noChiral {
		cfg.Chirality = setup.Chirality(nil)
	}
	return setup, m, cfg, nil
}

func sample(args []string) error {
	fs := flag.NewFlagSet("sample", flag.ContinueOnError)
	f := addSBGFlags(fs)
	out := fs.String("out", "proposals.npy", "output .npy of proposals in nm [n, atoms, 3]")
	if err := fs.Parse(args); err != nil {
		return err
	}
	*f.noSMC = true
	setup, m, cfg, err := f.load()
	if err != nil {
		return err
	}
	target, err := boltzmann.NewTarget(setup.Sys, setup.Spec.Temperature, m.Norm.Std)
	if err != nil {
		return err
	}
	res, err := boltzmann.RunSBG(m, target, cfg)
	if err != nil {
		return err
	}
	xs := res.Proposals
	if res.Calibrated != nil {
		xs = res.Calibrated
	}
	nm := make([][]float64, len(xs))
	for i, x := range xs {
		nm[i] = m.Norm.Denormalize(nil, x)
	}
	if err := traj.WriteNPY(*out, nm, setup.Top.NumAtoms()); err != nil {
		return err
	}
	fmt.Printf("wrote %d proposals of %s to %s (%.1f proposals/s; IS ESS %.4f; %d non-finite)\n",
		len(nm), setup.Key, *out, res.ProposalsPerSec, res.ISESS, res.NonFinite)
	return nil
}

func eval(args []string) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	f := addSBGFlags(fs)
	ref := fs.String("ref", "", "reference MD test frames .npy [frames, atoms, 3] in nm (required)")
	out := fs.String("out", "", "output directory for results.json, table.md and PNGs (default: beside -model, eval/)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *ref == "" {
		return fmt.Errorf("eval: -ref is required")
	}
	setup, m, cfg, err := f.load()
	if err != nil {
		return err
	}
	frames, err := boltzmann.LoadFrames(*ref, setup.Top.NumAtoms())
	if err != nil {
		return err
	}
	if *out == "" {
		*out = filepath.Join(filepath.Dir(*f.model), "eval")
	}
	rep, err := boltzmann.Evaluate(setup, m, frames, cfg, *out)
	if err != nil {
		return err
	}
	fmt.Print(rep.Markdown())
	fmt.Printf("\nwrote %v\n", rep.Files)
	return nil
}
