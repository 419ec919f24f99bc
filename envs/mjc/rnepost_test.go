package mjc

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestRNEPostConstraintBalance checks the post-constraint RNE against the
// equations of motion at the settled states with contacts: projecting the
// internal wrenches on the dofs, cdofᵢᵀ·cfrc_int[body(i)], must give the
// generalized forces that do not come from outside the tree,
// (M − armature)·qacc + c − Jᵀf_contacts = passive + actuator + Jᵀf_limits
// − armature·qacc (MuJoCo's armature acts on the dof alone).
func TestRNEPostConstraintBalance(t *testing.T) {
	for _, name := range contactModels {
		t.Run(name, func(t *testing.T) {
			m, _ := loadRefModel(t, "", name)
			var st struct {
				Settled refSettledContact `json:"settled"`
			}
			readJSON(t, filepath.Join(refDir(t), name+".states.json"), &st)
			d := NewData(m)
			copy(d.Qpos, st.Settled.Qpos)
			copy(d.Qvel, st.Settled.Qvel)
			copy(d.Ctrl, st.Settled.Ctrl)
			require.NoError(t, Forward(m, d))
			require.Positive(t, d.Ncon)
			RNEPostConstraint(m, d)
			nv := m.Nv
			want := make([]float64, nv)
			for i := range nv {
				// the RNE has no armature: M·qacc includes armature·qacc
				want[i] = d.QfrcPassive[i] + d.QfrcActuator[i] - m.DofArmature[i]*d.Qacc[i]
			}
			for r := range d.Nefc {
				if d.EfcType[r] != ConstraintLimitJoint {
					continue
				}
				for i := range nv {
					want[i] += d.EfcJ[r*nv+i] * d.EfcForce[r]
				}
			}
			got := make([]float64, nv)
			for i := range nv {
				got[i] = dot6(&d.Cdof[i], &d.CfrcInt[m.DofBody[i]])
			}
			requireVec(t, got, want, 1e-9, "cdofᵀ·cfrc_int")
			// The external wrenches balance the contact forces: Σ_b cfrc_ext
			// projected on each dof equals Jᵀf of the contact rows.
			ext := make([]float64, nv)
			for b := 1; b < m.Nbody; b++ {
				for j := lastDofOf(m, b); j >= 0; j = m.DofParent[j] {
					ext[j] += dot6(&d.Cdof[j], &d.CfrcExt[b])
				}
			}
			wantExt := make([]float64, nv)
			for r := range d.Nefc {
				if d.EfcType[r] == ConstraintLimitJoint {
					continue
				}
				for i := range nv {
					wantExt[i] += d.EfcJ[r*nv+i] * d.EfcForce[r]
				}
			}
			requireVec(t, ext, wantExt, 1e-9, "Σ cdofᵀ·cfrc_ext")
		})
	}
}
