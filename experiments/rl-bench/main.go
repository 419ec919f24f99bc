// Command rl-bench trains MEow and SAC on several environments and seeds, running the jobs in parallel on a
// fixed job list (results do not depend on the number of workers), and prints a markdown table of the final
// evaluation return (mean ± std over seeds) and the environment steps per second of each method. With -out it
// keeps one run directory per job (as experiments/meow and experiments/sac write them) and a learning-curve PNG
// per environment (curve-ENV.png: mean ± std over seeds per method) and results.csv (one row per run); with -resume a killed benchmark continues:
// finished runs are only re-evaluated, interrupted ones continue from their last checkpoint.
//
//	go run ./experiments/rl-bench -envs Pendulum-v1,MultiGoal-v0 -seeds 0,1,2 -steps 20000 -out runs/bench
//	go run ./experiments/rl-bench -envs Hopper-v5 -seeds 0,1,2 -steps 300000 -out runs/mujoco -resume
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"gonum.org/v1/plot/vg"

	"github.com/boltzflow/boltzflow/agents"
	"github.com/boltzflow/boltzflow/envs"
)

type job struct {
	method, env string
	seed        int64
}

type result struct {
	det, sto  float64 // final evaluation returns (10 episodes) in both modes
	stepsPerS float64
	eval      *agents.Table // evaluations during training
	trained   bool          // this process trained the run (false: found complete)
	err       error
}

