package envs

import (
	"fmt"
	"math"
)

func init() {
	for _, v := range []int{4, 5} {
		Register(Spec{ID: fmt.Sprintf("Reacher-v%d", v), MaxEpisodeSteps: 50, RewardThreshold: -3.75,
			New: func(o Options) (Env, error) { return NewReacher(v, o) }})
	}
}

// Reacher is Gymnasium's Reacher-v4/v5: a 2-link planar arm (joint0
// unlimited, joint1 ±3 rad, armature 1, damping 1, gears 200) must bring its
// fingertip to a target held by two slide joints (qpos[2:4]). Model
// reacher.xml, RK4 at h = 0.01 s, frame skip 2 (dt = 0.02 s). No contacts.
//
//	| observation v5 (10) / v4 (11) | meaning                           |
//	|-------------------------------|-----------------------------------|
//	| 0, 1                          | cos q0, cos q1                    |
//	| 2, 3                          | sin q0, sin q1                    |
//	| 4, 5                          | target x, y = qpos[2:4] (m)       |
//	| 6, 7                          | q̇0, q̇1 (rad/s)                   |
//	| 8, 9 (v4: 8, 9, 10)           | fingertip − target, x y (v4: x y z) (m) |
//
//	| action (2)          | bounds  |
//	|---------------------|---------|
//	| 0, 1 joint motors   | [−1, 1] |
//
// Reward = −w_d ‖fingertip − target‖ − w_c Σa² with the raw action and body
// positions (xpos) after the step in v5, before the step in v4. Never
// terminates (TimeLimit 50). Info: "reward_dist", "reward_ctrl". Reset: arm
// qpos0 + U(±0.1), goal uniform in [−0.2, 0.2]² with norm < 0.2 (rejection
// sampling) written to qpos[2:4], arm qvel U(±0.005), target qvel 0; with
// NoResetNoise the goal stays at its qpos0. Params: "reward_dist_weight" (1),
// "reward_control_weight" (1), "frame_skip" (2).
type Reacher struct {
	*MujocoEnv
	version           int
	wDist, wCtrl      float64
	fingertip, target int
}

// NewReacher returns Reacher-v<version> (4 or 5) without time limit.
func NewReacher(version int, opts Options) (*Reacher, error) {
	id := fmt.Sprintf("Reacher-v%d", version)
	if version != 4 && version != 5 {
		return nil, fmt.Errorf("envs: Reacher: version %d, want 4 or 5", version)
	}
	p, err := readParams(id, opts.Params, mujocoParams(2, param{"reward_dist_weight", 1}, param{"reward_control_weight", 1})...)
	if err != nil {
		return nil, err
	}
	fs, err := intParam(id, "frame_skip", p[0])
	if err != nil {
		return nil, err
	}
	dim := 10
	if version == 4 {
		dim = 11
	}
	base, err := newMujocoEnv(id, "reacher.xml", fs, dim, opts)
	if err != nil {
		return nil, err
	}
	if err := base.requireDims(4, 4, 2); err != nil {
		return nil, err
	}
	e := &Reacher{MujocoEnv: base, version: version, wDist: p[1], wCtrl: p[2]}
	if e.fingertip, err = base.bodyID("fingertip"); err != nil {
		return nil, err
	}
	if e.target, err = base.bodyID("target"); err != nil {
		return nil, err
	}
	return e, nil
}

// distance returns ‖xpos[fingertip] − xpos[target]‖.
func (e *Reacher) distance() float64 {
	f, t := e.Data.Xpos[e.fingertip], e.Data.Xpos[e.target]
	dx, dy, dz := f[0]-t[0], f[1]-t[1], f[2]-t[2]
	return math.Sqrt(dx*dx + dy*dy + dz*dz)
}

func (e *Reacher) observe() []float64 {
	d, o := e.Data, e.obs
	o[0], o[1] = math.Cos(d.Qpos[0]), math.Cos(d.Qpos[1])
	o[2], o[3] = math.Sin(d.Qpos[0]), math.Sin(d.Qpos[1])
	o[4], o[5] = d.Qpos[2], d.Qpos[3]
	o[6], o[7] = d.Qvel[0], d.Qvel[1]
	f, t := d.Xpos[e.fingertip], d.Xpos[e.target]
	o[8], o[9] = f[0]-t[0], f[1]-t[1]
	if e.version == 4 {
		o[10] = f[2] - t[2]
	}
	return o
}

// Reset places the arm near qpos0 and draws a new goal.
func (e *Reacher) Reset(seed int64) ([]float64, Info) {
	e.resetData(seed)
	d := e.Data
	e.uniformNoise(d.Qpos, 0.1)
	if !e.noNoise {
		for {
			gx, gy := -0.2+0.4*e.rng.Float64(), -0.2+0.4*e.rng.Float64()
			if math.Hypot(gx, gy) < 0.2 {
				d.Qpos[2], d.Qpos[3] = gx, gy
				break
			}
		}
	} else {
		copy(d.Qpos[2:4], e.Model.Qpos0[2:4])
	}
	e.uniformNoise(d.Qvel, 0.005)
	d.Qvel[2], d.Qvel[3] = 0, 0
	e.setState()
	clear(e.info)
	return e.observe(), e.info
}

// Step applies the two joint torques.
func (e *Reacher) Step(action []float64) ([]float64, float64, bool, bool, Info, error) {
	var dist float64
	if e.version == 4 {
		dist = e.distance()
	}
	if err := e.simulate(action); err != nil {
		return e.obs, 0, false, false, e.info, err
	}
	if e.version == 5 {
		dist = e.distance()
	}
	rd := -dist * e.wDist
	rc := -sumSquares(action) * e.wCtrl
	e.info["reward_dist"], e.info["reward_ctrl"] = rd, rc
	return e.observe(), rd + rc, false, false, e.info, nil
}
