"""REPRODUCTION.md from run directories: tables, learning curves, verdicts.

``experiments/reproduce.py`` trains a study (``hindsight/studies``) as sweeps
into one directory per study; this module reads those directories back and
writes the report. Nothing in the report is typed by hand: every number,
figure and verdict is computed here from ``metrics.csv`` files, so re-running
the generator after more runs finish updates everything.

Verdicts. For a claim "A beats B" on a family, the difference of the seed
means of the final evaluation return, A − B, gets a 95 % percentile-bootstrap
interval (seeds of A and of B resampled independently). The family counts
as *better* when the interval lies above 0, *worse* when below, *tied*
otherwise. A ``better`` claim is **reproduced** when every family run is
better, **partly** when at least one is, **not reproduced** when none is. A
``not_worse`` claim ("A is at least as good as B") is reproduced when no
family is worse, partly when some but not all are, not reproduced when all
are. Families whose cells have not run are listed as such and left out, and
so are families with *no signal*: every seed of A and of B ended at one and
the same value (say, every strategy stuck at a sparse reward's floor), where
"tied" would count as support for a ``not_worse`` claim that the runs cannot
give. A shared value above the trivial policies' on a family that learned
(every seed of both solved the task) is a tie, not a lack of signal.
A family counts only where something was learned (``family_guard``): some
strategy beats the stronger of the recorded trivial policies (uniform
random; every action 0 on continuous-action families), each of its k
strategies tested at level alpha / k.

Pure NumPy (matplotlib for figures): no JAX import.
"""

from __future__ import annotations

import math
import os
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np

from hindsight import analysis

SUCCESS = "eval_success_mean"


# ------------------------------------------------------------------- cells --

def cell_key(config_path: str, relabeler: str, options: Sequence[str]) -> Tuple:
  """How a study cell and a sweep grid point are matched: config file name,
  relabeler, and the sorted ``key=value`` options."""
  opts = tuple(sorted(o.replace("config.", "", 1) if o.startswith("config.") else o
                      for o in options))
  return (os.path.basename(config_path), relabeler, opts)


def load_cells(study, sweep_dir: str) -> Dict[Tuple[str, str], Optional[Dict[str, Any]]]:
  """``{(family, label): run dict or None}`` for every cell of ``study``; a
  cell whose run has no evaluation yet is ``None``."""
  by_key = {}
  if os.path.isdir(sweep_dir):
    for run in analysis.load_sweep(sweep_dir):
      point = run.get("point") or {}
      grid = point.get("grid") or {}
      key = cell_key(point.get("config", ""), point.get("relabeler", ""),
                     [f"{k}={v}" for k, v in grid.items()])
      by_key[key] = run
  return {(c.family, c.label): by_key.get(cell_key(c.config, c.relabeler, c.options))
          for c in study.cells}


def _labels(study, family: str) -> List[str]:
  return [c.label for c in study.cells if c.family == family]


def _finals(run, key: str) -> np.ndarray:
  return analysis.final_values(run["rows"], key) if run else np.zeros((0,))


def _complete(run) -> bool:
  return bool(run) and run.get("status") == "done"


# -------------------------------------------------------------- statistics --

def diff_ci(a, b, n: int = 2000, alpha: float = 0.05, seed: int = 0
            ) -> Tuple[float, float, float]:
  """``(mean(a) − mean(b), lo, hi)``: percentile-bootstrap interval of the
  difference of means, ``a`` and ``b`` (per-seed values) resampled
  independently with ``np.random.default_rng(seed)``."""
  a = np.asarray(a, float).ravel()
  b = np.asarray(b, float).ravel()
  if a.size == 0 or b.size == 0:
    return float("nan"), float("nan"), float("nan")
  rng = np.random.default_rng(seed)
  ma = a[rng.integers(0, a.size, size=(int(n), a.size))].mean(axis=1)
  mb = b[rng.integers(0, b.size, size=(int(n), b.size))].mean(axis=1)
  lo, hi = np.quantile(ma - mb, [alpha / 2, 1 - alpha / 2])
  return float(a.mean() - b.mean()), float(lo), float(hi)


def outcome(lo: float, hi: float) -> str:
  """'better' (interval above 0), 'worse' (below), 'tied' (contains 0)."""
  if math.isnan(lo) or math.isnan(hi):
    return "missing"
  if lo > 0:
    return "better"
  if hi < 0:
    return "worse"
  return "tied"


def no_signal(a, b) -> bool:
  """Every per-seed value of ``a`` and of ``b`` is one and the same number:
  the comparison carries no information (not even a tie between two
  distributions)."""
  v = np.concatenate([np.asarray(a, float).ravel(), np.asarray(b, float).ravel()])
  return v.size > 0 and bool(np.all(v == v[0]))


_LEFT_OUT = ("missing", "no signal", "not learned", "unchecked")


