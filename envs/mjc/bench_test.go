package mjc

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// benchStateReset is the number of physics steps after which the benchmark
// state is reset to qpos0 (contact-free models would otherwise fall forever).
const benchStateReset = 2000

// BenchmarkStep measures physics steps per second for every reference
// model with Euler and RK4 (full physics: joint limits on, contacts not yet
// modelled), controls U(ctrlrange) redrawn every step from a fixed seed.
func BenchmarkStep(b *testing.B) {
	for _, name := range refModels {
		for _, integ := range []struct {
			name string
			i    Integrator
		}{{"euler", Euler}, {"rk4", RK4}} {
			b.Run(name+"/"+integ.name, func(b *testing.B) {
				m, _ := loadRefModel(b, "", name)
				m.Opt.Integrator = integ.i
				d := NewData(m)
				rng := rand.New(rand.NewPCG(1, 2))
				ctrl := make([][]float64, 64)
				for k := range ctrl {
					ctrl[k] = make([]float64, m.Nu)
					for j := range m.Nu {
						lo, hi := m.ActCtrlRange[j][0], m.ActCtrlRange[j][1]
						ctrl[k][j] = lo + (hi-lo)*rng.Float64()
					}
				}
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; b.Loop(); i++ {
					if i%benchStateReset == 0 {
						Reset(m, d)
					}
					copy(d.Ctrl, ctrl[i%len(ctrl)])
					if err := Step(m, d); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
			})
		}
	}
}

// TestStepAllocatesNothing checks that Step allocates nothing with both
// integrators, with and without active joint limits.
func TestStepAllocatesNothing(t *testing.T) {
	for _, name := range []string{"humanoid", "inverted_pendulum", "swimmer"} {
		for _, integ := range []Integrator{Euler, RK4} {
			m, _ := loadRefModel(t, "", name)
			m.Opt.Integrator = integ
			d := NewData(m)
			// push joints beyond their limits so that limit rows are active
			for j := range m.Njnt {
				if m.JntLimited[j] {
					d.Qpos[m.JntQposAdr[j]] = m.JntRange[j][1] + 0.01
				}
			}
			require.NoError(t, Forward(m, d))
			if name != "swimmer" {
				require.Positive(t, d.Nefc, name)
			}
			allocs := testing.AllocsPerRun(20, func() {
				if err := Step(m, d); err != nil {
					t.Fatal(err)
				}
			})
			require.Zerof(t, allocs, "%s integrator %d: %v allocs per step", name, integ, allocs)
		}
	}
}
