"""Run directories: atomic JSON/CSV writes and checkpoints."""

from hindsight.io import checkpoint, files

__all__ = ["checkpoint", "files"]
