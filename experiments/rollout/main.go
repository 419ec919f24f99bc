// Command rollout runs one environment with a fixed control law and writes
// the trajectory as CSV, for comparison with MuJoCo reference rollouts.
//
// Usage:
//
//	go run ./experiments/rollout -env ID -actions zero|sine|FILE.csv \
//	    [-noise=false] [-steps N] -out traj.csv [-integrator euler|rk4] \
//	    [-model FILE.xml] [-seed S]
//
// One CSV row per env step, starting with step 0 (the state after reset),
// with columns step,time,qpos0..,qvel0..,ctrl0..,reward,terminated,truncated.
// -actions sine is the control law of the shared reference data
// (envs.SineAction: ctrl_j = c_j + 0.8 r_j sin(2π(1 + 0.37 j) t + 0.5 j) with
// t the time at the start of the step); FILE.csv holds one action per row.
// With -noise=false the episode starts exactly at qpos0 with zero velocity
// (Reacher's goal at its qpos0) and the rollout keeps stepping past
// termination up to -steps; with reset noise it stops at the end of the
// first episode. The output file is written atomically. A summary (return
// and length of the first episode) is printed to stderr.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/boltzflow/boltzflow/envs"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "rollout:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("rollout", flag.ContinueOnError)
	id := fs.String("env", "", "environment id, one of: "+strings.Join(envs.IDs(), ", "))
	actions := fs.String("actions", "zero", "control law: zero, sine, or a CSV file with one action per row")
	noise := fs.Bool("noise", true, "reset noise; false starts at qpos0 with zero velocity and steps past termination")
	steps := fs.Int("steps", 1000, "number of env steps")
	out := fs.String("out", "", "output CSV path")
	integrator := fs.String("integrator", "", "override the model's integrator: euler or rk4")
	model := fs.String("model", "", "user MJCF file replacing the task's embedded model")
	seed := fs.Int64("seed", 0, "reset seed")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *id == "" || *out == "" {
		return fmt.Errorf("-env and -out are required")
	}
	if *steps <= 0 {
		return fmt.Errorf("-steps = %d, want > 0", *steps)
	}
	env, err := envs.Make(*id, envs.Options{NoResetNoise: !*noise, Integrator: *integrator, ModelPath: *model})
	if err != nil {
		return err
	}
	space := env.ActionSpace()
	var act envs.ActionFunc
	switch *actions {
	case "zero":
		act = func(_ int, _ float64, dst []float64) error { clear(dst); return nil }
	case "sine":
		act = func(_ int, t float64, dst []float64) error { envs.SineAction(dst, space, t); return nil }
	default:
		f, err := os.Open(*actions)
		if err != nil {
			return err
		}
		rows, err := envs.ReadActionsCSV(f, *actions, space.Dim())
		f.Close()
		if err != nil {
			return err
		}
		if len(rows) < *steps {
			return fmt.Errorf("%s has %d action rows, -steps %d needs %d", *actions, len(rows), *steps, *steps)
		}
		act = func(k int, _ float64, dst []float64) error { copy(dst, rows[k-1]); return nil }
	}

	tmp, err := os.CreateTemp(filepath.Dir(*out), filepath.Base(*out)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	start := time.Now()
	last := start
	sum, rerr := envs.Rollout(tmp, env, envs.RolloutConfig{
		Steps: *steps, Seed: *seed, Action: act, PastTermination: !*noise,
		Progress: func(k int) {
			if now := time.Now(); now.Sub(last) >= time.Second || k == *steps {
				last = now
				el := now.Sub(start).Seconds()
				rate := float64(k) / el
				eta := float64(*steps-k) / rate
				fmt.Fprintf(os.Stderr, "step %d/%d  %.0f steps/s  ETA %.1fs\n", k, *steps, rate, eta)
			}
		},
	})
	if cerr := tmp.Close(); rerr == nil {
		rerr = cerr
	}
	if rerr != nil {
		return fmt.Errorf("after %d steps: %w", sum.Steps, rerr)
	}
	if err := os.Rename(tmp.Name(), *out); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "%s: %d steps written to %s; first episode: return %.6g, length %d, terminated %v, truncated %v\n",
		*id, sum.Steps, *out, sum.Return, sum.Length, sum.Terminated, sum.Truncated)
	return nil
}
