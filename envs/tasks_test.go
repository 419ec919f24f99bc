package envs

import (
	"bytes"
	"encoding/csv"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var contactFree = []struct{ id, xml string }{
	{"InvertedPendulum-v4", "inverted_pendulum.xml"},
	{"InvertedPendulum-v5", "inverted_pendulum.xml"},
	{"InvertedDoublePendulum-v4", "inverted_double_pendulum.xml"},
	{"InvertedDoublePendulum-v5", "inverted_double_pendulum.xml"},
	{"Reacher-v4", "reacher.xml"},
	{"Reacher-v5", "reacher.xml"},
	{"Swimmer-v4", "swimmer.xml"},
	{"Swimmer-v5", "swimmer.xml"},
}

// makeNoisy builds a task with reset noise from its embedded model.
func makeNoisy(t testing.TB, id, xml string) Env {
	t.Helper()
	e, err := Make(id, Options{})
	require.NoError(t, err)
	return e
}

// TestSmoothRollouts compares sine-control rollouts with MuJoCo's
// rollout_smooth.csv (constraints disabled there; the joint limits are not
// reached in the first steps compared).
func TestSmoothRollouts(t *testing.T) {
	dir := sharedDir(t)
	for _, c := range []struct {
		id, name string
		steps    int
	}{
		{"InvertedPendulum-v5", "inverted_pendulum", 3},
		{"InvertedDoublePendulum-v5", "inverted_double_pendulum", 5},
		{"Reacher-v5", "reacher", 11}, // joint1 passes its 3 rad limit at step 12
		{"Swimmer-v5", "swimmer", 20},
	} {
		t.Run(c.id, func(t *testing.T) {
			ref := readRollout(t, filepath.Join(dir, "ref", c.name+".rollout_smooth.csv"))
			e := makeTask(t, c.id, c.name+".xml", Options{MaxEpisodeSteps: -1})
			st := Unwrap(e).(State)
			e.Reset(0)
			a := make([]float64, e.ActionSpace().Dim())
			for k := 1; k <= c.steps; k++ {
				SineAction(a, e.ActionSpace(), st.Time())
				for j := range a {
					require.InDelta(t, ref.at("ctrl"+strconv.Itoa(j), k), a[j], 1e-14, "ctrl%d step %d", j, k)
				}
				_, _, _, _, _, err := e.Step(a)
				require.NoError(t, err)
				for i, q := range st.Qpos() {
					require.InDelta(t, ref.at("qpos"+strconv.Itoa(i), k), q, 1e-8, "qpos%d step %d", i, k)
				}
				for i, v := range st.Qvel() {
					require.InDelta(t, ref.at("qvel"+strconv.Itoa(i), k), v, 1e-7, "qvel%d step %d", i, k)
				}
			}
		})
	}
}

func TestV4ZeroReturns(t *testing.T) {
	dir := sharedDir(t)
	// v4 pays the survival reward also on the terminating step.
	for _, c := range []struct {
		id, name string
		dt       float64
		extra    float64
	}{
		{"InvertedPendulum-v4", "inverted_pendulum", 0.04, 1},
		{"InvertedDoublePendulum-v4", "inverted_double_pendulum", 0.05, 10},
		{"Reacher-v4", "reacher", 0.02, 0}, // no motion: before = after
		{"Swimmer-v4", "swimmer", 0.04, 0},
	} {
		ref := readRollout(t, filepath.Join(dir, "ref", c.name+".rollout_zero.csv"))
		spec, _ := Lookup(c.id)
		want, wantLen := refReturn(c.name, ref, c.dt, spec.MaxEpisodeSteps)
		e := makeTask(t, c.id, c.name+".xml", Options{})
		e.Reset(0)
		a := make([]float64, e.ActionSpace().Dim())
		ret, n := 0.0, 0
		for {
			_, r, term, trunc, _, err := e.Step(a)
			require.NoError(t, err)
			ret += r
			n++
			if term || trunc {
				break
			}
		}
		assert.Equal(t, wantLen, n, c.id)
		assert.InDelta(t, want+c.extra, ret, 1e-6*max(1, math.Abs(want)), c.id)
	}
}

// TestObservationLayouts checks every observation entry against the state
// it documents, after a few random steps from a noisy reset.
func TestObservationLayouts(t *testing.T) {
	for _, c := range contactFree {
		e := makeNoisy(t, c.id, c.xml)
		u := Unwrap(e)
		st := u.(State)
		obs, _ := e.Reset(3)
		a := make([]float64, e.ActionSpace().Dim())
		for k := range 3 {
			SineAction(a, e.ActionSpace(), float64(k)*0.1)
			var err error
			obs, _, _, _, _, err = e.Step(a)
			require.NoError(t, err)
		}
		q, v := st.Qpos(), st.Qvel()
		var want []float64
		switch x := u.(type) {
		case *InvertedPendulum:
			want = []float64{q[0], q[1], v[0], v[1]}
		case *InvertedDoublePendulum:
			want = []float64{q[0], math.Sin(q[1]), math.Sin(q[2]), math.Cos(q[1]), math.Cos(q[2])}
			for i := range 3 {
				want = append(want, math.Max(-10, math.Min(10, v[i])))
			}
			nc := 1
			if strings.HasSuffix(c.id, "v4") {
				nc = 3
			}
			for i := range nc {
				want = append(want, math.Max(-10, math.Min(10, x.Data.QfrcConstraint[i])))
			}
		case *Reacher:
			f, g := x.Data.Xpos[x.fingertip], x.Data.Xpos[x.target]
			want = []float64{math.Cos(q[0]), math.Cos(q[1]), math.Sin(q[0]), math.Sin(q[1]), q[2], q[3], v[0], v[1], f[0] - g[0], f[1] - g[1]}
			if strings.HasSuffix(c.id, "v4") {
				want = append(want, f[2]-g[2])
			}
			// Xpos comes from the last forward evaluation inside the
			// step (MuJoCo's read-after-step semantics), so it is close
			// to, but not exactly, the kinematics of the final qpos
			// (fingertip 0.1 m + 0.11 m along the links).
			assert.InDelta(t, 0.1*math.Cos(q[0])+0.11*math.Cos(q[0]+q[1]), f[0], 1e-3)
			assert.InDelta(t, 0.1*math.Sin(q[0])+0.11*math.Sin(q[0]+q[1]), f[1], 1e-3)
		case *Swimmer:
			want = append(append([]float64{}, q[2:]...), v...)
		}
		assert.Equal(t, want, obs, c.id)
		assert.Equal(t, len(want), e.ObservationSpace().Dim(), c.id)
	}
}

func TestMujocoResetNoise(t *testing.T) {
	const n = 400
	for _, c := range contactFree {
		if !strings.HasSuffix(c.id, "v5") {
			continue
		}
		e := makeNoisy(t, c.id, c.xml)
		u := Unwrap(e)
		st := u.(State)
		var m *MujocoEnv
		var qs, vs float64 // expected half-width (uniform) or sd (normal)
		normalVel := false
		switch x := u.(type) {
		case *InvertedPendulum:
			m, qs, vs = x.MujocoEnv, 0.01, 0.01
		case *InvertedDoublePendulum:
			m, qs, vs, normalVel = x.MujocoEnv, 0.1, 0.1, true
		case *Reacher:
			m, qs, vs = x.MujocoEnv, 0.1, 0.005
		case *Swimmer:
			m, qs, vs = x.MujocoEnv, 0.1, 0.1
		}
		nq, nv := len(st.Qpos()), len(st.Qvel())
		var sq2, sv2 float64
		for i := range n {
			seed := NoSeed
			if i == 0 {
				seed = 9
			}
			e.Reset(seed)
			q, v := st.Qpos(), st.Qvel()
			for j := range nq {
				dq := q[j] - m.Model.Qpos0[j]
				if _, ok := u.(*Reacher); ok && j >= 2 {
					continue
				}
				require.LessOrEqual(t, math.Abs(dq), qs, c.id)
				sq2 += dq * dq
			}
			for j := range nv {
				sv2 += v[j] * v[j]
				if !normalVel {
					require.LessOrEqual(t, math.Abs(v[j]), vs, c.id)
				}
			}
			if _, ok := u.(*Reacher); ok {
				require.Less(t, math.Hypot(q[2], q[3]), 0.2)
				require.Zero(t, v[2])
				require.Zero(t, v[3])
			}
		}
		nqn, nvn := nq, nv
		if _, ok := u.(*Reacher); ok {
			nqn, nvn = 2, 2
		}
		// Var U(−s, s) = s²/3, Var s·N(0, 1) = s².
		assert.InDelta(t, qs*qs/3, sq2/float64(n*nqn), 0.15*qs*qs/3, c.id)
		wantV := vs * vs / 3
		if normalVel {
			wantV = vs * vs
		}
		assert.InDelta(t, wantV, sv2/float64(n*nvn), 0.15*wantV, c.id)
	}
}

// TestActionRule checks MuJoCo's rule: physics clamps to ctrlrange, ctrl
// keeps the raw action and the control cost uses it.
func TestActionRule(t *testing.T) {
	a := makeTask(t, "Reacher-v5", "reacher.xml", Options{})
	b := makeTask(t, "Reacher-v5", "reacher.xml", Options{})
	a.Reset(0)
	b.Reset(0)
	_, ra, _, _, ia, err := a.Step([]float64{5, -0.5})
	require.NoError(t, err)
	_, _, _, _, _, err = b.Step([]float64{1, -0.5})
	require.NoError(t, err)
	assert.Equal(t, Unwrap(b).(State).Qpos(), Unwrap(a).(State).Qpos(), "physics must clamp to ctrlrange")
	assert.Equal(t, []float64{5, -0.5}, Unwrap(a).(State).Ctrl())
	assert.InDelta(t, -(25 + 0.25), ia["reward_ctrl"], 1e-15)
	assert.InDelta(t, ia["reward_dist"]+ia["reward_ctrl"], ra, 1e-15)
	assert.Equal(t, []float64{-1, -1}, a.ActionSpace().Low)
	assert.Equal(t, []float64{3}, makeTask(t, "InvertedPendulum-v5", "inverted_pendulum.xml", Options{}).ActionSpace().High)
}

func TestMujocoBadInput(t *testing.T) {
	e := makeTask(t, "Swimmer-v5", "swimmer.xml", Options{})
	e.Reset(0)
	for _, a := range [][]float64{{0}, {0, 0, 0}, {math.NaN(), 0}, {0, math.Inf(-1)}} {
		_, _, _, _, _, err := e.Step(a)
		var ae *ActionError
		require.ErrorAs(t, err, &ae, "%v", a)
	}
	assert.Zero(t, Unwrap(e).(State).Time(), "a rejected action must not step")
	// A blown-up state is a StateError naming the episode step.
	_, _, _, _, _, err := e.Step([]float64{0, 0})
	require.NoError(t, err)
	Unwrap(e).(*Swimmer).Data.Qvel[3] = 1e200
	_, _, _, _, _, err = e.Step([]float64{0, 0})
	var se *StateError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, 2, se.Step)
	assert.Contains(t, err.Error(), "step 2")
	// The environment recovers after Reset.
	e.Reset(0)
	_, _, _, _, _, err = e.Step([]float64{0, 0})
	require.NoError(t, err)

	dir := sharedDir(t)
	_, err = Make("InvertedPendulum-v5", Options{ModelPath: filepath.Join(dir, "assets", "swimmer.xml")})
	require.ErrorContains(t, err, "nq=5")
	_, err = Make("Swimmer-v5", Options{ModelPath: filepath.Join(dir, "no-such-file.xml")})
	require.Error(t, err)
	_, err = Make("Swimmer-v5", Options{ModelPath: filepath.Join(dir, "assets", "swimmer.xml"), Integrator: "verlet"})
	require.ErrorContains(t, err, "verlet")
	_, err = Make("Swimmer-v5", Options{ModelPath: filepath.Join(dir, "assets", "swimmer.xml"), Params: map[string]float64{"frame_skip": 1.5}})
	require.ErrorContains(t, err, "frame_skip")
}

