"""Multi-objective PointReacher with SAC (Generalized Hindsight, App. A).

Budget: 48k env steps (2,400 episodes of H = 20) at one update per env step;
a few minutes per seed on 2 CPU cores.
"""

from configs import base


def get_config():
  return base.get_config()  # base's defaults are this family's
