"""Episode-level helpers shared by the strategies: the cache of recent
episodes, return matrices R[n, k] under candidate tasks, candidate sets."""

from __future__ import annotations

from typing import Optional

import chex
import jax
import jax.numpy as jnp
from flax import struct

from hindsight import replay
from hindsight.relabel import core
from hindsight.tasks.base import TaskFamily

DISC_SUM = "disc_feature_sum"        # buffer extra: Σ_t γ^t φ_t (linear families)
RELABELED = "relabeled_tasks"        # buffer extra: tasks chosen at insertion [m, D]
_CHUNK_ELEMENTS = 1 << 17            # rewards evaluated at once by returns_matrix


@struct.dataclass
class EpisodeCache:
  """The M most recent buffer episodes (newest first), for ranking against."""
  features: jax.Array      # f32[M, T, F]
  action: jax.Array        # f32[M, T, A]
  mask: jax.Array          # f32[M, T]
  first_obs: jax.Array     # f32[M, O]
  task: jax.Array          # f32[M, D]
  valid: jax.Array         # bool[M]  (False for slots not filled yet)
  disc_feature_sum: Optional[jax.Array] = None  # f32[M, F] for linear families


def recent_cache(buffer: replay.BufferState, size: int) -> EpisodeCache:
  idx, valid = replay.recent_indices(buffer, size)
  d = buffer.data
  return EpisodeCache(features=d.features[idx], action=d.action[idx], mask=d.mask[idx],
                      first_obs=d.obs[idx, 0], task=d.task[idx], valid=valid,
                      disc_feature_sum=buffer.extras[DISC_SUM][idx]
                      if DISC_SUM in buffer.extras else None)


def episodes_as_batch(episodes: replay.Episodes, extras=None) -> replay.EpisodeBatch:
  """One 'transition' per episode (its first step) carrying the whole
  episode: what insert-time relabeling hands to a strategy."""
  n = episodes.task.shape[0]
  zero = jnp.zeros((n,), jnp.int32)
  return replay.EpisodeBatch(
      obs=episodes.obs[:, 0], action=episodes.action[:, 0], next_obs=episodes.obs[:, 1],
      features=episodes.features[:, 0], terminal=episodes.terminal[:, 0],
      task=episodes.task, t=zero, episode=jnp.arange(n, dtype=jnp.int32),
      ep_features=episodes.features, ep_action=episodes.action, ep_mask=episodes.mask,
      first_obs=episodes.obs[:, 0], random_features=episodes.features[:, 0],
      extras=dict(extras or {}))


def returns_matrix(family: TaskFamily, gamma: float, features, action, mask,
                   candidates, disc_sum=None) -> jax.Array:
  """R[n, k]: discounted return of episode n under candidate task k, f32[N, K].

  Linear families with stored discounted feature sums: one [N, F] × [F, K]
  product. Otherwise the general path recomputes every step's reward under
  every candidate from the stored features.
  """
  chex.assert_rank([features, candidates], [3, 2])
  if family.is_linear:
    # r = w(z) · φ: the return is w(z) · Σ_t γ^t φ_t, whether the sums were
    # stored at insertion or are computed here.
    if disc_sum is None:
      disc_sum = core.discounted_feature_sums(features, mask, gamma)
    return disc_sum @ family.weights(candidates).T
  # Episodes in chunks, each chunk's [chunk, T, K] rewards reduced over T at
  # once: the candidates are the minor (vectorised) axis and a chunk of at
  # most ~128k rewards stays in cache (at paper sizes, N=500, T=1000, K=100,
  # one episode per chunk: measured 4x faster than chunks of candidates
  # over all episodes, which stream the whole [N, T] features per chunk).
  n, t = features.shape[:2]
  k = candidates.shape[0]
  chunk = max(1, min(n, _CHUNK_ELEMENTS // (t * k)))
  weight = mask * gamma ** jnp.arange(t, dtype=jnp.float32)  # [N, T]

  def per_episode(args):
    f, a, w = args                                            # [T, F], [T, A], [T]
    r = family.reward(f[:, None, :], a[:, None, :], candidates[None])   # [T, K]
    return jnp.sum(r * w[:, None], axis=0)

  return jax.lax.map(per_episode, (features, action, weight), batch_size=chunk)


def batch_returns(family, gamma, batch: replay.EpisodeBatch, candidates):
  return returns_matrix(family, gamma, batch.ep_features, batch.ep_action, batch.ep_mask,
                        candidates, batch.extras.get(DISC_SUM))


def cache_returns(family, gamma, cache: EpisodeCache, candidates):
  return returns_matrix(family, gamma, cache.features, cache.action, cache.mask,
                        candidates, cache.disc_feature_sum)


def candidate_tasks(key, family: TaskFamily, own_tasks, num_candidates: int):
  """K candidates: up to half of them the relabeled episodes' own tasks, the
  rest fresh prior samples."""
  n_own = min(own_tasks.shape[0], num_candidates // 2)
  prior = family.sample(key, num_candidates - n_own).astype(jnp.float32)
  return jnp.concatenate([own_tasks[:n_own], prior], axis=0)


def values_matrix(value_fn, first_obs, candidates):
  """V(s0_n, z_k), f32[N, K], in one batched call."""
  n, k = first_obs.shape[0], candidates.shape[0]
  obs = jnp.broadcast_to(first_obs[:, None, :], (n, k, first_obs.shape[-1]))
  task = jnp.broadcast_to(candidates[None, :, :], (n, k, candidates.shape[-1]))
  v = value_fn(obs.reshape(n * k, -1), task.reshape(n * k, -1))
  return v.reshape(n, k)


def pick_one(key, chosen_tasks):
  """One of the m chosen tasks per row, uniformly: [B, m, D] → [B, D]."""
  b, m = chosen_tasks.shape[:2]
  j = jax.random.randint(key, (b,), 0, m)
  return chosen_tasks[jnp.arange(b), j]


__all__ = ["DISC_SUM", "RELABELED", "EpisodeCache", "batch_returns", "cache_returns",
           "candidate_tasks", "episodes_as_batch", "pick_one", "recent_cache",
           "returns_matrix", "values_matrix", "core"]
