package mjc

import (
	"fmt"
	"math"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// contactModels are the reference models whose settled state has contacts.
var contactModels = []string{"hopper", "walker2d", "walker2d_v5", "half_cheetah", "ant", "humanoid"}

type refContact struct {
	Geom1, Geom2  int
	Dist          float64
	Pos           [3]float64
	Frame         [9]float64
	Dim           int
	Friction      [5]float64
	Solref        [2]float64
	Solimp        [5]float64
	IncludeMargin float64 `json:"includemargin"`
}

type refSettledContact struct {
	refSettled
	Ncon     int          `json:"ncon"`
	Contacts []refContact `json:"contacts"`
	CfrcExt  [][]float64  `json:"cfrc_ext"`
}

// TestContactSettledStates compares the contact set, the efc rows, the
// constraint forces and cfrc_ext with MuJoCo's at the settled state of the
// five locomotion models.
func TestContactSettledStates(t *testing.T) {
	for _, name := range contactModels {
		t.Run(name, func(t *testing.T) {
			m, _ := loadRefModel(t, "", name)
			var st struct {
				Settled refSettledContact `json:"settled"`
			}
			readJSON(t, filepath.Join(refDir(t), name+".states.json"), &st)
			s := st.Settled
			d := NewData(m)
			copy(d.Qpos, s.Qpos)
			copy(d.Qvel, s.Qvel)
			copy(d.Ctrl, s.Ctrl)
			// Converge the solver fully: MuJoCo used Newton (PGS for Humanoid).
			m.Opt.Iterations = 10000
			m.Opt.Tolerance = 1e-15
			clear(d.QaccWarmstart)
			copy(d.QaccWarmstart, s.Qacc)
			require.NoError(t, Forward(m, d))
			require.Equal(t, s.Ncon, d.Ncon, "ncon")
			// Contacts in the same order.
			for i, rc := range s.Contacts {
				c := d.Contact[i]
				what := fmt.Sprintf("contact %d", i)
				require.Equal(t, [2]int{rc.Geom1, rc.Geom2}, [2]int{c.Geom1, c.Geom2}, what)
				require.InDelta(t, rc.Dist, c.Dist, 1e-9, what)
				requireVec(t, c.Pos[:], rc.Pos[:], 1e-9, what+" pos")
				requireVec(t, c.Frame[:], rc.Frame[:], 1e-9, what+" frame")
				require.Equal(t, rc.Dim, c.Dim, what)
				require.Equal(t, rc.Friction, c.Friction, what)
				require.Equal(t, rc.Solref, c.Solref, what)
				requireVec(t, c.Solimp[:], rc.Solimp[:], 1e-15, what+" solimp")
				require.InDelta(t, rc.IncludeMargin, c.IncludeMargin, 1e-15, what)
			}
			require.Equal(t, s.Nefc, d.Nefc, "nefc")
			for i := range d.Nefc {
				require.Equal(t, s.EfcType[i], int(d.EfcType[i]), "efc_type[%d]", i)
			}
			requireVec(t, d.EfcPos[:d.Nefc], s.EfcPos, 1e-9, "efc_pos")
			requireVec(t, d.EfcR[:d.Nefc], s.EfcR, 1e-9, "efc_R")
			requireVec(t, d.EfcAref[:d.Nefc], s.EfcAref, 1e-9, "efc_aref")
			// Forces: the solution of the convex problem is unique in
			// A + R; compare the generalized constraint force and the
			// wrenches, which the solver determines to its tolerance.
			tol := 1e-5
			if m.Opt.Solver == SolverPGS {
				// MuJoCo stopped after 50 PGS sweeps (Humanoid): its
				// forces are within that budget's accuracy of the optimum,
				// which ours must not be worse than.
				tol = 3e-3
				n := d.Nefc
				ref := append([]float64(nil), s.EfcForce...)
				ours, theirs := dualCost(d.EfcAR[:n*n], d.EfcB[:n], d.EfcForce[:n]), dualCost(d.EfcAR[:n*n], d.EfcB[:n], ref)
				t.Logf("dual cost: ours %.12g, MuJoCo's forces %.12g", ours, theirs)
				require.LessOrEqual(t, ours, theirs+1e-12*math.Abs(theirs))
			}
			requireVec(t, d.QfrcConstraint, s.QfrcConstraint, tol, "qfrc_constraint")
			RNEPostConstraint(m, d)
			var ext, want []float64
			for b := range m.Nbody {
				ext = append(ext, d.CfrcExt[b][:]...)
				want = append(want, s.CfrcExt[b]...)
			}
			requireVec(t, ext, want, tol, "cfrc_ext")
			if m.Opt.Solver != SolverPGS {
				requireVec(t, d.EfcForce[:d.Nefc], s.EfcForce, 1e-4, "efc_force")
			}
		})
	}
}

var _ = math.Abs
