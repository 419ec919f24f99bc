package envs

import (
	"math"
)

func init() {
	Register(Spec{ID: "Pendulum-v1", MaxEpisodeSteps: 200, RewardThreshold: math.NaN(), New: func(o Options) (Env, error) { return NewPendulum(o) }})
	Register(Spec{ID: "MountainCarContinuous-v0", MaxEpisodeSteps: 999, RewardThreshold: 90, New: func(o Options) (Env, error) { return NewMountainCar(o) }})
	Register(Spec{ID: "MultiGoal-v0", MaxEpisodeSteps: 30, RewardThreshold: math.NaN(), New: func(o Options) (Env, error) { return NewMultiGoal(o) }})
}

// f32 rounds x to the nearest float32, as NumPy does when it stores a value
// in a float32 array.
func f32(x float64) float64 { return float64(float32(x)) }

// Pendulum is Gymnasium's Pendulum-v1: a rigid rod (m = 1 kg, l = 1 m) on a
// frictionless pivot, driven by a bounded torque.
//
//	| observation (3, float32 values) | bounds  |
//	|---------------------------------|---------|
//	| 0 cos θ                         | [−1, 1] |
//	| 1 sin θ                         | [−1, 1] |
//	| 2 θ̇ (rad/s)                    | [−8, 8] |
//
//	| action (1)        | bounds  |
//	|-------------------|---------|
//	| 0 torque u (N·m)  | [−2, 2] |
//
// θ = 0 is upright. Step clips u to [−2, 2]; reward = −(norm(θ)² + 0.1 θ̇² +
// 0.001 u²) on the pre-step state, with norm(θ) = ((θ + π) mod 2π) − π; then
// θ̇ ← clip(θ̇ + (3g/(2l) sin θ + 3/(m l²) u) dt, −8, 8) and θ ← θ + θ̇ dt with
// dt = 0.05 s. Never terminates (TimeLimit 200). Reset: θ ~ U(−π, π),
// θ̇ ~ U(−1, 1). Params: "g" (default 10 m/s²).
type Pendulum struct {
	G float64 // gravity (m/s²)

	th, thdot float64
	u         float64
	steps     int
	noNoise   bool
	seeder
	obs  []float64
	ctrl []float64
	qpos []float64
	qvel []float64
	info Info
}

// Pendulum constants of Gymnasium.
const (
	pendMaxSpeed  = 8.0
	pendMaxTorque = 2.0
	pendDt        = 0.05
	pendM         = 1.0
	pendL         = 1.0
)

// NewPendulum returns a Pendulum-v1 without time limit.
func NewPendulum(opts Options) (*Pendulum, error) {
	if err := noModelOptions("Pendulum-v1", opts); err != nil {
		return nil, err
	}
	p, err := readParams("Pendulum-v1", opts.Params, param{"g", 10})
	if err != nil {
		return nil, err
	}
	e := &Pendulum{G: p[0], noNoise: opts.NoResetNoise, obs: make([]float64, 3),
		ctrl: make([]float64, 1), qpos: make([]float64, 1), qvel: make([]float64, 1), info: Info{}}
	e.seeder.init()
	return e, nil
}

// ObservationSpace returns [−1, 1] × [−1, 1] × [−8, 8].
func (e *Pendulum) ObservationSpace() Box {
	return NewBox([]float64{-1, -1, -pendMaxSpeed}, []float64{1, 1, pendMaxSpeed})
}

// ActionSpace returns [−2, 2].
func (e *Pendulum) ActionSpace() Box { return UniformBox(1, -pendMaxTorque, pendMaxTorque) }

// Reset draws θ ~ U(−π, π), θ̇ ~ U(−1, 1) (θ = θ̇ = 0 with NoResetNoise).
func (e *Pendulum) Reset(seed int64) ([]float64, Info) {
	e.reseed(seed)
	e.th, e.thdot, e.u, e.steps = 0, 0, 0, 0
	if !e.noNoise {
		e.th = -math.Pi + 2*math.Pi*e.rng.Float64()
		e.thdot = -1 + 2*e.rng.Float64()
	}
	return e.observe(), e.info
}

