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

Hyperparameters from train_eval.train_eval's defaults (cited beside each
key below): γ = 0.99, 256×256 actor and critic, batch 256, lr 3e-4, τ = 0.005,
one update per env step, a 10⁶-transition buffer, 10⁴ uniform-random steps
before training, relabel fraction 1 (relabel_prob = 1.0) and the batch's tasks as
HIPI's candidates (the walker defines no state_to_task). Not used from HIPI's
README commands: batch_size = 32, relabel_prob = 0.5, candidate_task_type =
'tasks' and clip_critic (these learners do not clip the critic). The networks
are updated between episodes, not after every env step.
"""

from hindsight import schema
from hindsight.studies import paper_setups


def get_config():
  # The family's defaults are the paper's (cited at its fields, hindsight/tasks/brax/walker.py).
  c = schema.get_config("walker_linear")
  paper_setups.hipi(c, c.env.options.horizon)
  c.relabel.hipi.candidates = "batch"  # the batch's tasks ('tasks'): the walker has no state_to_task (dm_env.py WalkerTaskDistribution)
  c.relabel.name = "none"
  c.train.total_env_steps = 200_000
  c.train.iterations_per_epoch = 100
  c.train.checkpoint_every_epochs = 1
  return c
