"""Environments for the task families. ``make(name, **options)`` builds the
family's environment; ``family_and_env(name, **options)`` returns both.

Every environment follows Brax's ``Env`` API, keeps the task in
``state.info["task"]`` and the last step's reward features in
``state.info["features"]``, and offers ``reset_with_task(rng, task)`` besides
``reset(rng)`` (which draws a task from the prior). Collection resets each
environment at every episode start, so every episode gets a fresh task.

Nothing is registered here per family: a family's class says which kind of
environment runs it (``TaskFamily.env_kind``, one of ``KINDS``), so every
registered family with an ``env_kind`` has its environment under its name.
"""

from hindsight import tasks
from hindsight.envs.bit_flip import BitFlipEnv
from hindsight.envs.brax_env import BraxTaskEnv
from hindsight.envs.point import PointEnv
from hindsight.registry import Registry

# Environment builders, (family) -> Env, by the family's ``env_kind``.
KINDS = Registry("environment kind")
KINDS.register("point_velocity", lambda family: PointEnv(family, "velocity"))
KINDS.register("point_position", lambda family: PointEnv(family, "position"))
KINDS.register("brax", BraxTaskEnv)
KINDS.register("bit_flip", BitFlipEnv)


class FamilyEnvironments:
  """The environments by family name (``Registry``'s ``names``, ``check`` and
  ``get``), derived from the task registry and each family's ``env_kind``."""

  kind, plural = "environment", "environments"

  def names(self):
    return [n for n in tasks.names() if tasks.REGISTRY.get(n).env_kind is not None]

  def check(self, name: str) -> None:
    if name not in self.names():
      raise ValueError(f"unknown {self.kind} {name!r}; known {self.plural}: "
                       + ", ".join(self.names()))

  def get(self, name: str):
    """The builder (family) -> Env of the family registered as ``name``."""
    self.check(name)
    return KINDS.get(tasks.REGISTRY.get(name).env_kind)


REGISTRY = FamilyEnvironments()


def for_family(family):
  """The environment that runs ``family`` (per its ``env_kind``)."""
  if family.env_kind is None:
    raise ValueError(f"task family {family.name!r} has no environment (its env_kind is None)")
  return KINDS.get(family.env_kind)(family)


def family_and_env(name: str, **options):
  REGISTRY.check(name)
  family = tasks.make(name, **options)
  return family, for_family(family)


def make(name: str, **options):
  return family_and_env(name, **options)[1]


def names():
  return REGISTRY.names()
