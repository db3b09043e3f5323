"""Datasets in the layouts researchers already have: OGBench and D4RL.

This project's episodes (``hindsight.replay.Episodes``) are padded arrays:
``obs [N, T+1, O]`` (the observation before each step and after the last),
``action [N, T, A]``, ``features [N, T, F]`` (the family's reward features),
``mask [N, T]`` (1 on valid steps), ``terminal [N, T]`` (termination, as the
environment records it) and ``task [N, D]`` (one task per episode). The two
flat layouts below hold per-row arrays of all episodes one after the other;
``load`` turns either into episodes for the config's family, ``export``
writes episodes in either layout.

**OGBench** (``.npz``; ogbench/utils.py ``load_dataset``, compact form):
one row per *observation*, a trajectory of L steps is L + 1 rows.

| field | shape | maps to |
|---|---|---|
| ``observations`` | [M, O] | ``obs`` (rows of one trajectory, in order) |
| ``actions`` | [M, A] | ``action`` (the last row of a trajectory is unused) |
| ``terminals`` | [M] | 1 on the last row of each trajectory (trajectory ends) |
| ``valids`` / ``valid`` | [M] | instead of ``terminals``: 0 on the last row |
| ``tasks`` | [M, D] | ``task`` (optional; this project's whole task per row) |
| ``goals`` / ``infos/goal`` | [M, G] | ``task`` of goal families (optional) |
| ``features`` / ``infos/features`` | [M, F] | ``features`` (optional) |
| ``env_terminals`` | [M] | ``terminal`` (optional; written by ``export``) |

**D4RL** (``.npz``, or ``.hdf5`` with the ``datasets`` extra; d4rl's
``get_dataset``): one row per *transition*.

| field | shape | maps to |
|---|---|---|
| ``observations`` | [M, O] | ``obs[:, t]`` |
| ``actions`` | [M, A] | ``action`` |
| ``rewards`` | [M] | not read (rewards are recomputed from features and task) |
| ``terminals`` | [M] | ``terminal``; an episode ends here |
| ``timeouts`` | [M] | an episode ends here without termination |
| ``next_observations`` | [M, O] | ``obs[:, t + 1]`` (optional: without it the last row of each episode only gives the final observation, as d4rl's ``qlearning_dataset`` drops it) |
| ``infos/task`` | [M, D] | ``task`` (optional) |
| ``infos/goal`` | [M, G] | ``task`` of goal families (optional) |
| ``infos/features`` | [M, F] | ``features`` (optional) |

The task of an episode is its first row's, and must be the same on every row
of the episode; goals stand for the task only where the task *is* the goal
(goal families). Without any task field the import refuses, unless
``missing_task='prior'`` draws each episode's task from the family's prior
(undirected data, as OGBench's, whose goals are given only at evaluation).
Without features the family computes them from the stored observations
(``family.features_from_observations``), or the import refuses with a message
saying so. Without a termination field (OGBench) ``terminal`` follows the
family's rules: the last step of a full-length episode where the time limit is
terminal, and success where goal tasks end at success. Files are read with
``np.load(..., allow_pickle=False)``; a missing or mis-shaped field is an error
naming it.
"""

from __future__ import annotations

import os
from typing import Any, Dict, Tuple

import numpy as np

from hindsight import extras
from hindsight.io import dataset as native
from hindsight.io.dataset import DatasetError
from hindsight.io.files import atomic_write_bytes
from hindsight.replay import Episodes, EpisodeSpec

LAYOUTS = ("hindsight", "ogbench", "d4rl")
FORMATS = ("auto",) + LAYOUTS
MISSING_TASK = ("error", "prior")


# ----------------------------------------------------------------- reading --
def read_arrays(path: str) -> Dict[str, np.ndarray]:
  """Every array of a ``.npz`` (never unpickled) or ``.hdf5`` file, keyed by
  its path (``infos/goal``)."""
  if not os.path.exists(path):
    raise DatasetError(f"{path}: no such file")
  if path.endswith((".hdf5", ".h5")):
    h5py = extras.require("h5py", "datasets", f"reading {path}")
    out = {}
    try:
      with h5py.File(path, "r") as f:
        def visit(name, obj):
          if isinstance(obj, h5py.Dataset):
            if obj.dtype.kind not in "biuf":
              raise DatasetError(f"{path}: field {name!r} holds {obj.dtype} data, not numbers")
            out[name] = np.asarray(obj[()])
        f.visititems(visit)
    except DatasetError:
      raise
    except OSError as e:
      raise DatasetError(f"{path}: cannot read HDF5 file ({e})") from None
    return out
  try:
    with np.load(path, allow_pickle=False) as data:
      return {k: np.asarray(data[k]) for k in data.files}
  except ValueError as e:
    raise DatasetError(f"{path}: cannot read ({e}; object arrays are never unpickled)") from None
  except Exception as e:  # zipfile.BadZipFile, EOFError, OSError
    raise DatasetError(f"{path}: cannot read dataset ({type(e).__name__}: {e})") from None


