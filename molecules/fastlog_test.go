package molecules

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestFastLogAccuracy(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var worst float64
	for i := 0; i < 1000000; i++ {
		x := math.Exp(rng.Float64()*40 - 20)
		if i%4 == 0 {
			x = 1 + (rng.Float64()-0.5)*1e-3
		}
		got, want := fastLog(x), math.Log(x)
		err := math.Abs(got - want)
		tol := 6e-16 * math.Max(math.Abs(want), 1)
		if err > tol {
			t.Fatalf("fastLog(%v) = %v, math.Log %v (error %g)", x, got, want, err)
		}
		worst = math.Max(worst, err/math.Max(math.Abs(want), 1))
	}
	for _, x := range []float64{0, -1, math.Inf(1), math.NaN(), 1e-310} {
		got, want := fastLog(x), math.Log(x)
		if !(got == want || (math.IsNaN(got) && math.IsNaN(want))) {
			t.Errorf("fastLog(%v) = %v, want %v", x, got, want)
		}
	}
	t.Logf("worst error relative to max(1, |ln x|): %.2g", worst)
}

func BenchmarkLog(b *testing.B) {
	x, acc := 0.3, 0.0
	for i := 0; i < b.N; i++ {
		acc += math.Log(x)
		x += 1e-9
	}
	_ = acc
}

func BenchmarkFastLog(b *testing.B) {
	x, acc := 0.3, 0.0
	for i := 0; i < b.N; i++ {
		acc += fastLog(x)
		x += 1e-9
	}
	_ = acc
}
