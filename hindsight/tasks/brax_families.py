"""Multi-task reward families on Brax physics (the papers' harder domains).

Each family here is a ``TaskFamily`` (ARCHITECTURE 3.1) whose environment is a
Brax ``PipelineEnv`` wrapped by ``hindsight.envs.brax_env.BraxTaskEnv``. The
family owns everything task-specific about the simulator:

- ``brax_name`` / ``brax_kwargs()``: which Brax environment to build, with the
  physics ``backend`` (a field, so ``config.env.options.backend`` selects it);
- ``observe(brax_env, pipeline_state)``: the policy's observation. It never
  contains the task (the task is appended by the learner), so a relabeled task
  is never contradicted by the observation;
- ``features(prev_pipeline_state, action, next_pipeline_state)``: the per-step
  reward features stored in the buffer, from which ``reward`` recomputes the
  reward of any task without the simulator;
- ``terminated(pipeline_state)``: early termination (time limits are the
  environment's business and are recorded apart, as truncation);
- ``prepare(brax_env, pipeline_state, task)``: optional per-task change of the
  initial physical state (the Reacher's target marker).

``dt`` (seconds per environment step) is a class constant: Brax picks the
simulator timestep and frame skip per backend so that every backend of one
robot has the same control step; the environment checks this on construction.
The action is clipped to [−1, 1] (the actuators' control range) before it is
used, so ‖a‖² features are those of the applied control.
"""

from __future__ import annotations

import dataclasses
import math

import jax
import jax.numpy as jnp
import numpy as np

from hindsight.tasks import base, linear
from hindsight.tasks.point_reacher import PointReacher

BACKENDS = ("generalized", "positional", "spring", "mjx")


def clip_action(action):
  return jnp.clip(action, -1.0, 1.0)


def sq_norm(x):
  return jnp.sum(jnp.square(x), axis=-1)


class BraxFamily(base.TaskFamily):
  """Shared Brax plumbing. Subclasses set ``brax_name`` and ``dt`` and define
  ``features``/``reward``; they have fields ``backend`` and ``horizon``."""

  brax_name: str = ""
  dt: float = 0.0

  def _check_backend(self):
    if self.backend not in BACKENDS:
      raise ValueError(f"{self.name} backend must be one of {', '.join(BACKENDS)}, "
                       f"got {self.backend!r}")
    if int(self.horizon) < 1:
      raise ValueError(f"{self.name} horizon must be >= 1, got {self.horizon}")

  def brax_kwargs(self) -> dict:
    return {}

  def observe(self, brax_env, pipeline_state) -> jax.Array:
    return brax_env._get_obs(pipeline_state)  # pylint: disable=protected-access

  def terminated(self, pipeline_state) -> jax.Array:
    del pipeline_state
    return jnp.zeros((), jnp.float32)

  def prepare(self, brax_env, pipeline_state, task):
    del brax_env, task
    return pipeline_state


def _forward_velocity(prev, nxt, dt):
  """Finite-difference torso (link 0) velocity, as Brax's and Gym's rewards."""
  return (nxt.x.pos[0] - prev.x.pos[0]) / dt


# ---------------------------------------------------------------- cheetah --

@dataclasses.dataclass(frozen=True)
class HalfCheetahMultiObjective(BraxFamily, linear.LinearFamily):
  """HalfCheetah multi-objective (Generalized Hindsight, Li et al. 2020).

  φ = [forward velocity, −0.1‖a‖², torso height, torso angular velocity] and
  r = z · φ, z ~ N(0, I₄) with |z₂|, |z₃| (control cost and height weights
  non-negative) normalised to unit length; speed and spin weights may be
  negative. Differs from the paper: Brax's HalfCheetah model (on the chosen
  backend) rather than Gym's MuJoCo HalfCheetah-v2; the height is the torso
  link's world z (≈ 0.7 standing), the spin is the root pitch velocity q̇_rooty.
  """

  backend: str = "spring"
  horizon: int = 1000
  eval_seed: int = 0
  num_eval_tasks: int = 25

  name = "halfcheetah_multiobjective"
  brax_name = "halfcheetah"
  dt = 0.05
  task_dim = 4
  feature_dim = 4

  def __post_init__(self):
    self._check_backend()

  def sample(self, key, n):
    w = jax.random.normal(key, (n, 4))
    w = w.at[:, 1:3].set(jnp.abs(w[:, 1:3]))
    return w / jnp.linalg.norm(w, axis=-1, keepdims=True)

  def task_low_high(self):
    return (np.asarray([-1, 0, 0, -1], np.float32), np.ones(4, np.float32))

  def features(self, prev_state, action, next_state):
    a = clip_action(action)
    vx = _forward_velocity(prev_state, next_state, self.dt)[0]
    return jnp.stack([vx, -0.1 * sq_norm(a), next_state.x.pos[0, 2],
                      next_state.qd[2]]).astype(jnp.float32)


