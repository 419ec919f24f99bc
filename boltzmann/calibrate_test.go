package boltzmann

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"github.com/boltzflow/boltzflow/molecules"
)

// jitteredFrames returns n frames of the alanine-dipeptide start structure
// (nm) whose internal coordinates are perturbed by Gaussian noise: bond
// lengths by bondSD (nm), angles and dihedrals by angleSD (rad).
func jitteredFrames(t *testing.T, setup *SystemSetup, z *molecules.ZMatrix, n int, bondSD, angleSD float64, rng *rand.Rand) [][]float64 {
	t.Helper()
	d := len(setup.Start)
	q0 := make([]float64, d)
	z.Internal(q0, setup.Start)
	out := make([][]float64, n)
	q := make([]float64, d)
	for i := range out {
		for k, v := range q0 {
			sd := angleSD
			if k%3 == 0 {
				sd = bondSD
			}
			q[k] = v + sd*rng.NormFloat64()
		}
		out[i] = make([]float64, d)
		z.Cartesian(out[i], q, setup.Start)
	}
	return out
}

func testCalibration(t *testing.T) (*SystemSetup, *Calibration) {
	t.Helper()
	setup, err := LoadSystem("aldp")
	require.NoError(t, err)
	z, err := setup.ZMatrix()
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(5, 6))
	ref := jitteredFrames(t, setup, z, 3000, 0.002, 0.03, rng)
	prop := jitteredFrames(t, setup, z, 3000, 0.004, 0.05, rng)
	c, err := FitCalibration(z, ref, prop, CalibrationConfig{Strength: 1})
	require.NoError(t, err)
	return setup, c
}

func TestFitCalibration(t *testing.T) {
	_, c := testCalibration(t)
	assert.Equal(t, 3000, c.RefRows)
	assert.Equal(t, 3000, c.ProposalRows)
	var bonds, angles, dih []float64
	for k, s := range c.Scale {
		if !c.Z.Defined(k) {
			assert.Equal(t, 1.0, s, "undefined coordinate %d", k)
			continue
		}
		switch k % 3 {
		case 0:
			bonds = append(bonds, s)
		case 1:
			angles = append(angles, s)
		default:
			dih = append(dih, s)
		}
	}
	// Robust spreads of 3,000 samples (standard error of each ratio about
	// 4 %): the ratios 0.5 and 0.6 within 4 standard errors.
	for _, s := range bonds {
		assert.InDelta(t, 0.5, s, 0.08)
	}
	for _, s := range angles {
		assert.InDelta(t, 0.6, s, 0.1)
	}
	// The dihedrals' reference spread (0.03 rad) is below 0.15: all are
	// calibrated, including those near ±π.
	for _, s := range dih {
		assert.InDelta(t, 0.6, s, 0.1)
	}
	// A tighter dihedral limit leaves them alone.
	setup, err := LoadSystem("aldp")
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(7, 8))
	ref := jitteredFrames(t, setup, c.Z, 100, 0.002, 0.03, rng)
	c2, err := FitCalibration(c.Z, ref, ref, CalibrationConfig{Strength: 0.5, MaxDihedralSpread: 0.01})
	require.NoError(t, err)
	for k := 2; k < len(c2.Scale); k += 3 {
		assert.Equal(t, 1.0, c2.Scale[k])
		assert.Equal(t, c2.From[k], c2.To[k])
	}
	// Proposals equal to the reference: the identity, whatever the strength.
	for k := range c2.Scale {
		if k%3 != 2 {
			assert.InDelta(t, 1, c2.Scale[k], 1e-12)
			assert.InDelta(t, c2.From[k], c2.To[k], 1e-12)
		}
	}
}

