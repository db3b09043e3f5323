"""Bit flipping with DQN, HER's benchmark (Andrychowicz et al. 2017, Sec. 3.1
and appendix A, "bit-flipping"): n bits, uniform start and goal, reward
−[s′ ≠ g], episodes of n steps.

From the paper: a Q-network with one hidden layer of 256 units, Adam with
learning rate 10⁻³, γ = 0.98, minibatches of 128, the target network
Polyak-averaged with decay 0.95 (here τ = 0.05 after every update rather than
after every cycle of 40 updates), HER's k = 4 future goals per transition
(relabel.fraction = 1 − 1/(1 + k) = 0.8), an episode counted a success when
the goal is reached at any step (here: termination at success, so the final
step's success is exactly that). The paper trains 16 workers in parallel; the
budget, the ε schedule and updates per env step are this project's, chosen so
that n = 10 learns in minutes on a CPU.

  python experiments/train.py --config=configs/bit_flip.py --config.relabel.name=her
"""

from hindsight import schema


def get_config():
  # The family's defaults are HER's: episodes of n = 10 steps, no time in the
  # observation, success = the goal reached (cited at its fields,
  # hindsight/tasks/bit_flip.py).
  c = schema.get_config("bit_flip")
  c.learner.name = "dqn"
  c.learner.hidden_sizes = (256,)   # one hidden layer of 256 units (HER appendix A)
  c.learner.critic_lr = 1e-3        # Adam, learning rate 0.001 (HER appendix A)
  c.gamma = 0.98                    # discount (HER appendix A)
  c.learner.tau = 0.05              # Polyak decay 0.95 (HER appendix A; per update here)
  c.learner.dqn.target_update = "polyak"
  c.learner.dqn.epsilon_start = 0.5
  c.learner.dqn.epsilon_end = 0.05
  c.learner.dqn.epsilon_decay_updates = 5_000
  c.relabel.her.strategy = "future"
  c.relabel.fraction = 0.8          # k = 4 relabeled goals per real one (HER Sec. 4.5, k = 4)
  c.train.batch_size = 128          # minibatches of 128 (HER appendix A)
  c.train.num_envs = 16             # episodes per iteration
  c.train.updates_per_env_step = 0.25
  c.train.buffer_transitions = 1_000_000  # replay buffer of 10⁶ transitions (HER appendix A)
  c.train.warmup_episodes = 16
  c.train.iterations_per_epoch = 25  # evaluate every 4,000 env steps at n = 10
  c.train.total_env_steps = 40_000
  return c
