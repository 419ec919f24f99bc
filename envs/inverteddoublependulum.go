package envs

import (
	"fmt"
	"math"
)

func init() {
	for _, v := range []int{4, 5} {
		Register(Spec{ID: fmt.Sprintf("InvertedDoublePendulum-v%d", v), MaxEpisodeSteps: 1000, RewardThreshold: 9100,
			New: func(o Options) (Env, error) { return NewInvertedDoublePendulum(v, o) }})
	}
}

// InvertedDoublePendulum is Gymnasium's InvertedDoublePendulum-v4/v5: a cart
// (slider ±1 m) carrying two poles on unlimited hinges, damping 0.05 on all
// joints, a motor of gear 500 on the slider. Model
// inverted_double_pendulum.xml, RK4 at h = 0.01 s, frame skip 5 (dt =
// 0.05 s; the XML's custom frame_skip = 2 is ignored, as in Gymnasium).
//
//	| observation v5 (9) / v4 (11) | meaning                               |
//	|------------------------------|---------------------------------------|
//	| 0                            | cart position qpos[0] (m)             |
//	| 1, 2                         | sin θ1, sin θ2 (θ = qpos[1:3])        |
//	| 3, 4                         | cos θ1, cos θ2                        |
//	| 5, 6, 7                      | clip(qvel, −10, 10)                   |
//	| 8 (v4: 8, 9, 10)             | clip(qfrc_constraint[0] (v4: all 3), −10, 10) |
//
//	| action (1)          | bounds  |
//	|---------------------|---------|
//	| 0 slider motor ctrl | [−1, 1] |
//
// With the tip site at (x, _, y) after the step: reward = alive −
// (0.01 x² + (y − 2)²) − (0.001 θ̇1² + 0.005 θ̇2²), alive = healthy_reward
// (10) except on the terminating step in v5 (v4 pays it always); terminated
// when y ≤ 1. Info: "reward_survive", "distance_penalty",
// "velocity_penalty". Reset: qpos0 + U(±0.1), qvel = 0.1·N(0, 1)
// (reset_noise_scale). TimeLimit 1000. Params: "healthy_reward" (10),
// "reset_noise_scale" (0.1), "frame_skip" (5).
type InvertedDoublePendulum struct {
	*MujocoEnv
	version       int
	healthyReward float64
	noiseScale    float64
}

// NewInvertedDoublePendulum returns InvertedDoublePendulum-v<version> (4 or
// 5) without time limit.
func NewInvertedDoublePendulum(version int, opts Options) (*InvertedDoublePendulum, error) {
	id := fmt.Sprintf("InvertedDoublePendulum-v%d", version)
	if version != 4 && version != 5 {
		return nil, fmt.Errorf("envs: InvertedDoublePendulum: version %d, want 4 or 5", version)
	}
	p, err := readParams(id, opts.Params, mujocoParams(5, param{"healthy_reward", 10}, param{"reset_noise_scale", 0.1})...)
	if err != nil {
		return nil, err
	}
	fs, err := intParam(id, "frame_skip", p[0])
	if err != nil {
		return nil, err
	}
	dim := 9
	if version == 4 {
		dim = 11
	}
	base, err := newMujocoEnv(id, "inverted_double_pendulum.xml", fs, dim, opts)
	if err != nil {
		return nil, err
	}
	if err := base.requireDims(3, 3, 1); err != nil {
		return nil, err
	}
	if base.Model.Nsite < 1 {
		return nil, fmt.Errorf("envs: %s: model has no site (the pole tip must be site 0)", id)
	}
	return &InvertedDoublePendulum{MujocoEnv: base, version: version, healthyReward: p[1], noiseScale: p[2]}, nil
}

func (e *InvertedDoublePendulum) observe() []float64 {
	d, o := e.Data, e.obs
	o[0] = d.Qpos[0]
	o[1], o[2] = math.Sin(d.Qpos[1]), math.Sin(d.Qpos[2])
	o[3], o[4] = math.Cos(d.Qpos[1]), math.Cos(d.Qpos[2])
	for i := range 3 {
		o[5+i] = clip(d.Qvel[i], -10, 10)
	}
	nc := 1
	if e.version == 4 {
		nc = 3
	}
	for i := range nc {
		o[8+i] = clip(d.QfrcConstraint[i], -10, 10)
	}
	return o
}

// Reset starts an episode near the upright poles.
func (e *InvertedDoublePendulum) Reset(seed int64) ([]float64, Info) {
	e.resetData(seed)
	e.uniformNoise(e.Data.Qpos, e.noiseScale)
	e.normalNoise(e.Data.Qvel, e.noiseScale)
	e.setState()
	clear(e.info)
	return e.observe(), e.info
}

// Step pushes the cart with action[0].
func (e *InvertedDoublePendulum) Step(action []float64) ([]float64, float64, bool, bool, Info, error) {
	if err := e.simulate(action); err != nil {
		return e.obs, 0, false, false, e.info, err
	}
	tip := e.Data.SiteXpos[0]
	x, y := tip[0], tip[2]
	term := y <= 1
	v1, v2 := e.Data.Qvel[1], e.Data.Qvel[2]
	dist := 0.01*x*x + (y-2)*(y-2)
	vel := 1e-3*v1*v1 + 5e-3*v2*v2
	alive := e.healthyReward
	if e.version == 5 && term {
		alive = 0
	}
	e.info["reward_survive"] = alive
	e.info["distance_penalty"] = -dist
	e.info["velocity_penalty"] = -vel
	return e.observe(), alive - dist - vel, term, false, e.info, nil
}
