package envs

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Env is a reinforcement-learning environment with Gymnasium semantics.
//
// Observations and actions are flat float64 vectors whose lengths are the
// dimensions of ObservationSpace and ActionSpace. The observation slice and
// the Info map returned by Reset and Step are owned by the environment and are
// overwritten by its next Reset or Step call.
type Env interface {
	// ObservationSpace returns the observation bounds, one entry per
	// observation dimension. The returned Box must not be modified.
	ObservationSpace() Box
	// ActionSpace returns the action bounds, one entry per action
	// dimension. The returned Box must not be modified.
	ActionSpace() Box
	// Reset starts a new episode. A seed ≥ 0 re-seeds the environment's
	// random stream first; a negative seed (NoSeed) continues the current
	// stream. An environment that was never seeded behaves as if seeded
	// with 0. Reset returns the first observation and an Info map.
	Reset(seed int64) (obs []float64, info Info)
	// Step advances the environment by one step with the given action of
	// length ActionSpace().Dim(). It returns the new observation, the
	// reward, whether a terminal state was reached (terminated), whether
	// the episode was cut by a time limit (truncated), the reward
	// components in info, and an error: an *ActionError for a
	// wrong-length or non-finite action (the environment is unchanged) or
	// a *StateError when the state became non-finite (the environment
	// must be reset).
	Step(action []float64) (obs []float64, reward float64, terminated, truncated bool, info Info, err error)
}

// NoSeed passed to Env.Reset continues the environment's random stream
// instead of re-seeding it.
const NoSeed int64 = -1

// Info holds per-step diagnostics, typically the reward components, keyed by
// Gymnasium's names (e.g. "reward_ctrl", "x_velocity"). Values are float64;
// booleans are stored as 0 or 1.
type Info map[string]float64

// Box is a box-shaped space of 1-D vectors x with Low[i] ≤ x[i] ≤ High[i].
// Its shape is (Dim(),). Bounds may be ±Inf. Gymnasium stores bounds as
// float32; Box keeps the float64 value of Gymnasium's bound.
type Box struct {
	Low, High []float64
}

// NewBox returns a Box with the given bounds. It panics if the lengths differ
// or if some Low[i] > High[i].
func NewBox(low, high []float64) Box {
	if len(low) != len(high) {
		panic(fmt.Sprintf("envs: NewBox: len(low) = %d != len(high) = %d", len(low), len(high)))
	}
	for i := range low {
		if !(low[i] <= high[i]) {
			panic(fmt.Sprintf("envs: NewBox: low[%d] = %v > high[%d] = %v", i, low[i], i, high[i]))
		}
	}
	return Box{Low: low, High: high}
}

// UniformBox returns a Box of dimension n with every bound equal to low and
// high.
func UniformBox(n int, low, high float64) Box {
	l := make([]float64, n)
	h := make([]float64, n)
	for i := range l {
		l[i], h[i] = low, high
	}
	return NewBox(l, h)
}

// Dim returns the dimension of the space.
func (b Box) Dim() int { return len(b.Low) }

// Contains reports whether x has the dimension of b and lies inside b.
func (b Box) Contains(x []float64) bool {
	if len(x) != len(b.Low) {
		return false
	}
	for i, v := range x {
		if !(v >= b.Low[i] && v <= b.High[i]) {
			return false
		}
	}
	return true
}

// Clip writes x clipped to b into dst and returns dst. It panics if the
// lengths of dst, x and b differ.
func (b Box) Clip(dst, x []float64) []float64 {
	if len(dst) != len(b.Low) || len(x) != len(b.Low) {
		panic(fmt.Sprintf("envs: Box.Clip: len(dst) = %d, len(x) = %d, dim = %d", len(dst), len(x), len(b.Low)))
	}
	for i, v := range x {
		dst[i] = min(max(v, b.Low[i]), b.High[i])
	}
	return dst
}

