package mjc

// ObjType names a kind of model element for Name2ID.
type ObjType int

// Element kinds.
const (
	ObjBody ObjType = iota
	ObjJoint
	ObjGeom
	ObjSite
	ObjActuator
)

// Name2ID returns the id of the element of kind typ named name, or −1 when
// there is none (as mj_name2id). Unnamed elements ("") are never found.
func (m *Model) Name2ID(typ ObjType, name string) int {
	if name == "" {
		return -1
	}
	var names []string
	switch typ {
	case ObjBody:
		names = m.BodyName
	case ObjJoint:
		names = m.JntName
	case ObjGeom:
		names = m.GeomName
	case ObjSite:
		names = m.SiteName
	case ObjActuator:
		names = m.ActName
	}
	for i, n := range names {
		if n == name {
			return i
		}
	}
	return -1
}
