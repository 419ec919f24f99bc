package boltzmann

import (
	"fmt"
	"math"
)

// Transport solves the balanced transportation problem with r = len(supply)
// sources of integer supply supply[i] ≥ 1 and n sinks of demand 1, where
// Σ supply = n and sending one unit from source i to sink j costs cost(i, j):
// it finds the integral plan with the smallest total cost and returns that
// cost. If colRow is not nil it must have length n and receives the source
// of each sink.
//
// It is the assignment problem of Assignment with the identical rows of
// each source merged into one node of capacity supply[i], which is what an
// optimal-transport metric meets when one sample set was resampled (many
// exact copies of few ancestors), and it is solved by the same exact method:
// an auction start (a source with u units left bids for its u best sinks at
// once, so copies never bid against each other), a dual check over all r × n
// pairs, and shortest augmenting paths (heap-based Dijkstra) for any source
// the check rejects, until the duals certify optimality. Costs must be
// finite.
func Transport(supply []int, n int, cost func(i, j int) float64, colRow []int) (float64, error) {
	total := 0
	for i, s := range supply {
		if s < 1 {
			return 0, fmt.Errorf("boltzmann: Transport: supply[%d] = %d, want ≥ 1", i, s)
		}
		total += s
	}
	if total != n {
		return 0, fmt.Errorf("boltzmann: Transport: supplies sum to %d, want n = %d", total, n)
	}
	if colRow != nil && len(colRow) != n {
		return 0, fmt.Errorf("boltzmann: Transport: colRow has length %d, want %d", len(colRow), n)
	}
	if n == 0 {
		return 0, nil
	}
	return transportK(supply, n, sparseK, cost, colRow)
}

// transportK is Transport with auction candidate lists of k + supply[i] − 1
// sinks per source (k ≥ 2); the arguments are valid.
func transportK(supply []int, n, k int, cost func(i, j int) float64, colRow []int) (float64, error) {
	r := len(supply)

	// Start from the auction's ε-optimal plan and prices, and take its
	// candidate lists as the graph. Its reduced costs are ≥ −(slack+1)·ε,
	// below the dual check's tolerance, so the searches below have (almost)
	// nothing left to do. From the column reduction instead, a plan that
	// must carry much mass far (sets that weight basins differently) costs
	// one search over most of the graph per unit.
	y, p, rows, scale := auction(supply, n, k, cost) // source of sink j; candidate sinks of each source
	v := make([]float64, n)
	for j := range v {
		v[j] = -p[j]
	}
	rem := make([]int, r) // supply left: none after the auction

	dist := make([]float64, n)
	pred := make([]int, n) // source from which sink j was reached
	settled := make([]bool, n)
	rowDone := make([]bool, r)
	via := make([]int, r) // served sink through which source i was reached
	var done, touched, rowsTouched []int
	var h minHeap
	inf := math.Inf(1)
	for j := range dist {
		dist[j] = inf
	}
	relax := func(i int, base float64) {
		for _, e := range rows[i] {
			if settled[e.j] {
				continue
			}
			d := base + e.c - v[e.j]
			if d < dist[e.j] {
				if math.IsInf(dist[e.j], 1) {
					touched = append(touched, int(e.j))
				}
				dist[e.j] = d
				pred[e.j] = i
				h.push(heapItem{d, e.j})
			}
		}
	}
	// augment sends one unit from source f (rem[f] > 0) to an unserved sink
	// along a shortest path of reduced costs; it reports whether one was
	// reachable in the candidate graph.
	augment := func(f int) bool {
		h = h[:0]
		done, touched, rowsTouched = done[:0], touched[:0], rowsTouched[:0]
		rowDone[f] = true
		rowsTouched = append(rowsTouched, f)
		relax(f, 0)
		end := -1
		dEnd := 0.0
		for len(h) > 0 {
			it := h.pop()
			j := int(it.j)
			if settled[j] || it.d > dist[j] {
				continue
			}
			if y[j] < 0 {
				end, dEnd = j, it.d
				break
			}
			settled[j] = true
			done = append(done, j)
			i := y[j]
			if rowDone[i] {
				// Every served sink of a source has the same reduced
				// cost, so the source is expanded once.
				continue
			}
			rowDone[i] = true
			rowsTouched = append(rowsTouched, i)
			via[i] = j
			relax(i, it.d-(cost(i, j)-v[j]))
		}
		found := end >= 0
		if found {
			for _, j := range done {
				v[j] += dist[j] - dEnd
			}
			for {
				i := pred[end]
				y[end] = i
				if i == f {
					rem[f]--
					break
				}
				end = via[i] // i gives up the sink it was reached through
			}
		}
		for _, j := range touched {
			dist[j] = inf
			settled[j] = false
		}
		for _, i := range rowsTouched {
			rowDone[i] = false
		}
		return found
	}

	u := make([]float64, r)
	for {
		for f := 0; f < r; f++ {
			for rem[f] > 0 {
				if augment(f) {
					continue
				}
				// No unserved sink reachable: give source f every sink.
				rows[f] = rows[f][:0]
				for j := 0; j < n; j++ {
					rows[f] = append(rows[f], edge{int32(j), cost(f, j)})
				}
				if !augment(f) {
					return 0, fmt.Errorf("boltzmann: Transport: no augmenting path from source %d with every sink", f)
				}
			}
		}
		// Dual check over all pairs with u_i the largest reduced cost of a
		// sink served by source i: optimality needs every served sink at
		// exactly u_i and no sink below it, so a served sink below the
		// maximum (possible after the dense fallback of a partly served
		// source) fails the check like any cheaper unserved sink.
		for i := range u {
			u[i] = math.Inf(-1)
		}
		for j := 0; j < n; j++ {
			u[y[j]] = max(u[y[j]], cost(y[j], j)-v[j])
		}
		bad := false
		for i := 0; i < r; i++ {
			tol := 1e-12 * (scale + math.Abs(u[i]))
			worse := false
			for j := 0; j < n; j++ {
				if c := cost(i, j); c-v[j]-u[i] < -tol {
					rows[i] = append(rows[i], edge{int32(j), c})
					worse = true
				}
			}
			if worse {
				// Release the source's sinks and route its supply again.
				bad = true
				for j := 0; j < n; j++ {
					if y[j] == i {
						y[j] = -1
					}
				}
				rem[i] = supply[i]
			}
		}
		if !bad {
			break
		}
	}
	sum := 0.0
	for j := 0; j < n; j++ {
		sum += cost(y[j], j)
	}
	if colRow != nil {
		copy(colRow, y)
	}
	return sum, nil
}
