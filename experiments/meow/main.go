// Command meow trains the MEow agent (package agents) on one environment and writes DIR/eval.csv
// (step,return_mean,return_std,episodes), DIR/train.csv (losses, α, Q and V statistics, steps/s),
// DIR/curve.png, DIR/checkpoint.safetensors, DIR/replay.bin and DIR/config.json; on MultiGoal-v0 also
// DIR/value.png, the learned V(s) as a heat map with the evaluation trajectories, and DIR/value-MODE.png with
// the trajectories of the other evaluation mode.
//
//	go run ./experiments/meow -env Pendulum-v1 -steps 20000 -seed 0 -out runs/meow-pendulum
//	go run ./experiments/meow -resume runs/meow-pendulum        # continue a killed run
//
// Settings default to the per-environment presets of meow.md §7 (agents.MEowPresets); flags override them.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/boltzflow/boltzflow/agents"
	"github.com/boltzflow/boltzflow/envs"
)

// config is everything that defines a run; it is saved as config.json and reloaded by -resume.
type config struct {
	Env      string
	Seed     int64
	Agent    agents.MEowConfig
	Train    agents.TrainConfig
	EvalMode string
	// MaxEpisodeSteps overrides the registered time limit when > 0 (training and evaluation environments).
	MaxEpisodeSteps int `json:",omitempty"`
}

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "meow:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("meow", flag.ContinueOnError)
	env := fs.String("env", "Pendulum-v1", "environment id (see -env list)")
	steps := fs.Int("steps", 0, "environment steps (0: preset)")
	seed := fs.Int64("seed", 0, "random seed")
	alpha := fs.Float64("alpha", 0, "fixed temperature α > 0 (0: preset)")
	tau := fs.Float64("tau", 0, "Polyak rate τ in (0, 1] (0: preset)")
	gamma := fs.Float64("gamma", 0, "discount γ in (0, 1] (0: preset)")
	sigma := fs.String("sigma-range", "", "bounds of log σ as \"min,max\" (empty: preset)")
	starts := fs.Int("learning-starts", -1, "warm-up steps with uniform random actions (-1: preset)")
	evalEvery := fs.Int("eval-every", 0, "evaluate every N steps (0: preset)")
	evalEps := fs.Int("eval-episodes", 10, "evaluation episodes (environments reset with seeds 0..N-1)")
	evalMode := fs.String("eval-mode", "deterministic", "evaluation actions: deterministic or stochastic")
	batch := fs.Int("batch", 256, "batch size")
	buffer := fs.Int("buffer", 1_000_000, "replay buffer capacity")
	logEvery := fs.Int("log-every", 1000, "train.csv row every N steps")
	flowHidden := fs.String("flow-hidden", "", "hidden widths of σ-net and translation nets, e.g. \"64,64\" (empty: paper)")
	shiftHidden := fs.String("shift-hidden", "", "hidden widths of the shift nets b1, b2, e.g. \"256,256\" (empty: paper)")
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
		p, err := agents.LookupMEowPreset(*env)
		if err != nil {
			return err
		}
		probe, err := envs.Make(*env, envs.Options{})
		if err != nil {
			return err
		}
		ac := agents.DefaultMEowConfig(probe.ObservationSpace().Dim(), probe.ActionSpace().Dim())
		p.Apply(&ac)
		tc := agents.TrainConfig{Steps: p.Steps, LearningStarts: p.LearningStarts, BatchSize: *batch, BufferSize: *buffer,
			EvalEvery: p.EvalEvery, EvalEpisodes: *evalEps, LogEvery: *logEvery}
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		if set["steps"] {
			tc.Steps = *steps
		}
		if set["alpha"] {
			ac.Alpha = *alpha
		}
		if set["tau"] {
			ac.Tau = *tau
		}
		if set["gamma"] {
			ac.Gamma = *gamma
		}
		if set["learning-starts"] {
			tc.LearningStarts = *starts
		}
		if set["eval-every"] {
			tc.EvalEvery = *evalEvery
		}
		if *sigma != "" {
			lo, hi, err := parseRange(*sigma)
			if err != nil {
				return fmt.Errorf("-sigma-range %q: %w", *sigma, err)
			}
			ac.LogSigmaMin, ac.LogSigmaMax = lo, hi
		}
		if *flowHidden != "" {
			if ac.FlowHidden, err = parseWidths(*flowHidden); err != nil {
				return fmt.Errorf("-flow-hidden %q: %w", *flowHidden, err)
			}
		}
		if *shiftHidden != "" {
			if ac.ShiftHidden, err = parseWidths(*shiftHidden); err != nil {
				return fmt.Errorf("-shift-hidden %q: %w", *shiftHidden, err)
			}
		}
		cfg = config{Env: *env, Seed: *seed, Agent: ac, Train: tc, EvalMode: *evalMode, MaxEpisodeSteps: *maxEp}
	}
	if err := validate(cfg); err != nil {
		return err
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
	envOpts := envs.Options{MaxEpisodeSteps: cfg.MaxEpisodeSteps}
	agent := agents.NewMEow[float32](cfg.Agent, uint64(cfg.Seed))
	eval, err := agents.RunExperiment(agents.RunSpec{Method: "MEow", EnvID: cfg.Env, Seed: cfg.Seed, Out: dir,
		Resume: *resume != "", Train: cfg.Train, EnvOptions: envOpts, Progress: os.Stderr}, agent)
	if err != nil {
		return err
	}
	if cfg.Env == "MultiGoal-v0" {
		_, test, err := agents.MakeEnvsWith(cfg.Env, cfg.Train.EvalEpisodes, envOpts)
		if err != nil {
			return err
		}
		// value.png shows the trajectories in the evaluation mode; the other mode's go to value-MODE.png.
		other := map[string]string{"deterministic": "stochastic", "stochastic": "deterministic"}[cfg.EvalMode]
		for _, m := range []struct{ mode, file string }{{cfg.EvalMode, "value.png"}, {other, "value-" + other + ".png"}} {
			path := filepath.Join(dir, m.file)
			goals, err := agents.PlotValueMap(path, agent, test, -7, 7, m.mode == "deterministic")
			if err != nil {
				return err
			}
			fmt.Printf("MEow %s seed %d: %d of 4 goals reached by %d %s episodes (value map in %s)\n",
				cfg.Env, cfg.Seed, goals, cfg.Train.EvalEpisodes, m.mode, path)
		}
	}
	if n := len(eval.Rows); n > 0 {
		last := eval.Rows[n-1]
		fmt.Printf("MEow %s seed %d: final %s eval return %.2f ± %.2f at step %.0f\n", cfg.Env, cfg.Seed, cfg.EvalMode, last[1], last[2], last[0])
	}
	return nil
}

