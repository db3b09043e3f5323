"""hindsight.analysis: statistics against hand-computed numbers, and loading
run and sweep directories written the way the training loop writes them."""

import math

import numpy as np
import pytest

from hindsight import analysis as A
from hindsight.io import files


def _rows(curves_by_seed, steps, extra=None):
  """metrics.csv-like rows: one per seed per evaluation, in file order
  (epoch-major, as the training loop appends them)."""
  rows = []
  for e, step in enumerate(steps, start=1):
    for seed, curve in curves_by_seed.items():
      row = {"seed": seed, "epoch": e, "iteration": e, "env_steps": step,
             "wall_time": 0.1 * e, "eval_return_mean": curve[e - 1]}
      if extra:
        row.update(extra(seed, e))
      rows.append(row)
  return rows


# -------------------------------------------------------------------- IQM --

def test_iqm_of_one_to_eight_is_the_mean_of_three_to_six():
  assert A.iqm(np.arange(1, 9)) == pytest.approx(4.5)       # (3 + 4 + 5 + 6) / 4
  assert A.iqm(np.arange(1, 9), fractional=True) == pytest.approx(4.5)


def test_iqm_ignores_the_outer_quarters():
  # sorted: 1 2 | 3 4 5 6 | 100 1000 -> (3 + 4 + 5 + 6) / 4
  assert A.iqm([1000, 3, 100, 1, 5, 6, 2, 4]) == pytest.approx(4.5)


def test_iqm_when_four_does_not_divide_n():
  x = [1, 2, 4, 8, 16]
  # rliable / scipy.stats.trim_mean(x, 0.25): cut floor(5/4) = 1 from each end.
  assert A.iqm(x) == pytest.approx((2 + 4 + 8) / 3)
  # fractional: cut 1.25 from each end; 2 and 8 count 0.75 each.
  assert A.iqm(x, fractional=True) == pytest.approx((0.75 * 2 + 4 + 0.75 * 8) / 2.5)  # 4.6
  sq = np.arange(1, 10) ** 2                                # 1 4 9 ... 81, n = 9
  assert A.iqm(sq) == pytest.approx((9 + 16 + 25 + 36 + 49) / 5)   # cut 2 each end: 27
  assert A.iqm(sq, fractional=True) == pytest.approx(
      (0.75 * 9 + 16 + 25 + 36 + 0.75 * 49) / 4.5)          # cut 2.25 each end


def test_iqm_small_and_empty_inputs():
  assert A.iqm([7.0]) == 7.0
  assert A.iqm([1.0, 3.0]) == 2.0                           # nothing cut from 2 values
  assert A.iqm([1.0, 2.0, 3.0, 10.0]) == pytest.approx(2.5)
  assert math.isnan(A.iqm([]))


def test_iqm_flattens_a_score_matrix():
  scores = np.array([[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]])
  assert A.iqm(scores) == pytest.approx(4.5)


@pytest.mark.parametrize("n", [1, 2, 3, 5, 6, 7, 9, 10, 11, 13, 50])
def test_iqm_matches_scipy_trim_mean(n):
  stats = pytest.importorskip("scipy.stats")
  x = np.random.default_rng(n).normal(size=n)
  assert A.iqm(x) == pytest.approx(stats.trim_mean(x, 0.25))


# ------------------------------------------------------------- bootstrap --

def test_bootstrap_ci_of_two_values_by_hand():
  # Means of resamples of [0, 1]: 0 (p 1/4), 0.5 (p 1/2), 1 (p 1/4); the
  # 2.5% and 97.5% quantiles of 2000 draws are therefore 0 and 1.
  assert A.bootstrap_ci([0.0, 1.0]) == (0.0, 1.0)


def test_bootstrap_ci_contains_the_mean_and_is_deterministic():
  x = np.random.default_rng(0).normal(3.0, 1.0, size=20)
  lo, hi = A.bootstrap_ci(x)
  assert lo < x.mean() < hi
  assert lo > x.min() and hi < x.max()
  assert A.bootstrap_ci(x) == (lo, hi)                      # same seed, same interval
  assert A.bootstrap_ci(x, seed=1) != (lo, hi)
  lo90, hi90 = A.bootstrap_ci(x, alpha=0.1)
  assert lo <= lo90 < hi90 <= hi                            # narrower at 90%