func (e *Pendulum) observe() []float64 {
	e.obs[0] = f32(math.Cos(e.th))
	e.obs[1] = f32(math.Sin(e.th))
	e.obs[2] = f32(e.thdot)
	return e.obs
}

// angleNormalize maps x to [−π, π) as Gymnasium's angle_normalize.
func angleNormalize(x float64) float64 {
	y := math.Mod(x+math.Pi, 2*math.Pi)
	if y < 0 {
		y += 2 * math.Pi // Python's % has the sign of the divisor
	}
	return y - math.Pi
}

// Step applies the torque action[0] for dt = 0.05 s.
func (e *Pendulum) Step(action []float64) ([]float64, float64, bool, bool, Info, error) {
	if err := checkAction("Pendulum-v1", action, 1); err != nil {
		return e.obs, 0, false, false, e.info, err
	}
	u := min(max(action[0], -pendMaxTorque), pendMaxTorque)
	e.u = u
	an := angleNormalize(e.th)
	cost := an*an + 0.1*e.thdot*e.thdot + 0.001*u*u
	newthdot := e.thdot + (3*e.G/(2*pendL)*math.Sin(e.th)+3.0/(pendM*pendL*pendL)*u)*pendDt
	newthdot = min(max(newthdot, -pendMaxSpeed), pendMaxSpeed)
	e.th += newthdot * pendDt
	e.thdot = newthdot
	e.steps++
	if math.IsNaN(e.th) || math.IsInf(e.th, 0) {
		return e.observe(), 0, false, false, e.info, &StateError{Env: "Pendulum-v1", Step: e.steps, Field: "theta"}
	}
	return e.observe(), -cost, false, false, e.info, nil
}

// Qpos returns [θ].
func (e *Pendulum) Qpos() []float64 { e.qpos[0] = e.th; return e.qpos }

// Qvel returns [θ̇].
func (e *Pendulum) Qvel() []float64 { e.qvel[0] = e.thdot; return e.qvel }

// Ctrl returns the last clipped torque.
func (e *Pendulum) Ctrl() []float64 { e.ctrl[0] = e.u; return e.ctrl }

// Time returns the simulated time in seconds since Reset.
func (e *Pendulum) Time() float64 { return float64(e.steps) * pendDt }

// MountainCar is Gymnasium's MountainCarContinuous-v0: a car in a valley
// y = sin(3x) must build momentum to reach the flag at x = 0.45.
//
//	| observation (2, float32 values) | bounds          |
//	|---------------------------------|-----------------|
//	| 0 position x                    | [−1.2, 0.6]     |
//	| 1 velocity v                    | [−0.07, 0.07]   |
//
//	| action (1)          | bounds  |
//	|---------------------|---------|
//	| 0 force (unitless)  | [−1, 1] |
//
// Step: f = clip(a, −1, 1); v ← clip(v + 0.0015 f − 0.0025 cos 3x, ±0.07);
// x ← clip(x + v, −1.2, 0.6); v ← 0 if x = −1.2 and v < 0; terminated = x ≥
// 0.45 and v ≥ goal_velocity; reward = 100·terminated − 0.1 a² with the
// unclipped action. The state is rounded to float32 after every step, as
// Gymnasium stores it in a float32 array. Reset: x ~ U(−0.6, −0.4), v = 0.
// Params: "goal_velocity" (default 0).
type MountainCar struct {
	GoalVelocity float64 // velocity required at the goal

	x, v    float64
	a       float64
	steps   int
	noNoise bool
	seeder
	obs  []float64
	qpos []float64
	qvel []float64
	ctrl []float64
	info Info
}

// MountainCarContinuous constants of Gymnasium.
const (
	mcMinPos   = -1.2
	mcMaxPos   = 0.6
	mcMaxSpeed = 0.07
	mcGoalPos  = 0.45
	mcPower    = 0.0015
)

// NewMountainCar returns a MountainCarContinuous-v0 without time limit.
func NewMountainCar(opts Options) (*MountainCar, error) {
	if err := noModelOptions("MountainCarContinuous-v0", opts); err != nil {
		return nil, err
	}
	p, err := readParams("MountainCarContinuous-v0", opts.Params, param{"goal_velocity", 0})
	if err != nil {
		return nil, err
	}
	e := &MountainCar{GoalVelocity: p[0], noNoise: opts.NoResetNoise, obs: make([]float64, 2),
		qpos: make([]float64, 1), qvel: make([]float64, 1), ctrl: make([]float64, 1), info: Info{}}
	e.seeder.init()
	return e, nil
}

