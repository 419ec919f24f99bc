package envs

import (
	"fmt"
	"math"
)

func init() {
	for _, v := range []int{4, 5} {
		Register(Spec{ID: fmt.Sprintf("InvertedPendulum-v%d", v), MaxEpisodeSteps: 1000, RewardThreshold: 950,
			New: func(o Options) (Env, error) { return NewInvertedPendulum(v, o) }})
	}
}

// InvertedPendulum is Gymnasium's InvertedPendulum-v4/v5: a cart on a rail
// (slider, ±1 m, damping 1) carrying a pole on a hinge (±90°, damping 1); a
// motor of gear 100 pushes the cart. Model inverted_pendulum.xml, RK4 at
// h = 0.02 s, frame skip 2 (dt = 0.04 s).
//
//	| observation (4) | meaning                  | unit  |
//	|-----------------|--------------------------|-------|
//	| 0               | cart position x = qpos[0] | m     |
//	| 1               | pole angle θ = qpos[1]    | rad   |
//	| 2               | cart velocity qvel[0]     | m/s   |
//	| 3               | pole angular velocity     | rad/s |
//
//	| action (1)          | bounds  |
//	|---------------------|---------|
//	| 0 slider motor ctrl | [−3, 3] |
//
// Reward: 1 per step; v5 pays 0 on the terminating step. Terminated when
// |θ| > 0.2 (a non-finite state is a *StateError). Info (v5):
// "reward_survive". Reset: qpos0 + U(±0.01) on qpos and on qvel
// (reset_noise_scale). TimeLimit 1000. Params: "reset_noise_scale" (0.01),
// "frame_skip" (2).
type InvertedPendulum struct {
	*MujocoEnv
	version    int
	noiseScale float64
}

// NewInvertedPendulum returns InvertedPendulum-v<version> (4 or 5) without
// time limit.
func NewInvertedPendulum(version int, opts Options) (*InvertedPendulum, error) {
	id := fmt.Sprintf("InvertedPendulum-v%d", version)
	if version != 4 && version != 5 {
		return nil, fmt.Errorf("envs: InvertedPendulum: version %d, want 4 or 5", version)
	}
	p, err := readParams(id, opts.Params, mujocoParams(2, param{"reset_noise_scale", 0.01})...)
	if err != nil {
		return nil, err
	}
	fs, err := intParam(id, "frame_skip", p[0])
	if err != nil {
		return nil, err
	}
	base, err := newMujocoEnv(id, "inverted_pendulum.xml", fs, 4, opts)
	if err != nil {
		return nil, err
	}
	if err := base.requireDims(2, 2, 1); err != nil {
		return nil, err
	}
	return &InvertedPendulum{MujocoEnv: base, version: version, noiseScale: p[1]}, nil
}

func (e *InvertedPendulum) observe() []float64 {
	d := e.Data
	e.obs[0], e.obs[1], e.obs[2], e.obs[3] = d.Qpos[0], d.Qpos[1], d.Qvel[0], d.Qvel[1]
	return e.obs
}

// Reset starts an episode near the upright pole.
func (e *InvertedPendulum) Reset(seed int64) ([]float64, Info) {
	e.resetData(seed)
	e.uniformNoise(e.Data.Qpos, e.noiseScale)
	e.uniformNoise(e.Data.Qvel, e.noiseScale)
	e.setState()
	clear(e.info)
	return e.observe(), e.info
}

// Step pushes the cart with action[0].
func (e *InvertedPendulum) Step(action []float64) ([]float64, float64, bool, bool, Info, error) {
	if err := e.simulate(action); err != nil {
		return e.obs, 0, false, false, e.info, err
	}
	obs := e.observe()
	term := math.Abs(obs[1]) > 0.2
	r := 1.0
	if e.version == 5 {
		if term {
			r = 0
		}
		e.info["reward_survive"] = r
	}
	return obs, r, term, false, e.info, nil
}
