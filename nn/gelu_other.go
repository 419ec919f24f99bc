//go:build !amd64 || noasm

package nn

// geluVec does nothing without the assembly kernels.
func geluVec[F Float](y, d, x []F) int { return 0 }
