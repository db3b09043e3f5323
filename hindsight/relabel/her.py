"""Hindsight Experience Replay (Andrychowicz et al. 2017) for goal families.

The goal part of the task is replaced by the goal achieved at a chosen step:
``final`` — the episode's last valid step; ``future`` — a uniform step t′ ≥ t
of the same episode; ``episode`` — any step of the same episode; ``random`` —
a step of a random buffer episode. Features at step t′ describe the state the
family's reward is computed at (s_{t′+1}, or s_{t′} for ``reward_state=
'current'``), so with ``future`` and t′ = t the transition itself reaches the goal.
"""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp

from hindsight.relabel.base import Relabeler

STRATEGIES = ("final", "future", "episode", "random")


@dataclasses.dataclass(frozen=True)
class HER(Relabeler):
  strategy: str = "future"

  name = "her"
  goal_only = True
  supports_insert = False  # 'future' depends on the sampled step

  def __post_init__(self):
    if self.strategy not in STRATEGIES:
      raise ValueError(f"her strategy must be one of {STRATEGIES}, got {self.strategy!r}")

  def goal_steps(self, key, batch):
    """The step t′ whose achieved goal each transition takes, i32[B]."""
    length = jnp.maximum(jnp.sum(batch.ep_mask > 0, axis=1).astype(jnp.int32), 1)
    u = jax.random.uniform(key, length.shape)
    if self.strategy == "final":
      return length - 1
    if self.strategy == "future":
      lo = jnp.minimum(batch.t, length - 1)
      return jnp.minimum(lo + (u * (length - lo)).astype(jnp.int32), length - 1)
    return jnp.minimum((u * length).astype(jnp.int32), length - 1)

  def relabel_with_info(self, key, batch, ctx):
    fam = ctx.family
    if self.strategy == "random":
      if ctx.sample_features is None:
        raise ValueError("her strategy 'random' needs ctx.sample_features (buffer steps)")
      feats = ctx.sample_features(key, batch.task.shape[0])
      steps_ahead = jnp.zeros(())
    else:
      tp = self.goal_steps(key, batch)
      feats = batch.ep_features[jnp.arange(tp.shape[0]), tp]
      steps_ahead = jnp.mean((tp - batch.t).astype(jnp.float32))
    tasks = fam.with_goal(batch.task, fam.achieved_goal(feats))
    info = {"her_steps_ahead": steps_ahead}
    if fam.is_goal_family:
      info["her_success"] = jnp.mean(fam.success(batch.features, tasks).astype(jnp.float32))
    return tasks, info