// TestCalibrationJacobian checks Apply's log-determinant against finite
// differences of the whole map in Cartesian coordinates, and that the map
// keeps the centroid and the internal coordinates it leaves alone.
func TestCalibrationJacobian(t *testing.T) {
	setup, c := testCalibration(t)
	rng := rand.New(rand.NewPCG(9, 10))
	// Torsion maps on three dihedrals (random histograms).
	for _, k := range []int{11, 20, 29} {
		require.True(t, c.Z.Defined(k))
		c.Torsions[k] = NewTorsionMap(randomAngles(rng, 500), randomAngles(rng, 500), 24, 0.05)
	}
	x := jitteredFrames(t, setup, c.Z, 1, 0.003, 0.04, rng)[0]
	d := len(x)
	y := make([]float64, d)
	ld, err := c.Apply(y, x)
	require.NoError(t, err)
	cx, cy := Com(x), Com(y)
	assert.InDeltaSlice(t, cx[:], cy[:], 1e-12)
	J := mat.NewDense(d, d, nil)
	yp, ym := make([]float64, d), make([]float64, d)
	const h = 1e-7
	for j := 0; j < d; j++ {
		xp := append([]float64(nil), x...)
		xm := append([]float64(nil), x...)
		xp[j] += h
		xm[j] -= h
		_, err := c.Apply(yp, xp)
		require.NoError(t, err)
		_, err = c.Apply(ym, xm)
		require.NoError(t, err)
		for i := 0; i < d; i++ {
			J.Set(i, j, (yp[i]-ym[i])/(2*h))
		}
	}
	var lu mat.LU
	lu.Factorize(J)
	fd, sign := lu.LogDet()
	assert.Equal(t, 1.0, sign, "orientation preserving")
	assert.InDelta(t, fd, ld, 1e-5)
	// The internal coordinates follow the affine maps.
	qx, qy := make([]float64, d), make([]float64, d)
	c.Z.Internal(qx, x)
	c.Z.Internal(qy, y)
	for k := range qx {
		if !c.Z.Defined(k) {
			continue
		}
		dev := qx[k] - c.From[k]
		if k%3 == 2 {
			dev = molecules.WrapAngle(dev)
		}
		want := c.To[k] + c.Scale[k]*dev
		if tm := c.Torsions[k]; tm != nil {
			want, _ = tm.Map(qx[k])
		}
		if k%3 == 2 {
			assert.InDelta(t, 0, molecules.WrapAngle(want-qy[k]), 1e-9, "coordinate %d", k)
		} else {
			assert.InDelta(t, want, qy[k], 1e-9, "coordinate %d", k)
		}
	}
}

// TestCalibrationDensity checks that log q(x) − Apply(x) is the density of
// the calibrated samples: for x from a Gaussian q and y = T(x), the
// importance weights q(y)/q_T(y) average to 1 (the calibrated density is
// normalised), while a sign error in the log-Jacobian would put the mean
// at e^(±2·log|det|) ≈ 10^±3.
func TestCalibrationDensity(t *testing.T) {
	setup, err := LoadSystem("aldp")
	require.NoError(t, err)
	z, err := setup.ZMatrix()
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(11, 12))
	// A mild calibration (scales 0.97–0.99) keeps the weights' variance
	// small enough for a Monte-Carlo check.
	c := &Calibration{Z: z, From: make([]float64, len(setup.Start)), To: make([]float64, len(setup.Start)), Scale: make([]float64, len(setup.Start))}
	q0 := make([]float64, len(setup.Start))
	z.Internal(q0, setup.Start)
	logJ := 0.0
	for k := range c.Scale {
		c.Scale[k] = 1
		if z.Defined(k) {
			c.From[k], c.To[k] = q0[k], q0[k]
			c.Scale[k] = 0.97 + 0.02*rng.Float64()
			logJ += math.Log(c.Scale[k])
		}
	}
	const sd = 0.003 // nm, isotropic Gaussian around the start structure
	logGauss := func(x []float64) float64 {
		s := 0.0
		for i, v := range x {
			u := (v - setup.Start[i]) / sd
			s -= 0.5*u*u + math.Log(sd) + 0.5*math.Log(2*math.Pi)
		}
		return s
	}
	const n = 20000
	logw := make([]float64, n)
	x := make([]float64, len(setup.Start))
	y := make([]float64, len(x))
	for i := range logw {
		for j := range x {
			x[j] = setup.Start[j] + sd*rng.NormFloat64()
		}
		ld, err := c.Apply(y, x)
		require.NoError(t, err)
		logw[i] = logGauss(y) - (logGauss(x) - ld)
	}
	mean, se := meanAndSE(logw)
	assert.InDelta(t, 1, mean, 4*se+0.01, "mean weight %.4f ± %.4f (log-Jacobian scale %.2f)", mean, se, logJ)
	assert.Greater(t, math.Abs(logJ), 0.05, "the test calibration must change volumes")
}

