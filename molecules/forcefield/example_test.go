package forcefield_test

import (
	"fmt"

	"github.com/boltzflow/boltzflow/molecules"
	"github.com/boltzflow/boltzflow/molecules/forcefield"
)

// Example builds alanine dipeptide (ACE-ALA-NME) atom by atom from the
// embedded amber99sbildn templates and creates its System.
func Example() {
	ff, err := forcefield.Load("amber99sbildn.xml", "amber99_obc.xml")
	if err != nil {
		panic(err)
	}
	top := &molecules.Topology{}
	chain := top.AddChain("A")
	for k, name := range []string{"ACE", "ALA", "NME"} {
		r := top.AddResidue(name, fmt.Sprint(k+1), chain)
		for _, a := range ff.Template(name).Atoms {
			at, _ := ff.AtomTypeByName(a.Type)
			el, _ := molecules.ElementBySymbol(at.Element)
			top.AddAtom(a.Name, el, r)
		}
	}
	sys, err := ff.CreateSystem(top, forcefield.Options{Method: molecules.NoCutoff})
	if err != nil {
		panic(err)
	}
	fmt.Println("atoms", sys.NumAtoms(), "bonds", len(sys.Bonds), "angles", len(sys.Angles),
		"torsions", len(sys.Torsions), "exceptions", len(sys.Nonbonded.Exceptions), "GB", sys.GB.Model)
	fmt.Printf("kT at 300 K: %.6f kJ/mol\n", molecules.KT(300))
	// Output:
	// atoms 22 bonds 21 angles 36 torsions 42 exceptions 98 GB OBC2(GBSAOBCForce)
	// kT at 300 K: 2.494339 kJ/mol
}
