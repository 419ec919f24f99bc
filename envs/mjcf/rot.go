package mjcf

import (
	"math"
	"sort"

	"gonum.org/v1/gonum/mat"
)

// Quaternions are [w, x, y, z] (MuJoCo's convention); 3×3 matrices are
// row-major [9]float64.

func quatNormalize(q [4]float64) ([4]float64, bool) {
	n := math.Sqrt(q[0]*q[0] + q[1]*q[1] + q[2]*q[2] + q[3]*q[3])
	if n < 1e-15 {
		return [4]float64{1, 0, 0, 0}, false
	}
	return [4]float64{q[0] / n, q[1] / n, q[2] / n, q[3] / n}, true
}

func quatMul(a, b [4]float64) [4]float64 {
	return [4]float64{
		a[0]*b[0] - a[1]*b[1] - a[2]*b[2] - a[3]*b[3],
		a[0]*b[1] + a[1]*b[0] + a[2]*b[3] - a[3]*b[2],
		a[0]*b[2] - a[1]*b[3] + a[2]*b[0] + a[3]*b[1],
		a[0]*b[3] + a[1]*b[2] - a[2]*b[1] + a[3]*b[0],
	}
}

// axisAngleQuat returns the unit quaternion of a rotation by angle (radians)
// about axis (any nonzero length).
func axisAngleQuat(axis [3]float64, angle float64) ([4]float64, bool) {
	a, ok := normalize3(axis)
	if !ok {
		return [4]float64{1, 0, 0, 0}, false
	}
	s, c := math.Sincos(angle / 2)
	return [4]float64{c, a[0] * s, a[1] * s, a[2] * s}, true
}

func normalize3(v [3]float64) ([3]float64, bool) {
	n := math.Sqrt(v[0]*v[0] + v[1]*v[1] + v[2]*v[2])
	if n < 1e-15 {
		return v, false
	}
	return [3]float64{v[0] / n, v[1] / n, v[2] / n}, true
}

func cross3(a, b [3]float64) [3]float64 {
	return [3]float64{a[1]*b[2] - a[2]*b[1], a[2]*b[0] - a[0]*b[2], a[0]*b[1] - a[1]*b[0]}
}

func dot3(a, b [3]float64) float64 { return a[0]*b[0] + a[1]*b[1] + a[2]*b[2] }

// zToQuat returns the quaternion rotating the z axis onto vec (MuJoCo's
// construction: rotation about z × vec by the angle between them; about x when
// vec is parallel to z).
func zToQuat(vec [3]float64) ([4]float64, bool) {
	z, ok := normalize3(vec)
	if !ok {
		return [4]float64{1, 0, 0, 0}, false
	}
	a := [3]float64{-z[1], z[0], 0}
	s := math.Sqrt(a[0]*a[0] + a[1]*a[1])
	if s < 1e-10 {
		a = [3]float64{1, 0, 0}
	} else {
		a = [3]float64{a[0] / s, a[1] / s, 0}
	}
	ang := math.Atan2(s, z[2])
	sn, cs := math.Sincos(ang / 2)
	return [4]float64{cs, a[0] * sn, a[1] * sn, a[2] * sn}, true
}

// quatToMat returns the rotation matrix of unit quaternion q.
func quatToMat(q [4]float64) [9]float64 {
	w, x, y, z := q[0], q[1], q[2], q[3]
	return [9]float64{
		w*w + x*x - y*y - z*z, 2 * (x*y - w*z), 2 * (x*z + w*y),
		2 * (x*y + w*z), w*w - x*x + y*y - z*z, 2 * (y*z - w*x),
		2 * (x*z - w*y), 2 * (y*z + w*x), w*w - x*x - y*y + z*z,
	}
}

// matToQuat returns the unit quaternion of rotation matrix m (row-major).
func matToQuat(m [9]float64) [4]float64 {
	var q [4]float64
	tr := m[0] + m[4] + m[8]
	switch {
	case tr > 0:
		s := math.Sqrt(tr+1) * 2
		q = [4]float64{0.25 * s, (m[7] - m[5]) / s, (m[2] - m[6]) / s, (m[3] - m[1]) / s}
	case m[0] > m[4] && m[0] > m[8]:
		s := math.Sqrt(1+m[0]-m[4]-m[8]) * 2
		q = [4]float64{(m[7] - m[5]) / s, 0.25 * s, (m[1] + m[3]) / s, (m[2] + m[6]) / s}
	case m[4] > m[8]:
		s := math.Sqrt(1+m[4]-m[0]-m[8]) * 2
		q = [4]float64{(m[2] - m[6]) / s, (m[1] + m[3]) / s, 0.25 * s, (m[5] + m[7]) / s}
	default:
		s := math.Sqrt(1+m[8]-m[0]-m[4]) * 2
		q = [4]float64{(m[3] - m[1]) / s, (m[2] + m[6]) / s, (m[5] + m[7]) / s, 0.25 * s}
	}
	if q[0] < 0 {
		q = [4]float64{-q[0], -q[1], -q[2], -q[3]}
	}
	q, _ = quatNormalize(q)
	return q
}

// rotate returns R·v for the rotation matrix R of unit quaternion q.
func rotate(q [4]float64, v [3]float64) [3]float64 {
	m := quatToMat(q)
	return [3]float64{
		m[0]*v[0] + m[1]*v[1] + m[2]*v[2],
		m[3]*v[0] + m[4]*v[1] + m[5]*v[2],
		m[6]*v[0] + m[7]*v[1] + m[8]*v[2],
	}
}

// globalInertia returns R·diag(d)·Rᵀ for the rotation of unit quaternion q.
func globalInertia(d [3]float64, q [4]float64) [9]float64 {
	r := quatToMat(q)
	var out [9]float64
	for i := 0; i < 3; i++ {
		for j := 0; j < 3; j++ {
			var s float64
			for k := 0; k < 3; k++ {
				s += r[3*i+k] * d[k] * r[3*j+k]
			}
			out[3*i+j] = s
		}
	}
	return out
}

// principalInertia decomposes a symmetric inertia tensor into principal
// moments (descending, as MuJoCo orders them) and the unit quaternion of the
// principal frame (a right-handed rotation).
func principalInertia(t [9]float64) ([3]float64, [4]float64, bool) {
	for _, v := range t {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return [3]float64{}, [4]float64{1, 0, 0, 0}, false
		}
	}
	sym := mat.NewSymDense(3, []float64{
		t[0], 0.5 * (t[1] + t[3]), 0.5 * (t[2] + t[6]),
		0.5 * (t[1] + t[3]), t[4], 0.5 * (t[5] + t[7]),
		0.5 * (t[2] + t[6]), 0.5 * (t[5] + t[7]), t[8],
	})
	var eig mat.EigenSym
	if !eig.Factorize(sym, true) {
		return [3]float64{}, [4]float64{1, 0, 0, 0}, false
	}
	vals := eig.Values(nil)
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	idx := []int{0, 1, 2}
	sort.SliceStable(idx, func(a, b int) bool { return vals[idx[a]] > vals[idx[b]] })
	var d [3]float64
	var cols [3][3]float64
	for k, i := range idx {
		d[k] = vals[i]
		for r := 0; r < 3; r++ {
			cols[k][r] = vecs.At(r, i)
		}
	}
	// Right-handed frame: third axis = first × second.
	cols[2] = cross3(cols[0], cols[1])
	var m [9]float64
	for r := 0; r < 3; r++ {
		for k := 0; k < 3; k++ {
			m[3*r+k] = cols[k][r]
		}
	}
	return d, matToQuat(m), true
}