func TestMujocoOptions(t *testing.T) {
	// frame_skip and the integrator option change the physics as documented.
	rk := makeTask(t, "Swimmer-v5", "swimmer.xml", Options{})
	eu := makeTask(t, "Swimmer-v5", "swimmer.xml", Options{Integrator: "euler"})
	fs := makeTask(t, "Swimmer-v5", "swimmer.xml", Options{Params: map[string]float64{"frame_skip": 8}})
	for _, e := range []Env{rk, eu, fs} {
		e.Reset(0)
	}
	a := []float64{1, -1}
	for range 2 {
		_, _, _, _, _, err := rk.Step(a)
		require.NoError(t, err)
	}
	_, _, _, _, _, err := eu.Step(a)
	require.NoError(t, err)
	_, _, _, _, _, err = eu.Step(a)
	require.NoError(t, err)
	_, _, _, _, _, err = fs.Step(a)
	require.NoError(t, err)
	q := Unwrap(rk).(State).Qpos()
	assert.InDelta(t, 0.08, Unwrap(fs).(State).Time(), 1e-12)
	assert.InDeltaSlice(t, q, Unwrap(fs).(State).Qpos(), 1e-12, "8 substeps = 2 × 4 substeps with a constant action")
	qe := Unwrap(eu).(State).Qpos()
	assert.InDeltaSlice(t, q, qe, 0.05)
	assert.NotEqual(t, q, qe, "Euler must differ from RK4")
}

