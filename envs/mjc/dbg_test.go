package mjc

import (
	"fmt"
	"math"
	"path/filepath"
	"testing"
)

func TestDbgHop(t *testing.T) {
	for _, tol := range []float64{1e-8, 1e-12} {
		m, _ := loadRefModel(t, "variants", "hopper")
		m.Opt.Tolerance = tol
		col, rows := readCSV(t, filepath.Join(refDir(t), "variants", "hopper.rollout_zero.csv"))
		d := NewData(m)
		for s := 0; s <= 16; s++ {
			e := 0.0
			for i := range m.Nq {
				e = math.Max(e, math.Abs(d.Qpos[i]-rows[s][col[fmt.Sprintf("qpos%d", i)]]))
			}
			fmt.Printf("tol %g step %d err %.3g ncon ref %v ours %d nefc ref %v ours %d iter %d\n", tol, s, e, rows[s][col["ncon"]], d.Ncon, rows[s][col["nefc"]], d.Nefc, d.SolverIter)
			for range 4 {
				_ = Step(m, d)
			}
		}
	}
}
