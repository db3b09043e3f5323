"""Reacher goal reaching (HIPI's reacher) with SAC; a goal family (HER, HIPI).

The target xy is the task (angle ~ U(−π, π), radius ~ U(0.05, 0.20));
reward 1[‖fingertip − target‖ < margin] − 1, margin 0.1 (smaller for harder
variants: --config.env.options.margin=0.05), H = 50 (Gym Reacher's limit).

Backend: 'positional' — the fastest Brax pipeline for this two-link arm on
CPU (~24k steps/s for 64 envs on 2 cores); Brax retunes the timestep and
gears so the control step stays 0.02 s.

Hyperparameters: γ = 0.99, 256×256 networks, batch 256, lr 3e-4, one update
per env step, HER 'future' at fraction 0.5 when relabel.name=her.
Budget: 50k env steps (1,000 episodes) / 50k updates, about 10–15 min on a
shared 2-core CPU. Memory: 10,000 episodes × 51 × (10 obs + 2 action +
2 features + …) floats ≈ 10 MB.
"""

from ml_collections import ConfigDict

from configs import base


def get_config():
  c = base.get_config()
  c.env.name = "reacher_goal"
  c.env.options = ConfigDict(dict(
      margin=0.1,           # success radius (HIPI's harder variants use smaller)
      radius_low=0.05,      # target radius ~ U(radius_low, radius_high)
      radius_high=0.20,
      backend="positional",
      horizon=50,
      eval_seed=0,
      num_eval_tasks=25,
  ))
  c.learner.hidden_sizes = (256, 256)
  c.learner.gamma = 0.99
  c.relabel.name = "her"
  c.relabel.her.strategy = "future"
  c.train.total_env_steps = 50_000
  c.train.num_envs = 16                # 800 steps per iteration
  c.train.updates_per_iteration = 800
  c.train.batch_size = 256
  c.train.buffer_episodes = 10_000
  c.train.warmup_episodes = 64
  c.train.iterations_per_epoch = 10
  c.train.checkpoint_every_epochs = 1
  return c
