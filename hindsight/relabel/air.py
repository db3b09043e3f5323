"""Approximate IRL relabeling, AIR (Generalized Hindsight, Li et al. 2020, Alg. 2).

An episode is relabeled with the tasks under which it ranks highest among the
N episodes compared: R[n, k] is the discounted return of episode n under
candidate task k (from stored features); each column is turned into mid-rank
percentiles over the N episodes; every relabeled episode takes
``top_m(percentiles, m, tie_break)``. N = the relabeled episodes plus a cache
of the ``cache_size`` most recent buffer episodes (the paper used 500).
Candidates: the relabeled episodes' own tasks (up to K/2) plus prior samples.
"""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp

from hindsight.relabel import core
from hindsight.relabel import returns
from hindsight.relabel.base import Relabeler

TIE_BREAKS = ("advantage", "return", "none")


@dataclasses.dataclass(frozen=True)
class AIR(Relabeler):
  num_candidates: int = 100   # K
  m: int = 1                  # tasks kept per episode
  cache_size: int = 500       # recent episodes ranked against (0: the batch only)
  tie_break: str = "advantage"  # among equal percentiles: larger R − V(s0, z), or larger R

  name = "air"
  default_when = "insert"

  def __post_init__(self):
    if self.num_candidates < 1:
      raise ValueError(f"air num_candidates must be >= 1, got {self.num_candidates}")
    if not 1 <= self.m <= self.num_candidates:
      raise ValueError(f"air m must be in [1, num_candidates={self.num_candidates}], got {self.m}")
    if self.cache_size < 0:
      raise ValueError(f"air cache_size must be >= 0, got {self.cache_size}")
    if self.tie_break not in TIE_BREAKS:
      raise ValueError(f"air tie_break must be one of {TIE_BREAKS}, got {self.tie_break!r}")

  @property
  def needs_values(self):
    return self.tie_break == "advantage"

  def scores(self, key, batch, ctx):
    """(candidates f32[K, D], percentiles f32[B, K], tie_break f32[B, K])."""
    cands = returns.candidate_tasks(key, ctx.family, batch.task, self.num_candidates)
    r_batch = returns.batch_returns(ctx.family, ctx.gamma, batch, cands)        # [B, K]
    b = r_batch.shape[0]
    if ctx.cache is not None and self.cache_size > 0:
      r_all = jnp.concatenate([r_batch, returns.cache_returns(ctx.family, ctx.gamma, ctx.cache, cands)])
      valid = jnp.concatenate([jnp.ones((b,), bool), ctx.cache.valid])
    else:
      r_all, valid = r_batch, None
    pct = core.percentile_ranks(r_all, valid)[:b]
    if self.tie_break == "advantage":
      tie = r_batch - returns.values_matrix(ctx.fns["value"], batch.first_obs, cands)
    elif self.tie_break == "return":
      tie = r_batch
    else:
      tie = None
    return cands, pct, tie

  def choose(self, key, batch, ctx):
    cands, pct, tie = self.scores(key, batch, ctx)
    idx = core.top_m(pct, self.m, tie)                                     # [B, m]
    chosen_pct = jnp.take_along_axis(pct, idx, axis=1)
    info = {"air_chosen_percentile": jnp.mean(chosen_pct),
            "air_original_percentile": jnp.mean(_own_percentile(pct, batch.task.shape[0]))}
    return cands[idx], info

  def relabel_with_info(self, key, batch, ctx):
    k_c, k_pick = jax.random.split(key)
    chosen, info = self.choose(k_c, batch, ctx)
    return returns.pick_one(k_pick, chosen), info


def _own_percentile(pct, b):
  """Percentile of each episode under its own task, where it is a candidate
  (row i ↔ candidate i for the first min(B, K/2) rows); NaN-free mean helper."""
  n_own = min(b, pct.shape[1] // 2)
  if n_own == 0:
    return jnp.zeros(())
  return jnp.diagonal(pct[:n_own, :n_own])
