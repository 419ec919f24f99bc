package mjcf_test

import (
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/boltzflow/boltzflow/envs/mjc"
	"github.com/boltzflow/boltzflow/envs/mjcf"
)

func compileString(t *testing.T, src string) *mjc.Model {
	t.Helper()
	m, err := mjcf.Compile(strings.NewReader(src), "test.xml")
	require.NoError(t, err)
	return m
}

// TestDefaultsInheritance checks nested classes (inheriting their parent's
// settings wherever they appear in it), childclass, element class and partial
// vector attributes (friction and solimp keep trailing values).
func TestDefaultsInheritance(t *testing.T) {
	m := compileString(t, `<mujoco>
  <default>
    <joint damping="2" armature="0.5"/>
    <default class="a">
      <default class="b">
        <joint stiffness="7"/>
        <geom solimp="0.8 0.85"/>
      </default>
      <joint damping="3"/>
      <geom friction="0.9" condim="1"/>
    </default>
    <geom friction="0.7 0.2 0.3" solimp="0.5 0.6 0.01 0.4 3" margin="0.1"/>
  </default>
  <worldbody>
    <body name="p" childclass="b">
      <joint name="j0"/>
      <geom name="g0" size="0.1"/>
      <body name="q">
        <joint name="j1" class="main" damping="4"/>
        <geom name="g1" class="a" size="0.1" friction="0.5 0.25"/>
      </body>
    </body>
  </worldbody>
</mujoco>`)
	// j0: class b = main ← a ← b.
	require.Equal(t, []float64{3, 4}, m.DofDamping)
	require.Equal(t, []float64{0.5, 0.5}, m.DofArmature)
	require.Equal(t, []float64{7, 0}, m.JntStiffness)
	require.Equal(t, [3]float64{0.9, 0.2, 0.3}, m.GeomFriction[0])
	require.Equal(t, [5]float64{0.8, 0.85, 0.01, 0.4, 3}, m.GeomSolimp[0])
	require.Equal(t, 1, m.GeomCondim[0])
	require.Equal(t, 0.1, m.GeomMargin[0])
	require.Equal(t, [3]float64{0.5, 0.25, 0.3}, m.GeomFriction[1])
	require.Equal(t, [5]float64{0.5, 0.6, 0.01, 0.4, 3}, m.GeomSolimp[1])
}

func TestOrientationForms(t *testing.T) {
	s := math.Sqrt(0.5)
	cases := []struct {
		attr string
		want [4]float64
	}{
		{`quat="2 0 0 0"`, [4]float64{1, 0, 0, 0}},
		{`axisangle="0 0 2 90"`, [4]float64{s, 0, 0, s}},
		{`euler="0 0 90"`, [4]float64{s, 0, 0, s}},
		{`euler="90 90 0"`, quatProduct([4]float64{s, s, 0, 0}, [4]float64{s, 0, s, 0})},
		{`xyaxes="0 1 0 -1 0 0"`, [4]float64{s, 0, 0, s}},
		{`zaxis="0 0 -1"`, [4]float64{0, 1, 0, 0}},
		{`zaxis="1 0 0"`, [4]float64{s, 0, s, 0}},
	}
	for _, tc := range cases {
		t.Run(tc.attr, func(t *testing.T) {
			m := compileString(t, `<mujoco><worldbody><body `+tc.attr+`><geom size=".1"/></body></worldbody></mujoco>`)
			require.Truef(t, sameRotation(m.BodyQuat[1], tc.want, 1e-15), "got %v want %v", m.BodyQuat[1], tc.want)
		})
	}
	// Radians.
	m := compileString(t, `<mujoco><compiler angle="radian"/><worldbody><body axisangle="1 0 0 3.141592653589793"><geom size=".1"/></body></worldbody></mujoco>`)
	require.True(t, sameRotation(m.BodyQuat[1], [4]float64{0, 1, 0, 0}, 1e-15), "%v", m.BodyQuat[1])
}

func quatProduct(a, b [4]float64) [4]float64 {
	return [4]float64{
		a[0]*b[0] - a[1]*b[1] - a[2]*b[2] - a[3]*b[3],
		a[0]*b[1] + a[1]*b[0] + a[2]*b[3] - a[3]*b[2],
		a[0]*b[2] - a[1]*b[3] + a[2]*b[0] + a[3]*b[1],
		a[0]*b[3] + a[1]*b[2] - a[2]*b[1] + a[3]*b[0],
	}
}

