// Package boltzmann implements the Sequential Boltzmann Generator (SBG,
// Tan et al., ICML 2025): a TarFlow (transformer autoregressive normalising
// flow) over all-atom Cartesian coordinates proposes peptide conformations
// with exact likelihoods, and importance sampling or annealed-Langevin SMC
// (package smc) turn the proposals into equilibrium samples of an Amber force
// field (package molecules).
//
// The pieces, in the order of a run:
//
//   - Data: Normalizer removes each frame's centre of mass (CoM) and divides by
//     one global scale (nm); Augment applies a uniform random SO(3) rotation and
//     a CoM shift with σ = 1/√N in normalised units.
//   - Model: TarFlow, an nn module, maps normalised coordinates x̃ (flat,
//     atom-major, length 3N) to a standard normal z; LogProb is one parallel
//     pass, Sample inverts the flow token by token with a KV cache and returns
//     the exact log q.
//   - Training: Train (AdamW, OneCycle cosine, gradient clipping, EMA,
//     resumable checkpoints, validation by resampled energy-W2), optionally
//     adding a log-variance or a Rényi loss of the MD frames' importance
//     log-weights (TrainConfig.VarWeight, TrainConfig.RenyiWeight).
//   - Reweighting: Target adapts a molecules.System to smc.Target (reduced
//     energies in kT of normalised coordinates); Proposal adapts a TarFlow to
//     smc.Proposal with the CoM adjustment (ComAdjust, variants χ₃ and
//     Gaussian); FixChirality mirrors wrong-handed samples.
//   - Beyond SBG (exact, opt-in, IS only): RotationMixtureLogQ weights with
//     the density of a mixture over random orientations (and relabellings of
//     equivalent hydrogens, EquivalentHydrogens) or over a finite rotation
//     group (GroupMixtureLogQ, RotationGroup), optionally with a fresh
//     centroid per component (SBGConfig.ComMixture); Calibration maps proposals
//     through an exact bijection in internal coordinates (molecules.ZMatrix)
//     fitted to MD frames (FitModelCalibration).
//   - Metrics: ESS (normalised Kish), EnergyW2 (1-D Wasserstein-2 of reduced
//     energies), TorusW2 (exact optimal transport of backbone dihedrals on the
//     torus, solved by Assignment), Ramachandran and energy-histogram plots.
//
// Coordinates are float64 slices in the atom-major layout of molecules
// (x[3*i+k] is coordinate k of atom i); energies are reduced (units of kT)
// unless stated otherwise. All randomness flows from explicit seeds.
package boltzmann
