"""Atomic file writes and the run directory's CSV/JSON files."""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from typing import Any, Dict, List


def atomic_write_bytes(path: str, data: bytes) -> None:
  """Writes to a temporary file in the same directory, fsyncs, then renames:
  readers see the old file or the new one, never a partial one."""
  directory = os.path.dirname(os.path.abspath(path))
  os.makedirs(directory, exist_ok=True)
  fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=os.path.basename(path))
  try:
    umask = os.umask(0)
    os.umask(umask)
    os.fchmod(fd, 0o666 & ~umask)   # mkstemp makes 0600; give the usual file mode
    with os.fdopen(fd, "wb") as f:
      f.write(data)
      f.flush()
      os.fsync(f.fileno())
    os.replace(tmp, path)
  except BaseException:
    if os.path.exists(tmp):
      os.unlink(tmp)
    raise


def atomic_write_text(path: str, text: str) -> None:
  atomic_write_bytes(path, text.encode("utf-8"))


def write_json(path: str, obj: Any) -> None:
  atomic_write_text(path, json.dumps(obj, indent=2, sort_keys=True, default=str) + "\n")


def read_json(path: str) -> Any:
  with open(path) as f:
    return json.load(f)


def write_csv(path: str, rows: List[Dict[str, Any]]) -> None:
  """Rewrites the whole CSV atomically; columns are the union, in first-seen order."""
  columns: List[str] = []
  for row in rows:
    for k in row:
      if k not in columns:
        columns.append(k)
  buf = io.StringIO()
  writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
  writer.writeheader()
  for row in rows:
    writer.writerow({k: _fmt(v) for k, v in row.items()})
  atomic_write_text(path, buf.getvalue())


def _fmt(v):
  if isinstance(v, float):
    return repr(v)
  return v


def read_csv(path: str) -> List[Dict[str, Any]]:
  """Rows with numeric strings converted to int/float."""
  with open(path, newline="") as f:
    return [{k: _parse(v) for k, v in row.items()} for row in csv.DictReader(f)]


def _parse(v: str):
  if v is None or v == "":
    return None
  for cast in (int, float):
    try:
      return cast(v)
    except ValueError:
      pass
  return v
