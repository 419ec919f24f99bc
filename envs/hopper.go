package envs

import (
	"fmt"
	"math"
)

func init() {
	for _, v := range []int{4, 5} {
		Register(Spec{ID: fmt.Sprintf("Hopper-v%d", v), MaxEpisodeSteps: 1000, RewardThreshold: 3800,
			New: func(o Options) (Env, error) { return NewHopper(v, o) }})
	}
}

// planarWalker is the part Hopper and Walker2d share: a torso on root
// joints rootx (slide x), rootz (slide z, qpos0 = 1.25) and rooty (hinge y)
// carrying legs, rewarded for forward velocity and for staying healthy.
type planarWalker struct {
	*MujocoEnv
	version                          int
	wFwd, wCtrl, healthyReward       float64
	terminate                        bool
	stateLo, stateHi                 float64 // healthy range of [qpos[2:], qvel] (Hopper only)
	zLo, zHi, angleLo, angleHi       float64
	noiseScale                       float64
	excludePos, checkState, clipVels bool
}

// walkerParams are the constructor parameters of Hopper and Walker2d.
func walkerParams(frameSkip int, stateRange bool, zLo, zHi, angleLo, angleHi float64) []param {
	p := mujocoParams(frameSkip,
		param{"forward_reward_weight", 1}, param{"ctrl_cost_weight", 1e-3}, param{"healthy_reward", 1},
		param{"terminate_when_unhealthy", 1}, param{"reset_noise_scale", 5e-3},
		param{"exclude_current_positions_from_observation", 1},
		param{"healthy_z_range_min", zLo}, param{"healthy_z_range_max", zHi},
		param{"healthy_angle_range_min", angleLo}, param{"healthy_angle_range_max", angleHi})
	if stateRange {
		p = append(p, param{"healthy_state_range_min", -100}, param{"healthy_state_range_max", 100})
	}
	return p
}

// newPlanarWalker builds Hopper or Walker2d from the parsed parameters.
func newPlanarWalker(id, asset string, version, nq, nu int, stateRange bool, p []float64, opts Options) (*planarWalker, error) {
	fs, err := intParam(id, "frame_skip", p[0])
	if err != nil {
		return nil, err
	}
	exclude := p[6] != 0
	dim := 2*nq - 1
	if !exclude {
		dim++
	}
	base, err := newMujocoEnv(id, asset, fs, dim, opts)
	if err != nil {
		return nil, err
	}
	if err := base.requireDims(nq, nq, nu); err != nil {
		return nil, err
	}
	w := &planarWalker{MujocoEnv: base, version: version, wFwd: p[1], wCtrl: p[2], healthyReward: p[3],
		terminate: p[4] != 0, noiseScale: p[5], excludePos: exclude,
		zLo: p[7], zHi: p[8], angleLo: p[9], angleHi: p[10], checkState: stateRange, clipVels: true}
	if stateRange {
		w.stateLo, w.stateHi = p[11], p[12]
	}
	return w, nil
}

// healthy reports Gymnasium's is_healthy (all comparisons strict).
func (e *planarWalker) healthy() bool {
	q, v := e.Data.Qpos, e.Data.Qvel
	if e.checkState {
		for _, x := range q[2:] {
			if !(x > e.stateLo && x < e.stateHi) {
				return false
			}
		}
		for _, x := range v {
			if !(x > e.stateLo && x < e.stateHi) {
				return false
			}
		}
	}
	z, angle := q[1], q[2]
	return z > e.zLo && z < e.zHi && angle > e.angleLo && angle < e.angleHi
}

func (e *planarWalker) observe() []float64 {
	q := e.Data.Qpos
	if e.excludePos {
		q = q[1:]
	}
	n := copy(e.obs, q)
	for i, v := range e.Data.Qvel {
		e.obs[n+i] = clip(v, -10, 10)
	}
	return e.obs
}

// reset adds U(±noise) to qpos and qvel.
func (e *planarWalker) reset(seed int64) ([]float64, Info) {
	e.resetData(seed)
	e.uniformNoise(e.Data.Qpos, e.noiseScale)
	e.uniformNoise(e.Data.Qvel, e.noiseScale)
	e.setState()
	clear(e.info)
	if e.version == 5 {
		e.info["x_position"] = e.Data.Qpos[0]
		e.info["z_distance_from_origin"] = e.Data.Qpos[1] - e.Model.Qpos0[1]
	}
	return e.observe(), e.info
}

