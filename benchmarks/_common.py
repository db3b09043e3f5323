"""Helpers shared by the benchmark scripts (run as ``python benchmarks/x.py``)."""

from __future__ import annotations

import datetime
import json
import os
import platform
import statistics
import time
from typing import Callable, List, Optional, Sequence, Tuple

import jax
import numpy as np


def machine_info(packages: Sequence[str] = ()) -> List[str]:
  """Markdown bullet lines: CPU, cores, load, versions (jax, jaxlib, numpy and
  ``packages``), backend, date."""
  model = "unknown"
  try:
    with open("/proc/cpuinfo") as f:
      for line in f:
        if line.startswith("model name"):
          model = line.split(":", 1)[1].strip()
          break
  except OSError:
    pass
  try:
    usable = len(os.sched_getaffinity(0))
  except AttributeError:
    usable = os.cpu_count()
  load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
  import importlib
  import jaxlib
  extra = "".join(f"{p} {importlib.import_module(p).__version__}, " for p in packages)
  return [
      f"- CPU: {model}; {os.cpu_count()} logical cores ({usable} usable by this process)",
      f"- load average at start: {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} "
      "(other jobs share the machine)",
      f"- jax {jax.__version__}, jaxlib {jaxlib.__version__}, numpy {np.__version__}, {extra}"
      f"Python {platform.python_version()}; JAX backend: {jax.default_backend()} "
      f"({', '.join(str(d) for d in jax.devices())})",
      f"- date: {datetime.datetime.now().isoformat(timespec='seconds')}",
  ]


def median_time(fn: Callable[[], object], reps: int) -> float:
  """Median wall seconds of ``reps`` calls of ``fn`` (each blocked until ready)."""
  times = []
  for _ in range(reps):
    t = time.perf_counter()
    jax.block_until_ready(fn())
    times.append(time.perf_counter() - t)
  return statistics.median(times)


def emit(text: str, out: str, log: Callable[[str], None] = print) -> None:
  """Prints a benchmark's markdown and writes it to ``out`` (if given)."""
  print(text)
  if out:
    os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
    with open(out, "w") as f:
      f.write(text)
    log(f"wrote {out}")


# One row of a benchmark's targets (the throughput issue's targets, stated as
# ratios measured on this machine): what is asked, what was measured, and
# whether it is met (None where the measurement cannot decide it).
Target = Tuple[str, str, Optional[bool]]


def targets_path(out: str) -> str:
  """Where a benchmark's target rows go: beside its table, ``<table>.targets.json``."""
  root, _ = os.path.splitext(out)
  return root + ".targets.json"


def write_targets(out: str, rows: Sequence[Target]) -> None:
  """Writes ``rows`` beside the table ``out`` (nothing when ``out`` is empty), for
  the summary at the top of BENCHMARKS.md (``benchmarks/train_step.py``)."""
  if not out:
    return
  from hindsight.io import files
  data = [{"target": t, "measured": m, "met": met} for t, m, met in rows]
  path = targets_path(out)
  os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
  files.atomic_write_text(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def read_targets(out: str) -> List[Target]:
  """The rows ``write_targets`` wrote beside ``out`` ([] if none)."""
  path = targets_path(out)
  if not os.path.exists(path):
    return []
  with open(path) as f:
    data = json.load(f)
  return [(d["target"], d["measured"], d["met"]) for d in data]
