"""The relabeler interface (ARCHITECTURE 3.4) and the step that applies it.

A relabeler is a frozen dataclass; ``relabeler(key, batch, ctx)`` returns the
new task of every transition, f32[B, D]. ``relabel_with_info`` returns the
same tasks and a dict of scalar metrics explaining what it did.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable, Dict, Optional, Tuple

import jax
import jax.numpy as jnp

from hindsight.replay import EpisodeBatch
from hindsight.tasks.base import TaskFamily


@dataclasses.dataclass(frozen=True)
class RelabelContext:
  """What a relabeler may use besides the batch.

  ``fns`` holds pure functions of the learner's current parameters
  (``q(obs, action, task)``, ``sample_action(key, obs, task)``,
  ``log_prob(obs, action, task)``, ``value(obs, task)``); ``cache`` holds
  recent episodes (``hindsight.relabel.cache.EpisodeCache``) for strategies
  that compare an episode against others; ``sample_features(key, n)`` draws
  the features of n uniform buffer steps (HER's buffer-wide strategy).
  """
  family: TaskFamily
  gamma: float
  fns: Optional[Dict[str, Callable[..., Any]]] = None
  cache: Any = None
  sample_features: Optional[Callable[[Any, int], Any]] = None


class Relabeler:
  """Base class: subclasses are frozen dataclasses implementing ``relabel_with_info``."""

  name: str = "relabeler"
  needs_values: bool = False     # uses ctx.fns (the learner's value functions)
  goal_only: bool = False        # only defined for goal families
  default_when: str = "sample"   # 'sample' (every batch) or 'insert' (once per episode)
  supports_insert: bool = True   # can relabel whole episodes once, at insertion
  cache_size: int = 0            # recent episodes to compare against (ctx.cache)

  @property
  def num_stored(self) -> int:
    """Tasks chosen per episode at insertion (``m`` for top-m strategies)."""
    return int(getattr(self, "m", 1))

  def choose(self, key, batch: EpisodeBatch, ctx: RelabelContext
             ) -> Tuple[jax.Array, Dict[str, jax.Array]]:
    """``num_stored`` tasks per row, f32[B, m, D] (insert-time relabeling).
    Default: m independent draws of ``relabel_with_info``."""
    keys = jax.random.split(key, self.num_stored)
    tasks, info = jax.vmap(lambda k: self.relabel_with_info(k, batch, ctx))(keys)
    return jnp.swapaxes(tasks, 0, 1), jax.tree.map(jnp.mean, info)

  def check_family(self, family: TaskFamily) -> None:
    if self.goal_only and not (family.is_goal_family or family.has_goal_part):
      raise ValueError(f"relabeler {self.name!r} only applies to families whose task "
                       f"has a goal part (is_goal_family or has_goal_part); "
                       f"{family.name!r} has none")

  def relabel_with_info(self, key, batch: EpisodeBatch, ctx: RelabelContext
                        ) -> Tuple[jax.Array, Dict[str, jax.Array]]:
    raise NotImplementedError

  def __call__(self, key, batch: EpisodeBatch, ctx: RelabelContext) -> jax.Array:
    return self.relabel_with_info(key, batch, ctx)[0]


def mix_tasks(key, original, relabeled, fraction):
  """Keeps the original task for a 1 − ``fraction`` share of transitions."""
  use_new = jax.random.uniform(key, original.shape[:1]) < fraction
  return jnp.where(use_new[:, None], relabeled, original), use_new


def task_changed(a, b):
  return jnp.any(jnp.abs(a - b) > 1e-6, axis=-1)
