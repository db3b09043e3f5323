"""Reading run directories and comparing learning curves (pure NumPy).

A run directory (``hindsight.training.run``) holds ``config.json`` and
``metrics.csv`` with one row per seed per evaluation. These helpers turn it
into arrays and into the statistics used to compare relabelers:

- ``load_run(run_dir)`` / ``load_sweep(sweep_dir)``: configs and rows;
- ``curves(rows, key)``: ``(env_steps [E], values [S, E])``, one row per seed;
- ``final_values``, ``final_task_scores``: what a run ended with, per seed;
- ``bootstrap_ci``, ``mean_ci_band``: percentile-bootstrap confidence intervals;
- ``iqm``, ``iqm_ci``: interquartile mean as rliable defines it
  (``scipy.stats.trim_mean(x, 0.25)`` on the flattened scores) and its
  stratified-bootstrap interval;
- ``probability_of_improvement`` (+ ``_ci``): rliable's P(X > Y) over tasks,
  with its stratified-bootstrap interval; ``normalized_scores``;
- ``area_under_curve``, ``steps_to_threshold``;
- ``summarize`` / ``summary_table``: one row per label, as dicts / markdown.

Nothing here imports JAX: a notebook that only reads results stays light.
"""

from __future__ import annotations

import math
import os
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

import numpy as np

from hindsight.io import files

MANIFEST = "manifest.json"
TASK_PREFIX = "eval_return_task_"

Rows = List[Dict[str, Any]]


# ------------------------------------------------------------------ loading --

def load_run(run_dir: str) -> Dict[str, Any]:
  """``{"run_dir", "name", "config", "rows", "env", "relabel", "diverged_seeds"}``.

  ``rows`` are ``metrics.csv``'s rows (numbers parsed), ``[]`` while the run
  has not finished its first evaluation; ``config`` is ``config.json``. A
  seed that diverged during training (a row with ``diverged`` = 1: its
  learner went non-finite and was held, ``hindsight.training.run``) has no
  result: its rows are left out of ``rows`` and its number is listed in
  ``diverged_seeds``.
  """
  run_dir = os.fspath(run_dir)
  cfg_path = os.path.join(run_dir, "config.json")
  if not os.path.exists(cfg_path):
    raise FileNotFoundError(f"{run_dir} is not a run directory (no config.json)")
  config = files.read_json(cfg_path)
  metrics = os.path.join(run_dir, "metrics.csv")
  rows = files.read_csv(metrics) if os.path.exists(metrics) else []
  diverged = sorted({int(r["seed"]) for r in rows if _num(r.get("diverged", 0)) == 1})
  rows = [r for r in rows if int(r["seed"]) not in diverged]
  return {"run_dir": run_dir, "name": os.path.basename(os.path.normpath(run_dir)),
          "config": config, "rows": rows, "diverged_seeds": diverged,
          "env": config.get("env", {}).get("name"),
          "relabel": config.get("relabel", {}).get("name")}


def load_sweep(sweep_dir: str, include_empty: bool = False) -> List[Dict[str, Any]]:
  """Every run of a sweep, sorted by name.

  With ``<sweep_dir>/manifest.json`` (written by ``experiments/sweep.py``) the
  runs are its grid points that have a run directory; each run dict then also
  has ``"status"`` and ``"point"`` (the grid point's values). Without one,
  every directory below ``sweep_dir`` holding a ``config.json`` is a run.
  Runs without any metrics row are left out unless ``include_empty``.
  """
  sweep_dir = os.fspath(sweep_dir)
  if not os.path.isdir(sweep_dir):
    raise FileNotFoundError(f"no sweep directory {sweep_dir!r}")
  runs = []
  manifest_path = os.path.join(sweep_dir, MANIFEST)
  if os.path.exists(manifest_path):
    manifest = files.read_json(manifest_path)
    for point in manifest.get("points", []):
      run_dir = os.path.join(sweep_dir, point["run_name"])
      if not os.path.exists(os.path.join(run_dir, "config.json")):
        continue
      run = load_run(run_dir)
      run["status"] = point.get("status")
      run["point"] = {k: point.get(k) for k in ("config", "relabeler", "grid")}
      runs.append(run)
  else:
    for root, dirs, names in os.walk(sweep_dir):
      dirs.sort()
      if "config.json" in names:
        runs.append(load_run(root))
        dirs[:] = []  # a run directory holds no other runs
  if not include_empty:
    runs = [r for r in runs if r["rows"]]
  return sorted(runs, key=lambda r: r["name"])


