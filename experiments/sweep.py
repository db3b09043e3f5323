"""Run a grid of training runs: configs × relabelers (× extra swept keys).

  python experiments/sweep.py --sweep_dir=runs/sweep1 \
      --configs=configs/point_reacher.py,configs/point_goal.py \
      --relabelers=none,random,her,air --num_seeds=4 --max_parallel=2 \
      --set=train.total_env_steps=24000 --set=learner.hidden_sizes="(64,64)" \
      --grid=relabel.fraction=0.5,1.0

Every grid point is one ``experiments/train.py`` process that trains all
``--num_seeds`` seeds together (vmapped), in ``<sweep_dir>/<run_name>/`` with
a run name derived from the grid point (``<config>-<relabeler>[-key=value…]``).
At most ``--max_parallel`` processes run at once. ``--set=key=value`` is
passed to every run as ``--config.key=value``; ``--grid=key=v1,v2`` sweeps a
key (commas inside brackets do not split: ``--grid=learner.hidden_sizes=(64,64),(256,256)``).

On a cluster, ``--launcher=ray --ray_address=HOST:PORT`` submits every grid
point as a task of an existing Ray cluster (``pip install -e '.[cluster]'``;
start one with ``ray start --head``) instead of a local process, reserving
``--ray_num_cpus``/``--ray_num_gpus`` each; ``--max_parallel`` still bounds
how many are in flight. The nodes must share this checkout, its Python
environment and the sweep directory at the same paths.

Before anything starts, each point's config is validated
(``hindsight.config.validate``): a relabeler that does not apply to a config
(``her`` on a non-goal family, …) is recorded as ``skipped`` with the reason;
any other invalid value stops the sweep with a message.

``<sweep_dir>/manifest.json`` (written atomically after every change) holds
the command, the grid and, per point, its run name, command line, status
(pending / running / done / failed / skipped), return code and log file
(``<sweep_dir>/logs/<run_name>.txt``, the process's output). Running the same
command again skips finished points (every seed has the final epoch in
``metrics.csv``) and restarts the others, which resume from their latest
checkpoint. The exit code is 1 if any point failed.
"""

from __future__ import annotations

import signal

from absl import app, flags

from hindsight.sweep import *  # noqa: F401,F403  (the sweep library; tests use it from here)
from hindsight.sweep import SweepError, sweep
from hindsight.sweep.errors import Interrupted as _Interrupted

_CONFIGS = flags.DEFINE_list(
    "configs", None, "Comma-separated config files (configs/*.py).", required=True)
_RELABELERS = flags.DEFINE_list(
    "relabelers", ["none"], "Comma-separated relabeler names (relabel.name).")
_NUM_SEEDS = flags.DEFINE_integer(
    "num_seeds", 1, "Seeds per grid point, trained together in one process.", lower_bound=1)
_SWEEP_DIR = flags.DEFINE_string(
    "sweep_dir", None, "Directory of the sweep: run directories, manifest.json, logs/.",
    required=True)
_MAX_PARALLEL = flags.DEFINE_integer(
    "max_parallel", 1, "Training processes running at the same time.", lower_bound=1)
_SET = flags.DEFINE_multi_string(
    "set", [], "key=value config override for every run (repeatable), e.g. "
    "--set=train.total_env_steps=3200.")
_GRID = flags.DEFINE_multi_string(
    "grid", [], "key=v1,v2,... an extra swept config key (repeatable).")
_LAUNCHER = flags.DEFINE_enum(
    "launcher", "local", ["local", "ray"],
    "Where runs execute: 'local' (subprocesses on this machine) or 'ray' (tasks on an "
    "existing Ray cluster; needs the 'cluster' extra and a file system shared by the nodes).")
_RAY_ADDRESS = flags.DEFINE_string(
    "ray_address", "", "HOST:PORT of the Ray cluster (--launcher=ray).")
_RAY_NUM_CPUS = flags.DEFINE_float(
    "ray_num_cpus", 1.0, "CPUs Ray reserves for each grid point (--launcher=ray).")
_RAY_NUM_GPUS = flags.DEFINE_float(
    "ray_num_gpus", 0.0, "GPUs Ray reserves for each grid point (--launcher=ray).")
_DRY_RUN = flags.DEFINE_bool(
    "dry_run", False, "Validate, write the manifest and print the commands; run nothing.")


def main(argv):
  if len(argv) > 1:
    raise app.UsageError(f"unexpected arguments: {' '.join(argv[1:])}")
  try:
    manifest = sweep(_CONFIGS.value, _RELABELERS.value, _NUM_SEEDS.value, _SWEEP_DIR.value,
                     _MAX_PARALLEL.value, _SET.value, _GRID.value, _LAUNCHER.value,
                     _DRY_RUN.value, ray_address=_RAY_ADDRESS.value,
                     ray_num_cpus=_RAY_NUM_CPUS.value, ray_num_gpus=_RAY_NUM_GPUS.value)
  except SweepError as e:
    raise app.UsageError(str(e)) from None
  except _Interrupted:
    return 128 + signal.SIGTERM
  except KeyboardInterrupt:
    return 130
  return 1 if any(p.status == "failed" for p in manifest.points) else 0


if __name__ == "__main__":
  # Brax's and MuJoCo's import-time lines (missing warp, …) stay off the
  # terminal, as for a training run (hindsight/io/console.py).
  from hindsight.io import console
  console.enable()
  console.import_libraries()
  app.run(main)
