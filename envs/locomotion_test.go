package envs

import (
	"math"
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

// colsOf returns the reference-CSV-like columns of a task's current state:
// qpos*, qvel*, ctrl*, body1_xpos_x, com_x, cfrc_ext_sumsq and
// cfrc_ext_sumsq_clip1_nonworld.
func colsOf(e *MujocoEnv) map[string]float64 {
	d, m := e.Data, e.Model
	c := map[string]float64{}
	for i, v := range d.Qpos {
		c["qpos"+strconv.Itoa(i)] = v
	}
	for i, v := range d.Qvel {
		c["qvel"+strconv.Itoa(i)] = v
	}
	for i, v := range d.Ctrl {
		c["ctrl"+strconv.Itoa(i)] = v
	}
	c["body1_xpos_x"] = d.Xpos[1][0]
	mass, mx := 0.0, 0.0
	for b, ms := range m.BodyMass {
		mass += ms
		mx += ms * d.Xipos[b][0]
	}
	c["com_x"] = mx / mass
	s, sc := 0.0, 0.0
	for b, w := range d.CfrcExt {
		for _, v := range w {
			s += v * v
			if b > 0 {
				x := min(max(v, -1), 1)
				sc += x * x
			}
		}
	}
	c["cfrc_ext_sumsq"], c["cfrc_ext_sumsq_clip1_nonworld"] = s, sc
	return c
}

// TestLocomotionRewardFormulas recomputes every reward and termination of
// sine-action episodes (with reset noise) from the states before and after
// each step with Gymnasium's formulas, for v4 and v5.
func TestLocomotionRewardFormulas(t *testing.T) {
	for _, c := range locomotion {
		for _, v := range []string{"-v4", "-v5"} {
			id := strings.TrimSuffix(strings.TrimSuffix(c.id, "-v5"), "-v4") + v
			if c.name == "walker2d" && v == "-v5" || c.name == "walker2d_v5" && v == "-v4" {
				continue
			}
			t.Run(id, func(t *testing.T) {
				e, err := Make(id, Options{})
				require.NoError(t, err)
				base := Unwrap(e).(interface{ mujocoBase() *MujocoEnv }).mujocoBase()
				e.Reset(7)
				a := make([]float64, e.ActionSpace().Dim())
				nq, nv, nu := base.Model.Nq, base.Model.Nv, base.Model.Nu
				for k := range 200 {
					prev := colsOf(base)
					SineAction(a, e.ActionSpace(), base.Time())
					for j := range a {
						a[j] *= 1.2 // exceed ctrlrange a little: the cost uses the raw action
					}
					_, r, term, _, info, err := e.Step(a)
					require.NoError(t, err)
					cur := colsOf(base)
					want, healthy := v5Reward(c.name, c.dt, func(s string) float64 { return prev[s] }, func(s string) float64 { return cur[s] }, nq, nv, nu)
					if v == "-v4" {
						switch c.name {
						case "ant":
							want += 5e-4 * cur["cfrc_ext_sumsq_clip1_nonworld"] // no contact cost by default
						case "humanoid":
							want += math.Min(5e-7*cur["cfrc_ext_sumsq"], 10)
						}
						if !healthy && c.name != "half_cheetah" {
							want += map[string]float64{"hopper": 1, "walker2d": 1, "ant": 1, "humanoid": 5}[c.name]
						}
					}
					require.InDelta(t, want, r, 1e-9*max(1, math.Abs(want)), "step %d", k)
					require.Equal(t, !healthy, term, "step %d", k)
					xcol := map[string]string{"ant": "body1_xpos_x", "humanoid": "com_x"}[c.name]
					if xcol == "" {
						xcol = "qpos0"
					}
					require.InDelta(t, (cur[xcol]-prev[xcol])/c.dt, info["x_velocity"], 1e-9)
					if term {
						break
					}
				}
			})
		}
	}
}

// TestLocomotionSpaces checks observation and action dimensions of every
// variant, the observation layout against the simulation data, and the
// Euler option (Ant: timestep/4, frame skip ×4).
func TestLocomotionSpaces(t *testing.T) {
	for _, c := range []struct {
		id       string
		params   map[string]float64
		obs, act int
		actBound float64
	}{
		{"Hopper-v4", nil, 11, 3, 1}, {"Hopper-v5", nil, 11, 3, 1},
		{"Hopper-v5", map[string]float64{"exclude_current_positions_from_observation": 0}, 12, 3, 1},
		{"Walker2d-v4", nil, 17, 6, 1}, {"Walker2d-v5", nil, 17, 6, 1},
		{"HalfCheetah-v4", nil, 17, 6, 1}, {"HalfCheetah-v5", nil, 17, 6, 1},
		{"Ant-v4", nil, 27, 8, 1}, {"Ant-v4", map[string]float64{"use_contact_forces": 1}, 111, 8, 1},
		{"Ant-v5", nil, 105, 8, 1}, {"Ant-v5", map[string]float64{"include_cfrc_ext_in_observation": 0}, 27, 8, 1},
		{"Humanoid-v4", nil, 376, 17, 0.4}, {"Humanoid-v5", nil, 348, 17, 0.4},
		{"Humanoid-v5", map[string]float64{"exclude_current_positions_from_observation": 0}, 350, 17, 0.4},
	} {
		e, err := Make(c.id, Options{Params: c.params})
		require.NoError(t, err, c.id)
		require.Equal(t, c.obs, e.ObservationSpace().Dim(), "%s %v", c.id, c.params)
		require.Equal(t, c.act, e.ActionSpace().Dim(), c.id)
		require.Equal(t, c.actBound, e.ActionSpace().High[0], c.id)
		obs, _ := e.Reset(1)
		require.Len(t, obs, c.obs)
		a := make([]float64, c.act)
		obs, _, _, _, _, err = e.Step(a)
		require.NoError(t, err)
		require.Len(t, obs, c.obs)
	}
	// Humanoid-v5's layout: the last 78 entries are cfrc_ext[1:], the 17
	// before them qfrc_actuator[6:].
	e, err := Make("Humanoid-v5", Options{})
	require.NoError(t, err)
	b := Unwrap(e).(interface{ mujocoBase() *MujocoEnv }).mujocoBase()
	e.Reset(2)
	a := make([]float64, 17)
	for i := range a {
		a[i] = 0.3
	}
	obs, _, _, _, _, err := e.Step(a)
	require.NoError(t, err)
	require.Equal(t, b.Data.Qpos[2], obs[0])
	require.Equal(t, b.Data.Cinert[1][:], obs[45:55])
	require.Equal(t, b.Data.Cvel[1][:], obs[175:181])
	require.Equal(t, b.Data.QfrcActuator[6:], obs[253:270])
	require.Equal(t, b.Data.CfrcExt[13][:], obs[342:348])
	// Ant with Euler: 4× smaller step, 4× the frame skip, same dt.
	ant, err := NewAnt(5, Options{Integrator: "euler"})
	require.NoError(t, err)
	require.Equal(t, 0.0025, ant.Model.Opt.Timestep)
	require.Equal(t, 20, ant.FrameSkip)
	require.InDelta(t, 0.05, ant.Dt(), 1e-15)
	// Walker2d-v5 uses both feet at friction 1.9.
	w4, err := NewWalker2d(4, Options{})
	require.NoError(t, err)
	w5, err := NewWalker2d(5, Options{})
	require.NoError(t, err)
	require.Equal(t, 0.9, w4.Model.GeomFriction[4][0])
	require.Equal(t, 1.9, w4.Model.GeomFriction[7][0])
	require.Equal(t, 1.9, w5.Model.GeomFriction[4][0])
}

// TestLocomotionStepAllocs: a step of every locomotion task allocates
// nothing.
func TestLocomotionStepAllocs(t *testing.T) {
	for _, c := range locomotion {
		e, err := Make(c.id, Options{MaxEpisodeSteps: -1})
		require.NoError(t, err)
		e.Reset(0)
		a := make([]float64, e.ActionSpace().Dim())
		allocs := testing.AllocsPerRun(20, func() {
			if _, _, _, _, _, err := e.Step(a); err != nil {
				t.Fatal(err)
			}
		})
		require.Zero(t, allocs, c.id)
	}
}

// TestLocomotionBadInput: wrong-length and non-finite actions are errors.
func TestLocomotionBadInput(t *testing.T) {
	for _, c := range locomotion {
		e, err := Make(c.id, Options{})
		require.NoError(t, err)
		e.Reset(0)
		n := e.ActionSpace().Dim()
		_, _, _, _, _, err = e.Step(make([]float64, n+1))
		var ae *ActionError
		require.ErrorAs(t, err, &ae, c.id)
		a := make([]float64, n)
		a[n-1] = math.NaN()
		_, _, _, _, _, err = e.Step(a)
		require.ErrorAs(t, err, &ae, c.id)
	}
}

// TestLocomotionVector runs Hopper-v5 in a vector env with strong sine
// actions: episodes end (the hopper falls), copies auto-reset to a healthy
// state, and the same seed gives the same trajectory.
func TestLocomotionVector(t *testing.T) {
	run := func() []float64 {
		v, err := NewVectorEnv("Hopper-v5", 2, Options{})
		require.NoError(t, err)
		defer v.Close()
		v.Reset(3)
		a := make([]float64, 6)
		var out []float64
		ended := 0
		for k := range 150 {
			for i := range a {
				a[i] = math.Sin(0.3*float64(k) + float64(i))
			}
			obs, r, term, _, err := v.Step(a)
			require.NoError(t, err)
			for i := range 2 {
				if term[i] {
					ended++
					fz := v.FinalObs(i)[0]
					fa := v.FinalObs(i)[1]
					assert.True(t, fz <= 0.7 || math.Abs(fa) >= 0.2, "final obs is unhealthy")
					assert.InDelta(t, 1.25, obs[11*i], 0.01, "next obs is a fresh reset")
				}
			}
			out = append(out, r...)
		}
		require.Positive(t, ended)
		require.Zero(t, v.TotalBlowUps())
		return out
	}
	require.Equal(t, run(), run())
}
