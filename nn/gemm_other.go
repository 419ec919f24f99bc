//go:build !amd64 || noasm

package nn

// hasGemmKernel is false: no assembly micro-kernels on this platform, gemm
// uses gonum's pure-Go BLAS.
var hasGemmKernel = false

func sgemm6x16(k int, a, b, c *float32) { panic("nn: no gemm kernel") }
func dgemm6x8(k int, a, b, c *float64)  { panic("nn: no gemm kernel") }