def verdict(kind: str, outcomes: Sequence[str]) -> str:
  """'reproduced', 'partly', 'not reproduced', 'not testable at this budget',
  'no signal' or 'not run yet' from the per-family outcomes (missing,
  no-signal and not-learned families are left out; when every family that
  ran was left out because nothing was learned, the claim is not testable)."""
  got = [o for o in outcomes if o not in _LEFT_OUT]
  if not got:
    if "not learned" in outcomes:
      return "not testable at this budget"
    if "unchecked" in outcomes:
      return "not checked (runs without a random-policy reference)"
    return "no signal" if "no signal" in outcomes else "not run yet"
  if kind == "better":
    n = sum(o == "better" for o in got)
    return "reproduced" if n == len(got) else ("partly" if n else "not reproduced")
  if kind == "not_worse":
    n = sum(o == "worse" for o in got)
    return "reproduced" if n == 0 else ("partly" if n < len(got) else "not reproduced")
  raise ValueError(f"unknown claim kind {kind!r}; kinds: better, not_worse")


REFERENCES = (("random", "random_policy.json", "uniform-random policy"),
              ("zero", "zero_policy.json", "zero-action policy"))


def reference_values(run, metric: str = "eval_return_mean", file: str = "random_policy.json"
                     ) -> Optional[np.ndarray]:
  """A trivial policy's mean evaluation ``metric`` (return, or success where
  the study compares success) per repetition, from the run's ``file``
  (``random_policy.json``: uniform-random actions; ``zero_policy.json``: every
  action 0), or None where the run has no such file."""
  if not run or not run.get("run_dir"):
    return None
  path = os.path.join(run["run_dir"], file)
  if not os.path.exists(path):
    return None
  import json
  try:
    with open(path) as f:
      values = json.load(f).get(metric)
  except (OSError, ValueError):
    return None
  return np.asarray(values, float) if values else None


def learned_guard(best_finals, reference, n_boot: int = 2000, alpha: float = 0.05
                  ) -> Dict[str, Any]:
  """Whether learning happened at this budget: the best strategy's final
  returns (per seed) beat the reference policy's (per repetition), the
  bootstrap interval of the difference of means above 0."""
  if reference is None or np.size(reference) == 0:
    return {"outcome": "no reference", "diff": float("nan"), "lo": float("nan"),
            "hi": float("nan")}
  d, lo, hi = diff_ci(best_finals, reference, n_boot, alpha)
  return {"outcome": "learned" if lo > 0 else "not learned", "diff": d, "lo": lo, "hi": hi}


def family_guard(study, family: str, cells, metric: str, n_boot: int, alpha: float
                 ) -> Dict[str, Any]:
  """``learned_guard`` for ``family``: whether some finished strategy beats
  the stronger (higher mean) of the trivial policies its runs recorded, the
  uniform-random one and, on continuous-action families, the zero-action one
  — a family where doing nothing matches every strategy (an Ant standing
  still collects the whole survival bonus) learned nothing. Each of the k
  finished strategies is tested at level ``alpha / k`` (Bonferroni: the chance
  that some strategy passes on a family where none learned stays below
  ``alpha``), and the one with the highest lower bound is reported
  (``best``): a high-variance strategy with the best mean cannot hide a
  family where another strategy learned beyond doubt. ``best_mean`` is the
  highest final mean of any strategy (the family's 1 when P(A > B)
  normalises). Families whose runs recorded neither policy are 'no
  reference' (not counted as learned)."""
  runs = {l: cells.get((family, l)) for l in _labels(study, family)}
  done = {l: r for l, r in runs.items() if _complete(r)}
  if not done:
    return {"outcome": "missing", "best": None, "random": float("nan"),
            "diff": float("nan"), "lo": float("nan"), "hi": float("nan")}
  finals = {l: _finals(r, metric) for l, r in done.items()}
  refs = {}
  for name, file, _ in REFERENCES:
    refs[name] = next((x for x in (reference_values(r, metric, file) for r in runs.values())
                       if x is not None), None)
  have = [n for n, _, _ in REFERENCES if refs[n] is not None]
  against = max(have, key=lambda n: float(np.mean(refs[n])), default=None)
  level = alpha / len(finals)
  tests = {l: learned_guard(f, refs[against] if against else None, n_boot, level)
           for l, f in finals.items()}
  best = max(tests, key=lambda l: (-math.inf if math.isnan(tests[l]["lo"]) else tests[l]["lo"],
                                   float(np.mean(finals[l]))))
  out = dict(tests[best])
  out.update(best=best, best_mean=max(float(np.mean(f)) for f in finals.values()),
             against=against, alpha=level, strategies=len(finals))
  for name, _, _ in REFERENCES:
    v = refs[name]
    out[name] = float(np.mean(v)) if v is not None else float("nan")
    out[f"{name}_values"] = v
  out["reference"] = out[against] if against else float("nan")
  return out