# -------------------------------------------------------------------- ant --

@dataclasses.dataclass(frozen=True)
class AntDirection(BraxFamily):
  """Ant running in a direction θ (Generalized Hindsight's AntDirection).

  r = ‖v_xy‖·1[cos∠(v_xy, θ) > cos 15°] − 0.5‖a‖² + 1 (survive bonus); the
  episode terminates when the torso height leaves [0.2, 1.0]. θ ~ U(−range,
  range). Features: [v_x, v_y, ‖a‖²]. Differs from the paper: Brax's Ant model;
  Brax exposes no external contact forces, so the paper's contact cost is
  omitted (Brax's own Ant reward also sets it to 0).
  """

  angle_range: float = math.pi
  cone_degrees: float = 15.0
  ctrl_cost_weight: float = 0.5
  survive_bonus: float = 1.0
  healthy_z_low: float = 0.2
  healthy_z_high: float = 1.0
  backend: str = "spring"
  horizon: int = 1000
  eval_seed: int = 0
  num_eval_tasks: int = 25

  name = "ant_direction"
  brax_name = "ant"
  dt = 0.05
  task_dim = 1
  feature_dim = 3

  def __post_init__(self):
    self._check_backend()
    if not 0 < self.angle_range <= math.pi:
      raise ValueError(f"ant_direction angle_range must be in (0, π], got {self.angle_range}")
    if not 0 < self.cone_degrees < 180:
      raise ValueError(f"ant_direction cone_degrees must be in (0, 180), got {self.cone_degrees}")

  def sample(self, key, n):
    return jax.random.uniform(key, (n, 1), minval=-self.angle_range,
                              maxval=self.angle_range)

  def task_low_high(self):
    return (np.full(1, -self.angle_range, np.float32),
            np.full(1, self.angle_range, np.float32))

  def eval_tasks(self):
    """25 evenly spaced directions (over the whole circle when the range is π,
    so that −π and π are not both included)."""
    n, r = self.num_eval_tasks, self.angle_range
    if r >= math.pi:
      theta = -math.pi + 2 * math.pi * np.arange(n) / n
    else:
      theta = np.linspace(-r, r, n)
    return theta.astype(np.float32)[:, None]

  def features(self, prev_state, action, next_state):
    a = clip_action(action)
    v = _forward_velocity(prev_state, next_state, self.dt)[:2]
    return jnp.concatenate([v, sq_norm(a)[None]]).astype(jnp.float32)

  def reward(self, features, action, task):
    del action
    v = features[..., :2]
    theta = task[..., 0]
    along = v[..., 0] * jnp.cos(theta) + v[..., 1] * jnp.sin(theta)
    speed = base.safe_norm(v)
    # cos∠(v, θ) > cos(cone) ⇔ v·u > cos(cone)·‖v‖ (false at v = 0).
    inside = along > math.cos(math.radians(self.cone_degrees)) * speed
    return (jnp.where(inside, speed, 0.0) - self.ctrl_cost_weight * features[..., 2]
            + self.survive_bonus)

  def terminated(self, pipeline_state):
    z = pipeline_state.x.pos[0, 2]
    return ((z < self.healthy_z_low) | (z > self.healthy_z_high)).astype(jnp.float32)


