package boltzmann

import (
	"cmp"
	"math"
	"slices"
)

// auctionStart is the auction's first ε as a fraction of the largest cost,
// auctionScale the factor by which ε shrinks between scaling phases, and
// auctionSlack how many ε a row's candidates may go stale before it rescans.
const (
	auctionStart = 64
	auctionScale = 8
	auctionSlack = 8
)

// auction finds a near-optimal plan for the transportation problem of
// Transport (sources of integer supply, n sinks of demand 1; with every
// supply 1 it is the assignment problem) with the forward auction algorithm
// of Bertsekas under ε-scaling, in its form for similar persons: a source
// with r units left bids for its r best sinks at once. It returns the source
// of every sink (owner), the sink prices p, each source's candidate sinks
// with their costs (cand[i], the min(n, k + supply[i] − 1) cheapest by c + p
// when the source last scanned, k at least 2), and the largest |cost|
// (scale). The plan satisfies ε-complementary slackness with ε about 1e-12
// of scale: every sink a source serves is within ε of the cheapest sink it
// does not serve, by c + p, so v = −p starts the exact solver next to an
// optimum.
//
// Each source bids over its candidates and a lower bound L on c + p of every
// other sink, valid because prices only rise. While its r-th best candidate
// is below L + slack·ε the bid is within (slack+1)·ε of the bid over all n
// sinks; otherwise the source rescans all sinks. The result is therefore
// that of a dense auction at nearly the cost of a sparse one.
func auction(supply []int, n, k int, cost func(i, j int) float64) (owner []int, p []float64, cand [][]edge, scale float64) {
	r := len(supply)
	k = max(k, 2)
	p = make([]float64, n)
	cand = make([][]edge, r)
	size := make([]int, r) // candidates kept by source i
	total := 0
	for i, s := range supply {
		size[i] = min(n, k+s-1)
		total += size[i]
	}
	store := make([]edge, total)
	for i, off := 0, 0; i < r; i++ {
		cand[i] = store[off : off : off+size[i]] // capacity-limited: a caller's append copies
		off += size[i]
	}
	bound := make([]float64, r)
	// scan refreshes source i's candidates with the cheapest sinks by
	// c + p, kept in a max-heap while scanning so that most sinks are
	// rejected by one comparison; the next cheapest value becomes the
	// bound.
	var heap []bidEdge
	scan := func(i int, first bool) {
		m := size[i] + 1
		heap = heap[:0]
		for j := 0; j < n; j++ {
			c := cost(i, j)
			if first {
				scale = max(scale, math.Abs(c))
			}
			w := c + p[j]
			if len(heap) == m {
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
		if len(h) < m {
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
	for i := 0; i < r; i++ {
		scan(i, true)
	}

	owner = make([]int, n)
	rem := make([]int, r)
	queued := make([]bool, r)
	free := make([]int, 0, r)
	var avail []bidEdge // a source's candidates it does not serve, by c + p
	epsMin := 1e-13 * scale
	if scale == 0 {
		epsMin = 1 // every plan is optimal; any positive step ends the bidding
	}
	eps := max(scale/auctionStart, epsMin)
	for {
		for j := range owner {
			owner[j] = -1
		}
		free = free[:0]
		for i := r - 1; i >= 0; i-- {
			rem[i] = supply[i]
			queued[i] = true
			free = append(free, i)
		}
		for len(free) > 0 {
			i := free[len(free)-1]
			free = free[:len(free)-1]
			queued[i] = false
			u := rem[i]
			// collect the u+1 best candidates it does not serve; rescan
			// if the u-th is stale by more than the slack.
			for pass := 0; ; pass++ {
				avail = avail[:0]
				for _, e := range cand[i] {
					if owner[e.j] != i {
						avail = append(avail, bidEdge{e.j, e.c + p[e.j], e.c})
					}
				}
				partialSort(avail, u+1)
				if pass == 0 && (len(avail) < u || avail[u-1].w > bound[i]+auctionSlack*eps) {
					scan(i, false)
					continue
				}
				break
			}
			// W is the value the u won sinks are raised to (less ε): the
			// (u+1)-th best sink it does not serve, known or bounded.
			w := bound[i]
			if len(avail) > u {
				w = min(w, avail[u].w)
			}
			w = max(w, avail[u-1].w) // a bound below the u-th: increment ε
			if math.IsInf(w, 1) {
				w = avail[u-1].w // no other sink: no competition to price
			}
			for _, e := range avail[:u] {
				j := int(e.j)
				p[j] = w + eps - e.c
				if o := owner[j]; o >= 0 {
					rem[o]++
					if !queued[o] {
						queued[o] = true
						free = append(free, o)
					}
				}
				owner[j] = i
			}
			rem[i] = 0
		}
		if eps <= epsMin {
			return owner, p, cand, scale
		}
		eps = max(eps/auctionScale, epsMin)
	}
}

// partialSort moves the m smallest entries of a (by w) to its front in
// ascending order.
func partialSort(a []bidEdge, m int) {
	m = min(m, len(a))
	if m <= 2 {
		// selection: the common unit-supply case
		for t := 0; t < m; t++ {
			b := t
			for s := t + 1; s < len(a); s++ {
				if a[s].w < a[b].w {
					a[b], a[s] = a[s], a[b]
				}
			}
		}
		return
	}
	slices.SortFunc(a, func(x, y bidEdge) int { return cmp.Compare(x.w, y.w) })
}

// bidEdge is a column met by an auction scan: its cost c and c + p.
type bidEdge struct {
	j    int32
	w, c float64
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