def check_claim(claim, cells, metric: str, n_boot: int, alpha: float,
                guards: Optional[Mapping[str, Mapping[str, Any]]] = None) -> Dict[str, Any]:
  """Per family: the difference A − B with its interval and outcome; and the
  claim's verdict. Only finished runs (manifest status 'done') count. With
  ``guards`` (``family_guard`` per family), a family where nothing was
  learned (or that has no random-policy reference) is 'not learned' and left
  out of the verdict."""
  rows, counted = [], []
  for fam in claim.families:
    ra, rb = cells.get((fam, claim.a)), cells.get((fam, claim.b))
    guard = (guards or {}).get(fam)
    if (guard is not None and guard["outcome"] in ("not learned", "no reference")
        and _complete(ra) and _complete(rb)):
      fa, fb = _finals(ra, metric), _finals(rb, metric)
      d, lo, hi = diff_ci(fa, fb, n_boot, alpha)
      left_out = "not learned" if guard["outcome"] == "not learned" else "unchecked"
      rows.append({"family": fam, "outcome": left_out, "diff": d, "lo": lo, "hi": hi,
                   "a": float(fa.mean()), "b": float(fb.mean())})
      continue
    if not (_complete(ra) and _complete(rb)):
      rows.append({"family": fam, "outcome": "missing", "diff": float("nan"),
                   "lo": float("nan"), "hi": float("nan"), "a": float("nan"),
                   "b": float("nan")})
      continue
    fa, fb = _finals(ra, metric), _finals(rb, metric)
    d, lo, hi = diff_ci(fa, fb, n_boot, alpha)
    # One shared value is no signal when it is a floor; where the family
    # learned and that value beats the trivial policies (both solved the
    # task, say every seed at success 1), it is a tie.
    shared_learned = (guard is not None and guard["outcome"] == "learned" and fa.size
                      and float(fa.ravel()[0]) > guard["reference"])
    res = "no signal" if no_signal(fa, fb) and not shared_learned else outcome(lo, hi)
    rows.append({"family": fam, "outcome": res, "diff": d, "lo": lo, "hi": hi,
                 "a": float(fa.mean()), "b": float(fb.mean())})
    if res != "no signal" and guard is not None and guard["outcome"] == "learned":
      counted.append((fa, fb, guard["random"], guard["best_mean"]))
  return {"claim": claim, "families": rows,
          "verdict": verdict(claim.kind, [r["outcome"] for r in rows]),
          "improvement": claim_improvement(counted, n_boot, alpha)}


def claim_improvement(counted, n_boot: int, alpha: float) -> Optional[Dict[str, Any]]:
  """rliable's probability of improvement P(A > B) over the families that
  count toward a claim (learned there), with its stratified-bootstrap
  interval: each family's final returns normalised by its random policy's
  (0) and its best strategy's (1) mean; each family is a stratum with its
  own seeds (a family where a seed diverged has fewer). ``counted``: (finals
  of A, finals of B, random return, best return) per family. None when no
  family counts."""
  if not counted:
    return None
  xs = [analysis.normalized_scores(fa, lo, hi) for fa, _, lo, hi in counted]
  ys = [analysis.normalized_scores(fb, lo, hi) for _, fb, lo, hi in counted]
  if not all(np.all(np.isfinite(a)) for a in (*xs, *ys)):
    return None
  p = analysis.probability_of_improvement_by_task(xs, ys)
  lo, hi = analysis.probability_of_improvement_by_task_ci(xs, ys, n_boot, alpha)
  return {"p": p, "lo": lo, "hi": hi, "families": len(counted)}


# ------------------------------------------------------------------ tables --

def _f(v: float, digits: int = 3) -> str:
  if v is None or (isinstance(v, float) and math.isnan(v)):
    return "n/a"
  if math.isinf(v):
    return "never"
  return f"{v:.{digits}g}" if abs(v) >= 1e4 else f"{v:.{digits}f}"


def family_table(study, family: str, cells, metric: str, n_boot: int, alpha: float) -> str:
  """Markdown: one row per strategy of ``family``."""
  labels = _labels(study, family)
  runs = {l: cells[(family, l)] for l in labels if cells.get((family, l))}
  # Success rates: steps until half the evaluation tasks are reached (the
  # midpoint of the strategies' finals is undefined when all end at 1).
  thr = 0.5 if metric == SUCCESS else None
  summary = {r["label"]: r for r in analysis.summarize(runs, metric, threshold=thr,
                                                       n_boot=n_boot, alpha=alpha)
             } if runs else {}
  has_success = any(SUCCESS in (run["rows"][0] if run["rows"] else {})
                    for run in runs.values())
  pct = f"{100 * (1 - alpha):g} %"
  thr = next(iter(summary.values()))["threshold"] if summary else float("nan")
  measure = "success" if metric == SUCCESS else "return"
  head = ["strategy", "seeds", "env steps", f"final {measure} [{pct} CI]",
          f"IQM [{pct} CI]", "AUC", f"env steps to {_f(thr)}"]
  has_success = has_success and metric != SUCCESS  # else the column above is success
  if has_success:
    head.append("final success")
  lines = ["| " + " | ".join(head) + " |", "|---" + "|---:" * (len(head) - 1) + "|"]
  for l in labels:
    run = cells.get((family, l))
    if not run:
      lines.append("| " + " | ".join([l, "0", "not run yet"] + [""] * (len(head) - 3)) + " |")
      continue
    s = summary[l]
    steps, _ = analysis.curves(run["rows"], metric)
    status = "" if _complete(run) else " (running)"
    gone = len(run.get("diverged_seeds") or ())
    row = [l, str(s["seeds"]) + (f" (+{gone} diverged)" if gone else ""),
           f"{int(steps[-1]) if steps.size else 0}{status}",
           f"{_f(s['final_mean'])} [{_f(s['final_lo'])}, {_f(s['final_hi'])}]",
           f"{_f(s['iqm'])} [{_f(s['iqm_lo'])}, {_f(s['iqm_hi'])}]", _f(s["auc"]),
           _f(s["steps_to_threshold"]) if not math.isfinite(s["steps_to_threshold"])
           else str(int(s["steps_to_threshold"]))]
    if has_success:
      fin = _finals(run, SUCCESS)
      row.append(_f(float(np.mean(fin))) if fin.size else "n/a")
    lines.append("| " + " | ".join(row) + " |")
  return "\n".join(lines) + "\n"


