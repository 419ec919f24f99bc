package collide

import "math"

// MaxContacts is the largest number of contacts one pair function writes.
const MaxContacts = 2

// minVal is MuJoCo's mjMINVAL, the threshold below which a length counts as
// zero.
const minVal = 1e-15

// Contact is one contact point between two shapes.
type Contact struct {
	// Dist is the signed distance between the two surfaces in m; negative
	// values are penetrations.
	Dist float64
	// Pos is the contact point in world coordinates, m: midway between the
	// two surfaces along the normal.
	Pos [3]float64
	// Frame holds the contact frame as three rows (row-major 3×3): the unit
	// normal from shape 1 to shape 2, then the two tangents. A primitive
	// sets the tangents only where MuJoCo does (else they are zero);
	// MakeFrame completes the frame.
	Frame [9]float64
}

// zAxis returns the third column (the local z axis in world coordinates) of
// a row-major rotation matrix.
func zAxis(mat *[9]float64) [3]float64 { return [3]float64{mat[2], mat[5], mat[8]} }

func dot(a, b [3]float64) float64 { return a[0]*b[0] + a[1]*b[1] + a[2]*b[2] }

func cross(a, b [3]float64) [3]float64 {
	return [3]float64{a[1]*b[2] - a[2]*b[1], a[2]*b[0] - a[0]*b[2], a[0]*b[1] - a[1]*b[0]}
}

// addScl returns a + s·b.
func addScl(a, b [3]float64, s float64) [3]float64 {
	return [3]float64{a[0] + s*b[0], a[1] + s*b[1], a[2] + s*b[2]}
}

func sub(a, b [3]float64) [3]float64 { return [3]float64{a[0] - b[0], a[1] - b[1], a[2] - b[2]} }

// normalize scales v to unit length in place and returns its former length;
// a vector shorter than minVal becomes (1, 0, 0) as in mju_normalize3.
func normalize(v *[3]float64) float64 {
	n := math.Sqrt(dot(*v, *v))
	if n < minVal {
		*v = [3]float64{1, 0, 0}
		return n
	}
	v[0] /= n
	v[1] /= n
	v[2] /= n
	return n
}

// MakeFrame completes a contact frame whose first row holds the normal, as
// MuJoCo's mju_makeFrame: the normal is normalised; a missing first tangent
// (norm < 0.5) becomes world y, or world z when the normal is close to y;
// the first tangent is made orthogonal to the normal and normalised; the
// second tangent is normal × first tangent.
func MakeFrame(frame *[9]float64) {
	n := [3]float64{frame[0], frame[1], frame[2]}
	normalize(&n)
	t := [3]float64{frame[3], frame[4], frame[5]}
	if math.Sqrt(dot(t, t)) < 0.5 {
		if math.Abs(n[1]) < 0.5 {
			t = [3]float64{0, 1, 0}
		} else {
			t = [3]float64{0, 0, 1}
		}
	}
	t = addScl(t, n, -dot(n, t))
	normalize(&t)
	b := cross(n, t)
	*frame = [9]float64{n[0], n[1], n[2], t[0], t[1], t[2], b[0], b[1], b[2]}
}

// PlaneSphere writes the contact between a plane (position planePos,
// rotation planeMat, normal = its z axis) and a sphere of radius r centred at
// c, if the sphere's surface is within margin of the plane. The normal is
// the plane's z axis; the point lies midway between the plane and the
// sphere's lowest point. It returns 0 or 1.
func PlaneSphere(dst []Contact, margin float64, planePos [3]float64, planeMat *[9]float64, c [3]float64, r float64) int {
	n := zAxis(planeMat)
	cdist := dot(sub(c, planePos), n)
	if cdist > margin+r {
		return 0
	}
	dist := cdist - r
	dst[0] = Contact{Dist: dist, Pos: addScl(c, n, -dist/2-r), Frame: [9]float64{n[0], n[1], n[2]}}
	return 1
}

// PlaneCapsule writes up to two contacts between a plane and a capsule
// (centre c, rotation capMat, radius r, half length h along its z axis):
// one plane–sphere test at each end of the segment (the +z end first). The
// first tangent of each contact is the capsule axis. It returns 0, 1 or 2.
func PlaneCapsule(dst []Contact, margin float64, planePos [3]float64, planeMat *[9]float64, c [3]float64, capMat *[9]float64, r, h float64) int {
	axis := zAxis(capMat)
	n := PlaneSphere(dst, margin, planePos, planeMat, addScl(c, axis, h), r)
	n += PlaneSphere(dst[n:], margin, planePos, planeMat, addScl(c, axis, -h), r)
	for i := range n {
		dst[i].Frame[3], dst[i].Frame[4], dst[i].Frame[5] = axis[0], axis[1], axis[2]
	}
	return n
}