func parseRange(s string) (float64, float64, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 2 {
		return 0, 0, errors.New("want two numbers \"min,max\"")
	}
	lo, err := strconv.ParseFloat(strings.TrimSpace(parts[0]), 64)
	if err != nil {
		return 0, 0, err
	}
	hi, err := strconv.ParseFloat(strings.TrimSpace(parts[1]), 64)
	if err != nil {
		return 0, 0, err
	}
	if !(lo < hi) {
		return 0, 0, fmt.Errorf("min %v must be below max %v", lo, hi)
	}
	return lo, hi, nil
}

func parseWidths(s string) ([]int, error) {
	var w []int
	for _, p := range strings.Split(s, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil {
			return nil, err
		}
		if v <= 0 {
			return nil, fmt.Errorf("width %d must be > 0", v)
		}
		w = append(w, v)
	}
	return w, nil
}

func validate(c config) error {
	a, t := c.Agent, c.Train
	switch {
	case c.EvalMode != "deterministic" && c.EvalMode != "stochastic":
		return fmt.Errorf("-eval-mode %q: valid values are deterministic, stochastic", c.EvalMode)
	case !(a.Alpha > 0):
		return fmt.Errorf("-alpha %v: must be > 0", a.Alpha)
	case !(a.Tau > 0 && a.Tau <= 1):
		return fmt.Errorf("-tau %v: must be in (0, 1]", a.Tau)
	case !(a.Gamma > 0 && a.Gamma <= 1):
		return fmt.Errorf("-gamma %v: must be in (0, 1]", a.Gamma)
	case t.Steps <= 0:
		return fmt.Errorf("-steps %d: must be > 0", t.Steps)
	case t.LearningStarts < 0:
		return fmt.Errorf("-learning-starts %d: must be ≥ 0", t.LearningStarts)
	case t.EvalEvery <= 0 || t.EvalEpisodes <= 0:
		return fmt.Errorf("-eval-every %d and -eval-episodes %d must be > 0", t.EvalEvery, t.EvalEpisodes)
	case t.BatchSize <= 0 || t.BufferSize < t.BatchSize:
		return fmt.Errorf("-batch %d, -buffer %d: need 0 < batch ≤ buffer", t.BatchSize, t.BufferSize)
	case t.LogEvery <= 0:
		return fmt.Errorf("-log-every %d: must be > 0", t.LogEvery)
	case c.MaxEpisodeSteps < 0:
		return fmt.Errorf("-max-episode-steps %d: must be ≥ 0 (0: the registered limit)", c.MaxEpisodeSteps)
	}
	return nil
}
