"""Online HIPI-BC on PointGoal: collect with the current policy, relabel whole
episodes with the trajectory-level inverse-RL posterior, fit by maximum
likelihood (Eysenbach et al. 2020, Alg. 2). Switch the strategy with
--config.relabel.name=none|her|random|air (air: tie_break='return')."""

from pathlib import Path

from hindsight import schema


def get_config():
  c = schema.load(Path(__file__).with_name("point_goal.py"))
  c.learner.name = "bc"
  c.learner.actor_lr = 1e-3
  c.relabel.name = "hipi"
  c.relabel.fraction = 1.0          # HIPI-BC imitates relabeled data only
  c.relabel.hipi.level = "trajectory"
  c.relabel.her.strategy = "final"
  c.relabel.air.tie_break = "return"
  c.train.updates_per_env_step = 0.25  # 40 BC steps per 8 × 20-step iteration
  return c