func TestMujocoStepAllocs(t *testing.T) {
	for _, c := range contactFree {
		e := makeTask(t, c.id, c.xml, Options{MaxEpisodeSteps: -1})
		e.Reset(0)
		a := make([]float64, e.ActionSpace().Dim())
		allocs := testing.AllocsPerRun(20, func() {
			if _, _, _, _, _, err := e.Step(a); err != nil {
				panic(err)
			}
		})
		assert.Zero(t, allocs, c.id)
	}
}

func TestRollout(t *testing.T) {
	e := makeTask(t, "InvertedPendulum-v5", "inverted_pendulum.xml", Options{})
	zero := func(_ int, _ float64, dst []float64) error { clear(dst); return nil }
	var buf bytes.Buffer
	sum, err := Rollout(&buf, e, RolloutConfig{Steps: 40, Action: zero, PastTermination: true})
	require.NoError(t, err)
	recs, err := csv.NewReader(&buf).ReadAll()
	require.NoError(t, err)
	assert.Equal(t, strings.Split("step,time,qpos0,qpos1,qvel0,qvel1,ctrl0,reward,terminated,truncated", ","), recs[0])
	require.Len(t, recs, 42, "header + step 0 + 40 steps past the termination at 30")
	assert.Equal(t, []string{"0", "0", "0", "0", "0", "0", "0", "0", "0", "0"}, recs[1])
	assert.Equal(t, "1", recs[31][8], "terminated at step 30")
	assert.Equal(t, "0", recs[30][8])
	assert.Equal(t, RolloutSummary{Return: 29, Length: 30, Terminated: true, Steps: 40}, sum)

	buf.Reset()
	sum, err = Rollout(&buf, e, RolloutConfig{Steps: 40, Action: zero})
	require.NoError(t, err)
	recs, err = csv.NewReader(&buf).ReadAll()
	require.NoError(t, err)
	assert.Len(t, recs, 32, "stops at the termination")
	assert.Equal(t, 30, sum.Steps)

	_, err = Rollout(&buf, e, RolloutConfig{Steps: 0, Action: zero})
	require.Error(t, err)
}

