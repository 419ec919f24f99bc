package md_test

import (
	"testing"

	"github.com/boltzflow/boltzflow/molecules/md"
)

func TestDbgALDPTemp2(t *testing.T) {
	sys, pos := minimised(t, "aldp")
	for _, dt := range []float64{0.001, 0.0005} {
		for seed := uint64(1); seed <= 4; seed++ {
			s := md.NewState(pos, seed)
			l, _ := md.NewLangevin(sys, sys.Masses, md.LangevinParams{Timestep: dt, Friction: 20, Temperature: 300, RemoveCOM: true})
			s.Randomize(sys.Masses, 300, true)
			l.Run(s, 5000)
			var sum float64
			n := int(0.1 / dt * 1000)
			for range n {
				l.Run(s, 10)
				sum += md.KineticTemperature(md.KineticEnergy(s.Velocities, sys.Masses), l.DOF())
			}
			t.Logf("dt %v seed %d: T %.2f", dt, seed, sum/float64(n))
		}
	}
}
