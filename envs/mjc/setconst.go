package mjc

import (
	"fmt"
	"math"
)

// DefaultSolref is MuJoCo's default solref (timeconst 0.02 s, dampratio 1).
var DefaultSolref = [2]float64{0.02, 1}

// DefaultSolimp is MuJoCo's default solimp (d0, dwidth, width, midpoint, power).
var DefaultSolimp = [5]float64{0.9, 0.95, 0.001, 0.5, 2}

// SetConst validates the input fields of m, fills optional inputs left nil
// with MuJoCo's defaults, and computes every derived field (element counts,
// addresses, dof tree, root and weld bodies, subtree masses, qpos0 and
// qpos_spring when empty, geom bounding radii, and — from a forward pass at
// qpos0 — dof and body invweight0, dof M0 and the mean inertia), as
// mj_setConst. It returns an error naming the field when the inputs are
// inconsistent. It may be called again after inputs change.
func (m *Model) SetConst() error {
	m.ready = false
	nb := len(m.BodyParent)
	if nb == 0 {
		return fmt.Errorf("mjc: SetConst: no bodies (BodyParent is empty; body 0 is the world)")
	}
	m.Nbody = nb
	if err := checkLen("BodyPos", len(m.BodyPos), nb); err != nil {
		return err
	}
	if err := checkLen("BodyMass", len(m.BodyMass), nb); err != nil {
		return err
	}
	if err := checkLen("BodyInertia", len(m.BodyInertia), nb); err != nil {
		return err
	}
	m.BodyName = fillStr(m.BodyName, nb)
	if err := checkLen("BodyName", len(m.BodyName), nb); err != nil {
		return err
	}
	m.BodyQuat = fillQuat(m.BodyQuat, nb)
	m.BodyIQuat = fillQuat(m.BodyIQuat, nb)
	if m.BodyIPos == nil {
		m.BodyIPos = make([][3]float64, nb)
	}
	if err := checkLen("BodyIPos", len(m.BodyIPos), nb); err != nil {
		return err
	}
	if err := checkLen("BodyQuat", len(m.BodyQuat), nb); err != nil {
		return err
	}
	if err := checkLen("BodyIQuat", len(m.BodyIQuat), nb); err != nil {
		return err
	}
	if m.BodyParent[0] != 0 {
		return fmt.Errorf("mjc: SetConst: BodyParent[0] = %d, want 0 (world)", m.BodyParent[0])
	}
	for i := 1; i < nb; i++ {
		if p := m.BodyParent[i]; p < 0 || p >= i {
			return fmt.Errorf("mjc: SetConst: BodyParent[%d] = %d: parents must precede children", i, p)
		}
		if m.BodyMass[i] < 0 {
			return fmt.Errorf("mjc: SetConst: BodyMass[%d] = %g is negative", i, m.BodyMass[i])
		}
	}

	// Joints.
	nj := len(m.JntType)
	m.Njnt = nj
	if err := checkLen("JntBody", len(m.JntBody), nj); err != nil {
		return err
	}
	m.JntName = fillStr(m.JntName, nj)
	if m.JntLimited == nil {
		m.JntLimited = make([]bool, nj)
	}
	if m.JntPos == nil {
		m.JntPos = make([][3]float64, nj)
	}
	if m.JntAxis == nil {
		m.JntAxis = make([][3]float64, nj)
		for j := range m.JntAxis {
			m.JntAxis[j] = [3]float64{0, 0, 1}
		}
	}
	if m.JntRange == nil {
		m.JntRange = make([][2]float64, nj)
	}
	m.JntRef = fillF(m.JntRef, nj, 0)
	m.JntSpringRef = fillF(m.JntSpringRef, nj, 0)
	m.JntStiffness = fillF(m.JntStiffness, nj, 0)
	m.JntMargin = fillF(m.JntMargin, nj, 0)
	if m.JntSolref == nil {
		m.JntSolref = make([][2]float64, nj)
		for j := range m.JntSolref {
			m.JntSolref[j] = DefaultSolref
		}
	}
	if m.JntSolimp == nil {
		m.JntSolimp = make([][5]float64, nj)
		for j := range m.JntSolimp {
			m.JntSolimp[j] = DefaultSolimp
		}
	}
	for _, c := range []struct {
		name string
		n    int
	}{{"JntName", len(m.JntName)}, {"JntRef", len(m.JntRef)}, {"JntSpringRef", len(m.JntSpringRef)},
		{"JntStiffness", len(m.JntStiffness)}, {"JntMargin", len(m.JntMargin)}, {"JntLimited", len(m.JntLimited)}, {"JntPos", len(m.JntPos)}, {"JntAxis", len(m.JntAxis)},
		{"JntRange", len(m.JntRange)}, {"JntSolref", len(m.JntSolref)}, {"JntSolimp", len(m.JntSolimp)}} {
		if err := checkLen(c.name, c.n, nj); err != nil {
			return err
		}
	}
	m.BodyJntNum = resizeI(m.BodyJntNum, nb)
	m.BodyJntAdr = resizeI(m.BodyJntAdr, nb)
	m.BodyDofNum = resizeI(m.BodyDofNum, nb)
	m.BodyDofAdr = resizeI(m.BodyDofAdr, nb)
	for i := range nb {
		m.BodyJntNum[i], m.BodyJntAdr[i], m.BodyDofNum[i], m.BodyDofAdr[i] = 0, -1, 0, -1
	}
	m.JntQposAdr = resizeI(m.JntQposAdr, nj)
	m.JntDofAdr = resizeI(m.JntDofAdr, nj)
	nq, nv := 0, 0
	for j := range nj {
		b := m.JntBody[j]
		if b <= 0 || b >= nb {
			return fmt.Errorf("mjc: SetConst: JntBody[%d] = %d out of range [1, %d)", j, b, nb)
		}
		if j > 0 && b < m.JntBody[j-1] {
			return fmt.Errorf("mjc: SetConst: joints must be grouped by body in body order (joint %d on body %d after body %d)", j, b, m.JntBody[j-1])
		}
		var jq, jv int
		switch m.JntType[j] {
		case JointFree:
			jq, jv = 7, 6
			if m.BodyJntNum[b] > 0 {
				return fmt.Errorf("mjc: SetConst: free joint %d (%q) must be the only joint of body %d", j, m.JntName[j], b)
			}
		case JointBall:
			jq, jv = 4, 3
		case JointSlide, JointHinge:
			jq, jv = 1, 1
			a := m.JntAxis[j]
			n := math.Sqrt(dot3(a, a))
			if n < minVal {
				return fmt.Errorf("mjc: SetConst: JntAxis[%d] (%q) has zero length", j, m.JntName[j])
			}
			m.JntAxis[j] = [3]float64{a[0] / n, a[1] / n, a[2] / n}
		default:
			return fmt.Errorf("mjc: SetConst: JntType[%d] = %d is not a joint type", j, m.JntType[j])
		}
		if m.JntLimited[j] && m.JntRange[j][0] > m.JntRange[j][1] {
			return fmt.Errorf("mjc: SetConst: JntRange[%d] (%q) = %v: lower > upper", j, m.JntName[j], m.JntRange[j])
		}
		if m.BodyJntNum[b] == 0 {
			m.BodyJntAdr[b] = j
			m.BodyDofAdr[b] = nv
		} else if m.JntType[j] == JointFree || m.JntType[m.BodyJntAdr[b]] == JointFree {
			return fmt.Errorf("mjc: SetConst: free joint of body %d must be its only joint", b)
		}
		m.BodyJntNum[b]++
		m.BodyDofNum[b] += jv
		m.JntQposAdr[j] = nq
		m.JntDofAdr[j] = nv
		nq += jq
		nv += jv
	}
	m.Nq, m.Nv = nq, nv
	m.DofBody = resizeI(m.DofBody, nv)
	m.DofJnt = resizeI(m.DofJnt, nv)
	m.DofParent = resizeI(m.DofParent, nv)
	for j := range nj {
		n := jointDofs(m.JntType[j])
		for k := range n {
			m.DofBody[m.JntDofAdr[j]+k] = m.JntBody[j]
			m.DofJnt[m.JntDofAdr[j]+k] = j
		}
	}
	// last dof of each body or its nearest ancestor with dofs
	lastDof := make([]int, nb)
	lastDof[0] = -1
	for i := 1; i < nb; i++ {
		prev := lastDof[m.BodyParent[i]]
		if m.BodyDofNum[i] > 0 {
			for k := range m.BodyDofNum[i] {
				m.DofParent[m.BodyDofAdr[i]+k] = prev
				prev = m.BodyDofAdr[i] + k
			}
		}
		lastDof[i] = prev
	}
	m.mAdr = resizeI(m.mAdr, nv+1)
	m.mAnc = m.mAnc[:0]
	for k := range nv {
		m.mAdr[k] = len(m.mAnc)
		for i := m.DofParent[k]; i >= 0; i = m.DofParent[i] {
			m.mAnc = append(m.mAnc, i)
		}
	}
	m.mAdr[nv] = len(m.mAnc)
	m.nM = len(m.mAnc)
	m.DofArmature = fillF(m.DofArmature, nv, 0)
	m.DofDamping = fillF(m.DofDamping, nv, 0)
	m.DofFrictionloss = fillF(m.DofFrictionloss, nv, 0)
	for _, c := range []struct {
		name string
		n    int
	}{{"DofArmature", len(m.DofArmature)}, {"DofDamping", len(m.DofDamping)}, {"DofFrictionloss", len(m.DofFrictionloss)}} {
		if err := checkLen(c.name, c.n, nv); err != nil {
			return err
		}
	}
	m.hasDamp = false
	for i := range nv {
		if m.DofFrictionloss[i] != 0 {
			return fmt.Errorf("mjc: SetConst: DofFrictionloss[%d] = %g: frictionloss is not supported", i, m.DofFrictionloss[i])
		}
		if m.DofDamping[i] < 0 || m.DofArmature[i] < 0 {
			return fmt.Errorf("mjc: SetConst: dof %d has negative damping or armature", i)
		}
		if m.DofDamping[i] > 0 {
			m.hasDamp = true
		}
	}

	// qpos0 and qpos_spring.
	if len(m.Qpos0) == 0 {
		m.Qpos0 = make([]float64, nq)
		fillQpos(m, m.Qpos0, m.JntRef)
	}
	if len(m.QposSpring) == 0 {
		m.QposSpring = make([]float64, nq)
		fillQpos(m, m.QposSpring, m.JntSpringRef)
	}
	if err := checkLen("Qpos0", len(m.Qpos0), nq); err != nil {
		return err
	}
	if err := checkLen("QposSpring", len(m.QposSpring), nq); err != nil {
		return err
	}

	// Root, weld, subtree mass.
	m.BodyRoot = resizeI(m.BodyRoot, nb)
	m.BodyWeld = resizeI(m.BodyWeld, nb)
	m.BodySubtreeMass = resizeF(m.BodySubtreeMass, nb)
	for i := range nb {
		switch {
		case i == 0:
			m.BodyRoot[i] = 0
			m.BodyWeld[i] = 0
		default:
			if m.BodyParent[i] == 0 {
				m.BodyRoot[i] = i
			} else {
				m.BodyRoot[i] = m.BodyRoot[m.BodyParent[i]]
			}
			if m.BodyJntNum[i] > 0 {
				m.BodyWeld[i] = i
			} else {
				m.BodyWeld[i] = m.BodyWeld[m.BodyParent[i]]
			}
		}
		m.BodySubtreeMass[i] = m.BodyMass[i]
	}
	for i := nb - 1; i > 0; i-- {
		m.BodySubtreeMass[m.BodyParent[i]] += m.BodySubtreeMass[i]
	}

	// Geoms.
	ng := len(m.GeomType)
	m.Ngeom = ng
	if err := checkLen("GeomBody", len(m.GeomBody), ng); err != nil {
		return err
	}
	if err := checkLen("GeomSize", len(m.GeomSize), ng); err != nil {
		return err
	}
	m.GeomName = fillStr(m.GeomName, ng)
	if err := checkLen("GeomName", len(m.GeomName), ng); err != nil {
		return err
	}
	m.GeomContype = fillI(m.GeomContype, ng, 1)
	m.GeomConaffinity = fillI(m.GeomConaffinity, ng, 1)
	m.GeomCondim = fillI(m.GeomCondim, ng, 3)
	m.GeomPriority = fillI(m.GeomPriority, ng, 0)
	if m.GeomPos == nil {
		m.GeomPos = make([][3]float64, ng)
	}
	m.GeomQuat = fillQuat(m.GeomQuat, ng)
	if m.GeomFriction == nil {
		m.GeomFriction = make([][3]float64, ng)
		for i := range m.GeomFriction {
			m.GeomFriction[i] = [3]float64{1, 0.005, 0.0001}
		}
	}
	m.GeomMargin = fillF(m.GeomMargin, ng, 0)
	m.GeomGap = fillF(m.GeomGap, ng, 0)
	m.GeomSolmix = fillF(m.GeomSolmix, ng, 1)
	if m.GeomSolref == nil {
		m.GeomSolref = make([][2]float64, ng)
		for i := range m.GeomSolref {
			m.GeomSolref[i] = DefaultSolref
		}
	}
	if m.GeomSolimp == nil {
		m.GeomSolimp = make([][5]float64, ng)
		for i := range m.GeomSolimp {
			m.GeomSolimp[i] = DefaultSolimp
		}
	}
	for _, c := range []struct {
		name string
		n    int
	}{{"GeomContype", len(m.GeomContype)}, {"GeomConaffinity", len(m.GeomConaffinity)},
		{"GeomCondim", len(m.GeomCondim)}, {"GeomPriority", len(m.GeomPriority)}, {"GeomPos", len(m.GeomPos)},
		{"GeomQuat", len(m.GeomQuat)}, {"GeomFriction", len(m.GeomFriction)}, {"GeomMargin", len(m.GeomMargin)},
		{"GeomGap", len(m.GeomGap)}, {"GeomSolmix", len(m.GeomSolmix)}, {"GeomSolref", len(m.GeomSolref)},
		{"GeomSolimp", len(m.GeomSolimp)}} {
		if err := checkLen(c.name, c.n, ng); err != nil {
			return err
		}
	}
	m.GeomRBound = resizeF(m.GeomRBound, ng)
	m.geomLocalI = make([]bool, ng)
	for i := range ng {
		m.geomLocalI[i] = m.GeomQuat[i] == [4]float64{1, 0, 0, 0}
	}
	m.bodyIQuatI = make([]bool, nb)
	for i := range nb {
		m.bodyIQuatI[i] = m.BodyIQuat[i] == [4]float64{1, 0, 0, 0}
	}
	maxRows := 1
	for i := range ng {
		if b := m.GeomBody[i]; b < 0 || b >= nb {
			return fmt.Errorf("mjc: SetConst: GeomBody[%d] = %d out of range", i, b)
		}
		s := m.GeomSize[i]
		switch m.GeomType[i] {
		case GeomPlane:
			m.GeomRBound[i] = 0
		case GeomSphere:
			m.GeomRBound[i] = s[0]
		case GeomCapsule:
			m.GeomRBound[i] = s[0] + s[1]
		case GeomCylinder:
			m.GeomRBound[i] = math.Sqrt(s[0]*s[0] + s[1]*s[1])
		case GeomEllipsoid:
			m.GeomRBound[i] = math.Max(s[0], math.Max(s[1], s[2]))
		case GeomBox:
			m.GeomRBound[i] = math.Sqrt(dot3(s, s))
		default:
			return fmt.Errorf("mjc: SetConst: GeomType[%d] = %d is not supported", i, m.GeomType[i])
		}
		switch m.GeomCondim[i] {
		case 1:
		case 3:
			maxRows = max(maxRows, 4)
		case 4:
			maxRows = max(maxRows, 6)
		case 6:
			maxRows = max(maxRows, 10)
		default:
			return fmt.Errorf("mjc: SetConst: GeomCondim[%d] = %d, want 1, 3, 4 or 6", i, m.GeomCondim[i])
		}
	}

	// Sites.
	ns := len(m.SiteBody)
	m.Nsite = ns
	m.SiteName = fillStr(m.SiteName, ns)
	if err := checkLen("SiteName", len(m.SiteName), ns); err != nil {
		return err
	}
	if err := checkLen("SitePos", len(m.SitePos), ns); err != nil {
		return err
	}
	m.SiteQuat = fillQuat(m.SiteQuat, ns)
	for i := range ns {
		if b := m.SiteBody[i]; b < 0 || b >= nb {
			return fmt.Errorf("mjc: SetConst: SiteBody[%d] = %d out of range", i, b)
		}
	}

	// Actuators.
	nu := len(m.ActTrnID)
	m.Nu = nu
	m.Na = 0
	m.ActName = fillStr(m.ActName, nu)
	if err := checkLen("ActName", len(m.ActName), nu); err != nil {
		return err
	}
	m.ActGear = fillF(m.ActGear, nu, 1)
	m.ActGain = fillF(m.ActGain, nu, 1)
	if m.ActCtrlLimited == nil {
		m.ActCtrlLimited = make([]bool, nu)
	}
	if m.ActCtrlRange == nil {
		m.ActCtrlRange = make([][2]float64, nu)
	}
	if m.ActForceLimited == nil {
		m.ActForceLimited = make([]bool, nu)
	}
	if m.ActForceRange == nil {
		m.ActForceRange = make([][2]float64, nu)
	}
	for _, c := range []struct {
		name string
		n    int
	}{{"ActGear", len(m.ActGear)}, {"ActGain", len(m.ActGain)}, {"ActCtrlLimited", len(m.ActCtrlLimited)},
		{"ActCtrlRange", len(m.ActCtrlRange)}, {"ActForceLimited", len(m.ActForceLimited)}, {"ActForceRange", len(m.ActForceRange)}} {
		if err := checkLen(c.name, c.n, nu); err != nil {
			return err
		}
	}
	for i := range nu {
		j := m.ActTrnID[i]
		if j < 0 || j >= nj {
			return fmt.Errorf("mjc: SetConst: ActTrnID[%d] = %d is not a joint", i, j)
		}
		if t := m.JntType[j]; t != JointHinge && t != JointSlide {
			return fmt.Errorf("mjc: SetConst: actuator %d (%q) drives joint %q of type %d: only hinge and slide are supported", i, m.ActName[i], m.JntName[j], t)
		}
	}

	// Constraint capacity.
	m.limitCap = 0
	for j := range nj {
		if m.JntLimited[j] {
			switch m.JntType[j] {
			case JointHinge, JointSlide:
				m.limitCap += 2
			case JointBall:
				m.limitCap++
			}
		}
	}
	if m.NconMax <= 0 {
		m.NconMax = max(32, 4*ng)
	}
	m.efcCap = m.limitCap + m.NconMax*maxRows
	m.colPairs = m.colPairs[:0]
	for g1 := range ng {
		for g2 := g1 + 1; g2 < ng; g2++ {
			if staticCollidable(m, g1, g2) {
				m.colPairs = append(m.colPairs, [2]int{g1, g2})
			}
		}
	}

	m.ready = true
	return m.setInvWeight()
}

