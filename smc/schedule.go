package smc

import (
	"fmt"
	"math"
)

// Uniform returns the uniform annealing schedule t_k = k/K, k = 0…K
// (length K+1, t_0 = 0, t_K = 1). It panics if K < 1.
func Uniform(k int) []float64 {
	if k < 1 {
		panic(fmt.Sprintf("smc: Uniform needs at least 1 step, got %d", k))
	}
	t := make([]float64, k+1)
	for i := range t {
		t[i] = float64(i) / float64(k)
	}
	t[k] = 1
	return t
}

// Geometric returns a schedule of K steps with geometrically spaced times
// t_0 = 0 and t_k = t1^{(K−k)/(K−1)} for k = 1…K, so t_1 = t1 and t_K = 1
// (length K+1). Small steps near t = 0 suit proposals much broader than the
// target. It panics if K < 1 or t1 is not in (0, 1]; for K = 1 it returns
// [0, 1].
func Geometric(k int, t1 float64) []float64 {
	if k < 1 {
		panic(fmt.Sprintf("smc: Geometric needs at least 1 step, got %d", k))
	}
	if !(t1 > 0 && t1 <= 1) {
		panic(fmt.Sprintf("smc: Geometric first time %v outside (0, 1]", t1))
	}
	t := make([]float64, k+1)
	if k == 1 {
		t[1] = 1
		return t
	}
	for i := 1; i <= k; i++ {
		t[i] = math.Pow(t1, float64(k-i)/float64(k-1))
	}
	t[k] = 1
	return t
}

// CheckSchedule returns an error unless t is a valid schedule: at least two
// entries, t[0] = 0, t[len−1] = 1, finite and non-decreasing.
func CheckSchedule(t []float64) error {
	if len(t) < 2 {
		return fmt.Errorf("smc: schedule has %d times, want at least 2", len(t))
	}
	if t[0] != 0 || t[len(t)-1] != 1 {
		return fmt.Errorf("smc: schedule runs from %v to %v, want 0 to 1", t[0], t[len(t)-1])
	}
	for i := 1; i < len(t); i++ {
		if !isFinite(t[i]) || t[i] < t[i-1] {
			return fmt.Errorf("smc: schedule time %d is %v after %v (want finite, non-decreasing)", i, t[i], t[i-1])
		}
	}
	return nil
}
