"""Walker with linear rewards (HIPI's ``env_name='walker'``) with SAC.

r = z · [torso height − 0.5, x-velocity, o_a − (0, −0.7), o_b − (0, −0.7), ‖a‖²]
of the state before the step, where o_a, o_b are the (xx, xz) world-rotation
entries (cos, sin of the pitch) of bodies 3 and 6 — the feet — and
z ~ U([−1, 1]⁶ × [−1, 0]) (hipi/envs/dm_env.py, WalkerTaskDistribution,
google-research commit 0c1bbe5f); no early termination (terminate_on_fall=False);
H = 100 (HIPI's README walker command, train_eval.max_episode_steps=100) at
dm_control's 0.025 s control step (walker._CONTROL_TIMESTEP; physics 0.0025 s ×
10 frames, walker.xml), so an episode is 2.5 s; the same standing start every
episode (HIPI's PlanarWalker.initialize_episode skips the joint noise); HIPI's
observation [torso height, body orientations, q̇]. Differs from HIPI
(``WalkerLinear.PAPER_DIFFERENCES``): Brax's Walker2d is Gym's model, not
dm_control's (torso 0.4 m vs 0.6 m, standing torso height 1.25 m vs 1.3 m,
gears), simulated by Brax.

Backend: 'generalized'. Brax tunes its Walker2d only for 'generalized' (it
keeps the MuJoCo timestep and gears on every backend): under uniform-random
actions the generalized walker falls within ~1 s, as MuJoCo's does, while on
'positional' and 'spring' the torso stays at 1.2 m through 100 random steps
(too stiff) — cheaper, but not the walker the tasks are about.
results/brax_envs.md has the measured steps/s (at the former 0.008 s step: a
0.025 s step runs 10 physics frames instead of 4).

Hyperparameters from train_eval.train_eval's defaults: γ = 0.99, 256×256
actor and critic, batch 256 (HIPI's README commands bind batch_size=32), lr
3e-4, one update per env step (train_steps_per_iteration=1), a 10⁶-transition
buffer. Budget: 200k env steps (2,000 episodes) / 200k updates (not run here).
Memory: 10,000 episodes × 101 × (24 obs + 6 action + 7 features + …) floats
≈ 150 MB.
"""

from ml_collections import ConfigDict

from configs import base


def get_config():
  c = base.get_config()
  c.env.name = "walker_linear"
  c.env.options = ConfigDict(dict(
      backend="generalized",  # see above
      # the reward is of s_t, before the step (hipi/envs/multitask.py, Environment.step)
      reward_state="current",
      horizon=100,            # HIPI's README: train_eval.max_episode_steps=100
      eval_seed=0,
      num_eval_tasks=25,
      time_limit="bootstrap",  # the only choice on Brax (no t/H in the observation)
  ))
  c.learner.hidden_sizes = (256, 256)  # train_eval: actor_fc_layers, critic_joint_fc_layers
  c.learner.gamma = 0.99               # train_eval: gamma=0.99
  c.relabel.name = "none"
  c.train.total_env_steps = 200_000
  c.train.num_envs = 16                 # 1,600 steps per iteration
  c.train.updates_per_env_step = 1.0  # one gradient step per env step
  c.train.batch_size = 256              # train_eval: batch_size=256
  c.train.buffer_episodes = 10_000      # 1M transitions (train_eval: replay_buffer_capacity)
  c.train.warmup_episodes = 100         # 10k random steps (train_eval: initial_collect_steps)
  c.train.iterations_per_epoch = 10
  c.train.checkpoint_every_epochs = 1
  return c
