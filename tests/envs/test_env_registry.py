"""Environments are derived from the family's ``env_kind``: no line per family."""

import dataclasses

import pytest

from hindsight import envs, tasks
from hindsight.envs import BraxTaskEnv, PointEnv
from hindsight.tasks.point_goal import PointGoal


def test_every_family_has_a_known_environment_kind():
  assert envs.names() == tasks.names()
  for name in tasks.names():
    kind = tasks.REGISTRY.get(name).env_kind
    envs.KINDS.check(kind)
    assert envs.REGISTRY.get(name) is envs.KINDS.get(kind)
  assert envs.REGISTRY.get("ant_goal") is BraxTaskEnv


def test_a_new_family_gets_its_environment_from_its_kind(monkeypatch):
  @dataclasses.dataclass(frozen=True)
  class FarGoal(PointGoal):
    radius_low: float = 0.5
    radius_high: float = 0.9
    name = "far_goal"

  monkeypatch.setitem(tasks.REGISTRY._entries, FarGoal.name, FarGoal)  # pylint: disable=protected-access
  assert "far_goal" in envs.names()
  family, env = envs.family_and_env("far_goal", epsilon=0.2)
  assert isinstance(env, PointEnv) and env.control == "velocity"
  assert isinstance(family, FarGoal) and env.family is family and family.epsilon == 0.2


def test_families_without_an_environment():
  from hindsight.tasks.linear import RandomLinear
  with pytest.raises(ValueError, match="random_linear.*has no environment"):
    envs.for_family(RandomLinear())
  with pytest.raises(ValueError, match="unknown environment 'nope'; known environments: "
                                       "ant_direction"):
    envs.make("nope")
