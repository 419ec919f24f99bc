// Package agents holds the reinforcement-learning agents of Boltzflow: MEow (meow.go), the actor-free
// maximum-entropy agent whose policy is a state-conditioned energy-based flow (ebflow), and the SAC baseline
// with CleanRL's settings (sac.go), over a shared uniform ReplayBuffer and a batched evaluation loop.
//
// Actions are in [−1, 1]^d on the agent side and rescaled to each environment's action box (Gymnasium's
// RescaleAction(−1, 1)). Observations enter the networks as float32.
//
// Episode ends: a time-limit truncation is not an end of the MDP. The replay buffer stores the real final
// observation of a truncated episode and done = terminated only, so targets bootstrap through truncations.
package agents