// TestJointUnitsAndLimits: degree conversion of hinge range, ref and
// springref (not of slide), autolimits and qpos0/qpos_spring.
func TestJointUnitsAndLimits(t *testing.T) {
	m := compileString(t, `<mujoco>
  <worldbody>
    <body>
      <geom size=".1"/>
      <joint name="h" type="hinge" range="-90 45" ref="30" springref="60"/>
      <joint name="s" type="slide" range="-2 3" ref="0.5" springref="0.25"/>
      <joint name="u" type="hinge" axis="1 0 0" limited="false" range="-10 10"/>
      <joint name="n" type="hinge" axis="0 1 0"/>
    </body>
  </worldbody>
</mujoco>`)
	d := math.Pi / 180
	require.InDeltaSlice(t, []float64{-90 * d, 45 * d}, m.JntRange[0][:], 1e-15)
	require.Equal(t, [2]float64{-2, 3}, m.JntRange[1])
	require.Equal(t, []bool{true, true, false, false}, m.JntLimited)
	require.InDeltaSlice(t, []float64{30 * d, 0.5, 0, 0}, m.Qpos0, 1e-15)
	require.InDeltaSlice(t, []float64{60 * d, 0.25, 0, 0}, m.QposSpring, 1e-15)

	_, err := mjcf.Compile(strings.NewReader(`<mujoco><compiler autolimits="false"/><worldbody><body><geom size=".1"/>
<joint range="-1 1"/></body></worldbody></mujoco>`), "t.xml")
	require.Error(t, err)
	require.Contains(t, err.Error(), "t.xml:2: element <joint>")
}

// TestInertialAndMassOptions: <inertial> with fullinertia, inertiafromgeom
// modes, geom mass, boundmass and settotalmass.
func TestInertialAndMassOptions(t *testing.T) {
	full := `<inertial pos="0.1 0.2 0.3" mass="2" fullinertia="3 2 1 0.5 0.1 0.2"/>`
	m := compileString(t, `<mujoco><worldbody><body><joint/>`+full+`</body></worldbody></mujoco>`)
	require.Equal(t, 2.0, m.BodyMass[1])
	require.Equal(t, [3]float64{0.1, 0.2, 0.3}, m.BodyIPos[1])
	got := tensor(m.BodyInertia[1], m.BodyIQuat[1])
	want := [9]float64{3, 0.5, 0.1, 0.5, 2, 0.2, 0.1, 0.2, 1}
	for k := range want {
		require.InDelta(t, want[k], got[k], 1e-14, "tensor[%d]", k)
	}
	require.GreaterOrEqual(t, m.BodyInertia[1][0], m.BodyInertia[1][1])
	require.GreaterOrEqual(t, m.BodyInertia[1][1], m.BodyInertia[1][2])

	// auto: the inertial wins over the geom; true: the geom wins.
	geom := `<geom size="0.1" mass="5"/>`
	m = compileString(t, `<mujoco><worldbody><body><joint/>`+geom+full+`</body></worldbody></mujoco>`)
	require.Equal(t, 2.0, m.BodyMass[1])
	m = compileString(t, `<mujoco><compiler inertiafromgeom="true"/><worldbody><body><joint/>`+geom+full+`</body></worldbody></mujoco>`)
	require.Equal(t, 5.0, m.BodyMass[1])
	require.InDelta(t, 0.4*5*0.01, m.BodyInertia[1][0], 1e-15)

	// settotalmass scales masses and inertias; boundmass raises light bodies.
	m = compileString(t, `<mujoco><compiler settotalmass="12" boundmass="0.5"/><worldbody>
<body><joint/><geom size="0.1" mass="3"/></body>
<body><joint/><geom size="0.1" mass="0.1"/></body></worldbody></mujoco>`)
	require.InDelta(t, 12*3/3.5, m.BodyMass[1], 1e-13)
	require.InDelta(t, 12*0.5/3.5, m.BodyMass[2], 1e-13)
	require.InDelta(t, 12/3.5*0.4*3*0.01, m.BodyInertia[1][0], 1e-15)
}

