package mjc

import (
	"fmt"
	"math"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// contactFree are the reference models whose full physics has no contacts,
// so joint limits are the only constraints.
var contactFree = []string{"inverted_double_pendulum", "inverted_pendulum", "reacher", "swimmer"}

type refSettled struct {
	refState
	Nefc           int       `json:"nefc"`
	EfcType        []int     `json:"efc_type"`
	EfcPos         []float64 `json:"efc_pos"`
	EfcR           []float64 `json:"efc_R"`
	EfcAref        []float64 `json:"efc_aref"`
	EfcForce       []float64 `json:"efc_force"`
	QfrcConstraint []float64 `json:"qfrc_constraint"`
}

// TestLimitSettledStates compares the joint-limit rows and forces with
// MuJoCo's at the settled state of the contact-free models (the inverted
// pendulum's pole rests on its 90° limit).
func TestLimitSettledStates(t *testing.T) {
	for _, name := range contactFree {
		t.Run(name, func(t *testing.T) {
			m, _ := loadRefModel(t, "", name)
			var st struct {
				Settled refSettled `json:"settled"`
			}
			readJSON(t, filepath.Join(refDir(t), name+".states.json"), &st)
			s := st.Settled
			d := NewData(m)
			copy(d.Qpos, s.Qpos)
			copy(d.Qvel, s.Qvel)
			copy(d.Ctrl, s.Ctrl)
			require.NoError(t, Forward(m, d))
			require.Equal(t, s.Nefc, d.Nefc)
			for i := range d.Nefc {
				require.Equal(t, s.EfcType[i], int(d.EfcType[i]))
			}
			requireVec(t, d.EfcPos[:d.Nefc], s.EfcPos, 1e-9, "efc_pos")
			requireVec(t, d.EfcR[:d.Nefc], s.EfcR, 1e-9, "efc_R")
			requireVec(t, d.EfcAref[:d.Nefc], s.EfcAref, 1e-9, "efc_aref")
			requireVec(t, d.EfcForce[:d.Nefc], s.EfcForce, 1e-7, "efc_force")
			requireVec(t, d.QfrcConstraint, s.QfrcConstraint, 1e-7, "qfrc_constraint")
			requireVec(t, d.Qacc, s.Qacc, 1e-6, "qacc")
		})
	}
}

// TestRolloutZeroContactFree replays rollout_zero.csv (full physics, joint
// limits active) for the contact-free models.
func TestRolloutZeroContactFree(t *testing.T) {
	for _, name := range contactFree {
		t.Run(name, func(t *testing.T) {
			m, _ := loadRefModel(t, "", name)
			col, rows := readCSV(t, filepath.Join(refDir(t), name+".rollout_zero.csv"))
			frameSkip := int(math.Round(rows[1][col["time"]] / m.Opt.Timestep))
			d := NewData(m)
			qp := make([]float64, m.Nq)
			maxErr, firstLimit := 0.0, -1
			for s := range rows {
				row := rows[s]
				for i := range m.Nq {
					qp[i] = row[col[fmt.Sprintf("qpos%d", i)]]
				}
				err := 0.0
				for i := range m.Nq {
					err = math.Max(err, math.Abs(d.Qpos[i]-qp[i]))
				}
				maxErr = math.Max(maxErr, err)
				if firstLimit < 0 && row[col["nefc"]] > 0 {
					firstLimit = s
				}
				if s <= 200 {
					require.LessOrEqualf(t, err, 1e-6, "%s step %d: |Δqpos| = %g", name, s, err)
				}
				if s > 0 && s <= 200 {
					require.Equalf(t, int(row[col["nefc"]]), d.Nefc, "%s step %d nefc", name, s)
					q0 := row[col["qfrc_constraint0"]]
					require.InDeltaf(t, q0, d.QfrcConstraint[0], 1e-6*math.Max(1, math.Abs(q0)), "%s step %d qfrc_constraint0", name, s)
				}
				if s == len(rows)-1 {
					break
				}
				for range frameSkip {
					require.NoError(t, Step(m, d))
				}
			}
			t.Logf("%s: %d env steps, first limit row at step %d, max |Δqpos| = %.3g", name, len(rows)-1, firstLimit, maxErr)
		})
	}
}

// TestHingeLimitPenetration drives a hinge into its limit with a constant
// torque and checks the steady penetration against the fixed point of
// r = (1 − d(r))·a_u·dwidth²·timeconst²·dampratio²/d(r)² (envs.md §3.5).
func TestHingeLimitPenetration(t *testing.T) {
	for _, tc := range []struct {
		name   string
		solimp [5]float64
		torque float64
	}{
		{"default solimp", DefaultSolimp, 2},
		{"constant impedance", [5]float64{0.8, 0.8, 0.01, 0.5, 2}, 2},
		{"half cheetah solimplimit", [5]float64{0, 0.8, 0.03, 0.5, 2}, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := &Model{
				Opt:         DefaultOption(),
				BodyParent:  []int{0, 0},
				BodyPos:     [][3]float64{{}, {}},
				BodyMass:    []float64{0, 1},
				BodyInertia: [][3]float64{{}, {0.1, 0.1, 0.1}},
				JntType:     []JointType{JointHinge},
				JntBody:     []int{1},
				JntAxis:     [][3]float64{{0, 0, 1}},
				JntLimited:  []bool{true},
				JntRange:    [][2]float64{{-1, 0.5}},
				JntSolimp:   [][5]float64{tc.solimp},
				DofDamping:  []float64{0.5},
				ActTrnID:    []int{0},
			}
			m.Opt.Gravity = [3]float64{}
			m.Opt.Timestep = 0.001
			require.NoError(t, m.SetConst())
			d := NewData(m)
			d.Ctrl[0] = tc.torque
			for range 20000 {
				require.NoError(t, Step(m, d))
			}
			require.Equal(t, 1, d.Nefc)
			// unconstrained acceleration a_u pushing into the limit
			au := tc.torque / m.DofM0[0]
			dw := math.Min(math.Max(tc.solimp[1], minImp), maxImp)
			tcst := DefaultSolref[0]
			g := func(r float64) float64 {
				_, _, imp, _ := solParams(m, -r, 0, DefaultSolref, tc.solimp)
				return r - (1-imp)*au*dw*dw*tcst*tcst/(imp*imp)
			}
			lo, hi := 0.0, 1.0
			require.Less(t, g(lo), 0.0)
			require.Greater(t, g(hi), 0.0)
			for range 200 {
				mid := (lo + hi) / 2
				if g(mid) < 0 {
					lo = mid
				} else {
					hi = mid
				}
			}
			r := (lo + hi) / 2
			pen := d.Qpos[0] - 0.5
			require.InDeltaf(t, r, pen, 1e-6*math.Max(r, 1e-6), "penetration %g, predicted %g", pen, r)
			require.Less(t, math.Abs(d.Qvel[0]), 1e-9)
		})
	}
}
