package md

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/floats"
)

// ksStatistic returns the one-sample Kolmogorov–Smirnov statistic of x
// (sorted in place) against the continuous CDF cdf.
func ksStatistic(x []float64, cdf func(float64) float64) float64 {
	sort.Float64s(x)
	n := float64(len(x))
	var d float64
	for i, v := range x {
		c := cdf(v)
		d = math.Max(d, math.Max(c-float64(i)/n, float64(i+1)/n-c))
	}
	return d
}

// ksPValue is the asymptotic Kolmogorov p-value of statistic d for n samples
// (Stephens' small-sample correction).
func ksPValue(d float64, n int) float64 {
	sn := math.Sqrt(float64(n))
	lam := (sn + 0.12 + 0.11/sn) * d
	var p float64
	for k := 1; k <= 100; k++ {
		term := 2 * math.Exp(-2*float64(k*k)*lam*lam)
		if k%2 == 0 {
			term = -term
		}
		p += term
		if math.Abs(term) < 1e-12 {
			break
		}
	}
	return math.Min(1, math.Max(0, p))
}

// numericCDF tabulates the normalised CDF of exp(−u(x)) on [lo, hi].
func numericCDF(u func(float64) float64, lo, hi float64, n int) func(float64) float64 {
	xs := make([]float64, n+1)
	cs := make([]float64, n+1)
	h := (hi - lo) / float64(n)
	prev := math.Exp(-u(lo))
	xs[0] = lo
	for i := 1; i <= n; i++ {
		x := lo + float64(i)*h
		w := math.Exp(-u(x))
		xs[i] = x
		cs[i] = cs[i-1] + 0.5*h*(prev+w)
		prev = w
	}
	for i := range cs {
		cs[i] /= cs[n]
	}
	return func(x float64) float64 {
		if x <= lo {
			return 0
		}
		if x >= hi {
			return 1
		}
		i := int((x - lo) / h)
		if i >= n {
			return 1
		}
		t := (x - xs[i]) / h
		return cs[i] + t*(cs[i+1]-cs[i])
	}
}

func normalCDF(sd float64) func(float64) float64 {
	return func(x float64) float64 { return 0.5 * math.Erfc(-x/(sd*math.Sqrt2)) }
}

const temp = 300.0

var kT = Boltzmann * temp

// doubleWell is U = h·(x² − 1)² + ½·k·(y² + z²) for a single particle,
// with h = kT and k = 2kT (kJ/mol, nm).
func doubleWell(pos, f []float64) (float64, error) {
	h, k := kT, 2*kT
	x, y, z := pos[0], pos[1], pos[2]
	u := x*x - 1
	f[0] = -4 * h * u * x
	f[1] = -k * y
	f[2] = -k * z
	return h*u*u + 0.5*k*(y*y+z*z), nil
}

// harm2 is the coupled 2-D harmonic U = ½ (x, y) K (x, y)ᵀ with
// K = kT·[[4, 1.5], [1.5, 2]], plus ½·kT·z².
var harmK = [2][2]float64{{4 * kT, 1.5 * kT}, {1.5 * kT, 2 * kT}}

func harm2(pos, f []float64) (float64, error) {
	x, y, z := pos[0], pos[1], pos[2]
	fx := harmK[0][0]*x + harmK[0][1]*y
	fy := harmK[1][0]*x + harmK[1][1]*y
	f[0], f[1], f[2] = -fx, -fy, -kT*z
	return 0.5*(x*fx+y*fy) + 0.5*kT*z*z, nil
}

// sample runs Langevin and collects pot's state every `every` steps.
func sample(t *testing.T, pot PotentialFunc, mass float64, params LangevinParams, seed uint64, nSamples, every int, get func(pos []float64) float64) []float64 {
	t.Helper()
	l, err := NewLangevin(pot, []float64{mass}, params)
	require.NoError(t, err)
	s := NewState([]float64{0.5, 0, 0}, seed)
	require.NoError(t, s.Randomize([]float64{mass}, params.Temperature, false))
	require.NoError(t, l.Run(s, 20*every)) // equilibrate
	out := make([]float64, nSamples)
	for i := range out {
		require.NoError(t, l.Run(s, every))
		out[i] = get(s.Positions)
	}
	return out
}

