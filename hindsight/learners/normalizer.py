"""Running mean and standard deviation of observations, as Brax's trainers
keep them (``brax/training/acme/running_statistics.py``: ``init_state``,
``update``, ``normalize``), pure functions over a ``RunningStats`` pytree.

``update`` folds a batch into the statistics with Welford's parallel update
(Chan et al.): count ← count + n, mean ← mean + Σ(x − mean) / count,
summed_variance ← summed_variance + Σ (x − mean_old)(x − mean_new); then
std = clip(√(summed_variance / count), STD_MIN, STD_MAX). ``normalize`` is
(x − mean) / std. Before any update the statistics are mean 0, std 1, so the
first observations pass unchanged. Masked-out rows (padding after an
episode's end) do not count.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from flax import struct

# brax/training/acme/running_statistics.py update(): std_min_value,
# std_max_value.
STD_MIN = 1e-6
STD_MAX = 1e6


@struct.dataclass
class RunningStats:
  count: jax.Array            # f32[]  observations folded in
  mean: jax.Array             # f32[O]
  summed_variance: jax.Array  # f32[O] Σ (x − mean)² so far
  std: jax.Array              # f32[O]


def init(size: int) -> RunningStats:
  return RunningStats(count=jnp.zeros((), jnp.float32), mean=jnp.zeros((size,), jnp.float32),
                      summed_variance=jnp.zeros((size,), jnp.float32),
                      std=jnp.ones((size,), jnp.float32))


def update(stats: RunningStats, x: jax.Array, mask: jax.Array | None = None
           ) -> RunningStats:
  """``stats`` with the rows of ``x`` f32[..., O] folded in (``mask``
  f32[...]: 1 for rows that count, 0 for padding; all rows without)."""
  x = x.reshape(-1, stats.mean.shape[0]).astype(jnp.float32)
  m = (jnp.ones(x.shape[:1], jnp.float32) if mask is None
       else mask.reshape(-1).astype(jnp.float32))
  n = jnp.sum(m)
  count = stats.count + n
  safe = jnp.maximum(count, 1.0)
  diff = (x - stats.mean) * m[:, None]
  mean = stats.mean + jnp.sum(diff, axis=0) / safe
  summed_variance = stats.summed_variance + jnp.sum(diff * (x - mean) * m[:, None], axis=0)
  std = jnp.where(count > 0, jnp.clip(jnp.sqrt(jnp.maximum(summed_variance, 0.0) / safe),
                                      STD_MIN, STD_MAX), stats.std)
  return RunningStats(count=count, mean=mean, summed_variance=summed_variance, std=std)


def normalize(stats: RunningStats | None, x: jax.Array) -> jax.Array:
  """(x − mean) / std over the last axis; ``x`` itself when ``stats`` is None
  (normalisation off)."""
  if stats is None:
    return x
  return (x - stats.mean) / stats.std
