"""Ant goal reaching (HIPI's quadruped, ``env_name='quadruped'``) with SAC; a
goal family, so HER applies.

HIPI's settings (hipi/envs/dm_env.py and hipi/train_eval.py, google-research
commit 0c1bbe5f): goals uniform on a circle of radius 3 around the start
(QuadrupedContinuousTaskDistribution, goal_distance=3.0); the default dense
reward (goal_distance − dist) − 0.1‖a‖² + 1 (quadruped_reward, sparse=False),
with dist the torso xy's distance to the goal in the state before the step;
no termination; H = 100 (train_eval, max_episode_steps=100) at a 0.02 s
control step (dm_control quadruped); the same upright start every episode.
``radius`` (quadruped_reward's goal_radius, default 1.0) sets ``success``.
HIPI's README runs its goal-reaching experiment with the sparse reward:
--config.env.options.reward_type=sparse --config.env.options.radius=0.3
(1[dist < 0.3] − 1; README's goal_distance=1.0 binding does not reach the
reward, which QuadrupedContinuousTaskDistribution calls with its own 3.0).
Differs from HIPI (``AntGoal.PAPER_DIFFERENCES``): the robot is Brax's Ant,
not dm_control's Quadruped, with the Ant's q and q̇ as observation.

Backend: 'spring' (Brax's MJX and positional Ants fall through the floor
under random actions; see configs/ant_direction.py), here 0.005 s × 4 frames.

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
  # The family's defaults are the paper's (cited at its fields, hindsight/tasks/brax/ant.py).
  c = schema.get_config("ant_goal")
  paper_setups.hipi(c, c.env.options.horizon)
  c.relabel.name = "her"
  c.relabel.her.strategy = "future"
  c.train.total_env_steps = 200_000
  c.train.iterations_per_epoch = 100
  c.train.checkpoint_every_epochs = 1
  return c