// TestLangevinBoltzmann checks with one-sample KS tests that Langevin
// samples the Boltzmann distribution of a 1-D double well (barrier 1 kT)
// and of a coupled 2-D harmonic system. Samples are taken 10 ps (double
// well) and 2 ps (harmonic) apart, several autocorrelation times, so they
// are close to independent; each test rejects at p < 1e-3, so with a correct integrator
// a different seed would fail one of the four tests with probability about
// 0.4 % (the test is deterministic at the fixed seed). The control cases
// (the same samples judged against the distribution at 2·T) must be
// rejected, which shows that the tests have power.
func TestLangevinBoltzmann(t *testing.T) {
	params := LangevinParams{Timestep: 0.005, Friction: 5, Temperature: temp}
	const n, every = 4000, 400

	// Barrier crossings take a few ps: sample the double well 10 ps apart.
	dwParams := LangevinParams{Timestep: 0.01, Friction: 3, Temperature: temp}
	dw := sample(t, doubleWell, 1, dwParams, 1, n, 1000, func(p []float64) float64 { return p[0] })
	uDW := func(x float64) float64 { u := x*x - 1; return u * u }
	// harm2 marginals: Var = kT·(K⁻¹)_ii.
	det := harmK[0][0]*harmK[1][1] - harmK[0][1]*harmK[1][0]
	sdX := math.Sqrt(kT * harmK[1][1] / det)
	sdY := math.Sqrt(kT * harmK[0][0] / det)
	hx := sample(t, harm2, 2, params, 2, n, every, func(p []float64) float64 { return p[0] })
	hy := sample(t, harm2, 2, params, 3, n, every, func(p []float64) float64 { return p[1] })
	// Reduced 2-D energy βU is Gamma(1, 1) (χ²₂/2): CDF 1 − exp(−u).
	hu := sample(t, harm2, 2, params, 4, n, every, func(p []float64) float64 {
		x, y := p[0], p[1]
		return 0.5 * (harmK[0][0]*x*x + 2*harmK[0][1]*x*y + harmK[1][1]*y*y) / kT
	})
	expCDF := func(beta float64) func(float64) float64 {
		return func(u float64) float64 { return 1 - math.Exp(-beta*u) }
	}
	hot := 2.0
	for _, tc := range []struct {
		name   string
		x      []float64
		cdf    func(float64) float64
		reject bool
	}{
		{"double well x", dw, numericCDF(uDW, -3, 3, 60000), false},
		{"harmonic x", hx, normalCDF(sdX), false},
		{"harmonic y", hy, normalCDF(sdY), false},
		{"harmonic βU", hu, expCDF(1), false},
		{"control: double well at 2T", dw, numericCDF(func(x float64) float64 { return uDW(x) / hot }, -3, 3, 60000), true},
		{"control: harmonic x at 2T", hx, normalCDF(sdX * math.Sqrt(hot)), true},
		{"control: βU at 2T", hu, expCDF(1 / hot), true},
	} {
		d := ksStatistic(slices.Clone(tc.x), tc.cdf)
		p := ksPValue(d, len(tc.x))
		t.Logf("%s: D = %.4f, p = %.3g", tc.name, d, p)
		if tc.reject {
			assert.Less(t, p, 1e-3, tc.name)
		} else {
			assert.Greater(t, p, 1e-3, tc.name)
		}
	}
}

// chain is a translation-invariant chain of n particles joined by harmonic
// springs (k = 500 kJ/mol/nm², r0 = 0 on each Cartesian component).
func chain(pos, f []float64) (float64, error) {
	const k = 500.0
	clear(f)
	var e float64
	for i := 3; i < len(pos); i++ {
		d := pos[i] - pos[i-3]
		e += 0.5 * k * d * d
		f[i] -= k * d
		f[i-3] += k * d
	}
	return e, nil
}

// wells holds each particle in its own isotropic harmonic well.
func wells(pos, f []float64) (float64, error) {
	const k = 300.0
	var e float64
	for i, x := range pos {
		e += 0.5 * k * x * x
		f[i] = -k * x
	}
	return e, nil
}

