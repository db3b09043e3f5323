"""HalfCheetah multi-objective (Generalized Hindsight) with SAC.

r = z · [forward velocity, −0.1‖a‖², torso height, torso angular velocity],
H = 1000, evaluated on 25 fixed prior tasks.

Backend: 'spring'. On 2 CPU cores, 64 vmapped HalfCheetahs step at ~5.5k/s on
spring against ~2k/s on 'generalized' (and < 1k/s on 'mjx', whose default
solver is slow on CPU); spring is Brax's cheapest contact model (Brax retunes
the timestep and gears per backend so the control step stays 0.05 s). Use
--config.env.options.backend=generalized for physics closer to MuJoCo.

Hyperparameters as in Generalized Hindsight's SAC (rlkit defaults): γ = 0.99,
two 256-unit layers, batch 256, lr 3e-4, one gradient step per env step,
AIR with 100 candidates, m = 1, a cache of the 500 most recent episodes.
Budget here: 100k env steps (100 episodes) and 100k updates — about 40–60 min
on a shared 2-core CPU (an update is ~9 ms; collection ~1 s per episode). The
paper trained for millions of steps; scale ``train.total_env_steps`` up on a
bigger machine. Memory: the buffer is buffer_episodes × 1001 × (17 obs + 6
action + 4 features + …) floats ≈ 120 MB at 1000 episodes (1M transitions).
"""

from ml_collections import ConfigDict

from configs import base


def get_config():
  c = base.get_config()
  c.env.name = "halfcheetah_multiobjective"
  c.env.options = ConfigDict(dict(
      backend="spring",     # generalized | positional | spring | mjx (see above)
      horizon=1000,         # H
      eval_seed=0,          # seed of the fixed 25 evaluation tasks
      num_eval_tasks=25,
  ))
  c.learner.hidden_sizes = (256, 256)
  c.learner.gamma = 0.99
  c.relabel.name = "air"
  c.train.total_env_steps = 100_000
  c.train.num_envs = 2                  # 2 episodes (2,000 steps) per iteration
  c.train.updates_per_iteration = 2000  # one gradient step per env step
  c.train.batch_size = 256
  c.train.buffer_episodes = 1000        # 1M transitions
  c.train.warmup_episodes = 10          # 10k uniform-random steps
  c.train.iterations_per_epoch = 5      # evaluate every 10k env steps
  c.train.checkpoint_every_epochs = 1
  return c