func TestReadActionsCSV(t *testing.T) {
	rows, err := ReadActionsCSV(strings.NewReader("a,b\n1,2\n# comment\n3, -4.5\n"), "acts.csv", 2)
	require.NoError(t, err)
	assert.Equal(t, [][]float64{{1, 2}, {3, -4.5}}, rows)
	_, err = ReadActionsCSV(strings.NewReader("1,2\n3\n"), "acts.csv", 2)
	require.ErrorContains(t, err, "acts.csv:2")
	_, err = ReadActionsCSV(strings.NewReader("1,2\n3,x\n"), "acts.csv", 2)
	require.ErrorContains(t, err, "acts.csv:2: column 2")
	_, err = ReadActionsCSV(strings.NewReader("1,NaN\n"), "acts.csv", 2)
	require.ErrorContains(t, err, "acts.csv:1")
	_, err = ReadActionsCSV(strings.NewReader(""), "acts.csv", 2)
	require.Error(t, err)
}

func TestSineAction(t *testing.T) {
	box := NewBox([]float64{-1, 0, math.Inf(-1)}, []float64{1, 4, math.Inf(1)})
	a := SineAction(make([]float64, 3), box, 0.3)
	assert.InDelta(t, 0.8*math.Sin(2*math.Pi*0.3), a[0], 1e-15)
	assert.InDelta(t, 2+1.6*math.Sin(2*math.Pi*1.37*0.3+0.5), a[1], 1e-15)
	assert.InDelta(t, 0.8*math.Sin(2*math.Pi*1.74*0.3+1), a[2], 1e-15)
}

// TestUserModelPath runs each task on the shared Gymnasium XML given as a
// user MJCF path and on the embedded model: the trajectories agree.
func TestUserModelPath(t *testing.T) {
	dir := sharedDir(t)
	for _, c := range contactFree {
		emb := makeNoisy(t, c.id, c.xml)
		usr, err := Make(c.id, Options{ModelPath: filepath.Join(dir, "assets", c.xml)})
		require.NoError(t, err)
		o1, _ := emb.Reset(5)
		o2, _ := usr.Reset(5)
		require.InDeltaSlice(t, o1, o2, 1e-12, c.id)
		a := make([]float64, emb.ActionSpace().Dim())
		for k := range 5 {
			SineAction(a, emb.ActionSpace(), float64(k)*0.07)
			o1, r1, _, _, _, err1 := emb.Step(a)
			o2, r2, _, _, _, err2 := usr.Step(a)
			require.NoError(t, err1)
			require.NoError(t, err2)
			require.InDeltaSlice(t, o1, o2, 1e-9, c.id)
			require.InDelta(t, r1, r2, 1e-9, c.id)
		}
	}
}

