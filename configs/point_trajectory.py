"""PointTrajectory with SAC, as Generalized Hindsight's released code runs it
(alexlioralexli/generalized-hindsight, ``launch_gher.py``, variant for
``--env pointmass2``; line numbers at commit b5e44b5).

Every setting below is the paper's; the cpu scale of the studies changes only
the env-step budget. The reward is computed at the state s_t before each step
(rlkit/torch/multitask/pointmass_rewards.py, calculate_path_reward on
path['observations']). Evaluation: 25 fixed prior tasks, one deterministic
episode each (the released code evaluates 333 episodes on fresh prior tasks
per epoch, L229), so that curves of different runs are comparable.
"""

from hindsight import schema
from hindsight.studies import paper_setups


def get_config():
  # The family's defaults are the paper's: σ = 0.05 (calculate_path_reward),
  # H = 15 (L233, L285), done = t >= H (rlkit/envs/point_robot_new.py,
  # PointEnv.step), reward at s_t (see above).
  c = schema.get_config("point_trajectory")
  c.learner.hidden_sizes = (400, 300)      # (L288-289)
  paper_setups.generalized_hindsight(c)  # lr 3e-3, τ 5e-3, warm-up with the initial policy
  c.gamma = 0.90                           # discount (L236)
  c.train.batch_size = 128                 # (L287)
  c.train.num_envs = 5                     # 75 expl steps per loop = 5 paths of 15 (L230)
  c.train.updates_per_env_step = 100 / 75  # 100 trains per 75-step loop (L231)
  c.train.buffer_transitions = 100_000     # replay_buffer_size (L245)
  c.train.warmup_episodes = 67             # min_num_steps_before_training = 1000 ≈ 67 × 15 (L232)
  c.train.iterations_per_epoch = 40        # evaluate every 3,000 env steps
  c.train.total_env_steps = 48_000
  return c
