"""Environments for the task families. ``make(name, **options)`` builds the
family's environment; ``family_and_env(name, **options)`` returns both.

Every environment follows Brax's ``Env`` API, keeps the task in
``state.info["task"]`` and the last step's reward features in
``state.info["features"]``, and offers ``reset_with_task(rng, task)`` besides
``reset(rng)`` (which draws a task from the prior). Collection resets each
environment at every episode start, so every episode gets a fresh task.
"""

from hindsight import tasks
from hindsight.envs.bit_flip import BitFlipEnv
from hindsight.envs.brax_env import BraxTaskEnv
from hindsight.envs.point import PointEnv
from hindsight.registry import Registry

REGISTRY = Registry("environment")
REGISTRY.register("point_reacher", lambda family: PointEnv(family, "velocity"))
REGISTRY.register("point_goal", lambda family: PointEnv(family, "velocity"))
REGISTRY.register("point_trajectory", lambda family: PointEnv(family, "position"))
REGISTRY.register("bit_flip", BitFlipEnv)
for _name in ("halfcheetah_multiobjective", "ant_direction", "ant_goal", "walker_linear",
              "reacher_goal", "reacher_multiobjective"):
  REGISTRY.register(_name, BraxTaskEnv)


def family_and_env(name: str, **options):
  REGISTRY.check(name)
  family = tasks.make(name, **options)
  return family, REGISTRY.get(name)(family)


def make(name: str, **options):
  return family_and_env(name, **options)[1]


def names():
  return REGISTRY.names()
