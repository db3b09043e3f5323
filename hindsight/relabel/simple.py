"""The two baselines: keep the original task, or draw a new one from the prior."""

from __future__ import annotations

import dataclasses

import jax.numpy as jnp

from hindsight.relabel.base import Relabeler


@dataclasses.dataclass(frozen=True)
class NoRelabel(Relabeler):
  name = "none"

  def relabel_with_info(self, key, batch, ctx):
    del key, ctx
    return batch.task, {}


@dataclasses.dataclass(frozen=True)
class RandomRelabel(Relabeler):
  """z′ ~ p(z): Generalized Hindsight's random-relabeling baseline."""
  name = "random"

  def relabel_with_info(self, key, batch, ctx):
    tasks = ctx.family.sample(key, batch.task.shape[0])
    return tasks.astype(jnp.float32), {}
