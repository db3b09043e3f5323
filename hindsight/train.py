"""Train one config (all of its seeds in one process): the entry point that
``experiments/train.py`` and every sweep run use.

  python -m hindsight.train --config=configs/point_reacher.py \
      --config.relabel.name=random --config.seed=1 --config.num_seeds=4
"""

from absl import app
from ml_collections import config_flags

_CONFIG = config_flags.DEFINE_config_file(
    "config", "configs/point_reacher.py", "Path to a configs/*.py file.",
    lock_config=True)


def _config():
  from hindsight.cli import config_value
  return config_value(_CONFIG.value)


def main(argv):
  del argv
  from hindsight import config as config_lib
  from hindsight.training import run
  try:
    out = run(_config())
  except config_lib.ConfigError as e:
    raise app.UsageError(str(e)) from None
  rows = out["final_rows"]
  if rows:
    mean = sum(r["eval_return_mean"] for r in rows) / len(rows)
    print(f"final mean eval return over {len(rows)} seed(s): {mean:.3f}  "
          f"({out['run_dir']}/metrics.csv)")


def entry():
  from hindsight.cli import run_main
  run_main(main)


if __name__ == "__main__":
  entry()