# The learner's columns the diagnostics table shows first (SAC: the critic's
# mean Q, temperature and policy entropy; DQN: the exploration rate), then
# every ``relabel/*`` column the family's runs logged.
DIAGNOSTICS = ("q_mean", "alpha", "entropy", "epsilon")


def diagnostics_table(study, family: str, cells) -> str:
  """Markdown: per strategy, the seed-mean of each training diagnostic at the
  last epoch (what the closing explanations of a verdict rest on: chosen
  percentiles, advantages, posterior entropy, changed fraction, mean Q).
  Empty when no cell of the family ran."""
  labels = [l for l in _labels(study, family) if cells.get((family, l))]
  if not labels:
    return ""
  present = set()
  for l in labels:
    rows = cells[(family, l)]["rows"]
    present |= set(rows[0]) if rows else set()
  cols = [k for k in DIAGNOSTICS if k in present]
  cols += sorted(k for k in present if k.startswith("relabel/"))
  if not cols:
    return ""
  lines = ["Training diagnostics at the last epoch (mean over seeds; — where a cell does "
           "not log it):\n", "| strategy | " + " | ".join(f"`{c}`" for c in cols) + " |",
           "|---" + "|---:" * len(cols) + "|"]
  for l in labels:
    rows = cells[(family, l)]["rows"]
    have = set(rows[0]) if rows else set()
    vals = []
    for c in cols:
      fin = analysis.final_values(rows, c) if c in have else np.zeros((0,))
      fin = fin[np.isfinite(fin)]
      vals.append(_f(float(np.mean(fin))) if fin.size else "—")
    lines.append(f"| {l} | " + " | ".join(vals) + " |")
  return "\n".join(lines) + "\n"


def guard_line(guard: Mapping[str, Any], alpha: float) -> str:
  """The family's 'learned at this budget' outcome, as a sentence."""
  pct = f"{100 * (1 - alpha):g} %"
  o = guard["outcome"]
  if o == "missing":
    return "Learned at this budget: not known yet (no finished cell).\n"
  if o == "no reference":
    return ("Learned at this budget: **not checked** — the runs predate the recorded "
            "uniform-random policy (`random_policy.json`), so the family is left out of "
            "the verdicts.\n")
  parts = []
  for name, file, what in REFERENCES:
    ref = guard.get(f"{name}_values")
    if ref is None:
      continue
    n = int(np.size(ref))
    parts.append(f"{what} on the same evaluation tasks: {_f(guard[name])} (mean of {n} "
                 f"repetitions, `{file}`)")
  against = dict((n, w) for n, _, w in REFERENCES)[guard["against"]]
  text = "; ".join(parts)
  k = int(guard.get("strategies", 1))
  if k > 1:
    pct = f"{100 * (1 - guard['alpha']):.4g} %"
    who = (f". Of the {k} strategies, each tested at {pct} (Bonferroni), the one with the "
           f"highest lower bound, `{guard['best']}`, − the {against}")
  else:
    who = f". Strategy `{guard['best']}` − the {against}"
  head = (text[0].upper() + text[1:] + who
          + (" (the stronger reference)" if len(parts) > 1 else "")
          + f" = {_f(guard['diff'])} [{pct} CI {_f(guard['lo'])}, {_f(guard['hi'])}]")
  if o == "learned":
    return head + " → **learned at this budget**.\n"
  return head + " → **not learned at this budget**: the family is left out of the verdicts.\n"


def _save_figure(fig, path: str) -> None:
  """Writes ``fig`` to ``path`` atomically (a PNG) and closes it."""
  import matplotlib.pyplot as plt
  fig.tight_layout()
  os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
  tmp = path + ".tmp.png"
  fig.savefig(tmp)
  plt.close(fig)
  os.replace(tmp, path)


def plot_family(study, family: str, cells, metric: str, path: str, n_boot: int,
                alpha: float) -> Optional[str]:
  """Learning curves of every strategy (seed mean, bootstrap band); writes a
  PNG (atomically) and returns its path, or None if no cell has run."""
  runs = [(l, cells.get((family, l))) for l in _labels(study, family)]
  runs = [(l, r) for l, r in runs if r and r["rows"]]
  if not runs:
    return None
  import matplotlib
  matplotlib.use("Agg")
  import matplotlib.pyplot as plt
  fig, ax = plt.subplots(figsize=(5.5, 3.6), dpi=110)
  for label, run in runs:
    steps, values = analysis.curves(run["rows"], metric)
    mean, lo, hi = analysis.mean_ci_band(values, n_boot, alpha)
    (line,) = ax.plot(steps, mean, label=f"{label} ({values.shape[0]})")
    ax.fill_between(steps, lo, hi, color=line.get_color(), alpha=0.2, linewidth=0)
  ax.set_xlabel("env steps")
  ax.set_ylabel(metric.replace("_", " "))
  ax.set_title(f"{family} ({study.name}, {study.scale})", fontsize=10)
  ax.grid(alpha=0.3)
  ax.legend(fontsize=8, title=f"strategy (seeds), {100 * (1 - alpha):g}% CI",
            title_fontsize=7)
  _save_figure(fig, path)
  return path