def test_bootstrap_ci_degenerate_inputs():
  assert A.bootstrap_ci([2.0, 2.0, 2.0]) == (2.0, 2.0)
  assert A.bootstrap_ci([5.0]) == (5.0, 5.0)
  lo, hi = A.bootstrap_ci([])
  assert math.isnan(lo) and math.isnan(hi)
  with pytest.raises(ValueError, match="alpha"):
    A.bootstrap_ci([1.0, 2.0], alpha=1.5)


def test_bootstrap_ci_other_statistics():
  x = np.arange(10.0)
  lo, hi = A.bootstrap_ci(x, stat=np.median)                # takes axis=: vectorised
  assert lo <= np.median(x) <= hi
  lo, hi = A.bootstrap_ci(x, stat=lambda v: float(np.max(v)))  # no axis: per resample
  assert 0.0 <= lo <= hi <= 9.0 and hi == 9.0


def test_iqm_ci_is_stratified_over_seeds():
  # Each task column is the same for every seed, so resampling seeds within
  # a task changes nothing: the interval collapses onto the IQM of
  # [1 1 2 2 3 3 4 4] = (2 + 2 + 3 + 3) / 4.
  scores = np.array([[1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 4.0]])
  assert A.iqm(scores) == pytest.approx(2.5)
  assert A.iqm_ci(scores) == pytest.approx((2.5, 2.5))


def test_iqm_ci_contains_the_iqm_and_is_deterministic():
  scores = np.random.default_rng(1).normal(size=(10, 5))
  lo, hi = A.iqm_ci(scores)
  assert lo < A.iqm(scores) < hi
  assert A.iqm_ci(scores) == (lo, hi)
  lo1, hi1 = A.iqm_ci(scores[:, 0])                         # one score per seed
  assert lo1 < A.iqm(scores[:, 0]) < hi1


def test_mean_ci_band():
  values = np.array([[0.0, 1.0, 2.0], [2.0, 3.0, 4.0]])
  mean, lo, hi = A.mean_ci_band(values)
  np.testing.assert_allclose(mean, [1.0, 2.0, 3.0])
  # resampled means of two seeds: the first seed twice, once each, the second twice
  np.testing.assert_allclose(lo, [0.0, 1.0, 2.0])
  np.testing.assert_allclose(hi, [2.0, 3.0, 4.0])
  same = np.array([[1.0, 2.0], [1.0, 2.0]])
  for arr in A.mean_ci_band(same):
    np.testing.assert_allclose(arr, [1.0, 2.0])


# ---------------------------------------------------- curves and summaries --

def test_curves_per_seed_in_epoch_order():
  rows = _rows({0: [1.0, 2.0, 3.0], 1: [4.0, 5.0, 6.0]}, [100, 200, 300])
  rows = rows[::-1]                                         # order in the file does not matter
  steps, values = A.curves(rows)
  np.testing.assert_array_equal(steps, [100, 200, 300])
  np.testing.assert_array_equal(values, [[1, 2, 3], [4, 5, 6]])
  steps, values = A.curves(rows, key="wall_time")
  np.testing.assert_allclose(values, [[0.1, 0.2, 0.3]] * 2)
  assert A.seeds(rows) == [0, 1]


def test_curves_keep_the_epochs_every_seed_has():
  rows = _rows({3: [1.0, 2.0, 3.0], 4: [4.0, 5.0, 6.0]}, [10, 20, 30])
  rows = [r for r in rows if not (r["seed"] == 4 and r["epoch"] == 3)]
  steps, values = A.curves(rows)
  np.testing.assert_array_equal(steps, [10, 20])
  np.testing.assert_array_equal(values, [[1, 2], [4, 5]])


def test_curves_of_no_rows():
  steps, values = A.curves([])
  assert steps.shape == (0,) and values.shape == (0, 0)


def test_final_values():
  rows = _rows({0: [1.0, 2.0, 4.0], 1: [0.0, 0.0, 8.0]}, [1, 2, 3])
  np.testing.assert_allclose(A.final_values(rows), [4.0, 8.0])
  np.testing.assert_allclose(A.final_values(rows, last_k_evals=2), [3.0, 4.0])
  np.testing.assert_allclose(A.final_values(rows, last_k_evals=10), [7 / 3, 8 / 3])
  with pytest.raises(ValueError):
    A.final_values(rows, last_k_evals=0)


def test_final_task_scores():
  extra = lambda seed, e: {"eval_return_task_00": 10 * seed + e, "eval_return_task_01": -e}
  rows = _rows({0: [0, 0], 1: [0, 0]}, [1, 2], extra)
  np.testing.assert_array_equal(A.final_task_scores(rows), [[2, -2], [12, -2]])