func TestReacherResetKinematics(t *testing.T) {
	e := makeNoisy(t, "Reacher-v5", "reacher.xml")
	r := Unwrap(e).(*Reacher)
	for s := range int64(5) {
		obs, _ := e.Reset(s)
		q := r.Data.Qpos
		fx := 0.1*math.Cos(q[0]) + 0.11*math.Cos(q[0]+q[1])
		fy := 0.1*math.Sin(q[0]) + 0.11*math.Sin(q[0]+q[1])
		assert.InDelta(t, fx-q[2], obs[8], 1e-12)
		assert.InDelta(t, fy-q[3], obs[9], 1e-12)
	}
}

func TestVectorMujoco(t *testing.T) {
	v, err := NewVectorEnv("InvertedPendulum-v5", 3, Options{})
	require.NoError(t, err)
	defer v.Close()
	v.Reset(0)
	a := []float64{3, -3, 0}
	ended := 0
	for range 60 {
		obs, r, term, _, err := v.Step(a)
		require.NoError(t, err)
		for i := range 3 {
			if term[i] {
				ended++
				assert.Greater(t, math.Abs(v.FinalObs(i)[1]), 0.2, "final obs is the terminal state")
				assert.LessOrEqual(t, math.Abs(obs[4*i+1]), 0.01, "next obs is a fresh reset")
				assert.Zero(t, r[i], "v5 pays nothing on the terminating step")
				ret, n := v.Episode(i)
				assert.Equal(t, float64(n-1), ret)
			}
		}
	}
	assert.Greater(t, ended, 3)
	assert.Zero(t, v.TotalBlowUps())
}

func BenchmarkMujocoStep(b *testing.B) {
	for _, c := range contactFree {
		if !strings.HasSuffix(c.id, "v5") {
			continue
		}
		b.Run(c.id, func(b *testing.B) {
			e := makeTask(b, c.id, c.xml, Options{MaxEpisodeSteps: -1})
			e.Reset(0)
			a := make([]float64, e.ActionSpace().Dim())
			b.ReportAllocs()
			for b.Loop() {
				if _, _, _, _, _, err := e.Step(a); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestRewardFormulas recomputes Reacher's and Swimmer's rewards from the
// observations and states around random-action steps.
func TestRewardFormulas(t *testing.T) {
	for _, id := range []string{"Reacher-v4", "Reacher-v5", "Swimmer-v4", "Swimmer-v5"} {
		e := makeNoisy(t, id, "")
		st := Unwrap(e).(State)
		prev, _ := e.Reset(1)
		prev = append([]float64(nil), prev...)
		a := make([]float64, 2)
		for k := range 30 {
			a[0], a[1] = 1.5*math.Sin(0.7*float64(k)), math.Cos(1.3*float64(k))
			x0 := st.Qpos()[0]
			obs, r, _, _, info, err := e.Step(a)
			require.NoError(t, err)
			ctrl := a[0]*a[0] + a[1]*a[1]
			switch id {
			case "Reacher-v4": // distance before the step: the previous observation
				assert.InDelta(t, -math.Sqrt(prev[8]*prev[8]+prev[9]*prev[9]+prev[10]*prev[10])-ctrl, r, 1e-12)
			case "Reacher-v5": // distance after the step (fingertip and target at equal z)
				assert.InDelta(t, -math.Hypot(obs[8], obs[9])-ctrl, r, 1e-12)
			default:
				vx := (st.Qpos()[0] - x0) / 0.04
				assert.InDelta(t, vx-1e-4*ctrl, r, 1e-12)
				assert.InDelta(t, vx, info["x_velocity"], 1e-12)
			}
			w := 1e-4 // Swimmer's ctrl_cost_weight; Reacher's is 1
			if strings.HasPrefix(id, "Reacher") {
				w = 1
			}
			assert.InDelta(t, -w*ctrl, info["reward_ctrl"], 1e-15, id)
			prev = append(prev[:0], obs...)
		}
	}
}
