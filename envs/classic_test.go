package envs

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pendulumRef is Gymnasium's Pendulum-v1 transition written independently:
// it returns the next (θ, θ̇) and the reward.
func pendulumRef(th, thdot, u, g float64) (float64, float64, float64) {
	u = math.Max(-2, math.Min(2, u))
	norm := th - 2*math.Pi*math.Floor((th+math.Pi)/(2*math.Pi))
	cost := norm*norm + 0.1*thdot*thdot + 0.001*u*u
	acc := 3*g/2*math.Sin(th) + 3*u
	w := math.Max(-8, math.Min(8, thdot+acc*0.05))
	return th + w*0.05, w, -cost
}

func TestPendulumTransitions(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, g := range []float64{10, 9.81} {
		e, err := NewPendulum(Options{Params: map[string]float64{"g": g}})
		require.NoError(t, err)
		for range 2000 {
			th := (rng.Float64()*2 - 1) * 12 // several turns either way
			w := (rng.Float64()*2 - 1) * 8
			u := (rng.Float64()*2 - 1) * 3 // also outside the torque bounds
			e.th, e.thdot = th, w
			obs, r, term, trunc, _, err := e.Step([]float64{u})
			require.NoError(t, err)
			th2, w2, r2 := pendulumRef(th, w, u, g)
			assert.False(t, term)
			assert.False(t, trunc)
			assert.InDelta(t, r2, r, 1e-12)
			assert.Equal(t, th2, e.th)
			assert.Equal(t, w2, e.thdot)
			assert.Equal(t, float64(float32(math.Cos(th2))), obs[0])
			assert.Equal(t, float64(float32(math.Sin(th2))), obs[1])
			assert.Equal(t, float64(float32(w2)), obs[2])
		}
	}
}

func TestPendulumWorstReward(t *testing.T) {
	// θ = π (hanging down), θ̇ = ±8, |u| = 2 gives the documented minimum.
	e, err := NewPendulum(Options{})
	require.NoError(t, err)
	e.th, e.thdot = -math.Pi, 8
	_, r, _, _, _, err := e.Step([]float64{2})
	require.NoError(t, err)
	assert.InDelta(t, -16.2736044, r, 1e-6)
}

func TestAngleNormalize(t *testing.T) {
	for _, c := range []struct{ in, want float64 }{
		{0, 0}, {math.Pi, -math.Pi}, {-math.Pi, -math.Pi}, {3 * math.Pi / 2, -math.Pi / 2},
		{-3 * math.Pi / 2, math.Pi / 2}, {7, 7 - 2*math.Pi}, {-7, -7 + 2*math.Pi},
	} {
		assert.InDelta(t, c.want, angleNormalize(c.in), 1e-12, "x = %v", c.in)
	}
}

// mountainCarRef is Gymnasium's MountainCarContinuous-v0 transition written
// independently (float64 arithmetic, the state stored as float32).
func mountainCarRef(x, v, a, goalVel float64) (float64, float64, float64, bool) {
	f := a
	if f > 1 {
		f = 1
	} else if f < -1 {
		f = -1
	}
	v = v + 0.0015*f - 0.0025*math.Cos(3*x)
	v = math.Max(-0.07, math.Min(0.07, v))
	x = math.Max(-1.2, math.Min(0.6, x+v))
	if x <= -1.2 && v < 0 {
		v = 0
	}
	done := x >= 0.45 && v >= goalVel
	r := -0.1 * a * a
	if done {
		r += 100
	}
	return float64(float32(x)), float64(float32(v)), r, done
}

