"""Episode buffer (ARCHITECTURE 3.3): pure functions over a pytree."""

from hindsight.replay.buffer import (BufferState, EpisodeBatch, Episodes,
                                     EpisodeSpec, add, empty_episodes, init,
                                     recent_indices, sample, sample_features)

__all__ = ["BufferState", "EpisodeBatch", "Episodes", "EpisodeSpec", "add",
           "empty_episodes", "init", "recent_indices", "sample", "sample_features"]
