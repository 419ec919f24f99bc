package mjc

import "testing"

func BenchmarkStages(b *testing.B) {
	for _, name := range []string{"hopper", "ant", "humanoid"} {
		m, _ := loadRefModel(b, "", name)
		d := NewData(m)
		for i := range d.Qvel {
			d.Qvel[i] = 0.1 * float64(i%5)
		}
		for i := range d.Qpos {
			d.Qpos[i] += 0.05 * float64(i%3)
		}
		_ = Forward(m, d)
		stages := []struct {
			n string
			f func()
		}{
			{"kin", func() { kinematics(m, d) }},
			{"compos", func() { comPos(m, d) }},
			{"crb", func() { crb(m, d) }},
			{"factor", func() { _ = factorM(m, &d.qM, &d.qLD) }},
			{"solve", func() { solveM(m, &d.qLD, d.QaccSmooth) }},
			{"comvel", func() { comVel(m, d) }},
			{"passive", func() { passive(m, d) }},
			{"rne", func() { rne(m, d, false, d.QfrcBias) }},
			{"constraint", func() { makeConstraint(m, d) }},
			{"forward", func() { _ = Forward(m, d) }},
		}
		for _, s := range stages {
			b.Run(name+"/"+s.n, func(b *testing.B) {
				for b.Loop() {
					s.f()
				}
			})
		}
	}
}