// ObservationSpace returns [−1.2, 0.6] × [−0.07, 0.07].
func (e *MountainCar) ObservationSpace() Box {
	return NewBox([]float64{mcMinPos, -mcMaxSpeed}, []float64{mcMaxPos, mcMaxSpeed})
}

// ActionSpace returns [−1, 1].
func (e *MountainCar) ActionSpace() Box { return UniformBox(1, -1, 1) }

// Reset draws x ~ U(−0.6, −0.4) and sets v = 0 (x = −0.5 with NoResetNoise).
func (e *MountainCar) Reset(seed int64) ([]float64, Info) {
	e.reseed(seed)
	e.x, e.v, e.a, e.steps = -0.5, 0, 0, 0
	if !e.noNoise {
		e.x = -0.6 + 0.2*e.rng.Float64()
	}
	return e.observe(), e.info
}

func (e *MountainCar) observe() []float64 {
	e.obs[0], e.obs[1] = f32(e.x), f32(e.v)
	return e.obs
}

// Step applies the force action[0] for one step.
func (e *MountainCar) Step(action []float64) ([]float64, float64, bool, bool, Info, error) {
	if err := checkAction("MountainCarContinuous-v0", action, 1); err != nil {
		return e.obs, 0, false, false, e.info, err
	}
	a := action[0]
	e.a = a
	force := min(max(a, -1), 1)
	x, v := e.x, e.v
	v += force*mcPower - 0.0025*math.Cos(3*x)
	v = min(max(v, -mcMaxSpeed), mcMaxSpeed)
	x += v
	x = min(max(x, mcMinPos), mcMaxPos)
	if x == mcMinPos && v < 0 {
		v = 0
	}
	term := x >= mcGoalPos && v >= e.GoalVelocity
	r := 0.0
	if term {
		r = 100
	}
	r -= a * a * 0.1
	e.x, e.v = f32(x), f32(v)
	e.steps++
	return e.observe(), r, term, false, e.info, nil
}

// Qpos returns [x].
func (e *MountainCar) Qpos() []float64 { e.qpos[0] = e.x; return e.qpos }

// Qvel returns [v].
func (e *MountainCar) Qvel() []float64 { e.qvel[0] = e.v; return e.qvel }

// Ctrl returns the last raw action.
func (e *MountainCar) Ctrl() []float64 { e.ctrl[0] = e.a; return e.ctrl }

// Time returns the number of steps since Reset (the task has no time unit).
func (e *MountainCar) Time() float64 { return float64(e.steps) }

// MultiGoal is the 2-D multi-goal task of the soft Q-learning paper
// (Haarnoja et al. 2017) used by MEow: a point mass moved directly by its
// action towards one of four goals.
//
//	| observation (2) | bounds  |
//	|-----------------|---------|
//	| 0 position x    | [−7, 7] |
//	| 1 position y    | [−7, 7] |
//
//	| action (2)      | bounds  |
//	|-----------------|---------|
//	| 0 displacement x | [−1, 1] |
//	| 1 displacement y | [−1, 1] |
//
// Step: a ← clip(a, −1, 1); p ← clip(p + a, −7, 7); d = min_g ‖p − g‖ over
// the goals (±5, 0), (0, ±5) at the new position; reward = −30‖a‖² − d²
// with the clipped action; terminated when d < 1, and then the reward gets
// +GoalReward. These are the original task's settings (soft Q-learning's
// MultiGoalEnv, also MEow's toy: actuation_cost_coeff 30,
// distance_cost_coeff 1 on the squared distance, goal_threshold 1,
// goal_reward 10, init_sigma 0.1, noise-free point dynamics). Reset: p =
// clip(0.1·N(0, I), −7, 7). TimeLimit 30 (soft Q-learning's
// max_path_length; MEow's toy truncates at 1000, Options.MaxEpisodeSteps).
// Info: "reward_ctrl" (−30‖a‖²), "goal_distance" (d). Params:
// "goal_reward" (default 10; 0 removes the bonus).
type MultiGoal struct {
	GoalReward float64 // reward added on the step that reaches a goal (d < 1)

	p       [2]float64
	a       [2]float64
	steps   int
	noNoise bool
	seeder
	obs  []float64
	qpos []float64
	ctrl []float64
	info Info
}