def group_runs(runs: Iterable[Mapping[str, Any]], by: str = "env") -> Dict[str, List]:
  """``{value of run[by]: [runs]}``, keys sorted."""
  out: Dict[str, List] = {}
  for r in runs:
    out.setdefault(str(r[by]), []).append(r)
  return dict(sorted(out.items()))


def _rows_of(run_or_rows) -> Rows:
  if isinstance(run_or_rows, Mapping):
    return list(run_or_rows["rows"])
  return list(run_or_rows)


# ------------------------------------------------------------------- arrays --

def seeds(rows: Rows) -> List[int]:
  return sorted({int(r["seed"]) for r in rows})


def curves(rows, key: str = "eval_return_mean") -> Tuple[np.ndarray, np.ndarray]:
  """``(env_steps f[E], values f[S, E])``: seed s's curve is ``values[s]``,
  seeds in ascending order, evaluations in epoch order.

  Only epochs that every seed has reached are kept (a run killed mid-write
  never leaves one seed ahead, but a hand-merged CSV might). The seeds of one
  run are vmapped and collect the same number of steps; should they differ,
  ``env_steps`` is their mean.
  """
  rows = _rows_of(rows)
  if not rows:
    return np.zeros((0,)), np.zeros((0, 0))
  by_seed: Dict[int, Dict[int, Dict[str, Any]]] = {}
  for r in rows:
    by_seed.setdefault(int(r["seed"]), {})[int(r["epoch"])] = r
  common = sorted(set.intersection(*(set(d) for d in by_seed.values())))
  ss = sorted(by_seed)
  values = np.array([[_num(by_seed[s][e].get(key)) for e in common] for s in ss], float)
  steps = np.array([[_num(by_seed[s][e]["env_steps"]) for e in common] for s in ss], float)
  return steps.mean(axis=0), values


def _num(v) -> float:
  return float("nan") if v is None or v == "" else float(v)


def final_values(rows, key: str = "eval_return_mean", last_k_evals: int = 1) -> np.ndarray:
  """Per seed (ascending), the mean of ``key`` over its last ``last_k_evals``
  evaluations: f[S]."""
  if last_k_evals < 1:
    raise ValueError(f"last_k_evals must be >= 1, got {last_k_evals}")
  _, values = curves(rows, key)
  if values.size == 0:
    return np.zeros((values.shape[0],))
  return values[:, -last_k_evals:].mean(axis=1)


def task_keys(rows) -> List[str]:
  rows = _rows_of(rows)
  keys = {k for r in rows for k in r if k.startswith(TASK_PREFIX)}
  return sorted(keys)


def final_task_scores(rows, last_k_evals: int = 1) -> np.ndarray:
  """Per-seed, per-evaluation-task final returns, f[S, T] (the score matrix
  rliable aggregates: runs × tasks)."""
  rows = _rows_of(rows)
  keys = task_keys(rows)
  if not keys:
    raise ValueError(f"no {TASK_PREFIX}* columns in these rows")
  return np.stack([final_values(rows, k, last_k_evals) for k in keys], axis=1)


# --------------------------------------------------------------- statistics --

def _apply_stat(stat: Callable, samples: np.ndarray) -> np.ndarray:
  """``stat`` on each row of ``samples``; vectorised when it takes ``axis``."""
  try:
    out = np.asarray(stat(samples, axis=1), float)
    if out.shape == (samples.shape[0],):
      return out
  except TypeError:
    pass
  return np.array([stat(row) for row in samples], float)


