"""Multi-objective reaching on Brax's Reacher arm (Generalized Hindsight's
PointReacher/Fetch reward with the fingertip as the point) with SAC.

Task z = (u, v, θ_goal, r_goal, θ_obs, r_obs); reward w₁(0.2 − d_goal) +
w₂(−‖a‖) + w₃ log₁₀(d_obs + 0.01)/5 (or the sparse reach term), H = 50.

Backend: 'positional' (the fastest Brax pipeline for the Reacher on CPU,
~24k steps/s for 64 envs on 2 cores).

Hyperparameters as Generalized Hindsight: γ = 0.99, 256×256 networks,
batch 256, lr 3e-4, one update per env step; AIR/advantage with 100
candidates, m = 1, cache of 500 episodes. Budget: 50k env steps / 50k
updates, about 10–15 min on a shared 2-core CPU. Memory: ≈ 10 MB.
"""

from ml_collections import ConfigDict

from configs import base


def get_config():
  c = base.get_config()
  c.env.name = "reacher_multiobjective"
  c.env.options = ConfigDict(dict(
      reward_type="dense",   # 'dense': 0.2 − d;  'sparse': s·exp(−d²/0.08²)
      sparse_scale=1.0,
      backend="positional",
      horizon=50,
      eval_seed=0,
      num_eval_tasks=25,
  ))
  c.learner.hidden_sizes = (256, 256)
  c.learner.gamma = 0.99
  c.relabel.name = "air"
  c.train.total_env_steps = 50_000
  c.train.num_envs = 16
  c.train.updates_per_iteration = 800
  c.train.batch_size = 256
  c.train.buffer_episodes = 10_000
  c.train.warmup_episodes = 64
  c.train.iterations_per_epoch = 10
  c.train.checkpoint_every_epochs = 1
  return c
