//go:build openblas

package nn

// #cgo LDFLAGS: -lopenblas
import "C"

import (
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/netlib/blas/netlib"
)

// With the openblas build tag every gemm goes straight to OpenBLAS through
// gonum.org/v1/netlib (cgo). Build with CGO_LDFLAGS=-lopenblas.
func init() {
	blas32.Use(netlib.Implementation{})
	blas64.Use(netlib.Implementation{})
	directBLAS = true
	BLASBackend = "openblas"
}
