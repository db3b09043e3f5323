"""Reacher goal reaching (HIPI's 2D reacher) with SAC; a goal family (HER, HIPI).

HIPI's settings (hipi/envs/dm_env.py, ReacherTaskDistribution, and the
README's "2D Reacher" command, google-research commit 0c1bbe5f): the target
xy is the task, radius ~ U(0.05, 0.20), angle ~ U(0, 2π)
(ReacherTaskDistribution.sample); reward 1[dist < margin] − 1
(use_neg_rew=True) with dist the fingertip's distance to the target in the
state before the step, and the episode ends there (ReacherTaskDistribution.
_evaluate: dones = dist < margin), margin 0.01 (README: get_py_env.margin=0.01);
H = 100 (train_eval, max_episode_steps=100) at dm_control's 0.02 s control
step. Differs from HIPI (``ReacherGoal.PAPER_DIFFERENCES``): Brax's two-link
arm (Gym's Reacher) instead of dm_control's; HIPI's released reward compares
the task with the joint angles (its 'position' observation), this one with
the fingertip; the arm starts near straight instead of at random angles.
HIPI's README also clips the critic to [−1000, 0] (train_eval.clip_critic),
which the learners here do not have.

Backend: 'positional' — the fastest Brax pipeline for this two-link arm on
CPU (~24k steps/s for 64 envs on 2 cores); Brax retunes the timestep and
gears so the control step stays 0.02 s.

Hyperparameters from train_eval.train_eval's defaults (cited beside each
key below): γ = 0.99, 256×256 actor and critic, batch 256, lr 3e-4, τ = 0.005,
one update per env step, a 10⁶-transition buffer, 10⁴ uniform-random steps
before training, relabel fraction 1 (relabel_prob = 1.0) and achieved-state
candidates for HIPI (candidate_task_type = 'states'). Not used from HIPI's
README commands: batch_size = 32, relabel_prob = 0.5, candidate_task_type =
'tasks' and clip_critic (these learners do not clip the critic). The networks
are updated between episodes, not after every env step.
"""

from hindsight import schema
from hindsight.studies import paper_setups


def get_config():
  # The family's defaults are the paper's (cited at its fields, hindsight/tasks/brax/reacher.py).
  c = schema.get_config("reacher_goal")
  c.env.options.margin = 0.01  # success radius: HIPI's README, get_py_env.margin=0.01
  c.env.options.terminate_on_success = True  # ReacherTaskDistribution._evaluate: dones = dist < margin
  paper_setups.hipi(c, c.env.options.horizon)
  c.relabel.name = "her"
  c.relabel.her.strategy = "future"
  c.train.total_env_steps = 50_000
  c.train.iterations_per_epoch = 100
  c.train.checkpoint_every_epochs = 1
  return c
