"""The family registry (each family registered under its own ``name``) and the
planar-goal mixin shared by every planar goal family."""

import math

import jax.numpy as jnp
import numpy as np
import pytest

from hindsight import tasks
from hindsight.tasks import brax as brax_families
from hindsight.tasks.goal import PlanarGoalFamily

PLANAR_GOAL = {"point_goal": "epsilon", "ant_goal": "radius", "reacher_goal": "margin"}


def test_every_family_is_registered_under_its_name():
  assert tasks.names() == sorted(cls.name for cls in tasks.FAMILIES)
  for cls in tasks.FAMILIES:
    assert tasks.REGISTRY.get(cls.name) is cls


def test_brax_families_are_the_brax_package_and_run_on_brax():
  brax_names = {cls.name for cls in tasks.FAMILIES if issubclass(cls, brax_families.BraxFamily)}
  assert brax_names == {"halfcheetah_multiobjective", "ant_direction", "ant_goal",
                        "walker_linear", "reacher_goal", "reacher_multiobjective"}
  for cls in tasks.FAMILIES:
    assert (cls.env_kind == "brax") == issubclass(cls, brax_families.BraxFamily), cls.name


def test_planar_goal_families_are_the_goal_families():
  # every continuous goal family is planar; bit_flip's goals are bit strings
  goal_names = {n for n in tasks.names()
                if tasks.make(n).is_goal_family and not tasks.make(n).num_actions}
  assert goal_names == set(PLANAR_GOAL)
  for n in goal_names:
    assert isinstance(tasks.make(n), PlanarGoalFamily)


@pytest.mark.parametrize("name", sorted(PLANAR_GOAL))
def test_planar_goal_methods_by_hand(name):
  option = PLANAR_GOAL[name]
  fam = tasks.make(name)
  # Features start with the achieved xy; (0.3, 0.4) is 0.5 from the origin.
  feats = jnp.zeros((2, fam.feature_dim)).at[:, :2].set(jnp.asarray([[0.3, 0.4], [0.0, 0.1]]))
  np.testing.assert_array_equal(fam.achieved_goal(feats), np.float32([[0.3, 0.4], [0.0, 0.1]]))
  origin = jnp.zeros(2)
  np.testing.assert_allclose(fam.distance_to_goal(feats, origin), [0.5, 0.1], rtol=1e-6)
  # success is being within the family's radius option.
  for radius, want in ((0.45, [False, True]), (0.55, [True, True]), (0.05, [False, False])):
    f = tasks.make(name, **{option: radius})
    assert f.success_radius == radius
    np.testing.assert_array_equal(f.success(feats, origin), want)
  # with_goal replaces the whole task by the goal, broadcast to both shapes.
  task = jnp.asarray([[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]])
  np.testing.assert_array_equal(fam.with_goal(task, jnp.asarray([0.7, -0.1])),
                                np.float32([[0.7, -0.1]] * 3))
  relabeled = fam.with_goal(task[:2], fam.achieved_goal(feats))
  np.testing.assert_array_equal(fam.success(feats, relabeled), [True, True])
  assert math.isclose(float(fam.distance_to_goal(feats[0], relabeled[0])), 0.0)