def test_area_under_curve():
  # trapezoids: (0 + 1) / 2 · 10 + (1 + 1) / 2 · 10 = 15 over a span of 20
  assert A.area_under_curve([0, 10, 20], [0.0, 1.0, 1.0], normalize=False) == pytest.approx(15)
  assert A.area_under_curve([0, 10, 20], [0.0, 1.0, 1.0]) == pytest.approx(0.75)
  np.testing.assert_allclose(
      A.area_under_curve([0, 10, 20], [[0.0, 1.0, 1.0], [2.0, 2.0, 2.0]]), [0.75, 2.0])
  assert A.area_under_curve([5], [3.0]) == 3.0
  assert A.area_under_curve([5], [3.0], normalize=False) == 0.0
  with pytest.raises(ValueError):
    A.area_under_curve([0, 1], [1.0, 2.0, 3.0])


def test_steps_to_threshold():
  steps = [100, 200, 300]
  assert A.steps_to_threshold(steps, [0.0, 0.5, 1.0], 0.5) == 200   # reaching counts
  assert A.steps_to_threshold(steps, [0.0, 0.5, 1.0], 0.6) == 300
  assert A.steps_to_threshold(steps, [0.9, 0.0, 1.0], 0.5) == 100   # the first time
  assert A.steps_to_threshold(steps, [0.0, 0.5, 1.0], 2.0) == math.inf
  assert A.steps_to_threshold(steps, [0.0, np.nan, 1.0], 0.5) == 300
  np.testing.assert_array_equal(
      A.steps_to_threshold(steps, [[0.0, 1.0, 1.0], [0.0, 0.0, 0.0]], 1.0), [200, math.inf])
  assert A.steps_to_threshold([], [], 0.0) == math.inf


def _two_labels():
  a = _rows({0: [0.0, 1.0, 2.0], 1: [0.0, 1.0, 4.0]}, [100, 200, 300])   # final mean 3
  b = _rows({0: [0.0, 0.0, 1.0], 1: [0.0, 0.0, 1.0]}, [100, 200, 300])   # final mean 1
  return {"good": {"rows": a}, "bad": b}


def test_summarize_by_hand():
  rows = {r["label"]: r for r in A.summarize(_two_labels())}
  good, bad = rows["good"], rows["bad"]
  assert good["threshold"] == bad["threshold"] == 2.0          # midway between 1 and 3
  assert good["seeds"] == 2 and good["final_mean"] == 3.0
  assert good["final_lo"] == 2.0 and good["final_hi"] == 4.0    # resampled means of [2, 4]
  assert good["iqm"] == 3.0                                     # IQM of the finals [2, 4]
  # seed-mean curve 0, 1, 3 at 100, 200, 300: (0.5·100 + 2·100) / 200
  assert good["auc"] == pytest.approx(1.25)
  assert good["steps_to_threshold"] == 300
  assert bad["final_mean"] == 1.0 and bad["final_lo"] == bad["final_hi"] == 1.0
  assert bad["steps_to_threshold"] == math.inf


def test_no_threshold_when_every_label_ends_at_the_same_value():
  flat = _rows({0: [-5.0, -5.0], 1: [-5.0, -5.0]}, [100, 200])
  runs = {"a": flat, "b": flat}
  assert math.isnan(A.midpoint_threshold(runs))
  rows = A.summarize(runs)
  assert all(math.isnan(r["steps_to_threshold"]) for r in rows)
  table = A.summary_table(runs)
  assert "env steps to n/a" in table and "| n/a |" in table


def test_summary_table_markdown():
  table = A.summary_table(_two_labels())
  lines = table.strip().splitlines()
  assert len(lines) == 4
  header = [c.strip() for c in lines[0].strip("|").split("|")]
  assert header[:2] == ["label", "seeds"]
  assert header[2].startswith("final mean [95% CI]") and header[3] == "IQM [95% CI]"
  assert header[4].startswith("AUC") and header[5] == "env steps to 2.000"
  assert set(lines[1].replace("|", "").replace(":", "")) == {"-"}
  good = [c.strip() for c in lines[2].strip("|").split("|")]
  assert good == ["good", "2", "3.000 [2.000, 4.000]", "3.000 [2.000, 4.000]", "1.250", "300"]
  bad = [c.strip() for c in lines[3].strip("|").split("|")]
  assert bad[0] == "bad" and bad[-1] == "never"
  # an explicit threshold
  assert "env steps to 0.500" in A.summary_table(_two_labels(), threshold=0.5)


