package mjc

import (
	"errors"
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestStepRejectsNonFinite: NaN/Inf in the state or the control gives a
// *StateError naming the field, never silent NaN propagation.
func TestStepRejectsNonFinite(t *testing.T) {
	for _, tc := range []struct {
		name  string
		set   func(d *Data)
		field string
	}{
		{"nan qpos", func(d *Data) { d.Qpos[1] = math.NaN() }, "qpos"},
		{"inf qvel", func(d *Data) { d.Qvel[0] = math.Inf(1) }, "qvel"},
		{"huge qvel", func(d *Data) { d.Qvel[2] = 1e11 }, "qvel"},
		{"nan ctrl", func(d *Data) { d.Ctrl[0] = math.NaN() }, "qacc"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, _ := loadRefModel(t, "", "hopper")
			d := NewData(m)
			tc.set(d)
			err := Step(m, d)
			var se *StateError
			require.True(t, errors.As(err, &se), "error %v", err)
			require.Equal(t, tc.field, se.Field)
			require.Contains(t, err.Error(), tc.field)
		})
	}
}

// TestSetConstErrors: inconsistent inputs are reported with the field name.
func TestSetConstErrors(t *testing.T) {
	base := func() *Model {
		return &Model{
			Opt:         DefaultOption(),
			BodyParent:  []int{0, 0},
			BodyPos:     [][3]float64{{}, {}},
			BodyMass:    []float64{0, 1},
			BodyInertia: [][3]float64{{}, {1, 1, 1}},
			JntType:     []JointType{JointHinge},
			JntBody:     []int{1},
			JntAxis:     [][3]float64{{0, 0, 1}},
		}
	}
	for _, tc := range []struct {
		name string
		edit func(m *Model)
		want string
	}{
		{"short mass", func(m *Model) { m.BodyMass = []float64{0} }, "BodyMass"},
		{"bad parent", func(m *Model) { m.BodyParent[1] = 1 }, "BodyParent[1]"},
		{"zero axis", func(m *Model) { m.JntAxis[0] = [3]float64{} }, "JntAxis[0]"},
		{"bad joint body", func(m *Model) { m.JntBody[0] = 5 }, "JntBody[0]"},
		{"frictionloss", func(m *Model) { m.DofFrictionloss = []float64{0.1} }, "DofFrictionloss[0]"},
		{"actuator on missing joint", func(m *Model) { m.ActTrnID = []int{3} }, "ActTrnID[0]"},
		{"inverted range", func(m *Model) {
			m.JntLimited = []bool{true}
			m.JntRange = [][2]float64{{1, -1}}
		}, "JntRange[0]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := base()
			tc.edit(m)
			err := m.SetConst()
			require.Error(t, err)
			require.Contains(t, err.Error(), tc.want)
		})
	}
	m := base()
	require.NoError(t, m.SetConst())
	require.Equal(t, 1, m.Nq)
}

// TestSharedModelConcurrent: a Model is read-only during simulation, so
// several goroutines may step their own Data on it; results equal a
// sequential run bit for bit.
func TestSharedModelConcurrent(t *testing.T) {
	m, _ := loadRefModel(t, "", "humanoid")
	run := func() []float64 {
		d := NewData(m)
		for k := range 300 {
			d.Ctrl[k%m.Nu] = 0.3
			if err := Step(m, d); err != nil {
				panic(err)
			}
		}
		return append(append([]float64{}, d.Qpos...), d.Qvel...)
	}
	want := run()
	const workers = 4
	got := make([][]float64, workers)
	done := make(chan int)
	for w := range workers {
		go func() {
			got[w] = run()
			done <- w
		}()
	}
	for range workers {
		<-done
	}
	for w := range workers {
		require.Equal(t, want, got[w], "worker %d", w)
	}
}

// TestExportedHelpers: Name2ID finds named elements, SolveM inverts M, and
// IntegratePos keeps free-joint quaternions normalised.
func TestExportedHelpers(t *testing.T) {
	m, _ := loadRefModel(t, "", "ant")
	require.Equal(t, 1, m.Name2ID(ObjBody, "torso"))
	require.Equal(t, -1, m.Name2ID(ObjBody, "no such body"))
	require.Equal(t, -1, m.Name2ID(ObjBody, ""))
	require.Equal(t, 0, m.Name2ID(ObjGeom, "floor"))

	d := NewData(m)
	for i := range d.Qvel {
		d.Qvel[i] = float64(i%4) - 1.5
	}
	require.NoError(t, Forward(m, d))
	nv := m.Nv
	x := make([]float64, nv)
	for i := range x {
		x[i] = float64(i) - 3
	}
	mx := make([]float64, nv)
	for r := range nv {
		for k := range nv {
			mx[r] += d.M[r*nv+k] * x[k]
		}
	}
	SolveM(m, d, mx)
	for i := range x {
		require.InDelta(t, x[i], mx[i], 1e-10)
	}
	require.Panics(t, func() { SolveM(m, d, make([]float64, nv+1)) })

	q := append([]float64(nil), d.Qpos...)
	for range 100 {
		IntegratePos(m, q, d.Qvel, 0.05)
	}
	n := math.Sqrt(q[3]*q[3] + q[4]*q[4] + q[5]*q[5] + q[6]*q[6])
	require.InDelta(t, 1, n, 1e-12)
	require.InDelta(t, d.Qpos[0]+100*0.05*d.Qvel[0], q[0], 1e-12)
	require.Panics(t, func() { IntegratePos(m, q[:3], d.Qvel, 0.01) })
}
