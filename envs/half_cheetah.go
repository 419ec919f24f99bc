package envs

import "fmt"

func init() {
	for _, v := range []int{4, 5} {
		Register(Spec{ID: fmt.Sprintf("HalfCheetah-v%d", v), MaxEpisodeSteps: 1000, RewardThreshold: 4800,
			New: func(o Options) (Env, error) { return NewHalfCheetah(v, o) }})
	}
}

// HalfCheetah is Gymnasium's HalfCheetah-v4/v5: a planar two-legged
// "cheetah" (torso with head, back and front thigh–shin–foot chains; 14 kg)
// on root joints rootx, rootz, rooty, with springy, damped leg joints and
// motors of gears 120, 90, 60, 120, 60, 30. Model half_cheetah.xml, Euler
// (joint damping implicit) at h = 0.01 s, frame skip 5 (dt = 0.05 s); soft
// floor contacts, friction 0.4.
//
//	| observation (17; 18 with exclude_current_positions_from_observation = 0) | meaning |
//	|-------|-----------------------------------------------------------------|
//	| 0     | torso height qpos[1] relative to the start (m)                  |
//	| 1     | torso pitch qpos[2] (rad)                                       |
//	| 2–7   | bthigh, bshin, bfoot, fthigh, fshin, ffoot angles (rad)         |
//	| 8–16  | qvel in qpos order, not clipped (m/s, rad/s)                    |
//
//	| action (6)                                       | bounds  |
//	|--------------------------------------------------|---------|
//	| bthigh, bshin, bfoot, fthigh, fshin, ffoot motors | [−1, 1] |
//
// Reward = w_f·v_x − w_c·Σa² (raw action), v_x = (qpos[0]_after −
// qpos[0]_before)/dt. Never terminates (TimeLimit 1000). Info:
// "x_position", "x_velocity", "reward_ctrl" and "reward_forward" (v4:
// "reward_run"). Reset: qpos0 + U(±0.1), qvel 0.1·N(0, 1). Params:
// "forward_reward_weight" (1), "ctrl_cost_weight" (0.1),
// "reset_noise_scale" (0.1), "exclude_current_positions_from_observation"
// (1), "frame_skip" (5).
type HalfCheetah struct {
	*MujocoEnv
	version                 int
	wFwd, wCtrl, noiseScale float64
	excludePos              bool
	fwdKey                  string
}

// NewHalfCheetah returns HalfCheetah-v<version> (4 or 5) without time limit.
func NewHalfCheetah(version int, opts Options) (*HalfCheetah, error) {
	id := fmt.Sprintf("HalfCheetah-v%d", version)
	if version != 4 && version != 5 {
		return nil, fmt.Errorf("envs: HalfCheetah: version %d, want 4 or 5", version)
	}
	p, err := readParams(id, opts.Params, mujocoParams(5,
		param{"forward_reward_weight", 1}, param{"ctrl_cost_weight", 0.1}, param{"reset_noise_scale", 0.1},
		param{"exclude_current_positions_from_observation", 1})...)
	if err != nil {
		return nil, err
	}
	fs, err := intParam(id, "frame_skip", p[0])
	if err != nil {
		return nil, err
	}
	exclude := p[4] != 0
	dim := 17
	if !exclude {
		dim = 18
	}
	base, err := newMujocoEnv(id, "half_cheetah.xml", fs, dim, opts)
	if err != nil {
		return nil, err
	}
	if err := base.requireDims(9, 9, 6); err != nil {
		return nil, err
	}
	e := &HalfCheetah{MujocoEnv: base, version: version, wFwd: p[1], wCtrl: p[2], noiseScale: p[3],
		excludePos: exclude, fwdKey: "reward_forward"}
	if version == 4 {
		e.fwdKey = "reward_run"
	}
	return e, nil
}

func (e *HalfCheetah) observe() []float64 {
	q := e.Data.Qpos
	if e.excludePos {
		q = q[1:]
	}
	n := copy(e.obs, q)
	copy(e.obs[n:], e.Data.Qvel)
	return e.obs
}

// Reset starts an episode near qpos0.
func (e *HalfCheetah) Reset(seed int64) ([]float64, Info) {
	e.resetData(seed)
	e.uniformNoise(e.Data.Qpos, e.noiseScale)
	e.normalNoise(e.Data.Qvel, e.noiseScale)
	e.setState()
	clear(e.info)
	if e.version == 5 {
		e.info["x_position"] = e.Data.Qpos[0]
	}
	return e.observe(), e.info
}

// Step applies the six joint torques for one env step.
func (e *HalfCheetah) Step(action []float64) ([]float64, float64, bool, bool, Info, error) {
	x0 := e.Data.Qpos[0]
	if err := e.simulate(action); err != nil {
		return e.obs, 0, false, false, e.info, err
	}
	x1 := e.Data.Qpos[0]
	vx := (x1 - x0) / e.Dt()
	fwd := e.wFwd * vx
	ctrl := e.wCtrl * sumSquares(action)
	e.info["x_position"] = x1
	e.info["x_velocity"] = vx
	e.info[e.fwdKey] = fwd
	e.info["reward_ctrl"] = -ctrl
	return e.observe(), fwd - ctrl, false, false, e.info, nil
}