// meanAndSE returns the mean of exp(logw) and its standard error.
func meanAndSE(logw []float64) (float64, float64) {
	var s, s2 float64
	for _, v := range logw {
		w := math.Exp(v)
		s += w
		s2 += w * w
	}
	n := float64(len(logw))
	m := s / n
	return m, math.Sqrt((s2/n - m*m) / n)
}

func TestCalibrationErrors(t *testing.T) {
	setup, c := testCalibration(t)
	rows := jitteredFrames(t, setup, c.Z, 20, 0.002, 0.03, rand.New(rand.NewPCG(1, 1)))
	for _, tc := range []struct {
		name      string
		ref, prop [][]float64
		cfg       CalibrationConfig
		msg       string
	}{
		{"strength", rows, rows, CalibrationConfig{Strength: 1.5}, "strength 1.5"},
		{"negative strength", rows, rows, CalibrationConfig{Strength: -1}, "strength -1"},
		{"spread", rows, rows, CalibrationConfig{MaxDihedralSpread: -1}, "dihedral spread"},
		{"few rows", rows[:5], rows, CalibrationConfig{}, "at least 10 reference rows"},
		{"short row", [][]float64{rows[0][:9]}, rows, CalibrationConfig{}, "reference row has 9 coordinates, want 66"},
		{"non-finite proposals", rows, nanRows(12, 66), CalibrationConfig{}, "at least 10 proposal rows with finite internal coordinates, have 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := FitCalibration(c.Z, tc.ref, tc.prop, tc.cfg)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.msg)
		})
	}
	// A bond mapped to a negative length, and a NaN coordinate.
	bad := &Calibration{Z: c.Z, From: c.From, To: append([]float64(nil), c.To...), Scale: c.Scale}
	bad.To[3] = -1
	y := make([]float64, 66)
	_, err := bad.Apply(y, setup.Start)
	assert.ErrorIs(t, err, ErrCalibrationDomain)
	x := append([]float64(nil), setup.Start...)
	x[7] = math.NaN()
	_, err = c.Apply(y, x)
	assert.ErrorIs(t, err, ErrCalibrationDomain)
}

func nanRows(n, d int) [][]float64 {
	out := make([][]float64, n)
	for i := range out {
		out[i] = make([]float64, d)
		for j := range out[i] {
			out[i][j] = math.NaN()
		}
	}
	return out
}

