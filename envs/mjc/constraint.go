package mjc

import "math"

const (
	minImp = 0.0001 // mjMINIMP
	maxImp = 0.9999 // mjMAXIMP
)

// addRow appends a constraint row with an all-zero Jacobian and returns its
// index, or −1 when the row capacity is exhausted. The caller fills
// EfcJ[i*nv:(i+1)*nv]. Contacts reuse it: one row per pyramid edge.
func addRow(m *Model, d *Data, typ ConstraintType, id int, pos, margin, diagApprox float64, solref [2]float64, solimp [5]float64) int {
	i := d.Nefc
	if i >= m.efcCap {
		return -1
	}
	nv := m.Nv
	clear(d.EfcJ[i*nv : (i+1)*nv])
	d.EfcType[i] = typ
	d.EfcID[i] = id
	d.EfcPos[i] = pos
	d.EfcMargin[i] = margin
	d.EfcDiagApprox[i] = diagApprox
	k, b, imp, impP := solParams(m, pos, margin, solref, solimp)
	d.EfcKBIP[i] = [4]float64{k, b, imp, impP}
	r := math.Max(minVal, (1-imp)*diagApprox/imp)
	d.EfcR[i] = r
	d.EfcD[i] = 1 / r
	d.Nefc++
	return i
}

// solParams returns the stiffness K, damping B, impedance d and its
// derivative for a row with residual pos and margin (MuJoCo's getsolparam,
// getimpedance and makeImpedance).
func solParams(m *Model, pos, margin float64, solref [2]float64, solimp [5]float64) (k, b, imp, impP float64) {
	d0 := math.Min(math.Max(solimp[0], minImp), maxImp)
	dw := math.Min(math.Max(solimp[1], minImp), maxImp)
	width := math.Max(0, solimp[2])
	mid := math.Min(math.Max(solimp[3], minImp), maxImp)
	power := math.Max(1, solimp[4])

	// impedance
	switch x := (pos - margin); {
	case d0 == dw || width <= minVal:
		imp = 0.5 * (d0 + dw)
	default:
		sgn := 1.0
		x /= width
		if x < 0 {
			x, sgn = -x, -1
		}
		if x >= 1 || x <= 0 {
			if x >= 1 {
				imp = dw
			} else {
				imp = d0
			}
			break
		}
		var y, yP float64
		switch {
		case power == 1:
			y, yP = x, 1
		case power == 2 && x <= mid:
			y = x * x / mid
			yP = 2 * x / mid
		case power == 2:
			y = 1 - (1-x)*(1-x)/(1-mid)
			yP = 2 * (1 - x) / (1 - mid)
		case x <= mid:
			a := 1 / math.Pow(mid, power-1)
			y = a * math.Pow(x, power)
			yP = power * a * math.Pow(x, power-1)
		default:
			a := 1 / math.Pow(1-mid, power-1)
			y = 1 - a*math.Pow(1-x, power)
			yP = power * a * math.Pow(1-x, power-1)
		}
		imp = d0 + y*(dw-d0)
		impP = yP * sgn * (dw - d0) / width
	}

	// reference stiffness and damping
	tc, dr := solref[0], solref[1]
	if tc > 0 {
		if m.Opt.Disable&DisableRefsafe == 0 {
			tc = math.Max(tc, 2*m.Opt.Timestep)
		}
		k = 1 / (dw * dw * tc * tc * dr * dr)
		b = 2 / (dw * tc)
	} else {
		k = -tc / (dw * dw)
		b = -dr / dw
	}
	return k, b, imp, impP
}

// instantiateLimits adds one row per violated side of every limited joint.
func instantiateLimits(m *Model, d *Data) {
	nv := m.Nv
	for j := range m.Njnt {
		if !m.JntLimited[j] {
			continue
		}
		t := m.JntType[j]
		if t != JointHinge && t != JointSlide {
			continue // ball limits are not needed by the supported models
		}
		q := d.Qpos[m.JntQposAdr[j]]
		da := m.JntDofAdr[j]
		margin := m.JntMargin[j]
		for side := -1; side <= 1; side += 2 {
			var dist float64
			if side < 0 {
				dist = q - m.JntRange[j][0]
			} else {
				dist = m.JntRange[j][1] - q
			}
			if dist < margin {
				i := addRow(m, d, ConstraintLimitJoint, j, dist, margin, m.DofInvWeight0[da], m.JntSolref[j], m.JntSolimp[j])
				if i < 0 {
					return
				}
				d.EfcJ[i*nv+da] = -float64(side)
			}
		}
	}
}

// makeConstraint builds the constraint rows of the current position and,
// for the PGS solver, projects them: M⁻¹Jᵀ and AR = J M⁻¹ Jᵀ + diag(R).
func makeConstraint(m *Model, d *Data) {
	d.Nefc = 0
	if m.Opt.Disable&DisableConstraint != 0 {
		return
	}
	if m.Opt.Disable&DisableLimit == 0 {
		instantiateLimits(m, d)
	}
	if m.Opt.Disable&DisableContact == 0 {
		instantiateContacts(m, d)
	}
	if m.Opt.Solver == SolverPGS {
		projectConstraint(m, d) // the dual solver needs AR; Newton does not
	}
}

