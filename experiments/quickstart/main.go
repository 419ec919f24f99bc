// Command quickstart runs Boltzflow's main job on the data shipped in the repository: the Sequential
// Boltzmann Generator on alanine dipeptide (amber99SB-ILDN + OBC2, 300 K). It loads the small TarFlow
// checkpoint trained by experiments/sbg (boltzmann/testdata/aldp_tarflow_cpu.ckpt), draws 10,000
// proposals with exact log-likelihoods, reweights them by importance sampling and by annealed-Langevin
// SMC against the Go force field (adaptive MALA moves by default, -sbg-smc for the paper's ULA), follows
// SMC with 300 MALA moves on the target (reported separately), and prints the metrics table (ESS, energy-W2, torus-W2) against the
// shipped 10,000-frame MD test set (experiments/quickstart/data/aldp-300K-test.npy, made by
// experiments/md; command in the README). It then trains MEow on Pendulum-v1 for a short run and prints
// its evaluation return.
//
//	go run ./experiments/quickstart [-out quickstart-out] [-seed 0] [-proposals 10000] [-meow-steps 8000]
//
// DIR (-out) receives results.json (keys ess_is, ew2_is, tw2_is, ess_smc, ew2_smc, tw2_smc), table.md,
// the Ramachandran and energy-histogram PNGs, and the MEow run (meow-pendulum/: eval.csv, curve.png, …).
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/boltzflow/boltzflow/agents"
	"github.com/boltzflow/boltzflow/boltzmann"
	"github.com/boltzflow/boltzflow/envs"
)

// Paths of the shipped inputs, relative to the repository root.
const (
	modelRel = "boltzmann/testdata/aldp_tarflow_cpu.ckpt"
	refRel   = "experiments/quickstart/data/aldp-300K-test.npy"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("quickstart", flag.ContinueOnError)
	out := fs.String("out", "quickstart-out", "output directory")
	seed := fs.Uint64("seed", 0, "random seed of every stage")
	proposals := fs.Int("proposals", 10000, "flow proposals drawn for importance sampling")
	smcParticles := fs.Int("smc-particles", 2000, "SMC particles: the first proposals below the energy cut-off (CPU budget)")
	noCutoff := fs.Bool("no-cutoff", false, "no energy cut-off before SMC: start SMC from the first proposals of all")
	model := fs.String("model", "", "TarFlow checkpoint (default: the shipped "+modelRel+")")
	ref := fs.String("ref", "", "MD test frames, .npy float32 [frames, atoms, 3] in nm (default: the shipped "+refRel+")")
	meowSteps := fs.Int("meow-steps", 8000, "MEow training steps on Pendulum-v1 (0 skips the RL part)")
	sbgDefaults := fs.Bool("sbg-smc", false, "use the SBG paper's SMC move (ULA, h = 1e-7) instead of the CPU setting (adaptive MALA from h = 1e-5)")
	tw2Samples := fs.Int("tw2-samples", 10000, "samples per set for the exact torus W2 (sets are thinned evenly to this size)")
	refine := fs.Int("refine", 300, "MALA moves on the target after SMC, reported as the flow-SMC+MALA row (0 = none)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *proposals < 1 || *smcParticles < 1 || *tw2Samples < 1 {
		return fmt.Errorf("-proposals %d -smc-particles %d -tw2-samples %d: want at least 1 of each", *proposals, *smcParticles, *tw2Samples)
	}
	if *model == "" || *ref == "" {
		root, err := repoRoot()
		if err != nil {
			return err
		}
		if *model == "" {
			*model = filepath.Join(root, modelRel)
		}
		if *ref == "" {
			*ref = filepath.Join(root, refRel)
		}
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}

	start := time.Now()
	fmt.Fprintf(os.Stderr, "quickstart: SBG on alanine dipeptide: %d proposals, IS and SMC (%d particles)\n", *proposals, *smcParticles)
	rep, err := boltzmann.Quickstart(boltzmann.QuickstartConfig{
		System: "aldp", ModelPath: *model, RefPath: *ref, OutDir: *out,
		Proposals: *proposals, SMCParticles: *smcParticles, TW2Samples: *tw2Samples, Seed: *seed,
		// The system's energy cut-off (10 kT for ALDP) is on: SMC starts
		// from the first -smc-particles proposals below it (about a
		// quarter of the shipped flow's proposals), -no-cutoff starts it
		// from the first proposals of all.
		NoEnergyCutoff: *noCutoff,
		// The CPU-trained flow's proposals are far from the target, so
		// ULA with the SBG's h = 1e-7 barely moves them; adaptive MALA
		// (exact for every intermediate density) repairs much more.
		MALA:        !*sbgDefaults,
		StepSize:    malaStep(*sbgDefaults),
		RefineSteps: *refine,
		Progress:    os.Stderr,
	})
	if err != nil {
		return err
	}
	fmt.Println(rep.Markdown())
	fmt.Printf("SBG wall time %s; results in %s\n\n", time.Since(start).Round(time.Second), filepath.Join(*out, "results.json"))

	if *meowSteps <= 0 {
		return nil
	}
	return meowPendulum(*out, int64(*seed), *meowSteps)
}

// malaStep is the initial SMC step size: 0 (the system's SBG value) for the
// paper's ULA setting, 1e-5 (normalised units, then adapted) for MALA.
func malaStep(sbg bool) float64 {
	if sbg {
		return 0
	}
	return 1e-5
}

// meowPendulum trains MEow on Pendulum-v1 with its preset for steps environment steps, evaluating at the end,
// and prints the final deterministic evaluation return.
func meowPendulum(out string, seed int64, steps int) error {
	const env = "Pendulum-v1"
	p, err := agents.LookupMEowPreset(env)
	if err != nil {
		return err
	}
	probe, err := envs.Make(env, envs.Options{})
	if err != nil {
		return err
	}
	ac := agents.DefaultMEowConfig(probe.ObservationSpace().Dim(), probe.ActionSpace().Dim())
	p.Apply(&ac)
	tc := agents.TrainConfig{Steps: steps, LearningStarts: min(p.LearningStarts, steps/2), BatchSize: 256,
		BufferSize: 1_000_000, EvalEvery: steps, EvalEpisodes: 10, LogEvery: 1000, Deterministic: true}
	dir := filepath.Join(out, "meow-pendulum")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	start := time.Now()
	fmt.Fprintf(os.Stderr, "quickstart: MEow on %s for %d steps\n", env, steps)
	agent := agents.NewMEow[float32](ac, uint64(seed))
	eval, err := agents.RunExperiment(agents.RunSpec{Method: "MEow", EnvID: env, Seed: seed, Out: dir,
		Train: tc, Progress: os.Stderr}, agent)
	if err != nil {
		return err
	}
	if n := len(eval.Rows); n > 0 {
		last := eval.Rows[n-1]
		fmt.Printf("MEow %s, %d steps, seed %d: deterministic eval return %.1f ± %.1f over %d episodes (%s; curve in %s)\n",
			env, steps, seed, last[1], last[2], tc.EvalEpisodes, time.Since(start).Round(time.Second), filepath.Join(dir, "curve.png"))
	}
	return nil
}

// repoRoot returns the directory of the Boltzflow go.mod at or above the working directory, where the
// shipped inputs live.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if raw, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && len(raw) > 0 {
			if _, err := os.Stat(filepath.Join(dir, modelRel)); err == nil {
				return dir, nil
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("run from inside the Boltzflow repository (the shipped model " + modelRel +
				" was not found above the working directory), or pass -model and -ref")
		}
		dir = parent
	}
}
