"""Multi-objective PointReacher (Generalized Hindsight, Li et al. 2020, App. A).

A point mass must reach a goal while avoiding an obstacle and saving energy;
the task sets the goal, the obstacle, and how much each of the three terms
counts. Features are the next position and the action norm, so the reward of
any other task is recomputed from the buffer without the simulator.
"""

from __future__ import annotations

import dataclasses
import math

import jax
import jax.numpy as jnp
import numpy as np

from hindsight.tasks import base


@dataclasses.dataclass(frozen=True)
class PointReacher(base.TaskFamily):
  """Task z = (u, v, θ_goal, r_goal, θ_obs, r_obs) ∈ R⁶.

  Weights w = (cos θ sin φ, sin θ sin φ, cos φ), θ = 2πu, φ = arccos(2v − 1);
  r = w₁ g(‖p − goal‖) + w₂ (−‖a‖) + w₃ log₁₀(‖p − obstacle‖ + 0.01) / 5,
  with g(d) = 0.2 − d (``reward_type='dense'``) or s·exp(−d²/0.08²)
  (``'sparse'``, s = ``sparse_scale``).
  """

  reward_type: str = "dense"
  sparse_scale: float = 1.0
  horizon: int = 20  # max_path_length = horizon = 20 (GH launch_gher.py L319, L325)
  eval_seed: int = 0
  num_eval_tasks: int = 25
  # Generalized Hindsight's point envs end with done = (t >= horizon) and the
  # rollout stores that step as terminal (rlkit/envs/point_reacher_env.py,
  # PointReacherEnv.step; rlkit/samplers/rollout_functions.py,
  # multitask_rollout): a finite-horizon task whose observation carries t/H.
  time_limit: str = "terminal"

  TIME_LIMITS = ("terminal", "bootstrap")
  name = "point_reacher"
  task_dim = 6
  feature_dim = 3  # next x, next y, ‖a‖
  is_goal_family = False
  has_goal_part = True   # (θ_goal, r_goal): HER relabels the goal term only
  is_linear = False
  env_kind = "point_velocity"
  # The observation starts with the position (x, y), all that the features
  # (next position and ‖a‖) read: datasets without features can be imported.
  observation_features = True

  def __post_init__(self):
    self.check_common()
    if self.reward_type not in ("dense", "sparse"):
      raise ValueError(
          f"point_reacher reward_type must be 'dense' or 'sparse', got {self.reward_type!r}")

  _LOW = (0.0, 0.5, -math.pi, 0.15, -math.pi, 0.15)
  _HIGH = (0.25, 1.0, math.pi, 0.3, math.pi, 0.3)

  def sample(self, key, n):
    return base.uniform(key, n, self._LOW, self._HIGH)

  def task_low_high(self):
    return np.asarray(self._LOW, np.float32), np.asarray(self._HIGH, np.float32)

  @staticmethod
  def objective_weights(task):
    """The three weights w(u, v) on the last axis, each in [0, 1], ‖w‖ = 1."""
    theta = 2 * jnp.pi * task[..., 0]
    phi = jnp.arccos(jnp.clip(2 * task[..., 1] - 1, -1.0, 1.0))
    return jnp.stack([jnp.cos(theta) * jnp.sin(phi),
                      jnp.sin(theta) * jnp.sin(phi),
                      jnp.cos(phi)], axis=-1)

  @staticmethod
  def goal(task):
    return base.polar(task[..., 2], task[..., 3])

  def achieved_goal(self, features):
    """The position reached, f32[..., 2]."""
    return features[..., :2]

  def with_goal(self, task, goal):
    """``task`` with its goal at ``goal`` (polar (θ, r)); weights and
    obstacle unchanged. r may fall outside the prior's [0.15, 0.3]."""
    theta = jnp.arctan2(goal[..., 1], goal[..., 0])
    radius = base.safe_norm(goal)
    return jnp.concatenate([task[..., :2], theta[..., None], radius[..., None],
                            task[..., 4:]], axis=-1)

  @staticmethod
  def obstacle(task):
    return base.polar(task[..., 4], task[..., 5])

  def geometry(self, task) -> dict:
    """What a picture of task f32[6] draws (hindsight/render.py): the goal,
    the obstacle and the three objective weights (goal, energy, obstacle)."""
    task = np.asarray(task, np.float32)
    return {"goal": np.asarray(self.goal(task)), "obstacle": np.asarray(self.obstacle(task)),
            "weights": np.asarray(self.objective_weights(task))}

  def features(self, prev_state, action, next_state):
    del prev_state
    a = jnp.clip(action, -1.0, 1.0)
    return jnp.concatenate([next_state[..., :2], base.safe_norm(a)[..., None]], -1)

  def reward(self, features, action, task):
    del action  # ‖a‖ is a feature
    # The barrier keeps the task's trigonometry at the task's own shape:
    # without it XLA fuses it into the broadcast [N, T, K] reward and
    # recomputes it per element (1.5x slower relabeling returns).
    w, goal, obstacle = jax.lax.optimization_barrier(
        (self.objective_weights(task), self.goal(task), self.obstacle(task)))
    pos = features[..., :2]
    d_goal = base.safe_norm(pos - goal)
    d_obs = base.safe_norm(pos - obstacle)
    if self.reward_type == "dense":
      reach = 0.2 - d_goal
    else:
      reach = self.sparse_scale * jnp.exp(-jnp.square(d_goal) / 0.08**2)
    energy = -features[..., 2]
    avoid = jnp.log10(d_obs + 0.01) / 5.0
    return w[..., 0] * reach + w[..., 1] * energy + w[..., 2] * avoid
