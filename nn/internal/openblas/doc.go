// Package openblas routes gonum's blas32 and blas64 to OpenBLAS through
// gonum.org/v1/netlib when built with the build tag openblas (cgo, Debian
// libopenblas-dev, CGO_LDFLAGS=-lopenblas). Without the tag it is empty.
// It is a separate package because a Go package cannot mix cgo with the
// assembly kernels of package nn.
package openblas

// Enabled reports whether the package was built with the openblas tag and
// has installed OpenBLAS as gonum's BLAS implementation.
var Enabled = false
