package smc_test

import (
	"fmt"
	"math"

	"github.com/boltzflow/boltzflow/smc"
)

// Anneal a broad Gaussian proposal into the gmm2d target (four unit
// Gaussians at (±4, ±4), log Z = log 8π) with MALA moves and compare the
// SMC estimate of log Z with the truth.
func ExampleRun() {
	target := smc.GaussianMixture{Means: [][]float64{{4, 4}, {4, -4}, {-4, 4}, {-4, -4}}, Sigma: 1}
	proposal := smc.Gaussian{Mean: []float64{0, 0}, Sigma: 3}
	res, err := smc.Run(target, proposal, nil, smc.Config{
		Particles:    2000,
		Steps:        50,
		Kernel:       smc.MALA,
		StepSize:     0.1,
		MovesPerStep: 2,
		Scheme:       smc.Multinomial,
		ESSThreshold: 0.5,
		Seed:         1,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("steps recorded: %d\n", len(res.Steps))
	fmt.Printf("within 4 SE of log 8π: %t\n", math.Abs(res.LogZ-math.Log(8*math.Pi)) < 4*res.LogZErr)
	// Output:
	// steps recorded: 50
	// within 4 SE of log 8π: true
}
