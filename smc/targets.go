package smc

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Gaussian is the isotropic normal density N(Mean, Sigma²·I) in dimension
// len(Mean). It is a normalised Proposal and also a Target with energy
// E(x) = ‖x − Mean‖²/(2·Sigma²), whose normaliser is given by LogZ.
type Gaussian struct {
	Mean  []float64 // centre, length D
	Sigma float64   // standard deviation per coordinate, > 0
}

// Dim returns len(g.Mean).
func (g Gaussian) Dim() int { return len(g.Mean) }

// LogZ returns log ∫ exp(−E) = (D/2)·log(2π·Sigma²).
func (g Gaussian) LogZ() float64 {
	return 0.5 * float64(len(g.Mean)) * math.Log(2*math.Pi*g.Sigma*g.Sigma)
}

func (g Gaussian) check(x [][]float64, n int, what string) {
	if len(x) != n {
		panic(fmt.Sprintf("smc: Gaussian: %d particles, %s has length %d", len(x), what, n))
	}
}

// Energy writes ‖x[i] − Mean‖²/(2·Sigma²) to e[i] and, if grad is not nil,
// (x[i] − Mean)/Sigma² to grad[i].
func (g Gaussian) Energy(x [][]float64, e []float64, grad [][]float64) {
	g.check(x, len(e), "e")
	if grad != nil {
		g.check(x, len(grad), "grad")
	}
	s2 := g.Sigma * g.Sigma
	for i, xi := range x {
		var r2 float64
		for j, v := range xi {
			d := v - g.Mean[j]
			r2 += d * d
			if grad != nil {
				grad[i][j] = d / s2
			}
		}
		e[i] = r2 / (2 * s2)
	}
}

// Sample draws len(dst) samples and writes them and their log-density.
func (g Gaussian) Sample(rng *rand.Rand, dst [][]float64, logq []float64) {
	g.check(dst, len(logq), "logq")
	for _, xi := range dst {
		for j := range xi {
			xi[j] = g.Mean[j] + g.Sigma*rng.NormFloat64()
		}
	}
	g.LogProb(dst, logq)
}

// LogProb writes log N(x[i]; Mean, Sigma²I) to logq[i].
func (g Gaussian) LogProb(x [][]float64, logq []float64) {
	g.Energy(x, logq, nil)
	lz := g.LogZ()
	for i := range logq {
		logq[i] = -logq[i] - lz
	}
}

// GradLogProb writes log N(x[i]) to logq[i] and −(x[i] − Mean)/Sigma² to
// grad[i].
func (g Gaussian) GradLogProb(x [][]float64, logq []float64, grad [][]float64) {
	g.Energy(x, logq, grad)
	lz := g.LogZ()
	for i := range logq {
		logq[i] = -logq[i] - lz
		for j := range grad[i] {
			grad[i][j] = -grad[i][j]
		}
	}
}

// GaussianMixture is the target with energy
// E(x) = −log Σ_k exp(−‖x − Means[k]‖²/(2·Sigma²)), an equal-weight mixture
// of isotropic normals (unnormalised). Its normaliser is
// Z = K·(2π·Sigma²)^{D/2}; with the four means (±4, ±4) and Sigma = 1 this is
// the gmm2d toy target with log Z = log(8π).
type GaussianMixture struct {
	Means [][]float64 // K centres of length D
	Sigma float64     // component standard deviation, > 0
}

// Dim returns the dimension of the means.
func (g GaussianMixture) Dim() int { return len(g.Means[0]) }

// LogZ returns log(K) + (D/2)·log(2π·Sigma²).
func (g GaussianMixture) LogZ() float64 {
	return math.Log(float64(len(g.Means))) + 0.5*float64(g.Dim())*math.Log(2*math.Pi*g.Sigma*g.Sigma)
}

