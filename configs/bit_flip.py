"""Bit flipping with DQN, HER's benchmark (Andrychowicz et al. 2017, Sec. 3.1
and appendix A, "bit-flipping"): n bits, uniform start and goal, reward
−[s′ ≠ g], episodes of n steps.

From the paper: a Q-network with one hidden layer of 256 units, Adam with
learning rate 10⁻³, γ = 0.98, minibatches of 128, HER's k = 4 future goals
per transition (relabel.fraction = 1 − 1/(1 + k) = 0.8), an episode counted a
success when the goal is reached at any step (here: termination at success,
so the final step's success is exactly that).

HER's training procedure, as openai/baselines runs it: cycles of 16 episodes,
each followed by 40 updates (her/experiment/config.py n_batches = 40) and one
Polyak average of the target network with decay 0.95 (her/her.py train():
update_target_net once per cycle; config.py polyak = 0.95), targets clipped
to [−1/(1 − γ), 0] = [−50, 0] (her/ddpg.py clip_return, clip_pos_returns). The
number of updates per cycle is fixed whatever n, so updates per env step fall
as 40 / (16 n). The paper trains several workers in parallel; the budget and
the ε schedule are this project's.

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
  # Polyak decay 0.95 (HER appendix A; baselines her/experiment/config.py polyak)
  c.learner.tau = 0.05
  c.learner.dqn.polyak_every = 40   # once per cycle of 40 updates (baselines her/her.py train())
  # 1 / (1 − γ) (baselines her/experiment/config.py configure_ddpg: clip_return,
  # clip_pos_returns; applied in her/ddpg.py)
  c.learner.dqn.clip_return = 50.0
  c.learner.dqn.target_update = "polyak"
  c.learner.dqn.epsilon_start = 0.5
  c.learner.dqn.epsilon_end = 0.05
  c.learner.dqn.epsilon_decay_updates = 5_000
  c.relabel.her.strategy = "future"
  c.relabel.fraction = 0.8          # k = 4 relabeled goals per real one (HER Sec. 4.5, k = 4)
  c.train.batch_size = 128          # minibatches of 128 (HER appendix A)
  # 16 episodes per cycle, HER appendix A's bit-flipping cycle as this project
  # reads it (unverified here; baselines' robotics default is rollout_batch_size
  # = 2 per MPI worker, her/experiment/config.py).
  c.train.num_envs = 16
  c.train.updates_per_iteration = 40  # per cycle (baselines her/experiment/config.py n_batches)
  c.train.buffer_transitions = 1_000_000  # replay buffer of 10⁶ transitions (HER appendix A)
  c.train.warmup_episodes = 16
  c.train.iterations_per_epoch = 25  # evaluate every 4,000 env steps at n = 10
  c.train.total_env_steps = 40_000
  return c
