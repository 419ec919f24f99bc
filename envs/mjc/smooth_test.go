package mjc

import (
	"fmt"
	"math"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSetConstAgainstReference(t *testing.T) {
	for _, name := range refModels {
		t.Run(name, func(t *testing.T) {
			m, r := loadRefModel(t, "", name)
			require.Equal(t, r.Nq, m.Nq)
			require.Equal(t, r.Nv, m.Nv)
			require.Equal(t, r.Nbody, m.Nbody)
			require.Equal(t, r.Nu, m.Nu)
			require.Equal(t, r.Body.Rootid, m.BodyRoot)
			require.Equal(t, r.Body.Weldid, m.BodyWeld)
			require.Equal(t, r.Body.Jntnum, m.BodyJntNum)
			require.Equal(t, r.Body.Dofnum, m.BodyDofNum)
			require.Equal(t, r.Joint.Qposadr, m.JntQposAdr)
			require.Equal(t, r.Joint.Dofadr, m.JntDofAdr)
			require.Equal(t, r.Dof.Bodyid, m.DofBody)
			require.Equal(t, r.Dof.Jntid, m.DofJnt)
			require.Equal(t, r.Dof.Parentid, m.DofParent)
			requireVec(t, m.BodySubtreeMass, r.Body.Subtreemass, 1e-12, "subtreemass")
			requireVec(t, m.DofM0, r.Dof.M0, 1e-9, "dof_M0")
			requireVec(t, m.DofInvWeight0, r.Dof.Invweight0, 1e-8, "dof_invweight0")
			got := flatN(m.BodyInvWeight0, func(v [2]float64) []float64 { return v[:] })
			want := flatN(r.Body.Invweight0, func(v [2]float64) []float64 { return v[:] })
			requireVec(t, got, want, 1e-8, "body_invweight0")
		})
	}
}

// TestForwardRandomStates compares every smooth-dynamics quantity with
// MuJoCo 2.2.2 at the 6 random states of each reference model.
func TestForwardRandomStates(t *testing.T) {
	for _, name := range refModels {
		t.Run(name, func(t *testing.T) {
			m, _ := loadRefModel(t, "", name)
			checkRandomStates(t, m, name)
		})
	}
}

// checkRandomStates runs Forward at the random states of
// ref/<name>.states.json on m (constraints disabled, energy enabled; m's
// options are restored afterwards) and compares with MuJoCo to 1e-9.
func checkRandomStates(t *testing.T, m *Model, name string) {
	const tol = 1e-9
	opt := m.Opt
	defer func() { m.Opt = opt }()
	m.Opt.Disable |= DisableConstraint
	m.Opt.Enable |= EnableEnergy
	var st refStates
	readJSON(t, filepath.Join(refDir(t), name+".states.json"), &st)
	require.Len(t, st.Random, 6)
	d := NewData(m)
	for k, s := range st.Random {
		copy(d.Qpos, s.Qpos)
		copy(d.Qvel, s.Qvel)
		copy(d.Ctrl, s.Ctrl)
		require.NoError(t, Forward(m, d))
		at := func(f string) string { return fmt.Sprintf("%s state %d %s", name, k, f) }
		requireVec(t, d.M, flatRows(s.M), tol, at("M"))
		requireVec(t, d.QfrcBias, s.QfrcBias, tol, at("qfrc_bias"))
		requireVec(t, d.QfrcPassive, s.QfrcPassive, tol, at("qfrc_passive"))
		requireVec(t, d.QfrcActuator, s.QfrcActuator, tol, at("qfrc_actuator"))
		requireVec(t, d.QaccSmooth, s.QaccSmooth, tol, at("qacc_smooth"))
		requireVec(t, d.Qacc, s.Qacc, tol, at("qacc"))
		requireVec(t, d.Energy[:], s.Energy, tol, at("energy"))
		requireVec(t, flat3(d.Xpos), flatRows(s.Xpos), tol, at("xpos"))
		requireVec(t, flatN(d.Xquat, func(v [4]float64) []float64 { return v[:] }), flatRows(s.Xquat), tol, at("xquat"))
		requireVec(t, flat3(d.Xipos), flatRows(s.Xipos), tol, at("xipos"))
		requireVec(t, flat3(d.GeomXpos), flatRows(s.GeomXpos), tol, at("geom_xpos"))
		requireVec(t, flatN(d.GeomXmat, func(v [9]float64) []float64 { return v[:] }), flatRows(s.GeomXmat), tol, at("geom_xmat"))
		requireVec(t, flatN(d.Cinert, func(v [10]float64) []float64 { return v[:] }), flatRows(s.Cinert), tol, at("cinert"))
		requireVec(t, flatN(d.Cvel, func(v [6]float64) []float64 { return v[:] }), flatRows(s.Cvel), tol, at("cvel"))
		requireVec(t, flat3(d.SubtreeCom), flatRows(s.SubtreeCom), tol, at("subtree_com"))
	}
}

// sineCtrl is the control law of the reference rollouts.
func sineCtrl(m *Model, t float64, dst []float64) {
	for j := range m.Nu {
		lo, hi := m.ActCtrlRange[j][0], m.ActCtrlRange[j][1]
		c, r := (lo+hi)/2, (hi-lo)/2
		fj := float64(j)
		dst[j] = c + 0.8*r*math.Sin(2*math.Pi*(1+0.37*fj)*t+0.5*fj)
	}
}

// rolloutCompare steps the model with sine control from qpos0 and compares
// qpos/qvel with the first nSteps env steps of rollout_smooth.csv.
func rolloutCompare(t *testing.T, dir, name string, nSteps int, tol float64) {
	m, _ := loadRefModel(t, dir, name)
	checkRolloutSmooth(t, m, dir, name, nSteps, tol)
}

// checkRolloutSmooth runs the sine-control rollout on m (constraints
// disabled; m's options are restored afterwards) and compares qpos/qvel with
// the first nSteps env steps of <dir>/<name>.rollout_smooth.csv.
func checkRolloutSmooth(t *testing.T, m *Model, dir, name string, nSteps int, tol float64) {
	opt := m.Opt
	defer func() { m.Opt = opt }()
	m.Opt.Disable |= DisableConstraint
	col, rows := readCSV(t, filepath.Join(refDir(t), dir, name+".rollout_smooth.csv"))
	frameSkip := int(math.Round(rows[1][col["time"]] / m.Opt.Timestep))
	require.Positive(t, frameSkip)
	d := NewData(m)
	qp := make([]float64, m.Nq)
	qv := make([]float64, m.Nv)
	maxErr := 0.0
	for s := 0; s <= nSteps && s < len(rows); s++ {
		row := rows[s]
		for i := range m.Nq {
			qp[i] = row[col[fmt.Sprintf("qpos%d", i)]]
		}
		for i := range m.Nv {
			qv[i] = row[col[fmt.Sprintf("qvel%d", i)]]
		}
		requireVec(t, d.Qpos, qp, tol, fmt.Sprintf("%s/%s step %d qpos", dir, name, s))
		requireVec(t, d.Qvel, qv, tol, fmt.Sprintf("%s/%s step %d qvel", dir, name, s))
		for i := range m.Nq {
			maxErr = math.Max(maxErr, math.Abs(d.Qpos[i]-qp[i]))
		}
		sineCtrl(m, d.Time, d.Ctrl)
		for range frameSkip {
			require.NoError(t, Step(m, d))
		}
	}
	t.Logf("%s/%s: max |Δqpos| over %d env steps = %.3g", dir, name, nSteps, maxErr)
}

func TestRolloutSmooth(t *testing.T) {
	for _, name := range refModels {
		t.Run(name, func(t *testing.T) { rolloutCompare(t, "", name, 20, 1e-8) })
	}
	for _, name := range []string{"ant", "hopper", "humanoid", "walker2d"} {
		t.Run("variants/"+name, func(t *testing.T) { rolloutCompare(t, "variants", name, 20, 1e-8) })
	}
}
