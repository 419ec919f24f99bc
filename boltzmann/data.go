package boltzmann

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/boltzflow/boltzflow/molecules/traj"
)

// LoadFrames reads a trajectory .npy file (float32 or float64, [frames,
// atoms, 3], nm) and returns its frames as flat rows of length 3N. It
// returns an error naming the file if the atom count differs from atoms
// (atoms ≤ 0 accepts any).
func LoadFrames(path string, atoms int) ([][]float64, error) {
	frames, n, err := traj.ReadNPY(path)
	if err != nil {
		return nil, err
	}
	if atoms > 0 && n != atoms {
		return nil, fmt.Errorf("boltzmann: %s: %d atoms per frame, the system has %d", path, n, atoms)
	}
	if len(frames) == 0 {
		return nil, fmt.Errorf("boltzmann: %s: no frames", path)
	}
	return frames, nil
}

// Subsample returns n frames spread evenly over the trajectory,
// frames[⌊i·len/n⌋] for i = 0 … n−1 (all frames when n ≤ 0 or len ≤ n). This
// is the SBG rule for test and validation sets (stride len/n) when len is a
// multiple of n; otherwise the SBG rule (an integer stride, then the first n)
// would keep only the start of the trajectory, e.g. the first 10,000 of
// 15,000 frames.
func Subsample(frames [][]float64, n int) [][]float64 {
	if n <= 0 {
		return frames
	}
	return thin(frames, n)
}

// Normalizer maps positions in nm to the flow's normalised coordinates
// x̃ = (x − CoM(x)) / Std and back (x = x̃·Std, the CoM being irrelevant for
// the translation-invariant energy).
type Normalizer struct {
	// Std is the global scale in nm: the standard deviation of all
	// coordinates of the training frames after removing each frame's CoM.
	Std float64
}

// FitNormalizer computes Std from the frames (flat rows, nm).
func FitNormalizer(frames [][]float64) Normalizer {
	s, s2, n := 0.0, 0.0, 0
	for _, f := range frames {
		c := Com(f)
		for i, v := range f {
			y := v - c[i%3]
			s += y
			s2 += y * y
			n++
		}
	}
	m := s / float64(n)
	return Normalizer{Std: math.Sqrt(s2/float64(n) - m*m)}
}

// Normalize writes (x − CoM(x))/Std to dst (allocated when nil) and returns it.
func (nz Normalizer) Normalize(dst, x []float64) []float64 {
	if dst == nil {
		dst = make([]float64, len(x))
	}
	c := Com(x)
	for i, v := range x {
		dst[i] = (v - c[i%3]) / nz.Std
	}
	return dst
}

// NormalizeAll normalises every frame into new rows.
func NormalizeAll(nz Normalizer, frames [][]float64) [][]float64 {
	out := make([][]float64, len(frames))
	for i, f := range frames {
		out[i] = nz.Normalize(nil, f)
	}
	return out
}

// Denormalize writes x̃·Std (nm) to dst (allocated when nil) and returns it.
func (nz Normalizer) Denormalize(dst, x []float64) []float64 {
	if dst == nil {
		dst = make([]float64, len(x))
	}
	for i, v := range x {
		dst[i] = v * nz.Std
	}
	return dst
}

// RandomRotation returns a uniformly distributed rotation matrix (SO(3), no
// reflections) drawn from a uniform random unit quaternion.
func RandomRotation(rng *rand.Rand) [3][3]float64 {
	var q [4]float64
	n := 0.0
	for n < 1e-12 {
		n = 0
		for i := range q {
			q[i] = rng.NormFloat64()
			n += q[i] * q[i]
		}
	}
	n = math.Sqrt(n)
	w, x, y, z := q[0]/n, q[1]/n, q[2]/n, q[3]/n
	return [3][3]float64{
		{1 - 2*(y*y+z*z), 2 * (x*y - w*z), 2 * (x*z + w*y)},
		{2 * (x*y + w*z), 1 - 2*(x*x+z*z), 2 * (y*z - w*x)},
		{2 * (x*z - w*y), 2 * (y*z + w*x), 1 - 2*(x*x+y*y)},
	}
}

// Augment writes to dst a randomly rotated copy of the normalised frame x
// (rotation about the origin, x being CoM-free) shifted by a random CoM
// c ~ 𝒩(0, σ²I₃) with σ = 1/√N (sbg.md §2). dst and x have length 3N and
// may alias.
func Augment(dst, x []float64, rng *rand.Rand) {
	r := RandomRotation(rng)
	n := len(x) / 3
	sig := 1 / math.Sqrt(float64(n))
	c := [3]float64{sig * rng.NormFloat64(), sig * rng.NormFloat64(), sig * rng.NormFloat64()}
	for i := 0; i < n; i++ {
		p0, p1, p2 := x[3*i], x[3*i+1], x[3*i+2]
		for k := 0; k < 3; k++ {
			dst[3*i+k] = r[k][0]*p0 + r[k][1]*p1 + r[k][2]*p2 + c[k]
		}
	}
}