func TestMountainCarTransitions(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, gv := range []float64{0, 0.01} {
		e, err := NewMountainCar(Options{Params: map[string]float64{"goal_velocity": gv}})
		require.NoError(t, err)
		nterm, nwall := 0, 0
		for range 5000 {
			x := float64(float32(-1.2 + 1.8*rng.Float64()))
			v := float64(float32((rng.Float64()*2 - 1) * 0.07))
			if rng.IntN(10) == 0 {
				x = -1.2 // against the left wall
			}
			a := (rng.Float64()*2 - 1) * 2
			e.x, e.v = x, v
			obs, r, term, trunc, _, err := e.Step([]float64{a})
			require.NoError(t, err)
			x2, v2, r2, done := mountainCarRef(x, v, a, gv)
			require.Equal(t, x2, obs[0])
			require.Equal(t, v2, obs[1])
			require.InDelta(t, r2, r, 1e-12)
			require.Equal(t, done, term)
			require.False(t, trunc)
			if done {
				nterm++
			}
			if x2 == float64(float32(-1.2)) {
				nwall++
			}
		}
		assert.Positive(t, nterm, "goal never reached in the sample")
		assert.Positive(t, nwall, "left wall never hit in the sample")
	}
}

func TestMultiGoalTransitions(t *testing.T) {
	for _, c := range []struct {
		name   string
		params map[string]float64
		bonus  float64 // goal bonus the reward must contain on terminating steps
	}{
		{"default goal_reward", nil, 10},
		{"goal_reward 0 (no bonus)", map[string]float64{"goal_reward": 0}, 0},
		{"goal_reward 2.5", map[string]float64{"goal_reward": 2.5}, 2.5},
	} {
		t.Run(c.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(5, 6))
			e, err := NewMultiGoal(Options{Params: c.params})
			require.NoError(t, err)
			assert.Equal(t, c.bonus, e.GoalReward)
			nterm, nfree := 0, 0
			for range 3000 {
				p := [2]float64{(rng.Float64()*2 - 1) * 7.5, (rng.Float64()*2 - 1) * 7.5}
				a := []float64{(rng.Float64()*2 - 1) * 1.5, (rng.Float64()*2 - 1) * 1.5}
				e.p = p
				obs, r, term, _, info, err := e.Step(a)
				require.NoError(t, err)
				var q [2]float64
				cost := 0.0
				for i := range 2 {
					ai := math.Max(-1, math.Min(1, a[i]))
					cost += 30 * ai * ai
					q[i] = math.Max(-7, math.Min(7, p[i]+ai))
				}
				d := math.Min(math.Min(math.Hypot(q[0]-5, q[1]), math.Hypot(q[0]+5, q[1])),
					math.Min(math.Hypot(q[0], q[1]-5), math.Hypot(q[0], q[1]+5)))
				want := -cost - d*d // the original task's squared-distance cost
				if d < 1 {
					want += c.bonus
					nterm++
				} else {
					nfree++
				}
				require.Equal(t, q[0], obs[0])
				require.Equal(t, q[1], obs[1])
				require.InDelta(t, want, r, 1e-12)
				require.Equal(t, d < 1, term)
				require.InDelta(t, -cost, info["reward_ctrl"], 1e-12)
				require.InDelta(t, d, info["goal_distance"], 1e-12)
			}
			assert.Positive(t, nterm, "no goal reached in the sample")
			assert.Positive(t, nfree, "every step reached a goal")
		})
	}
}

func TestMultiGoalGoalBonus(t *testing.T) {
	// From (4, 0), the action (0.5, 0) ends at (4.5, 0), 0.5 from the goal (5, 0): −30·0.25 − 0.5² + bonus.
	// From (0, 0), the action (0, 1) ends at (0, 1), 4 from (0, 5): −30 − 4², no bonus, not terminated.
	for _, c := range []struct {
		name   string
		params map[string]float64
		from   [2]float64
		action []float64
		want   float64
		term   bool
	}{
		{"goal reached, default bonus 10", nil, [2]float64{4, 0}, []float64{0.5, 0}, -7.75 + 10, true},
		{"goal reached, goal_reward 0", map[string]float64{"goal_reward": 0}, [2]float64{4, 0}, []float64{0.5, 0}, -7.75, true},
		{"goal not reached", nil, [2]float64{0, 0}, []float64{0, 1}, -46, false},
		{"goal reached from the far side", nil, [2]float64{0, -6.5}, []float64{0, 0.8}, -30*0.64 - 0.7*0.7 + 10, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			e, err := Make("MultiGoal-v0", Options{Params: c.params, NoResetNoise: true})
			require.NoError(t, err)
			e.Reset(0)
			e.(*TimeLimit).Env.(*MultiGoal).p = c.from
			_, r, term, trunc, _, err := e.Step(c.action)
			require.NoError(t, err)
			assert.InDelta(t, c.want, r, 1e-12)
			assert.Equal(t, c.term, term)
			assert.False(t, trunc)
		})
	}
	_, err := NewMultiGoal(Options{Params: map[string]float64{"goal_reward": math.NaN()}})
	require.ErrorContains(t, err, "goal_reward")
	_, err = NewMultiGoal(Options{Params: map[string]float64{"goalreward": 1}})
	require.ErrorContains(t, err, "goal_reward")
}

