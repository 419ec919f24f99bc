package mjc

import "math"

// solveNewton solves the constraint problem in MuJoCo's primal form
//
//	min_a ½(a − a₀)ᵀM(a − a₀) + Σᵢ ½·Dᵢ·min(0, (J a − aref)ᵢ)²,  a₀ = qacc_smooth,
//
// whose minimiser is the same qacc as the dual problem PGS solves (for
// joint limits and pyramidal contacts every row is an inequality), by
// Newton's method with the Hessian M + Jᵀ·diag(D·active)·J and an exact
// line search on the piecewise-quadratic cost, starting from qacc_warmstart
// when its cost is lower than qacc_smooth's (as MuJoCo's Newton solver).
// It sets Qacc, EfcForce = −D·(J qacc − aref) on active rows, QfrcConstraint
// = Jᵀf and SolverIter.
func solveNewton(m *Model, d *Data) {
	nv, n := m.Nv, d.Nefc
	x := d.Qacc
	x0 := d.QaccSmooth
	jar := d.efcJar[:n]
	jp := d.efcJp[:n]
	mx, g, p, mp := d.tmpNv[0], d.tmpNv[1], d.tmpNv[2], d.tmpNv[3]
	J := d.EfcJ[:n*nv]

	// starting point: qacc_smooth (Gauss cost 0, jar = efc_b) or the warm start
	copy(x, x0)
	copy(jar, d.EfcB[:n])
	copy(mx, d.QfrcSmooth) // M·qacc_smooth = qfrc_smooth
	cost := constraintCost(d, jar)
	if m.Opt.Disable&DisableWarmstart == 0 {
		ws := d.QaccWarmstart
		mulM(m, d, ws, g)
		jws := jp
		for i := range n {
			row := J[i*nv : (i+1)*nv]
			s := dot(row, ws)
			jws[i] = s - d.EfcAref[i]
		}
		cws := gaussCost(x0, ws, g, d.QfrcSmooth) + constraintCost(d, jws)
		if cws < cost {
			copy(x, ws)
			copy(mx, g)
			copy(jar, jws)
			cost = cws
		}
	}
	scale := 1 / (m.MeanInertia * math.Max(1, float64(nv)))
	H := d.newtonH
	// With joint-limit rows only (one ±1 Jacobian entry each), JᵀDJ is
	// diagonal and H keeps the tree sparsity of M: factor it with factorM.
	treeH := true
	for i := range n {
		if d.EfcType[i] != ConstraintLimitJoint {
			treeH = false
			break
		}
	}
	d.SolverIter = 0
	for iter := 0; iter < m.Opt.Iterations; iter++ {
		// gradient g = M(x − x0) + Jᵀ(D·jar·active)
		gn := 0.0
		for k := range nv {
			g[k] = mx[k] - d.QfrcSmooth[k]
		}
		for i := range n {
			if jar[i] < 0 {
				w := d.EfcD[i] * jar[i]
				row := J[i*nv : (i+1)*nv]
				for k, v := range row {
					g[k] += w * v
				}
			}
		}
		for _, v := range g {
			gn += v * v
		}
		if math.Sqrt(gn)*scale < m.Opt.Tolerance {
			break
		}
		if treeH {
			// H = M + Σ_active D_i·e_dof e_dofᵀ in tree-sparse form
			hs := &d.qN
			hs.copyFrom(&d.qM)
			for i := range n {
				if jar[i] < 0 {
					dof := m.JntDofAdr[d.EfcID[i]]
					v := J[i*nv+dof]
					hs.D[dof] += d.EfcD[i] * v * v
				}
			}
			if factorM(m, hs, hs) != nil {
				break // cannot happen for M positive definite; keep the current point
			}
			for k := range nv {
				p[k] = -g[k]
			}
			solveM(m, hs, p)
		} else {
			// Hessian H = M + Jᵀ diag(D·active) J (lower triangle), Cholesky in place
			copy(H, d.M)
			for i := range n {
				if jar[i] < 0 {
					w := d.EfcD[i]
					row := J[i*nv : (i+1)*nv]
					for a, va := range row {
						if va == 0 {
							continue
						}
						wa := w * va
						h := H[a*nv : a*nv+a+1]
						rb := row[:len(h)]
						for b, vb := range rb {
							h[b] += wa * vb
						}
					}
				}
			}
			if !cholesky(H, nv) {
				break // cannot happen for M positive definite; keep the current point
			}
			for k := range nv {
				p[k] = -g[k]
			}
			cholSolve(H, nv, p)
		}
		// exact line search along p
		mulM(m, d, p, mp)
		for i := range n {
			row := J[i*nv : (i+1)*nv]
			s := dot(row, p)
			jp[i] = s
		}
		alpha := lineSearch(d, x, x0, p, mp, jar, jp)
		if alpha <= 0 {
			break
		}
		for k := range nv {
			x[k] += alpha * p[k]
			mx[k] += alpha * mp[k]
		}
		for i := range n {
			jar[i] += alpha * jp[i]
		}
		newCost := gaussCost(x0, x, mx, d.QfrcSmooth) + constraintCost(d, jar)
		d.SolverIter = iter + 1
		improvement := cost - newCost
		cost = newCost
		if improvement*scale < m.Opt.Tolerance {
			break
		}
	}
	// forces from the final point
	clear(d.QfrcConstraint)
	for i := range n {
		f := 0.0
		if jar[i] < 0 {
			f = -d.EfcD[i] * jar[i]
		}
		d.EfcForce[i] = f
		if f != 0 {
			row := J[i*nv : (i+1)*nv]
			for k, v := range row {
				d.QfrcConstraint[k] += v * f
			}
		}
	}
}

