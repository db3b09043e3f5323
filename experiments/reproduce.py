"""Rerun a paper's comparison as sweeps and regenerate REPRODUCTION.md.

  python experiments/reproduce.py --study=generalized_hindsight
  python experiments/reproduce.py --study=hipi --families=point_goal,point_goal_bc
  python experiments/reproduce.py --study=her_bit_flip        # HER's bit flipping, n = 5 … 50
  python experiments/reproduce.py --report_only        # tables/figures from what has run
  python experiments/reproduce.py --study=hipi --scale=paper   # on an accelerator

The studies (cells, budgets, claims) are ``hindsight/studies``. Each study
trains into ``<out_dir>/<study>-<scale>/`` through ``hindsight.sweep`` (one
process per cell, its seeds vmapped): running the same command again skips
finished cells and resumes unfinished ones from their checkpoints. After
training (or with ``--report_only``) ``--report`` is rewritten from every
study directory found, with figures in ``--fig_dir``.
"""

from __future__ import annotations

import os
import signal
import sys

from absl import app, flags

_STUDY = flags.DEFINE_enum(
    "study", None, ["generalized_hindsight", "hipi", "her_bit_flip"], "The study to train.")
_SCALE = flags.DEFINE_enum(
    "scale", "cpu", ["cpu", "paper"], "Budget: 'cpu' (hours on 2 cores) or 'paper' "
    "(the papers' network sizes and budgets, for an accelerator).")
_FAMILIES = flags.DEFINE_list(
    "families", [], "Train only these families of the study (default: all).")
_OUT_DIR = flags.DEFINE_string(
    "out_dir", "results/reproduction", "Parent of the study directories.")
_NUM_SEEDS = flags.DEFINE_integer(
    "num_seeds", None, "Seeds per cell (default: the study's, 5).", lower_bound=1)
_MAX_PARALLEL = flags.DEFINE_integer(
    "max_parallel", 1, "Training processes at the same time.", lower_bound=1)
_SET = flags.DEFINE_multi_string(
    "set", [], "Extra key=value override for every run (repeatable); it changes "
    "the study's budget, so say so when reporting.")
_REPORT = flags.DEFINE_string("report", "REPRODUCTION.md", "The report to (re)write.")
_FIG_DIR = flags.DEFINE_string(
    "fig_dir", "results/reproduction/figures", "Where the learning-curve PNGs go.")
_REPORT_ONLY = flags.DEFINE_bool(
    "report_only", False, "Train nothing; regenerate the report from the run directories.")
_DRY_RUN = flags.DEFINE_bool(
    "dry_run", False, "Validate every cell, write the manifests, print the commands.")


def main(argv):
  if len(argv) > 1:
    raise app.UsageError(f"unexpected arguments: {' '.join(argv[1:])}")
  from hindsight import studies
  from hindsight.reproduce import report, study_dir, train
  from hindsight.sweep import SweepError
  from hindsight.sweep.errors import Interrupted as _Interrupted
  out_dir = os.path.abspath(_OUT_DIR.value)
  failed = []
  if not _REPORT_ONLY.value:
    if _STUDY.value is None:
      raise app.UsageError("give --study (generalized_hindsight, hipi or her_bit_flip), "
                           "or --report_only")
    study = studies.get_config(_STUDY.value, _SCALE.value)
    seeds = _NUM_SEEDS.value or int(study.num_seeds)
    out = study_dir(out_dir, _STUDY.value, _SCALE.value)
    try:
      failed = train(study, out, _FAMILIES.value, seeds, _MAX_PARALLEL.value, _SET.value,
                     _DRY_RUN.value, sys.argv)
    except SweepError as e:
      raise app.UsageError(str(e)) from None
    except _Interrupted:
      return 128 + signal.SIGTERM
    except KeyboardInterrupt:
      return 130
    if _DRY_RUN.value:
      return 0
  from hindsight.reproduce import ReportError
  try:
    path = report(out_dir, _SCALE.value, _REPORT.value, os.path.abspath(_FIG_DIR.value))
  except ReportError as e:
    raise app.UsageError(str(e)) from None
  print(f"[reproduce] wrote {path}" + (f"; failed cells: {', '.join(failed)}" if failed else ""),
        flush=True)
  return 1 if failed else 0


if __name__ == "__main__":
  # Brax's and MuJoCo's import-time lines (missing warp, …) stay off the
  # terminal, as for a training run (hindsight/io/console.py).
  from hindsight.io import console
  console.enable()
  console.import_libraries()
  app.run(main)