func TestClassicResetDistributions(t *testing.T) {
	const n = 4000
	pend, err := NewPendulum(Options{})
	require.NoError(t, err)
	mc, err := NewMountainCar(Options{})
	require.NoError(t, err)
	mg, err := NewMultiGoal(Options{})
	require.NoError(t, err)
	var sth, sth2, sw, sx, sx2, smg2 float64
	minX, maxX := math.Inf(1), math.Inf(-1)
	for i := range n {
		seed := NoSeed
		if i == 0 {
			seed = 11
		}
		pend.Reset(seed)
		sth += pend.th
		sth2 += pend.th * pend.th
		sw += pend.thdot
		require.LessOrEqual(t, math.Abs(pend.thdot), 1.0)
		mc.Reset(seed)
		sx += mc.x
		sx2 += mc.x * mc.x
		minX, maxX = min(minX, mc.x), max(maxX, mc.x)
		require.Zero(t, mc.v)
		mg.Reset(seed)
		smg2 += mg.p[0]*mg.p[0] + mg.p[1]*mg.p[1]
	}
	// U(−π, π): mean 0, variance π²/3; U(−1, 1): mean 0.
	assert.InDelta(t, 0, sth/n, 4*math.Pi/math.Sqrt(3*n))
	assert.InDelta(t, math.Pi*math.Pi/3, sth2/n, 0.1*math.Pi*math.Pi/3)
	assert.InDelta(t, 0, sw/n, 4/math.Sqrt(3*n))
	// U(−0.6, −0.4): mean −0.5, sd 0.2/√12.
	assert.InDelta(t, -0.5, sx/n, 4*0.2/math.Sqrt(12*n))
	assert.GreaterOrEqual(t, minX, -0.6)
	assert.Less(t, maxX, -0.4)
	// N(0, 0.1² I): E‖p‖² = 0.02.
	assert.InDelta(t, 0.02, smg2/n, 0.002)
}

func TestNoResetNoise(t *testing.T) {
	for _, c := range []struct {
		id   string
		want []float64
	}{
		{"Pendulum-v1", []float64{1, 0, 0}},
		{"MountainCarContinuous-v0", []float64{-0.5, 0}},
		{"MultiGoal-v0", []float64{0, 0}},
	} {
		e, err := Make(c.id, Options{NoResetNoise: true})
		require.NoError(t, err)
		for s := range int64(3) {
			obs, _ := e.Reset(s)
			assert.Equal(t, c.want, obs, c.id)
		}
	}
}

func TestResetSeeding(t *testing.T) {
	for _, id := range []string{"Pendulum-v1", "MountainCarContinuous-v0", "MultiGoal-v0"} {
		a, err := Make(id, Options{})
		require.NoError(t, err)
		b, err := Make(id, Options{})
		require.NoError(t, err)
		oa, _ := a.Reset(42)
		ob, _ := b.Reset(42)
		require.Equal(t, oa, ob, id)
		first := append([]float64(nil), oa...)
		oa, _ = a.Reset(NoSeed)
		assert.NotEqual(t, first, oa, "%s: NoSeed must continue the stream", id)
		oa, _ = a.Reset(42)
		assert.Equal(t, first, oa, "%s: reseeding must repeat the stream", id)
		oa, _ = a.Reset(43)
		assert.NotEqual(t, first, oa, "%s: another seed must differ", id)
	}
}

