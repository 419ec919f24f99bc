package envs

import (
	"fmt"
	"math"
)

func init() {
	for _, v := range []int{4, 5} {
		Register(Spec{ID: fmt.Sprintf("Humanoid-v%d", v), MaxEpisodeSteps: 1000, RewardThreshold: math.NaN(),
			New: func(o Options) (Env, error) { return NewHumanoid(v, o) }})
	}
}

// Humanoid is Gymnasium's Humanoid-v4/v5: a 3-D humanoid (torso on a free
// joint at z = 1.4, abdomen, two legs and two arms; 13 bodies, 17 hinges,
// 42.1 kg) with 17 motors. Model humanoid.xml, RK4 at h = 0.003 s with
// MuJoCo's PGS solver (50 iterations), frame skip 5 (dt = 0.015 s); floor
// contacts with friction and frictionless self-contacts.
//
//	| observation v5 (348; v4 376) | meaning                                              |
//	|------------|---------------------------------------------------------------------|
//	| 0–21       | qpos[2:]: torso z (m), quaternion (w, x, y, z), 17 hinge angles (rad) |
//	| 22–44      | qvel: torso linear (world, m/s) and angular (local, rad/s), hinge rates |
//	| 45–174     | cinert[1:] (13 × 10; v4: 14 × 10 with the world)                     |
//	| 175–252    | cvel[1:] (13 × 6; v4: 14 × 6)                                        |
//	| 253–269    | qfrc_actuator[6:] (17; v4: all 23)                                   |
//	| 270–347    | cfrc_ext[1:] (13 × 6; v4: 14 × 6)                                    |
//
// cinert rows are [Ixx, Iyy, Izz, Ixy, Ixz, Iyz, m·cx, m·cy, m·cz, m] about
// the subtree COM of the root body (world orientation); cvel rows are
// [ω; v] and cfrc_ext rows [torque; force] in the same frame; all as read
// after the step (the last forward evaluation inside it).
//
//	| action (17)                                                    | bounds       |
//	|----------------------------------------------------------------|--------------|
//	| abdomen_y, abdomen_z, abdomen_x, right_hip_x, right_hip_z, right_hip_y, right_knee, left_hip_x, left_hip_z, left_hip_y, left_knee, right_shoulder1, right_shoulder2, right_elbow, left_shoulder1, left_shoulder2, left_elbow | [−0.4, 0.4] |
//
// Reward v5 = w_f·v_x + healthy_reward·h − w_c·Σctrl² − min(w_k·Σcfrc_ext²,
// 10), with v_x the x velocity of the mass centre Σ m_b·xipos_b / Σ m_b and
// h = 1 while healthy. v4: no contact cost, h paid also on the terminal
// step. Healthy: 1 < z < 2; terminated = not healthy. Info v5:
// "reward_survive", "reward_forward", "reward_ctrl", "reward_contact",
// "x_position", "y_position", "distance_from_origin", "x_velocity",
// "y_velocity", "tendon_length_0/1" and "tendon_velocity_0/1" (the fixed
// tendons left_hipknee, right_hipknee = knee − hip_y). Info v4:
// "reward_linvel", "reward_quadctrl", "reward_alive", "x_position",
// "y_position", "distance_from_origin", "x_velocity", "y_velocity",
// "forward_reward" (positions of the mass centre). Reset: qpos0 + U(±0.01),
// qvel U(±0.01). TimeLimit 1000. Params: "forward_reward_weight" (1.25),
// "ctrl_cost_weight" (0.1), "contact_cost_weight" (5e-7; v5),
// "contact_cost_range_max" (10; v5), "healthy_reward" (5),
// "terminate_when_unhealthy" (1), "healthy_z_range_min"/"_max" (1, 2),
// "reset_noise_scale" (0.01), "exclude_current_positions_from_observation"
// (1), "frame_skip" (5).
type Humanoid struct {
	*MujocoEnv
	version                             int
	wFwd, wCtrl, wContact, contactMax   float64
	healthyReward, zLo, zHi, noiseScale float64
	terminate, excludePos               bool
	totalMass                           float64
	hipY, knee                          [2]int // qpos indices of the tendon joints (left, right)
	hipYDof, kneeDof                    [2]int
}

// NewHumanoid returns Humanoid-v<version> (4 or 5) without time limit.
func NewHumanoid(version int, opts Options) (*Humanoid, error) {
	id := fmt.Sprintf("Humanoid-v%d", version)
	if version != 4 && version != 5 {
		return nil, fmt.Errorf("envs: Humanoid: version %d, want 4 or 5", version)
	}
	decl := []param{{"forward_reward_weight", 1.25}, {"ctrl_cost_weight", 0.1}, {"healthy_reward", 5},
		{"terminate_when_unhealthy", 1}, {"healthy_z_range_min", 1}, {"healthy_z_range_max", 2},
		{"reset_noise_scale", 1e-2}, {"exclude_current_positions_from_observation", 1}}
	if version == 5 {
		decl = append(decl, param{"contact_cost_weight", 5e-7}, param{"contact_cost_range_max", 10})
	}
	p, err := readParams(id, opts.Params, mujocoParams(5, decl...)...)
	if err != nil {
		return nil, err
	}
	fs, err := intParam(id, "frame_skip", p[0])
	if err != nil {
		return nil, err
	}
	exclude := p[8] != 0
	dim := 376
	if version == 5 {
		dim = 348
	}
	if !exclude {
		dim += 2
	}
	base, err := newMujocoEnv(id, "humanoid.xml", fs, dim, opts)
	if err != nil {
		return nil, err
	}
	if err := base.requireDims(24, 23, 17); err != nil {
		return nil, err
	}
	m := base.Model
	if m.Nbody != 14 {
		return nil, fmt.Errorf("envs: %s: model has %d bodies, want 14", id, m.Nbody)
	}
	e := &Humanoid{MujocoEnv: base, version: version, wFwd: p[1], wCtrl: p[2], healthyReward: p[3],
		terminate: p[4] != 0, zLo: p[5], zHi: p[6], noiseScale: p[7], excludePos: exclude}
	if version == 5 {
		e.wContact, e.contactMax = p[9], p[10]
	}
	for b := range m.Nbody {
		e.totalMass += m.BodyMass[b]
	}
	for i, side := range []string{"left", "right"} {
		hy, err := jointAddr(id, m.JntName, side+"_hip_y")
		if err != nil {
			return nil, err
		}
		kn, err := jointAddr(id, m.JntName, side+"_knee")
		if err != nil {
			return nil, err
		}
		e.hipY[i], e.knee[i] = m.JntQposAdr[hy], m.JntQposAdr[kn]
		e.hipYDof[i], e.kneeDof[i] = m.JntDofAdr[hy], m.JntDofAdr[kn]
	}
	return e, nil
}

