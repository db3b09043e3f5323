"""Checkpoints of a whole run state (learner, buffer, RNG, counters).

A checkpoint is one ``.npz`` of the pytree's leaves plus a JSON header with
their shapes and dtypes, written atomically. Restoring needs a template of
the same structure (built from the config), checks every leaf against it,
and never unpickles (``allow_pickle=False``).
"""

from __future__ import annotations

import glob
import io
import json
import os
import re
import zipfile
from typing import Any, List, Optional, Tuple

import jax
import numpy as np

from hindsight.io.files import atomic_write_bytes

_NAME = "ckpt_{:06d}.npz"


class CheckpointError(ValueError):
  pass


class DamagedCheckpointError(CheckpointError):
  """The file cannot be read (truncated, empty, not a checkpoint)."""


def save(directory: str, epoch: int, tree: Any, keep: int = 2) -> str:
  leaves = jax.tree.leaves(tree)
  arrays = {f"leaf_{i:05d}": np.asarray(x) for i, x in enumerate(leaves)}
  header = {"epoch": int(epoch), "num_leaves": len(leaves),
            "shapes": [list(a.shape) for a in arrays.values()],
            "dtypes": [str(a.dtype) for a in arrays.values()]}
  arrays["header"] = np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)
  buf = io.BytesIO()
  np.savez(buf, **arrays)
  path = os.path.join(directory, _NAME.format(epoch))
  atomic_write_bytes(path, buf.getvalue())
  if keep > 0:  # keep <= 0 keeps every checkpoint
    for old in list_checkpoints(directory)[:-keep]:
      os.unlink(old[1])
  return path


def list_checkpoints(directory: str):
  """[(epoch, path)] sorted by epoch."""
  out = []
  for p in glob.glob(os.path.join(directory, "ckpt_*.npz")):
    m = re.fullmatch(r"ckpt_(\d+)\.npz", os.path.basename(p))
    if m:
      out.append((int(m.group(1)), p))
  return sorted(out)


def latest(directory: str) -> Optional[Tuple[int, str]]:
  ckpts = list_checkpoints(directory)
  return ckpts[-1] if ckpts else None


def restore(path: str, template: Any) -> Tuple[int, Any]:
  """Returns (epoch, tree) with the leaves of ``path`` in ``template``'s
  structure; ``template`` may be concrete or shape-only (``jax.eval_shape``)."""
  try:
    with np.load(path, allow_pickle=False) as data:
      header = json.loads(bytes(data["header"]).decode())
      leaves = [data[f"leaf_{i:05d}"] for i in range(header["num_leaves"])]
  except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile,
          json.JSONDecodeError) as e:
    raise DamagedCheckpointError(f"{path} is not a readable checkpoint: "
                                 f"{type(e).__name__}: {e}") from None
  t_leaves, treedef = jax.tree.flatten(template)
  if len(leaves) != len(t_leaves):
    raise CheckpointError(f"{path} holds {len(leaves)} arrays but this config's run "
                          f"state has {len(t_leaves)}: was it written by another config?")
  for i, (a, t) in enumerate(zip(leaves, t_leaves)):
    # ``template`` may hold arrays or only shapes (``jax.eval_shape``).
    shape = tuple(t.shape) if hasattr(t, "shape") else np.shape(t)
    dtype = np.dtype(t.dtype) if hasattr(t, "dtype") else np.asarray(t).dtype
    if a.shape != shape or a.dtype != dtype:
      raise CheckpointError(
          f"{path}: array {i} has shape {a.shape} {a.dtype}, the run state expects "
          f"{shape} {dtype}: was it written by another config?")
  return header["epoch"], jax.tree.unflatten(treedef, [jax.numpy.asarray(a) for a in leaves])


def restore_latest(directory: str, template: Any
                   ) -> Tuple[Optional[int], Any, List[Tuple[str, str]]]:
  """The newest checkpoint of ``directory`` that loads: (epoch, tree, skipped),
  ``skipped`` listing (path, why) for damaged newer ones; (None, None,
  skipped) when none loads. A checkpoint that loads but does not fit the
  template (another config) raises ``CheckpointError``: older ones would not
  fit either."""
  skipped: List[Tuple[str, str]] = []
  for _, path in reversed(list_checkpoints(directory)):
    try:
      epoch, tree = restore(path, template)
    except DamagedCheckpointError as e:
      skipped.append((path, str(e)))
      continue
    return epoch, tree, skipped
  return None, None, skipped
