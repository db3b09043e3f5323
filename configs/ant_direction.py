"""Ant direction (Generalized Hindsight's AntDirection) with SAC.

r = ‖v_xy‖·1[cos∠(v_xy, θ) > cos 15°] − 0.5‖a‖² + 1, termination when the
torso height leaves [0.2, 1.0], H = 1000, θ ~ U(−π, π); evaluation on 25
evenly spaced directions. Narrower task ranges, as in the paper's easier
variants: --config.env.options.angle_range=1.5707963 (±π/2) or 0.7853982 (±π/4).

Backend: 'spring'. MJX is the fastest Ant on CPU (~11k steps/s for 64 envs on
2 cores) but Brax's MJX Ant (Newton solver cut to 1 iteration for speed) is not
usable here: under uniform-random actions the torso is thrown above 1.0 m
within 5–15 steps and then sinks through the floor (z < 0), so episodes end
almost at once; 'positional' (gear 200) did the same in 1 of 4 rollouts.
'spring' kept every random rollout upright (torso 0.3–0.96 m) at ~4k steps/s
for 64 envs on a busy 2-core CPU, and 'generalized' is ~2–3× slower.

Hyperparameters as Generalized Hindsight's SAC: γ = 0.99, 256×256 networks,
batch 256, lr 3e-4, one update per env step. Budget: 100k env steps (episodes
end early on falls, so up to 100k valid steps over ≥ 100 episodes) and 100k
updates, about 40–60 min on a shared 2-core CPU. The paper used millions of
steps. Memory: 1000 episodes × 1001 × (27 obs + 8 action + 3 features + …)
floats ≈ 160 MB.
"""

import math

from ml_collections import ConfigDict

from configs import base


def get_config():
  c = base.get_config()
  c.env.name = "ant_direction"
  c.env.options = ConfigDict(dict(
      angle_range=math.pi,   # θ ~ U(−range, range); π/2 and π/4 are the easier variants
      cone_degrees=15.0,     # velocity must be within this angle of θ to count
      ctrl_cost_weight=0.5,
      survive_bonus=1.0,
      healthy_z_low=0.2,     # terminate when the torso height leaves [low, high]
      healthy_z_high=1.0,
      backend="spring",   # see above: mjx/positional Ants fall through the floor
      horizon=1000,
      eval_seed=0,
      num_eval_tasks=25,
  ))
  c.learner.hidden_sizes = (256, 256)
  c.learner.gamma = 0.99
  c.relabel.name = "none"
  c.train.total_env_steps = 100_000
  c.train.num_envs = 2
  c.train.updates_per_iteration = 2000
  c.train.batch_size = 256
  c.train.buffer_episodes = 1000
  c.train.warmup_episodes = 10
  c.train.iterations_per_epoch = 5
  c.train.checkpoint_every_epochs = 1
  return c