// TestMultiGeomBody checks the combined inertia of two spheres against the
// parallel-axis theorem.
func TestMultiGeomBody(t *testing.T) {
	m := compileString(t, `<mujoco><worldbody><body><joint/>
<geom pos="-0.5 0 0" size="0.1" mass="1"/><geom pos="1 0 0" size="0.1" mass="2"/>
</body></worldbody></mujoco>`)
	require.Equal(t, 3.0, m.BodyMass[1])
	require.InDeltaSlice(t, []float64{0.5, 0, 0}, m.BodyIPos[1][:], 1e-15)
	is := 0.4 * 0.01
	// About the COM: spheres at distance 1 and 0.5 from x = 0.5.
	want := [9]float64{3 * is, 0, 0, 0, 3*is + 1*1 + 2*0.25, 0, 0, 0, 3*is + 1*1 + 2*0.25}
	got := tensor(m.BodyInertia[1], m.BodyIQuat[1])
	for k := range want {
		require.InDelta(t, want[k], got[k], 1e-14, "tensor[%d]", k)
	}
}

// TestSectionOrderAndIgnored: sections in any order; rendering, sensors and
// keyframes ignored; option flags and fields read.
func TestSectionOrderAndIgnored(t *testing.T) {
	m := compileString(t, `<mujoco model="x">
  <actuator><motor joint="j" gear="3" ctrlrange="-1 2"/></actuator>
  <sensor><jointpos joint="j"/></sensor>
  <keyframe><key qpos="0.3"/></keyframe>
  <visual><map znear="0.02"/></visual>
  <asset><texture name="t" type="2d" builtin="checker"/></asset>
  <worldbody>
    <light pos="0 0 3"/>
    <body><camera pos="0 0 1"/><joint name="j" type="slide"/><geom size=".1" rgba="1 0 0 1" material="m"/></body>
  </worldbody>
  <option timestep="0.005" gravity="0 0 -1" integrator="RK4" solver="CG" iterations="7" density="2" viscosity="0.3" wind="1 0 0">
    <flag contact="disable" energy="enable"/>
  </option>
  <default><motor ctrllimited="false"/></default>
</mujoco>`)
	require.Equal(t, 0.005, m.Opt.Timestep)
	require.Equal(t, [3]float64{0, 0, -1}, m.Opt.Gravity)
	require.Equal(t, [3]float64{1, 0, 0}, m.Opt.Wind)
	require.Equal(t, mjc.RK4, m.Opt.Integrator)
	require.Equal(t, mjc.SolverCG, m.Opt.Solver)
	require.Equal(t, 7, m.Opt.Iterations)
	require.Equal(t, 2.0, m.Opt.Density)
	require.Equal(t, 0.3, m.Opt.Viscosity)
	require.Equal(t, mjc.DisableContact, m.Opt.Disable)
	require.Equal(t, mjc.EnableEnergy, m.Opt.Enable)
	require.Equal(t, []float64{3}, m.ActGear)
	require.Equal(t, []bool{false}, m.ActCtrlLimited) // explicit false in the default beats autolimits
	require.Equal(t, [][2]float64{{-1, 2}}, m.ActCtrlRange)
}

// TestWeldedBodies: joint-less bodies keep their own id and are welded to
// their parent; a free joint's qpos0 is the body pose.
func TestWeldedBodies(t *testing.T) {
	m := compileString(t, `<mujoco><worldbody>
  <body name="a" pos="1 2 3" quat="0 1 0 0"><freejoint name="root"/><geom size=".1"/>
    <body name="b" pos="0 0 1"><geom size=".1"/>
      <body name="c"><joint name="h"/><geom size=".1"/>
        <body name="d"><geom size=".1"/></body>
      </body>
    </body>
  </body>
  <body name="static"><geom size=".1"/></body>
</worldbody></mujoco>`)
	require.Equal(t, []int{0, 1, 1, 3, 3, 0}, m.BodyWeld)
	require.Equal(t, []float64{1, 2, 3, 0, 1, 0, 0, 0}, m.Qpos0)
	require.Equal(t, 7, m.Nv)
}
