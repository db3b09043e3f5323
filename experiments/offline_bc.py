"""Relabel a fixed dataset with a trajectory-level strategy, fit BC, evaluate.

  python experiments/offline_bc.py --config=configs/point_goal_bc.py \
      --config.offline.dataset=data/point_goal_random.npz --config.relabel.name=her \
      --config.num_seeds=5

Writes <workdir>/<run_name>/ with config.json and metrics.csv (one row per seed).
"""

import os

import numpy as np
from absl import app
from ml_collections import config_flags

_CONFIG = config_flags.DEFINE_config_file("config", "configs/point_goal_bc.py",
                                          "Path to a configs/*.py file.", lock_config=True)


def _config():
  from hindsight.cli import config_value
  return config_value(_CONFIG.value)


def main(argv):
  del argv
  from hindsight import config as config_lib
  from hindsight.io import dataset, files
  from hindsight.training import offline
  c = _config()
  if not c.offline.dataset:
    raise app.UsageError("set --config.offline.dataset=<path.npz>")
  try:
    out = offline.run_offline(c, c.offline.dataset)
  except (config_lib.ConfigError, dataset.DatasetError, ValueError) as e:
    raise app.UsageError(str(e)) from None
  name = c.run_name or f"offline-{c.env.name}-{c.relabel.name}-s{c.seed}"
  run_dir = os.path.join(c.workdir, name)
  files.write_json(os.path.join(run_dir, "config.json"), c.to_dict())
  rows = []
  ret = np.asarray(out["eval"]["return"])
  for s in range(ret.shape[0]):
    row = {"seed": int(c.seed) + s, "bc_steps": int(c.offline.bc_steps),
           "eval_return_mean": float(ret[s].mean())}
    if "success" in out["eval"]:
      row["eval_success_mean"] = float(np.asarray(out["eval"]["success"][s]).mean())
    row.update({f"eval_return_task_{i:02d}": float(r) for i, r in enumerate(ret[s])})
    row.update({k: float(np.asarray(v)[s]) for k, v in out["metrics"].items()})
    rows.append(row)
  files.write_csv(os.path.join(run_dir, "metrics.csv"), rows)
  print(f"offline BC ({c.relabel.name}) on {c.offline.dataset}: eval return "
        f"{ret.mean():.3f} over {ret.shape[0]} seed(s); {run_dir}/metrics.csv")


if __name__ == "__main__":
  from hindsight.cli import run_main
  run_main(main)
