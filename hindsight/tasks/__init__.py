"""Reward families. ``make(name, **options)`` builds one; ``names()`` lists them.

Adding a family: write a frozen dataclass implementing ``base.TaskFamily`` in
its own file and register it below (and its environment in
``hindsight/envs/__init__.py``).
"""

from hindsight.registry import Registry
from hindsight.tasks.base import TaskFamily
from hindsight.tasks.bit_flip import BitFlip
from hindsight.tasks.brax_families import (AntDirection, AntGoal, HalfCheetahMultiObjective,
                                           ReacherGoal, ReacherMultiObjective, WalkerLinear)
from hindsight.tasks.point_goal import PointGoal
from hindsight.tasks.point_reacher import PointReacher
from hindsight.tasks.point_trajectory import PointTrajectory

REGISTRY = Registry("task family", "task families")
REGISTRY.register("point_reacher", PointReacher)
REGISTRY.register("point_trajectory", PointTrajectory)
REGISTRY.register("point_goal", PointGoal)
REGISTRY.register("halfcheetah_multiobjective", HalfCheetahMultiObjective)
REGISTRY.register("ant_direction", AntDirection)
REGISTRY.register("ant_goal", AntGoal)
REGISTRY.register("walker_linear", WalkerLinear)
REGISTRY.register("reacher_goal", ReacherGoal)
REGISTRY.register("reacher_multiobjective", ReacherMultiObjective)
REGISTRY.register("bit_flip", BitFlip)


def make(name: str, **options) -> TaskFamily:
  return REGISTRY.make(name, **options)


def names():
  return REGISTRY.names()
