package md

// Boltzmann is the molar Boltzmann constant (the gas constant) in kJ/mol/K,
// as OpenMM defines it: BOLTZ = k_B·N_A/1000 with the exact SI values
// k_B = 1.380649e-23 J/K and N_A = 6.02214076e23 /mol.
const Boltzmann = 1.380649e-23 * 6.02214076e23 / 1000

// Potential is a potential-energy surface.
type Potential interface {
	// EnergyForces returns the potential energy (kJ/mol) at pos and
	// overwrites forces with the force −∇E (kJ/mol/nm). pos and forces have
	// length 3N (nm, atom-major). EnergyForces must not modify pos or retain
	// either slice.
	EnergyForces(pos, forces []float64) (float64, error)
}

// PotentialFunc adapts an ordinary function to the Potential interface.
// The function must follow the contract of Potential.EnergyForces.
type PotentialFunc func(pos, forces []float64) (float64, error)

// EnergyForces calls f(pos, forces).
func (f PotentialFunc) EnergyForces(pos, forces []float64) (float64, error) {
	return f(pos, forces)
}