func TestBadActions(t *testing.T) {
	for _, id := range []string{"Pendulum-v1", "MountainCarContinuous-v0", "MultiGoal-v0"} {
		e, err := Make(id, Options{})
		require.NoError(t, err)
		obs, _ := e.Reset(1)
		before := append([]float64(nil), obs...)
		n := e.ActionSpace().Dim()
		bad := [][]float64{make([]float64, n+1), make([]float64, 0)}
		for _, v := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
			a := make([]float64, n)
			a[n-1] = v
			bad = append(bad, a)
		}
		for _, a := range bad {
			o, _, _, _, _, err := e.Step(a)
			var ae *ActionError
			require.ErrorAs(t, err, &ae, "%s action %v", id, a)
			assert.Equal(t, before, o)
		}
		// The environment is unchanged: a good step now equals a good
		// step on a fresh copy.
		f, err := Make(id, Options{})
		require.NoError(t, err)
		f.Reset(1)
		o1, r1, _, _, _, err1 := e.Step(make([]float64, n))
		o2, r2, _, _, _, err2 := f.Step(make([]float64, n))
		require.NoError(t, err1)
		require.NoError(t, err2)
		assert.Equal(t, o2, o1)
		assert.Equal(t, r2, r1)
	}
}

func TestRegistry(t *testing.T) {
	_, err := Make("Pendulum-v0", Options{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Pendulum-v1")
	assert.Contains(t, err.Error(), "MountainCarContinuous-v0")
	_, err = Make("Pendulum-v1", Options{Params: map[string]float64{"G": 1}})
	require.ErrorContains(t, err, `"G"`)
	_, err = Make("Pendulum-v1", Options{ModelPath: "x.xml"})
	require.Error(t, err)

	for _, c := range []struct {
		id    string
		steps int
	}{{"Pendulum-v1", 200}, {"MountainCarContinuous-v0", 999}, {"MultiGoal-v0", 30}} {
		e, err := Make(c.id, Options{NoResetNoise: true})
		require.NoError(t, err)
		e.Reset(0)
		a := make([]float64, e.ActionSpace().Dim())
		for k := 1; k <= c.steps; k++ {
			_, _, _, trunc, _, err := e.Step(a)
			require.NoError(t, err)
			require.Equal(t, k == c.steps, trunc, "%s step %d", c.id, k)
		}
		e, err = Make(c.id, Options{MaxEpisodeSteps: 5})
		require.NoError(t, err)
		e.Reset(0)
		for k := 1; k <= 5; k++ {
			_, _, _, trunc, _, _ := e.Step(a)
			require.Equal(t, k == 5, trunc)
		}
		e, err = Make(c.id, Options{MaxEpisodeSteps: -1})
		require.NoError(t, err)
		_, wrapped := e.(*TimeLimit)
		assert.False(t, wrapped)
	}
}

func TestBox(t *testing.T) {
	b := NewBox([]float64{-1, 0, math.Inf(-1), math.Inf(-1)}, []float64{1, 2, math.Inf(1), 3})
	rng := rand.New(rand.NewPCG(7, 8))
	x := make([]float64, 4)
	for range 1000 {
		b.Sample(rng, x)
		require.True(t, b.Contains(x), "%v", x)
	}
	assert.False(t, b.Contains([]float64{0, 3, 0, 0}))
	assert.False(t, b.Contains([]float64{0, 0, 0}))
	assert.False(t, b.Contains([]float64{math.NaN(), 0, 0, 0}))
	assert.Equal(t, []float64{1, 0, -5, 3}, b.Clip(make([]float64, 4), []float64{5, -1, -5, 7}))
	assert.Panics(t, func() { NewBox([]float64{1}, []float64{0}) })
}

func TestClassicStepAllocs(t *testing.T) {
	for _, id := range []string{"Pendulum-v1", "MountainCarContinuous-v0", "MultiGoal-v0"} {
		e, err := Make(id, Options{})
		require.NoError(t, err)
		e.Reset(0)
		a := make([]float64, e.ActionSpace().Dim())
		allocs := testing.AllocsPerRun(100, func() {
			if _, _, _, _, _, err := e.Step(a); err != nil {
				panic(err)
			}
		})
		assert.Zero(t, allocs, id)
	}
}
