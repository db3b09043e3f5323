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

Hyperparameters: γ = 0.99, 256×256 networks, batch 256, and the released code's ``launch_gher.py`` settings throughout (each cited beside
its key below): policy, Q and α learning rate 3e-3, τ = 5e-3, 100 gradient
steps per 1000-step path (0.1 per env step), one path per train loop, a 10⁶-
transition buffer, 1000 warm-up steps with the initial policy. The studies
change only the env-step budget. AIR runs with the README's 100 candidates
(launch_gher.py's own default is --n_sampled_latents 5, line 167), m = 1 and
the 500-path cache. Memory: ~120–160 MB per seed for 1M transitions.
"""

from hindsight import schema
from hindsight.studies import paper_setups


def get_config():
  # The family's defaults are the paper's (cited at its fields, hindsight/tasks/brax/halfcheetah.py).
  c = schema.get_config("halfcheetah_multiobjective")
  c.learner.hidden_sizes = (256, 256)  # launch_gher.py, halfcheetahhard, lines 315-316
  c.gamma = 0.99                       # launch_gher.py, halfcheetahhard, line 309
  paper_setups.generalized_hindsight(c)  # lr 3e-3, τ 5e-3, warm-up with the initial policy
  c.relabel.name = "air"
  c.train.total_env_steps = 100_000
  c.train.num_envs = 1                  # one 1000-step path per train loop (launch_gher.py L310)
  c.train.updates_per_env_step = 0.1    # 100 trains per 1000-step loop (L231, L177; L310)
  c.train.batch_size = 256              # launch_gher.py, algo_kwargs, line 227
  c.train.buffer_transitions = 1_000_000  # replay_buffer_size (launch_gher.py L314)
  c.train.warmup_episodes = 1           # min_num_steps_before_training = 1000 (L232)
  c.train.iterations_per_epoch = 10     # evaluate every 10k env steps
  c.train.checkpoint_every_epochs = 1
  return c