// setInvWeight runs a forward position pass at qpos0 and computes the
// invweight0 fields, dof M0 and the mean inertia.
func (m *Model) setInvWeight() error {
	d := NewData(m)
	kinematics(m, d)
	comPos(m, d)
	crb(m, d)
	if err := factorM(m, &d.qM, &d.qLD); err != nil {
		m.ready = false
		return fmt.Errorf("mjc: SetConst: mass matrix at qpos0: %w", err)
	}
	nv, nb := m.Nv, m.Nbody
	m.DofM0 = resizeF(m.DofM0, nv)
	m.DofInvWeight0 = resizeF(m.DofInvWeight0, nv)
	m.MeanInertia = 0
	for i := range nv {
		m.DofM0[i] = d.M[i*nv+i]
		m.MeanInertia += d.M[i*nv+i]
	}
	if nv > 0 {
		m.MeanInertia /= float64(nv)
	} else {
		m.MeanInertia = 1
	}
	// M⁻¹ columns.
	minv := make([]float64, nv*nv)
	col := make([]float64, nv)
	for i := range nv {
		clear(col)
		col[i] = 1
		solveM(m, &d.qLD, col)
		for k := range nv {
			minv[k*nv+i] = col[k]
		}
	}
	for j := range m.Njnt {
		a := m.JntDofAdr[j]
		switch m.JntType[j] {
		case JointFree:
			t := (minv[a*nv+a] + minv[(a+1)*nv+a+1] + minv[(a+2)*nv+a+2]) / 3
			r := (minv[(a+3)*nv+a+3] + minv[(a+4)*nv+a+4] + minv[(a+5)*nv+a+5]) / 3
			for k := range 3 {
				m.DofInvWeight0[a+k] = t
				m.DofInvWeight0[a+3+k] = r
			}
		case JointBall:
			r := (minv[a*nv+a] + minv[(a+1)*nv+a+1] + minv[(a+2)*nv+a+2]) / 3
			for k := range 3 {
				m.DofInvWeight0[a+k] = r
			}
		default:
			m.DofInvWeight0[a] = minv[a*nv+a]
		}
	}
	m.BodyInvWeight0 = make([][2]float64, nb)
	jac := make([]float64, 6*nv)
	tmp := make([]float64, 6*nv)
	for b := 1; b < nb; b++ {
		if m.BodyWeld[b] == 0 {
			continue
		}
		jacPoint(m, d, b, d.Xipos[b], jac[:3*nv], jac[3*nv:])
		// tmp = J M⁻¹ (6×nv)
		for r := range 6 {
			for k := range nv {
				s := 0.0
				for l := range nv {
					s += jac[r*nv+l] * minv[l*nv+k]
				}
				tmp[r*nv+k] = s
			}
		}
		var diag [6]float64
		for r := range 6 {
			s := 0.0
			for k := range nv {
				s += tmp[r*nv+k] * jac[r*nv+k]
			}
			diag[r] = s
		}
		m.BodyInvWeight0[b] = [2]float64{(diag[0] + diag[1] + diag[2]) / 3, (diag[3] + diag[4] + diag[5]) / 3}
	}
	return nil
}

