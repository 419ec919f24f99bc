// Command sac trains the SAC baseline (package agents, CleanRL's settings with automatic α) on one
// environment and writes DIR/eval.csv (step,return_mean,return_std,episodes), DIR/train.csv, DIR/curve.png,
// DIR/checkpoint.safetensors, DIR/replay.bin and DIR/config.json.
//
//	go run ./experiments/sac -env Pendulum-v1 -steps 20000 -seed 0 -out runs/sac-pendulum
//	go run ./experiments/sac -resume runs/sac-pendulum
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/boltzflow/boltzflow/agents"
	"github.com/boltzflow/boltzflow/envs"
)

type config struct {
	Env      string
	Seed     int64
	Agent    agents.SACConfig
	Train    agents.TrainConfig
	EvalMode string
	// MaxEpisodeSteps overrides the registered time limit when > 0 (training and evaluation environments).
	MaxEpisodeSteps int `json:",omitempty"`
}

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "sac:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("sac", flag.ContinueOnError)
	env := fs.String("env", "Pendulum-v1", "environment id")
	steps := fs.Int("steps", 0, "environment steps (0: preset)")
	seed := fs.Int64("seed", 0, "random seed")
	tau := fs.Float64("tau", 0.005, "Polyak rate τ in (0, 1]")
	gamma := fs.Float64("gamma", 0.99, "discount γ in (0, 1]")
	starts := fs.Int("learning-starts", -1, "warm-up steps with uniform random actions (-1: preset)")
	evalEvery := fs.Int("eval-every", 0, "evaluate every N steps (0: preset)")
	evalEps := fs.Int("eval-episodes", 10, "evaluation episodes (environments reset with seeds 0..N-1)")
	evalMode := fs.String("eval-mode", "deterministic", "evaluation actions: deterministic or stochastic")
	batch := fs.Int("batch", 256, "batch size")
	buffer := fs.Int("buffer", 1_000_000, "replay buffer capacity")
	logEvery := fs.Int("log-every", 1000, "train.csv row every N steps")
	maxEp := fs.Int("max-episode-steps", 0, "time limit of training and evaluation episodes (0: the registered one)")
	out := fs.String("out", "", "output directory (required unless -resume)")
	resume := fs.String("resume", "", "continue the run saved in this directory")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	var cfg config
	dir := *out
	if *resume != "" {
		// The run's settings come from its config.json; only the step budget may change.
		var fixed []string
		fs.Visit(func(f *flag.Flag) {
			if f.Name != "resume" && f.Name != "steps" {
				fixed = append(fixed, "-"+f.Name)
			}
		})
		if len(fixed) > 0 {
			return fmt.Errorf("-resume takes its settings from %s; only -steps may be given with it, not %s",
				filepath.Join(*resume, "config.json"), strings.Join(fixed, ", "))
		}
		dir = *resume
		raw, err := os.ReadFile(filepath.Join(dir, "config.json"))
		if err != nil {
			return fmt.Errorf("resume: %w", err)
		}
		if err := json.Unmarshal(raw, &cfg); err != nil {
			return fmt.Errorf("resume: %s: %w", filepath.Join(dir, "config.json"), err)
		}
		if *steps > 0 {
			cfg.Train.Steps = *steps
		}
	} else {
		if dir == "" {
			return errors.New("-out DIR is required")
		}
		if _, ok := envs.Lookup(*env); !ok {
			return fmt.Errorf("unknown -env %q; valid: %s", *env, strings.Join(envs.IDs(), ", "))
		}
		probe, err := envs.Make(*env, envs.Options{MaxEpisodeSteps: *maxEp})
		if err != nil {
			return err
		}
		p := agents.LookupSACPreset(*env)
		ac := agents.DefaultSACConfig(probe.ObservationSpace().Dim(), probe.ActionSpace().Dim())
		ac.Tau, ac.Gamma = *tau, *gamma
		tc := agents.TrainConfig{Steps: p.Steps, LearningStarts: p.LearningStarts, BatchSize: *batch, BufferSize: *buffer,
			EvalEvery: p.EvalEvery, EvalEpisodes: *evalEps, LogEvery: *logEvery}
		if *steps > 0 {
			tc.Steps = *steps
		}
		if *starts >= 0 {
			tc.LearningStarts = *starts
		}
		if *evalEvery > 0 {
			tc.EvalEvery = *evalEvery
		}
		cfg = config{Env: *env, Seed: *seed, Agent: ac, Train: tc, EvalMode: *evalMode, MaxEpisodeSteps: *maxEp}
	}
	a, t := cfg.Agent, cfg.Train
	switch {
	case cfg.EvalMode != "deterministic" && cfg.EvalMode != "stochastic":
		return fmt.Errorf("-eval-mode %q: valid values are deterministic, stochastic", cfg.EvalMode)
	case !(a.Tau > 0 && a.Tau <= 1):
		return fmt.Errorf("-tau %v: must be in (0, 1]", a.Tau)
	case !(a.Gamma > 0 && a.Gamma <= 1):
		return fmt.Errorf("-gamma %v: must be in (0, 1]", a.Gamma)
	case t.Steps <= 0 || t.EvalEvery <= 0 || t.EvalEpisodes <= 0 || t.LogEvery <= 0:
		return fmt.Errorf("-steps %d, -eval-every %d, -eval-episodes %d, -log-every %d: must be > 0", t.Steps, t.EvalEvery, t.EvalEpisodes, t.LogEvery)
	case t.BatchSize <= 0 || t.BufferSize < t.BatchSize:
		return fmt.Errorf("-batch %d, -buffer %d: need 0 < batch ≤ buffer", t.BatchSize, t.BufferSize)
	case cfg.MaxEpisodeSteps < 0:
		return fmt.Errorf("-max-episode-steps %d: must be ≥ 0 (0: the registered limit)", cfg.MaxEpisodeSteps)
	}
	cfg.Train.Deterministic = cfg.EvalMode == "deterministic"
	if *resume == "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		raw, _ := json.MarshalIndent(cfg, "", "  ")
		if err := agents.WriteFileAtomic(filepath.Join(dir, "config.json"), raw); err != nil {
			return err
		}
	}
	agent := agents.NewSAC(cfg.Agent, uint64(cfg.Seed))
	eval, err := agents.RunExperiment(agents.RunSpec{Method: "SAC", EnvID: cfg.Env, Seed: cfg.Seed, Out: dir,
		Resume: *resume != "", Train: cfg.Train, EnvOptions: envs.Options{MaxEpisodeSteps: cfg.MaxEpisodeSteps},
		Progress: os.Stderr}, agent)
	if err != nil {
		return err
	}
	if n := len(eval.Rows); n > 0 {
		last := eval.Rows[n-1]
		fmt.Printf("SAC %s seed %d: final %s eval return %.2f ± %.2f at step %.0f\n", cfg.Env, cfg.Seed, cfg.EvalMode, last[1], last[2], last[0])
	}
	return nil
}
