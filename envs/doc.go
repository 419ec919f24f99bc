// Package envs provides reinforcement-learning environments with Gymnasium
// semantics: the continuous classic-control tasks (Pendulum-v1,
// MountainCarContinuous-v0), the 2-D MultiGoal-v0 task of the soft
// Q-learning paper, the contact-free MuJoCo tasks (InvertedPendulum,
// InvertedDoublePendulum, Reacher, Swimmer) and the locomotion tasks with
// soft contacts (Hopper, Walker2d, HalfCheetah, Ant, Humanoid), each in its
// v4 and v5 variant, simulated by the pure-Go engine in envs/mjc on the
// models of envs/assets compiled by envs/mjcf. Every MuJoCo task uses the
// integrator its XML names; Options.Integrator "euler" selects MuJoCo's
// semi-implicit Euler instead (Ant then takes AntEulerSubsteps smaller
// steps per physics step to stay stable).
//
// # Environment API
//
// An Env is reset with Reset(seed) and advanced with Step(action). Step
// returns the observation, the reward, whether the episode terminated (a
// terminal state of the task's MDP) or was truncated (a time limit), an Info
// map with the reward components, and an error:
//
//   - an action of the wrong length, or with a NaN or ±Inf entry, is an
//     *ActionError; the environment is left unchanged;
//   - a physical state that becomes non-finite (or, in envs/mjc, diverges
//     beyond 1e10) is a *StateError naming the episode step; the
//     environment must be reset before it is stepped again.
//
// Spaces are Boxes of 1-D float64 vectors. Actions are never silently
// clipped by the API: every task documents what it does with out-of-range
// actions. The MuJoCo tasks follow MuJoCo's rule — the physics clamps each
// control to its actuator's ctrlrange, while the control cost is computed
// from the raw action. RescaleAction maps agent actions in [−1, 1] to a
// task's bounds, as Gymnasium's wrapper of the same name.
//
// # Buffers and ownership
//
// Observations are float64 slices owned by the environment: the slice
// returned by Reset or Step is overwritten by the next call to Reset or Step
// of the same environment. Copy it to keep it. The Info map is owned by the
// environment in the same way. With that contract Step allocates nothing
// (checked by tests for every task).
//
// # Registry and time limits
//
// Make(id, opts) builds a registered task by its Gymnasium id and wraps it in
// a TimeLimit with the registered max_episode_steps, which sets truncated.
// IDs lists the ids; an unknown id is an error listing them. Options carry
// Gymnasium's constructor keyword arguments (Params), a user MJCF file
// (ModelPath), an integrator override and NoResetNoise, which starts every
// episode exactly at the model's qpos0 with zero velocity.
//
// # MuJoCo tasks
//
// A task embeds *MujocoEnv (model, data, frame skip, action rule, reset
// noise helpers) and reads like a Brax environment: a doc comment with the
// tables of observations and actions and the reward, then Reset and Step.
// Body quantities read after a step (Data.Xpos, SiteXpos, …) come from the
// last forward evaluation inside the step, as in MuJoCo. Reward components
// go to Info under Gymnasium's keys ("reward_ctrl", "x_velocity", …).
//
// # Vector environments
//
// VectorEnv steps N copies in parallel goroutines with same-step auto-reset;
// the final observation of an ended episode is kept (FinalObs), copies that
// blow up are counted and reset. Results depend only on the seed.
//
// # Rollouts
//
// Rollout writes a trajectory CSV (step,time,qpos…,qvel…,ctrl…,reward,
// terminated,truncated); SineAction is the control law of the shared MuJoCo
// reference data. The command experiments/rollout wraps both.
package envs
