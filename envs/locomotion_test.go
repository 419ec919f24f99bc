package envs

import (
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// locomotion lists the contact tasks with their reference rollout name,
// env dt and number of bodies.
var locomotion = []struct {
	id, name, xml string
	dt            float64
}{
	{"Hopper-v5", "hopper", "hopper.xml", 0.008},
	{"Walker2d-v4", "walker2d", "walker2d.xml", 0.008},
	{"Walker2d-v5", "walker2d_v5", "walker2d_v5.xml", 0.008},
	{"HalfCheetah-v5", "half_cheetah", "half_cheetah.xml", 0.05},
	{"Ant-v5", "ant", "ant.xml", 0.05},
	{"Humanoid-v5", "humanoid", "humanoid.xml", 0.015},
}

// v5Reward recomputes Gymnasium's v5 reward and health of a locomotion
// task from two consecutive states given as column accessors (the formulas
// of refgen/summarize.py, written independently of the tasks).
func v5Reward(name string, dt float64, prev, cur func(string) float64, nq, nv, nu int) (float64, bool) {
	q := func(i int) float64 { return cur("qpos" + strconv.Itoa(i)) }
	v := func(i int) float64 { return cur("qvel" + strconv.Itoa(i)) }
	ctrl := 0.0
	for i := range nu {
		c := cur("ctrl" + strconv.Itoa(i))
		ctrl += c * c
	}
	xv := (q(0) - prev("qpos0")) / dt
	switch {
	case name == "hopper":
		healthy := q(1) > 0.7 && q(2) > -0.2 && q(2) < 0.2
		for i := 2; i < nq; i++ {
			healthy = healthy && math.Abs(q(i)) < 100
		}
		for i := range nv {
			healthy = healthy && math.Abs(v(i)) < 100
		}
		return xv + b2f(healthy) - 1e-3*ctrl, healthy
	case strings.HasPrefix(name, "walker2d"):
		healthy := q(1) > 0.8 && q(1) < 2 && q(2) > -1 && q(2) < 1
		return xv + b2f(healthy) - 1e-3*ctrl, healthy
	case name == "half_cheetah":
		return xv - 0.1*ctrl, true
	case name == "ant":
		xv = (cur("body1_xpos_x") - prev("body1_xpos_x")) / dt
		healthy := q(2) >= 0.2 && q(2) <= 1
		return xv + b2f(healthy) - 0.5*ctrl - 5e-4*cur("cfrc_ext_sumsq_clip1_nonworld"), healthy
	case name == "humanoid":
		xv = (cur("com_x") - prev("com_x")) / dt
		healthy := q(2) > 1 && q(2) < 2
		return 1.25*xv + 5*b2f(healthy) - 0.1*ctrl - math.Min(5e-7*cur("cfrc_ext_sumsq"), 10), healthy
	}
	panic("unknown model " + name)
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// refEpisode returns the v5 return and length of the zero-action episode of
// a reference rollout (1000-step time limit).
func refEpisode(name string, r refRollout, dt float64) (float64, int) {
	nq, nv, nu := 0, 0, 0
	for c := range r.cols {
		switch {
		case strings.HasPrefix(c, "qpos"):
			nq++
		case strings.HasPrefix(c, "qvel"):
			nv++
		case strings.HasPrefix(c, "ctrl"):
			nu++
		}
	}
	ret := 0.0
	for k := 1; k < r.rows && k <= 1000; k++ {
		rew, ok := v5Reward(name, dt, func(c string) float64 { return r.at(c, k-1) }, func(c string) float64 { return r.at(c, k) }, nq, nv, nu)
		ret += rew
		if !ok {
			return ret, k
		}
	}
	return ret, min(1000, r.rows-1)
}

// TestLocomotionZeroRollouts: zero-action episodes from qpos0 have the
// length and return of MuJoCo's rollout_zero.csv within 3%.
func TestLocomotionZeroRollouts(t *testing.T) {
	dir := sharedDir(t)
	for _, c := range locomotion {
		t.Run(c.id, func(t *testing.T) {
			ref := readRollout(t, filepath.Join(dir, "ref", c.name+".rollout_zero.csv"))
			wantRet, wantLen := refEpisode(c.name, ref, c.dt)
			e := makeTask(t, c.id, c.xml, Options{})
			st := Unwrap(e).(State)
			e.Reset(0)
			a := make([]float64, e.ActionSpace().Dim())
			ret, length := 0.0, 0
			dev := map[int]float64{}
			for k := 1; ; k++ {
				_, r, term, trunc, _, err := e.Step(a)
				require.NoError(t, err)
				ret += r
				length = k
				if k < ref.rows {
					m := 0.0
					for i, q := range st.Qpos() {
						m = max(m, math.Abs(q-ref.at("qpos"+strconv.Itoa(i), k)))
					}
					for _, n := range []int{10, 50, 100} {
						if k <= n {
							dev[n] = max(dev[n], m)
						}
					}
				}
				if term || trunc {
					break
				}
			}
			t.Logf("%s: return %.3f (MuJoCo %.3f), length %d (MuJoCo %d); max |Δqpos| over 10/50/100 steps %.1e / %.1e / %.1e",
				c.id, ret, wantRet, length, wantLen, dev[10], dev[50], dev[100])
			assert.InDelta(t, float64(wantLen), float64(length), 0.03*float64(wantLen), "episode length")
			assert.InDelta(t, wantRet, ret, 0.03*math.Abs(wantRet)+0.03, "episode return")
		})
	}
}