def axis_figure(study, cells, metric: str, path: str, n_boot: int, alpha: float
                ) -> Tuple[Optional[str], str]:
  """For a study whose families are one setting at several values
  (``study.axis``: ``name`` and ``values`` {family: value}, e.g. HER's bits
  n): the final ``metric`` of each strategy against that value (seed mean,
  bootstrap CI), as a PNG (None if nothing has finished) and a markdown
  table. Unfinished cells are left out of both."""
  axis = study.axis
  fams = sorted(axis["values"], key=lambda f: axis["values"][f])
  labels = list(dict.fromkeys(c.label for c in study.cells))
  rows = {}
  for label in labels:
    for fam in fams:
      run = cells.get((fam, label))
      if _complete(run):
        x = _finals(run, metric)
        lo, hi = analysis.bootstrap_ci(x, n=n_boot, alpha=alpha)
        rows[(label, fam)] = (float(np.mean(x)), lo, hi)
  pct = f"{100 * (1 - alpha):g} %"
  head = "| strategy | " + " | ".join(f"{axis['name']} = {axis['values'][f]}" for f in fams)
  lines = [head + " |", "|---|" + "---:|" * len(fams)]
  for label in labels:
    vals = [rows.get((label, f)) for f in fams]
    lines.append(f"| {label} | " + " | ".join(
        f"{_f(v[0], 2)} [{_f(v[1], 2)}, {_f(v[2], 2)}]" if v else "not run yet"
        for v in vals) + " |")
  table = (f"Final {metric.replace('_', ' ')} per strategy and {axis['name']} (seed mean "
           f"[{pct} bootstrap CI]):\n\n" + "\n".join(lines) + "\n")
  if not rows:
    return None, table
  import matplotlib
  matplotlib.use("Agg")
  import matplotlib.pyplot as plt
  fig, ax = plt.subplots(figsize=(5.5, 3.6), dpi=110)
  # Distinct markers, sizes and dashes, so strategies on the same values
  # (all at success 1, say) stay visible over one another.
  styles = [("o", 9, "-"), ("s", 6.5, "--"), ("^", 4.5, ":"), ("D", 3.5, "-.")]
  for i, label in enumerate(labels):
    pts = [(axis["values"][f], *rows[(label, f)]) for f in fams if (label, f) in rows]
    if not pts:
      continue
    x, m, lo, hi = (np.asarray(v, float) for v in zip(*pts))
    marker, size, dash = styles[i % len(styles)]
    (line,) = ax.plot(x, m, marker=marker, markersize=size, linestyle=dash, label=label)
    ax.fill_between(x, lo, hi, color=line.get_color(), alpha=0.2, linewidth=0)
  ax.set_xlabel(axis["name"])
  ax.set_ylabel(f"final {metric.replace('_', ' ')}")
  ax.set_title(f"{study.name} ({study.scale}): final evaluation", fontsize=10)
  ax.grid(alpha=0.3)
  ax.legend(fontsize=8, title=f"strategy, {pct} CI", title_fontsize=7)
  _save_figure(fig, path)
  return path, table


# ------------------------------------------------------------------ report --

_MARK = {"better": "better", "worse": "**worse**", "tied": "tied", "missing": "not run yet",
         "no signal": "no signal (every seed of both ended at the same value; left out)",
         "not learned": "not learned at this budget (no strategy beat the random or "
                        "zero-action policy; left out)",
         "unchecked": "not checked (the runs predate the random-policy reference; left out)"}


def claims_section(results: Sequence[Mapping[str, Any]], alpha: float) -> str:
  pct = f"{100 * (1 - alpha):g} %"
  out = []
  for res in results:
    c = res["claim"]
    n = len(res["families"])
    run = sum(r["outcome"] != "missing" for r in res["families"])
    used = sum(r["outcome"] not in _LEFT_OUT for r in res["families"])
    scope = (f" (on {used} of {n} families" + (" so far" if run < n else "") + ")"
             if 0 < used < n else "")
    out.append(f"- **{res['verdict']}**{scope} — {c.text} (`{c.a}` vs `{c.b}`)")
    imp = res.get("improvement")
    if imp:
      out.append(f"  - P({c.a} > {c.b}) = {imp['p']:.2f} [{pct} CI {imp['lo']:.2f}, "
                 f"{imp['hi']:.2f}] over the {imp['families']} famil"
                 f"{'y' if imp['families'] == 1 else 'ies'} where something was learned "
                 "(rliable's probability of improvement, stratified bootstrap)")
    for r in res["families"]:
      if r["outcome"] == "missing":
        out.append(f"  - {r['family']}: not run yet")
      else:
        out.append(f"  - {r['family']}: {c.a} {_f(r['a'])} vs {c.b} {_f(r['b'])}; "
                   f"difference {_f(r['diff'])} [{pct} CI {_f(r['lo'])}, {_f(r['hi'])}] "
                   f"→ {_MARK[r['outcome']]}")
  return "\n".join(out) + "\n"