// projectConstraint computes efcMinvJT and EfcAR.
func projectConstraint(m *Model, d *Data) {
	nv, n := m.Nv, d.Nefc
	if n == 0 {
		return
	}
	for i := range n {
		row := d.efcMinvJT[i*nv : (i+1)*nv]
		copy(row, d.EfcJ[i*nv:(i+1)*nv])
		solveM(m, &d.qLD, row)
	}
	for i := range n {
		ji := d.EfcJ[i*nv : (i+1)*nv]
		for k := i; k < n; k++ {
			s := dot(ji, d.efcMinvJT[k*nv:(k+1)*nv])
			d.EfcAR[i*n+k] = s
			d.EfcAR[k*n+i] = s
		}
		d.EfcAR[i*n+i] += d.EfcR[i]
	}
}

// referenceConstraint computes EfcVel = J·qvel and EfcAref.
func referenceConstraint(m *Model, d *Data) {
	nv := m.Nv
	for i := range d.Nefc {
		ji := d.EfcJ[i*nv : (i+1)*nv]
		s := dot(ji, d.Qvel)
		d.EfcVel[i] = s
		kb := &d.EfcKBIP[i]
		d.EfcAref[i] = -kb[1]*s - kb[0]*kb[2]*(d.EfcPos[i]-d.EfcMargin[i])
	}
}

// solveConstraint computes EfcB = J·qacc_smooth − aref and solves for the
// constraint forces with the model's solver: SolverPGS runs projected
// Gauss–Seidel on the dual problem min ½fᵀ(AR)f + fᵀb, f ≥ 0, warm-started
// from the forces implied by QaccWarmstart (kept only if their dual cost is
// below zero's, as MuJoCo 2.2.2), then QfrcConstraint = Jᵀf and Qacc = QaccSmooth + M⁻¹Jᵀf;
// SolverNewton and SolverCG use the primal Newton solver (solveNewton), which
// reaches the same optimum.
func solveConstraint(m *Model, d *Data) {
	nv, n := m.Nv, d.Nefc
	copy(d.Qacc, d.QaccSmooth)
	clear(d.QfrcConstraint)
	d.SolverIter = 0
	if n == 0 {
		return
	}
	f := d.EfcForce[:n]
	ar := d.EfcAR[:n*n]
	b := d.EfcB[:n]
	for i := range n {
		ji := d.EfcJ[i*nv : (i+1)*nv]
		s := dot(ji, d.QaccSmooth)
		b[i] = s - d.EfcAref[i]
	}
	if m.Opt.Solver != SolverPGS {
		solveNewton(m, d)
		return
	}
	// Warm start as MuJoCo 2.2.2's mj_fwdConstraint for the dual solver: the
	// forces implied by qacc_warmstart, f = −D·min(0, J·qacc_ws − aref), kept
	// only if their dual cost is below zero's.
	clear(f)
	if m.Opt.Disable&DisableWarmstart == 0 {
		for i := range n {
			ji := d.EfcJ[i*nv : (i+1)*nv]
			s := dot(ji, d.QaccWarmstart)
			if jar := s - d.EfcAref[i]; jar < 0 {
				f[i] = -d.EfcD[i] * jar
			}
		}
		if dualCost(ar, b, f) > 0 {
			clear(f)
		}
	}
	scale := 1 / (m.MeanInertia * math.Max(1, float64(nv)))
	arInv := d.efcJp[:n] // 1/AR_ii (MuJoCo's ARinv)
	for i := range n {
		arInv[i] = 1 / math.Max(ar[i*n+i], minVal)
	}
	for iter := 0; iter < m.Opt.Iterations; iter++ {
		improvement := 0.0
		for i := range n {
			row := ar[i*n : (i+1)*n]
			res := b[i] + dot(row, f)
			old := f[i]
			fi := old - res*arInv[i]
			if fi < 0 {
				fi = 0
			}
			f[i] = fi
			delta := fi - old
			improvement -= 0.5*delta*delta*row[i] + delta*res
		}
		d.SolverIter = iter + 1
		if improvement*scale < m.Opt.Tolerance {
			break
		}
	}
	for i := range n {
		fi := f[i]
		if fi == 0 {
			continue
		}
		ji := d.EfcJ[i*nv : (i+1)*nv]
		mi := d.efcMinvJT[i*nv : (i+1)*nv]
		for l := range nv {
			d.QfrcConstraint[l] += ji[l] * fi
			d.Qacc[l] += mi[l] * fi
		}
	}
}

func dualCost(ar, b, f []float64) float64 {
	n := len(b)
	c := 0.0
	for i := range n {
		if f[i] == 0 {
			continue
		}
		s := dot(ar[i*n:(i+1)*n], f)
		c += f[i] * (0.5*s + b[i])
	}
	return c
}