def bootstrap_ci(x, stat: Callable = np.mean, n: int = 2000, alpha: float = 0.05,
                 seed: int = 0) -> Tuple[float, float]:
  """Percentile-bootstrap ``1 − alpha`` interval of ``stat(x)``: ``(lo, hi)``.

  Resamples ``x`` (flattened) with replacement ``n`` times with
  ``np.random.default_rng(seed)``: the same inputs give the same interval.
  One value gives ``(x, x)``; no value gives ``(nan, nan)``.
  """
  x = np.asarray(x, float).ravel()
  if not 0 < alpha < 1:
    raise ValueError(f"alpha must be in (0, 1), got {alpha}")
  if x.size == 0:
    return float("nan"), float("nan")
  rng = np.random.default_rng(seed)
  idx = rng.integers(0, x.size, size=(int(n), x.size))
  stats = _apply_stat(stat, x[idx])
  lo, hi = np.quantile(stats, [alpha / 2, 1 - alpha / 2])
  return float(lo), float(hi)


def mean_ci_band(values, n: int = 2000, alpha: float = 0.05, seed: int = 0
                 ) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
  """For curves ``values f[S, E]``: the mean over seeds and the bootstrap
  interval of that mean at every evaluation, ``(mean, lo, hi)`` each f[E].
  The same seed resamples are used at every evaluation (whole curves are
  resampled), so the band is that of the mean curve."""
  values = np.asarray(values, float)
  if values.ndim != 2:
    raise ValueError(f"values must be [seeds, evals], got shape {values.shape}")
  s = values.shape[0]
  mean = values.mean(axis=0) if s else np.full(values.shape[1], np.nan)
  if s == 0:
    return mean, mean.copy(), mean.copy()
  rng = np.random.default_rng(seed)
  idx = rng.integers(0, s, size=(int(n), s))
  boot = values[idx].mean(axis=1)                              # [n, E]
  lo, hi = np.quantile(boot, [alpha / 2, 1 - alpha / 2], axis=0)
  return mean, lo, hi


def _iqm_weights(n: int, fractional: bool) -> np.ndarray:
  """Weights of the sorted positions 0..n−1 in the IQM of n values."""
  if not fractional:
    k = int(0.25 * n)
    w = np.zeros(n)
    w[k:n - k] = 1.0
    return w
  cut = n / 4.0
  # Weight of sorted position i = overlap of [i, i + 1) with [cut, n − cut).
  i = np.arange(n, dtype=float)
  return np.clip(np.minimum(i + 1, n - cut) - np.maximum(i, cut), 0.0, 1.0)


def iqm(x, fractional: bool = False) -> float:
  """Interquartile mean of all entries of ``x``: the mean of the middle 50%.

  Default: as rliable defines it, ``scipy.stats.trim_mean(x, 0.25)`` on the
  flattened scores: ``floor(n / 4)`` values are cut from each end (scipy cuts
  whole values only). With ``fractional=True`` exactly ``n / 4`` values are
  cut from each end, the two boundary values counting with fractional weight
  (the textbook IQM when 4 does not divide n). Both agree when 4 divides n.
  """
  x = np.sort(np.asarray(x, float).ravel())
  if x.size == 0:
    return float("nan")
  w = _iqm_weights(x.size, fractional)
  return float(np.sum(w * x) / np.sum(w))


def iqm_ci(scores, n: int = 2000, alpha: float = 0.05, seed: int = 0,
           fractional: bool = False) -> Tuple[float, float]:
  """Stratified-bootstrap ``1 − alpha`` interval of the IQM (rliable's).

  ``scores`` is f[S] (one score per seed) or f[S, T] (seeds × tasks): each
  resample draws S seeds with replacement independently for every task
  column (stratified by task), then takes the IQM of all resampled scores.
  """
  x = np.asarray(scores, float)
  if x.ndim == 1:
    x = x[:, None]
  if x.ndim != 2:
    raise ValueError(f"scores must be [seeds] or [seeds, tasks], got shape {x.shape}")
  s, t = x.shape
  if s == 0 or t == 0:
    return float("nan"), float("nan")
  rng = np.random.default_rng(seed)
  idx = rng.integers(0, s, size=(int(n), s, t))                 # seed per (draw, slot, task)
  samples = np.take_along_axis(np.broadcast_to(x, (int(n), s, t)), idx, axis=1)
  flat = np.sort(samples.reshape(int(n), s * t), axis=1)
  w = _iqm_weights(s * t, fractional)
  stats = flat @ w / np.sum(w)
  lo, hi = np.quantile(stats, [alpha / 2, 1 - alpha / 2])
  return float(lo), float(hi)


