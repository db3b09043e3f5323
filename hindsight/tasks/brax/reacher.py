"""Reacher (HIPI's 2D reacher goal reaching; Generalized Hindsight's
PointReacher reward on the arm), on Brax's two-link Reacher."""

from __future__ import annotations

import dataclasses
import math

import jax
import jax.numpy as jnp
import numpy as np

from hindsight.tasks import base, goal
from hindsight.tasks.brax.base import BraxFamily, clip_action
from hindsight.tasks.point_reacher import PointReacher

REACHER_ARM, REACHER_TARGET = 1, 2
REACHER_TIP_OFFSET = 0.11


def reacher_tip(pipeline_state):
  """Fingertip world position and velocity (as Brax's Reacher observation)."""
  from brax import base as brax_base
  tf = brax_base.Transform.create(pos=jnp.asarray([REACHER_TIP_OFFSET, 0.0, 0.0]))
  pos = pipeline_state.x.take(REACHER_ARM).do(tf).pos
  vel = tf.do(pipeline_state.xd.take(REACHER_ARM)).vel
  return pos, vel


class ReacherArm(BraxFamily):
  """Reacher plumbing: a task-free observation (joint angles as cos/sin, joint
  velocities, fingertip position and velocity — Brax's observation without the
  target) and the target marker moved to the task's goal at reset."""

  brax_name = "reacher"
  dt = 0.02

  def observe(self, brax_env, pipeline_state):
    del brax_env
    theta = pipeline_state.q[:2]
    pos, vel = reacher_tip(pipeline_state)
    return jnp.concatenate([jnp.cos(theta), jnp.sin(theta), pipeline_state.qd[:2],
                            pos[:2], vel[:2]])

  def goal_of(self, task):
    return task[..., :2]

  def prepare(self, brax_env, pipeline_state, task):
    q = pipeline_state.q.at[2:].set(self.goal_of(task))
    qd = pipeline_state.qd.at[2:].set(0.0)
    return brax_env.pipeline_init(q, qd)


@dataclasses.dataclass(frozen=True)
class ReacherGoal(goal.PlanarGoalFamily, ReacherArm):
  """Reacher goal reaching (HIPI's 2D reacher: hipi/envs/dm_env.py
  ReacherDynamics + ReacherTaskDistribution).

  The task is the target xy, radius ~ U(0.05, 0.20) and angle ~ U(0, 2π)
  (ReacherTaskDistribution.sample, which is dm_control's reacher target
  distribution, reacher.Reacher.initialize_episode). Reward
  1[‖fingertip(s_t) − target‖ < margin] − 1 (use_neg_rew=True) and, with
  ``terminate_on_success``, done = dist < margin (ReacherTaskDistribution.
  _evaluate: its done is always the success; of the state before the step,
  see the module docstring; ``reward_state='next'`` uses s_{t+1}). ``margin`` defaults to the class default 0.1;
  HIPI's README command uses 0.01 (configs/reacher_goal.py). H = 100
  (train_eval.py ``max_episode_steps=100``), control step 0.02 s as
  dm_control's reacher. Features: the fingertip xy of s_t. Differs:
  ``PAPER_DIFFERENCES``.
  """

  margin: float = 0.1
  radius_low: float = 0.05  # target radius ~ U(0.05, 0.20): ReacherTaskDistribution.sample
  radius_high: float = 0.20
  terminate_on_success: bool = False
  reward_state: str = "current"   # current: s_t (HIPI's code) | next: s_{t+1}
  backend: str = "positional"
  horizon: int = 100  # train_eval(max_episode_steps=100)
  eval_seed: int = 0
  num_eval_tasks: int = 25
  time_limit: str = "bootstrap"  # the only choice on Brax (no t/H in the observation)

  name = "reacher_goal"
  task_dim = 2
  feature_dim = 2
  PAPER_DIFFERENCES = (
      "HIPI's reacher is dm_control's reacher; Brax's Reacher is Gym's two-link arm "
      "(links 0.1 m and 0.11 m), on the chosen backend.",
      "HIPI's released ReacherTaskDistribution compares the task with the joint angles "
      "(its 'position' observation) and 'reacher' is not among get_py_env's "
      "environments; here the task is compared with the fingertip xy, the goal the "
      "paper describes.",
      "The arm starts near straight (Brax's ±0.1 rad reset noise) instead of "
      "dm_control's uniformly random joint angles.",
      "HIPI's observation is dm_control's (joint angles, finger-to-target vector of the "
      "simulator's own target, velocities); here it is the joint angles as cos/sin, "
      "velocities and the fingertip position and velocity, without the target.",
  )

  def __post_init__(self):
    self._check_brax()
    if not self.margin > 0:
      raise ValueError(f"reacher_goal margin must be > 0, got {self.margin}")
    if not 0 <= self.radius_low <= self.radius_high <= 0.27:
      raise ValueError("reacher_goal needs 0 <= radius_low <= radius_high <= 0.27 (the "
                       f"target joint's range), got {self.radius_low}, {self.radius_high}")

  def sample(self, key, n):
    k1, k2 = jax.random.split(key)
    angle = jax.random.uniform(k1, (n,), minval=-jnp.pi, maxval=jnp.pi)
    radius = jax.random.uniform(k2, (n,), minval=self.radius_low, maxval=self.radius_high)
    return base.polar(angle, radius)

  def task_low_high(self):
    r = self.radius_high
    return np.full(2, -r, np.float32), np.full(2, r, np.float32)

  def features(self, prev_state, action, next_state):
    del action
    s = self._reward_state(prev_state, next_state)   # HIPI: s_t
    return reacher_tip(s)[0][:2].astype(jnp.float32)

  @property
  def success_radius(self):
    return self.margin

  def reward(self, features, action, task):
    del action
    return self.success(features, task).astype(jnp.float32) - 1.0

  def prepare(self, brax_env, pipeline_state, task):
    # Outside the target joint's range the marker would be clipped: keep it in.
    return super().prepare(brax_env, pipeline_state, jnp.clip(task, -0.27, 0.27))


