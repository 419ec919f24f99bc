//go:build !amd64 || noasm

package nn

// adamConsts holds the per-step constants of the Adam kernel.
type adamConsts struct {
	b1, c1, b2, c2, tiny, invSqrtBC2, eps, stepSize, decay float32
}

// adamVec does nothing without the assembly kernels.
func adamVec(m, v, w, g []float32, c *adamConsts) int { return 0 }