@dataclasses.dataclass(frozen=True)
class AntGoal(BraxFamily):
  """Ant goal reaching (HIPI's quadruped, Eysenbach et al. 2020).

  The goal is uniform on a circle of radius ``goal_distance`` (3) around the
  start; dist = ‖torso_xy − goal‖. ``reward_type='sparse'``: 1[dist < radius]
  − 1; ``'dense'``: (goal_distance − dist) − 0.1‖a‖² + 1. Features: [torso x,
  torso y, ‖a‖²]; the achieved goal is the torso xy. Differs from HIPI: Brax's
  Ant model; no early termination by default (with a −1/0 reward, ending the
  episode by falling would be rewarded), set ``terminate_when_unhealthy``.
  The observation includes the torso xy (Brax's Ant hides it).
  """

  reward_type: str = "sparse"
  radius: float = 0.3
  goal_distance: float = 3.0
  ctrl_cost_weight: float = 0.1
  terminate_when_unhealthy: bool = False
  healthy_z_low: float = 0.2
  healthy_z_high: float = 1.0
  backend: str = "spring"
  horizon: int = 500
  eval_seed: int = 0
  num_eval_tasks: int = 25

  name = "ant_goal"
  brax_name = "ant"
  dt = 0.05
  task_dim = 2
  feature_dim = 3
  is_goal_family = True

  def __post_init__(self):
    self._check_backend()
    if self.reward_type not in ("sparse", "dense"):
      raise ValueError(f"ant_goal reward_type must be 'sparse' or 'dense', got "
                       f"{self.reward_type!r}")
    if not self.radius > 0:
      raise ValueError(f"ant_goal radius must be > 0, got {self.radius}")

  def brax_kwargs(self):
    return {"exclude_current_positions_from_observation": False}

  def sample(self, key, n):
    angle = jax.random.uniform(key, (n,), minval=-jnp.pi, maxval=jnp.pi)
    return base.polar(angle, jnp.full((n,), self.goal_distance))

  def task_low_high(self):
    d = self.goal_distance
    return np.full(2, -d, np.float32), np.full(2, d, np.float32)

  def features(self, prev_state, action, next_state):
    del prev_state
    a = clip_action(action)
    return jnp.concatenate([next_state.x.pos[0, :2], sq_norm(a)[None]]).astype(jnp.float32)

  def achieved_goal(self, features):
    return features[..., :2]

  def with_goal(self, task, goal):
    return jnp.broadcast_to(goal, jnp.broadcast_shapes(task.shape, goal.shape))

  def _dist(self, features, task):
    return base.safe_norm(features[..., :2] - task[..., :2])

  def success(self, features, task):
    return self._dist(features, task) < self.radius

  def reward(self, features, action, task):
    del action
    if self.reward_type == "sparse":
      return self.success(features, task).astype(jnp.float32) - 1.0
    return (self.goal_distance - self._dist(features, task)
            - self.ctrl_cost_weight * features[..., 2] + 1.0)

  def terminated(self, pipeline_state):
    if not self.terminate_when_unhealthy:
      return jnp.zeros((), jnp.float32)
    z = pipeline_state.x.pos[0, 2]
    return ((z < self.healthy_z_low) | (z > self.healthy_z_high)).astype(jnp.float32)


# ----------------------------------------------------------------- walker --

WALKER_TORSO, WALKER_RIGHT_FOOT, WALKER_LEFT_FOOT = 0, 3, 6


@dataclasses.dataclass(frozen=True)
class WalkerLinear(BraxFamily, linear.LinearFamily):
  """Walker2d with linear rewards (HIPI's walker tasks, Eysenbach et al. 2020).

  φ = [torso height − 0.5, x-velocity, left-foot (x, z) − (0, −0.7),
  right-foot (x, z) − (0, −0.7), ‖a‖²], foot positions relative to the torso;
  r = z · φ with z ~ U([−1, 1]⁶ × [−1, 0]) (the control weight is never a
  reward). No early termination (some tasks reward a low torso). Differs from
  HIPI: Brax's Walker2d model, whose torso starts at 1.25 m (feet ≈ 1.25 m
  below it), so the offsets 0.5 and −0.7 are those of the issue, not re-fit.
  """

  backend: str = "generalized"
  horizon: int = 100
  eval_seed: int = 0
  num_eval_tasks: int = 25

  name = "walker_linear"
  brax_name = "walker2d"
  dt = 0.008
  task_dim = 7
  feature_dim = 7

  _LOW = (-1.0,) * 6 + (-1.0,)
  _HIGH = (1.0,) * 6 + (0.0,)

  def __post_init__(self):
    self._check_backend()

  def brax_kwargs(self):
    return {"terminate_when_unhealthy": False}

  def sample(self, key, n):
    return base.uniform(key, n, self._LOW, self._HIGH)

  def task_low_high(self):
    return np.asarray(self._LOW, np.float32), np.asarray(self._HIGH, np.float32)

  def features(self, prev_state, action, next_state):
    a = clip_action(action)
    pos = next_state.x.pos
    torso = pos[WALKER_TORSO]
    vx = _forward_velocity(prev_state, next_state, self.dt)[0]
    offset = jnp.asarray([0.0, -0.7])
    left = (pos[WALKER_LEFT_FOOT] - torso)[jnp.asarray([0, 2])] - offset
    right = (pos[WALKER_RIGHT_FOOT] - torso)[jnp.asarray([0, 2])] - offset
    return jnp.concatenate([jnp.stack([torso[2] - 0.5, vx]), left, right,
                            sq_norm(a)[None]]).astype(jnp.float32)


