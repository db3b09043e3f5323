"""Ant goal reaching (HIPI's quadruped) with SAC; a goal family, so HER applies.

Goals uniform on a circle of radius 3 around the start; sparse reward
1[dist < radius] − 1 (radius 0.3, HIPI's command; smaller is harder) or the
dense option (3 − dist) − 0.1‖a‖² + 1. No early termination by default
(falling would end the −1 stream early and so be rewarded).

Backend: 'spring' (Brax's MJX and positional Ants fall through the floor
under random actions; see configs/ant_direction.py).

Hyperparameters: γ = 0.99, 256×256 networks, batch 256, lr 3e-4, one update
per env step, HER 'future' at relabel fraction 0.5 when relabel.name=her.
H = 500 (at ≲ 1 m/s a 3 m goal takes a few hundred 0.05 s steps).
Budget: 200k env steps / 200k updates, about 1.5 h on a shared 2-core CPU
(not run here); HIPI trained for millions of steps. Memory: 2000 episodes ×
501 × (29 obs + 8 action + 3 features + …) floats ≈ 170 MB.
"""

from ml_collections import ConfigDict

from configs import base


def get_config():
  c = base.get_config()
  c.env.name = "ant_goal"
  c.env.options = ConfigDict(dict(
      reward_type="sparse",   # sparse: 1[dist < radius] − 1; dense: (3 − dist) − 0.1‖a‖² + 1
      radius=0.3,             # success radius
      goal_distance=3.0,      # goals on a circle of this radius
      ctrl_cost_weight=0.1,   # dense only
      terminate_when_unhealthy=False,
      healthy_z_low=0.2,
      healthy_z_high=1.0,
      backend="spring",
      horizon=500,
      eval_seed=0,
      num_eval_tasks=25,
  ))
  c.learner.hidden_sizes = (256, 256)
  c.learner.gamma = 0.99
  c.relabel.name = "her"
  c.relabel.her.strategy = "future"
  c.train.total_env_steps = 200_000
  c.train.num_envs = 4                  # 2,000 steps per iteration
  c.train.updates_per_iteration = 2000
  c.train.batch_size = 256
  c.train.buffer_episodes = 2000        # 1M transitions
  c.train.warmup_episodes = 20
  c.train.iterations_per_epoch = 5
  c.train.checkpoint_every_epochs = 1
  return c
