"""Ant direction (Generalized Hindsight, ``--env antdirectionnewsparse``) with SAC.

r = ‖v_xy‖·1[cos∠(v_xy, θ) > 0.9659] − 0.5‖a‖² + 1
(rlkit/torch/multitask/ant_direction_relabeler.py,
AntDirectionRelabelerNewSparse.reward_done, lines 200-205; the terms of
rlkit/envs/updated_ant.py, AntEnv.step, lines 18-23), termination when the
state is not finite or the torso height leaves [0.2, 1.0] (AntEnv.step, lines
26-28), H = 1000 (launch_gher.py, line 295), θ ~ U(−π, π) (--directiontype
360, the default); evaluation on GH's 25 evenly spaced directions
linspace(−π, π, 25, endpoint=False) + π/25 (AntDirectionRelabelerNew.__init__,
line 108). Narrower task ranges, as the released '180' and '90' types:
--config.env.options.angle_range=1.5707963 (±π/2) or 0.7853982 (±π/4).
Differs from the released env (``AntDirection.PAPER_DIFFERENCES``): GH's
reward also subtracts a contact cost 0.5·10⁻³‖clip(cfrc_ext, −1, 1)‖²
(updated_ant.py, lines 21-22), omitted because Brax exposes no external
contact forces; and the simulator is Brax's Ant.

Backend: 'spring'. MJX is the fastest Ant on CPU (~11k steps/s for 64 envs on
2 cores) but Brax's MJX Ant (Newton solver cut to 1 iteration for speed) is not
usable here: under uniform-random actions the torso is thrown above 1.0 m
within 5–15 steps and then sinks through the floor (z < 0), so episodes end
almost at once; 'positional' (gear 200) did the same in 1 of 4 rollouts.
'spring' kept every random rollout upright (torso 0.3–0.96 m) at ~4k steps/s
for 64 envs on a busy 2-core CPU, and 'generalized' is ~2–3× slower.

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
  # The family's defaults are the paper's (cited at its fields, hindsight/tasks/brax/ant.py).
  c = schema.get_config("ant_direction")
  c.learner.hidden_sizes = (256, 256)  # launch_gher.py, antdirectionnewsparse, lines 302-303
  c.gamma = 0.99                       # launch_gher.py, antdirectionnewsparse, line 296
  paper_setups.generalized_hindsight(c)  # lr 3e-3, τ 5e-3, warm-up with the initial policy
  c.relabel.name = "none"
  c.train.total_env_steps = 100_000
  c.train.num_envs = 1                  # one 1000-step path per train loop (launch_gher.py L297)
  c.train.updates_per_env_step = 0.1    # 100 trains per 1000-step loop (L231, L177; L297)
  c.train.batch_size = 256              # launch_gher.py, algo_kwargs, line 227
  c.train.buffer_transitions = 1_000_000  # replay_buffer_size (launch_gher.py L301)
  c.train.warmup_episodes = 1           # min_num_steps_before_training = 1000 (L232)
  c.train.iterations_per_epoch = 10     # evaluate every 10k env steps
  c.train.checkpoint_every_epochs = 1
  return c