def probability_of_improvement(x, y) -> float:
  """rliable's P(X > Y): for each task column m, the Mann–Whitney probability
  that a run of X beats a run of Y, P(x > y) + ½ P(x = y) over all pairs,
  averaged over the tasks (Agarwal et al. 2021, ``metrics.probability_of_
  improvement``). ``x`` f[N_x, M], ``y`` f[N_y, M] (runs × tasks); for tasks
  with different numbers of runs, ``probability_of_improvement_by_task``."""
  x, y = _runs_by_tasks(x), _runs_by_tasks(y)
  if x.shape[1] != y.shape[1]:
    raise ValueError(f"x and y need the same tasks, got {x.shape[1]} and {y.shape[1]}")
  return probability_of_improvement_by_task(list(x.T), list(y.T))


def probability_of_improvement_ci(x, y, n: int = 2000, alpha: float = 0.05, seed: int = 0
                                  ) -> Tuple[float, float]:
  """Stratified-bootstrap ``1 − alpha`` interval of ``probability_of_improvement``,
  as rliable's ``get_interval_estimates`` on the pair ``[x, y]``
  (``StratifiedIndependentBootstrap``): each resample draws, within every task
  column, runs with replacement for X and, independently, for Y (their run
  counts may differ); percentile interval."""
  x, y = _runs_by_tasks(x), _runs_by_tasks(y)
  if x.shape[1] != y.shape[1]:
    raise ValueError(f"x and y need the same tasks, got {x.shape[1]} and {y.shape[1]}")
  return probability_of_improvement_by_task_ci(list(x.T), list(y.T), n, alpha, seed)


def probability_of_improvement_by_task(xs: Sequence, ys: Sequence) -> float:
  """``probability_of_improvement`` with each task's runs given apart: ``xs[m]``
  and ``ys[m]`` are the scores of X and Y on task m (f[N_x,m], f[N_y,m]; the
  counts may differ between tasks, e.g. a family where one seed diverged).
  NaN when there is no task or a task has no run."""
  xs, ys = _per_task(xs, ys)
  if not xs or any(a.size == 0 for a in (*xs, *ys)):
    return float("nan")
  return float(np.mean([_pairwise_wins(a[None], b[None])[0] for a, b in zip(xs, ys)]))


def probability_of_improvement_by_task_ci(xs: Sequence, ys: Sequence, n: int = 2000,
                                          alpha: float = 0.05, seed: int = 0
                                          ) -> Tuple[float, float]:
  """Stratified-bootstrap interval of ``probability_of_improvement_by_task``:
  every resample redraws each task's runs of X and of Y with replacement,
  independently (rliable's ``StratifiedIndependentBootstrap``); percentile
  interval of the resampled statistic."""
  xs, ys = _per_task(xs, ys)
  if not xs or any(a.size == 0 for a in (*xs, *ys)):
    return float("nan"), float("nan")
  rng = np.random.default_rng(seed)
  stats = []
  for start in range(0, int(n), 256):            # bounded memory: R × N_x × N_y
    r = min(256, int(n) - start)
    per_task = []
    for a, b in zip(xs, ys):
      ab = a[rng.integers(0, a.size, size=(r, a.size))]
      bb = b[rng.integers(0, b.size, size=(r, b.size))]
      per_task.append(_pairwise_wins(ab, bb))
    stats.append(np.mean(per_task, axis=0))
  lo, hi = np.quantile(np.concatenate(stats), [alpha / 2, 1 - alpha / 2])
  return float(lo), float(hi)


def _per_task(xs, ys) -> Tuple[List[np.ndarray], List[np.ndarray]]:
  xs = [np.asarray(a, float).ravel() for a in xs]
  ys = [np.asarray(b, float).ravel() for b in ys]
  if len(xs) != len(ys):
    raise ValueError(f"x and y need the same tasks, got {len(xs)} and {len(ys)}")
  return xs, ys