def detect(arrays: Dict[str, np.ndarray]) -> str:
  if "header" in arrays:
    return "hindsight"
  if "timeouts" in arrays or "next_observations" in arrays or "rewards" in arrays:
    return "d4rl"
  if any(k in arrays for k in ("terminals", "valids", "valid")):
    return "ogbench"
  raise DatasetError("not a known layout: no 'header' (this project's), 'timeouts' (D4RL) or "
                     "'terminals'/'valids' (OGBench) field; fields: "
                     + ", ".join(sorted(arrays)))


def _first(arrays, names):
  for n in names:
    if n in arrays:
      return n
  return None


class _Fields:
  """Shape checks of a flat file's fields, with messages naming them."""

  def __init__(self, path, arrays, layout):
    self.path, self.arrays, self.layout = path, arrays, layout
    self.rows = None

  def get(self, name, width=None, what="", required=True):
    a = self.arrays.get(name)
    if a is None:
      if required:
        raise DatasetError(f"{self.path}: the {self.layout} layout needs field {name!r}"
                           f"{' (' + what + ')' if what else ''}; fields present: "
                           f"{', '.join(sorted(self.arrays))}")
      return None
    if a.dtype.kind not in "biuf":
      raise DatasetError(f"{self.path}: field {name!r} has dtype {a.dtype}, expected numbers")
    if self.rows is None:
      self.rows, self.rows_of = (a.shape[0] if a.ndim else 0), name
    want = (self.rows,) if width is None else (self.rows, width)
    if a.shape != want:
      dims = "M" if width is None else f"M, {width}"
      m = f"M = {self.rows} rows, as {self.rows_of!r} has" if name != self.rows_of else ""
      why = ", ".join(x for x in (m, what) if x)
      raise DatasetError(f"{self.path}: field {name!r} has shape {a.shape}, expected ({dims}) "
                         f"= {want}{' (' + why + ')' if why else ''}")
    a = a.astype(np.float32)
    if not np.all(np.isfinite(a)):
      raise DatasetError(f"{self.path}: field {name!r} holds non-finite values")
    return a

  def flags(self, name, required=True):
    a = self.get(name, required=required)
    if a is not None and not np.all((a == 0) | (a == 1)):
      raise DatasetError(f"{self.path}: field {name!r} holds values other than 0 and 1")
    return a


def _segments(path, ends, what):
  """[(start, end)] (end exclusive) of the rows up to each flagged end row."""
  idx = np.nonzero(ends > 0)[0]
  if ends.shape[0] == 0:
    raise DatasetError(f"{path}: the dataset holds no rows")
  if idx.size == 0 or idx[-1] != ends.shape[0] - 1:
    raise DatasetError(f"{path}: the last episode does not end ({what} of the last row is 0)")
  starts = np.concatenate([[0], idx[:-1] + 1])
  return list(zip(starts.tolist(), (idx + 1).tolist()))


