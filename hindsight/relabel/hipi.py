"""HIPI: relabeling with the MaxEnt inverse-RL posterior (Eysenbach et al. 2020).

q(z | τ) ∝ p(z) exp(Σ r_z − log Z(z)). Transition level (for off-policy RL):
logits[i, j] = r(φ_i, a_i, z_j) − log π(a_i | s_i, z_j)
               + γ (1 − d_i) Q(s′_i, a′_ij, z_j),  a′_ij ~ π(· | s′_i, z_j);
trajectory level (for BC): logits[n, j] = Σ_t γ^t r(φ_nt, a_nt, z_j). The
partition function log Z(z_j) is estimated over the batch (column logsumexp);
each row then samples its new task. Candidates: the batch's own tasks
(B × B, as in the paper) or K prior samples.
"""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp

from hindsight.relabel import core
from hindsight.relabel import episodes as E
from hindsight.relabel.base import Relabeler

CANDIDATES = ("batch", "prior")
LEVELS = ("transition", "trajectory")


@dataclasses.dataclass(frozen=True)
class HIPI(Relabeler):
  candidates: str = "batch"      # 'batch': the batch's own tasks; 'prior': K samples
  num_candidates: int = 256      # K for 'prior'
  temperature: float = 1.0
  normalize_columns: bool = True
  level: str = "transition"      # 'trajectory': summed episode rewards (HIPI-BC)

  name = "hipi"

  @property
  def supports_insert(self):
    """Trajectory level needs no networks, so episodes can be relabeled once."""
    return self.level == "trajectory"

  def __post_init__(self):
    if self.candidates not in CANDIDATES:
      raise ValueError(f"hipi candidates must be one of {CANDIDATES}, got {self.candidates!r}")
    if self.level not in LEVELS:
      raise ValueError(f"hipi level must be one of {LEVELS}, got {self.level!r}")
    if self.num_candidates < 1:
      raise ValueError(f"hipi num_candidates must be >= 1, got {self.num_candidates}")
    if not self.temperature > 0:
      raise ValueError(f"hipi temperature must be > 0, got {self.temperature}")

  @property
  def needs_values(self):
    return self.level == "transition"

  def candidate_set(self, key, batch, family):
    if self.candidates == "batch":
      return batch.task
    return family.sample(key, self.num_candidates).astype(jnp.float32)

  def logits(self, key, batch, ctx, cands):
    """f32[B, K] unnormalised log-posterior terms."""
    fam = ctx.family
    if self.level == "trajectory":
      return E.batch_returns(fam, ctx.gamma, batch, cands)
    b, k = batch.task.shape[0], cands.shape[0]
    rew = fam.reward(batch.features[:, None, :], batch.action[:, None, :], cands[None])
    tile = lambda x: jnp.broadcast_to(x[:, None, :], (b, k, x.shape[-1])).reshape(b * k, -1)
    task = jnp.broadcast_to(cands[None], (b, k, cands.shape[-1])).reshape(b * k, -1)
    obs, act, nobs = tile(batch.obs), tile(batch.action), tile(batch.next_obs)
    fns = ctx.fns
    logp = fns["log_prob"](obs, act, task).reshape(b, k)
    next_a = fns["sample_action"](key, nobs, task)
    q_next = fns["q"](nobs, next_a, task).reshape(b, k)
    return rew - logp + ctx.gamma * (1.0 - batch.terminal)[:, None] * q_next

  def relabel_with_info(self, key, batch, ctx):
    k_c, k_l, k_s = jax.random.split(key, 3)
    cands = self.candidate_set(k_c, batch, ctx.family)
    logits = jax.lax.stop_gradient(self.logits(k_l, batch, ctx, cands))
    logq = core.hipi_log_posterior(logits, self.normalize_columns, self.temperature)
    idx = jax.random.categorical(k_s, logq, axis=1)
    entropy = -jnp.sum(jnp.exp(logq) * logq, axis=1)
    info = {"hipi_posterior_entropy": jnp.mean(entropy),
            "hipi_max_prob": jnp.mean(jnp.exp(jnp.max(logq, axis=1)))}
    if self.candidates == "batch":
      info["hipi_kept_own"] = jnp.mean((idx == jnp.arange(idx.shape[0])).astype(jnp.float32))
    return cands[idx], info
