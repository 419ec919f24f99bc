package envs

// TimeLimit wraps an Env and sets truncated once MaxSteps steps have been
// taken since the last Reset, as Gymnasium's TimeLimit wrapper does. The
// wrapped environment keeps its own terminated flag; both flags can be true
// at once. Steps that return an error do not count. Stepping past the limit
// is allowed and keeps returning truncated = true.
type TimeLimit struct {
	Env      Env // the wrapped environment
	MaxSteps int // steps per episode, > 0
	elapsed  int
}

// NewTimeLimit returns env wrapped in a TimeLimit of maxSteps steps. It panics
// if maxSteps ≤ 0.
func NewTimeLimit(env Env, maxSteps int) *TimeLimit {
	if maxSteps <= 0 {
		panic("envs: NewTimeLimit: maxSteps must be positive")
	}
	return &TimeLimit{Env: env, MaxSteps: maxSteps}
}

// ObservationSpace returns the wrapped environment's observation space.
func (t *TimeLimit) ObservationSpace() Box { return t.Env.ObservationSpace() }

// ActionSpace returns the wrapped environment's action space.
func (t *TimeLimit) ActionSpace() Box { return t.Env.ActionSpace() }

// Reset resets the step counter and the wrapped environment.
func (t *TimeLimit) Reset(seed int64) ([]float64, Info) {
	t.elapsed = 0
	return t.Env.Reset(seed)
}

// Step steps the wrapped environment and sets truncated when the episode has
// reached MaxSteps steps.
func (t *TimeLimit) Step(action []float64) ([]float64, float64, bool, bool, Info, error) {
	obs, r, term, trunc, info, err := t.Env.Step(action)
	if err != nil {
		return obs, r, term, trunc, info, err
	}
	t.elapsed++
	if t.elapsed >= t.MaxSteps {
		trunc = true
	}
	return obs, r, term, trunc, info, nil
}

// Elapsed returns the number of successful steps since the last Reset.
func (t *TimeLimit) Elapsed() int { return t.elapsed }

// Unwrap returns the wrapped environment.
func (t *TimeLimit) Unwrap() Env { return t.Env }
