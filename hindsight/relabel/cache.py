"""The cache of recent episodes that AIR ranks an episode against
(Generalized Hindsight kept the 500 most recent paths apart from its buffer:
rlkit/torch/multitask/rewards.py, approx_irl_relabeling)."""

from __future__ import annotations

from typing import Optional

import jax
from flax import struct

from hindsight import replay
from hindsight.relabel.returns import DISC_SUM


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
