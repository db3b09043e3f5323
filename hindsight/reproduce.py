"""Paper studies as sweeps, and the report: the library behind
``experiments/reproduce.py`` (which documents the command).

A study (``configs/studies.py``) is trained as one ``hindsight.sweep.sweep``
per (config, relabeler options) group into ``<out_dir>/<study>-<scale>/``;
``report`` rewrites REPRODUCTION.md from every study directory found.
"""

from __future__ import annotations

import os

# The checkout (configs/ files are named relative to it).
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