// Sample writes a random element of b into dst and returns dst, as
// Gymnasium's Box.sample does: uniform on bounded coordinates, standard
// normal on unbounded ones, and a unit exponential offset from the finite
// bound on half-bounded ones. It panics if len(dst) != b.Dim().
func (b Box) Sample(rng *rand.Rand, dst []float64) []float64 {
	if len(dst) != len(b.Low) {
		panic(fmt.Sprintf("envs: Box.Sample: len(dst) = %d, dim = %d", len(dst), len(b.Low)))
	}
	for i := range dst {
		lo, hi := b.Low[i], b.High[i]
		switch {
		case !math.IsInf(lo, 0) && !math.IsInf(hi, 0):
			dst[i] = lo + (hi-lo)*rng.Float64()
		case math.IsInf(lo, -1) && math.IsInf(hi, 1):
			dst[i] = rng.NormFloat64()
		case math.IsInf(hi, 1):
			dst[i] = lo + rng.ExpFloat64()
		default:
			dst[i] = hi - rng.ExpFloat64()
		}
	}
	return dst
}

// ActionError reports an invalid action passed to Step: a wrong length
// (Index = -1) or a non-finite entry at Index.
type ActionError struct {
	Env   string  // environment id
	Len   int     // length of the action passed
	Want  int     // expected length
	Index int     // index of the first non-finite entry, or -1
	Value float64 // the non-finite value
}

// Error describes the invalid action.
func (e *ActionError) Error() string {
	if e.Index < 0 {
		return fmt.Sprintf("envs: %s: action has length %d, want %d", e.Env, e.Len, e.Want)
	}
	return fmt.Sprintf("envs: %s: action[%d] = %v is not finite", e.Env, e.Index, e.Value)
}

// StateError reports that the state of an environment became non-finite
// during Step number Step of the episode (counting from 1).
type StateError struct {
	Env   string // environment id
	Step  int    // episode step (1 = first Step after Reset)
	Field string // which quantity became non-finite, e.g. "qpos[3]"
}

// Error names the environment, the episode step and the quantity.
func (e *StateError) Error() string {
	return fmt.Sprintf("envs: %s: state became non-finite at episode step %d (%s); reset the environment", e.Env, e.Step, e.Field)
}

// checkAction returns an *ActionError if a does not have length n or has a
// non-finite entry.
func checkAction(id string, a []float64, n int) error {
	if len(a) != n {
		return &ActionError{Env: id, Len: len(a), Want: n, Index: -1}
	}
	for i, v := range a {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return &ActionError{Env: id, Len: len(a), Want: n, Index: i, Value: v}
		}
	}
	return nil
}

// firstNonFinite returns the index of the first non-finite entry of x, or -1.
func firstNonFinite(x []float64) int {
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return i
		}
	}
	return -1
}

// seeder holds the random stream of an environment. The zero value is not
// usable; call init.
type seeder struct {
	src *rand.PCG
	rng *rand.Rand
}

// seedMix is the second PCG seed word; the first is the user seed.
const seedMix = 0x9e3779b97f4a7c15

func (s *seeder) init() {
	s.src = rand.NewPCG(0, seedMix)
	s.rng = rand.New(s.src)
}

// reseed re-seeds the stream when seed ≥ 0.
func (s *seeder) reseed(seed int64) {
	if seed >= 0 {
		s.src.Seed(uint64(seed), seedMix)
	}
}

// State is implemented by environments that expose a physical state in
// MuJoCo's layout (used by the rollout tool and by tests). For the MuJoCo
// tasks these are the engine's qpos (nq), qvel (nv) and ctrl (nu) and the
// simulated time in seconds. The classic-control tasks report their
// position-like and velocity-like state variables and the last action. The
// returned slices are owned by the environment and must not be modified.
type State interface {
	Qpos() []float64
	Qvel() []float64
	Ctrl() []float64
	Time() float64
}

// Unwrapper is implemented by wrappers such as TimeLimit.
type Unwrapper interface {
	Unwrap() Env
}

// Unwrap removes all wrappers implementing Unwrapper and returns the
// innermost environment.
func Unwrap(e Env) Env {
	for {
		u, ok := e.(Unwrapper)
		if !ok {
			return e
		}
		e = u.Unwrap()
	}
}
