"""Rerun a paper's comparison as sweeps and regenerate REPRODUCTION.md.

  python experiments/reproduce.py --study=generalized_hindsight
  python experiments/reproduce.py --study=hipi --families=point_goal,point_goal_bc
  python experiments/reproduce.py --report_only        # tables/figures from what has run
  python experiments/reproduce.py --study=hipi --scale=paper   # on an accelerator

The studies (cells, budgets, claims) are ``configs/studies.py``. Each study
trains into ``<out_dir>/<study>-<scale>/`` through ``hindsight.sweep`` (one
process per cell, its seeds vmapped): running the same command again skips
finished cells and resumes unfinished ones from their checkpoints. After
training (or with ``--report_only``) ``--report`` is rewritten from every
study directory found, with figures in ``--fig_dir``.
"""

from __future__ import annotations

import os
import shlex
import signal
import sys

from absl import app, flags

_STUDY = flags.DEFINE_enum(
    "study", None, ["generalized_hindsight", "hipi"], "The study to train.")
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


ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def study_dir(out_dir: str, study: str, scale: str) -> str:
  return os.path.join(out_dir, f"{study}-{scale}")


def cell_groups(study, families=()):
  """Cells grouped into sweeps: ``{(config, options): [relabelers]}`` in study
  order (one sweep call trains one config's relabelers)."""
  known = list(study.families)
  unknown = [f for f in families if f not in known]
  if unknown:
    from hindsight.sweep import SweepError
    raise SweepError(f"--families: {', '.join(unknown)} not in study {study.name!r}; "
                     f"its families: {', '.join(known)}")
  groups = {}
  for c in study.cells:
    if families and c.family not in families:
      continue
    groups.setdefault((c.family, c.config, tuple(c.options)), []).append(c.relabeler)
  return groups


def train(study, out: str, families, num_seeds, max_parallel, extra_sets, dry_run, argv):
  """One ``hindsight.sweep.sweep`` per (config, relabeler options) group."""
  from hindsight import sweep as sweep_lib
  failed = []
  for (family, config, options), relabelers in cell_groups(study, families).items():
    sets = list(study.budgets[family]) + list(extra_sets)
    config = os.path.relpath(os.path.join(ROOT, config))  # from any working directory
    # A relabeler option is a one-value grid key: it names the run.
    manifest = sweep_lib.sweep([config], relabelers, num_seeds, out, max_parallel,
                               sets=sets, grid=list(options), dry_run=dry_run, argv=argv)
    failed += [p.run_name for p in manifest.points
               if p.status == "failed" and p.config == config]
  return failed


def report(out_dir: str, scale: str, path: str, fig_dir: str) -> str:
  from configs import studies
  from hindsight import report as report_lib
  rel = os.path.dirname(os.path.abspath(path))
  sections = []
  for name in studies.STUDIES:
    study = studies.get_config(name, scale)
    cmd = f"python experiments/reproduce.py --study={name} --scale={scale}"
    sections.append(report_lib.study_section(study, study_dir(out_dir, name, scale),
                                             fig_dir, rel, cmd))
  command = f"python experiments/reproduce.py --report_only --scale={scale}"
  report_lib.write_report(path, sections, command)
  return path


def main(argv):
  if len(argv) > 1:
    raise app.UsageError(f"unexpected arguments: {' '.join(argv[1:])}")
  from configs import studies
  from hindsight.sweep import SweepError, _Interrupted
  out_dir = os.path.abspath(_OUT_DIR.value)
  failed = []
  if not _REPORT_ONLY.value:
    if _STUDY.value is None:
      raise app.UsageError("give --study (generalized_hindsight or hipi), or --report_only")
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
  path = report(out_dir, _SCALE.value, _REPORT.value, os.path.abspath(_FIG_DIR.value))
  print(f"[reproduce] wrote {path}" + (f"; failed cells: {', '.join(failed)}" if failed else ""),
        flush=True)
  return 1 if failed else 0


if __name__ == "__main__":
  app.run(main)
