//go:build !amd64 || noasm

package nn

// Without the assembly kernels the ...Vec helpers do nothing and the scalar
// loops handle every element.

func reluFwdVec(y, x []float32) int                    { return 0 }
func reluBwdVec(gx, g, y []float32) int                { return 0 }
func mulVec(dst, a, b []float32) int                   { return 0 }
func swishBwdXVec(gx, g, s, ds, x, beta []float32) int { return 0 }
func swishBwdBetaVec(gb, g, x, ds []float32) int       { return 0 }
