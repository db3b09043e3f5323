"""Learners: ``make(name)`` returns the learner module (``init``, ``update``,
``act``, ``relabel_fns``, ``Transition``): ``sac`` and ``bc``."""

from hindsight.learners import bc, sac
from hindsight.registry import Registry

REGISTRY = Registry("learner")
REGISTRY.register("sac", lambda: sac)
REGISTRY.register("bc", lambda: bc)


def make(name: str):
  return REGISTRY.make(name)


def names():
  return REGISTRY.names()
