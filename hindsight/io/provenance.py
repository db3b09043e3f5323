"""Where a run's numbers came from: the project's commit, local changes, and
the versions of the libraries that compute them.

``record(run_dir, event)`` appends one entry to ``<run>/provenance.json``
(atomically): the event ('start' or 'resume'), the time, the git commit of the
checkout this package was imported from (``None`` outside a git checkout),
whether its tracked files had local changes (outside ``results/`` and the
markdown reports, which runs themselves write), and the versions of jax, jaxlib,
flax, optax and brax. Resuming on another commit is allowed and shows up as a
second entry with a different commit; ``commits(run_dir)`` lists them.
"""

from __future__ import annotations

import datetime
import os
import subprocess
from importlib import metadata
from typing import Any, Dict, List, Optional

from hindsight.io import files

FILE = "provenance.json"
_PACKAGES = ("jax", "jaxlib", "flax", "optax", "chex", "brax", "numpy")
_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _git(*args: str, root: str = _ROOT) -> Optional[str]:
  try:
    out = subprocess.run(["git", "-C", root, *args], capture_output=True, text=True,
                         timeout=10)
  except (OSError, subprocess.SubprocessError):
    return None
  return out.stdout.strip() if out.returncode == 0 else None


def current() -> Dict[str, Any]:
  """The commit, local changes and library versions of this process."""
  commit = _git("rev-parse", "HEAD")
  # Local changes to the code: results and reports written by runs do not count.
  status = (_git("status", "--porcelain", "--untracked-files=no", "--", ".",
                 ":(exclude)results", ":(exclude)*.md") if commit else None)
  versions = {}
  for p in _PACKAGES:
    try:
      versions[p] = metadata.version(p)
    except metadata.PackageNotFoundError:
      versions[p] = None
  return {"commit": commit, "dirty": bool(status) if status is not None else None,
          "versions": versions}


def record(run_dir: str, event: str) -> Dict[str, Any]:
  """Appends this process's provenance to the run's history; returns it."""
  path = os.path.join(run_dir, FILE)
  history: List[Dict[str, Any]] = []
  if os.path.exists(path):
    try:
      loaded = files.read_json(path)
      history = loaded if isinstance(loaded, list) else []
    except ValueError:
      history = []  # a damaged file is replaced, not fatal
  entry = dict(current(), event=event,
               time=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"))
  files.write_json(path, history + [entry])
  return entry


def commits(run_dir: str) -> List[str]:
  """The distinct commits a run was trained on, in order (short hashes, with
  '+changes' where the tree had local changes)."""
  path = os.path.join(run_dir, FILE)
  if not os.path.exists(path):
    return []
  try:
    history = files.read_json(path)
  except ValueError:
    return []
  out: List[str] = []
  for e in history if isinstance(history, list) else []:
    c = e.get("commit")
    tag = (c[:10] if c else "unknown") + ("+changes" if e.get("dirty") else "")
    if tag not in out:
      out.append(tag)
  return out


# What computes a run's numbers: the package and the configs, except the
# report, the study definitions and the analysis that only read runs back.
TRAINING_CODE = ("hindsight", "configs")
NOT_TRAINING = ("hindsight/report.py", "hindsight/reproduce.py", "hindsight/analysis.py",
                "hindsight/studies/__init__.py", "hindsight/io/console.py",
                "hindsight/io/provenance.py")


def training_code_changes(commits: List[str], root: str = _ROOT) -> Optional[List[str]]:
  """The training-code files (``TRAINING_CODE`` less ``NOT_TRAINING``) that
  differ between any of ``commits`` (hashes as ``commits`` lists them), sorted;
  [] when they are the same code; None when this checkout cannot tell (no git,
  an unknown commit, or a run trained with local changes). ``root``: the
  git checkout to ask (this package's)."""
  if any(c == "unknown" or c.endswith("+changes") for c in commits):
    return None
  changed = set()
  for a, b in zip(commits, commits[1:]):
    out = _git("diff", "--name-only", a, b, "--", *TRAINING_CODE, root=root)
    if out is None:
      return None
    changed |= {f for f in out.splitlines() if f and f not in NOT_TRAINING}
  return sorted(changed)
