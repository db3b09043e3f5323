"""HalfCheetah multi-objective (Generalized Hindsight, ``--env halfcheetahhard``) with SAC.

r = z · [forward velocity, −0.1‖a‖², height q_rootz, angular velocity q̇_rooty]
(rlkit/envs/updated_half_cheetah.py, HalfCheetahEnv.step, lines 15-20;
rlkit/torch/multitask/half_cheetah_relabeler.py,
HalfCheetahRelabelerMoreFeatures), z ~ N(0, I₄) with |z₂|, |z₃|, normalised;
H = 1000; evaluated on Generalized Hindsight's 25 fixed latents
(rlkit/torch/multitask/reference_latents.py, HALF_CHEETAH_HARD_LATENT).
Matches the released env in features, prior, evaluation tasks, horizon,
observation and control step (0.05 s); differs in the simulator (Brax's
HalfCheetah, see ``HalfCheetahMultiObjective.PAPER_DIFFERENCES``).

Backend: 'spring'. On 2 CPU cores, 64 vmapped HalfCheetahs step at ~5.5k/s on
spring against ~2k/s on 'generalized' (and < 1k/s on 'mjx', whose default
solver is slow on CPU); spring is Brax's cheapest contact model (Brax retunes
the timestep and gears per backend so the control step stays 0.05 s). Use
--config.env.options.backend=generalized for physics closer to MuJoCo.

Hyperparameters from launch_gher.py's halfcheetahhard branch (lines 306-317):
γ = 0.99, 256×256 networks, batch 256 (line 227), buffer 10⁶ transitions.
Not the released code's: the learning rate (launch_gher.py trains with
policy_lr = qf_lr = 3e-3, lines 239-240, unless --lr; here base's 3e-4), the
update ratio (the released default is --ngradsteps 100 gradient steps per
1,000 env steps, lines 177 and 310; here one per env step) and AIR's
candidates (--n_sampled_latents 5 by default, line 167; here 100, with m = 1
and a cache of the 500 most recent episodes).
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
      horizon=1000,         # H (launch_gher.py, halfcheetahhard: max_path_length=1000)
      # GH's 25 evaluation latents (reference_latents.py, HALF_CHEETAH_HARD_LATENT);
      # 'prior': num_eval_tasks draws from the prior with eval_seed.
      eval_set="released",
      eval_seed=0,
      num_eval_tasks=25,
      time_limit="bootstrap",  # the only choice on Brax (no t/H in the observation)
  ))
  c.learner.hidden_sizes = (256, 256)  # launch_gher.py, halfcheetahhard, lines 315-316
  c.learner.gamma = 0.99               # launch_gher.py, halfcheetahhard, line 309
  c.relabel.name = "air"
  c.train.total_env_steps = 100_000
  c.train.num_envs = 2                  # 2 episodes (2,000 steps) per iteration
  c.train.updates_per_env_step = 1.0  # one gradient step per env step
  c.train.batch_size = 256              # launch_gher.py, algo_kwargs, line 227
  c.train.buffer_episodes = 1000        # 1M transitions (launch_gher.py, line 314)
  c.train.warmup_episodes = 10          # 10k uniform-random steps
  c.train.iterations_per_epoch = 5      # evaluate every 10k env steps
  c.train.checkpoint_every_epochs = 1
  return c
