package agents

import (
	"errors"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// learningEnv enables the full-length variants of the learning checks (all 20k steps, no early exit), which take
// several minutes each on one core.
const learningEnv = "BOLTZFLOW_LEARNING"

// pendulumThreshold is the bar: a deterministic evaluation return ≥ −250 on Pendulum-v1 within 20k steps.
const pendulumThreshold = -250.0

// errThresholdReached stops a quick learning check at the first evaluation that meets the threshold.
var errThresholdReached = errors.New("threshold reached")

// TestLearnsPendulum is the learning check of issue 8: MEow and SAC on Pendulum-v1 (seed 0) reach a
// deterministic evaluation return ≥ −250 within 20k environment steps. Evaluation is the protocol of meow.md §6.4
// (10 test environments reset with seeds 0..9, one episode each, mean return) in deterministic mode.
//
// The quick cases run by default (about a minute each on one quiet core, see docs/results-rl.md). They differ
// from the documented 20k-step runs only in the schedule: they evaluate every 1000 steps instead of every 2000
// and stop at the first evaluation that reaches −250 (failing if none does by 20k steps). The networks are the
// ones of those runs: MEow with its Pendulum-v1 preset (agents.MEowPresets: α 0.1, τ 0.005, σ-net and
// translation nets 64-64, shift nets 64-64 instead of the paper's 256-256), SAC with CleanRL's 256-256 networks.
// Training up to the stopping evaluation is identical to the full run's (evaluation does not consume the
// training random streams in deterministic mode).
//
// With BOLTZFLOW_LEARNING=1 the full variants also run: all 20k steps, evaluation every 2000 steps, no early
// exit, and MEow with the paper's 256-256 shift nets.
func TestLearnsPendulum(t *testing.T) {
	meow := func(shiftHidden []int) func() Learner {
		return func() Learner {
			p, err := LookupMEowPreset("Pendulum-v1")
			require.NoError(t, err)
			c := DefaultMEowConfig(3, 1)
			p.Apply(&c)
			if shiftHidden != nil {
				c.ShiftHidden = shiftHidden
			}
			return NewMEow[float32](c, 0)
		}
	}
	sac := func() Learner { return NewSAC(DefaultSACConfig(3, 1), 0) }
	for _, c := range []struct {
		name      string
		agent     func() Learner
		starts    int  // warm-up steps of uniform random actions
		evalEvery int  // environment steps between evaluations
		full      bool // run all 20k steps (only with BOLTZFLOW_LEARNING=1)
	}{
		{"MEow", meow(nil), MEowPresets["Pendulum"].LearningStarts, 1000, false},
		{"SAC", sac, LookupSACPreset("Pendulum-v1").LearningStarts, 1000, false},
		{"MEow-full-paper-shift-nets", meow([]int{256, 256}), MEowPresets["Pendulum"].LearningStarts, 2000, true},
		{"SAC-full", sac, LookupSACPreset("Pendulum-v1").LearningStarts, 2000, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.full && os.Getenv(learningEnv) == "" {
				t.Skipf("full 20k-step learning check: set %s=1 to run it", learningEnv)
			}
			t.Parallel()
			env, test, err := MakeEnvs("Pendulum-v1", 10)
			require.NoError(t, err)
			tc := TrainConfig{Steps: 20000, LearningStarts: c.starts, BatchSize: 256, BufferSize: 1_000_000,
				EvalEvery: c.evalEvery, EvalEpisodes: 10, Deterministic: true}
			best, bestStep := -1e300, 0
			start := time.Now()
			tr := &Trainer{Env: env, Test: test, Agent: c.agent(), Config: tc, Seed: 0}
			tr.OnEval = func(step int, r EvalResult) error {
				t.Logf("%s step %5d: deterministic eval return %8.1f ± %5.1f (%v)", c.name, step, r.ReturnMean,
					r.ReturnStd, time.Since(start).Round(time.Second))
				if r.ReturnMean > best {
					best, bestStep = r.ReturnMean, step
				}
				if !c.full && r.ReturnMean >= pendulumThreshold {
					return errThresholdReached
				}
				return nil
			}
			err = tr.Run()
			if !errors.Is(err, errThresholdReached) {
				require.NoError(t, err)
			}
			t.Logf("%s Pendulum-v1 seed 0: best deterministic eval return %.1f at step %d", c.name, best, bestStep)
			require.GreaterOrEqual(t, best, pendulumThreshold, "no evaluation reached the threshold within %d steps", tc.Steps)
		})
	}
}
