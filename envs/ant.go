package envs

import (
	"fmt"
	"math"
	"strings"
)

func init() {
	for _, v := range []int{4, 5} {
		Register(Spec{ID: fmt.Sprintf("Ant-v%d", v), MaxEpisodeSteps: 1000, RewardThreshold: 6000,
			New: func(o Options) (Env, error) { return NewAnt(v, o) }})
	}
}

// AntEulerSubsteps is the factor by which Ant's timestep is divided (and its
// frame skip multiplied, keeping dt = 0.05 s) when the Euler integrator is
// selected with Options.Integrator: at the XML's h = 0.01 s, Euler differs
// from RK4 by 0.36 rad within five env steps of the landing, while Euler at
// h = 0.0025 s (the same four force evaluations per 0.01 s as RK4) stays
// within RK4's own discretisation error (envs.md §5.5).
const AntEulerSubsteps = 4

// Ant is Gymnasium's Ant-v4/v5: a quadruped (a sphere torso of radius 0.25
// on a free joint, four legs of a welded upper capsule, a hip hinge about z
// (±30°) and an ankle hinge; 0.91 kg) with eight motors of gear 150. Model
// ant.xml, RK4 at h = 0.01 s, frame skip 5 (dt = 0.05 s); floor contacts
// with a 1 cm margin, so the feet are supported slightly above the floor.
// With Options.Integrator "euler" the timestep is divided by
// AntEulerSubsteps and the frame skip multiplied by it.
//
//	| observation v5 (105; v4: 27, or 111 with use_contact_forces) | meaning |
//	|---------|------------------------------------------------------------------|
//	| 0       | torso z = qpos[2] (m)                                            |
//	| 1–4     | torso orientation quaternion qpos[3:7] (w, x, y, z)              |
//	| 5–12    | hip_1, ankle_1, hip_2, ankle_2, hip_3, ankle_3, hip_4, ankle_4 (rad) |
//	| 13–15   | torso linear velocity, world frame (m/s)                         |
//	| 16–18   | torso angular velocity, torso frame (rad/s)                      |
//	| 19–26   | hinge rates in qpos order (rad/s)                                |
//	| 27–104  | v5: clip(cfrc_ext[1:], −1, 1), 13 bodies × [torque; force]       |
//	| 27–110  | v4 with use_contact_forces: clip(cfrc_ext, −1, 1), 14 bodies × 6 |
//
//	| action (8)                                                        | bounds  |
//	|-------------------------------------------------------------------|---------|
//	| hip_4, ankle_4, hip_1, ankle_1, hip_2, ankle_2, hip_3, ankle_3 motors | [−1, 1] |
//
// Reward v5 = w_f·v_x + healthy_reward·h − w_c·Σa² − w_k·Σ clip(cfrc_ext, −1,
// 1)², with v_x from the torso xpos (as read after the step) and h = 1
// while healthy. v4: h is paid also on the terminal step and the contact
// cost only with use_contact_forces. Healthy: [qpos, qvel] finite and
// 0.2 ≤ z ≤ 1 (inclusive); terminated = not healthy. Info: "reward_forward",
// "reward_ctrl", "reward_survive", "x_position", "y_position",
// "distance_from_origin", "x_velocity", "y_velocity"; v5 adds
// "reward_contact"; v4 adds "forward_reward" (and, as Gymnasium v4 does,
// overwrites "reward_ctrl" with −contact cost when use_contact_forces).
// Reset: qpos0 + U(±0.1) on all 15 entries (the quaternion is not
// renormalised), qvel 0.1·N(0, 1). TimeLimit 1000. Params:
// "forward_reward_weight" (1; v5 only), "ctrl_cost_weight" (0.5),
// "contact_cost_weight" (5e-4), "healthy_reward" (1),
// "terminate_when_unhealthy" (1), "healthy_z_range_min"/"_max" (0.2, 1),
// "contact_force_range_min"/"_max" (−1, 1), "reset_noise_scale" (0.1),
// "exclude_current_positions_from_observation" (1),
// "include_cfrc_ext_in_observation" (1; v5) or "use_contact_forces" (0; v4),
// "frame_skip" (5).
type Ant struct {
	*MujocoEnv
	version                              int
	wFwd, wCtrl, wContact, healthyReward float64
	terminate, excludePos, contactsInObs bool
	contactCost                          bool
	ctrlKeyContact                       bool // v4 quirk: reward_ctrl = −contact cost
	zLo, zHi, fLo, fHi, noiseScale       float64
	torso                                int
	contactFromBody                      int
}

