package mjc

import "math"

// minVal is MuJoCo's mjMINVAL.
const minVal = 1e-15

func quatMul(a, b [4]float64) [4]float64 {
	return [4]float64{
		a[0]*b[0] - a[1]*b[1] - a[2]*b[2] - a[3]*b[3],
		a[0]*b[1] + a[1]*b[0] + a[2]*b[3] - a[3]*b[2],
		a[0]*b[2] - a[1]*b[3] + a[2]*b[0] + a[3]*b[1],
		a[0]*b[3] + a[1]*b[2] - a[2]*b[1] + a[3]*b[0],
	}
}

func quatNormalize(q [4]float64) [4]float64 {
	n := math.Sqrt(q[0]*q[0] + q[1]*q[1] + q[2]*q[2] + q[3]*q[3])
	if n < minVal {
		return [4]float64{1, 0, 0, 0}
	}
	return [4]float64{q[0] / n, q[1] / n, q[2] / n, q[3] / n}
}

func quat2Mat(q [4]float64) [9]float64 {
	if q[0] == 1 && q[1] == 0 && q[2] == 0 && q[3] == 0 {
		return [9]float64{1, 0, 0, 0, 1, 0, 0, 0, 1}
	}
	q00, q01, q02, q03 := q[0]*q[0], q[0]*q[1], q[0]*q[2], q[0]*q[3]
	q11, q12, q13 := q[1]*q[1], q[1]*q[2], q[1]*q[3]
	q22, q23, q33 := q[2]*q[2], q[2]*q[3], q[3]*q[3]
	return [9]float64{
		q00 + q11 - q22 - q33, 2 * (q12 - q03), 2 * (q13 + q02),
		2 * (q12 + q03), q00 - q11 + q22 - q33, 2 * (q23 - q01),
		2 * (q13 - q02), 2 * (q23 + q01), q00 - q11 - q22 + q33,
	}
}

func rotVecQuat(v [3]float64, q [4]float64) [3]float64 {
	if v[0] == 0 && v[1] == 0 && v[2] == 0 {
		return v
	}
	if q[0] == 1 && q[1] == 0 && q[2] == 0 && q[3] == 0 {
		return v
	}
	// tmp = q_w*v + q_xyz × v ; res = v + 2 q_xyz × tmp
	tmp := [3]float64{
		q[0]*v[0] + q[2]*v[2] - q[3]*v[1],
		q[0]*v[1] + q[3]*v[0] - q[1]*v[2],
		q[0]*v[2] + q[1]*v[1] - q[2]*v[0],
	}
	return [3]float64{
		v[0] + 2*(q[2]*tmp[2]-q[3]*tmp[1]),
		v[1] + 2*(q[3]*tmp[0]-q[1]*tmp[2]),
		v[2] + 2*(q[1]*tmp[1]-q[2]*tmp[0]),
	}
}

func mulMatVec(m *[9]float64, v [3]float64) [3]float64 {
	return [3]float64{
		m[0]*v[0] + m[1]*v[1] + m[2]*v[2],
		m[3]*v[0] + m[4]*v[1] + m[5]*v[2],
		m[6]*v[0] + m[7]*v[1] + m[8]*v[2],
	}
}

func mulMatTVec(m *[9]float64, v [3]float64) [3]float64 {
	return [3]float64{
		m[0]*v[0] + m[3]*v[1] + m[6]*v[2],
		m[1]*v[0] + m[4]*v[1] + m[7]*v[2],
		m[2]*v[0] + m[5]*v[1] + m[8]*v[2],
	}
}

func axisAngle2Quat(axis [3]float64, angle float64) [4]float64 {
	if angle == 0 {
		return [4]float64{1, 0, 0, 0}
	}
	s, c := math.Sincos(angle / 2)
	return [4]float64{c, axis[0] * s, axis[1] * s, axis[2] * s}
}

func cross(a, b [3]float64) [3]float64 {
	return [3]float64{a[1]*b[2] - a[2]*b[1], a[2]*b[0] - a[0]*b[2], a[0]*b[1] - a[1]*b[0]}
}

func dot3(a, b [3]float64) float64 { return a[0]*b[0] + a[1]*b[1] + a[2]*b[2] }

