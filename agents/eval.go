package agents

import (
	"fmt"
	"math"

	"github.com/boltzflow/boltzflow/envs"
)

// Actor is a policy acting on a batch of observations.
type Actor interface {
	// Act writes into dst ([n, actDim], row-major) the actions in [−1, 1] for the n observations in obs
	// ([n, obsDim], row-major). With deterministic the policy's mode (or mean) is returned, else a sample drawn
	// from the actor's own random stream.
	Act(dst, obs []float64, n int, deterministic bool)
}

// Rescale maps an action a in [−1, 1]^d onto the box of space (Gymnasium's RescaleAction(−1, 1) wrapper),
// writing into dst, and returns dst: dst_i = low_i + (a_i + 1)(high_i − low_i)/2. It panics if the lengths of dst,
// a and space differ.
func Rescale(dst, a []float64, space envs.Box) []float64 {
	if len(dst) != space.Dim() || len(a) != space.Dim() {
		panic(fmt.Sprintf("agents: Rescale: len(dst)=%d, len(a)=%d, action dim %d", len(dst), len(a), space.Dim()))
	}
	for i, v := range a {
		lo, hi := space.Low[i], space.High[i]
		dst[i] = lo + (v+1)*(hi-lo)/2
	}
	return dst
}

// EvalResult summarises one evaluation: the mean and population standard deviation of the undiscounted
// episode returns, the number of episodes, and whether actions were deterministic.
type EvalResult struct {
	ReturnMean, ReturnStd float64
	Episodes              int
	Deterministic         bool
}

// Evaluate runs one episode on each of the test environments, test[i] being reset with seed i (meow.md §6.4:
// 10 environments, seeds 0..9, re-seeded at every evaluation), acting for all running episodes in one batch.
// Actions from actor in [−1, 1] are rescaled to each environment's action box. An environment error stops the
// evaluation and is returned.
func Evaluate(test []envs.Env, actor Actor, deterministic bool) (EvalResult, error) {
	n := len(test)
	if n == 0 {
		return EvalResult{}, fmt.Errorf("agents: Evaluate: no test environments")
	}
	od := test[0].ObservationSpace().Dim()
	ad := test[0].ActionSpace().Dim()
	obs := make([]float64, n*od)
	act := make([]float64, n*ad)
	envAct := make([]float64, ad)
	ret := make([]float64, n)
	live := make([]int, 0, n)   // indices of running episodes, in order
	cur := make([][]float64, n) // latest observation of each environment (owned by the environment)
	for i, e := range test {
		cur[i], _ = e.Reset(int64(i))
		live = append(live, i)
	}
	for len(live) > 0 {
		// Pack the observations of running episodes into the first len(live) rows.
		for k, i := range live {
			copy(obs[k*od:(k+1)*od], cur[i])
		}
		actor.Act(act[:len(live)*ad], obs[:len(live)*od], len(live), deterministic)
		next := live[:0]
		for k, i := range live {
			Rescale(envAct, act[k*ad:(k+1)*ad], test[i].ActionSpace())
			o, r, term, trunc, _, err := test[i].Step(envAct)
			if err != nil {
				return EvalResult{}, fmt.Errorf("agents: evaluation episode %d: %w", i, err)
			}
			ret[i] += r
			if !term && !trunc {
				next = append(next, i)
				cur[i] = o
			}
		}
		live = next
	}
	var mean, ss float64
	for _, r := range ret {
		mean += r
	}
	mean /= float64(n)
	for _, r := range ret {
		ss += (r - mean) * (r - mean)
	}
	return EvalResult{ReturnMean: mean, ReturnStd: math.Sqrt(ss / float64(n)), Episodes: n, Deterministic: deterministic}, nil
}
