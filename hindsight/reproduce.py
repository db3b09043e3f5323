"""Paper studies as sweeps, and the report: the library behind
``experiments/reproduce.py`` (which documents the command).

A study (``hindsight/studies``) is trained as one sweep into
``<out_dir>/<study>-<scale>/``: the grid points of every (config, relabeler
options) group joined, so ``--max_parallel`` cells run side by side;
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
  """The study's cells as one sweep in ``out``: every (config, relabeler
  options) group's grid points joined, so that ``max_parallel`` cells run side
  by side whatever their options. Returns the run names that failed."""
  from hindsight import sweep as sweep_lib
  points, groups = [], []
  for (family, config, options), relabelers in cell_groups(study, families).items():
    sets = list(study.budgets[family]) + list(extra_sets)
    config = os.path.relpath(os.path.join(ROOT, config))  # from any working directory
    # A relabeler option is a one-value grid key: it names the run.
    pts, described = sweep_lib.grid_points([config], relabelers, num_seeds, out, sets,
                                           list(options))
    points += pts
    groups.append(described)
  manifest = sweep_lib.run_sweep(points, out, {"study": study.name, "scale": study.scale,
                                               "groups": groups},
                                 max_parallel, dry_run=dry_run, argv=argv)
  names = {p.run_name for p in points}
  return [p.run_name for p in manifest.points if p.status == "failed" and p.run_name in names]


class ReportError(ValueError):
  """Nothing to report from: the existing report is kept."""


def report(out_dir: str, scale: str, path: str, fig_dir: str) -> str:
  from hindsight import studies
  from hindsight import analysis
  from hindsight import report as report_lib
  rel = os.path.dirname(os.path.abspath(path))
  dirs = [study_dir(out_dir, name, scale) for name in studies.STUDIES]
  if not any(os.path.isdir(d) and analysis.load_sweep(d) for d in dirs):
    # A mistyped --out_dir must not replace a report that has results with
    # one that says 'not run yet' everywhere.
    raise ReportError(f"no runs in {' or '.join(dirs)}; {path} is left as it is (check "
                      "--out_dir and --scale)")
  sections, by_study = [], []
  for name in studies.STUDIES:
    study = studies.get_config(name, scale)
    cmd = f"python experiments/reproduce.py --study={name} --scale={scale}"
    text, results = report_lib.study_section(study, study_dir(out_dir, name, scale),
                                             fig_dir, rel, cmd)
    sections.append(text)
    by_study.append((study, results))
  command = f"python experiments/reproduce.py --report_only --scale={scale}"
  summary = report_lib.summary_section(by_study)
  # The first generation of runs (before the fidelity fixes), judged as then.
  pairs = []
  for study, results in by_study:
    v1_dir = study_dir(out_dir, study.name, scale) + "-v1"
    old = report_lib.v1_cells(study, v1_dir)
    if old:
      n_boot, alpha = int(study.n_boot), float(study.alpha)
      # Judged by the rules of their time: the random-policy guard only
      # where those runs already had it.
      guards = ({f: report_lib.family_guard(study, f, old, study.metric, n_boot, alpha)
                 for f in study.families} if study.get("v1_guarded") else None)
      pairs.append((study, [report_lib.check_claim(c, old, study.metric, n_boot, alpha,
                                                   guards) for c in study.claims],
                    results))
  if pairs:
    kept = sorted({s.v1_report for s, _, _ in pairs if s.get("v1_report")})
    summary += ("\nEarlier runs, made before the setups followed the papers' released code, "
                "are compared claim by claim in the appendix"
                + (f"; their own reports are kept as {', '.join(f'`{k}`' for k in kept)}"
                   if kept else "") + ".\n")
    sections.append(report_lib.appendix_section(pairs, float(by_study[0][0].alpha)))
  report_lib.write_report(path, sections, command, summary)
  return path
