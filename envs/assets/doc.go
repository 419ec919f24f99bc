// Package assets embeds Boltzflow's own MJCF model files for the MuJoCo
// tasks: inverted_pendulum, inverted_double_pendulum, reacher, swimmer,
// hopper, walker2d (Walker2d-v4 feet friction 0.9/1.9), walker2d_v5 (both
// feet 1.9), half_cheetah, ant and humanoid.
//
// The files are written for this project. Their bodies, joints, geoms,
// actuators and every number in them are those of Gymnasium's models (the
// physical facts that define the tasks), so that envs/mjcf compiles each of
// them to the same model as MuJoCo 2.2.2 compiles Gymnasium's file; rendering
// elements (materials, textures, lights, cameras, colours) are left out.
package assets
