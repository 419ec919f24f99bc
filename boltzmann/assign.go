package boltzmann

import (
	"fmt"
	"math"
)

// Assignment solves the linear assignment problem on an n×n cost matrix given
// by the function cost(i, j) (row i, column j): it finds the permutation that
// assigns a distinct column to every row with the smallest total cost, and
// returns that cost. If rowsol is not nil it must have length n and receives
// the column assigned to each row.
//
// Small problems (n ≤ 64) are solved by the shortest-augmenting-path
// algorithm of Jonker and Volgenant (1987) on the dense cost function. Larger
// ones start from a forward auction with ε-scaling (Bertsekas) whose rows bid
// over short candidate lists and rescan all columns only when their lists go
// stale; its assignment and prices are ε-optimal with ε about 1e-12 of the
// largest cost. A dual check over all n² pairs then certifies optimality: any
// pair with a negative reduced cost joins the candidate graph and its row is
// re-solved by shortest augmenting paths (heap-based Dijkstra), until the
// duals certify the plan optimal on the full problem. Costs are computed on
// the fly (a 10,000 × 10,000 problem needs no cost matrix). Costs must be
// finite. On 10,000 points per set on the 2-torus this takes seconds, also
// when the sets weight their regions differently (BenchmarkTorusW2Mismatched),
// the case where augmenting from the column reduction needed a search over
// most of the graph per row.
func Assignment(n int, cost func(i, j int) float64, rowsol []int) float64 {
	if rowsol != nil && len(rowsol) != n {
		panic(fmt.Sprintf("boltzmann: Assignment: rowsol has length %d, want %d", len(rowsol), n))
	}
	if n == 0 {
		return 0
	}
	if n > denseMax {
		return assignSparse(n, sparseK, cost, rowsol)
	}
	return assignDense(n, cost, rowsol)
}

// denseMax is the largest problem solved by the dense algorithm; sparseK the
// length of a unit source's candidate list in the auction (k + supply − 1
// for larger supplies).
const (
	denseMax = 64
	sparseK  = 24
)

