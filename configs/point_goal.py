"""PointGoal (goal reaching, sparse −1/0 reward) with SAC; the HER setting."""

from ml_collections import ConfigDict

from configs import base


def get_config():
  c = base.get_config()
  c.env.name = "point_goal"
  c.env.options = ConfigDict(dict(
      epsilon=0.05,        # success radius
      radius_low=0.15,     # goal radius ~ U(radius_low, radius_high)
      radius_high=0.3,
      horizon=20,
      eval_seed=0,
      num_eval_tasks=25,
  ))
  return c