def setting_value(config: Mapping[str, Any], key: str) -> Any:
  """A setting of a run's config: a dotted key, or a derived name —
  ``warmup_steps`` (warm-up episodes × H) and ``buffer_size`` (the replay
  buffer's capacity in transitions). ``None`` where the config lacks it."""
  train = config.get("train", {}) or {}
  horizon = ((config.get("env", {}) or {}).get("options") or {}).get("horizon")
  if key == "warmup_steps":
    n = train.get("warmup_episodes")
    return None if n is None or horizon is None else int(n) * int(horizon)
  # Older runs logged the derived count per iteration instead of the rate;
  # newer ones may fix the count (train.updates_per_iteration > 0).
  if key == "train.updates_per_env_step" and (
      "updates_per_env_step" not in train or (train.get("updates_per_iteration") or 0) > 0):
    upd, n = train.get("updates_per_iteration"), train.get("num_envs")
    return None if None in (upd, n, horizon) else float(upd) / (int(n) * int(horizon))
  if key == "gamma" and "gamma" not in config:  # runs from before γ left the learner block
    return (config.get("learner", {}) or {}).get("gamma")
  if key == "buffer_size":
    if train.get("buffer_transitions"):
      return int(train["buffer_transitions"])
    n = train.get("buffer_episodes")
    return None if n is None or horizon is None else int(n) * int(horizon)
  node: Any = config
  for part in key.split("."):
    if not isinstance(node, Mapping) or part not in node:
      return None
    node = node[part]
  return node


def _show(v: Any) -> str:
  if v is None:
    return "?"
  if isinstance(v, (list, tuple)):
    return "×".join(str(x) for x in v)
  if isinstance(v, bool):
    return str(v)
  if isinstance(v, float):
    return f"{v:.4g}"
  if isinstance(v, int):
    return f"{v:,}"
  return str(v)


def same_setting(a: Any, b: Any, rel_tol: float = 1e-6) -> bool:
  """Equal settings: numbers within ``rel_tol`` relative, sequences element-wise."""
  if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
    return len(a) == len(b) and all(same_setting(x, y, rel_tol) for x, y in zip(a, b))
  if isinstance(a, bool) or isinstance(b, bool):
    return a is b or a == b
  if isinstance(a, (int, float)) and isinstance(b, (int, float)):
    return math.isclose(float(a), float(b), rel_tol=rel_tol, abs_tol=1e-12)
  return a == b


def setup_table(settings: Sequence[Sequence[Any]], config: Optional[Mapping[str, Any]]
                ) -> str:
  """Markdown: setting | the paper's value | this study's | source, with ≠
  where they differ (``config``: a run's config.json; None: not run yet)."""
  lines = ["| setting | paper | this study | source |", "|---|---|---|---|"]
  for key, paper, source, *tol in settings:
    if config is None:
      ours = "not run yet"
    else:
      v = setting_value(config, key)
      if same_setting(v, paper):
        mark = ""
      elif tol and same_setting(v, paper, float(tol[0])):
        mark = " (≈: whole episodes)"
      else:
        mark = " **≠**"
      ours = _show(v) + mark
    lines.append(f"| `{key}` | {_show(paper)} | {ours} | {source} |")
  return "\n".join(lines) + "\n"


def budget_section(study, cells=None) -> str:
  """The scale's budget per family, then per family the papers' settings
  against the ones its runs used (the config.json of the family's first cell
  that has run), and what the setup cannot match."""
  lines = ["| family | budget (`--config.` overrides) | seeds |", "|---|---|---:|"]
  for fam in study.families:
    lines.append(f"| {fam} | {', '.join(f'`{s}`' for s in study.budgets[fam])} | "
                 f"{study.num_seeds} |")
  out = ["\n".join(lines) + "\n"]
  settings = study.get("paper_settings") or {}
  differences = study.get("differences") or {}
  shown = {}  # a family's setup text -> the first family shown with it
  for fam in study.families:
    first = next((c.label for c in study.cells if c.family == fam), None)
    run = (cells or {}).get((fam, first))
    config = run.get("config") if run else None
    body = setup_table(settings.get(fam, []), config)
    diffs = differences.get(fam, [])
    if diffs:
      body += ("\nWhat differs from the paper:\n\n" + "\n".join(f"- {d}" for d in diffs)
               + "\n")
    if body in shown:   # e.g. HER's bit-flipping sizes: one setup for every n
      out.append(f"**{fam}** — the same setup as **{shown[body]}**.\n")
      continue
    shown[body] = fam
    out.append(f"**{fam}** — the paper's setup and this study's "
               f"(from the `{first}` cell's config.json):\n")
    out.append(body)
  return "\n".join(out)


def _wall_hours(cells) -> Optional[float]:
  """Training time summed over the cells: each run's last ``wall_time`` in
  metrics.csv (it carries over resumes and leaves out start-up and
  compilation), so it holds for runs copied in from another directory."""
  total = sum(max((float(r["wall_time"]) for r in run["rows"] if r.get("wall_time") not in
                   (None, "")), default=0.0)
              for run in cells.values() if run and run.get("rows"))
  return total / 3600.0 if total else None


