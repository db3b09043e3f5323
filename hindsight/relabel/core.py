"""Shared relabeling math: small pure functions on arrays (ARCHITECTURE 3.4)."""

from __future__ import annotations

import chex
import jax
import jax.numpy as jnp


def discounted_returns(rewards: jax.Array, mask: jax.Array, gamma: float) -> jax.Array:
  """Σ_t γ^t · mask[n, t] · rewards[n, t]  →  f32[N]."""
  chex.assert_rank(rewards, 2)
  chex.assert_equal_shape([rewards, mask])
  disc = gamma ** jnp.arange(rewards.shape[1], dtype=jnp.float32)
  return jnp.sum(rewards * mask * disc, axis=1)


def discounted_feature_sums(features: jax.Array, mask: jax.Array, gamma: float) -> jax.Array:
  """Σ_t γ^t · mask[n, t] · φ[n, t]  →  f32[N, F]; for linear families the
  return under task z is ``weights(z) · this``."""
  chex.assert_rank(features, 3)
  disc = gamma ** jnp.arange(features.shape[1], dtype=jnp.float32)
  return jnp.einsum("ntf,nt,t->nf", features, mask, disc)


def percentile_ranks(returns: jax.Array, valid: jax.Array | None = None) -> jax.Array:
  """Mid-rank percentile of each entry within its column.

  Entry (i, k) is (#{j : R[j,k] < R[i,k]} + ½ #{j ≠ i : R[j,k] = R[i,k]}) / (N − 1),
  and 0.5 everywhere when N = 1. With ``valid`` (bool[N]) only valid rows are
  counted and N is the number of valid rows; invalid rows get 0.
  """
  chex.assert_rank(returns, 2)
  n = returns.shape[0]
  if valid is None:
    valid = jnp.ones((n,), bool)
  n_valid = jnp.sum(valid)
  masked = jnp.where(valid[:, None], returns, jnp.inf)

  def column(col, vals):
    s = jnp.sort(col)
    less = jnp.searchsorted(s, vals, side="left")
    # invalid rows sort last as +inf: never count them as equal to a valid +inf
    leq = jnp.minimum(jnp.searchsorted(s, vals, side="right"), n_valid)
    return less + 0.5 * (leq - less - 1)

  counts = jax.vmap(column, in_axes=(1, 1), out_axes=1)(masked, returns)
  ranks = jnp.where(n_valid > 1, counts / jnp.maximum(n_valid - 1, 1), 0.5)
  return jnp.where(valid[:, None], ranks, 0.0)


def top_m(scores: jax.Array, m: int, tie_break: jax.Array | None = None) -> jax.Array:
  """Indices i32[N, m] of the m largest scores per row, in descending order;
  equal scores are ordered by larger ``tie_break``, then by lower index."""
  chex.assert_rank(scores, 2)
  n, k = scores.shape
  if not 1 <= m <= k:
    raise ValueError(f"top_m needs 1 <= m <= K = {k}, got m = {m}")
  if tie_break is None:
    tie_break = jnp.zeros_like(scores)
  chex.assert_equal_shape([scores, tie_break])
  idx = jnp.broadcast_to(jnp.arange(k, dtype=jnp.int32), (n, k))
  _, _, order = jax.lax.sort((-scores, -tie_break, idx), dimension=1, num_keys=3)
  return order[:, :m]


def hipi_log_posterior(logits: jax.Array, normalize_columns: bool = True,
                       temperature: float = 1.0) -> jax.Array:
  """log q(z_k | transition i) ∝ L[i, k] − log Z(z_k), as log-probabilities.

  L = logits / temperature; with ``normalize_columns`` each column is shifted
  by its logsumexp over the batch (the partition function log Z(z) estimated
  on the batch); then a log-softmax over tasks in each row.
  """
  chex.assert_rank(logits, 2)
  lg = logits / temperature
  if normalize_columns:
    lg = lg - jax.scipy.special.logsumexp(lg, axis=0, keepdims=True)
  return jax.nn.log_softmax(lg, axis=1)