// TestLangevinTemperature checks that the mean kinetic temperature is
// within 1 % of the bath temperature, with and without centre-of-mass
// motion removal (3N − 3 degrees of freedom). Over 2000 ps the standard
// error of each mean is ≈ 0.3 % (measured over seeds), so a correct
// integrator fails at another seed with probability ≈ 0.3 % (3σ); the
// leapfrog bias of the stored velocities, (ωΔt)²/4 ≤ 0.1 % here, is smaller.
func TestLangevinTemperature(t *testing.T) {
	masses := []float64{1, 2, 12, 14, 16, 1, 12, 32, 1, 16}
	for _, tc := range []struct {
		name      string
		pot       PotentialFunc
		removeCOM bool
	}{
		{"independent wells", wells, false},
		{"spring chain, CoM removed", chain, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := NewLangevin(tc.pot, masses, LangevinParams{Timestep: 0.002, Friction: 10, Temperature: temp, RemoveCOM: tc.removeCOM})
			require.NoError(t, err)
			s := NewState(make([]float64, 3*len(masses)), 7)
			require.NoError(t, s.Randomize(masses, temp, tc.removeCOM))
			require.NoError(t, l.Run(s, 2000))
			var sum float64
			const blocks, per = 100000, 10
			for range blocks {
				require.NoError(t, l.Run(s, per))
				sum += KineticTemperature(KineticEnergy(s.Velocities, masses), l.DOF())
			}
			mean := sum / blocks
			t.Logf("mean kinetic temperature %.2f K (target %v K)", mean, temp)
			assert.InDelta(t, temp, mean, 0.01*temp)
		})
	}
}

// lj is a Lennard-Jones cluster of argon atoms (σ = 0.34 nm, ε = 0.996 kJ/mol).
func lj(pos, f []float64) (float64, error) {
	const sig, eps = 0.34, 0.996
	clear(f)
	var e float64
	n := len(pos) / 3
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			dx := pos[3*i] - pos[3*j]
			dy := pos[3*i+1] - pos[3*j+1]
			dz := pos[3*i+2] - pos[3*j+2]
			r2 := dx*dx + dy*dy + dz*dz
			s6 := sig * sig / r2
			s6 = s6 * s6 * s6
			e += 4 * eps * (s6*s6 - s6)
			g := 24 * eps * (2*s6*s6 - s6) / r2 // −dE/dr / r
			f[3*i] += g * dx
			f[3*i+1] += g * dy
			f[3*i+2] += g * dz
			f[3*j] -= g * dx
			f[3*j+1] -= g * dy
			f[3*j+2] -= g * dz
		}
	}
	return e, nil
}

func ljCluster(seed uint64) ([]float64, []float64) {
	rnd := rand.New(rand.NewPCG(seed, 1))
	var pos []float64
	for i := range 8 {
		pos = append(pos, 0.38*float64(i&1)+0.01*rnd.NormFloat64(), 0.38*float64(i>>1&1)+0.01*rnd.NormFloat64(), 0.38*float64(i>>2&1)+0.01*rnd.NormFloat64())
	}
	masses := make([]float64, 8)
	for i := range masses {
		masses[i] = 39.948
	}
	return pos, masses
}

// TestVerletEnergyConservation checks NVE energy conservation of velocity
// Verlet on an 8-atom LJ cluster (50 ps): the total-energy fluctuation is
// small and shrinks as Δt² (ratio ≈ 4 when Δt is halved), and there is no
// systematic drift.
func TestVerletEnergyConservation(t *testing.T) {
	pos, masses := ljCluster(3)
	fluct := func(dt float64) (float64, float64) {
		s := NewState(pos, 5)
		require.NoError(t, s.Randomize(masses, 40, true))
		v, err := NewVerlet(PotentialFunc(lj), masses, dt)
		require.NoError(t, err)
		require.NoError(t, v.Run(s, 1))
		e0 := v.Energy() + KineticEnergy(s.Velocities, masses)
		steps := int(math.Round(50 / dt))
		var maxDev, last float64
		for i := 0; i < steps; i += 10 {
			require.NoError(t, v.Run(s, 10))
			last = v.Energy() + KineticEnergy(s.Velocities, masses) - e0
			maxDev = math.Max(maxDev, math.Abs(last))
		}
		return maxDev / math.Abs(e0), last / math.Abs(e0)
	}
	f1, d1 := fluct(0.004)
	f2, d2 := fluct(0.002)
	t.Logf("relative max |ΔE|: dt 4 fs %.3g, dt 2 fs %.3g (ratio %.2f); final drift %.3g, %.3g", f1, f2, f1/f2, d1, d2)
	assert.Less(t, f2, 1e-3)
	assert.InDelta(t, 4, f1/f2, 1.2)
	assert.Less(t, math.Abs(d2), 1e-3)
}

