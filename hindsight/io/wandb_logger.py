"""Weights & Biases logging of a run (``train.wandb=True``; the 'wandb' extra).

One wandb run per seed of the (vmapped) run, grouped under the run's name, so
wandb's group view shows the seeds together. Each gets the whole config (plus
its own ``seed`` and ``seed_index``) and, at every evaluation, that seed's
``metrics.csv`` row under the same names (``eval_return_mean``,
``eval_return_task_00``, ``relabel/changed``, …), plotted against
``env_steps``. The wandb run ids are kept in ``<run>/wandb_ids.json``, so a
resumed run continues the same wandb runs (rows recomputed after the
checkpoint are logged again). ``train.wandb_mode=offline`` writes the runs
under ``<run>/wandb/`` without a network (``wandb sync`` uploads them later).
"""

from __future__ import annotations

import os
import uuid
from typing import Any, Dict, List, Sequence

from hindsight import extras
from hindsight.io import console, files

IDS = "wandb_ids.json"


class WandbLogger:
  def __init__(self, config: Dict[str, Any], run_dir: str, run_name: str,
               seeds: Sequence[int], project: str, entity: str = "", mode: str = "online"):
    wandb = extras.require("wandb", "wandb", "config.train.wandb=True")
    ids_path = os.path.join(run_dir, IDS)
    ids = files.read_json(ids_path) if os.path.exists(ids_path) else {}
    for s in seeds:
      ids.setdefault(str(s), f"{run_name}-s{s}-{uuid.uuid4().hex[:8]}"[-128:])
    files.write_json(ids_path, ids)
    self.runs = []
    with console.captured("wandb"):
      for i, s in enumerate(seeds):
        run = wandb.init(
            project=project, entity=entity or None, group=run_name,
            name=f"{run_name}/seed_{s}", id=ids[str(s)], resume="allow",
            config=dict(config, seed=int(s), seed_index=i), dir=run_dir, mode=mode,
            job_type="train", reinit="create_new",
            settings=wandb.Settings(silent=True, console="off"))
        run.define_metric("*", step_metric="env_steps")
        self.runs.append(run)
    self.seeds = [int(s) for s in seeds]

  def log(self, epoch_rows: List[Dict[str, Any]]) -> None:
    """One evaluation's metrics.csv rows (one per seed), each to its seed's run."""
    by_seed = {int(r["seed"]): r for r in epoch_rows}
    for s, run in zip(self.seeds, self.runs):
      row = by_seed[s]
      run.log({k: v for k, v in row.items() if k != "seed"})

  def close(self, exit_code: int = 0) -> None:
    with console.captured("wandb"):
      for run in self.runs:
        run.finish(exit_code=exit_code)
    self.runs = []
