"""Learners: ``make(name)`` returns the learner module (``init``, ``update``,
``act``, ``relabel_fns``)."""

from hindsight.learners import sac
from hindsight.registry import Registry

REGISTRY = Registry("learner")
REGISTRY.register("sac", lambda: sac)


def make(name: str):
  return REGISTRY.make(name)


def names():
  return REGISTRY.names()
