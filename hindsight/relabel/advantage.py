"""Advantage relabeling (Generalized Hindsight, Li et al. 2020).

Score each candidate task by the episode's return under it minus the value of
its first state, R[n, k] − V(s0_n, z_k) with V(s, z) = min(Q1, Q2)(s, π_mean(s,
z), z), and keep the ``top_m``. Candidates as in AIR.
"""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp

from hindsight.relabel import core
from hindsight.relabel import returns
from hindsight.relabel.base import Relabeler


@dataclasses.dataclass(frozen=True)
class AdvantageRelabel(Relabeler):
  num_candidates: int = 100   # K
  m: int = 1                  # tasks kept per episode

  name = "advantage"
  needs_values = True
  default_when = "insert"

  def __post_init__(self):
    if self.num_candidates < 1:
      raise ValueError(f"advantage num_candidates must be >= 1, got {self.num_candidates}")
    if not 1 <= self.m <= self.num_candidates:
      raise ValueError("advantage m must be in [1, num_candidates="
                       f"{self.num_candidates}], got {self.m}")

  def scores(self, key, batch, ctx):
    cands = returns.candidate_tasks(key, ctx.family, batch.task, self.num_candidates)
    r = returns.batch_returns(ctx.family, ctx.gamma, batch, cands)
    return cands, r - returns.values_matrix(ctx.fns["value"], batch.first_obs, cands)

  def choose(self, key, batch, ctx):
    cands, adv = self.scores(key, batch, ctx)
    idx = core.top_m(adv, self.m)
    return cands[idx], {"advantage_chosen": jnp.mean(jnp.take_along_axis(adv, idx, 1)),
                        "advantage_mean": jnp.mean(adv)}

  def relabel_with_info(self, key, batch, ctx):
    k_c, k_pick = jax.random.split(key)
    chosen, info = self.choose(k_c, batch, ctx)
    return returns.pick_one(k_pick, chosen), info
