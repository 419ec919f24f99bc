package agents

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/boltzflow/boltzflow/envs"
	"github.com/boltzflow/boltzflow/nn"
)

// Learner is an off-policy agent that a Trainer drives.
type Learner interface {
	Actor
	// Update performs one gradient step on the batch and returns statistics in the order of StatNames (the slice
	// is owned by the learner and overwritten by the next Update). It returns a *DivergenceError when the loss,
	// the gradient or the parameters become non-finite; the parameters may then be corrupt and the caller falls
	// back on the last checkpoint.
	Update(b *Batch) ([]float64, error)
	// StatNames names the statistics returned by Update (column names of train.csv).
	StatNames() []string
}

// DivergenceError reports a non-finite loss, gradient or parameter during an update.
type DivergenceError struct {
	Step int    // environment step of the update (set by the Trainer)
	What string // what became non-finite, e.g. "loss" or "parameter t0.l1.W"
}

// Error implements error.
func (e *DivergenceError) Error() string {
	return fmt.Sprintf("agents: training diverged at step %d: %s is not finite", e.Step, e.What)
}

// TrainConfig holds the schedule of an off-policy training run (meow.md §6.2).
type TrainConfig struct {
	Steps          int  // total environment steps
	LearningStarts int  // steps with uniform random actions; updates run for steps > LearningStarts
	BatchSize      int  // transitions per update (256)
	BufferSize     int  // replay capacity (1e6)
	EvalEvery      int  // evaluate after every EvalEvery environment steps (10,000)
	EvalEpisodes   int  // test environments reset with seeds 0..EvalEpisodes−1 (10)
	LogEvery       int  // append a train.csv row every LogEvery steps
	Deterministic  bool // evaluation mode: deterministic (mode) or stochastic actions
}

// Trainer runs the environment loop of an off-policy agent: warm-up with uniform random actions, one environment
// step and (after warm-up) one gradient step per iteration, periodic evaluation and logging. Its exported fields
// may be set before Run; Step, the random stream and the buffer are the state a checkpoint must keep.
type Trainer struct {
	Env    envs.Env   // training environment
	Test   []envs.Env // evaluation environments (len = EvalEpisodes)
	Agent  Learner
	Buffer *ReplayBuffer
	Config TrainConfig
	// Step is the number of environment steps done (resume continues from it).
	Step int
	// Src is the random source of warm-up actions and replay sampling; its state is part of a checkpoint.
	Src *rand.PCG
	// Seed seeds the training environment: episode k after a (re)start is reset with Seed when k = 0.
	Seed int64

	// OnEval is called after every evaluation with the step and result; an error stops Run.
	OnEval func(step int, r EvalResult) error
	// OnLog is called every LogEvery steps with the step and a row of statistics named by LogNames.
	OnLog func(step int, row []float64) error

	statSum []float64
	statN   int
	epRet   float64
	epRets  []float64
}

// LogNames returns the names of the statistics passed to OnLog: the learner's StatNames averaged over the
// updates since the last row, then episodes_finished, train_return_mean (of those episodes), steps_per_s.
func (t *Trainer) LogNames() []string {
	return append(append([]string(nil), t.Agent.StatNames()...), "episodes_finished", "train_return_mean", "steps_per_s")
}

// Run advances training until Config.Steps environment steps are done. A diverging update returns a
// *DivergenceError naming the step; environment errors are returned wrapped with the step.
func (t *Trainer) Run() error {
	c := t.Config
	if t.Src == nil {
		t.Src = rand.NewPCG(uint64(t.Seed), 0x5eed)
	}
	rng := rand.New(t.Src)
	as := t.Env.ActionSpace()
	ad := as.Dim()
	od := t.Env.ObservationSpace().Dim()
	if t.Buffer == nil {
		t.Buffer = NewReplayBuffer(c.BufferSize, od, ad)
	}
	batch := t.Buffer.NewBatch(c.BatchSize)
	names := t.Agent.StatNames()
	t.statSum = make([]float64, len(names))
	row := make([]float64, len(names)+3)

	seed := t.Seed
	if t.Step > 0 {
		// Resuming: the environment's internal state is not checkpointed; start a fresh episode from a seed
		// derived from the run seed and the step so that a resumed run is reproducible.
		seed = t.Seed + int64(t.Step)*7919
	}
	o, _ := t.Env.Reset(seed)
	obs := append([]float64(nil), o...)
	a := make([]float64, ad)
	envA := make([]float64, ad)
	start, startStep := time.Now(), t.Step
	for t.Step < c.Steps {
		step := t.Step
		if step < c.LearningStarts {
			for i := range a {
				a[i] = 2*rng.Float64() - 1
			}
		} else {
			t.Agent.Act(a, obs, 1, false)
		}
		next, r, term, trunc, _, err := t.Env.Step(Rescale(envA, a, as))
		if err != nil {
			return fmt.Errorf("agents: training environment at step %d: %w", step, err)
		}
		// The real next observation is stored even on truncation; done = terminated only.
		t.Buffer.Add(obs, a, r, next, term)
		t.epRet += r
		if term || trunc {
			t.epRets = append(t.epRets, t.epRet)
			t.epRet = 0
			next, _ = t.Env.Reset(envs.NoSeed)
		}
		copy(obs, next)

		if step > c.LearningStarts {
			t.Buffer.Sample(rng, batch)
			stats, err := t.Agent.Update(batch)
			if err != nil {
				if de, ok := err.(*DivergenceError); ok {
					de.Step = step
				}
				return err
			}
			for i, v := range stats {
				t.statSum[i] += v
			}
			t.statN++
		}
		t.Step++

		if c.LogEvery > 0 && t.Step%c.LogEvery == 0 && t.OnLog != nil {
			for i := range names {
				row[i] = math.NaN()
				if t.statN > 0 {
					row[i] = t.statSum[i] / float64(t.statN)
				}
				t.statSum[i] = 0
			}
			t.statN = 0
			row[len(names)] = float64(len(t.epRets))
			row[len(names)+1] = math.NaN()
			if len(t.epRets) > 0 {
				s := 0.0
				for _, v := range t.epRets {
					s += v
				}
				row[len(names)+1] = s / float64(len(t.epRets))
			}
			t.epRets = t.epRets[:0]
			row[len(names)+2] = float64(t.Step-startStep) / time.Since(start).Seconds()
			if err := t.OnLog(t.Step, row); err != nil {
				return err
			}
		}
		if c.EvalEvery > 0 && t.Step%c.EvalEvery == 0 {
			res, err := Evaluate(t.Test, t.Agent, c.Deterministic)
			if err != nil {
				return fmt.Errorf("agents: evaluation at step %d: %w", t.Step, err)
			}
			if t.OnEval != nil {
				if err := t.OnEval(t.Step, res); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// ShareCores tells nn that runs trainings proceed at once in this process (nn.ShareCores): each spreads its
// matrix products over GOMAXPROCS/runs goroutines instead of all of them. It returns a function that restores the
// previous limit. Results do not depend on it.
func ShareCores(runs int) (restore func()) { return nn.ShareCores(runs) }
