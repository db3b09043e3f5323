"""Linear reward families: r = w(z) · φ.

Subclasses define ``weights(task) -> f32[..., F]``; the reward is the dot
product with the stored features, and relabelers compute an episode's return
under any task as w(z) · Σ_t γ^t φ_t (one matrix product for all candidates).
"""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np

from hindsight.tasks import base


class LinearFamily(base.TaskFamily):
  is_linear = True

  def weights(self, task):
    return task

  def reward(self, features, action, task):
    del action
    return jnp.sum(self.weights(task) * features, axis=-1)


@dataclasses.dataclass(frozen=True)
class RandomLinear(LinearFamily):
  """A synthetic linear family with unit-norm weights, for tests and benchmarks
  (it has no environment): features are whatever the caller stores."""
  feature_dim: int = 4
  horizon: int = 1000
  eval_seed: int = 0
  num_eval_tasks: int = 25

  name = "random_linear"

  @property
  def task_dim(self):
    return self.feature_dim

  def sample(self, key, n):
    w = jax.random.normal(key, (n, self.feature_dim))
    return w / jnp.linalg.norm(w, axis=-1, keepdims=True)

  def task_low_high(self):
    return -np.ones(self.feature_dim, np.float32), np.ones(self.feature_dim, np.float32)

  def features(self, prev_state, action, next_state):
    raise TypeError("random_linear has no environment; store features directly")