// jointAddr returns the id of the named joint or an error.
func jointAddr(id string, names []string, name string) (int, error) {
	for j, n := range names {
		if n == name {
			return j, nil
		}
	}
	return 0, fmt.Errorf("envs: %s: model has no joint %q", id, name)
}

// massCenter returns the x and y of Σ m_b·xipos_b / Σ m_b.
func (e *Humanoid) massCenter() (x, y float64) {
	for b, ms := range e.Model.BodyMass {
		x += ms * e.Data.Xipos[b][0]
		y += ms * e.Data.Xipos[b][1]
	}
	return x / e.totalMass, y / e.totalMass
}

func (e *Humanoid) observe() []float64 {
	d := e.Data
	q := d.Qpos
	if e.excludePos {
		q = q[2:]
	}
	n := copy(e.obs, q)
	n += copy(e.obs[n:], d.Qvel)
	from, afrom := 0, 0
	if e.version == 5 {
		from, afrom = 1, 6
	}
	for _, r := range d.Cinert[from:] {
		n += copy(e.obs[n:], r[:])
	}
	for _, r := range d.Cvel[from:] {
		n += copy(e.obs[n:], r[:])
	}
	n += copy(e.obs[n:], d.QfrcActuator[afrom:])
	for _, r := range d.CfrcExt[from:] {
		n += copy(e.obs[n:], r[:])
	}
	return e.obs
}

// Reset starts an episode near the standing pose.
func (e *Humanoid) Reset(seed int64) ([]float64, Info) {
	e.resetData(seed)
	e.uniformNoise(e.Data.Qpos, e.noiseScale)
	e.uniformNoise(e.Data.Qvel, e.noiseScale)
	e.setState()
	clear(e.Data.CfrcExt)
	clear(e.info)
	if e.version == 5 {
		e.fillInfoV5()
	}
	return e.observe(), e.info
}

// fillInfoV5 writes the position and tendon entries of the v5 info.
func (e *Humanoid) fillInfoV5() {
	q, v := e.Data.Qpos, e.Data.Qvel
	e.info["x_position"], e.info["y_position"] = q[0], q[1]
	e.info["distance_from_origin"] = math.Hypot(q[0]-e.Model.Qpos0[0], q[1]-e.Model.Qpos0[1])
	e.info["tendon_length_0"] = q[e.knee[0]] - q[e.hipY[0]]
	e.info["tendon_length_1"] = q[e.knee[1]] - q[e.hipY[1]]
	e.info["tendon_velocity_0"] = v[e.kneeDof[0]] - v[e.hipYDof[0]]
	e.info["tendon_velocity_1"] = v[e.kneeDof[1]] - v[e.hipYDof[1]]
}

// Step applies the 17 joint torques for one env step.
func (e *Humanoid) Step(action []float64) ([]float64, float64, bool, bool, Info, error) {
	x0, y0 := e.massCenter()
	if err := e.simulate(action); err != nil {
		return e.obs, 0, false, false, e.info, err
	}
	x1, y1 := e.massCenter()
	dt := e.Dt()
	vx, vy := (x1-x0)/dt, (y1-y0)/dt
	z := e.Data.Qpos[2]
	ok := z > e.zLo && z < e.zHi
	hr := 0.0
	if ok || (e.version == 4 && e.terminate) {
		hr = e.healthyReward
	}
	fwd := e.wFwd * vx
	ctrl := e.wCtrl * sumSquares(e.Data.Ctrl)
	r := fwd + hr - ctrl
	if e.version == 5 {
		s := 0.0
		for _, w := range e.Data.CfrcExt {
			for _, v := range w {
				s += v * v
			}
		}
		contact := math.Min(e.wContact*s, e.contactMax)
		r -= contact
		e.info["reward_survive"] = hr
		e.info["reward_forward"] = fwd
		e.info["reward_ctrl"] = -ctrl
		e.info["reward_contact"] = -contact
		e.fillInfoV5()
	} else {
		e.info["reward_linvel"] = fwd
		e.info["reward_quadctrl"] = -ctrl
		e.info["reward_alive"] = hr
		e.info["x_position"], e.info["y_position"] = x1, y1
		e.info["distance_from_origin"] = math.Hypot(x1, y1)
		e.info["forward_reward"] = fwd
	}
	e.info["x_velocity"], e.info["y_velocity"] = vx, vy
	return e.observe(), r, !ok && e.terminate, false, e.info, nil
}
