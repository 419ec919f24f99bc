package molecules

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func BenchmarkLog(b *testing.B) {
	x, acc := 0.3, 0.0
	for i := 0; i < b.N; i++ {
		acc += math.Log(x)
		x += 1e-9
	}
	_ = acc
}

func BenchmarkLogPos(b *testing.B) {
	x, acc := 0.3, 0.0
	for i := 0; i < b.N; i++ {
		acc += logPos(x)
		x += 1e-9
	}
	_ = acc
}

func TestLogPosExpNegAccuracy(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var worstLog, worstExp float64
	for i := 0; i < 300000; i++ {
		x := math.Exp(rng.Float64()*40 - 30)
		if i%4 == 0 {
			x = 1 + (rng.Float64()-0.5)*1e-3
		}
		got, want := logPos(x), math.Log(x)
		err := math.Abs(got-want) / math.Max(math.Abs(want), 1)
		require.LessOrEqual(t, err, 5e-16, "logPos(%v) = %v, math.Log %v", x, got, want)
		worstLog = math.Max(worstLog, err)

		y := -rng.Float64() * expRange
		if i%3 == 0 {
			y = -rng.Float64() * 2
		}
		ge, we := expNeg(y), math.Exp(y)
		rel := math.Abs(ge-we) / we
		require.LessOrEqual(t, rel, 6e-16, "expNeg(%v) = %v, math.Exp %v", y, ge, we)
		worstExp = math.Max(worstExp, rel)
	}
	for _, y := range []float64{0, -expRange, -math.Ln2, -1e-300} {
		assert.InEpsilon(t, math.Exp(y), expNeg(y), 6e-16, "expNeg(%v)", y)
	}
	assert.Equal(t, 1.0, expNeg(0))
	t.Logf("worst logPos error %.2g, worst expNeg relative error %.2g", worstLog, worstExp)
}

func TestAngleAtan2(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	var worst float64
	check := func(y, x float64) {
		got, want := angleAtan2(y, x), math.Atan2(y, x)
		err := math.Abs(got - want)
		require.LessOrEqual(t, err, 5e-16, "angleAtan2(%v, %v) = %v, math.Atan2 %v", y, x, got, want)
		worst = math.Max(worst, err)
	}
	for i := 0; i < 300000; i++ {
		th := rng.Float64() * math.Pi
		r := math.Exp(rng.Float64()*20 - 10)
		check(r*math.Sin(th), r*math.Cos(th))
	}
	for _, c := range [][2]float64{{0, 1}, {0, -1}, {1, 0}, {1, 1}, {1, -1}, {1e-300, 1}, {1e-300, -1}, {1, 1e-300}, {3, -3}, {0, 0}} {
		check(c[0], c[1])
	}
	t.Logf("worst angleAtan2 error %.2g rad", worst)
}
