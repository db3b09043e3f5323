"""PointGoal: goal reaching with PointReacher dynamics (the HER setting).

The task is a goal position, drawn in polar coordinates around the start
(angle ~ U(−π, π), radius ~ U(r_min, r_max)) and stored in Cartesian form so
that an achieved position can be substituted as a goal directly.
Reward 1[‖p − goal‖ < ε] − 1; success = reached.

It stands in for HIPI's goal-reaching tasks, so it follows HIPI's rules: the
time limit bootstraps and the observation carries no time (HIPI's buffer sets
discount = 1 − done with done = goal reached: hipi/relabelling_replay_buffer.py,
``RelabellingReplayBuffer._get_batch``), and ``terminate_on_success`` ends the
episode at the goal (HIPI's done = dist < margin). HIPI evaluates reward and
done on the state s_t before the step (hipi/envs/multitask.py,
``Environment.step``; relabelling_replay_buffer.py ``get_batch`` on
``observation[:, 0]``): ``reward_state='current'``; ``'next'`` uses s_{t+1}.
"""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np

from hindsight.tasks import base, goal


@dataclasses.dataclass(frozen=True)
class PointGoal(goal.PlanarGoalFamily):
  epsilon: float = 0.05       # success radius of this [−1, 1]² arena
  radius_low: float = 0.15    # goal radius ~ U(radius_low, radius_high)
  radius_high: float = 0.3
  horizon: int = 20
  eval_seed: int = 0
  num_eval_tasks: int = 25
  time_limit: str = "bootstrap"
  terminate_on_success: bool = False
  reward_state: str = "current"   # current: s_t (HIPI's code) | next: s_{t+1}

  TIME_LIMITS = ("terminal", "bootstrap")
  name = "point_goal"
  task_dim = 2
  feature_dim = 2  # next x, next y (= the achieved goal)
  is_linear = False
  env_kind = "point_velocity"
  # The observation starts with the position (x, y), all that the features
  # (position) read: datasets without features can be imported.
  observation_features = True

  def __post_init__(self):
    self.check_common()
    base.check_choice(self.name, "reward_state", self.reward_state, base.REWARD_STATES)
    if not 0 < self.epsilon:
      raise ValueError(f"point_goal epsilon must be > 0, got {self.epsilon}")
    if not 0 <= self.radius_low <= self.radius_high <= 1:
      raise ValueError("point_goal needs 0 <= radius_low <= radius_high <= 1, got "
                       f"{self.radius_low}, {self.radius_high}")

  def sample(self, key, n):
    k1, k2 = jax.random.split(key)
    angle = jax.random.uniform(k1, (n,), minval=-jnp.pi, maxval=jnp.pi)
    radius = jax.random.uniform(k2, (n,), minval=self.radius_low,
                                maxval=self.radius_high)
    return base.polar(angle, radius)

  def task_low_high(self):
    r = self.radius_high
    return np.full(2, -r, np.float32), np.full(2, r, np.float32)

  def geometry(self, task) -> dict:
    """What a picture of task f32[2] draws (hindsight/render.py): the goal and
    the success radius ε around it."""
    return {"goal": np.asarray(task, np.float32)[:2], "goal_radius": float(self.epsilon)}

  def features(self, prev_state, action, next_state):
    del action
    state = prev_state if self.reward_state == "current" else next_state
    return state[..., :2]

  @property
  def success_radius(self):
    return self.epsilon

  def reward(self, features, action, task):
    del action
    return self.success(features, task).astype(jnp.float32) - 1.0