def _runs_by_tasks(a) -> np.ndarray:
  a = np.asarray(a, float)
  a = a[:, None] if a.ndim == 1 else a
  if a.ndim != 2:
    raise ValueError(f"scores must be [runs] or [runs, tasks], got shape {a.shape}")
  return a


def _pairwise_wins(x, y) -> np.ndarray:
  """f[R]: P(x > y) + ½ P(x = y) over all pairs, per resample R, from ``x``
  f[R, N_x] and ``y`` f[R, N_y] (one task)."""
  gt = (x[:, :, None] > y[:, None, :]).mean(axis=(1, 2))
  eq = (x[:, :, None] == y[:, None, :]).mean(axis=(1, 2))
  return gt + 0.5 * eq


def normalized_scores(scores, low: float, high: float) -> np.ndarray:
  """(scores − low) / (high − low): 0 at ``low`` (a random policy's return),
  1 at ``high`` (the best return observed on the family); NaN if high = low."""
  scores = np.asarray(scores, float)
  span = float(high) - float(low)
  return (scores - float(low)) / span if span != 0 else np.full_like(scores, np.nan)


def area_under_curve(env_steps, values, normalize: bool = True):
  """Trapezoidal area under ``values`` (f[E] or f[S, E], per row) against
  ``env_steps``. With ``normalize`` (default) it is divided by the step span,
  i.e. the curve's average value over training: comparable across budgets.
  A single evaluation gives that value (normalised) or 0."""
  x = np.asarray(env_steps, float)
  y = np.asarray(values, float)
  if y.shape[-1] != x.shape[0]:
    raise ValueError(f"{x.shape[0]} env steps but curves of length {y.shape[-1]}")
  if x.shape[0] == 0:
    out = np.full(y.shape[:-1], np.nan)
  elif x.shape[0] == 1:
    out = y[..., 0] if normalize else np.zeros(y.shape[:-1])
  else:
    area = np.sum((y[..., 1:] + y[..., :-1]) / 2.0 * np.diff(x), axis=-1)
    out = area / (x[-1] - x[0]) if normalize else area
  return float(out) if np.ndim(out) == 0 else out


def steps_to_threshold(env_steps, values, threshold: float):
  """First env step at which the curve reaches ``threshold`` (``>=``); ``inf``
  if it never does. ``values`` f[E] gives a float, f[S, E] one per row."""
  x = np.asarray(env_steps, float)
  y = np.asarray(values, float)
  if y.shape[-1] != x.shape[0]:
    raise ValueError(f"{x.shape[0]} env steps but curves of length {y.shape[-1]}")
  if x.size == 0:
    out = np.full(y.shape[:-1], np.inf)
  else:
    reached = y >= threshold          # NaN compares False: never "reached"
    first = np.argmax(reached, axis=-1)
    out = np.where(np.any(reached, axis=-1), x[first], np.inf)
  return float(out) if np.ndim(out) == 0 else out


# ------------------------------------------------------------------ summary --

def midpoint_threshold(runs_by_label: Mapping[str, Any], key: str = "eval_return_mean",
                       last_k_evals: int = 1) -> float:
  """Halfway between the worst and the best label's final mean; NaN when
  the labels' final means are all equal (e.g. every strategy stuck at the
  same floor): there is no "halfway" to reach, and the first evaluation would
  otherwise count as reaching it."""
  means = [np.mean(final_values(_rows_of(r), key, last_k_evals))
           for r in runs_by_label.values() if _rows_of(r)]
  if not means or min(means) == max(means):
    return float("nan")
  return float((min(means) + max(means)) / 2.0)


