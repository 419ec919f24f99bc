package mjc

import (
	"cmp"
	"math"
	"slices"
)

// breakpoint is a step length at which a constraint row changes its
// activity along a line-search direction.
type breakpoint struct {
	alpha float64
	row   int
}

func cmpBreakpoint(a, b breakpoint) int { return cmp.Compare(a.alpha, b.alpha) }

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
	g, p, mp := d.tmpNv[1], d.tmpNv[2], d.tmpNv[3]
	J := d.EfcJ[:n*nv]

	// starting point
	copy(x, x0)
	cost := primalCost(m, d, x, jar)
	if m.Opt.Disable&DisableWarmstart == 0 {
		cws := primalCost(m, d, d.QaccWarmstart, d.efcJp[:n])
		if cws < cost {
			copy(x, d.QaccWarmstart)
			cost = primalCost(m, d, x, jar)
		}
	}
	scale := 1 / (m.MeanInertia * math.Max(1, float64(nv)))
	H := d.newtonH
	d.SolverIter = 0
	for iter := 0; iter < m.Opt.Iterations; iter++ {
		// gradient g = M(x − x0) + Jᵀ(D·jar·active)
		for k := range nv {
			mp[k] = x[k] - x0[k]
		}
		mulM(m, d, mp, g)
		for i := range n {
			if jar[i] < 0 {
				w := d.EfcD[i] * jar[i]
				row := J[i*nv : (i+1)*nv]
				for k, v := range row {
					g[k] += w * v
				}
			}
		}
		gn := 0.0
		for _, v := range g {
			gn += v * v
		}
		if math.Sqrt(gn)*scale < m.Opt.Tolerance {
			break
		}
		// Hessian H = M + Jᵀ diag(D·active) J, Cholesky in place
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
					for b := range h {
						h[b] += wa * row[b]
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
		// exact line search along p
		mulM(m, d, p, mp)
		for i := range n {
			row := J[i*nv : (i+1)*nv]
			s := 0.0
			for k, v := range row {
				s += v * p[k]
			}
			jp[i] = s
		}
		alpha := lineSearch(d, x, x0, p, mp, jar, jp)
		if alpha <= 0 {
			break
		}
		for k := range nv {
			x[k] += alpha * p[k]
		}
		newCost := primalCost(m, d, x, jar)
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

// primalCost returns the primal constraint cost at qacc a and writes
// jar = J a − aref.
func primalCost(m *Model, d *Data, a, jar []float64) float64 {
	nv, n := m.Nv, d.Nefc
	dx := d.tmpNv[0]
	for k := range nv {
		dx[k] = a[k] - d.QaccSmooth[k]
	}
	c := 0.0
	for r := range nv {
		row := d.M[r*nv : (r+1)*nv]
		s := 0.0
		for k, v := range row {
			s += v * dx[k]
		}
		c += s * dx[r]
	}
	c *= 0.5
	for i := range n {
		row := d.EfcJ[i*nv : (i+1)*nv]
		s := 0.0
		for k, v := range row {
			s += v * a[k]
		}
		j := s - d.EfcAref[i]
		jar[i] = j
		if j < 0 {
			c += 0.5 * d.EfcD[i] * j * j
		}
	}
	return c
}

// lineSearch returns the exact minimiser α ≥ 0 of the cost along p: the
// derivative c′(α) = (x − x0)ᵀMp + α·pᵀMp + Σ_active Dᵢ(jarᵢ + α·Jpᵢ)Jpᵢ is
// piecewise linear and non-decreasing; walk its breakpoints in order.
func lineSearch(d *Data, x, x0, p, mp, jar, jp []float64) float64 {
	deriv, slope := 0.0, 0.0
	for k := range p {
		deriv += (x[k] - x0[k]) * mp[k]
		slope += p[k] * mp[k]
	}
	bps := d.efcBP[:0]
	for i := range jar {
		j, v := jar[i], jp[i]
		if j < 0 || (j == 0 && v < 0) {
			deriv += d.EfcD[i] * j * v
			slope += d.EfcD[i] * v * v
		}
		if v != 0 {
			if a := -j / v; a > 0 {
				bps = append(bps, breakpoint{a, i})
			}
		}
	}
	if deriv >= 0 || slope <= 0 {
		return 0
	}
	slices.SortFunc(bps, cmpBreakpoint)
	prev := 0.0
	for _, bp := range bps {
		dAt := deriv + slope*(bp.alpha-prev)
		if dAt >= 0 {
			break
		}
		deriv, prev = dAt, bp.alpha
		w := d.EfcD[bp.row] * jp[bp.row] * jp[bp.row]
		if jp[bp.row] < 0 {
			slope += w // the row becomes active
		} else {
			slope -= w // the row becomes inactive
		}
		if slope <= 0 {
			return prev
		}
	}
	return prev - deriv/slope
}

// mulM writes M·x to dst using the dense M.
func mulM(m *Model, d *Data, x, dst []float64) {
	nv := m.Nv
	for r := range nv {
		row := d.M[r*nv : (r+1)*nv]
		s := 0.0
		for k, v := range row {
			s += v * x[k]
		}
		dst[r] = s
	}
}

// cholesky factors the symmetric positive definite n×n matrix whose lower
// triangle is in a (row-major) into L·Lᵀ in place (lower triangle); it
// reports false if a pivot is not positive.
func cholesky(a []float64, n int) bool {
	for j := range n {
		rj := a[j*n : j*n+j+1]
		s := rj[j]
		for k := range j {
			s -= rj[k] * rj[k]
		}
		if !(s > minVal) {
			return false
		}
		ljj := math.Sqrt(s)
		rj[j] = ljj
		inv := 1 / ljj
		for i := j + 1; i < n; i++ {
			ri := a[i*n : i*n+j+1]
			s := ri[j]
			for k := range j {
				s -= ri[k] * rj[k]
			}
			ri[j] = s * inv
		}
	}
	return true
}

// cholSolve overwrites b with (L Lᵀ)⁻¹ b for the factor of cholesky.
func cholSolve(l []float64, n int, b []float64) {
	for i := range n {
		ri := l[i*n : i*n+i+1]
		s := b[i]
		for k := range i {
			s -= ri[k] * b[k]
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
