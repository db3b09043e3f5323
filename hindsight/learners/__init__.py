"""Learners: ``make(name)`` returns the learner module (``init``, ``update``,
``act``, ``relabel_fns``, ``Transition``): ``sac`` and ``bc`` (continuous
actions) and ``dqn`` (discrete actions: the module sets ``DISCRETE = True``)."""

from hindsight.learners import bc, dqn, sac
from hindsight.registry import Registry

REGISTRY = Registry("learner")
REGISTRY.register("sac", lambda: sac)
REGISTRY.register("bc", lambda: bc)
REGISTRY.register("dqn", lambda: dqn)


def make(name: str):
  return REGISTRY.make(name)


def names():
  return REGISTRY.names()


def is_discrete(name: str) -> bool:
  """Whether learner ``name`` acts on discrete-action families."""
  return bool(getattr(make(name), "DISCRETE", False))
