"""Reward families. ``make(name, **options)`` builds one; ``names()`` lists them.

Adding a family: write a frozen dataclass implementing ``base.TaskFamily`` in
its own file (a Brax family in ``brax/<robot>.py``, subclassing
``brax.BraxFamily``) and add its class to ``FAMILIES`` below. It is registered
under its ``name``, and its ``env_kind`` gives its environment in
``hindsight.envs``.
"""

from hindsight.registry import Registry
from hindsight.tasks.base import TaskFamily
from hindsight.tasks.bit_flip import BitFlip
from hindsight.tasks.brax import (AntDirection, AntGoal, HalfCheetahMultiObjective, ReacherGoal,
                                  ReacherMultiObjective, WalkerLinear)
from hindsight.tasks.point_goal import PointGoal
from hindsight.tasks.point_reacher import PointReacher
from hindsight.tasks.point_trajectory import PointTrajectory

FAMILIES = (PointReacher, PointTrajectory, PointGoal, HalfCheetahMultiObjective, AntDirection,
            AntGoal, WalkerLinear, ReacherGoal, ReacherMultiObjective, BitFlip)

REGISTRY = Registry("task family", "task families")
for _cls in FAMILIES:
  REGISTRY.register(_cls.name, _cls)


def make(name: str, **options) -> TaskFamily:
  return REGISTRY.make(name, **options)


def names():
  return REGISTRY.names()