func sub3(a, b [3]float64) [3]float64 { return [3]float64{a[0] - b[0], a[1] - b[1], a[2] - b[2]} }

func add3(a, b [3]float64) [3]float64 { return [3]float64{a[0] + b[0], a[1] + b[1], a[2] + b[2]} }

func dot6(a, b *[6]float64) float64 {
	return a[0]*b[0] + a[1]*b[1] + a[2]*b[2] + a[3]*b[3] + a[4]*b[4] + a[5]*b[5]
}

// crossMotion writes v ×m u for motion vectors [ω; v] to dst (no aliasing).
func crossMotion(dst, v, u *[6]float64) {
	*dst = [6]float64{
		-v[2]*u[1] + v[1]*u[2],
		v[2]*u[0] - v[0]*u[2],
		-v[1]*u[0] + v[0]*u[1],
		-v[2]*u[4] + v[1]*u[5] - v[5]*u[1] + v[4]*u[2],
		v[2]*u[3] - v[0]*u[5] + v[5]*u[0] - v[3]*u[2],
		-v[1]*u[3] + v[0]*u[4] - v[4]*u[0] + v[3]*u[1],
	}
}

// crossForceAdd adds v ×f f for a motion vector v and force vector f to dst.
func crossForceAdd(dst, v, f *[6]float64) {
	r := [6]float64{
		-v[2]*f[1] + v[1]*f[2] - v[5]*f[4] + v[4]*f[5],
		v[2]*f[0] - v[0]*f[2] + v[5]*f[3] - v[3]*f[5],
		-v[1]*f[0] + v[0]*f[1] - v[4]*f[3] + v[3]*f[4],
		-v[2]*f[4] + v[1]*f[5],
		v[2]*f[3] - v[0]*f[5],
		-v[1]*f[3] + v[0]*f[4],
	}
	dst[0] += r[0]
	dst[1] += r[1]
	dst[2] += r[2]
	dst[3] += r[3]
	dst[4] += r[4]
	dst[5] += r[5]
}

// mulInertVec writes cinert·v (spatial force of a com-based inertia) to dst
// (no aliasing).
func mulInertVec(dst *[6]float64, i *[10]float64, v *[6]float64) {
	*dst = [6]float64{
		i[0]*v[0] + i[3]*v[1] + i[4]*v[2] - i[8]*v[4] + i[7]*v[5],
		i[3]*v[0] + i[1]*v[1] + i[5]*v[2] + i[8]*v[3] - i[6]*v[5],
		i[4]*v[0] + i[5]*v[1] + i[2]*v[2] - i[7]*v[3] + i[6]*v[4],
		i[8]*v[1] - i[7]*v[2] + i[9]*v[3],
		i[6]*v[2] - i[8]*v[0] + i[9]*v[4],
		i[7]*v[0] - i[6]*v[1] + i[9]*v[5],
	}
}

// quatIntegrate rotates q by the body-frame angular velocity w over time h.
func quatIntegrate(q [4]float64, w [3]float64, h float64) [4]float64 {
	n := math.Sqrt(w[0]*w[0] + w[1]*w[1] + w[2]*w[2])
	var axis [3]float64
	if n < minVal {
		axis = [3]float64{1, 0, 0}
	} else {
		axis = [3]float64{w[0] / n, w[1] / n, w[2] / n}
	}
	qrot := axisAngle2Quat(axis, h*n)
	return quatMul(quatNormalize(q), qrot)
}

// subQuat returns the body-frame rotation vector r with qb·exp(r) = qa.
func subQuat(qa, qb [4]float64) [3]float64 {
	neg := [4]float64{qb[0], -qb[1], -qb[2], -qb[3]}
	dq := quatMul(neg, qa)
	// quat2Vel with dt 1
	v := [3]float64{dq[1], dq[2], dq[3]}
	s := math.Sqrt(dot3(v, v))
	if s < minVal {
		return [3]float64{}
	}
	ang := 2 * math.Atan2(s, dq[0])
	if ang > math.Pi {
		ang -= 2 * math.Pi
	}
	return [3]float64{v[0] / s * ang, v[1] / s * ang, v[2] / s * ang}
}

func isFinite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// Pointer-style variants used in hot loops (dst may alias inputs).