def load(path: str, family, spec: EpisodeSpec, layout: str = "auto",
         missing_task: str = "error", key=None) -> Tuple[Episodes, Dict[str, Any]]:
  """(episodes, header) of a file in any of ``LAYOUTS`` for ``family``."""
  if layout not in FORMATS:
    raise DatasetError(f"unknown dataset format {layout!r}; known: {', '.join(FORMATS)}")
  if missing_task not in MISSING_TASK:
    raise DatasetError(f"missing_task must be one of {', '.join(MISSING_TASK)}")
  if layout == "hindsight" or (layout == "auto" and not path.endswith((".hdf5", ".h5"))
                               and _is_native(path)):
    return native.load(path, family.name, spec)
  arrays = read_arrays(path)
  layout = detect(arrays) if layout == "auto" else layout
  if layout == "hindsight":
    return native.load(path, family.name, spec)
  f = _Fields(path, arrays, "OGBench" if layout == "ogbench" else "D4RL")
  O, A, D, F, T = spec.obs_size, spec.action_size, spec.task_dim, spec.feature_dim, spec.horizon
  obs = f.get("observations", O, f"observation size O = {O} of {family.name}")
  act = f.get("actions", A, f"action size A = {A}")
  if layout == "ogbench":
    end_name = _first(arrays, ("terminals", "valids", "valid"))
    if end_name is None:
      f.get("terminals", what="1 on the last row of each trajectory, or 'valids'")
    ends = f.flags(end_name)
    if end_name != "terminals":
      ends = 1.0 - ends
    segs = [(s, e - 1) for s, e in _segments(path, ends, end_name)]   # steps s..e-2
    next_obs = None
    term_rows = f.flags("env_terminals", required=False)
  else:
    terminals = f.flags("terminals")
    timeouts = f.flags("timeouts", required=False)
    ends = np.maximum(terminals, timeouts if timeouts is not None else 0.0)
    next_obs = f.get("next_observations", O, required=False)
    segs = _segments(path, ends, "terminals and timeouts")
    if next_obs is None:   # the last row of each episode is only its final observation
      segs = [(s, e - 1) for s, e in segs]
    term_rows = terminals
  # per-row task, features
  task_name = _first(arrays, ("tasks", "infos/task"))
  goal_name = _first(arrays, ("goals", "infos/goal"))
  tasks_rows = goals_rows = None
  if task_name is not None:
    tasks_rows = f.get(task_name, D, f"task size D = {D} of {family.name}")
  elif goal_name is not None:
    if not family.is_goal_family:
      raise DatasetError(f"{path}: field {goal_name!r} gives goals, but a {family.name} task "
                         "is more than a goal; store the whole task as "
                         f"{'tasks' if layout == 'ogbench' else 'infos/task'} [M, {D}]")
    goals_rows = f.get(goal_name, D, f"goal size {D} of {family.name}")
  elif missing_task == "error":
    raise DatasetError(
        f"{path}: no task field ({'tasks, goals' if layout == 'ogbench' else 'infos/task, infos/goal'}"
        f" or {'infos/goal' if layout == 'ogbench' else 'goals'}); store the task of each row, "
        "or set --config.offline.missing_task=prior to draw each episode's task from the prior")
  feat_name = _first(arrays, ("features", "infos/features"))
  feats_rows = (f.get(feat_name, F, f"feature size F = {F} of {family.name}")
                if feat_name is not None else None)
  if feats_rows is None and not family.observation_features:
    raise DatasetError(f"{path}: no 'features' field, and {family.name} cannot compute its "
                       "reward features from stored observations (they read the physics "
                       "state); store them as 'features' / 'infos/features' [M, "
                       f"{F}]")

  n = len(segs)
  lengths = np.array([e - s for s, e in segs])
  if np.any(lengths < 1):
    i = int(np.argmin(lengths))
    raise DatasetError(f"{path}: episode {i} (rows {segs[i][0]}..) has no step")
  if np.any(lengths > T):
    i = int(np.argmax(lengths))
    raise DatasetError(f"{path}: episode {i} (rows {segs[i][0]}..{segs[i][1]}) has "
                       f"{lengths[i]} steps, more than {family.name}'s horizon H = {T}")
  ep = dict(obs=np.zeros((n, T + 1, O), np.float32), action=np.zeros((n, T, A), np.float32),
            features=np.zeros((n, T, F), np.float32), mask=np.zeros((n, T), np.float32),
            terminal=np.zeros((n, T), np.float32), task=np.zeros((n, D), np.float32))
  have_term = term_rows is not None
  for i, (s, e) in enumerate(segs):
    L = e - s
    o = obs[s:e + 1] if next_obs is None else np.concatenate([obs[s:e], next_obs[e - 1:e]])
    ep["obs"][i, :L + 1] = o
    ep["obs"][i, L + 1:] = o[-1]
    ep["action"][i, :L] = act[s:e]
    ep["mask"][i, :L] = 1.0
    if have_term:
      ep["terminal"][i, :L] = term_rows[s:e]
    rows = tasks_rows if tasks_rows is not None else goals_rows
    if rows is not None:
      block = rows[s:e]
      if not np.all(block == block[0]):
        name = task_name or goal_name
        raise DatasetError(f"{path}: field {name!r} changes within episode {i} (rows "
                           f"{s}..{e - 1}); an episode has one task")
      ep["task"][i] = block[0]
    if feats_rows is not None:
      ep["features"][i, :L] = feats_rows[s:e]
  if tasks_rows is None and goals_rows is None:
    import jax
    key = jax.random.PRNGKey(0) if key is None else key
    ep["task"] = np.asarray(family.sample(key, n), np.float32)
  if feats_rows is None:
    ep["features"] = np.asarray(family.features_from_observations(
        ep["obs"][:, :-1], ep["action"], ep["obs"][:, 1:]), np.float32) * ep["mask"][..., None]
  if not have_term:
    ep["terminal"] = _family_terminal(family, ep)
  header = {"format": layout, "family": family.name, "family_options": None,
            "spec": spec._asdict(), "num_episodes": n,
            "meta": {"source": os.path.abspath(path), "task": "file" if (
                tasks_rows is not None or goals_rows is not None) else "prior",
                     "features": "file" if feats_rows is not None else "observations"}}
  return Episodes(**ep), header