type jobOptions struct {
	steps  int // 0: preset
	det    bool
	out    string
	resume bool
	env    envs.Options
}

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "rl-bench:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("rl-bench", flag.ContinueOnError)
	envList := fs.String("envs", "Pendulum-v1", "comma-separated environment ids")
	seedList := fs.String("seeds", "0,1,2", "comma-separated seeds")
	methodList := fs.String("methods", "meow,sac", "comma-separated methods: meow, sac")
	steps := fs.Int("steps", 0, "environment steps per run (0: per-environment presets)")
	workers := fs.Int("workers", 2, "runs in parallel")
	evalMode := fs.String("eval-mode", "deterministic", "evaluation actions during training: deterministic or stochastic")
	out := fs.String("out", "", "directory for the per-run outputs (empty: none)")
	resume := fs.Bool("resume", false, "continue the runs found in -out (finished ones are only evaluated)")
	perSeed := fs.Bool("per-seed", false, "also print one table row per seed")
	report := fs.Bool("report", false, "train nothing: report the progress of the runs in -out (table and per-seed curves)")
	maxEp := fs.Int("max-episode-steps", 0, "time limit of training and evaluation episodes (0: the registered one)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if (*resume || *report) && *out == "" {
		return errors.New("-resume and -report need -out DIR")
	}
	if *maxEp < 0 {
		return fmt.Errorf("-max-episode-steps %d: must be ≥ 0 (0: the registered limit)", *maxEp)
	}
	if *steps < 0 {
		return fmt.Errorf("-steps %d: must be ≥ 0 (0: per-environment presets)", *steps)
	}
	if *evalMode != "deterministic" && *evalMode != "stochastic" {
		return fmt.Errorf("-eval-mode %q: valid values are deterministic, stochastic", *evalMode)
	}
	if *workers < 1 {
		return fmt.Errorf("-workers %d: must be ≥ 1", *workers)
	}
	envIDs := split(*envList)
	for _, id := range envIDs {
		if _, ok := envs.Lookup(id); !ok {
			return fmt.Errorf("unknown environment %q; valid: %s", id, strings.Join(envs.IDs(), ", "))
		}
	}
	methods := split(*methodList)
	for _, m := range methods {
		if m != "meow" && m != "sac" {
			return fmt.Errorf("unknown method %q; valid: meow, sac", m)
		}
	}
	var seeds []int64
	for _, s := range split(*seedList) {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return fmt.Errorf("-seeds: %q is not an integer", s)
		}
		seeds = append(seeds, v)
	}
	if len(envIDs) == 0 || len(methods) == 0 || len(seeds) == 0 {
		return errors.New("need at least one environment, method and seed")
	}
	var jobs []job
	for _, e := range envIDs {
		for _, m := range methods {
			for _, s := range seeds {
				jobs = append(jobs, job{m, e, s})
			}
		}
	}
	if *report {
		return reportRuns(stdout, *out, envIDs, methods, jobs, *evalMode)
	}
	results := make([]result, len(jobs))
	next := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	finished, trained, start := 0, 0, time.Now()
	defer agents.ShareCores(min(*workers, len(jobs)))()
	for w := 0; w < *workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i] = runJob(jobs[i], jobOptions{steps: *steps, det: *evalMode == "deterministic", out: *out,
					resume: *resume, env: envs.Options{MaxEpisodeSteps: *maxEp}})
				mu.Lock()
				finished++
				if results[i].trained {
					trained++
				}
				el := time.Since(start)
				// Runs found complete (-resume) take seconds, so the ETA extrapolates from the runs that trained.
				eta := "unknown"
				if trained > 0 {
					eta = time.Duration(float64(el) / float64(trained) * float64(len(jobs)-finished) / float64(*workers)).Round(time.Second).String()
				}
				j, r := jobs[i], results[i]
				if r.err != nil {
					fmt.Fprintf(os.Stderr, "rl-bench: run %d/%d %s %s seed %d failed: %v\n", finished, len(jobs), name(j.method), j.env, j.seed, r.err)
				} else {
					fmt.Fprintf(os.Stderr, "rl-bench: run %d/%d %s %s seed %d: final return %.1f (deterministic), %.1f (stochastic); elapsed %v, ETA %s\n",
						finished, len(jobs), name(j.method), j.env, j.seed, r.det, r.sto, el.Round(time.Second), eta)
				}
				mu.Unlock()
			}
		}()
	}
	for i := range jobs {
		next <- i
	}
	close(next)
	wg.Wait()

	fmt.Fprintln(stdout, "| environment | method | steps | final return, deterministic | final return, stochastic | seeds | env-steps/s |")
	fmt.Fprintln(stdout, "|---|---|---|---|---|---|---|")
	var errs []error
	for _, e := range envIDs {
		for _, m := range methods {
			var det, sto, rate []float64
			for i, j := range jobs {
				if j.env != e || j.method != m {
					continue
				}
				if results[i].err != nil {
					errs = append(errs, fmt.Errorf("%s %s seed %d: %w", m, e, j.seed, results[i].err))
					continue
				}
				det = append(det, results[i].det)
				sto = append(sto, results[i].sto)
				rate = append(rate, results[i].stepsPerS)
			}
			dm, dsd := meanStd(det)
			sm, ssd := meanStd(sto)
			rm, _ := meanStd(rate)
			fmt.Fprintf(stdout, "| %s | %s | %s | %.1f ± %.1f | %.1f ± %.1f | %d | %.0f |\n", e, name(m), stepsLabel(*steps),
				dm, dsd, sm, ssd, len(det), rm)
		}
	}
	if *perSeed {
		fmt.Fprintln(stdout)
		fmt.Fprintln(stdout, "| environment | method | seed | final return, deterministic | final return, stochastic | env-steps/s |")
		fmt.Fprintln(stdout, "|---|---|---|---|---|---|")
		for i, j := range jobs {
			if r := results[i]; r.err == nil {
				fmt.Fprintf(stdout, "| %s | %s | %d | %.1f | %.1f | %.0f |\n", j.env, name(j.method), j.seed, r.det, r.sto, r.stepsPerS)
			}
		}
	}
	if *out != "" {
		for _, e := range envIDs {
			if err := plotEnv(*out, e, methods, jobs, results, *evalMode); err != nil {
				errs = append(errs, err)
			}
		}
		// Machine-readable summary, one row per finished run.
		var b strings.Builder
		b.WriteString("env,method,seed,steps,return_deterministic,return_stochastic,env_steps_per_s\n")
		for i, j := range jobs {
			if r := results[i]; r.err == nil {
				fmt.Fprintf(&b, "%s,%s,%d,%s,%g,%g,%g\n", j.env, name(j.method), j.seed, stepsLabel(*steps), r.det, r.sto, r.stepsPerS)
			}
		}
		if err := agents.WriteFileAtomic(filepath.Join(*out, "results.csv"), []byte(b.String())); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func name(m string) string {
	if m == "meow" {
		return "MEow"
	}
	return "SAC"
}

func runJob(j job, o jobOptions) result {
	probe, err := envs.Make(j.env, o.env)
	if err != nil {
		return result{err: err}
	}
	od, ad := probe.ObservationSpace().Dim(), probe.ActionSpace().Dim()
	tc := agents.TrainConfig{BatchSize: 256, BufferSize: 1_000_000, EvalEpisodes: 10, LogEvery: 1000, Deterministic: o.det}
	var agent agents.Agent
	switch j.method {
	case "meow":
		p, err := agents.LookupMEowPreset(j.env)
		if err != nil {
			return result{err: err}
		}
		c := agents.DefaultMEowConfig(od, ad)
		p.Apply(&c)
		agent = agents.NewMEow[float32](c, uint64(j.seed))
		tc.Steps, tc.LearningStarts, tc.EvalEvery = p.Steps, p.LearningStarts, p.EvalEvery
	case "sac":
		p := agents.LookupSACPreset(j.env)
		agent = agents.NewSAC(agents.DefaultSACConfig(od, ad), uint64(j.seed))
		tc.Steps, tc.LearningStarts, tc.EvalEvery = p.Steps, p.LearningStarts, p.EvalEvery
	}
	if o.steps > 0 {
		tc.Steps = o.steps
		tc.EvalEvery = min(tc.EvalEvery, o.steps)
	}
	spec := agents.RunSpec{Method: name(j.method), EnvID: j.env, Seed: j.seed, Train: tc, EnvOptions: o.env,
		Progress: os.Stderr}
	if o.out != "" {
		spec.Out = filepath.Join(o.out, fmt.Sprintf("%s-%s-seed%d", j.method, j.env, j.seed))
		if o.resume {
			if _, err := os.Stat(filepath.Join(spec.Out, agents.CheckpointFile)); err == nil {
				spec.Resume = true
			}
		}
	}
	before := 0
	if spec.Resume {
		if st, err := agents.ReadRunStatus(spec.Out); err == nil {
			before = st.Step
		}
	}
	start := time.Now()
	eval, err := agents.RunExperiment(spec, agent)
	if err != nil {
		return result{err: err}
	}
	rate := float64(tc.Steps) / time.Since(start).Seconds()
	if spec.Out != "" {
		// Summed over resumed segments.
		st, err := agents.ReadRunStatus(spec.Out)
		if err != nil {
			return result{err: err}
		}
		if st.Step != tc.Steps {
			return result{err: fmt.Errorf("%s is at step %d, not %d", spec.Out, st.Step, tc.Steps)}
		}
		rate = float64(st.Step) / st.WallSeconds
	}
	if len(eval.Rows) == 0 {
		return result{err: errors.New("no evaluation (steps < eval interval)")}
	}
	// Final policy in both evaluation modes (10 episodes, seeds 0..9).
	_, test, err := agents.MakeEnvsWith(j.env, tc.EvalEpisodes, o.env)
	if err != nil {
		return result{err: err}
	}
	rd, err := agents.Evaluate(test, agent, true)
	if err != nil {
		return result{err: err}
	}
	rs, err := agents.Evaluate(test, agent, false)
	if err != nil {
		return result{err: err}
	}
	return result{det: rd.ReturnMean, sto: rs.ReturnMean, stepsPerS: rate, eval: eval, trained: before < tc.Steps}
}

// plotEnv writes out/curve-ENV.png: per method, the mean ± std over seeds of the evaluation return at the steps
// every seed evaluated.
func plotEnv(out, env string, methods []string, jobs []job, results []result, mode string) error {
	var curves []agents.Curve
	for _, m := range methods {
		var tabs []*agents.Table
		for i, j := range jobs {
			if j.env == env && j.method == m && results[i].err == nil && results[i].eval != nil {
				tabs = append(tabs, results[i].eval)
			}
		}
		if len(tabs) == 0 {
			continue
		}
		cv := agents.Curve{Name: fmt.Sprintf("%s (%d seeds)", name(m), len(tabs))}
		for r := range tabs[0].Rows {
			step := tabs[0].Rows[r][0]
			var v []float64
			for _, t := range tabs {
				if r < len(t.Rows) && t.Rows[r][0] == step {
					v = append(v, t.Rows[r][1])
				}
			}
			if len(v) != len(tabs) {
				break
			}
			mu, sd := meanStd(v)
			cv.Step, cv.Mean, cv.Std = append(cv.Step, step), append(cv.Mean, mu), append(cv.Std, sd)
		}
		curves = append(curves, cv)
	}
	if len(curves) == 0 {
		return nil
	}
	return agents.PlotCurves(filepath.Join(out, "curve-"+env+".png"), env+" ("+mode+" evaluation, mean ± std over seeds)",
		16*vg.Centimeter, 10*vg.Centimeter, curves...)
}

// reportRuns prints, for every job, how far its run directory got (run.json) and its evaluations so far
// (eval.csv), and writes out/progress-ENV.png with one curve per method and seed. It trains nothing, so it can
// watch a benchmark that is still running.
func reportRuns(stdout io.Writer, out string, envIDs, methods []string, jobs []job, mode string) error {
	fmt.Fprintln(stdout, "| environment | method | seed | steps done | steps planned | last evaluation (step) | best evaluation (step) | env-steps/s |")
	fmt.Fprintln(stdout, "|---|---|---|---|---|---|---|---|")
	curves := map[string][]agents.Curve{}
	for _, j := range jobs {
		dir := filepath.Join(out, fmt.Sprintf("%s-%s-seed%d", j.method, j.env, j.seed))
		st, err := agents.ReadRunStatus(dir)
		if errors.Is(err, fs.ErrNotExist) {
			fmt.Fprintf(stdout, "| %s | %s | %d | not started | | | | |\n", j.env, name(j.method), j.seed)
			continue
		}
		if err != nil {
			return err
		}
		tab, err := agents.LoadTable(filepath.Join(dir, agents.EvalFile), st.Step, agents.EvalHeader...)
		if err != nil {
			return err
		}
		cv := agents.Curve{Name: fmt.Sprintf("%s seed %d", name(j.method), j.seed)}
		last, best := "–", "–"
		bi := -1
		for i, row := range tab.Rows {
			cv.Step, cv.Mean = append(cv.Step, row[0]), append(cv.Mean, row[1])
			if bi < 0 || row[1] > tab.Rows[bi][1] {
				bi = i
			}
		}
		if n := len(tab.Rows); n > 0 {
			last = fmt.Sprintf("%.1f ± %.1f (%.0f)", tab.Rows[n-1][1], tab.Rows[n-1][2], tab.Rows[n-1][0])
			best = fmt.Sprintf("%.1f (%.0f)", tab.Rows[bi][1], tab.Rows[bi][0])
		}
		fmt.Fprintf(stdout, "| %s | %s | %d | %d | %d | %s | %s | %.0f |\n", j.env, name(j.method), j.seed, st.Step, st.Steps,
			last, best, float64(st.Step)/st.WallSeconds)
		curves[j.env] = append(curves[j.env], cv)
	}
	for _, e := range envIDs {
		if len(curves[e]) == 0 {
			continue
		}
		if err := agents.PlotCurves(filepath.Join(out, "progress-"+e+".png"), e+" ("+mode+" evaluation, per seed)",
			16*vg.Centimeter, 10*vg.Centimeter, curves[e]...); err != nil {
			return err
		}
	}
	return nil
}

func stepsLabel(steps int) string {
	if steps == 0 {
		return "preset"
	}
	return strconv.Itoa(steps)
}

func split(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func meanStd(x []float64) (float64, float64) {
	if len(x) == 0 {
		return math.NaN(), math.NaN()
	}
	m := 0.0
	for _, v := range x {
		m += v
	}
	m /= float64(len(x))
	s := 0.0
	for _, v := range x {
		s += (v - m) * (v - m)
	}
	return m, math.Sqrt(s / float64(len(x)))
}
