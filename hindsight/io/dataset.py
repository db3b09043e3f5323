"""Episode datasets on disk: one ``.npz`` of arrays plus a JSON header.

The header names the task family and its options (which fix the task prior),
the shapes, and a format version. Loading validates everything against the
family the caller expects and never unpickles (``allow_pickle=False``), so a
wrong file is a clear error, not a crash inside jit.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any, Dict, Optional, Tuple

import numpy as np

from hindsight.io.files import atomic_write_bytes
from hindsight.replay import Episodes, EpisodeSpec

FORMAT = "hindsight-episodes"
VERSION = 1
_FIELDS = ("obs", "action", "features", "mask", "terminal", "task")


class DatasetError(ValueError):
  pass


def save(path: str, episodes: Episodes, family_name: str,
         family_options: Dict[str, Any], spec: EpisodeSpec,
         meta: Optional[Dict[str, Any]] = None) -> None:
  arrays = {k: np.asarray(getattr(episodes, k), np.float32) for k in _FIELDS}
  header = {"format": FORMAT, "version": VERSION, "family": family_name,
            "family_options": dict(family_options), "spec": spec._asdict(),
            "num_episodes": int(arrays["task"].shape[0]), "meta": meta or {}}
  arrays["header"] = np.frombuffer(json.dumps(header, default=str).encode(), np.uint8)
  buf = io.BytesIO()
  np.savez_compressed(buf, **arrays)
  atomic_write_bytes(path, buf.getvalue())


def load(path: str, family_name: Optional[str] = None,
         spec: Optional[EpisodeSpec] = None) -> Tuple[Episodes, Dict[str, Any]]:
  """Returns (episodes, header); checks family and shapes when given."""
  try:
    with np.load(path, allow_pickle=False) as data:
      if "header" not in data.files:
        raise DatasetError(f"{path}: not a hindsight dataset (no header)")
      header = json.loads(bytes(data["header"]).decode())
      missing = [k for k in _FIELDS if k not in data.files]
      if missing:
        raise DatasetError(f"{path}: missing arrays {missing}")
      arrays = {k: np.asarray(data[k]) for k in _FIELDS}
  except DatasetError:
    raise
  except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile,
          json.JSONDecodeError) as e:
    raise DatasetError(f"{path}: cannot read dataset ({type(e).__name__}: {e})") from None
  if header.get("format") != FORMAT or header.get("version") != VERSION:
    raise DatasetError(f"{path}: unknown format {header.get('format')!r} "
                       f"version {header.get('version')!r}")
  if family_name is not None and header["family"] != family_name:
    raise DatasetError(f"{path} holds {header['family']!r} episodes, but the config's "
                       f"family is {family_name!r}")
  s = EpisodeSpec(**header["spec"])
  if spec is not None and s != spec:
    raise DatasetError(f"{path}: episode shapes {s} do not match the environment's {spec}")
  n, T = header["num_episodes"], s.horizon
  expected = {"obs": (n, T + 1, s.obs_size), "action": (n, T, s.action_size),
              "features": (n, T, s.feature_dim), "mask": (n, T), "terminal": (n, T),
              "task": (n, s.task_dim)}
  for k, shape in expected.items():
    if arrays[k].shape != shape:
      raise DatasetError(f"{path}: array {k!r} has shape {arrays[k].shape}, "
                         f"expected {shape}")
    if arrays[k].dtype.kind != "f":
      raise DatasetError(f"{path}: array {k!r} has dtype {arrays[k].dtype}, expected float")
    if not np.all(np.isfinite(arrays[k])):
      raise DatasetError(f"{path}: array {k!r} holds non-finite values")
  if n < 1:
    raise DatasetError(f"{path}: the dataset holds no episodes")
  mask = arrays["mask"]
  if not np.all((mask == 0) | (mask == 1)):
    raise DatasetError(f"{path}: array 'mask' holds values other than 0 and 1")
  if not mask.any():
    raise DatasetError(f"{path}: array 'mask' is all zero (no valid step)")
  return Episodes(**{k: arrays[k].astype(np.float32) for k in _FIELDS}), header