// TestRunSBGCalibration runs IS with a calibration fitted to MD frames for
// the shipped model: the calibrated set is the mapped proposals with
// log q − log|det|, IS resamples from it, and it lowers the median bond and
// angle strain of the proposals.
func TestRunSBGCalibration(t *testing.T) {
	setup, err := LoadSystem("aldp")
	require.NoError(t, err)
	m, err := LoadModel(filepath.Join("testdata", "aldp_tarflow_cpu.ckpt"), 22)
	require.NoError(t, err)
	frames, err := LoadFrames(filepath.Join("..", "experiments", "quickstart", "data", "aldp-300K-test.npy"), 22)
	require.NoError(t, err)
	c, err := FitModelCalibration(setup, m, Subsample(frames, 1000), 256, 3, 2, CalibrationConfig{})
	require.NoError(t, err)
	assert.Equal(t, 0.5, c.Strength)
	tg, err := NewTarget(setup.Sys, setup.Spec.Temperature, m.Norm.Std)
	require.NoError(t, err)
	cfg := SBGConfig{Proposals: 256, SkipSMC: true, Seed: 4, Workers: 2, Chirality: setup.Chirality(nil), Calibration: c}
	res, err := RunSBG(m, tg, cfg)
	require.NoError(t, err)
	require.Len(t, res.Calibrated, 256)
	y := make([]float64, 66)
	for i, x := range res.Proposals {
		ld, err := c.Apply(y, x)
		if err != nil {
			assert.True(t, math.IsNaN(res.CalibratedLogQ[i]))
			continue
		}
		assert.InDeltaSlice(t, y, res.Calibrated[i], 1e-12)
		assert.InDelta(t, res.LogQ[i]-ld, res.CalibratedLogQ[i], 1e-9)
	}
	inCal := map[*float64]bool{}
	for _, x := range res.Calibrated {
		inCal[&x[0]] = true
	}
	for _, x := range res.ISX {
		assert.True(t, inCal[&x[0]], "IS resamples the calibrated proposals")
	}
	median := func(v []float64) float64 {
		w := append([]float64(nil), v...)
		sort.Float64s(w)
		return w[len(w)/2]
	}
	assert.Less(t, median(res.CalibratedEnergy), median(res.Energy)-10, "calibration lowers the median proposal energy")
	// Without a calibration the set is absent and IS uses the proposals.
	cfg.Calibration = nil
	res2, err := RunSBG(m, tg, cfg)
	require.NoError(t, err)
	assert.Nil(t, res2.Calibrated)
	assert.Equal(t, res.Energy, res2.Energy)
}

// randomAngles returns n angles from a lumpy density on the circle.
func randomAngles(rng *rand.Rand, n int) []float64 {
	c := rng.Float64()*2*math.Pi - math.Pi
	out := make([]float64, n)
	for i := range out {
		out[i] = molecules.WrapAngle(c + 0.6*rng.NormFloat64())
		if rng.Float64() < 0.3 {
			out[i] = molecules.WrapAngle(out[i] + 2)
		}
	}
	return out
}

// TestTorsionMap checks that the map is a monotone bijection of the circle
// with −π fixed, that its log-derivative matches finite differences, and
// that it carries the source histogram density onto the target's.
func TestTorsionMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	src, dst := randomAngles(rng, 2000), randomAngles(rng, 2000)
	const bins = 36
	tm := NewTorsionMap(src, dst, bins, 0.02)
	assert.InDelta(t, 1, floats(tm.Src), 1e-12)
	assert.InDelta(t, 1, floats(tm.Dst), 1e-12)
	lo, _ := tm.Map(-math.Pi + 1e-12)
	assert.InDelta(t, -math.Pi, lo, 1e-9)
	prev := lo
	checked := 0
	for i := 1; i < 2000; i++ {
		u := -math.Pi + 2*math.Pi*float64(i)/2000
		v, ld := tm.Map(u)
		assert.Greater(t, v, prev, "monotone at %g", u)
		prev = v
		h := 1e-7
		vp, _ := tm.Map(u + h)
		vm, _ := tm.Map(u - h)
		// Away from the kinks (a bin edge of either histogram inside the
		// step) the map is linear and the derivative exact.
		if angleBin(u-h, bins) == angleBin(u+h, bins) && angleBin(vm, bins) == angleBin(vp, bins) {
			assert.InDelta(t, ld, math.Log((vp-vm)/(2*h)), 1e-5, "at %g", u)
			checked++
		}
	}
	assert.Greater(t, checked, 1800)
	// Angles drawn from the source histogram density land with the target
	// histogram's bin probabilities.
	const n = 200000
	counts := make([]float64, bins)
	w := 2 * math.Pi / bins
	cdf := cumulative(tm.Src)
	for i := 0; i < n; i++ {
		r := rng.Float64()
		b := min(max(sort.SearchFloat64s(cdf, r)-1, 0), bins-1)
		u := -math.Pi + (float64(b)+rng.Float64())*w
		v, _ := tm.Map(u)
		counts[angleBin(v, bins)]++
	}
	for b := range counts {
		p := tm.Dst[b]
		assert.InDelta(t, p, counts[b]/n, 5*math.Sqrt(p*(1-p)/n)+1e-9, "bin %d", b)
	}
}

func floats(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s
}