// TestVerletHarmonicExact compares velocity Verlet with the exact solution
// of a harmonic oscillator over one period (phase error O(Δt²)).
func TestVerletHarmonicExact(t *testing.T) {
	const k, m, dt = 400.0, 4.0, 0.001
	w := math.Sqrt(k / m)
	pot := PotentialFunc(func(p, f []float64) (float64, error) {
		var e float64
		for i, x := range p {
			f[i] = -k * x
			e += 0.5 * k * x * x
		}
		return e, nil
	})
	v, err := NewVerlet(pot, []float64{m}, dt)
	require.NoError(t, err)
	s := NewState([]float64{0.1, 0, 0}, 1)
	steps := int(math.Round(2 * math.Pi / w / dt))
	require.NoError(t, v.Run(s, steps))
	tt := float64(steps) * dt
	assert.InDelta(t, 0.1*math.Cos(w*tt), s.Positions[0], 1e-4)
	assert.InDelta(t, -0.1*w*math.Sin(w*tt), s.Velocities[0], 1e-3)
	assert.InDelta(t, tt, s.Time, 1e-12)
	assert.Equal(t, int64(steps), s.Step)
}

func TestLangevinResumeIdentical(t *testing.T) {
	pos, masses := ljCluster(9)
	l, err := NewLangevin(PotentialFunc(lj), masses, LangevinParams{Timestep: 0.002, Friction: 1, Temperature: 80, RemoveCOM: true})
	require.NoError(t, err)
	s := NewState(pos, 42)
	require.NoError(t, s.Randomize(masses, 80, true))
	ref := s.Clone()
	require.NoError(t, l.Run(ref, 300))

	require.NoError(t, l.Run(s, 100))
	b, err := s.MarshalBinary()
	require.NoError(t, err)
	var r State
	require.NoError(t, r.UnmarshalBinary(b))
	require.NoError(t, l.Run(&r, 150))
	require.NoError(t, l.Run(&r, 50))
	assert.Equal(t, ref.Positions, r.Positions)
	assert.Equal(t, ref.Velocities, r.Velocities)
	assert.Equal(t, ref.Step, r.Step)

	// Corrupt checkpoints are errors.
	require.Error(t, r.UnmarshalBinary(b[:len(b)-3]))
	require.Error(t, r.UnmarshalBinary([]byte("nonsense")))
}

func TestBadInput(t *testing.T) {
	pot := PotentialFunc(wells)
	for _, tc := range []struct {
		name string
		p    LangevinParams
		m    []float64
	}{
		{"zero temperature", LangevinParams{Timestep: 0.001, Friction: 1, Temperature: 0}, []float64{1}},
		{"negative temperature", LangevinParams{Timestep: 0.001, Friction: 1, Temperature: -5}, []float64{1}},
		{"NaN temperature", LangevinParams{Timestep: 0.001, Friction: 1, Temperature: math.NaN()}, []float64{1}},
		{"zero time step", LangevinParams{Timestep: 0, Friction: 1, Temperature: 300}, []float64{1}},
		{"negative friction", LangevinParams{Timestep: 0.001, Friction: -1, Temperature: 300}, []float64{1}},
		{"zero mass", LangevinParams{Timestep: 0.001, Friction: 1, Temperature: 300}, []float64{1, 0}},
		{"no atoms", LangevinParams{Timestep: 0.001, Friction: 1, Temperature: 300}, nil},
	} {
		_, err := NewLangevin(pot, tc.m, tc.p)
		assert.Error(t, err, tc.name)
	}
	_, err := NewVerlet(pot, []float64{1}, -1)
	assert.Error(t, err)
	s := NewState([]float64{0, 0, 0}, 1)
	assert.Error(t, s.Randomize([]float64{1}, -1, false))
}

