// Command ffconvert converts OpenMM ForceField XML files into the compact
// gzipped-JSON format embedded by molecules/forcefield, keeping only the
// protein residues (standard amino acids, terminal variants and caps) and
// the parameters that can apply to them.
//
//	go run ./experiments/ffconvert -src ../shared/data/openmm/forcefields -out molecules/forcefield/defaults.json.gz
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/boltzflow/boltzflow/molecules/forcefield"
	"github.com/boltzflow/boltzflow/molecules/pdb"
)

func main() {
	src := flag.String("src", "../shared/data/openmm/forcefields", "directory holding the OpenMM force-field XML files")
	out := flag.String("out", "molecules/forcefield/defaults.json.gz", "output file")
	flag.Parse()
	log.SetFlags(0)

	// Each group: a main file with residue templates, then files that add
	// parameters to its atom types.
	groups := [][]string{
		{"amber99sbildn.xml", "amber99_obc.xml"},
		{"amber14-all.xml", "implicit/obc1.xml"},
	}
	parts := map[string]*forcefield.ForceField{}
	for _, g := range groups {
		var types []forcefield.AtomType
		for k, name := range g {
			ff, err := forcefield.LoadXMLFile(filepath.Join(*src, name))
			if err != nil {
				log.Fatal(err)
			}
			var sub *forcefield.ForceField
			if k == 0 {
				sub = ff.Subset(forcefield.ProteinResidue, nil)
				types = sub.AtomTypes
			} else {
				sub = ff.Subset(nil, types)
			}
			parts[name] = sub
			fmt.Fprintf(os.Stderr, "%s: %d atom types, %d templates, %d bonds, %d angles, %d propers, %d impropers\n",
				name, len(sub.AtomTypes), len(sub.Templates), len(sub.Bonds), len(sub.Angles), len(sub.Propers), len(sub.Impropers))
		}
	}
	data, err := forcefield.MarshalCompact(parts)
	if err != nil {
		log.Fatal(err)
	}
	if err := pdb.WriteFileAtomic(*out, data); err != nil {
		log.Fatal(err)
	}
	fmt.Fprintf(os.Stderr, "wrote %s (%d bytes)\n", *out, len(data))
}