def study_section(study, sweep_dir: str, fig_dir: str, rel_to: str, command: str
                  ) -> Tuple[str, List[Dict[str, Any]]]:
  """The markdown for one study (figures written into ``fig_dir``; links
  relative to ``rel_to``, the directory of the report), and its claims'
  results (``check_claim``), for ``summary_section``."""
  cells = load_cells(study, sweep_dir)
  metric, n_boot, alpha = study.metric, int(study.n_boot), float(study.alpha)
  guards = {fam: family_guard(study, fam, cells, metric, n_boot, alpha)
            for fam in study.families}
  results = [check_claim(c, cells, metric, n_boot, alpha, guards) for c in study.claims]
  done = sum(_complete(r) for r in cells.values())
  hours = _wall_hours(cells)
  from hindsight.io import provenance
  commits = sorted({c for r in cells.values() if r and r.get("run_dir")
                    for c in provenance.commits(r["run_dir"])})
  out = [f"## {study.title}\n",
         f"Command: `{command}`  \nRuns: `{os.path.relpath(sweep_dir, rel_to)}` — "
         f"{done} of {len(cells)} cells finished"
         + (f", {hours:.1f} h of training wall time"
            + (" so far" if done < len(cells) else "")
            + " (start-up and compilation not counted)" if hours else "") + ".\n"
         + (f"Trained on commit{'s' if len(commits) > 1 else ''} "
            f"{', '.join(f'`{c}`' for c in commits)} (each run's `provenance.json`)"
            + _code_line(commits) + ".\n" if commits else ""),
         f"Budget and setup (scale `{study.scale}`):\n", budget_section(study, cells),
         "### Claims\n", claims_section(results, alpha)]
  if study.get("axis"):
    png, table = axis_figure(study, cells, metric, os.path.join(
        fig_dir, f"{study.name}-{study.scale}-by-{study.axis['key']}.png"), n_boot, alpha)
    out.append(f"### Final {metric.replace('_', ' ')} against {study.axis['name']}\n")
    if png:
      out.append(f"![{study.axis['name']}]({os.path.relpath(png, rel_to)})\n")
    out.append(table)
  for fam in study.families:
    out.append(f"### {fam}\n")
    png = plot_family(study, fam, cells, metric, os.path.join(
        fig_dir, f"{study.name}-{study.scale}-{fam}.png"), n_boot, alpha)
    if png:
      out.append(f"![{fam}]({os.path.relpath(png, rel_to)})\n")
    out.append(family_table(study, fam, cells, metric, n_boot, alpha))
    out.append(guard_line(guards[fam], alpha))
    diag = diagnostics_table(study, fam, cells)
    if diag:
      out.append(diag)
  return "\n".join(out), results


def _code_line(commits: Sequence[str]) -> str:
  """Whether the study's commits differ in training code (one clause)."""
  if len(commits) < 2:
    return ""
  from hindsight.io import provenance
  changed = provenance.training_code_changes(list(commits))
  if changed is None:
    return "; whether they differ in training code cannot be checked from this checkout"
  if not changed:
    return ("; they differ in no training code (`hindsight/` and `configs/`, the report "
            "and the study definitions aside)")
  return "; they differ in training code: " + ", ".join(f"`{f}`" for f in changed)


_ORDER = ("better", "tied", "worse", "not learned", "unchecked", "no signal", "missing")


def summary_section(by_study: Sequence[Tuple[Any, Sequence[Mapping[str, Any]]]]) -> str:
  """One table of every claim's verdict, with how many families came out
  better / tied / worse / without signal / not run (``by_study``: pairs of a
  study and its ``check_claim`` results)."""
  lines = ["| paper | claim | verdict | P(A > B) [95 % CI] | families: better · tied · "
           "worse · not learned · not checked · no signal · not run |",
           "|---|---|---|---|---|"]
  for study, results in by_study:
    paper = study.title.split(":")[0].split(" (")[0]
    for res in results:
      c = res["claim"]
      n = {o: sum(r["outcome"] == o for r in res["families"]) for o in _ORDER}
      imp = res.get("improvement")
      poi = f"{imp['p']:.2f} [{imp['lo']:.2f}, {imp['hi']:.2f}]" if imp else "—"
      lines.append(f"| {paper} | {c.text} (`{c.a}` vs `{c.b}`) | **{res['verdict']}** | "
                   f"{poi} | " + " · ".join(str(n[o]) for o in _ORDER) + " |")
  return "\n".join(lines) + "\n"


# ------------------------------------------------ before the fidelity fixes --

def v1_label(study, family: str, rest: str) -> Optional[str]:
  """The study label of a first-generation run named ``<family>-<rest>``
  (``rest``: relabeler, then ``key=value`` parts): 'her-strategy=final' is
  'her-final' where the study has that label, else 'her'; 'hipi-…' is 'hipi';
  point_goal_bc's runs are 'bc' and 'hipi-bc'."""
  parts = rest.split("-")
  relabeler, opts = parts[0], dict(p.split("=", 1) for p in parts[1:] if "=" in p)
  labels = set(_labels(study, family))
  if family.endswith("_bc"):
    label = {"none": "bc", "hipi": "hipi-bc"}.get(relabeler)
  elif relabeler == "her" and f"her-{opts.get('strategy', '')}" in labels:
    label = f"her-{opts['strategy']}"
  else:
    label = relabeler
  return label if label in labels else None