// MultiGoalGoals are the goal positions of MultiGoal-v0.
var MultiGoalGoals = [4][2]float64{{5, 0}, {-5, 0}, {0, 5}, {0, -5}}

// MultiGoalReward is the default goal bonus of MultiGoal-v0, goal_reward = 10
// of the soft Q-learning MultiGoalEnv.
const MultiGoalReward = 10.0

// NewMultiGoal returns a MultiGoal-v0 without time limit.
func NewMultiGoal(opts Options) (*MultiGoal, error) {
	if err := noModelOptions("MultiGoal-v0", opts); err != nil {
		return nil, err
	}
	p, err := readParams("MultiGoal-v0", opts.Params, param{"goal_reward", MultiGoalReward})
	if err != nil {
		return nil, err
	}
	e := &MultiGoal{GoalReward: p[0], noNoise: opts.NoResetNoise, obs: make([]float64, 2), qpos: make([]float64, 2),
		ctrl: make([]float64, 2), info: Info{"reward_ctrl": 0, "goal_distance": 0}}
	e.seeder.init()
	return e, nil
}

// ObservationSpace returns [−7, 7]².
func (e *MultiGoal) ObservationSpace() Box { return UniformBox(2, -7, 7) }

// ActionSpace returns [−1, 1]².
func (e *MultiGoal) ActionSpace() Box { return UniformBox(2, -1, 1) }

// Reset draws the start position from N(0, 0.1² I) clipped to [−7, 7]².
func (e *MultiGoal) Reset(seed int64) ([]float64, Info) {
	e.reseed(seed)
	e.p, e.a, e.steps = [2]float64{}, [2]float64{}, 0
	if !e.noNoise {
		for i := range e.p {
			e.p[i] = min(max(0.1*e.rng.NormFloat64(), -7), 7)
		}
	}
	e.info["reward_ctrl"], e.info["goal_distance"] = 0, multiGoalDistance(e.p)
	return e.observe(), e.info
}

func (e *MultiGoal) observe() []float64 {
	e.obs[0], e.obs[1] = e.p[0], e.p[1]
	return e.obs
}

// multiGoalDistance returns the distance from p to the nearest goal.
func multiGoalDistance(p [2]float64) float64 {
	d := math.Inf(1)
	for _, g := range MultiGoalGoals {
		d = min(d, math.Hypot(p[0]-g[0], p[1]-g[1]))
	}
	return d
}

// Step moves the point by the clipped action.
func (e *MultiGoal) Step(action []float64) ([]float64, float64, bool, bool, Info, error) {
	if err := checkAction("MultiGoal-v0", action, 2); err != nil {
		return e.obs, 0, false, false, e.info, err
	}
	var sq float64
	for i := range e.p {
		a := min(max(action[i], -1), 1)
		e.a[i] = a
		sq += a * a
		e.p[i] = min(max(e.p[i]+a, -7), 7)
	}
	d := multiGoalDistance(e.p)
	ctrl := -30 * sq
	e.info["reward_ctrl"], e.info["goal_distance"] = ctrl, d
	e.steps++
	r, term := ctrl-d*d, d < 1
	if term {
		r += e.GoalReward
	}
	return e.observe(), r, term, false, e.info, nil
}

// Qpos returns the position.
func (e *MultiGoal) Qpos() []float64 { e.qpos[0], e.qpos[1] = e.p[0], e.p[1]; return e.qpos }

// Qvel returns an empty slice (the task has no velocity).
func (e *MultiGoal) Qvel() []float64 { return nil }

// Ctrl returns the last clipped action.
func (e *MultiGoal) Ctrl() []float64 { e.ctrl[0], e.ctrl[1] = e.a[0], e.a[1]; return e.ctrl }

// Time returns the number of steps since Reset.
func (e *MultiGoal) Time() float64 { return float64(e.steps) }
