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
// model with Euler and RK4, with the full pipeline ("full": joint limits and
// whatever the collision stage finds) and with contacts disabled
// ("nocontact": smooth dynamics and joint limits, to compare with
// mujoco-testspeed on the XML with <flag contact="disable"/>), from qpos0
// with control noise 0.01·N(0, 1) per step as mujoco-testspeed does; the
// state is reset every benchStateReset steps.
func BenchmarkStep(b *testing.B) {
	for _, name := range refModels {
		for _, integ := range []struct {
			name string
			i    Integrator
		}{{"euler", Euler}, {"rk4", RK4}} {
			for _, mode := range []string{"full", "nocontact"} {
				b.Run(name+"/"+integ.name+"/"+mode, func(b *testing.B) {
					benchStep(b, name, integ.i, mode == "nocontact")
				})
			}
		}
	}
}

func benchStep(b *testing.B, name string, integ Integrator, noContact bool) {
	m, _ := loadRefModel(b, "", name)
	m.Opt.Integrator = integ
	if noContact {
		m.Opt.Disable |= DisableContact
	}
	d := NewData(m)
	rng := rand.New(rand.NewPCG(1, 2))
	ctrl := make([][]float64, 64)
	for k := range ctrl {
		ctrl[k] = make([]float64, m.Nu)
		for j := range m.Nu {
			ctrl[k][j] = 0.01 * rng.NormFloat64()
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
}

// TestStepAllocatesNothing checks that Step allocates nothing with both
// integrators and both solvers, with active joint limits, and (humanoid and
// ant on the floor after 500 steps) with contacts.
func TestStepAllocatesNothing(t *testing.T) {
	for _, name := range []string{"humanoid", "ant", "inverted_pendulum", "swimmer"} {
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
			if name == "humanoid" || name == "ant" {
				for range 500 {
					require.NoError(t, Step(m, d))
				}
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