def v1_cells(study, v1_dir: str) -> Dict[Tuple[str, str], Optional[Dict[str, Any]]]:
  """``{(family, label): run}`` of a first-generation study directory, its
  runs matched to today's labels by their names (those runs predate the
  cells' options; their 'random' is a prior task per sampled transition)."""
  out: Dict[Tuple[str, str], Optional[Dict[str, Any]]] = {}
  if not os.path.isdir(v1_dir):
    return out
  fams = sorted(study.families, key=len, reverse=True)
  for run in analysis.load_sweep(v1_dir):
    fam = next((f for f in fams if run["name"].startswith(f + "-")), None)
    if fam is None:
      continue
    label = v1_label(study, fam, run["name"][len(fam) + 1:])
    if label is not None:
      out[(fam, label)] = run
  if not out:
    # Runs made with the cells' options (HER's bit flipping) match as today's.
    out = {k: r for k, r in load_cells(study, v1_dir).items() if r is not None}
  return out


def appendix_section(pairs, alpha: float) -> str:
  """'Before the fidelity fixes': per claim, the first-generation runs'
  verdict (the rules of the time: no random-policy guard) against today's,
  with each family's outcome. ``pairs``: (study, v1 results, new results),
  each results a list of ``check_claim`` outputs in claim order."""
  pct = f"{100 * (1 - alpha):g} %"
  out = ["## Appendix: before the fidelity fixes\n",
         "Earlier runs (`results/reproduction/<study>-cpu-v1/`) trained on setups that "
         "differed from the papers' released code. Per claim: the verdict those runs gave "
         "(judged by the rules of their time) and the verdict of the runs above.\n"]
  for study, _, _ in pairs:
    if study is not None and study.get("v1_setup"):
      out.append(f"- {study.title.split(' (')[0]}: {study.v1_setup}")
  if out[-1].startswith("- "):
    out.append("")

  def cell(r):
    if r is None or r["outcome"] == "missing":
      return "not run"
    return (f"{_f(r['diff'])} [{_f(r['lo'])}, {_f(r['hi'])}] → "
            f"{_MARK[r['outcome']].replace('**', '')}")

  for study, old, new in pairs:
    for o, n in zip(old, new):
      c = n["claim"]
      out.append(f"**{c.id}** — {c.text} (`{c.a}` vs `{c.b}`): before **{o['verdict']}**, "
                 f"now **{n['verdict']}**\n")
      out.append(f"| family | before: A − B [{pct} CI] | now: A − B [{pct} CI] |")
      out.append("|---|---|---|")
      old_by = {r["family"]: r for r in o["families"]}
      for r in n["families"]:
        out.append(f"| {r['family']} | {cell(old_by.get(r['family']))} | {cell(r)} |")
      out.append("")
  return "\n".join(out) + "\n"


HEADER = """# Reproduction report

Generated by `{command}` from the run directories below; do not edit by hand.
Every number is computed from `metrics.csv` files: rerunning a study's
command resumes its unfinished cells and regenerates this file.

How to read it. *Final return*: the mean over seeds of each seed's last
evaluation (deterministic policy, the family's 25 fixed evaluation tasks),
with a 95 % percentile-bootstrap interval over seeds. *IQM*: interquartile
mean of the seed × evaluation-task final returns with rliable's stratified
bootstrap interval. *AUC*: the seed-mean curve's average over training.
*Env steps* in a family's table are what its runs took: the warm-up
episodes plus whole epochs, so they can exceed the budget in the setup table.
*Env steps to X*: the first evaluation at which the seed-mean curve reaches X,
the midpoint between the worst and best final means of the family (n/a when
they are all equal; 0.5 where the study compares success rates). A claim is
checked per family on the difference of final returns (A − B, bootstrap
interval over seeds): *better* when the interval is above 0, *worse* below,
*tied* otherwise; its verdict is *reproduced* when every family run agrees,
*partly* when some do, *not reproduced* when none does (see
`hindsight/report.py`). A family where every seed of both strategies ended at
the same value (no learning signal at this budget) is shown as *no signal*
and left out of the verdict, unless that value beats the trivial policies on a
family that learned (both solved it: a tie). A family counts toward a claim only if
something was learned there: some strategy's final return beats the
stronger of two trivial policies on the same evaluation tasks — uniform-random
actions and, with continuous actions, every action 0 (an agent that does
nothing: an Ant standing still collects the whole survival bonus) — the
bootstrap interval of the difference above 0, each of a family's k strategies
tested at 1 − 0.05 / k (Bonferroni, so that a family where nothing was learned
passes by chance less than 5 % of the time; the family line names the strategy
with the highest lower bound); otherwise it is *not learned at
this budget* and left out, and a claim none of whose families passes is *not
testable at this budget*. Cells still training show "(running)" and are not used for verdicts.
A seed whose learner went non-finite during training has no result: it is
counted beside the seeds as "(+k diverged)" and left out of every statistic
(the other seeds of its cell trained on; `hindsight/training/trainer.py`).
"""


def write_report(path: str, sections: Sequence[str], command: str,
                 summary: Optional[str] = None) -> str:
  """Header, the optional verdict summary, then the studies' sections."""
  from hindsight.io import files
  text = HEADER.format(command=command) + "\n"
  if summary:
    text += "## Summary of verdicts\n\n" + summary + "\n"
  text += "\n".join(sections)
  files.atomic_write_text(path, text)
  return text
