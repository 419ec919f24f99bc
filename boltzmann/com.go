package boltzmann

import (
	"fmt"
	"math"
)

// ComVariant selects the centre-of-mass (CoM) adjustment of the proposal
// density (sbg.md §5.2).
type ComVariant int

const (
	// ComNone applies no adjustment: log q' = log q.
	ComNone ComVariant = iota
	// ComChi divides q by the χ₃ density of the CoM norm r = ‖c‖,
	// p_χ₃(r) = r²·exp(−r²/(2σ_c²)) / (√2·σ_c³·Γ(3/2)) (the official SBG code).
	ComChi
	// ComGaussian divides q by the 3-D Gaussian density 𝒩(c; 0, σ_c²I₃) of
	// the CoM, the exact marginal on the CoM-free subspace when q factorises.
	ComGaussian
)

// String returns "none", "chi" or "gaussian".
func (v ComVariant) String() string {
	switch v {
	case ComNone:
		return "none"
	case ComChi:
		return "chi"
	case ComGaussian:
		return "gaussian"
	}
	return fmt.Sprintf("ComVariant(%d)", int(v))
}

// ParseComVariant parses "none", "chi" or "gaussian".
func ParseComVariant(s string) (ComVariant, error) {
	switch s {
	case "none":
		return ComNone, nil
	case "chi", "chi3":
		return ComChi, nil
	case "gaussian", "gauss":
		return ComGaussian, nil
	}
	return 0, fmt.Errorf("boltzmann: unknown CoM adjustment %q (want none, chi or gaussian)", s)
}

// ComAdjust describes the CoM adjustment log q'(x̃) = log q(x̃) − log p_c(c),
// c = mean over atoms of x̃ (normalised coordinates).
type ComAdjust struct {
	Variant ComVariant
	// Sigma is the CoM scale σ_c in normalised units (1/√N analytically, or
	// the empirical std of the proposals' CoM coordinates, see ComSigma).
	Sigma float64
}

// Com writes the centre of mass (unweighted mean over the N atoms) of the
// flat coordinates x (length 3N) to c.
func Com(x []float64) (c [3]float64) {
	n := len(x) / 3
	for i := 0; i < n; i++ {
		c[0] += x[3*i]
		c[1] += x[3*i+1]
		c[2] += x[3*i+2]
	}
	for k := range c {
		c[k] /= float64(n)
	}
	return c
}

// ComSigma returns the empirical std σ_c of the CoM coordinates of the
// samples (one scalar over all samples and the three axes, about zero mean as
// the prior is centred).
func ComSigma(x [][]float64) float64 {
	s, n := 0.0, 0
	for _, r := range x {
		c := Com(r)
		for _, v := range c {
			if finite(v) {
				s += v * v
				n++
			}
		}
	}
	if n == 0 {
		return math.NaN()
	}
	return math.Sqrt(s / float64(n))
}

// LogDensity returns log p_c(c) of the CoM of x under the variant (0 for
// ComNone).
func (a ComAdjust) LogDensity(x []float64) float64 {
	c := Com(x)
	r2 := c[0]*c[0] + c[1]*c[1] + c[2]*c[2]
	s2 := a.Sigma * a.Sigma
	switch a.Variant {
	case ComGaussian:
		return -1.5*math.Log(2*math.Pi*s2) - r2/(2*s2)
	case ComChi:
		// log Γ(3/2) = log(√π/2).
		return math.Log(r2) - r2/(2*s2) - 0.5*math.Log(2) - 3*math.Log(a.Sigma) - math.Log(math.Sqrt(math.Pi)/2)
	}
	return 0
}

// Apply returns log q'(x) = logq − log p_c(c(x)); if grad is not nil (the
// score ∇ log q at x, length 3N) it is updated in place to ∇ log q'(x), with
// σ_c treated as a constant.
func (a ComAdjust) Apply(x []float64, logq float64, grad []float64) float64 {
	if a.Variant == ComNone {
		return logq
	}
	out := logq - a.LogDensity(x)
	if grad == nil {
		return out
	}
	n := len(x) / 3
	c := Com(x)
	s2 := a.Sigma * a.Sigma
	// g = ∇_c log p_c; ∂c/∂x_i = I₃/N.
	var g [3]float64
	switch a.Variant {
	case ComGaussian:
		for k := range g {
			g[k] = -c[k] / s2
		}
	case ComChi:
		r2 := c[0]*c[0] + c[1]*c[1] + c[2]*c[2]
		f := 2/r2 - 1/s2 // (2/r − r/σ²)/r
		for k := range g {
			g[k] = f * c[k]
		}
	}
	for i := 0; i < n; i++ {
		for k := 0; k < 3; k++ {
			grad[3*i+k] -= g[k] / float64(n)
		}
	}
	return out
}