// step is Gymnasium's Hopper/Walker2d step: reward = w_f·v_x + healthy −
// w_c·Σa², v_x from qpos[0]; v4 pays the healthy reward on the terminal
// step when terminate_when_unhealthy is set, v5 only while healthy.
func (e *planarWalker) step(action []float64) ([]float64, float64, bool, bool, Info, error) {
	x0 := e.Data.Qpos[0]
	if err := e.simulate(action); err != nil {
		return e.obs, 0, false, false, e.info, err
	}
	x1 := e.Data.Qpos[0]
	vx := (x1 - x0) / e.Dt()
	ok := e.healthy()
	hr := 0.0
	if ok || (e.version == 4 && e.terminate) {
		hr = e.healthyReward
	}
	fwd := e.wFwd * vx
	ctrl := e.wCtrl * sumSquares(action)
	term := !ok && e.terminate
	e.info["x_position"] = x1
	e.info["x_velocity"] = vx
	if e.version == 5 {
		e.info["z_distance_from_origin"] = e.Data.Qpos[1] - e.Model.Qpos0[1]
		e.info["reward_forward"] = fwd
		e.info["reward_ctrl"] = -ctrl
		e.info["reward_survive"] = hr
	}
	return e.observe(), fwd + hr - ctrl, term, false, e.info, nil
}

// Hopper is Gymnasium's Hopper-v4/v5: a one-legged planar robot (torso,
// thigh, leg, foot capsules; 15.8 kg) on root joints rootx, rootz, rooty,
// with motors of gear 200 on the thigh, leg and foot hinges. Model
// hopper.xml, RK4 at h = 0.002 s, frame skip 4 (dt = 0.008 s); soft contacts
// with the floor (friction 1, the foot 2) and between non-adjacent links.
//
//	| observation (11; 12 with exclude_current_positions_from_observation = 0) | meaning |
//	|-------|-------------------------------------------------------------|
//	| 0     | torso height z = qpos[1] (m)                                |
//	| 1     | torso pitch qpos[2] (rad)                                   |
//	| 2–4   | thigh, leg, foot hinge angles qpos[3:6] (rad)               |
//	| 5–10  | clip(qvel, −10, 10): ẋ, ż (m/s), pitch and hinge rates (rad/s) |
//
//	| action (3)                 | bounds  |
//	|----------------------------|---------|
//	| thigh, leg, foot motor ctrl | [−1, 1] |
//
// Reward = w_f·v_x + healthy_reward·h − w_c·Σa² (raw action), v_x =
// (qpos[0]_after − qpos[0]_before)/dt; h = 1 while healthy (v4: also on the
// terminal step). Healthy (all strict): every entry of [qpos[2:], qvel] in
// (−100, 100), z > 0.7, −0.2 < pitch < 0.2; terminated = not healthy (when
// terminate_when_unhealthy). Info: "x_position", "x_velocity"; v5 adds
// "z_distance_from_origin", "reward_forward", "reward_ctrl",
// "reward_survive". Reset: qpos0 + U(±5e-3), qvel U(±5e-3). TimeLimit 1000.
// Params: "forward_reward_weight" (1), "ctrl_cost_weight" (1e-3),
// "healthy_reward" (1), "terminate_when_unhealthy" (1), "reset_noise_scale"
// (5e-3), "exclude_current_positions_from_observation" (1),
// "healthy_z_range_min"/"_max" (0.7, +∞), "healthy_angle_range_min"/"_max"
// (−0.2, 0.2), "healthy_state_range_min"/"_max" (−100, 100), "frame_skip" (4).
type Hopper struct{ *planarWalker }

// NewHopper returns Hopper-v<version> (4 or 5) without time limit.
func NewHopper(version int, opts Options) (*Hopper, error) {
	id := fmt.Sprintf("Hopper-v%d", version)
	if version != 4 && version != 5 {
		return nil, fmt.Errorf("envs: Hopper: version %d, want 4 or 5", version)
	}
	p, err := readParams(id, opts.Params, walkerParams(4, true, 0.7, math.Inf(1), -0.2, 0.2)...)
	if err != nil {
		return nil, err
	}
	w, err := newPlanarWalker(id, "hopper.xml", version, 6, 3, true, p, opts)
	if err != nil {
		return nil, err
	}
	return &Hopper{w}, nil
}

// Reset starts an episode near the upright pose.
func (e *Hopper) Reset(seed int64) ([]float64, Info) { return e.reset(seed) }

// Step applies the three joint torques for one env step.
func (e *Hopper) Step(action []float64) ([]float64, float64, bool, bool, Info, error) {
	return e.step(action)
}
