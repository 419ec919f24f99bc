package forcefield

import (
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// node is a generic XML element.
type node struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Children []node     `xml:",any"`
	Text     string     `xml:",chardata"`
}

func (n *node) attr(name string) (string, bool) {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value, true
		}
	}
	return "", false
}

func (n *node) float(name string) (float64, error) {
	s, ok := n.attr(name)
	if !ok {
		return 0, fmt.Errorf("<%s>: missing attribute %q", n.XMLName.Local, name)
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return 0, fmt.Errorf("<%s>: attribute %s=%q: %v", n.XMLName.Local, name, s, err)
	}
	return v, nil
}

// LoadXMLFile reads an OpenMM ForceField XML file, following <Include>
// elements relative to the file's directory.
func LoadXMLFile(path string) (*ForceField, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("forcefield: %v", err)
	}
	defer fh.Close()
	ff, includes, err := ParseXML(fh)
	if err != nil {
		return nil, fmt.Errorf("forcefield: %s: %w", path, err)
	}
	out := &ForceField{}
	for _, inc := range includes {
		p := inc
		if !filepath.IsAbs(p) {
			p = filepath.Join(filepath.Dir(path), inc)
		}
		sub, err := LoadXMLFile(p)
		if err != nil {
			return nil, err
		}
		if err := out.Merge(sub); err != nil {
			return nil, fmt.Errorf("forcefield: %s: %w", p, err)
		}
	}
	if err := out.Merge(ff); err != nil {
		return nil, fmt.Errorf("forcefield: %s: %w", path, err)
	}
	return out, nil
}

// typeSpec reads the k-th type/class attribute (k = "1".."4" or "").
func typeSpec(n *node, k string) (TypeSpec, bool) {
	if t, ok := n.attr("type" + k); ok {
		return TypeSpec{Type: t}, true
	}
	if c, ok := n.attr("class" + k); ok {
		return TypeSpec{Class: c}, true
	}
	return TypeSpec{}, false
}

