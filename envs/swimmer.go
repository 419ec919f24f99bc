package envs

import (
	"fmt"
	"math"
)

func init() {
	for _, v := range []int{4, 5} {
		Register(Spec{ID: fmt.Sprintf("Swimmer-v%d", v), MaxEpisodeSteps: 1000, RewardThreshold: 360,
			New: func(o Options) (Env, error) { return NewSwimmer(v, o) }})
	}
}

// Swimmer is Gymnasium's Swimmer-v4/v5: three capsules linked by two
// hinges (±100°), free to slide in the plane (slide x, slide y, hinge z at
// the root), propelled through a viscous fluid (density 4000, viscosity 0.1,
// MuJoCo's inertia-box model). Model swimmer.xml, RK4 at h = 0.01 s, frame
// skip 4 (dt = 0.04 s). No contacts.
//
//	| observation (8; 10 with exclude_current_positions_from_observation = 0) | meaning |
//	|------------------|--------------------------------------------------------|
//	| 0                | body angle qpos[2] (rad)                               |
//	| 1, 2             | hinge angles qpos[3:5] (rad)                           |
//	| 3, 4             | root velocity x, y (m/s)                               |
//	| 5, 6, 7          | angular velocities qvel[2:5] (rad/s)                   |
//
//	| action (2)       | bounds  |
//	|------------------|---------|
//	| 0, 1 hinge motors | [−1, 1] |
//
// Reward = w_f v_x − w_c Σa² with v_x = (qpos[0]_after − qpos[0]_before)/dt
// and the raw action. Never terminates (TimeLimit 1000). Info:
// "reward_forward" (v4: "reward_fwd"), "reward_ctrl", "x_position",
// "y_position", "distance_from_origin", "x_velocity", "y_velocity" (v5's
// Reset reports the three position entries). Reset:
// qpos0 + U(±0.1), qvel U(±0.1) (reset_noise_scale). Params:
// "forward_reward_weight" (1), "ctrl_cost_weight" (1e-4),
// "reset_noise_scale" (0.1), "exclude_current_positions_from_observation"
// (1), "frame_skip" (4).
type Swimmer struct {
	*MujocoEnv
	version                 int
	wFwd, wCtrl, noiseScale float64
	excludePos              bool
	fwdKey                  string
}

// NewSwimmer returns Swimmer-v<version> (4 or 5) without time limit.
func NewSwimmer(version int, opts Options) (*Swimmer, error) {
	id := fmt.Sprintf("Swimmer-v%d", version)
	if version != 4 && version != 5 {
		return nil, fmt.Errorf("envs: Swimmer: version %d, want 4 or 5", version)
	}
	p, err := readParams(id, opts.Params, mujocoParams(4,
		param{"forward_reward_weight", 1}, param{"ctrl_cost_weight", 1e-4}, param{"reset_noise_scale", 0.1},
		param{"exclude_current_positions_from_observation", 1})...)
	if err != nil {
		return nil, err
	}
	fs, err := intParam(id, "frame_skip", p[0])
	if err != nil {
		return nil, err
	}
	exclude := p[4] != 0
	dim := 10
	if exclude {
		dim = 8
	}
	base, err := newMujocoEnv(id, "swimmer.xml", fs, dim, opts)
	if err != nil {
		return nil, err
	}
	if err := base.requireDims(5, 5, 2); err != nil {
		return nil, err
	}
	e := &Swimmer{MujocoEnv: base, version: version, wFwd: p[1], wCtrl: p[2], noiseScale: p[3], excludePos: exclude, fwdKey: "reward_forward"}
	if version == 4 {
		e.fwdKey = "reward_fwd"
	}
	return e, nil
}

func (e *Swimmer) observe() []float64 {
	q := e.Data.Qpos
	if e.excludePos {
		q = q[2:]
	}
	n := copy(e.obs, q)
	copy(e.obs[n:], e.Data.Qvel)
	return e.obs
}

// Reset starts an episode near qpos0.
func (e *Swimmer) Reset(seed int64) ([]float64, Info) {
	e.resetData(seed)
	e.uniformNoise(e.Data.Qpos, e.noiseScale)
	e.uniformNoise(e.Data.Qvel, e.noiseScale)
	e.setState()
	clear(e.info)
	if e.version == 5 {
		x, y := e.Data.Qpos[0], e.Data.Qpos[1]
		e.info["x_position"], e.info["y_position"] = x, y
		e.info["distance_from_origin"] = math.Hypot(x, y)
	}
	return e.observe(), e.info
}

// Step applies the two hinge torques.
func (e *Swimmer) Step(action []float64) ([]float64, float64, bool, bool, Info, error) {
	x0, y0 := e.Data.Qpos[0], e.Data.Qpos[1]
	if err := e.simulate(action); err != nil {
		return e.obs, 0, false, false, e.info, err
	}
	x1, y1 := e.Data.Qpos[0], e.Data.Qpos[1]
	dt := e.Dt()
	vx, vy := (x1-x0)/dt, (y1-y0)/dt
	fwd := e.wFwd * vx
	ctrl := e.wCtrl * sumSquares(action)
	e.info[e.fwdKey] = fwd
	e.info["reward_ctrl"] = -ctrl
	e.info["x_position"], e.info["y_position"] = x1, y1
	e.info["distance_from_origin"] = math.Hypot(x1, y1)
	e.info["x_velocity"], e.info["y_velocity"] = vx, vy
	return e.observe(), fwd - ctrl, false, false, e.info, nil
}
