package boltzmann

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
)

// BodyFrame is a canonical body frame of a molecule, fixed by three bonded
// atoms: Origin at the origin, Axis on the positive x axis and Plane in the
// xy plane with positive y (for a peptide, Cα, N and C). A conformation x
// (3N coordinates) is written as a rigid motion (the Origin atom's position
// t and a rotation R) of its frame coordinates y = Rᵀ(x − t), of which
// 3N − 6 are free: b = y_Axis,x > 0, (c₁, c₂) = (y_Plane,x, y_Plane,y) with
// c₂ > 0, and the 3(N − 3) coordinates of the other atoms. The volume
// element is dx = 8π²·b²·c₂ · d³t · dR · db dc₁ dc₂ · Π d³yᵢ with dR the
// normalised Haar measure, so a density q over the free frame
// coordinates, a uniform rotation and any density of t give x the density
// q(y)·p(t)/(8π²·b²·c₂).
//
// A flow over frame coordinates sees all 3N of them: the six fixed ones
// (the Origin atom's three, the Axis atom's y and z, the Plane atom's z)
// carry independent 𝒩(0, Sigma²) noise, in training and in the target's
// density alike. Importance weights against a target e^{−E(x)} are then
// exact on the extended space (the noise's target density is its own):
// log w = −E(y₀) + log 𝒩(n; 0, Sigma²) + 2 log b + log c₂ − log q(y), with
// y₀ the frame coordinates with the noise n set to zero (see LogJacobian).
// The target energy is invariant under rigid motions, so y₀ itself is a
// conformation.
type BodyFrame struct {
	// Origin, Axis and Plane are atom indices (distinct).
	Origin, Axis, Plane int
	// Sigma is the standard deviation of the gauge coordinates' noise
	// (units of the coordinates).
	Sigma float64
}

// NewBodyFrame returns the frame of the three atoms for a molecule of n
// atoms, with noise standard deviation sigma. It is an error if the atoms
// are not distinct or out of range, or sigma is not positive.
func NewBodyFrame(n, origin, axis, plane int, sigma float64) (BodyFrame, error) {
	f := BodyFrame{Origin: origin, Axis: axis, Plane: plane, Sigma: sigma}
	for _, a := range []int{origin, axis, plane} {
		if a < 0 || a >= n {
			return f, fmt.Errorf("boltzmann: body frame atom %d out of range [0, %d)", a, n)
		}
	}
	if origin == axis || origin == plane || axis == plane {
		return f, fmt.Errorf("boltzmann: body frame atoms %d, %d, %d are not distinct", origin, axis, plane)
	}
	if !(sigma > 0) || math.IsInf(sigma, 0) {
		return f, fmt.Errorf("boltzmann: body frame noise sigma %g is not positive and finite", sigma)
	}
	return f, nil
}

// Gauge returns the indices (into the 3N coordinates) of the six fixed
// frame coordinates, which carry noise.
func (f BodyFrame) Gauge() [6]int {
	o, a, p := 3*f.Origin, 3*f.Axis, 3*f.Plane
	return [6]int{o, o + 1, o + 2, a + 1, a + 2, p + 2}
}

// Canonicalize writes to dst (length 3N, may not alias x) the frame
// coordinates y = Rᵀ(x − t) of the conformation x, with the gauge
// coordinates exactly zero. It is an error if the three frame atoms are
// collinear or coincide.
func (f BodyFrame) Canonicalize(dst, x []float64) error {
	o := x[3*f.Origin : 3*f.Origin+3]
	var u, v [3]float64
	for k := 0; k < 3; k++ {
		u[k] = x[3*f.Axis+k] - o[k]
		v[k] = x[3*f.Plane+k] - o[k]
	}
	nu := math.Sqrt(dot3(u, u))
	if !(nu > 0) {
		return fmt.Errorf("boltzmann: body frame atoms %d and %d coincide", f.Origin, f.Axis)
	}
	for k := range u {
		u[k] /= nu
	}
	p := dot3(u, v)
	for k := range v {
		v[k] -= p * u[k]
	}
	nv := math.Sqrt(dot3(v, v))
	if !(nv > 1e-12*nu) {
		return fmt.Errorf("boltzmann: body frame atoms %d, %d, %d are collinear", f.Origin, f.Axis, f.Plane)
	}
	for k := range v {
		v[k] /= nv
	}
	w := [3]float64{u[1]*v[2] - u[2]*v[1], u[2]*v[0] - u[0]*v[2], u[0]*v[1] - u[1]*v[0]}
	ox, oy, oz := o[0], o[1], o[2]
	for i := 0; i < len(x)/3; i++ {
		d := [3]float64{x[3*i] - ox, x[3*i+1] - oy, x[3*i+2] - oz}
		dst[3*i], dst[3*i+1], dst[3*i+2] = dot3(u, d), dot3(v, d), dot3(w, d)
	}
	for _, g := range f.Gauge() {
		dst[g] = 0
	}
	return nil
}

