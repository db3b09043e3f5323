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
  # Family options at their defaults (hindsight/tasks), which are the paper's:
  #   # dense: (goal_distance − dist) − 0.1‖a‖² + 1 (HIPI's quadruped_reward default,
  #   # sparse=False); sparse: 1[dist < radius] − 1 (HIPI's README: goal_radius=0.3).
  #   reward_type="dense"
  #   radius=1.0  # quadruped_reward's goal_radius default; success = dist < radius
  #   goal_distance=3.0  # QuadrupedContinuousTaskDistribution(goal_distance=3.0)
  #   ctrl_cost_weight=0.1  # quadruped_reward: ctrl_cost = 0.1 * sum(actions**2)
  #   terminate_when_unhealthy=False  # HIPI's quadruped never terminates
  #   healthy_z_low=0.2
  #   healthy_z_high=1.0
  #   terminate_on_success=False  # quadruped_reward: no done at the goal
  #   reset_noise_scale=0.0  # HIPI's Move.initialize_episode: same upright start
  #   # the reward is of s_t, before the step (hipi/envs/multitask.py, Environment.step)
  #   reward_state="current"
  #   backend="spring"
  #   horizon=100  # train_eval(max_episode_steps=100)
  #   eval_seed=0
  #   num_eval_tasks=25
  #   time_limit="bootstrap"  # the only choice on Brax (no t/H in the observation)
  c = schema.get_config("ant_goal")
  paper_setups.hipi(c, c.env.options.horizon)
  c.relabel.name = "her"
  c.relabel.her.strategy = "future"
  c.train.total_env_steps = 200_000
  c.train.iterations_per_epoch = 100
  c.train.checkpoint_every_epochs = 1
  return c
