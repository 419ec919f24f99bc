package agents

import (
	"fmt"
	"math/rand/v2"
)

// ReplayBuffer is a uniform ring buffer of transitions (s, a, r, s′, terminated).
//
// Episode ends follow the bootstrapping rule of meow.md §9 item 8: a time-limit truncation is not an end of the
// MDP, so the caller stores the real final observation of a truncated episode as s′ and done = terminated only.
// Add has no truncated argument for that reason; Collect applies the rule for an environment loop.
//
// Storage is float32, grown on demand up to Capacity, then overwritten oldest first.
type ReplayBuffer struct {
	capacity, obsDim, actDim int

	obs, act, next []float32
	rew, done      []float32

	n   int // number of stored transitions (≤ capacity)
	pos int // next slot to write
}

// NewReplayBuffer returns an empty buffer for capacity transitions with observations of obsDim and actions of
// actDim entries. It panics if any argument is not positive.
func NewReplayBuffer(capacity, obsDim, actDim int) *ReplayBuffer {
	if capacity <= 0 || obsDim <= 0 || actDim <= 0 {
		panic(fmt.Sprintf("agents: bad replay buffer sizes capacity=%d obsDim=%d actDim=%d", capacity, obsDim, actDim))
	}
	return &ReplayBuffer{capacity: capacity, obsDim: obsDim, actDim: actDim}
}

// Len returns the number of stored transitions.
func (b *ReplayBuffer) Len() int { return b.n }

// Capacity returns the maximum number of stored transitions.
func (b *ReplayBuffer) Capacity() int { return b.capacity }

// Add stores one transition. obs and next have ObsDim entries, act has ActDim entries; terminated is true only
// when the MDP ended (not on a time-limit truncation), and then the target does not bootstrap from next.
func (b *ReplayBuffer) Add(obs, act []float64, reward float64, next []float64, terminated bool) {
	if len(obs) != b.obsDim || len(next) != b.obsDim || len(act) != b.actDim {
		panic(fmt.Sprintf("agents: replay buffer Add: obs %d, next %d, act %d entries, want obs/next %d, act %d",
			len(obs), len(next), len(act), b.obsDim, b.actDim))
	}
	d := float32(0)
	if terminated {
		d = 1
	}
	if b.n < b.capacity && b.pos == b.n {
		b.obs = appendF32(b.obs, obs)
		b.next = appendF32(b.next, next)
		b.act = appendF32(b.act, act)
		b.rew = append(b.rew, float32(reward))
		b.done = append(b.done, d)
	} else {
		copyF32(b.obs[b.pos*b.obsDim:(b.pos+1)*b.obsDim], obs)
		copyF32(b.next[b.pos*b.obsDim:(b.pos+1)*b.obsDim], next)
		copyF32(b.act[b.pos*b.actDim:(b.pos+1)*b.actDim], act)
		b.rew[b.pos] = float32(reward)
		b.done[b.pos] = d
	}
	b.pos++
	if b.n < b.capacity {
		b.n++
	}
	if b.pos == b.capacity {
		b.pos = 0
	}
}

// Batch holds a sample of transitions, row-major: Obs and Next are [N, obsDim], Act is [N, actDim], Rew and Done
// are [N] (Done is 1 for terminated transitions, else 0).
type Batch struct {
	N          int       // number of transitions
	Obs, Next  []float32 // s and s′, [N, obsDim]
	Act        []float32 // a in [−1, 1], [N, actDim]
	Rew, Done  []float32 // r and terminated (1 or 0), [N]
	obsD, actD int
}

// NewBatch allocates a batch of n transitions for the buffer's dimensions.
func (b *ReplayBuffer) NewBatch(n int) *Batch {
	return &Batch{
		N: n, obsD: b.obsDim, actD: b.actDim,
		Obs: make([]float32, n*b.obsDim), Next: make([]float32, n*b.obsDim),
		Act: make([]float32, n*b.actDim), Rew: make([]float32, n), Done: make([]float32, n),
	}
}

// Sample fills dst with dst.N transitions drawn uniformly with replacement using rng. It panics if the buffer is
// empty or dst was made for other dimensions. It allocates nothing.
func (b *ReplayBuffer) Sample(rng *rand.Rand, dst *Batch) {
	if b.n == 0 {
		panic("agents: Sample from an empty replay buffer")
	}
	if dst.obsD != b.obsDim || dst.actD != b.actDim {
		panic(fmt.Sprintf("agents: Sample into batch for obs %d act %d, buffer has obs %d act %d",
			dst.obsD, dst.actD, b.obsDim, b.actDim))
	}
	od, ad := b.obsDim, b.actDim
	for i := 0; i < dst.N; i++ {
		j := rng.IntN(b.n)
		copy(dst.Obs[i*od:(i+1)*od], b.obs[j*od:(j+1)*od])
		copy(dst.Next[i*od:(i+1)*od], b.next[j*od:(j+1)*od])
		copy(dst.Act[i*ad:(i+1)*ad], b.act[j*ad:(j+1)*ad])
		dst.Rew[i] = b.rew[j]
		dst.Done[i] = b.done[j]
	}
}

func appendF32(dst []float32, src []float64) []float32 {
	for _, v := range src {
		dst = append(dst, float32(v))
	}
	return dst
}

func copyF32(dst []float32, src []float64) {
	for i, v := range src {
		dst[i] = float32(v)
	}
}