// ParseXML parses one OpenMM ForceField XML document. It returns the
// force field and the file names of its <Include> elements (not loaded).
// Elements that would change the energy but are not supported (CMAP,
// custom forces, scripts other than implicit/obc1.xml) give an error.
func ParseXML(r io.Reader) (*ForceField, []string, error) {
	var root node
	if err := xml.NewDecoder(r).Decode(&root); err != nil {
		return nil, nil, fmt.Errorf("XML: %v", err)
	}
	if root.XMLName.Local != "ForceField" {
		return nil, nil, fmt.Errorf("root element is <%s>, want <ForceField>", root.XMLName.Local)
	}
	ff := &ForceField{}
	var includes []string
	for ci := range root.Children {
		c := &root.Children[ci]
		switch c.XMLName.Local {
		case "Info":
		case "Include":
			f, ok := c.attr("file")
			if !ok {
				return nil, nil, fmt.Errorf("<Include> without file attribute")
			}
			includes = append(includes, f)
		case "AtomTypes":
			for _, t := range c.Children {
				if t.XMLName.Local != "Type" {
					continue
				}
				name, _ := t.attr("name")
				class, _ := t.attr("class")
				el, _ := t.attr("element")
				m, err := t.float("mass")
				if err != nil {
					return nil, nil, fmt.Errorf("atom type %q: %v", name, err)
				}
				ff.AtomTypes = append(ff.AtomTypes, AtomType{Name: name, Class: class, Element: el, Mass: m})
			}
		case "Residues":
			for ri := range c.Children {
				rn := &c.Children[ri]
				if rn.XMLName.Local != "Residue" {
					continue
				}
				t, err := parseResidue(rn)
				if err != nil {
					return nil, nil, err
				}
				ff.Templates = append(ff.Templates, t)
			}
		case "HarmonicBondForce":
			for _, b := range c.Children {
				if b.XMLName.Local != "Bond" {
					continue
				}
				s1, ok1 := typeSpec(&b, "1")
				s2, ok2 := typeSpec(&b, "2")
				l, err1 := b.float("length")
				k, err2 := b.float("k")
				if !ok1 || !ok2 || err1 != nil || err2 != nil {
					return nil, nil, fmt.Errorf("HarmonicBondForce: bad <Bond> %v", b.Attrs)
				}
				ff.Bonds = append(ff.Bonds, BondParam{Types: [2]TypeSpec{s1, s2}, Length: l, K: k})
			}
		case "HarmonicAngleForce":
			for _, a := range c.Children {
				if a.XMLName.Local != "Angle" {
					continue
				}
				var spec [3]TypeSpec
				ok := true
				for k := 0; k < 3; k++ {
					var o bool
					spec[k], o = typeSpec(&a, strconv.Itoa(k+1))
					ok = ok && o
				}
				ang, err1 := a.float("angle")
				k, err2 := a.float("k")
				if !ok || err1 != nil || err2 != nil {
					return nil, nil, fmt.Errorf("HarmonicAngleForce: bad <Angle> %v", a.Attrs)
				}
				ff.Angles = append(ff.Angles, AngleParam{Types: spec, Angle: ang, K: k})
			}
		case "PeriodicTorsionForce":
			ordering, ok := c.attr("ordering")
			if !ok {
				ordering = "default"
			}
			switch ordering {
			case "default", "amber", "charmm", "smirnoff":
			default:
				return nil, nil, fmt.Errorf("PeriodicTorsionForce: illegal ordering %q", ordering)
			}
			for ti := range c.Children {
				t := &c.Children[ti]
				kind := t.XMLName.Local
				if kind != "Proper" && kind != "Improper" {
					continue
				}
				tp, err := parseTorsion(t)
				if err != nil {
					return nil, nil, err
				}
				if kind == "Proper" {
					ff.Propers = append(ff.Propers, tp)
				} else {
					tp.Ordering = ordering
					ff.Impropers = append(ff.Impropers, tp)
				}
			}
		case "NonbondedForce":
			c14, err1 := c.float("coulomb14scale")
			lj14, err2 := c.float("lj14scale")
			if err1 != nil || err2 != nil {
				return nil, nil, fmt.Errorf("NonbondedForce: missing 1-4 scales")
			}
			nb := &NonbondedParams{Coulomb14Scale: c14, LJ14Scale: lj14}
			for ai := range c.Children {
				a := &c.Children[ai]
				switch a.XMLName.Local {
				case "UseAttributeFromResidue":
					if n, _ := a.attr("name"); n == "charge" {
						nb.ChargeFromResidue = true
					} else {
						return nil, nil, fmt.Errorf("NonbondedForce: unsupported UseAttributeFromResidue %q", n)
					}
				case "Atom":
					spec, ok := typeSpec(a, "")
					if !ok {
						return nil, nil, fmt.Errorf("NonbondedForce: <Atom> without type or class")
					}
					p := AtomParam{Spec: spec}
					var err error
					if _, has := a.attr("charge"); has {
						if p.Charge, err = a.float("charge"); err != nil {
							return nil, nil, fmt.Errorf("NonbondedForce: %v", err)
						}
					}
					if p.Sigma, err = a.float("sigma"); err != nil {
						return nil, nil, fmt.Errorf("NonbondedForce: %v", err)
					}
					if p.Epsilon, err = a.float("epsilon"); err != nil {
						return nil, nil, fmt.Errorf("NonbondedForce: %v", err)
					}
					nb.Atoms = append(nb.Atoms, p)
				}
			}
			if ff.Nonbonded != nil {
				ff.Nonbonded.Atoms = append(ff.Nonbonded.Atoms, nb.Atoms...)
			} else {
				ff.Nonbonded = nb
			}
		case "GBSAOBCForce":
			gb := &GBSAOBCParams{}
			for ai := range c.Children {
				a := &c.Children[ai]
				if a.XMLName.Local != "Atom" {
					continue
				}
				spec, ok := typeSpec(a, "")
				if !ok {
					return nil, nil, fmt.Errorf("GBSAOBCForce: <Atom> without type or class")
				}
				q, err1 := a.float("charge")
				rad, err2 := a.float("radius")
				sc, err3 := a.float("scale")
				if err1 != nil || err2 != nil || err3 != nil {
					return nil, nil, fmt.Errorf("GBSAOBCForce: bad <Atom> %v", a.Attrs)
				}
				gb.Atoms = append(gb.Atoms, AtomParam{Spec: spec, Charge: q, Radius: rad, Scale: sc})
			}
			ff.GBSAOBC = gb
		case "Script":
			if strings.Contains(c.Text, "GBSAOBC1Force") {
				ff.OBC1 = &OBC1Params{SoluteDielectric: 1, SolventDielectric: 78.5}
			} else {
				return nil, nil, fmt.Errorf("unsupported <Script> (only the OBC1 script of implicit/obc1.xml is implemented)")
			}
		default:
			return nil, nil, fmt.Errorf("unsupported element <%s>", c.XMLName.Local)
		}
	}
	return ff, includes, nil
}

