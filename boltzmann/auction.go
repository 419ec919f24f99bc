package boltzmann

import "math"

// auctionStart is the auction's first ε as a fraction of the largest cost,
// auctionScale the factor by which ε shrinks between scaling phases, and
// auctionSlack how many ε a row's candidates may go stale before it rescans.
const (
	auctionStart = 64
	auctionScale = 8
	auctionSlack = 8
)

// auction finds a near-optimal assignment of n rows to n columns for
// minimum total cost with the forward auction algorithm of Bertsekas under
// ε-scaling. It returns the row of every column (rowOf), the column prices p,
// and each row's candidate columns with their costs (cand[i], at most
// k, at least 2, the cheapest by c + p when the row last scanned). The pair
// satisfies ε-complementary slackness with a small ε (about 1e-12 of the
// largest cost): c(i, σ(i)) + p[σ(i)] ≤ min_j c(i, j) + p[j] + ε for every
// row i, so v = −p starts the exact solver next to an optimum.
//
// Each row bids over its candidates and a lower bound L on c + p of every
// other column, valid because prices only rise. While the best candidate is
// below L + slack·ε the bid is within (slack+1)·ε of the bid over all n
// columns; otherwise the row rescans all columns. The result is therefore
// that of a dense auction at nearly the cost of a sparse one.
func auction(n, k int, cost func(i, j int) float64) (rowOf []int, p []float64, cand [][]edge) {
	k = min(max(k, 2), n)
	p = make([]float64, n)
	cand = make([][]edge, n)
	store := make([]edge, n*k)
	for i := range cand {
		cand[i] = store[i*k : i*k : i*k+k] // capacity k: a caller's append copies
	}
	bound := make([]float64, n)
	scale := 0.0 // largest |cost|, from the first scans
	// scan refreshes row i's candidates with the k cheapest columns by
	// c + p, kept in a max-heap while scanning so that most columns are
	// rejected by one comparison; the (k+1)-th cheapest value becomes the
	// bound.
	heap := make([]bidEdge, 0, k+1)
	scan := func(i int, first bool) {
		heap = heap[:0]
		for j := 0; j < n; j++ {
			c := cost(i, j)
			if first {
				scale = max(scale, math.Abs(c))
			}
			w := c + p[j]
			if len(heap) == k+1 {
				if w >= heap[0].w {
					continue
				}
				heap[0] = bidEdge{int32(j), w, c}
				siftDownMax(heap, 0)
				continue
			}
			heap = append(heap, bidEdge{int32(j), w, c})
			siftUpMax(heap, len(heap)-1)
		}
		h := heap
		if len(h) <= k {
			bound[i] = math.Inf(1)
		} else {
			bound[i] = h[0].w
			h = h[1:]
		}
		cand[i] = cand[i][:0]
		for _, e := range h {
			cand[i] = append(cand[i], edge{e.j, e.c})
		}
	}
	for i := 0; i < n; i++ {
		scan(i, true)
	}

	rowOf = make([]int, n)
	colOf := make([]int, n)
	free := make([]int, 0, n)
	epsMin := 1e-13 * (1 + scale)
	eps := max(scale/auctionStart, epsMin)
	for {
		for j := range rowOf {
			rowOf[j] = -1
		}
		free = free[:0]
		for i := n - 1; i >= 0; i-- {
			colOf[i] = -1
			free = append(free, i)
		}
		for len(free) > 0 {
			i := free[len(free)-1]
			free = free[:len(free)-1]
			j1, w1, w2 := bestTwo(cand[i], p)
			if w1 > bound[i]+auctionSlack*eps {
				scan(i, false)
				j1, w1, w2 = bestTwo(cand[i], p)
			}
			// A bound below the best candidate (within the slack) makes the
			// increment ε: the bid is then (slack+1)·ε-optimal.
			w2 = max(min(w2, bound[i]), w1)
			if math.IsInf(w2, 1) {
				w2 = w1 // a single column: no competition to price
			}
			p[j1] += w2 - w1 + eps
			if o := rowOf[j1]; o >= 0 {
				colOf[o] = -1
				free = append(free, o)
			}
			rowOf[j1], colOf[i] = i, j1
		}
		if eps <= epsMin {
			return rowOf, p, cand
		}
		eps = max(eps/auctionScale, epsMin)
	}
}

// bidEdge is a column met by an auction scan: its cost c and c + p.
type bidEdge struct {
	j    int32
	w, c float64
}

// bestTwo returns the candidate with the smallest c + p, that value, and the
// second smallest (+Inf for a single candidate).
func bestTwo(c []edge, p []float64) (int, float64, float64) {
	j1, w1, w2 := -1, math.Inf(1), math.Inf(1)
	for _, e := range c {
		w := e.c + p[e.j]
		if w < w1 {
			j1, w1, w2 = int(e.j), w, w1
		} else if w < w2 {
			w2 = w
		}
	}
	return j1, w1, w2
}

// siftUpMax restores the max-heap order (on w) of h after h[t] grew.
func siftUpMax(h []bidEdge, t int) {
	for t > 0 {
		u := (t - 1) / 2
		if h[u].w >= h[t].w {
			return
		}
		h[u], h[t] = h[t], h[u]
		t = u
	}
}

// siftDownMax restores the max-heap order of h after h[t] shrank.
func siftDownMax(h []bidEdge, t int) {
	for {
		l := 2*t + 1
		if l >= len(h) {
			return
		}
		m := l
		if r := l + 1; r < len(h) && h[r].w > h[l].w {
			m = r
		}
		if h[t].w >= h[m].w {
			return
		}
		h[t], h[m] = h[m], h[t]
		t = m
	}
}
