package builder

// Residue names (force-field template base names) of the one-letter codes,
// with the pH 7 protonation states.
var residueName = map[byte]string{
	'A': "ALA", 'R': "ARG", 'N': "ASN", 'D': "ASP", 'C': "CYS",
	'Q': "GLN", 'E': "GLU", 'G': "GLY", 'H': "HIE", 'I': "ILE",
	'L': "LEU", 'K': "LYS", 'M': "MET", 'F': "PHE", 'P': "PRO",
	'S': "SER", 'T': "THR", 'W': "TRP", 'Y': "TYR", 'V': "VAL",
}

// zAtom places one heavy side-chain atom from three earlier atoms of the
// same residue: bonded to Parent, angle Ref1–Parent–atom, dihedral
// Ref2–Ref1–Parent–atom. Lengths in Å, angles in degrees.
type zAtom struct {
	Name               string
	Parent, Ref1, Ref2 string
	Bond, Angle, Tors  float64
}

// sideChains holds ideal side-chain geometry beyond CB (Engh–Huber-like
// bond lengths and angles; common rotamers: χ1 = −65° (χ1 = 175° for VAL's
// CG1), extended χ2…, aromatic rings perpendicular to CA–CB–CG). Branches at
// a stereocentre follow the L-amino-acid convention (THR CG2 and ILE CG2 at
// χ1 − 120°).
var sideChains = map[string][]zAtom{
	"SER": {{"OG", "CB", "CA", "N", 1.417, 110.8, -65}},
	"CYS": {{"SG", "CB", "CA", "N", 1.808, 113.8, -65}},
	"THR": {
		{"OG1", "CB", "CA", "N", 1.433, 109.2, 60},
		{"CG2", "CB", "CA", "N", 1.521, 111.1, -60},
	},
	"VAL": {
		{"CG1", "CB", "CA", "N", 1.524, 110.7, 175},
		{"CG2", "CB", "CA", "N", 1.524, 110.4, -65},
	},
	"LEU": {
		{"CG", "CB", "CA", "N", 1.530, 116.1, -65},
		{"CD1", "CG", "CB", "CA", 1.524, 110.5, 175},
		{"CD2", "CG", "CB", "CA", 1.525, 110.5, -65},
	},
	"ILE": {
		{"CG1", "CB", "CA", "N", 1.527, 110.4, -65},
		{"CG2", "CB", "CA", "N", 1.527, 110.5, 175},
		{"CD1", "CG1", "CB", "CA", 1.520, 113.8, 170},
	},
	"MET": {
		{"CG", "CB", "CA", "N", 1.520, 114.1, -65},
		{"SD", "CG", "CB", "CA", 1.810, 112.7, 180},
		{"CE", "SD", "CG", "CB", 1.790, 100.2, 180},
	},
	"PRO": {
		{"CG", "CB", "CA", "N", 1.495, 102.5, 25}, // Cγ-endo pucker; closes CD–N at 1.476 Å
		{"CD", "CG", "CB", "CA", 1.502, 103.5, -30},
	},
	"PHE": {
		{"CG", "CB", "CA", "N", 1.502, 113.8, -65},
		{"CD1", "CG", "CB", "CA", 1.389, 120.7, 90},
		{"CD2", "CG", "CB", "CA", 1.389, 120.7, -90},
		{"CE1", "CD1", "CG", "CB", 1.389, 120.7, 180},
		{"CE2", "CD2", "CG", "CB", 1.389, 120.7, 180},
		{"CZ", "CE1", "CD1", "CG", 1.389, 120.0, 0},
	},
	"TYR": {
		{"CG", "CB", "CA", "N", 1.512, 113.8, -65},
		{"CD1", "CG", "CB", "CA", 1.389, 120.8, 90},
		{"CD2", "CG", "CB", "CA", 1.389, 120.8, -90},
		{"CE1", "CD1", "CG", "CB", 1.389, 121.2, 180},
		{"CE2", "CD2", "CG", "CB", 1.389, 121.2, 180},
		{"CZ", "CE1", "CD1", "CG", 1.378, 119.6, 0},
		{"OH", "CZ", "CE1", "CD1", 1.376, 119.9, 180},
	},
	"TRP": {
		{"CG", "CB", "CA", "N", 1.498, 113.6, -65},
		{"CD1", "CG", "CB", "CA", 1.365, 126.9, 90},
		{"CD2", "CG", "CB", "CA", 1.433, 126.8, -90},
		{"NE1", "CD1", "CG", "CB", 1.374, 110.2, 180},
		{"CE2", "CD2", "CG", "CB", 1.409, 107.2, 180},
		{"CE3", "CD2", "CG", "CB", 1.398, 133.9, 0},
		{"CZ2", "CE2", "CD2", "CG", 1.394, 122.4, 180},
		{"CZ3", "CE3", "CD2", "CG", 1.382, 118.7, 180},
		{"CH2", "CZ2", "CE2", "CD2", 1.368, 117.5, 0},
	},
	"HIE": {
		{"CG", "CB", "CA", "N", 1.497, 113.7, -65},
		{"ND1", "CG", "CB", "CA", 1.378, 122.7, 90},
		{"CD2", "CG", "CB", "CA", 1.356, 131.0, -90},
		{"CE1", "ND1", "CG", "CB", 1.321, 105.6, 180},
		{"NE2", "CD2", "CG", "CB", 1.374, 106.5, 180},
	},
	"ASP": {
		{"CG", "CB", "CA", "N", 1.516, 112.6, -65},
		{"OD1", "CG", "CB", "CA", 1.250, 118.4, -60},
		{"OD2", "CG", "CB", "CA", 1.250, 118.4, 120},
	},
	"ASN": {
		{"CG", "CB", "CA", "N", 1.516, 112.6, -65},
		{"OD1", "CG", "CB", "CA", 1.231, 120.8, -60},
		{"ND2", "CG", "CB", "CA", 1.328, 116.4, 120},
	},
	"GLU": {
		{"CG", "CB", "CA", "N", 1.520, 114.1, -65},
		{"CD", "CG", "CB", "CA", 1.516, 112.6, 180},
		{"OE1", "CD", "CG", "CB", 1.250, 118.4, -60},
		{"OE2", "CD", "CG", "CB", 1.250, 118.4, 120},
	},
	"GLN": {
		{"CG", "CB", "CA", "N", 1.520, 114.1, -65},
		{"CD", "CG", "CB", "CA", 1.516, 112.6, 180},
		{"OE1", "CD", "CG", "CB", 1.231, 120.8, -60},
		{"NE2", "CD", "CG", "CB", 1.328, 116.4, 120},
	},
	"LYS": {
		{"CG", "CB", "CA", "N", 1.520, 114.1, -65},
		{"CD", "CG", "CB", "CA", 1.520, 111.3, 180},
		{"CE", "CD", "CG", "CB", 1.520, 111.3, 180},
		{"NZ", "CE", "CD", "CG", 1.489, 111.9, 180},
	},
	"ARG": {
		{"CG", "CB", "CA", "N", 1.520, 114.1, -65},
		{"CD", "CG", "CB", "CA", 1.520, 111.3, 180},
		{"NE", "CD", "CG", "CB", 1.460, 112.0, 180},
		{"CZ", "NE", "CD", "CG", 1.329, 124.2, 180},
		{"NH1", "CZ", "NE", "CD", 1.326, 120.0, 0},
		{"NH2", "CZ", "NE", "CD", 1.326, 120.0, 180},
	},
}

// Backbone geometry (Å, degrees): Engh–Huber-like values as used for the
// reference structures of docs/molecules.md §6.
const (
	bondNCA    = 1.458
	bondCAC    = 1.525
	bondCN     = 1.329
	bondCO     = 1.231
	bondCOXT   = 1.250
	bondCACB   = 1.530
	bondCCH3   = 1.520 // ACE CH3–C
	bondNCH3   = 1.449 // NME N–CH3
	angCNCA    = 121.7
	angNCAC    = 111.2
	angCACN    = 116.2
	angCACO    = 120.5
	angNCACB   = 110.5
	angCNCH3   = 121.9
	torsCNCACB = -122.6 // C–N–CA–CB for L amino acids
	prolinePhi = -63.0
)

// hydrogenBond returns the X–H bond length in Å for a heavy atom element.
func hydrogenBond(symbol string) float64 {
	switch symbol {
	case "N":
		return 1.01
	case "O":
		return 0.96
	case "S":
		return 1.336
	}
	return 1.09
}
