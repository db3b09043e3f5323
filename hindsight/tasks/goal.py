"""Planar goal families: the task is a goal xy and the features start with the
achieved xy.

``PlanarGoalFamily`` holds the three goal-family methods they share
(ARCHITECTURE 3.1): the achieved goal is ``features[..., :2]``, relabeling
replaces the whole task by the achieved goal, and success is being within
``success_radius`` of the goal. A subclass defines ``success_radius`` (the
option that sets it) and its ``reward``.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from hindsight.tasks import base


class PlanarGoalFamily(base.TaskFamily):
  """Mixin for goal families whose task is the goal xy, f32[..., 2]."""

  is_goal_family = True

  @property
  def success_radius(self) -> float:
    """The distance within which the goal counts as reached."""
    raise NotImplementedError

  def achieved_goal(self, features) -> jax.Array:
    return features[..., :2]

  def with_goal(self, task, goal) -> jax.Array:
    return jnp.broadcast_to(goal, jnp.broadcast_shapes(task.shape, goal.shape))

  def distance_to_goal(self, features, task) -> jax.Array:
    """‖achieved xy − goal xy‖."""
    return base.safe_norm(features[..., :2] - task[..., :2])

  def success(self, features, task) -> jax.Array:
    return self.distance_to_goal(features, task) < self.success_radius
