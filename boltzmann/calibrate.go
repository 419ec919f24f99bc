package boltzmann

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sort"

	"github.com/boltzflow/boltzflow/molecules"
	"github.com/boltzflow/boltzflow/nn"
)

// Calibration is an exact bijection applied to flow proposals in internal
// coordinates: every bond length, bond angle and stiff dihedral u of a
// ZMatrix is mapped affinely, u' = To + Scale·(u − From) (dihedrals with
// wrapping), and every soft torsion (φ, ψ, methyl rotations) by a monotone
// map of the circle (TorsionMap), while the orientation and the centroid
// stay. A flow over Cartesian coordinates spreads the stiff coordinates too
// widely (bond and angle energies of raw proposals are about twice the
// equilibrium ones) and smears the torsions (ψ nearly uniform where MD has
// two basins); a calibration fitted to MD frames narrows the former and
// moves the latter's marginals onto the MD ones. The log-Jacobian of the
// map is known in closed form (Apply), so the calibrated proposal keeps an
// exact density and importance weights stay unbiased for any fitted values.
//
// From, To, Scale and Torsions have one value per internal coordinate (3
// per entry, see molecules.ZMatrix). A coordinate with a non-nil Torsions
// map is mapped by it; otherwise Scale 1 with To = From leaves it alone.
// Units are those of the coordinates (normalised for proposals).
type Calibration struct {
	Z               *molecules.ZMatrix
	From, To, Scale []float64
	Torsions        []*TorsionMap
	// Strength, TorsionBins (0 if no torsion maps), RefRows and
	// ProposalRows record the fit (FitCalibration) for reports.
	Strength                           float64
	TorsionBins, RefRows, ProposalRows int
}

// CalibrationConfig sets how FitCalibration matches proposals to
// reference frames.
type CalibrationConfig struct {
	// Strength α in (0, 1] moves each coordinate part of the way from the
	// proposals' robust spread and centre to the reference's: Scale =
	// (σ_ref/σ_q)^α, To − From = α·(m_ref − m_q) (m median, σ 1.4826·MAD).
	// 1 matches them fully; 0.5 is the default (full matching over-narrows:
	// the flow's errors are not independent per coordinate).
	Strength float64
	// MaxDihedralSpread (rad): dihedrals whose reference spread exceeds it
	// are soft torsions (φ, ψ, methyl rotations, with multimodal
	// marginals); they get a TorsionMap instead of the affine map. Default
	// 0.15.
	MaxDihedralSpread float64
	// TorsionBins is the number of histogram bins over (−π, π] of the
	// torsion maps (default 72, 5° each); negative leaves the soft torsions
	// alone. Each histogram is mixed with TorsionFloor (default 0.02) of a
	// uniform one, so that no bin is empty.
	TorsionBins  int
	TorsionFloor float64
}

func (c *CalibrationConfig) defaults() {
	if c.Strength == 0 {
		c.Strength = 0.5
	}
	if c.MaxDihedralSpread == 0 {
		c.MaxDihedralSpread = 0.15
	}
	if c.TorsionBins == 0 {
		c.TorsionBins = 72
	}
	if c.TorsionFloor == 0 {
		c.TorsionFloor = 0.02
	}
}

