"""Episode buffer (ARCHITECTURE 3.3): pure functions over a pytree."""

from hindsight.replay.buffer import (BufferState, EpisodeBatch, Episodes,
                                     EpisodeSpec, add, empty_episodes, init,
                                     recent_indices, sample, sample_features,
                                     transition_table)
from hindsight.replay import prioritized  # proportional prioritized replay (Schaul et al. 2016)

__all__ = ["BufferState", "EpisodeBatch", "Episodes", "EpisodeSpec", "add",
           "empty_episodes", "init", "prioritized", "recent_indices", "sample",
           "sample_features", "transition_table"]