func quatMulTo(dst, a, b *[4]float64) {
	a0, a1, a2, a3 := a[0], a[1], a[2], a[3]
	b0, b1, b2, b3 := b[0], b[1], b[2], b[3]
	dst[0] = a0*b0 - a1*b1 - a2*b2 - a3*b3
	dst[1] = a0*b1 + a1*b0 + a2*b3 - a3*b2
	dst[2] = a0*b2 - a1*b3 + a2*b0 + a3*b1
	dst[3] = a0*b3 + a1*b2 - a2*b1 + a3*b0
}

func quatNormalizeTo(q *[4]float64) {
	n := math.Sqrt(q[0]*q[0] + q[1]*q[1] + q[2]*q[2] + q[3]*q[3])
	if n < minVal {
		*q = [4]float64{1, 0, 0, 0}
		return
	}
	if n == 1 {
		return
	}
	inv := 1 / n
	q[0] *= inv
	q[1] *= inv
	q[2] *= inv
	q[3] *= inv
}

func quat2MatTo(m *[9]float64, q *[4]float64) {
	q0, q1, q2, q3 := q[0], q[1], q[2], q[3]
	if q0 == 1 && q1 == 0 && q2 == 0 && q3 == 0 {
		*m = [9]float64{1, 0, 0, 0, 1, 0, 0, 0, 1}
		return
	}
	q00, q01, q02, q03 := q0*q0, q0*q1, q0*q2, q0*q3
	q11, q12, q13 := q1*q1, q1*q2, q1*q3
	q22, q23, q33 := q2*q2, q2*q3, q3*q3
	m[0] = q00 + q11 - q22 - q33
	m[1] = 2 * (q12 - q03)
	m[2] = 2 * (q13 + q02)
	m[3] = 2 * (q12 + q03)
	m[4] = q00 - q11 + q22 - q33
	m[5] = 2 * (q23 - q01)
	m[6] = 2 * (q13 - q02)
	m[7] = 2 * (q23 + q01)
	m[8] = q00 - q11 - q22 + q33
}

// rotVecQuatTo writes q·v·q* to dst.
func rotVecQuatTo(dst, v *[3]float64, q *[4]float64) {
	v0, v1, v2 := v[0], v[1], v[2]
	q0, q1, q2, q3 := q[0], q[1], q[2], q[3]
	if (v0 == 0 && v1 == 0 && v2 == 0) || (q0 == 1 && q1 == 0 && q2 == 0 && q3 == 0) {
		dst[0], dst[1], dst[2] = v0, v1, v2
		return
	}
	t0 := q0*v0 + q2*v2 - q3*v1
	t1 := q0*v1 + q3*v0 - q1*v2
	t2 := q0*v2 + q1*v1 - q2*v0
	dst[0] = v0 + 2*(q2*t2-q3*t1)
	dst[1] = v1 + 2*(q3*t0-q1*t2)
	dst[2] = v2 + 2*(q1*t1-q2*t0)
}

// mulMatVecAdd writes p + m·v to dst.
func mulMatVecAdd(dst, p *[3]float64, m *[9]float64, v *[3]float64) {
	v0, v1, v2 := v[0], v[1], v[2]
	x := p[0] + m[0]*v0 + m[1]*v1 + m[2]*v2
	y := p[1] + m[3]*v0 + m[4]*v1 + m[5]*v2
	z := p[2] + m[6]*v0 + m[7]*v1 + m[8]*v2
	dst[0], dst[1], dst[2] = x, y, z
}

// clampF returns x clamped to [lo, hi]; NaN stays NaN.
func clampF(x, lo, hi float64) float64 {
	if x < lo {
		return lo
	}
	if x > hi {
		return hi
	}
	return x
}

// dot returns Σ a[i]·b[i] over len(a) entries (b at least as long) with
// four partial sums, as MuJoCo's mju_dot does; the summation order differs
// from a plain loop only by round-off.
func dot(a, b []float64) float64 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(a); i += 4 {
		aa := a[i : i+4 : i+4]
		bb := b[i : i+4 : i+4]
		s0 += aa[0] * bb[0]
		s1 += aa[1] * bb[1]
		s2 += aa[2] * bb[2]
		s3 += aa[3] * bb[3]
	}
	s := (s0 + s2) + (s1 + s3)
	for ; i < len(a); i++ {
		s += a[i] * b[i]
	}
	return s
}