func jointDofs(t JointType) int {
	switch t {
	case JointFree:
		return 6
	case JointBall:
		return 3
	}
	return 1
}

func fillQpos(m *Model, dst, ref []float64) {
	for j := range m.Njnt {
		a := m.JntQposAdr[j]
		b := m.JntBody[j]
		switch m.JntType[j] {
		case JointFree:
			p, q := m.BodyPos[b], m.BodyQuat[b]
			copy(dst[a:a+3], p[:])
			copy(dst[a+3:a+7], q[:])
		case JointBall:
			copy(dst[a:a+4], []float64{1, 0, 0, 0})
		default:
			dst[a] = ref[j]
		}
	}
}

func checkLen(name string, got, want int) error {
	if got != want {
		return fmt.Errorf("mjc: SetConst: len(%s) = %d, want %d", name, got, want)
	}
	return nil
}

func fillStr(s []string, n int) []string {
	if s == nil {
		return make([]string, n)
	}
	return s
}

func fillF(s []float64, n int, v float64) []float64 {
	if s == nil {
		s = make([]float64, n)
		for i := range s {
			s[i] = v
		}
	}
	return s
}

func fillI(s []int, n int, v int) []int {
	if s == nil {
		s = make([]int, n)
		for i := range s {
			s[i] = v
		}
	}
	return s
}

func fillQuat(s [][4]float64, n int) [][4]float64 {
	if s == nil {
		s = make([][4]float64, n)
		for i := range s {
			s[i] = [4]float64{1, 0, 0, 0}
		}
	}
	return s
}

func resizeI(s []int, n int) []int {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]int, n)
}

func resizeF(s []float64, n int) []float64 {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]float64, n)
}
