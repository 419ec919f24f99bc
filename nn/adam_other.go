//go:build !amd64 || noasm

package nn

// adamVec does nothing without the assembly kernels.
func adamVec(m, v, w, g []float32, c *adamConsts) int { return 0 }