def summarize(runs_by_label: Mapping[str, Any], key: str = "eval_return_mean",
              threshold: Optional[float] = None, last_k_evals: int = 1,
              n_boot: int = 2000, alpha: float = 0.05, seed: int = 0) -> List[Dict[str, Any]]:
  """One dict per label (a run dict from ``load_run`` or its rows):
  ``label, seeds, final_mean, final_lo, final_hi, iqm, iqm_lo, iqm_hi, auc,
  steps_to_threshold, threshold``.

  Final: per-seed mean of the last ``last_k_evals`` evaluations; mean over
  seeds with a bootstrap interval over seeds. IQM: over the per-seed,
  per-evaluation-task final returns when ``key`` is ``eval_return_mean`` and
  they are present (rliable's runs × tasks), else over the per-seed finals;
  stratified bootstrap over seeds. AUC: normalised area under the seed-mean
  curve. Steps to threshold: on the seed-mean curve; ``threshold=None``
  takes ``midpoint_threshold``.
  """
  if threshold is None:
    threshold = midpoint_threshold(runs_by_label, key, last_k_evals)
  out = []
  for label, run in runs_by_label.items():
    rows = _rows_of(run)
    steps, values = curves(rows, key)
    fin = final_values(rows, key, last_k_evals)
    lo, hi = bootstrap_ci(fin, np.mean, n_boot, alpha, seed)
    if key == "eval_return_mean" and task_keys(rows):
      scores = final_task_scores(rows, last_k_evals)
    else:
      scores = fin
    i_lo, i_hi = iqm_ci(scores, n_boot, alpha, seed)
    mean_curve = values.mean(axis=0) if values.size else np.zeros((0,))
    out.append({
        "label": label, "seeds": int(values.shape[0]),
        "final_mean": float(np.mean(fin)) if fin.size else float("nan"),
        "final_lo": lo, "final_hi": hi,
        "iqm": iqm(scores) if np.size(scores) else float("nan"),
        "iqm_lo": i_lo, "iqm_hi": i_hi,
        "auc": area_under_curve(steps, mean_curve) if steps.size else float("nan"),
        "steps_to_threshold": (float("nan") if math.isnan(threshold) else
                               steps_to_threshold(steps, mean_curve, threshold)
                               if steps.size else float("inf")),
        "threshold": float(threshold),
    })
  return out


def _fmt(v: float, digits: int = 3) -> str:
  if v is None or (isinstance(v, float) and math.isnan(v)):
    return "n/a"
  if math.isinf(v):
    return "never" if v > 0 else "-inf"
  return f"{v:.{digits}g}" if abs(v) >= 1e4 else f"{v:.{digits}f}"


def summary_table(runs_by_label: Mapping[str, Any], key: str = "eval_return_mean",
                  threshold: Optional[float] = None, last_k_evals: int = 1,
                  n_boot: int = 2000, alpha: float = 0.05, seed: int = 0,
                  digits: int = 3) -> str:
  """A markdown table of ``summarize``: label, seeds, final mean [CI],
  IQM [CI], AUC (normalised: the average over training), env steps until the
  seed-mean curve first reaches the threshold ("never" if it does not, "n/a"
  without a threshold)."""
  rows = summarize(runs_by_label, key, threshold, last_k_evals, n_boot, alpha, seed)
  pct = f"{100 * (1 - alpha):g}%"
  thr = rows[0]["threshold"] if rows else threshold
  head = ["label", "seeds", f"final mean [{pct} CI]", f"IQM [{pct} CI]",
          "AUC (mean over training)", f"env steps to {_fmt(thr, digits)}"]
  lines = ["| " + " | ".join(head) + " |", "|" + "|".join(["---"] + ["---:"] * 5) + "|"]
  for r in rows:
    steps = r["steps_to_threshold"]
    lines.append("| " + " | ".join([
        str(r["label"]), str(r["seeds"]),
        f"{_fmt(r['final_mean'], digits)} [{_fmt(r['final_lo'], digits)}, "
        f"{_fmt(r['final_hi'], digits)}]",
        f"{_fmt(r['iqm'], digits)} [{_fmt(r['iqm_lo'], digits)}, {_fmt(r['iqm_hi'], digits)}]",
        _fmt(r["auc"], digits),
        _fmt(steps) if not math.isfinite(steps) else f"{int(steps)}",
    ]) + " |")
  return "\n".join(lines) + "\n"


__all__ = ["area_under_curve", "bootstrap_ci", "curves", "final_task_scores",
           "final_values", "group_runs", "iqm", "iqm_ci", "load_run", "load_sweep",
           "mean_ci_band", "midpoint_threshold", "seeds", "steps_to_threshold",
           "summarize", "summary_table", "task_keys"]
