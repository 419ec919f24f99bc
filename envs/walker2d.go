package envs

import (
	"fmt"
	"math"
)

func init() {
	for _, v := range []int{4, 5} {
		Register(Spec{ID: fmt.Sprintf("Walker2d-v%d", v), MaxEpisodeSteps: 1000, RewardThreshold: math.NaN(),
			New: func(o Options) (Env, error) { return NewWalker2d(v, o) }})
	}
}

// Walker2d is Gymnasium's Walker2d-v4/v5: a two-legged planar robot (torso
// and two thigh–leg–foot chains; 23.7 kg) on root joints rootx, rootz,
// rooty, with six motors of gear 100. Model walker2d.xml for v4 (right foot
// friction 0.9, left 1.9) and walker2d_v5.xml for v5 (both feet 1.9); RK4
// at h = 0.002 s, frame skip 4 (dt = 0.008 s); floor contacts only.
//
//	| observation (17; 18 with exclude_current_positions_from_observation = 0) | meaning |
//	|-------|------------------------------------------------------------------|
//	| 0     | torso height z = qpos[1] (m)                                     |
//	| 1     | torso pitch qpos[2] (rad)                                        |
//	| 2–7   | right thigh, leg, foot, left thigh, leg, foot angles (rad)       |
//	| 8–16  | clip(qvel, −10, 10) in qpos order (m/s, rad/s)                   |
//
//	| action (6)                                            | bounds  |
//	|-------------------------------------------------------|---------|
//	| right thigh, leg, foot, left thigh, leg, foot motors  | [−1, 1] |
//
// Reward = w_f·v_x + healthy_reward·h − w_c·Σa², v_x from qpos[0]; h = 1
// while healthy (v4: also on the terminal step). Healthy (strict):
// 0.8 < z < 2, −1 < pitch < 1; terminated = not healthy. Info as Hopper.
// Reset: qpos0 + U(±5e-3), qvel U(±5e-3). TimeLimit 1000. Params as
// Hopper without the state range; "healthy_z_range_min"/"_max" (0.8, 2),
// "healthy_angle_range_min"/"_max" (−1, 1).
type Walker2d struct{ *planarWalker }

// NewWalker2d returns Walker2d-v<version> (4 or 5) without time limit.
func NewWalker2d(version int, opts Options) (*Walker2d, error) {
	id := fmt.Sprintf("Walker2d-v%d", version)
	asset := "walker2d.xml"
	switch version {
	case 4:
	case 5:
		asset = "walker2d_v5.xml"
	default:
		return nil, fmt.Errorf("envs: Walker2d: version %d, want 4 or 5", version)
	}
	p, err := readParams(id, opts.Params, walkerParams(4, false, 0.8, 2, -1, 1)...)
	if err != nil {
		return nil, err
	}
	w, err := newPlanarWalker(id, asset, version, 9, 6, false, p, opts)
	if err != nil {
		return nil, err
	}
	return &Walker2d{w}, nil
}

// Reset starts an episode near the upright pose.
func (e *Walker2d) Reset(seed int64) ([]float64, Info) { return e.reset(seed) }

// Step applies the six joint torques for one env step.
func (e *Walker2d) Step(action []float64) ([]float64, float64, bool, bool, Info, error) {
	return e.step(action)
}
