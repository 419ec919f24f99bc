package mjc

import "math"

// lcpWork is the scratch memory of the exact dual solver (capacity = the
// model's constraint-row capacity).
type lcpWork struct {
	free []bool
	idx  []int
	chol []float64
	x    []float64
}

func newLCPWork(n int) lcpWork {
	return lcpWork{free: make([]bool, n), idx: make([]int, 0, n), chol: make([]float64, n*n), x: make([]float64, n)}
}

// dualExact solves the dual constraint problem min ½fᵀ(AR)f + fᵀb subject
// to f ≥ 0 (AR = J M⁻¹ Jᵀ + diag(R), n × n symmetric positive definite) to
// round-off by block principal pivoting (Júdice and Pires) on the linear
// complementarity problem w = AR·f + b ≥ 0, f ≥ 0, fᵀw = 0, with Murty's
// single-pivot rule as the anti-cycling fallback. f holds the warm start
// on entry (its positive entries form the first guess of the free set) and
// the solution on return. It returns the number of pivoting iterations and
// false if it did not converge within maxIter (f is then the last iterate,
// clamped to f ≥ 0).
func dualExact(n int, ar, b, f []float64, work *lcpWork, maxIter int) (int, bool) {
	free := work.free[:n]
	anyFree := false
	for i := range n {
		free[i] = f[i] > 0
		anyFree = anyFree || free[i]
	}
	if !anyFree {
		for i := range n {
			free[i] = b[i] < 0
		}
	}
	scale := 0.0
	for i := range n {
		scale = math.Max(scale, math.Abs(b[i]))
	}
	eps := 1e-13 * math.Max(scale, minVal)
	best, p := n+1, 3
	for it := 1; it <= maxIter; it++ {
		idx := work.idx[:0]
		for i := range n {
			if free[i] {
				idx = append(idx, i)
			}
		}
		work.idx = idx
		nf := len(idx)
		// Solve AR_FF·f_F = −b_F by Cholesky.
		c := work.chol[:nf*nf]
		x := work.x[:nf]
		for r, i := range idx {
			row := ar[i*n : (i+1)*n]
			for s := 0; s <= r; s++ {
				c[r*nf+s] = row[idx[s]]
			}
			x[r] = -b[i]
		}
		if !lcpCholSolve(c, x, nf) {
			break
		}
		clear(f[:n])
		for r, i := range idx {
			f[i] = x[r]
		}
		// Infeasibilities: negative free forces, negative slack of
		// clamped rows.
		nbad, last := 0, -1
		for i := range n {
			bad := false
			if free[i] {
				bad = f[i] < -eps
			} else {
				row := ar[i*n : (i+1)*n]
				w := b[i]
				for _, k := range idx {
					w += row[k] * f[k]
				}
				bad = w < -eps
			}
			if bad {
				nbad++
				last = i
			}
		}
		if nbad == 0 {
			for i := range n {
				f[i] = math.Max(f[i], 0)
			}
			return it, true
		}
		switch {
		case nbad < best:
			best, p = nbad, 3
			flipBad(n, ar, b, f, free, idx, eps)
		case p > 0:
			p--
			flipBad(n, ar, b, f, free, idx, eps)
		default:
			free[last] = !free[last]
		}
	}
	for i := range n {
		f[i] = math.Max(f[i], 0)
	}
	return maxIter, false
}

// flipBad moves every infeasible index to the other set.
func flipBad(n int, ar, b, f []float64, free []bool, idx []int, eps float64) {
	for i := range n {
		if free[i] {
			if f[i] < -eps {
				free[i] = false
			}
			continue
		}
		row := ar[i*n : (i+1)*n]
		w := b[i]
		for _, k := range idx {
			w += row[k] * f[k]
		}
		if w < -eps {
			free[i] = true
		}
	}
}

// lcpCholSolve factors the symmetric positive-definite n×n matrix whose lower
// triangle is in c (row-major) in place and overwrites x with c⁻¹x. It
// returns false if c is not positive definite.
func lcpCholSolve(c, x []float64, n int) bool {
	for j := range n {
		s := c[j*n+j]
		for k := range j {
			s -= c[j*n+k] * c[j*n+k]
		}
		if !(s > 0) {
			return false
		}
		d := math.Sqrt(s)
		c[j*n+j] = d
		for i := j + 1; i < n; i++ {
			s := c[i*n+j]
			for k := range j {
				s -= c[i*n+k] * c[j*n+k]
			}
			c[i*n+j] = s / d
		}
	}
	for i := range n {
		s := x[i]
		for k := range i {
			s -= c[i*n+k] * x[k]
		}
		x[i] = s / c[i*n+i]
	}
	for i := n - 1; i >= 0; i-- {
		s := x[i]
		for k := i + 1; k < n; k++ {
			s -= c[k*n+i] * x[k]
		}
		x[i] = s / c[i*n+i]
	}
	return true
}