// gaussCost returns ½(x − x0)ᵀ(Mx − M·x0) given mx = M·x and mx0 = M·x0.
func gaussCost(x0, x, mx, mx0 []float64) float64 {
	c := 0.0
	for k := range x {
		c += (x[k] - x0[k]) * (mx[k] - mx0[k])
	}
	return 0.5 * c
}

// constraintCost returns Σ ½·Dᵢ·min(0, jarᵢ)².
func constraintCost(d *Data, jar []float64) float64 {
	c := 0.0
	for i, j := range jar {
		if j < 0 {
			c += 0.5 * d.EfcD[i] * j * j
		}
	}
	return c
}

// lineSearch returns the exact minimiser α ≥ 0 of the cost along p: the
// derivative c′(α) = (x − x0)ᵀMp + α·pᵀMp + Σ_active Dᵢ(jarᵢ + α·Jpᵢ)Jpᵢ is
// piecewise linear and non-decreasing; walk its breakpoints in increasing
// order (each found by a linear scan: the root is usually within the first
// few) until c′ changes sign.
func lineSearch(d *Data, x, x0, p, mp, jar, jp []float64) float64 {
	deriv, slope := 0.0, 0.0
	for k := range p {
		deriv += (x[k] - x0[k]) * mp[k]
		slope += p[k] * mp[k]
	}
	for i := range jar {
		j, v := jar[i], jp[i]
		if j < 0 || (j == 0 && v < 0) {
			deriv += d.EfcD[i] * j * v
			slope += d.EfcD[i] * v * v
		}
	}
	if deriv >= 0 || slope <= 0 {
		return 0
	}
	prev := 0.0
	for {
		// next breakpoint after prev
		next, row := math.Inf(1), -1
		for i := range jar {
			if v := jp[i]; v != 0 {
				if a := -jar[i] / v; a > prev && a < next {
					next, row = a, i
				}
			}
		}
		if row < 0 || deriv+slope*(next-prev) >= 0 {
			return prev - deriv/slope
		}
		deriv += slope * (next - prev)
		prev = next
		// every row with this breakpoint changes activity
		for i := range jar {
			if v := jp[i]; v != 0 && -jar[i]/v == next {
				w := d.EfcD[i] * v * v
				if v < 0 {
					slope += w // becomes active
				} else {
					slope -= w // becomes inactive
				}
			}
		}
		if slope <= 0 {
			return prev
		}
	}
}

// mulM writes M·x to dst using the tree-sparse M (d.qM).
func mulM(m *Model, d *Data, x, dst []float64) {
	nv := m.Nv
	L, D := d.qM.L, d.qM.D[:nv]
	adr, anc := m.mAdr, m.mAnc
	x, dst = x[:nv], dst[:nv]
	for i, di := range D {
		dst[i] = di * x[i]
	}
	for i := range nv {
		xi := x[i]
		s := dst[i]
		for p := adr[i]; p < adr[i+1]; p++ {
			j := anc[p]
			s += L[p] * x[j]
			dst[j] += L[p] * xi
		}
		dst[i] = s
	}
}

// cholesky factors the symmetric positive definite n×n matrix whose lower
// triangle is in a (row-major) into L·Lᵀ in place (lower triangle); it
// reports false if a pivot is not positive.
func cholesky(a []float64, n int) bool {
	for j := range n {
		rj := a[j*n : j*n+j+1]
		lj := rj[:j]
		s := rj[j]
		for _, v := range lj {
			s -= v * v
		}
		if !(s > minVal) {
			return false
		}
		ljj := math.Sqrt(s)
		rj[j] = ljj
		inv := 1 / ljj
		for i := j + 1; i < n; i++ {
			ri := a[i*n : i*n+j+1]
			li := ri[:len(lj)]
			s := ri[j]
			for k, v := range li {
				s -= v * lj[k]
			}
			ri[j] = s * inv
		}
	}
	return true
}

// cholSolve overwrites b with (L Lᵀ)⁻¹ b for the factor of cholesky.
func cholSolve(l []float64, n int, b []float64) {
	b = b[:n]
	for i := range b {
		ri := l[i*n : i*n+i+1]
		bi := b[:len(ri)-1]
		s := b[i]
		for k, v := range bi {
			s -= ri[k] * v
		}
		b[i] = s / ri[i]
	}
	for i := n - 1; i >= 0; i-- {
		s := b[i]
		for k := i + 1; k < n; k++ {
			s -= l[k*n+i] * b[k]
		}
		b[i] = s / l[i*n+i]
	}
}
