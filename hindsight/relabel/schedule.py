"""When relabeling happens: a schedule with two hooks (ARCHITECTURE 3.4).

The training loop calls ``on_insert`` when it adds newly collected episodes
to the buffer and ``on_sample`` on every sampled batch; it never asks which
moment the strategy acts at. Two schedules, chosen by ``relabel.when``:

- ``SampleTime`` — the strategy relabels every sampled batch with the current
  networks (HIPI's way); insertion only stores the per-episode arrays that
  return matrices reuse;
- ``InsertTime`` — the strategy chooses ``m`` tasks once per new episode,
  against the cache of recent episodes, and they are stored beside the
  episode (Generalized Hindsight's way); a sampled transition takes one of its
  episode's stored tasks.

``extras_spec()`` names the per-episode arrays a schedule stores beside each
episode (``replay.init``'s ``extras_spec``).
"""

from __future__ import annotations

import dataclasses
from typing import Dict, Tuple

import jax
import jax.numpy as jnp

from hindsight import replay
from hindsight.relabel import core
from hindsight.relabel.base import Relabeler, RelabelContext
from hindsight.relabel.returns import DISC_SUM, pick_one
from hindsight.tasks.base import TaskFamily

RELABELED = "relabeled_tasks"        # buffer extra: tasks chosen at insertion [m, D]
WHEN = ("sample", "insert")


def episodes_as_batch(episodes: replay.Episodes, extras=None) -> replay.EpisodeBatch:
  """One row per episode (its first step) carrying the whole episode: what
  insert-time and trajectory-level relabeling hand to a strategy."""
  n = episodes.task.shape[0]
  zero = jnp.zeros((n,), jnp.int32)
  return replay.EpisodeBatch(
      obs=episodes.obs[:, 0], action=episodes.action[:, 0], next_obs=episodes.obs[:, 1],
      features=episodes.features[:, 0], terminal=episodes.terminal[:, 0],
      task=episodes.task, t=zero, episode=jnp.arange(n, dtype=jnp.int32),
      ep_features=episodes.features, ep_action=episodes.action, ep_mask=episodes.mask,
      first_obs=episodes.obs[:, 0], extras=dict(extras or {}))


@dataclasses.dataclass(frozen=True)
class Schedule:
  """Base: stores Σ_t γ^t φ_t beside each episode of a linear family, so
  return matrices are one product (``returns.returns_matrix``)."""
  relabeler: Relabeler
  family: TaskFamily
  gamma: float

  when = ""

  def extras_spec(self) -> Dict[str, tuple]:
    """Per-episode arrays stored beside each episode: name → shape."""
    return {DISC_SUM: (self.family.feature_dim,)} if self.family.is_linear else {}

  def _base_extras(self, episodes: replay.Episodes) -> Dict[str, jax.Array]:
    if not self.family.is_linear:
      return {}
    return {DISC_SUM: core.discounted_feature_sums(episodes.features, episodes.mask,
                                                   self.gamma)}

  def on_insert(self, key, episodes: replay.Episodes, ctx: RelabelContext
                ) -> Tuple[Dict[str, jax.Array], Dict[str, jax.Array]]:
    """(extras for ``replay.add``, metrics) for newly collected ``episodes``;
    ``ctx`` sees the buffer before they are added."""
    raise NotImplementedError

  def on_sample(self, key, batch: replay.EpisodeBatch, ctx: RelabelContext
                ) -> Tuple[jax.Array, Dict[str, jax.Array]]:
    """(new task per sampled transition f32[B, D], metrics)."""
    raise NotImplementedError


@dataclasses.dataclass(frozen=True)
class SampleTime(Schedule):
  when = "sample"

  def on_insert(self, key, episodes, ctx):
    del key, ctx
    return self._base_extras(episodes), {}

  def on_sample(self, key, batch, ctx):
    return self.relabeler.relabel_with_info(key, batch, ctx)


@dataclasses.dataclass(frozen=True)
class InsertTime(Schedule):
  when = "insert"

  def extras_spec(self):
    return {**super().extras_spec(),
            RELABELED: (self.relabeler.num_stored, self.family.task_dim)}

  def on_insert(self, key, episodes, ctx):
    extras = self._base_extras(episodes)
    chosen, info = self.relabeler.choose(key, episodes_as_batch(episodes, dict(extras)), ctx)
    return {**extras, RELABELED: chosen}, info

  def on_sample(self, key, batch, ctx):
    del ctx
    return pick_one(key, batch.extras[RELABELED]), {}


def make(relabeler: Relabeler, family: TaskFamily, gamma: float, when: str) -> Schedule:
  """The schedule of ``relabeler`` at ``when`` ('sample' | 'insert')."""
  if when not in WHEN:
    raise ValueError(f"unknown relabeling moment {when!r}; moments: {', '.join(WHEN)}")
  if when == "insert" and not relabeler.supports_insert:
    raise ValueError(f"{relabeler.name!r} cannot relabel at insertion: it relabels each "
                     "sampled transition with the current networks or step")
  cls = InsertTime if when == "insert" else SampleTime
  return cls(relabeler=relabeler, family=family, gamma=float(gamma))