# ---------------------------------------------------------------- reacher --

REACHER_ARM, REACHER_TARGET = 1, 2
REACHER_TIP_OFFSET = 0.11


def reacher_tip(pipeline_state):
  """Fingertip world position and velocity (as Brax's Reacher observation)."""
  from brax import base as brax_base
  tf = brax_base.Transform.create(pos=jnp.asarray([REACHER_TIP_OFFSET, 0.0, 0.0]))
  pos = pipeline_state.x.take(REACHER_ARM).do(tf).pos
  vel = tf.do(pipeline_state.xd.take(REACHER_ARM)).vel
  return pos, vel


class _ReacherMixin(BraxFamily):
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
class ReacherGoal(_ReacherMixin):
  """Reacher goal reaching (HIPI's reacher, Eysenbach et al. 2020).

  The task is the target xy (angle ~ U(−π, π), radius ~ U(0.05, 0.20)); reward
  1[‖fingertip − target‖ < margin] − 1. Features: the fingertip xy. Differs
  from HIPI: Brax's two-link Reacher (reach 0.21 m); the target is not in the
  observation (it is the task), unlike Gym's Reacher.
  """

  margin: float = 0.1
  radius_low: float = 0.05
  radius_high: float = 0.20
  backend: str = "positional"
  horizon: int = 50
  eval_seed: int = 0
  num_eval_tasks: int = 25

  name = "reacher_goal"
  task_dim = 2
  feature_dim = 2
  is_goal_family = True

  def __post_init__(self):
    self._check_backend()
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
    del prev_state, action
    return reacher_tip(next_state)[0][:2].astype(jnp.float32)

  def achieved_goal(self, features):
    return features[..., :2]

  def with_goal(self, task, goal):
    return jnp.broadcast_to(goal, jnp.broadcast_shapes(task.shape, goal.shape))

  def success(self, features, task):
    return base.safe_norm(features[..., :2] - task[..., :2]) < self.margin

  def reward(self, features, action, task):
    del action
    return self.success(features, task).astype(jnp.float32) - 1.0

  def prepare(self, brax_env, pipeline_state, task):
    # Outside the target joint's range the marker would be clipped: keep it in.
    return super().prepare(brax_env, pipeline_state, jnp.clip(task, -0.27, 0.27))


@dataclasses.dataclass(frozen=True)
class ReacherMultiObjective(_ReacherMixin, PointReacher):
  """Multi-objective reaching on Brax's Reacher arm (Generalized Hindsight's
  PointReacher/Fetch reward): the formula of ``point_reacher`` with the
  fingertip as the point — w₁ g(‖tip − goal‖) + w₂(−‖a‖) + w₃ log₁₀(‖tip −
  obstacle‖ + 0.01)/5, task z = (u, v, θ_goal, r_goal, θ_obs, r_obs).
  Differs from the paper: a two-link arm (reach 0.21 m) instead of a point
  mass or the Fetch robot, so goal and obstacle radii are U(0.05, 0.2).
  """

  reward_type: str = "dense"
  sparse_scale: float = 1.0
  backend: str = "positional"
  horizon: int = 50
  eval_seed: int = 0
  num_eval_tasks: int = 25

  name = "reacher_multiobjective"
  task_dim = 6
  feature_dim = 3

  _LOW = (0.0, 0.5, -math.pi, 0.05, -math.pi, 0.05)
  _HIGH = (0.25, 1.0, math.pi, 0.2, math.pi, 0.2)

  def __post_init__(self):
    PointReacher.__post_init__(self)
    self._check_backend()

  def goal_of(self, task):
    return PointReacher.goal(task)

  def features(self, prev_state, action, next_state):
    del prev_state
    a = clip_action(action)
    tip = reacher_tip(next_state)[0][:2]
    return jnp.concatenate([tip, base.safe_norm(a)[None]]).astype(jnp.float32)