// assignDense is the dense Jonker–Volgenant algorithm.
func assignDense(n int, cost func(i, j int) float64, rowsol []int) float64 {
	x := make([]int, n) // column of row i (−1 free)
	y := make([]int, n) // row of column j (−1 free)
	v := make([]float64, n)
	for i := range x {
		x[i] = -1
	}
	for j := range y {
		y[j] = -1
	}

	// Column reduction: v[j] = min_i c(i, j); assign the minimising row if
	// it is still free.
	matches := make([]int, n)
	for j := n - 1; j >= 0; j-- {
		imin, cmin := 0, cost(0, j)
		for i := 1; i < n; i++ {
			if c := cost(i, j); c < cmin {
				imin, cmin = i, c
			}
		}
		v[j] = cmin
		matches[imin]++
		if x[imin] < 0 {
			x[imin], y[j] = j, imin
		}
	}
	// Reduction transfer for rows that won exactly one column.
	for i := 0; i < n; i++ {
		if matches[i] != 1 || x[i] < 0 {
			continue
		}
		j1 := x[i]
		mu := math.Inf(1)
		for j := 0; j < n; j++ {
			if j != j1 {
				if h := cost(i, j) - v[j]; h < mu {
					mu = h
				}
			}
		}
		if !math.IsInf(mu, 1) {
			v[j1] -= mu
		}
	}
	free := make([]int, 0, n)
	for i := 0; i < n; i++ {
		if x[i] < 0 {
			free = append(free, i)
		}
	}

	// Augmenting row reduction, two passes.
	for pass := 0; pass < 2 && len(free) > 0; pass++ {
		prev := len(free)
		k, numfree := 0, 0
		// Guard against cycling on ties: bound the work of one pass.
		budget := 4*n + 16
		for k < prev && budget > 0 {
			budget--
			i := free[k]
			k++
			umin, usub := math.Inf(1), math.Inf(1)
			j1, j2 := -1, -1
			for j := 0; j < n; j++ {
				h := cost(i, j) - v[j]
				if h < usub {
					if h >= umin {
						usub, j2 = h, j
					} else {
						usub, j2 = umin, j1
						umin, j1 = h, j
					}
				}
			}
			if j2 < 0 { // n == 1
				j2 = j1
				usub = umin
			}
			i0 := y[j1]
			lowers := umin < usub
			if lowers {
				v[j1] -= usub - umin
			} else if i0 >= 0 {
				j1 = j2
				i0 = y[j2]
			}
			x[i], y[j1] = j1, i
			if i0 >= 0 {
				x[i0] = -1
				if lowers {
					k--
					free[k] = i0
				} else {
					free[numfree] = i0
					numfree++
				}
			}
		}
		// Rows not processed because the budget ran out stay free.
		for ; k < prev; k++ {
			free[numfree] = free[k]
			numfree++
		}
		free = free[:numfree]
	}

	// Augmentation by shortest paths.
	d := make([]float64, n)
	pred := make([]int, n)
	col := make([]int, n)
	for _, f := range free {
		for j := 0; j < n; j++ {
			d[j] = cost(f, j) - v[j]
			pred[j] = f
			col[j] = j
		}
		low, up, last := 0, 0, 0
		end := -1
		minD := 0.0
		for end < 0 {
			if up == low {
				last = low
				minD = d[col[up]]
				up++
				for k := up; k < n; k++ {
					j := col[k]
					h := d[j]
					if h <= minD {
						if h < minD {
							up = low
							minD = h
						}
						col[k], col[up] = col[up], j
						up++
					}
				}
				for k := low; k < up; k++ {
					if y[col[k]] < 0 {
						end = col[k]
						break
					}
				}
				if end >= 0 {
					break
				}
			}
			j1 := col[low]
			low++
			i := y[j1]
			u1 := cost(i, j1) - v[j1] - minD
			for k := up; k < n; k++ {
				j := col[k]
				h := cost(i, j) - v[j] - u1
				if h < d[j] {
					d[j] = h
					pred[j] = i
					if h == minD {
						if y[j] < 0 {
							end = j
							break
						}
						col[k], col[up] = col[up], j
						up++
					}
				}
			}
		}
		for k := 0; k < last; k++ {
			j := col[k]
			v[j] += d[j] - minD
		}
		for {
			i := pred[end]
			y[end] = i
			j := end
			end = x[i]
			x[i] = j
			if i == f {
				break
			}
		}
	}

	total := 0.0
	for i := 0; i < n; i++ {
		total += cost(i, x[i])
	}
	if rowsol != nil {
		copy(rowsol, x)
	}
	return total
}

// edge is a candidate column with its cost.
type edge struct {
	j int32
	c float64
}

// heapItem is a Dijkstra queue entry.
type heapItem struct {
	d float64
	j int32
}

type minHeap []heapItem

func (h *minHeap) push(it heapItem) {
	*h = append(*h, it)
	a := *h
	k := len(a) - 1
	for k > 0 {
		p := (k - 1) / 2
		if a[p].d <= a[k].d {
			break
		}
		a[p], a[k] = a[k], a[p]
		k = p
	}
}

func (h *minHeap) pop() heapItem {
	a := *h
	top := a[0]
	last := len(a) - 1
	a[0] = a[last]
	a = a[:last]
	k := 0
	for {
		l := 2*k + 1
		if l >= len(a) {
			break
		}
		m := l
		if r := l + 1; r < len(a) && a[r].d < a[l].d {
			m = r
		}
		if a[k].d <= a[m].d {
			break
		}
		a[k], a[m] = a[m], a[k]
		k = m
	}
	*h = a
	return top
}

// assignSparse solves the assignment problem exactly: the transportation
// solver with every supply 1 (auction start, dual check, augmenting paths).
func assignSparse(n, k int, cost func(i, j int) float64, rowsol []int) float64 {
	ones := make([]int, n)
	for i := range ones {
		ones[i] = 1
	}
	colRow := make([]int, n)
	total, err := transportK(ones, n, k, cost, colRow)
	if err != nil {
		panic(err) // unreachable: every row can reach every column in the dense fallback
	}
	if rowsol != nil {
		for j, i := range colRow {
			rowsol[i] = j
		}
	}
	return total
}