// AddNoise draws the gauge coordinates of y from 𝒩(0, Sigma²).
func (f BodyFrame) AddNoise(y []float64, rng *rand.Rand) {
	for _, g := range f.Gauge() {
		y[g] = f.Sigma * rng.NormFloat64()
	}
}

// LogJacobian returns the frame's part of an importance log-weight of the
// frame coordinates y with noise: log 𝒩(n; 0, Sigma²) of the six gauge
// coordinates plus log(b²·c₂), and writes to dst (length 3N, may alias y)
// the conformation y₀, y with the gauge coordinates zeroed. ok is false
// when y lies outside the frame's chart (b ≤ 0 or c₂ ≤ 0): such a proposal
// has importance weight zero. The constant log 8π² is left out.
func (f BodyFrame) LogJacobian(dst, y []float64) (logJ float64, ok bool) {
	b, c2 := y[3*f.Axis], y[3*f.Plane+1]
	g := f.Gauge()
	s := 0.0
	for _, i := range g {
		s += y[i] * y[i]
	}
	if &dst[0] != &y[0] {
		copy(dst, y)
	}
	for _, i := range g {
		dst[i] = 0
	}
	if !(b > 0 && c2 > 0) {
		return math.Inf(-1), false
	}
	logN := -0.5*s/(f.Sigma*f.Sigma) - float64(len(g))*(math.Log(f.Sigma)+0.5*math.Log(2*math.Pi))
	return logN + 2*math.Log(b) + math.Log(c2), true
}

func dot3(a, b [3]float64) float64 { return a[0]*b[0] + a[1]*b[1] + a[2]*b[2] }

// metaFrame is the model metadata key of a body frame.
const metaFrame = "boltzmann.frame"

// String formats the frame as "origin,axis,plane,sigma", the form
// ParseBodyFrame reads.
func (f BodyFrame) String() string {
	return fmt.Sprintf("%d,%d,%d,%s", f.Origin, f.Axis, f.Plane, strconv.FormatFloat(f.Sigma, 'g', -1, 64))
}

// ParseBodyFrame reads "origin,axis,plane,sigma" (String's form) for a
// molecule of n atoms.
func ParseBodyFrame(s string, n int) (BodyFrame, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 4 {
		return BodyFrame{}, fmt.Errorf("boltzmann: body frame %q: want origin,axis,plane,sigma", s)
	}
	var idx [3]int
	for i := range idx {
		v, err := strconv.Atoi(strings.TrimSpace(parts[i]))
		if err != nil {
			return BodyFrame{}, fmt.Errorf("boltzmann: body frame %q: atom %d: %w", s, i+1, err)
		}
		idx[i] = v
	}
	sigma, err := strconv.ParseFloat(strings.TrimSpace(parts[3]), 64)
	if err != nil {
		return BodyFrame{}, fmt.Errorf("boltzmann: body frame %q: sigma: %w", s, err)
	}
	return NewBodyFrame(n, idx[0], idx[1], idx[2], sigma)
}

// ModelFrame returns the body frame the model was trained in, or nil for a
// model trained on rotated Cartesian frames.
func ModelFrame(m *Model) (*BodyFrame, error) {
	s, ok := m.Meta[metaFrame]
	if !ok {
		return nil, nil
	}
	f, err := ParseBodyFrame(s, m.Flow.Config.Atoms)
	if err != nil {
		return nil, err
	}
	return &f, nil
}