// FitCalibration fits a calibration of z that moves the internal
// coordinates of proposals (flow samples, rows of len 3N) towards those of
// ref (reference frames in the same units). Rows with non-finite internal
// coordinates are skipped. The dihedral scales are capped at 1 (a circle
// maps into itself one to one only if it is not stretched). It returns an
// error for a strength or torsion floor outside (0, 1], a dihedral spread
// that is not positive, rows of the wrong length, or fewer than 10 usable
// rows on either side.
func FitCalibration(z *molecules.ZMatrix, ref, proposals [][]float64, cfg CalibrationConfig) (*Calibration, error) {
	cfg.defaults()
	if !(cfg.Strength > 0 && cfg.Strength <= 1) {
		return nil, fmt.Errorf("boltzmann: calibration strength %g: want a value in (0, 1]", cfg.Strength)
	}
	if !(cfg.MaxDihedralSpread > 0) {
		return nil, fmt.Errorf("boltzmann: calibration dihedral spread %g: want a positive value (rad)", cfg.MaxDihedralSpread)
	}
	if !(cfg.TorsionFloor > 0 && cfg.TorsionFloor <= 1) {
		return nil, fmt.Errorf("boltzmann: calibration torsion floor %g: want a value in (0, 1]", cfg.TorsionFloor)
	}
	d := 3 * len(z.Entries)
	cols := func(rows [][]float64, what string) ([][]float64, int, error) {
		out := make([][]float64, d)
		q := make([]float64, d)
		used := 0
		for _, x := range rows {
			if len(x) != d {
				return nil, 0, fmt.Errorf("boltzmann: calibration %s row has %d coordinates, want %d", what, len(x), d)
			}
			z.Internal(q, x)
			ok := true
			for k, v := range q {
				ok = ok && (finite(v) || !z.Defined(k))
			}
			if !ok {
				continue
			}
			for k, v := range q {
				out[k] = append(out[k], v)
			}
			used++
		}
		if used < 10 {
			return nil, 0, fmt.Errorf("boltzmann: calibration needs at least 10 %s rows with finite internal coordinates, have %d", what, used)
		}
		return out, used, nil
	}
	uref, nr, err := cols(ref, "reference")
	if err != nil {
		return nil, err
	}
	uq, nq, err := cols(proposals, "proposal")
	if err != nil {
		return nil, err
	}
	c := &Calibration{Z: z, From: make([]float64, d), To: make([]float64, d), Scale: make([]float64, d), Torsions: make([]*TorsionMap, d),
		Strength: cfg.Strength, RefRows: nr, ProposalRows: nq}
	for k := 0; k < d; k++ {
		c.Scale[k] = 1
		if !z.Defined(k) {
			continue
		}
		if k%3 == 2 {
			// Unwrap both sides' dihedrals around the reference's circular
			// mean (a trans dihedral straddles ±π) before taking medians
			// and spreads.
			var sn, cs float64
			for _, v := range uref[k] {
				sn += math.Sin(v)
				cs += math.Cos(v)
			}
			mean := math.Atan2(sn, cs)
			for _, u := range [][]float64{uref[k], uq[k]} {
				for i, v := range u {
					u[i] = mean + molecules.WrapAngle(v-mean)
				}
			}
		}
		mr, sr := medianMAD(uref[k])
		if k%3 == 2 && sr > cfg.MaxDihedralSpread {
			if cfg.TorsionBins > 0 {
				c.Torsions[k] = NewTorsionMap(uq[k], uref[k], cfg.TorsionBins, cfg.TorsionFloor)
				c.TorsionBins = cfg.TorsionBins
			}
			continue
		}
		mq, sq := medianMAD(uq[k])
		if !(sr > 0 && sq > 0) {
			continue
		}
		s := math.Pow(sr/sq, cfg.Strength)
		if k%3 == 2 && s > 1 {
			s = 1
		}
		c.From[k], c.To[k], c.Scale[k] = mq, mq+cfg.Strength*(mr-mq), s
	}
	return c, nil
}

// medianMAD returns the median of v and 1.4826 times its median absolute
// deviation (the standard deviation for a normal sample). v is reordered.
func medianMAD(v []float64) (m, s float64) {
	sort.Float64s(v)
	m = v[len(v)/2]
	dev := make([]float64, len(v))
	for i, x := range v {
		dev[i] = math.Abs(x - m)
	}
	sort.Float64s(dev)
	return m, 1.4826 * dev[len(dev)/2]
}

// ErrCalibrationDomain reports a proposal that the calibration maps outside
// the valid internal coordinates (a bond length ≤ 0 or an angle outside
// (0, π)): its calibrated density is taken as 0.
var ErrCalibrationDomain = errors.New("boltzmann: calibrated internal coordinates out of range")

// Apply writes the calibrated coordinates of x (len 3N) to dst and returns
// log|det ∂dst/∂x|, so that the calibrated proposal's log-density is
// log q(x) − Apply(...). The map keeps the centroid (the unweighted mean
// position, which the CoM adjustment uses) and the orientation frame of the
// ZMatrix. It returns ErrCalibrationDomain if a coordinate leaves its
// range, or if x has non-finite internal coordinates. dst must not alias x.
func (c *Calibration) Apply(dst, x []float64) (float64, error) {
	d := len(c.Scale)
	q := make([]float64, 2*d)
	u, v := q[:d], q[d:]
	c.Z.Internal(u, x)
	ld := -c.Z.LogVolume(u)
	for k, uk := range u {
		if !c.Z.Defined(k) {
			v[k] = uk
			continue
		}
		if !finite(uk) {
			return 0, ErrCalibrationDomain
		}
		if t := c.torsion(k); t != nil {
			w, l := t.Map(uk)
			v[k] = w
			ld += l
			continue
		}
		dev := uk - c.From[k]
		if k%3 == 2 {
			dev = molecules.WrapAngle(dev)
		}
		w := c.To[k] + c.Scale[k]*dev
		switch k % 3 {
		case 0:
			if !(w > 0) {
				return 0, ErrCalibrationDomain
			}
		case 1:
			if !(w > 0 && w < math.Pi) {
				return 0, ErrCalibrationDomain
			}
		case 2:
			w = molecules.WrapAngle(w)
		}
		v[k] = w
		ld += math.Log(c.Scale[k])
	}
	ld += c.Z.LogVolume(v)
	c.Z.Cartesian(dst, v, x)
	c0, c1 := Com(x), Com(dst)
	n := len(x) / 3
	for a := 0; a < n; a++ {
		for j := 0; j < 3; j++ {
			dst[3*a+j] += c0[j] - c1[j]
		}
	}
	return ld, nil
}