def test_summary_uses_per_task_scores_for_the_iqm():
  # final per-task returns of seed 0: 0 1 2 3 and of seed 1: 100 4 5 6; IQM of
  # the 8 values = (2 + 3 + 4 + 5) / 4.
  finals = {0: [0, 1, 2, 3], 1: [100, 4, 5, 6]}
  extra = lambda seed, e: {f"eval_return_task_{i:02d}": float(v)
                           for i, v in enumerate(finals[seed])}
  rows = _rows({0: [1.5], 1: [28.75]}, [10], extra)
  (row,) = A.summarize({"x": rows})
  assert row["iqm"] == pytest.approx(3.5)


# ---------------------------------------------------------------- loading --

def _write_run(run_dir, env="point_reacher", relabel="none", rows=None):
  files.write_json(str(run_dir / "config.json"),
                   {"env": {"name": env}, "relabel": {"name": relabel}, "num_seeds": 2})
  if rows is not None:
    files.write_csv(str(run_dir / "metrics.csv"), rows)


def test_load_run(tmp_path):
  rows = _rows({0: [1.0, 2.0], 1: [3.0, 4.0]}, [10, 20])
  _write_run(tmp_path / "r", rows=rows)
  run = A.load_run(tmp_path / "r")
  assert run["name"] == "r" and run["env"] == "point_reacher" and run["relabel"] == "none"
  assert run["config"]["num_seeds"] == 2
  assert run["rows"] == rows
  with pytest.raises(FileNotFoundError):
    A.load_run(tmp_path / "missing")


def test_load_sweep_by_scanning(tmp_path):
  rows = _rows({0: [1.0]}, [10])
  (tmp_path / "a" / "run1").mkdir(parents=True)
  (tmp_path / "run2").mkdir()
  (tmp_path / "empty").mkdir()
  (tmp_path / "figures").mkdir()
  _write_run(tmp_path / "a" / "run1", relabel="air", rows=rows)
  _write_run(tmp_path / "run2", env="point_goal", rows=rows)
  _write_run(tmp_path / "empty")                              # no metrics yet
  runs = A.load_sweep(tmp_path)
  assert [r["name"] for r in runs] == ["run1", "run2"]
  assert len(A.load_sweep(tmp_path, include_empty=True)) == 3
  groups = A.group_runs(runs, by="env")
  assert list(groups) == ["point_goal", "point_reacher"]
  assert [r["relabel"] for r in groups["point_reacher"]] == ["air"]


def test_load_sweep_through_the_manifest(tmp_path):
  rows = _rows({0: [1.0]}, [10])
  for name in ("p-none", "p-random", "stray"):
    (tmp_path / name).mkdir()
    _write_run(tmp_path / name, rows=rows)
  files.write_json(str(tmp_path / "manifest.json"), {"points": [
      {"run_name": "p-none", "status": "done", "config": "c.py", "relabeler": "none", "grid": {}},
      {"run_name": "p-random", "status": "running", "config": "c.py", "relabeler": "random",
       "grid": {}},
      {"run_name": "p-her", "status": "skipped", "config": "c.py", "relabeler": "her",
       "grid": {}},
  ]})
  runs = A.load_sweep(tmp_path)
  assert [r["name"] for r in runs] == ["p-none", "p-random"]  # not the stray directory
  assert [r["status"] for r in runs] == ["done", "running"]
  assert runs[1]["point"]["relabeler"] == "random"
  with pytest.raises(FileNotFoundError):
    A.load_sweep(tmp_path / "nope")


# ------------------------------------------------------ P(X > Y), rliable's --

def test_probability_of_improvement_by_hand():
  # task 0: x = [3, 1], y = [2, 2]: pairs (3>2, 3>2, 1<2, 1<2) → 2/4 = 0.5
  # task 1: x = [5, 5], y = [5, 4]: (5=5 → ½, 5>4, 5=5 → ½, 5>4) → 3/4
  x = np.array([[3.0, 5.0], [1.0, 5.0]])
  y = np.array([[2.0, 5.0], [2.0, 4.0]])
  assert A.probability_of_improvement(x, y) == pytest.approx((0.5 + 0.75) / 2)
  assert A.probability_of_improvement(y, x) == pytest.approx(1 - (0.5 + 0.75) / 2)
  assert A.probability_of_improvement(x, x) == 0.5
  lo, hi = A.probability_of_improvement_ci(x, y, n=500)
  assert 0.0 <= lo <= 0.625 <= hi <= 1.0
  # clear separation on every task: P = 1 and every resample agrees
  assert A.probability_of_improvement_ci(x + 10, y, n=200) == (1.0, 1.0)
  with pytest.raises(ValueError, match="same tasks"):
    A.probability_of_improvement(x, y[:, :1])


