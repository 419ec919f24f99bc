//go:build openblas

package nn

import "github.com/boltzflow/boltzflow/nn/internal/openblas"

// With the openblas build tag gemm calls go to OpenBLAS through
// gonum.org/v1/netlib (cgo); small products, where the cgo call overhead
// dominates, stay on the in-package kernels when the CPU has them.
func init() {
	directBLAS = openblas.Enabled
	BLASBackend = "openblas"
}