// SphereSphere writes the contact between a sphere of radius r1 at c1 and a
// sphere of radius r2 at c2 when their surfaces are within margin. The
// normal points from c1 to c2; for coincident centres it is the cross
// product of the shapes' z axes (ax1, ax2; world x when parallel). The point
// lies midway between the surfaces. It returns 0 or 1.
func SphereSphere(dst []Contact, margin float64, c1, ax1 [3]float64, r1 float64, c2, ax2 [3]float64, r2 float64) int {
	n := sub(c2, c1)
	dist := math.Sqrt(dot(n, n)) - r1 - r2
	if dist > margin {
		return 0
	}
	if normalize(&n) < minVal {
		n = cross(ax1, ax2)
		normalize(&n)
	}
	dst[0] = Contact{Dist: dist, Pos: addScl(c1, n, r1+dist/2), Frame: [9]float64{n[0], n[1], n[2]}}
	return 1
}

// SphereCapsule writes the contact between a sphere (centre c1, rotation
// mat1, radius r1) and a capsule (centre c2, rotation mat2, radius r2, half
// length h2): a sphere–sphere test against the closest point of the
// capsule's segment. It returns 0 or 1.
func SphereCapsule(dst []Contact, margin float64, c1 [3]float64, mat1 *[9]float64, r1 float64, c2 [3]float64, mat2 *[9]float64, r2, h2 float64) int {
	axis := zAxis(mat2)
	x := math.Min(math.Max(dot(axis, sub(c1, c2)), -h2), h2)
	return SphereSphere(dst, margin, c1, zAxis(mat1), r1, addScl(c2, axis, x), axis, r2)
}

// clamp1 clamps x to [−1, 1].
func clamp1(x float64) float64 { return math.Min(math.Max(x, -1), 1) }

// CapsuleCapsule writes the contacts between two capsules (centres c1, c2,
// rotations mat1, mat2, radii r1, r2, half lengths h1, h2). For
// non-parallel axes it is one sphere–sphere test between the closest points
// of the two segments. For parallel axes (|det| < 1e-15 of the closest-point
// system) it tests the segment end points against the other segment: the
// two ends of capsule 1, then, if fewer than two contacts were found, the
// ends of capsule 2 — at most two contacts in all. It returns 0, 1 or 2.
func CapsuleCapsule(dst []Contact, margin float64, c1 [3]float64, mat1 *[9]float64, r1, h1 float64, c2 [3]float64, mat2 *[9]float64, r2, h2 float64) int {
	ax1, ax2 := zAxis(mat1), zAxis(mat2)
	a1 := [3]float64{ax1[0] * h1, ax1[1] * h1, ax1[2] * h1}
	a2 := [3]float64{ax2[0] * h2, ax2[1] * h2, ax2[2] * h2}
	dif := sub(c1, c2)
	// Points c1 + x1·a1 and c2 + x2·a2, x in [−1, 1]; minimise the squared
	// distance: [ma mb; mb mc]·[x1; x2] = [u; v].
	ma := dot(a1, a1)
	mb := -dot(a1, a2)
	mc := dot(a2, a2)
	u := -dot(a1, dif)
	v := dot(a2, dif)
	det := ma*mc - mb*mb
	if math.Abs(det) >= minVal {
		x1 := (mc*u - mb*v) / det
		x2 := (ma*v - mb*u) / det
		switch {
		case x1 > 1:
			x1 = 1
			x2 = (v - mb) / mc
		case x1 < -1:
			x1 = -1
			x2 = (v + mb) / mc
		}
		switch {
		case x2 > 1:
			x2 = 1
			x1 = clamp1((u - mb) / ma)
		case x2 < -1:
			x2 = -1
			x1 = clamp1((u + mb) / ma)
		}
		return SphereSphere(dst, margin, addScl(c1, a1, x1), ax1, r1, addScl(c2, a2, x2), ax2, r2)
	}
	// Parallel axes: end points of one segment against the other segment.
	n := 0
	for _, x1 := range [2]float64{1, -1} {
		if n == MaxContacts {
			return n
		}
		var x2 float64
		if mc > 0 {
			x2 = clamp1((v - mb*x1) / mc)
		}
		n += SphereSphere(dst[n:], margin, addScl(c1, a1, x1), ax1, r1, addScl(c2, a2, x2), ax2, r2)
	}
	for _, x2 := range [2]float64{1, -1} {
		if n == MaxContacts {
			return n
		}
		var x1 float64
		if ma > 0 {
			x1 = clamp1((u - mb*x2) / ma)
		}
		if x1 == 1 || x1 == -1 {
			continue // this end pair was tested above
		}
		n += SphereSphere(dst[n:], margin, addScl(c1, a1, x1), ax1, r1, addScl(c2, a2, x2), ax2, r2)
	}
	return n
}
