// Package collide is the narrow-phase collision geometry of the envs/mjc
// engine: pure functions that, given two primitive shapes in world
// coordinates, write MuJoCo-compatible contacts — the signed distance
// between the surfaces, the contact point midway between them and the
// contact frame whose first row is the normal pointing from shape 1 to
// shape 2.
//
// The supported pairs are the ones the Gymnasium locomotion models need:
// plane–sphere, plane–capsule, sphere–sphere, sphere–capsule and
// capsule–capsule (parallel axes included). Shapes are given by their
// world position (m) and rotation matrix (3×3 row-major, columns = the
// shape's axes in world coordinates): a plane is its local z = 0 plane with
// normal along its z axis, a sphere is its radius, a capsule its radius and
// the half length of its segment along its z axis.
//
// Every function takes the contact margin (m) of the pair: contacts are
// reported when the distance between the surfaces is at most margin, so a
// positive margin produces contacts before the shapes touch. Each function
// writes at most MaxContacts contacts into dst (which must have room for
// them) and returns how many it wrote. The tangent rows of the frame are
// set only where MuJoCo sets them (the capsule axis for plane–capsule) and
// are zero otherwise; MakeFrame completes a frame as MuJoCo does before the
// contact is used.
package collide
