"""Online HIPI-BC on the multi-objective PointReacher (see point_goal_bc.py)."""

from hindsight import schema


def get_config():
  c = schema.get_config()
  c.learner.name = "bc"
  c.learner.actor_lr = 1e-3
  c.relabel.name = "hipi"
  c.relabel.fraction = 1.0
  c.relabel.hipi.level = "trajectory"
  c.relabel.air.tie_break = "return"
  c.train.updates_per_env_step = 0.25  # 40 BC steps per 8 × 20-step iteration
  return c
