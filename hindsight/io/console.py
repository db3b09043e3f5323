"""A quiet terminal for the command-line tools.

Importing Brax and MuJoCo, building a Brax environment and starting the JAX
backend print lines that are not the run's (``Failed to import warp``,
``Failed to import mujoco_warp``, MuJoCo's ``settotalmass`` deprecation,
Brax's maintenance warning, a backend that could not start). With ``enable()``
(``hindsight.cli.run_main`` calls it) the places that print them run inside
``captured(source)``, which takes what they write to stdout and stderr —
Python's streams and the C-level file descriptors alike — off the terminal
and records it: into the run's ``log.txt`` once ``attach_log`` names it
(text captured before that is kept until then). Without ``enable()``, as for
library users, ``captured`` changes nothing.

The run's own lines go through ``echo``, which also redraws a one-line
progress bar with the ETA (``Progress``) when stderr is a terminal.
"""

from __future__ import annotations

import contextlib
import ctypes
import io
import logging
import os
import sys
import tempfile
import time
from typing import List, Optional, Tuple

_ENABLED = False
_PENDING: List[Tuple[str, str]] = []
_LOG_PATH: Optional[str] = None
_PROGRESS: Optional["Progress"] = None
# Loggers whose records are library noise in a run (the backend's start-up
# messages: a TPU or GPU plugin that failed, a platform fallen back from).
NOISY_LOGGERS = ("jax._src.xla_bridge",)


def enable() -> None:
  """Capture library output from now on (the command-line tools)."""
  global _ENABLED
  _ENABLED = True
  handler = _RecordHandler()
  for name in NOISY_LOGGERS:
    lg = logging.getLogger(name)
    lg.addHandler(handler)
    lg.propagate = False


def enabled() -> bool:
  return _ENABLED


class _RecordHandler(logging.Handler):
  def emit(self, record):
    record_text(record.name, self.format(record))


def _fflush_c() -> None:
  try:
    ctypes.CDLL(None).fflush(None)
  except (OSError, AttributeError):
    pass


@contextlib.contextmanager
def captured(source: str):
  """Everything the block writes to stdout/stderr is recorded as library
  output of ``source`` instead of shown (a no-op unless ``enable()``d)."""
  if not _ENABLED:
    yield
    return
  for s in (sys.stdout, sys.stderr):
    try:
      s.flush()
    except (AttributeError, ValueError):
      pass
  _fflush_c()
  py = sys.stdout, sys.stderr
  buf = io.StringIO()
  with tempfile.TemporaryFile() as tmp:
    saved = os.dup(1), os.dup(2)
    try:
      os.dup2(tmp.fileno(), 1)
      os.dup2(tmp.fileno(), 2)
      sys.stdout = sys.stderr = buf
      yield
    finally:
      sys.stdout, sys.stderr = py
      _fflush_c()
      os.dup2(saved[0], 1)
      os.dup2(saved[1], 2)
      os.close(saved[0])
      os.close(saved[1])
      tmp.seek(0)
      text = tmp.read().decode("utf-8", "replace") + buf.getvalue()
      record_text(source, text)


def record_text(source: str, text: str) -> None:
  """Keeps library output for the run's log (or writes it there)."""
  if not text.strip():
    return
  if _LOG_PATH is None:
    _PENDING.append((source, text))
  else:
    _write(_LOG_PATH, source, text)


def _write(path: str, source: str, text: str) -> None:
  with open(path, "a") as f:
    f.write(time.strftime("%H:%M:%S ") + f"library output ({source}), kept off the "
            "terminal:\n")
    for line in text.rstrip("\n").splitlines():
      f.write(f"    {line}\n")


@contextlib.contextmanager
def attach_log(path: str):
  """Library output goes to ``path`` (a run's log.txt) inside the block; what
  was captured before is written there first."""
  global _LOG_PATH
  previous = _LOG_PATH
  _LOG_PATH = path
  while _PENDING:
    _write(path, *_PENDING.pop(0))
  try:
    yield
  finally:
    _LOG_PATH = previous


def start_backend() -> None:
  """Starts JAX's backend with its start-up messages captured."""
  with captured("jax backend"):
    import jax
    jax.devices()


def import_libraries() -> None:
  """Imports Brax and MuJoCo with their import-time messages captured."""
  with captured("importing brax and mujoco"):
    import brax.envs  # noqa: F401  (mujoco.mjx prints when warp is absent)


# ---------------------------------------------------------------- progress --
class Progress:
  """``[#####·····] 5/16 epochs · ETA 1.2 min`` on one redrawn line of a
  terminal; nothing when the stream is not a terminal (a file or a pipe)."""

  def __init__(self, total: int, unit: str = "epochs", stream=None, width: int = 24):
    self.total, self.unit, self.width = int(total), unit, width
    self.stream = stream if stream is not None else sys.stderr
    self.done, self.eta_s, self.shown = 0, None, False
    try:
      self.active = bool(self.stream.isatty())
    except (AttributeError, ValueError):
      self.active = False

  def text(self) -> str:
    frac = self.done / self.total if self.total else 1.0
    filled = int(round(frac * self.width))
    bar = "#" * filled + "·" * (self.width - filled)
    eta = "" if self.eta_s is None else f" · ETA {format_duration(self.eta_s)}"
    return f"[{bar}] {self.done}/{self.total} {self.unit}{eta}"

  def update(self, done: int, eta_s: Optional[float]) -> None:
    self.done, self.eta_s = int(done), eta_s
    self.draw()

  def draw(self) -> None:
    if self.active:
      self.stream.write("\r\x1b[2K" + self.text())
      self.stream.flush()
      self.shown = True

  def clear(self) -> None:
    if self.active and self.shown:
      self.stream.write("\r\x1b[2K")
      self.stream.flush()
      self.shown = False

  def close(self) -> None:
    self.clear()


def format_duration(seconds: float) -> str:
  s = max(0, int(round(seconds)))
  if s < 60:
    return f"{s} s"
  if s < 3600:
    return f"{s // 60} min {s % 60:02d} s"
  return f"{s // 3600} h {(s % 3600) // 60:02d} min"


def start_progress(total: int, done: int = 0, unit: str = "epochs",
                   enabled: bool = True) -> Progress:
  """A ``Progress`` that ``echo`` keeps below the run's lines, until
  ``end_progress``."""
  global _PROGRESS
  end_progress()
  p = Progress(total, unit)
  p.active = p.active and enabled
  p.done = int(done)
  _PROGRESS = p
  return p


def end_progress() -> None:
  global _PROGRESS
  if _PROGRESS is not None:
    _PROGRESS.close()
  _PROGRESS = None


def echo(line: str, stream=None) -> None:
  """Prints one of the run's own lines (above the progress bar, if any)."""
  stream = stream if stream is not None else sys.stderr
  p = _PROGRESS
  if p is not None and p.stream is stream:
    p.clear()
  print(line, file=stream, flush=True)
  if p is not None and p.stream is stream:
    p.draw()