def test_normalized_scores_by_hand():
  np.testing.assert_allclose(A.normalized_scores([1.0, 3.0, 5.0], 1.0, 5.0),
                             [0.0, 0.5, 1.0])
  assert np.isnan(A.normalized_scores([1.0], 2.0, 2.0)).all()


def test_probability_of_improvement_matches_rliable():
  pytest.importorskip("rliable", reason="rliable is in the dev extra")
  from rliable import library as rly
  from rliable import metrics
  rng = np.random.default_rng(0)
  x = rng.normal(0.3, 1.0, (5, 4))
  y = rng.normal(0.0, 1.0, (5, 4))
  y[:, 3] = x[:, 3]                         # a tied task (rliable's 0.5 branch)
  x[0, 0] = y[1, 0]                         # a tie inside a task
  ours = A.probability_of_improvement(x, y)
  assert ours == pytest.approx(float(metrics.probability_of_improvement(x, y)), abs=1e-12)
  point, interval = rly.get_interval_estimates(
      {"x,y": [x, y]}, lambda a, b: np.array([metrics.probability_of_improvement(a, b)]),
      reps=4000, random_state=np.random.RandomState(1))
  lo, hi = A.probability_of_improvement_ci(x, y, n=4000, seed=1)
  assert float(point["x,y"][0]) == pytest.approx(ours)
  # different random streams: the percentile intervals agree to Monte-Carlo error
  np.testing.assert_allclose([lo, hi], np.asarray(interval["x,y"])[:, 0], atol=0.02)


def test_probability_of_improvement_with_different_run_counts_matches_rliable():
  # rliable resamples X and Y independently (StratifiedIndependentBootstrap),
  # so X and Y may have different numbers of runs, e.g. a seed that diverged.
  pytest.importorskip("rliable", reason="rliable is in the dev extra")
  from rliable import library as rly
  from rliable import metrics
  rng = np.random.default_rng(3)
  x = rng.normal(0.5, 1.0, (4, 3))
  y = rng.normal(0.0, 1.0, (6, 3))
  ours = A.probability_of_improvement(x, y)
  assert ours == pytest.approx(float(metrics.probability_of_improvement(x, y)), abs=1e-12)
  _, interval = rly.get_interval_estimates(
      {"x,y": [x, y]}, lambda a, b: np.array([metrics.probability_of_improvement(a, b)]),
      reps=4000, random_state=np.random.RandomState(2))
  lo, hi = A.probability_of_improvement_ci(x, y, n=4000, seed=2)
  np.testing.assert_allclose([lo, hi], np.asarray(interval["x,y"])[:, 0], atol=0.02)


def test_probability_of_improvement_by_task_with_ragged_runs_by_hand():
  # task 0: x = (3, 1) vs y = (2, 2, 2): 3 of 6 pairs won → ½
  # task 1: x = (5, 5, 4) vs y = (4,): 5>4, 5>4, 4=4 → (1 + 1 + ½) / 3 = 5/6
  xs = [np.array([3.0, 1.0]), np.array([5.0, 5.0, 4.0])]
  ys = [np.array([2.0, 2.0, 2.0]), np.array([4.0])]
  assert A.probability_of_improvement_by_task(xs, ys) == pytest.approx((0.5 + 5 / 6) / 2)
  lo, hi = A.probability_of_improvement_by_task_ci(xs, ys, n=500)
  assert 0.0 <= lo <= (0.5 + 5 / 6) / 2 <= hi <= 1.0
  # the rectangular form is the same statistic
  x = np.array([[3.0, 5.0], [1.0, 5.0]])
  y = np.array([[2.0, 5.0], [2.0, 4.0]])
  assert A.probability_of_improvement_by_task(list(x.T), list(y.T)) == \
      A.probability_of_improvement(x, y)
  assert A.probability_of_improvement_by_task_ci([np.ones(2) + 9], [np.ones(3)], n=100) == \
      (1.0, 1.0)
  assert math.isnan(A.probability_of_improvement_by_task([np.ones(2)], [np.array([])]))
  with pytest.raises(ValueError, match="same tasks"):
    A.probability_of_improvement_by_task(xs, ys[:1])
