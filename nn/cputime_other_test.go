//go:build !unix

package nn

// processCPUSeconds is unavailable on this platform and returns 0.
func processCPUSeconds() float64 { return 0 }
