"""The sweep's manifest (every point's status, command, times) and its lock."""

from __future__ import annotations

import errno
import fcntl
import os
import time
from typing import TYPE_CHECKING, Any, Dict, List

from hindsight.sweep.errors import SweepError

if TYPE_CHECKING:
  from hindsight.sweep.points import Point

MANIFEST = "manifest.json"


def _now() -> str:
  return time.strftime("%Y-%m-%dT%H:%M:%S")


class Manifest:
  """``manifest.json``: the header, the points of this sweep, and entries
  of earlier points kept as they were."""
  def __init__(self, path: str, header: Dict[str, Any], points: List[Point],
               others: List[Dict[str, Any]]):
    self.path, self.header, self.points, self.others = path, header, points, others

  def write(self) -> None:
    from hindsight.io import files
    counts: Dict[str, int] = {}
    for p in self.points:
      counts[p.status] = counts.get(p.status, 0) + 1
    files.write_json(self.path, {
        **self.header, "updated": _now(), "counts": counts,
        "points": [p.to_json() for p in self.points] + self.others})


def lock(sweep_dir: str):
  """An exclusive lock on ``<sweep_dir>/.sweep.lock`` (a second sweep there stops)."""
  f = open(os.path.join(sweep_dir, ".sweep.lock"), "w")
  try:
    fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
  except OSError as e:
    if e.errno in (errno.EAGAIN, errno.EACCES):
      raise SweepError(f"another sweep is running in {sweep_dir} (it holds "
                       f"{f.name}); wait for it or stop it first") from None
    raise
  return f


