"""PointTrajectory (Generalized Hindsight, Li et al. 2020, App. A).

A point must trace a sine-shaped path: the task gives the path's direction,
its length scale and its amplitude. Features are the position the reward is
computed at: the state s_t before the step, as Generalized Hindsight's code
does (rlkit/torch/multitask/pointmass_rewards.py,
PointMassBestRandomRelabeler.calculate_path_reward, on path['observations']),
or s_{t+1} with ``reward_state='next'``.
"""

from __future__ import annotations

import dataclasses
import math

import jax.numpy as jnp
import numpy as np

from hindsight.tasks import base


@dataclasses.dataclass(frozen=True)
class PointTrajectory(base.TaskFamily):
  """Task z = (angle, d, amp). With (x′, y′) the position rotated by −angle,
  r = (x′/d) · N(y′ − amp·sin(π x′/d); 0, σ) for x′ ≥ 0 and 0 otherwise."""

  # norm.pdf(..., scale=0.05) (GH rlkit/torch/multitask/pointmass_rewards.py,
  # calculate_path_reward)
  sigma: float = 0.05
  horizon: int = 15   # max_path_length = horizon = 15 (GH launch_gher.py L233, L285)
  eval_seed: int = 0
  num_eval_tasks: int = 25
  # done = (t >= horizon), stored as terminal (Generalized Hindsight,
  # rlkit/envs/point_robot_new.py, PointEnv.step; rollout_functions.py).
  time_limit: str = "terminal"
  reward_state: str = "current"   # current: s_t (GH's code) | next: s_{t+1}

  TIME_LIMITS = ("terminal", "bootstrap")
  name = "point_trajectory"
  task_dim = 3
  feature_dim = 2  # next x, next y
  is_goal_family = False
  is_linear = False
  env_kind = "point_position"
  # The observation starts with the position (x, y), all that the features
  # (position) read: datasets without features can be imported.
  observation_features = True

  _LOW = (-math.pi, 0.75, -0.25)
  _HIGH = (math.pi, 1.0, 0.25)

  def __post_init__(self):
    self.check_common()
    base.check_choice(self.name, "reward_state", self.reward_state, base.REWARD_STATES)
    if not self.sigma > 0:
      raise ValueError(f"point_trajectory sigma must be > 0, got {self.sigma}")

  def sample(self, key, n):
    return base.uniform(key, n, self._LOW, self._HIGH)

  def task_low_high(self):
    return np.asarray(self._LOW, np.float32), np.asarray(self._HIGH, np.float32)

  def geometry(self, task, num_points: int = 200) -> dict:
    """What a picture of task (angle, d, amp) draws (hindsight/render.py): the
    target curve y′ = amp·sin(π x′/d) for x′ ∈ [0, 2d] (one period; the reward
    is 0 for x′ < 0), rotated back by the angle into the plane, f32[P, 2]."""
    angle, d, amp = (float(v) for v in np.asarray(task, np.float32)[:3])
    xr = np.linspace(0.0, 2.0 * d, num_points)
    yr = amp * np.sin(np.pi * xr / d)
    c, s = math.cos(angle), math.sin(angle)
    curve = np.stack([c * xr - s * yr, s * xr + c * yr], axis=-1).astype(np.float32)
    return {"curve": curve}

  def features(self, prev_state, action, next_state):
    del action
    state = prev_state if self.reward_state == "current" else next_state
    return state[..., :2]

  def reward(self, features, action, task):
    del action
    angle, d, amp = task[..., 0], task[..., 1], task[..., 2]
    x, y = features[..., 0], features[..., 1]
    c, s = jnp.cos(angle), jnp.sin(angle)
    xr = c * x + s * y
    yr = -s * x + c * y
    dev = yr - amp * jnp.sin(jnp.pi * xr / d)
    r = (xr / d) * base.normal_pdf(dev, self.sigma)
    return jnp.where(xr >= 0, r, 0.0)