// FitModelCalibration fits a calibration of the system's ZMatrix for the
// model's proposals: it draws n proposals (chirality-fixed like RunSBG's,
// on workers goroutines, random numbers from seed on streams RunSBG does
// not use, so that the fit is independent of the proposals it will map)
// and matches them to the reference frames ref (nm).
func FitModelCalibration(setup *SystemSetup, m *Model, ref [][]float64, n int, seed uint64, workers int, cfg CalibrationConfig) (*Calibration, error) {
	z, err := setup.ZMatrix()
	if err != nil {
		return nil, err
	}
	if m.Flow.Config.Atoms != setup.Top.NumAtoms() {
		return nil, fmt.Errorf("boltzmann: calibration: model has %d atoms, system %s has %d", m.Flow.Config.Atoms, setup.Key, setup.Top.NumAtoms())
	}
	if n < 10 {
		return nil, fmt.Errorf("boltzmann: calibration needs at least 10 proposals, asked for %d", n)
	}
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	defer nn.ShareCores(workers)()
	frame, err := ModelFrame(m)
	if err != nil {
		return nil, err
	}
	prop := NewProposal(m, ComAdjust{})
	if frame == nil {
		prop.Chirality = setup.Chirality(nil)
	}
	d := m.Flow.Config.Dim()
	x := make([][]float64, n)
	for i := range x {
		x[i] = make([]float64, d)
	}
	logq := make([]float64, n)
	const batch = 256
	parallel(workers, (n+batch-1)/batch, func(b int) {
		lo, hi := b*batch, min((b+1)*batch, n)
		prop.Sample(rand.New(rand.NewPCG(seed, 0xca1b0000+uint64(b))), x[lo:hi], logq[lo:hi])
	})
	if frame != nil {
		// Body-frame proposals: conformations as RunSBG weights them,
		// without those it gives no weight.
		frameWeights(frame, setup.Chirality(nil), x, logq)
		kept := x[:0]
		for i, v := range logq {
			if !math.IsInf(v, 1) {
				kept = append(kept, x[i])
			}
		}
		x = kept
	}
	return FitCalibration(z, NormalizeAll(m.Norm, ref), x, cfg)
}

func (c *Calibration) torsion(k int) *TorsionMap {
	if c.Torsions == nil {
		return nil
	}
	return c.Torsions[k]
}

// TorsionMap is a monotone, piecewise-linear map of the circle (−π, π]
// onto itself that sends the histogram density Src of one set of angles to
// the histogram density Dst of another (equal-width bins starting at −π;
// each a probability vector with no empty bin): u' = F_dst⁻¹(F_src(u)),
// with F the piecewise-linear CDFs. −π is a fixed point.
type TorsionMap struct {
	Src, Dst []float64
	cs, cd   []float64 // CDFs at the bin edges
}

// NewTorsionMap returns the TorsionMap from the angles src (rad) to the
// angles dst over bins histogram bins, each histogram mixed with the
// fraction floor of a uniform one.
func NewTorsionMap(src, dst []float64, bins int, floor float64) *TorsionMap {
	t := &TorsionMap{Src: angleHistogram(src, bins, floor), Dst: angleHistogram(dst, bins, floor)}
	t.cs, t.cd = cumulative(t.Src), cumulative(t.Dst)
	return t
}

func angleHistogram(v []float64, bins int, floor float64) []float64 {
	h := make([]float64, bins)
	for _, u := range v {
		h[angleBin(u, bins)]++
	}
	for i := range h {
		h[i] = (1-floor)*h[i]/float64(max(len(v), 1)) + floor/float64(bins)
	}
	return h
}

func angleBin(u float64, bins int) int {
	i := int((molecules.WrapAngle(u) + math.Pi) / (2 * math.Pi) * float64(bins))
	return min(max(i, 0), bins-1)
}

func cumulative(p []float64) []float64 {
	c := make([]float64, len(p)+1)
	for i, v := range p {
		c[i+1] = c[i] + v
	}
	c[len(p)] = 1 // exact, whatever the rounding
	return c
}

// Map returns the image of the angle u (rad) in (−π, π] and log du'/du.
func (t *TorsionMap) Map(u float64) (float64, float64) {
	cs, cd := t.cs, t.cd
	if cs == nil { // not made by NewTorsionMap
		cs, cd = cumulative(t.Src), cumulative(t.Dst)
	}
	bins := len(t.Src)
	w := 2 * math.Pi / float64(bins)
	pos := (molecules.WrapAngle(u) + math.Pi) / w
	i := min(max(int(pos), 0), bins-1)
	f := cs[i] + (pos-float64(i))*t.Src[i]
	j := min(max(sort.SearchFloat64s(cd, f)-1, 0), bins-1)
	out := -math.Pi + (float64(j)+(f-cd[j])/t.Dst[j])*w
	return molecules.WrapAngle(out), math.Log(t.Src[i] / t.Dst[j])
}