// NewAnt returns Ant-v<version> (4 or 5) without time limit.
func NewAnt(version int, opts Options) (*Ant, error) {
	id := fmt.Sprintf("Ant-v%d", version)
	if version != 4 && version != 5 {
		return nil, fmt.Errorf("envs: Ant: version %d, want 4 or 5", version)
	}
	obsFlag := param{"include_cfrc_ext_in_observation", 1}
	if version == 4 {
		obsFlag = param{"use_contact_forces", 0}
	}
	p, err := readParams(id, opts.Params, mujocoParams(5,
		param{"forward_reward_weight", 1}, param{"ctrl_cost_weight", 0.5}, param{"contact_cost_weight", 5e-4},
		param{"healthy_reward", 1}, param{"terminate_when_unhealthy", 1},
		param{"healthy_z_range_min", 0.2}, param{"healthy_z_range_max", 1},
		param{"contact_force_range_min", -1}, param{"contact_force_range_max", 1},
		param{"reset_noise_scale", 0.1}, param{"exclude_current_positions_from_observation", 1}, obsFlag)...)
	if err != nil {
		return nil, err
	}
	fs, err := intParam(id, "frame_skip", p[0])
	if err != nil {
		return nil, err
	}
	exclude := p[11] != 0
	flag := p[12] != 0
	dim := 27
	if !exclude {
		dim += 2
	}
	contactFrom := 1
	if flag {
		if version == 4 {
			contactFrom = 0
		}
		dim += 6 * (14 - contactFrom)
	}
	base, err := newMujocoEnv(id, "ant.xml", fs, dim, opts)
	if err != nil {
		return nil, err
	}
	if err := base.requireDims(15, 14, 8); err != nil {
		return nil, err
	}
	if base.Model.Nbody != 14 {
		return nil, fmt.Errorf("envs: %s: model has %d bodies, want 14", id, base.Model.Nbody)
	}
	if strings.EqualFold(opts.Integrator, "euler") {
		base.Model.Opt.Timestep /= AntEulerSubsteps
		base.FrameSkip *= AntEulerSubsteps
	}
	e := &Ant{MujocoEnv: base, version: version, wFwd: p[1], wCtrl: p[2], wContact: p[3], healthyReward: p[4],
		terminate: p[5] != 0, zLo: p[6], zHi: p[7], fLo: p[8], fHi: p[9], noiseScale: p[10],
		excludePos: exclude, contactsInObs: flag, contactCost: version == 5 || flag, torso: 1,
		ctrlKeyContact: version == 4 && flag, contactFromBody: contactFrom}
	if version == 4 {
		e.wFwd = 1 // Ant-v4 has no forward_reward_weight
	}
	return e, nil
}

// healthy reports Gymnasium's is_healthy: a finite state and 0.2 ≤ z ≤ 1.
func (e *Ant) healthy() bool {
	for _, x := range e.Data.Qpos {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	for _, x := range e.Data.Qvel {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	z := e.Data.Qpos[2]
	return z >= e.zLo && z <= e.zHi
}

// contactCostOf returns w_k·Σ clip(cfrc_ext, range)² over all bodies.
func (e *Ant) contactCostOf() float64 {
	s := 0.0
	for _, w := range e.Data.CfrcExt {
		for _, v := range w {
			c := clip(v, e.fLo, e.fHi)
			s += c * c
		}
	}
	return e.wContact * s
}

func (e *Ant) observe() []float64 {
	q := e.Data.Qpos
	if e.excludePos {
		q = q[2:]
	}
	n := copy(e.obs, q)
	n += copy(e.obs[n:], e.Data.Qvel)
	if e.contactsInObs {
		for _, w := range e.Data.CfrcExt[e.contactFromBody:] {
			for _, v := range w {
				e.obs[n] = clip(v, e.fLo, e.fHi)
				n++
			}
		}
	}
	return e.obs
}

// Reset starts an episode near qpos0 (the torso at z = 0.75).
func (e *Ant) Reset(seed int64) ([]float64, Info) {
	e.resetData(seed)
	e.uniformNoise(e.Data.Qpos, e.noiseScale)
	e.normalNoise(e.Data.Qvel, e.noiseScale)
	e.setState()
	clear(e.Data.CfrcExt)
	clear(e.info)
	if e.version == 5 {
		x, y := e.Data.Qpos[0], e.Data.Qpos[1]
		e.info["x_position"], e.info["y_position"] = x, y
		e.info["distance_from_origin"] = math.Hypot(x-e.Model.Qpos0[0], y-e.Model.Qpos0[1])
	}
	return e.observe(), e.info
}

// Step applies the eight joint torques for one env step.
func (e *Ant) Step(action []float64) ([]float64, float64, bool, bool, Info, error) {
	x0, y0 := e.Data.Xpos[e.torso][0], e.Data.Xpos[e.torso][1]
	if err := e.simulate(action); err != nil {
		return e.obs, 0, false, false, e.info, err
	}
	x1, y1 := e.Data.Xpos[e.torso][0], e.Data.Xpos[e.torso][1]
	dt := e.Dt()
	vx, vy := (x1-x0)/dt, (y1-y0)/dt
	ok := e.healthy()
	hr := 0.0
	if ok || (e.version == 4 && e.terminate) {
		hr = e.healthyReward
	}
	fwd := e.wFwd * vx
	ctrl := e.wCtrl * sumSquares(action)
	cost := ctrl
	contact := 0.0
	if e.contactCost {
		contact = e.contactCostOf()
		cost += contact
	}
	e.info["reward_forward"] = fwd
	e.info["reward_ctrl"] = -ctrl
	e.info["reward_survive"] = hr
	e.info["x_velocity"], e.info["y_velocity"] = vx, vy
	if e.version == 5 {
		q := e.Data.Qpos
		e.info["reward_contact"] = -contact
		e.info["x_position"], e.info["y_position"] = q[0], q[1]
		e.info["distance_from_origin"] = math.Hypot(q[0]-e.Model.Qpos0[0], q[1]-e.Model.Qpos0[1])
	} else {
		e.info["x_position"], e.info["y_position"] = x1, y1
		e.info["distance_from_origin"] = math.Hypot(x1, y1)
		e.info["forward_reward"] = fwd
		if e.ctrlKeyContact {
			e.info["reward_ctrl"] = -contact
		}
	}
	return e.observe(), fwd + hr - cost, !ok && e.terminate, false, e.info, nil
}
