"""The task-family contract (ARCHITECTURE 3.1) and small shared helpers.

A family is a frozen dataclass: hashable, so it can be closed over by jitted
functions as static configuration. It defines the task prior ``sample``, the
per-step reward ``features`` recorded at env-step time, and ``reward``, which
recomputes the reward of any task from stored features without the simulator.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np


class TaskFamily:
  """Base class. Subclasses are ``@dataclasses.dataclass(frozen=True)``."""

  name: str = "family"
  task_dim: int
  feature_dim: int
  horizon: int
  is_goal_family: bool = False
  # The task has a goal part that ``with_goal`` can replace by an achieved
  # goal, so HER applies. True for every goal family, and for multi-objective
  # families with a goal term (HER on the goal part, as Generalized Hindsight
  # compares it); ``success`` is only defined for goal families.
  has_goal_part: bool = False
  # Linear families have r = weights(task) · features; relabelers then turn
  # returns into a matrix product over discounted feature sums.
  is_linear: bool = False
  num_eval_tasks: int = 25
  eval_seed: int = 0

  def sample(self, key: jax.Array, n: int) -> jax.Array:
    raise NotImplementedError

  def features(self, prev_state, action, next_state) -> jax.Array:
    raise NotImplementedError

  def reward(self, features, action, task) -> jax.Array:
    raise NotImplementedError

  def eval_tasks(self) -> np.ndarray:
    """A fixed set of tasks drawn once from the prior with ``eval_seed``."""
    return np.asarray(self.sample(jax.random.PRNGKey(self.eval_seed),
                                  self.num_eval_tasks))

  def task_low_high(self) -> tuple[np.ndarray, np.ndarray]:
    """Bounds of the prior's support, per task component (for checks)."""
    raise NotImplementedError

  # Linear families.
  def weights(self, task) -> jax.Array:
    raise TypeError(f"{self.name} is not a linear family")

  # Goal families (``achieved_goal``/``with_goal`` also where ``has_goal_part``).
  def achieved_goal(self, features) -> jax.Array:
    raise TypeError(f"{self.name} is not a goal family")

  def with_goal(self, task, goal) -> jax.Array:
    raise TypeError(f"{self.name} is not a goal family")

  def success(self, features, task) -> jax.Array:
    raise TypeError(f"{self.name} is not a goal family")


def polar(angle, radius):
  """(r cos θ, r sin θ) stacked on the last axis."""
  return jnp.stack([radius * jnp.cos(angle), radius * jnp.sin(angle)], axis=-1)


def normal_pdf(x, sigma):
  """Density of N(0, σ²) at x."""
  return jnp.exp(-0.5 * jnp.square(x / sigma)) / (sigma * math.sqrt(2 * math.pi))


def safe_norm(x, axis=-1):
  """Euclidean norm with a finite gradient at 0."""
  sq = jnp.sum(jnp.square(x), axis=axis)
  safe = jnp.where(sq > 0, sq, 1.0)
  return jnp.where(sq > 0, jnp.sqrt(safe), 0.0)


def uniform(key, n, low, high):
  """n samples, uniform per component in [low, high) (both length-D lists)."""
  low = jnp.asarray(low, jnp.float32)
  high = jnp.asarray(high, jnp.float32)
  return jax.random.uniform(key, (n, low.shape[0]), minval=low, maxval=high)
