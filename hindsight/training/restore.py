"""A run directory's trainer and latest run state, for tools that read runs
(experiments/render.py, experiments/make_dataset.py).

``load_run(run_dir)`` rebuilds the run's ``Trainer`` from its ``config.json``
(keys added to the schema since the run started take their defaults, as on
resume) and restores the newest checkpoint that loads; every problem a user
can hit is a one-line ``ConfigError`` or ``CheckpointError``.
"""

from __future__ import annotations

import os
from typing import Any, Tuple

import jax
from ml_collections import ConfigDict

from hindsight import config as config_lib
from hindsight.io import checkpoint, files


def run_config(run_dir: str) -> ConfigDict:
  """The run's config (``config.json`` with the schema's defaults filled in)."""
  from hindsight.training.run import with_schema_defaults
  path = os.path.join(run_dir, "config.json")
  if not os.path.exists(path):
    raise config_lib.ConfigError(f"{run_dir} is not a run directory (no config.json)")
  try:
    stored = files.read_json(path)
  except ValueError as e:
    raise config_lib.ConfigError(f"{path} is not readable JSON ({e})") from None
  if isinstance(stored, dict) and "gamma" in (stored.get("learner") or {}):
    stored = dict(stored, learner=dict(stored["learner"]))   # a run from before γ moved
    stored.setdefault("gamma", stored["learner"].pop("gamma"))
  cfg = ConfigDict(with_schema_defaults(stored))
  cfg.learner.hidden_sizes = tuple(cfg.learner.hidden_sizes)
  cfg.workdir = os.path.dirname(os.path.abspath(run_dir))
  return cfg


def restore_run_state(run_dir: str, template):
  """``checkpoint.restore_latest`` for run states: (epoch, state, skipped).
  A checkpoint written before ``RunState.diverged`` existed (one array fewer)
  is restored with every seed's flag False."""
  flag = getattr(template, "diverged", None)
  try:
    return checkpoint.restore_latest(run_dir, template)
  except checkpoint.CheckpointError as e:
    if flag is None:
      raise
    first = e
  try:
    epoch, rs, skipped = checkpoint.restore_latest(run_dir, template.replace(diverged=None))
  except checkpoint.CheckpointError:
    raise first from None
  if rs is not None:
    rs = rs.replace(diverged=jax.numpy.zeros(flag.shape, flag.dtype))
  return epoch, rs, skipped


def load_run(run_dir: str) -> Tuple[Any, Any, int]:
  """(trainer, run state with the seed axis first, epoch of the checkpoint)."""
  from hindsight.training.trainer import Trainer
  trainer = Trainer(run_config(run_dir))
  if not checkpoint.list_checkpoints(run_dir):
    raise checkpoint.CheckpointError(
        f"{run_dir} has no checkpoint (train.checkpoint_every_epochs = 0, or not yet "
        "at its first one)")
  template = jax.eval_shape(jax.vmap(trainer.init), trainer.seed_keys())
  epoch, rs, skipped = restore_run_state(run_dir, template)
  if rs is None:
    raise checkpoint.CheckpointError(f"{run_dir}: no checkpoint can be read ("
                                     + "; ".join(why for _, why in skipped) + ")")
  return trainer, rs, int(epoch)