def _family_terminal(family, ep) -> np.ndarray:
  """Termination by the family's rules: success where goal tasks end there,
  the last step of a full-length episode where the time limit is terminal."""
  mask = ep["mask"]
  term = np.zeros_like(mask)
  if family.terminate_on_success:
    term = np.asarray(family.success(ep["features"], ep["task"][:, None]), np.float32)
  if family.time_limit == "terminal":
    term[:, -1] = np.maximum(term[:, -1], mask[:, -1])
  return term * mask


def _is_native(path: str) -> bool:
  try:
    with np.load(path, allow_pickle=False) as data:
      return "header" in data.files
  except Exception:
    return False


# ----------------------------------------------------------------- writing --
def export(path: str, episodes: Episodes, family, layout: str) -> Dict[str, np.ndarray]:
  """Writes ``episodes`` in ``layout`` ('ogbench' or 'd4rl'; ``.hdf5`` for
  D4RL's HDF5). Rewards (D4RL) are each episode's own task's. Returns the
  arrays written."""
  if layout not in ("ogbench", "d4rl"):
    raise DatasetError(f"export layout must be 'ogbench' or 'd4rl', got {layout!r}")
  e = {k: np.asarray(getattr(episodes, k), np.float32)
       for k in ("obs", "action", "features", "mask", "terminal", "task")}
  lengths = e["mask"].sum(axis=1).astype(int)
  if np.any(lengths < 1):
    raise DatasetError("every episode needs at least one valid step to be exported")
  rewards = np.asarray(family.reward(e["features"], e["action"], e["task"][:, None]),
                       np.float32) * e["mask"]
  cols: Dict[str, list] = {}

  def add(name, value):
    cols.setdefault(name, []).append(np.asarray(value, np.float32))

  for i, L in enumerate(lengths):
    task_rows = np.repeat(e["task"][i][None], L + (1 if layout == "ogbench" else 0), axis=0)
    if layout == "ogbench":
      add("observations", e["obs"][i, :L + 1])
      add("actions", np.concatenate([e["action"][i, :L], np.zeros_like(e["action"][i, :1])]))
      ends = np.zeros(L + 1, np.float32)
      ends[-1] = 1.0
      add("terminals", ends)
      add("valids", 1.0 - ends)
      add("env_terminals", np.concatenate([e["terminal"][i, :L], [0.0]]))
      add("features", np.concatenate([e["features"][i, :L], np.zeros_like(e["features"][i, :1])]))
      add("tasks", task_rows)
      if family.is_goal_family:
        add("goals", task_rows)
    else:
      add("observations", e["obs"][i, :L])
      add("next_observations", e["obs"][i, 1:L + 1])
      add("actions", e["action"][i, :L])
      add("rewards", rewards[i, :L])
      term = e["terminal"][i, :L]
      add("terminals", term)
      timeout = np.zeros(L, np.float32)
      timeout[-1] = 1.0 - term[-1]
      add("timeouts", timeout)
      add("infos/task", task_rows)
      add("infos/features", e["features"][i, :L])
      if family.is_goal_family:
        add("infos/goal", task_rows)
  arrays = {k: np.concatenate(v, axis=0) for k, v in cols.items()}
  if path.endswith((".hdf5", ".h5")):
    if layout != "d4rl":
      raise DatasetError(f"{path}: HDF5 is D4RL's container; write OGBench layouts as .npz")
    h5py = extras.require("h5py", "datasets", f"writing {path}")
    tmp = path + ".tmp"
    with h5py.File(tmp, "w") as f:
      for k, v in arrays.items():
        f.create_dataset(k, data=v, compression="gzip")
    os.replace(tmp, path)
  else:
    import io
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    atomic_write_bytes(path, buf.getvalue())
  return arrays


def convert(src: str, dst: str, layout: str) -> Dict[str, Any]:
  """Writes this project's dataset ``src`` (``hindsight/io/dataset.py``) in
  ``layout`` at ``dst``; the family and its options come from ``src``'s header.
  Returns ``src``'s header."""
  from hindsight import tasks
  episodes, header = native.load(src)
  try:
    family = tasks.make(header["family"], **(header.get("family_options") or {}))
  except (TypeError, ValueError) as e:
    raise DatasetError(f"{src}: its family {header['family']!r} cannot be built ({e})") from None
  export(dst, episodes, family, layout)
  return header