@dataclasses.dataclass(frozen=True)
class ReacherMultiObjective(ReacherArm, PointReacher):
  """Multi-objective reaching on Brax's Reacher arm: ``point_reacher``'s reward
  (Generalized Hindsight's PointReacher, ReacherRelabelerWithGoalAndObs) with
  the fingertip of s_{t+1} as the point — w₁ g(‖tip − goal‖) + w₂(−‖a‖) +
  w₃ log₁₀(‖tip − obstacle‖ + 0.01)/5, task z = (u, v, θ_goal, r_goal, θ_obs,
  r_obs). Generalized Hindsight has no such environment: it ran this reward on
  a point mass (``pointreacherobs``) and on the Fetch arm with a 3-D goal and
  obstacle (``fetchreach``, latent_dim 8, H = 50, launch_gher.py lines
  334-346). Goal and obstacle radii are U(0.05, 0.2) for the 0.21 m arm.
  """

  reward_type: str = "dense"  # 'dense': 0.2 − d;  'sparse': s·exp(−d²/0.08²)
  sparse_scale: float = 1.0
  backend: str = "positional"
  horizon: int = 50  # launch_gher.py, fetchreach: max_path_length=50 (line 337)
  eval_seed: int = 0
  num_eval_tasks: int = 25
  time_limit: str = "bootstrap"  # the only choice on Brax (no t/H in the observation)

  name = "reacher_multiobjective"
  task_dim = 6
  feature_dim = 3
  PAPER_DIFFERENCES = (
      "Not an environment of either paper: Generalized Hindsight's PointReacher reward "
      "on Brax's two-link Reacher arm (reach 0.21 m), where the paper used a point mass "
      "and the 7-DoF Fetch arm.",
      "The goal and obstacle radii are U(0.05, 0.2) (the arm's reach) instead of the "
      "point mass's U(0.15, 0.3).",
  )

  _LOW = (0.0, 0.5, -math.pi, 0.05, -math.pi, 0.05)
  _HIGH = (0.25, 1.0, math.pi, 0.2, math.pi, 0.2)

  def __post_init__(self):
    PointReacher.__post_init__(self)
    self._check_brax()

  def goal_of(self, task):
    return PointReacher.goal(task)

  def features(self, prev_state, action, next_state):
    del prev_state
    a = clip_action(action)
    tip = reacher_tip(next_state)[0][:2]
    return jnp.concatenate([tip, base.safe_norm(a)[None]]).astype(jnp.float32)