// TestExplosion checks that an unstable time step and a non-finite energy
// stop the run with an error naming the step.
func TestExplosion(t *testing.T) {
	// ω·Δt = 10·0.5 > 2: velocity Verlet/BAOAB are unstable and the
	// amplitude grows geometrically.
	l, err := NewLangevin(PotentialFunc(wells), []float64{3}, LangevinParams{Timestep: 0.5, Friction: 0.1, Temperature: 300})
	require.NoError(t, err)
	s := NewState([]float64{0.1, 0, 0}, 1)
	err = l.Run(s, 10000)
	var ue *UnstableError
	require.ErrorAs(t, err, &ue)
	assert.Equal(t, s.Step, ue.Step)
	assert.Greater(t, ue.Step, int64(1))
	assert.Less(t, ue.Step, int64(10000))
	assert.Contains(t, err.Error(), "step")

	calls := 0
	nanAfter := PotentialFunc(func(p, f []float64) (float64, error) {
		calls++
		e, _ := wells(p, f)
		if calls > 5 {
			return math.NaN(), nil
		}
		return e, nil
	})
	v, err := NewVerlet(nanAfter, []float64{1}, 0.001)
	require.NoError(t, err)
	s = NewState([]float64{0.1, 0, 0}, 1)
	err = v.Run(s, 100)
	require.ErrorAs(t, err, &ue)
	assert.Equal(t, int64(5), ue.Step) // call 1 is the start, call k+1 is step k
	assert.Contains(t, err.Error(), "step 5")

	boom := errors.New("boom")
	failing := PotentialFunc(func(p, f []float64) (float64, error) { return 0, boom })
	l, err = NewLangevin(failing, []float64{1}, LangevinParams{Timestep: 0.001, Friction: 1, Temperature: 300})
	require.NoError(t, err)
	require.ErrorIs(t, l.Run(NewState([]float64{0, 0, 0}, 1), 10), boom)
}

func TestLangevinNoAllocs(t *testing.T) {
	pos, masses := ljCluster(1)
	l, err := NewLangevin(PotentialFunc(lj), masses, LangevinParams{Timestep: 0.002, Friction: 1, Temperature: 80, RemoveCOM: true})
	require.NoError(t, err)
	s := NewState(pos, 1)
	require.NoError(t, l.Run(s, 1))
	allocs := testing.AllocsPerRun(20, func() {
		if err := l.Run(s, 10); err != nil {
			t.Fatal(err)
		}
	})
	assert.Zero(t, allocs)
	v, err := NewVerlet(PotentialFunc(lj), masses, 0.002)
	require.NoError(t, err)
	allocs = testing.AllocsPerRun(20, func() {
		if err := v.Run(s, 10); err != nil {
			t.Fatal(err)
		}
	})
	assert.Zero(t, allocs)
}

func TestMinimize(t *testing.T) {
	t.Run("LJ dimer", func(t *testing.T) {
		pos := []float64{0, 0, 0, 0.5, 0.1, 0}
		r, err := Minimize(PotentialFunc(lj), pos, 1e-6, 0)
		require.NoError(t, err)
		require.True(t, r.Converged, r.Status)
		d := math.Sqrt(math.Pow(pos[3]-pos[0], 2) + math.Pow(pos[4]-pos[1], 2) + math.Pow(pos[5]-pos[2], 2))
		assert.InDelta(t, math.Pow(2, 1.0/6)*0.34, d, 1e-8)
		assert.InDelta(t, -0.996, r.Energy, 1e-12)
	})
	t.Run("LJ cluster", func(t *testing.T) {
		pos, _ := ljCluster(4)
		r, err := Minimize(PotentialFunc(lj), pos, 1e-3, 0)
		require.NoError(t, err)
		assert.True(t, r.Converged, r.Status)
		f := make([]float64, len(pos))
		e, _ := lj(pos, f)
		assert.Equal(t, e, r.Energy)
		assert.LessOrEqual(t, floats.Norm(f, math.Inf(1)), 1e-3)
		assert.Less(t, e, -8*0.996) // eight atoms bind by more than 8ε
	})
	t.Run("coupled quadratic", func(t *testing.T) {
		pos := []float64{1, -2, 3}
		r, err := Minimize(PotentialFunc(harm2), pos, 1e-9, 0)
		require.NoError(t, err)
		assert.True(t, r.Converged)
		for _, x := range pos {
			assert.InDelta(t, 0, x, 1e-9)
		}
	})
	t.Run("bad input", func(t *testing.T) {
		_, err := Minimize(PotentialFunc(lj), []float64{0, 0, 0, 0, 0, 0}, 1, 0) // coincident atoms
		assert.Error(t, err)
		_, err = Minimize(PotentialFunc(lj), []float64{0, 0, 0, 1, 0, 0}, 0, 0)
		assert.Error(t, err)
	})
}

func BenchmarkLangevinLJ8(b *testing.B) {
	pos, masses := ljCluster(1)
	l, err := NewLangevin(PotentialFunc(lj), masses, LangevinParams{Timestep: 0.002, Friction: 1, Temperature: 80, RemoveCOM: true})
	if err != nil {
		b.Fatal(err)
	}
	s := NewState(pos, 1)
	b.ReportAllocs()
	b.ResetTimer()
	if err := l.Run(s, b.N); err != nil {
		b.Fatal(err)
	}
}
