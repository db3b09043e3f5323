"""Study cells as validated configs, for the benchmarks (``hindsight/studies``).

A cell is a family config file with the study's budget at a scale and the
cell's relabeler options applied, trained with ``num_seeds`` seeds vmapped, as
``experiments/reproduce.py`` runs it. Only the library's config validation is
used (no sweep machinery), so a benchmark builds exactly what a study run
trains, minus the run directory.
"""

from __future__ import annotations


from typing import Iterable, List, Optional

from hindsight import overrides, schema, studies
from hindsight import config as config_lib

GH_FAMILIES = ("point_trajectory", "point_reacher", "halfcheetah_multiobjective",
               "ant_direction")
HIPI_FAMILIES = ("point_goal", "reacher_goal", "ant_goal", "walker_linear")
FAMILIES = GH_FAMILIES + HIPI_FAMILIES
BRAX_FAMILIES = ("halfcheetah_multiobjective", "ant_direction", "reacher_goal", "ant_goal",
                 "walker_linear")


def set_key(c, key: str, raw: str) -> None:
  """``c.<key> = raw`` parsed as the command line parses it (hindsight.overrides)."""
  overrides.set_key(c, key, raw)


def study_cells(family: str, scale: str = "cpu"):
  """[(label, relabeler, [options])] of ``family``'s cells in either study."""
  out = []
  for name in studies.STUDIES:
    study = studies.get_config(name, scale)
    for cell in study.cells:
      if cell.family == family:
        out.append((cell.label, cell.relabeler, list(cell.options)))
  return out


def cell_config(family: str, label: str, scale: str = "cpu", num_seeds: int = 5,
                sets: Iterable[str] = (), iterations: Optional[int] = None):
  """The validated config of ``family``'s cell ``label`` at ``scale``
  (``sets``: extra ``key=value`` overrides; ``iterations``: a reduced
  ``train.iterations_per_epoch``)."""
  cells = {lab: (rel, opts) for lab, rel, opts in study_cells(family, scale)}
  if label not in cells:
    raise ValueError(f"{family} has no study cell {label!r}; its cells: {', '.join(cells)}")
  relabeler, options = cells[label]
  c = schema.load(f"configs/{family}.py")
  c.relabel.name = relabeler
  budget = [f"{k}={v}" for k, v in studies.BUDGETS[family][scale].items()]
  for item in [*budget, *options, *sets]:
    k, v = item.split("=", 1)
    set_key(c, k, v)
  c.num_seeds = num_seeds
  if iterations is not None:
    c.train.iterations_per_epoch = min(int(iterations), int(c.train.iterations_per_epoch))
  return config_lib.validate(c)


def describe(c) -> str:
  hs = "×".join(str(h) for h in c.learner.hidden_sizes)
  return (f"{c.num_seeds} seeds, {hs}, batch {c.train.batch_size}, "
          f"{c.train.num_envs} envs, {c.train.updates_per_env_step:g} updates/env step")


def parse_list(text: str) -> List[str]:
  return [s for s in text.split(",") if s]
