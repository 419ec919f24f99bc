package envs

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
)

// Options configures an environment built by Make. The zero value gives
// Gymnasium's defaults.
type Options struct {
	// MaxEpisodeSteps overrides the registered time limit when > 0. A
	// negative value returns the environment without a TimeLimit.
	MaxEpisodeSteps int
	// NoResetNoise makes every Reset start from the deterministic centre of
	// the reset distribution: for the MuJoCo tasks qpos0 with zero velocity
	// (Reacher's goal at its qpos0), for Pendulum-v1 θ = θ̇ = 0, for
	// MountainCarContinuous-v0 x = −0.5, v = 0, for MultiGoal-v0 the origin.
	NoResetNoise bool
	// ModelPath is a user MJCF file that replaces the task's embedded model
	// (MuJoCo tasks only). It must have the joints and actuators the task
	// reads.
	ModelPath string
	// Integrator overrides the integrator named by the model: "" keeps it,
	// "euler" or "rk4" (MuJoCo tasks only). Semi-implicit Euler (joint
	// damping implicit) is the faster option: about 3.5–4× the steps/s of
	// RK4 at the same timestep in envs/mjc (BenchmarkStep) for Hopper,
	// Walker2d, Ant and Humanoid, whose XMLs name RK4 (HalfCheetah's XML
	// already names Euler). Ant under Euler runs at a 4× smaller timestep
	// with a 4× frame skip (AntEulerSubsteps), which keeps its landing
	// close to RK4's.
	Integrator string
	// Params holds Gymnasium constructor keyword arguments by their Python
	// names, e.g. "g" for Pendulum-v1 or "reset_noise_scale" and
	// "ctrl_cost_weight" for the MuJoCo tasks; booleans are 0 or 1. Each
	// task documents the names it accepts; an unknown name is an error.
	Params map[string]float64
}

// Spec describes a registered environment.
type Spec struct {
	// ID is the Gymnasium id, e.g. "Pendulum-v1".
	ID string
	// MaxEpisodeSteps is Gymnasium's max_episode_steps (0: no limit).
	MaxEpisodeSteps int
	// RewardThreshold is Gymnasium's reward_threshold, NaN if none.
	RewardThreshold float64
	// New builds the unwrapped environment.
	New func(Options) (Env, error)
}

var (
	regMu    sync.RWMutex
	registry = map[string]Spec{}
)

// Register adds spec to the registry. It panics if the id is empty, already
// registered or spec.New is nil.
func Register(spec Spec) {
	regMu.Lock()
	defer regMu.Unlock()
	if spec.ID == "" || spec.New == nil {
		panic("envs: Register: empty id or nil constructor")
	}
	if _, ok := registry[spec.ID]; ok {
		panic("envs: Register: duplicate id " + spec.ID)
	}
	registry[spec.ID] = spec
}

// IDs returns the registered ids in sorted order.
func IDs() []string {
	regMu.RLock()
	defer regMu.RUnlock()
	ids := make([]string, 0, len(registry))
	for id := range registry {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Lookup returns the Spec registered under id.
func Lookup(id string) (Spec, bool) {
	regMu.RLock()
	defer regMu.RUnlock()
	s, ok := registry[id]
	return s, ok
}

// Make builds the environment registered under id, wrapped in a TimeLimit of
// the registered max_episode_steps (or opts.MaxEpisodeSteps). An unknown id
// is an error listing the valid ids.
func Make(id string, opts Options) (Env, error) {
	spec, ok := Lookup(id)
	if !ok {
		return nil, fmt.Errorf("envs: unknown environment id %q; valid ids: %s", id, strings.Join(IDs(), ", "))
	}
	env, err := spec.New(opts)
	if err != nil {
		return nil, err
	}
	steps := spec.MaxEpisodeSteps
	if opts.MaxEpisodeSteps != 0 {
		steps = opts.MaxEpisodeSteps
	}
	if steps <= 0 {
		return env, nil
	}
	return NewTimeLimit(env, steps), nil
}

// param is a constructor keyword argument with its default.
type param struct {
	name string
	def  float64
}

// readParams returns the values of the named parameters in order, taking
// defaults where p has no entry. A name in p that is not declared is an error
// listing the accepted names.
func readParams(id string, p map[string]float64, decl ...param) ([]float64, error) {
	vals := make([]float64, len(decl))
	for i, d := range decl {
		vals[i] = d.def
		if v, ok := p[d.name]; ok {
			if math.IsNaN(v) {
				return nil, fmt.Errorf("envs: %s: parameter %q is NaN", id, d.name)
			}
			vals[i] = v
		}
	}
	for k := range p {
		if !slices.ContainsFunc(decl, func(d param) bool { return d.name == k }) {
			names := make([]string, len(decl))
			for i, d := range decl {
				names[i] = d.name
			}
			return nil, fmt.Errorf("envs: %s: unknown parameter %q; accepted: %s", id, k, strings.Join(names, ", "))
		}
	}
	return vals, nil
}

// noModelOptions returns an error if opts sets MuJoCo-only fields.
func noModelOptions(id string, opts Options) error {
	if opts.ModelPath != "" {
		return fmt.Errorf("envs: %s: ModelPath is only for MuJoCo tasks", id)
	}
	if opts.Integrator != "" {
		return fmt.Errorf("envs: %s: Integrator is only for MuJoCo tasks", id)
	}
	return nil
}
