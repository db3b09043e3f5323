"""The jitted train step and epoch (``Trainer``) and the host loop (``run``)."""

from hindsight.training.run import run
from hindsight.training.trainer import RunState, Trainer

__all__ = ["RunState", "Trainer", "run"]