// frameString is f.String(), or "" for no frame.
func frameString(f *BodyFrame) string {
	if f == nil {
		return ""
	}
	return f.String()
}

// FrameTarget is the target of a body-frame model's SMC: the extended
// density e^{−U(y)} over frame coordinates with gauge noise, U(y) = E(y₀) −
// log J(y), with J the frame's factor 𝒩(n; 0, σ²I₆)·b²·c₂
// (BodyFrame.LogJacobian), whose marginal over conformations is the
// target's Boltzmann density. Points off the frame's chart, and of the wrong
// chirality when a check is given, have U = +∞. It implements smc.Target and
// is safe for concurrent use if the wrapped target is.
type FrameTarget struct {
	t     *Target
	frame BodyFrame
	chir  *Chirality
	pool  freeList[*frameScratch]
}

type frameScratch struct {
	y0   [][]float64
	logJ []float64
	ok   []bool
}

// NewFrameTarget returns the extended target of t in the body frame, with
// an optional chirality check chir.
func NewFrameTarget(t *Target, frame BodyFrame, chir *Chirality) *FrameTarget {
	ft := &FrameTarget{t: t, frame: frame, chir: chir}
	ft.pool.New = func() *frameScratch { return &frameScratch{} }
	return ft
}

// Dim returns 3N.
func (ft *FrameTarget) Dim() int { return ft.t.Dim() }

// Energy implements smc.Target: U(y) in kT and, if grad is not nil, ∇U: the
// force field's gradient at y₀ on the free coordinates, n/σ² on the gauge
// coordinates, less 2/b and 1/c₂ on b and c₂.
func (ft *FrameTarget) Energy(y [][]float64, e []float64, grad [][]float64) {
	s := ft.pool.Get()
	defer ft.pool.Put(s)
	n, d := len(y), ft.Dim()
	for len(s.y0) < n {
		s.y0 = append(s.y0, make([]float64, d))
	}
	if len(s.logJ) < n {
		s.logJ, s.ok = make([]float64, n), make([]bool, n)
	}
	y0 := s.y0[:n]
	for i, r := range y {
		s.logJ[i], s.ok[i] = ft.frame.LogJacobian(y0[i], r)
		if s.ok[i] && ft.chir != nil && !ft.chir.Correct(y0[i]) {
			s.ok[i] = false
		}
	}
	ft.t.Energy(y0, e, grad)
	f := ft.frame
	inv := 1 / (f.Sigma * f.Sigma)
	for i, r := range y {
		if !s.ok[i] {
			e[i] = math.Inf(1)
			continue
		}
		e[i] -= s.logJ[i]
		if grad == nil {
			continue
		}
		for _, g := range f.Gauge() {
			grad[i][g] = r[g] * inv
		}
		grad[i][3*f.Axis] -= 2 / r[3*f.Axis]
		grad[i][3*f.Plane+1] -= 1 / r[3*f.Plane+1]
	}
}

// augmentFrame writes to dst the training coordinates of the normalised
// frame x: with a body frame, its frame coordinates with fresh gauge noise;
// without, a randomly rotated, CoM-shifted copy (Augment).
func augmentFrame(dst, x []float64, frame *BodyFrame, rng *rand.Rand) error {
	if frame == nil {
		Augment(dst, x, rng)
		return nil
	}
	if err := frame.Canonicalize(dst, x); err != nil {
		return err
	}
	frame.AddNoise(dst, rng)
	return nil
}

// augmentLogDensity returns the known part of the log-density of a row
// written by augmentFrame, which an importance log-weight adds to −E: the
// frame's log-Jacobian (BodyFrame.LogJacobian, written through the scratch
// dst, which may alias row) or the Gaussian density of Augment's CoM shift.
func augmentLogDensity(dst, row []float64, frame *BodyFrame) float64 {
	if frame != nil {
		logJ, _ := frame.LogJacobian(dst, row)
		return logJ
	}
	pc := ComAdjust{Variant: ComGaussian, Sigma: 1 / math.Sqrt(float64(len(row)/3))}
	return pc.LogDensity(row)
}