func parseResidue(rn *node) (Template, error) {
	name, _ := rn.attr("name")
	t := Template{Name: name}
	idx := map[string]int{}
	for _, a := range rn.Children {
		if a.XMLName.Local != "Atom" {
			continue
		}
		an, _ := a.attr("name")
		ty, _ := a.attr("type")
		ta := TemplateAtom{Name: an, Type: ty}
		if _, ok := a.attr("charge"); ok {
			q, err := a.float("charge")
			if err != nil {
				return t, fmt.Errorf("residue %s: %v", name, err)
			}
			ta.Charge = &q
		}
		idx[an] = len(t.Atoms)
		t.Atoms = append(t.Atoms, ta)
	}
	atomRef := func(n *node, idxAttr, nameAttr string) (int, error) {
		if s, ok := n.attr(idxAttr); ok {
			i, err := strconv.Atoi(s)
			if err != nil || i < 0 || i >= len(t.Atoms) {
				return 0, fmt.Errorf("residue %s: bad atom index %s=%q", name, idxAttr, s)
			}
			return i, nil
		}
		if s, ok := n.attr(nameAttr); ok {
			i, ok := idx[s]
			if !ok {
				return 0, fmt.Errorf("residue %s: unknown atom %s=%q", name, nameAttr, s)
			}
			return i, nil
		}
		return 0, fmt.Errorf("residue %s: <%s> without %s or %s", name, n.XMLName.Local, idxAttr, nameAttr)
	}
	for ci := range rn.Children {
		c := &rn.Children[ci]
		switch c.XMLName.Local {
		case "Atom":
		case "Bond":
			i, err := atomRef(c, "from", "atomName1")
			if err != nil {
				return t, err
			}
			j, err := atomRef(c, "to", "atomName2")
			if err != nil {
				return t, err
			}
			t.Bonds = append(t.Bonds, [2]int{i, j})
		case "ExternalBond":
			i, err := atomRef(c, "from", "atomName")
			if err != nil {
				return t, err
			}
			t.External = append(t.External, i)
		default:
			return t, fmt.Errorf("residue %s: unsupported element <%s>", name, c.XMLName.Local)
		}
	}
	return t, nil
}

func parseTorsion(t *node) (TorsionParam, error) {
	var tp TorsionParam
	for k := 0; k < 4; k++ {
		s, ok := typeSpec(t, strconv.Itoa(k+1))
		if !ok {
			return tp, fmt.Errorf("<%s> %v: missing type%d/class%d", t.XMLName.Local, t.Attrs, k+1, k+1)
		}
		tp.Types[k] = s
	}
	for i := 1; ; i++ {
		ps, ok := t.attr("periodicity" + strconv.Itoa(i))
		if !ok {
			break
		}
		n, err := strconv.Atoi(ps)
		if err != nil {
			return tp, fmt.Errorf("<%s> %v: periodicity%d: %v", t.XMLName.Local, t.Attrs, i, err)
		}
		ph, err1 := t.float("phase" + strconv.Itoa(i))
		k, err2 := t.float("k" + strconv.Itoa(i))
		if err1 != nil || err2 != nil {
			return tp, fmt.Errorf("<%s> %v: term %d incomplete", t.XMLName.Local, t.Attrs, i)
		}
		tp.Terms = append(tp.Terms, TorsionTerm{Periodicity: n, Phase: ph, K: k})
	}
	if len(tp.Terms) == 0 {
		return tp, fmt.Errorf("<%s> %v: no periodic terms", t.XMLName.Local, t.Attrs)
	}
	return tp, nil
}
