"""Walker2d with linear rewards (HIPI's walker) with SAC.

r = z · [torso height − 0.5, x-velocity, left foot (x, z) − (0, −0.7),
right foot (x, z) − (0, −0.7), ‖a‖²], z ~ U([−1, 1]⁶ × [−1, 0]), H = 100, no
early termination.

Backend: 'generalized'. Brax tunes its Walker2d only for 'generalized' (it
keeps the MuJoCo timestep and gears on every backend): under uniform-random
actions the generalized walker falls within ~50 steps, as MuJoCo's does,
while on 'positional' and 'spring' the torso stays at 1.2 m through 100
random steps (too stiff) — cheaper, but not the walker the tasks are about. results/brax_envs.md has the measured steps/s.

Hyperparameters: γ = 0.99, 256×256 networks, batch 256, lr 3e-4, one update
per env step (HIPI's SAC settings). Budget: 200k env steps (2,000 episodes) /
200k updates; at the ~25–35 ms per (env step + update) measured for the
H = 1000 runs on a busy 2-core CPU, about 1.5–2 h (not run here). Memory: 10,000
episodes × 101 × (17 obs + 6 action + 7 features + …) floats ≈ 150 MB.
"""

from ml_collections import ConfigDict

from configs import base


def get_config():
  c = base.get_config()
  c.env.name = "walker_linear"
  c.env.options = ConfigDict(dict(
      backend="generalized",  # see above
      horizon=100,
      eval_seed=0,
      num_eval_tasks=25,
  ))
  c.learner.hidden_sizes = (256, 256)
  c.learner.gamma = 0.99
  c.relabel.name = "none"
  c.train.total_env_steps = 200_000
  c.train.num_envs = 16                 # 1,600 steps per iteration
  c.train.updates_per_iteration = 1600  # one gradient step per env step
  c.train.batch_size = 256
  c.train.buffer_episodes = 10_000      # 1M transitions
  c.train.warmup_episodes = 64
  c.train.iterations_per_epoch = 10
  c.train.checkpoint_every_epochs = 1
  return c