// Energy writes E(x[i]) to e[i] and, if grad is not nil, ∇E(x[i]) =
// Σ_k r_k·(x − μ_k)/Sigma² (r_k the component responsibilities) to grad[i].
// It allocates nothing for up to 16 components.
func (g GaussianMixture) Energy(x [][]float64, e []float64, grad [][]float64) {
	if len(x) != len(e) || (grad != nil && len(grad) != len(x)) {
		panic(fmt.Sprintf("smc: GaussianMixture: %d particles, %d energies", len(x), len(e)))
	}
	var buf [16]float64
	var a []float64
	if len(g.Means) <= len(buf) {
		a = buf[:len(g.Means)]
	} else {
		a = make([]float64, len(g.Means))
	}
	s2 := g.Sigma * g.Sigma
	for i, xi := range x {
		m := math.Inf(-1)
		for k, mu := range g.Means {
			var r2 float64
			for j, v := range xi {
				d := v - mu[j]
				r2 += d * d
			}
			a[k] = -r2 / (2 * s2)
			m = max(m, a[k])
		}
		var z float64
		for k := range a {
			a[k] = math.Exp(a[k] - m)
			z += a[k]
		}
		e[i] = -(m + math.Log(z))
		if grad != nil {
			gi := grad[i]
			for j := range gi {
				gi[j] = 0
			}
			for k, mu := range g.Means {
				r := a[k] / z
				for j, v := range xi {
					gi[j] += r * (v - mu[j]) / s2
				}
			}
		}
	}
}

// DoubleWell is the one-dimensional target with energy
// E(x) = Barrier·(x² − 1)² + Tilt·x (kT): two wells near x = ±1 separated by
// a barrier of height about Barrier, the tilt favouring x < 0 when positive.
type DoubleWell struct {
	Barrier, Tilt float64
}

// Dim returns 1.
func (DoubleWell) Dim() int { return 1 }

// E returns the energy at the scalar x.
func (w DoubleWell) E(x float64) float64 {
	u := x*x - 1
	return w.Barrier*u*u + w.Tilt*x
}

// Energy writes E(x[i][0]) to e[i] and, if grad is not nil, the derivative
// 4·Barrier·x·(x² − 1) + Tilt to grad[i][0].
func (w DoubleWell) Energy(x [][]float64, e []float64, grad [][]float64) {
	if len(x) != len(e) || (grad != nil && len(grad) != len(x)) {
		panic(fmt.Sprintf("smc: DoubleWell: %d particles, %d energies", len(x), len(e)))
	}
	for i, xi := range x {
		v := xi[0]
		e[i] = w.E(v)
		if grad != nil {
			grad[i][0] = 4*w.Barrier*v*(v*v-1) + w.Tilt
		}
	}
}

// LogZ returns log ∫ exp(−E(x)) dx by composite Simpson quadrature with
// 200,000 intervals over the interval outside which E exceeds its minimum
// by more than 60 kT (relative error below 1e-10 for Barrier ≥ 0.1). It
// panics if Barrier ≤ 0.
func (w DoubleWell) LogZ() float64 {
	if !(w.Barrier > 0) {
		panic(fmt.Sprintf("smc: DoubleWell barrier %v, want > 0", w.Barrier))
	}
	// The minimum is inside [−2, 2] for moderate tilts; scan for it.
	emin := math.Inf(1)
	for i := 0; i <= 40000; i++ {
		emin = min(emin, w.E(-3+6*float64(i)/40000))
	}
	l := 1.0
	for w.E(l)-emin < 60 || w.E(-l)-emin < 60 {
		l *= 1.25
	}
	const n = 200000
	hh := 2 * l / n
	var s float64
	for i := 0; i <= n; i++ {
		c := 2.0
		if i == 0 || i == n {
			c = 1
		} else if i%2 == 1 {
			c = 4
		}
		s += c * math.Exp(-(w.E(-l+float64(i)*hh) - emin))
	}
	return math.Log(s*hh/3) - emin
}
