"""The reproduction report: statistics and verdicts by hand, the study
definitions, and the generator on the tiny sweep the tests themselves run."""

from pathlib import Path

import json
import os

import numpy as np
import pytest
from ml_collections import ConfigDict

from hindsight import schema, studies
from hindsight import report
from tests.conftest import start_tiny_sweep, stop_tiny_sweep

ROOT = Path(__file__).resolve().parents[1]


# The background work starts only when a selected test uses it.
BACKGROUND_FIXTURES = ("tiny_sweep",)


def start_background():
  start_tiny_sweep()


def stop_background():
  stop_tiny_sweep()


# ---------------------------------------------------------------- statistics --

def test_diff_ci_by_hand():
  # one seed each: every resample is the same, the interval is the point
  assert report.diff_ci([3.0], [1.0]) == (2.0, 2.0, 2.0)
  d, lo, hi = report.diff_ci([1.0, 2.0, 3.0], [0.0, 0.0, 0.0], n=4000)
  assert d == 2.0
  # resampled means of {1,2,3} lie in [1, 3]; the 95 % interval is inside it
  assert 1.0 <= lo < 2.0 < hi <= 3.0
  assert np.isnan(report.diff_ci([], [1.0])[0])
  # deterministic given the seed
  assert report.diff_ci([1, 5, 2], [0, 1], seed=3) == report.diff_ci([1, 5, 2], [0, 1], seed=3)


@pytest.mark.parametrize("lo,hi,expected", [(0.1, 2.0, "better"), (-2.0, -0.1, "worse"),
                                            (-1.0, 1.0, "tied"), (0.0, 1.0, "tied"),
                                            (float("nan"), 1.0, "missing")])
def test_outcome(lo, hi, expected):
  assert report.outcome(lo, hi) == expected


def test_verdict_rules():
  v = report.verdict
  assert v("better", ["better", "better"]) == "reproduced"
  assert v("better", ["better", "tied", "missing"]) == "partly"
  assert v("better", ["tied", "worse"]) == "not reproduced"
  assert v("better", ["missing", "missing"]) == "not run yet"
  assert v("better", ["better", "missing"]) == "reproduced"   # missing families left out
  assert v("not_worse", ["tied", "better"]) == "reproduced"
  assert v("not_worse", ["worse", "tied"]) == "partly"
  assert v("not_worse", ["worse"]) == "not reproduced"
  with pytest.raises(ValueError, match="kinds"):
    v("maybe", ["better"])
  # families without signal are left out, like missing ones
  assert v("not_worse", ["no signal", "tied"]) == "reproduced"
  assert v("better", ["no signal", "better", "tied"]) == "partly"
  assert v("better", ["no signal", "missing"]) == "no signal"


def test_not_learned_families_are_left_out_and_make_a_claim_untestable():
  v = report.verdict
  assert v("better", ["not learned", "better"]) == "reproduced"
  assert v("better", ["not learned", "tied"]) == "not reproduced"
  assert v("better", ["not learned", "not learned"]) == "not testable at this budget"
  assert v("not_worse", ["not learned", "missing"]) == "not testable at this budget"


def test_learned_guard_by_hand():
  # Best strategy's seeds end at 3 and 5 (mean 4); the random policy's
  # repetitions at 1 and 1 (mean 1): every bootstrap resample of the
  # difference is 2, 3 or 4, so the interval is above 0 → learned.
  g = report.learned_guard([3.0, 5.0], np.asarray([1.0, 1.0]), 500, 0.05)
  assert g["outcome"] == "learned" and g["diff"] == pytest.approx(3.0)
  assert 2.0 <= g["lo"] and g["hi"] <= 4.0
  # halfcheetah at the old cpu budget: strategies at ~98-158, random 161.5
  g = report.learned_guard([98.0, 120.0, 158.0], np.asarray([161.5, 161.5]), 500, 0.05)
  assert g["outcome"] == "not learned" and g["diff"] < 0
  # runs without a recorded reference are not counted as learned
  assert report.learned_guard([1.0], None)["outcome"] == "no reference"
  assert report.verdict("better", ["unchecked", "missing"]).startswith("not checked")
  # runs written before updates_per_env_step existed: derived from per iteration
  old = {"env": {"options": {"horizon": 15}},
         "train": {"num_envs": 8, "updates_per_iteration": 60}}
  assert report.setting_value(old, "train.updates_per_env_step") == 0.5
  # a fixed count per iteration overrides the rate: 40 / (16 × 50) = 0.05
  fixed = {"env": {"options": {"horizon": 50}},
           "train": {"num_envs": 16, "updates_per_env_step": 0.25, "updates_per_iteration": 40}}
  assert report.setting_value(fixed, "train.updates_per_env_step") == 0.05
  fixed["train"]["updates_per_iteration"] = 0
  assert report.setting_value(fixed, "train.updates_per_env_step") == 0.25


def test_claim_on_a_family_where_nothing_was_learned(tmp_path):
  import json
  claim = ConfigDict(dict(id="c", text="A beats B", kind="better", a="a", b="b",
                          families=["flat", "real"]))
  study = ConfigDict(dict(cells=[ConfigDict(dict(family=f, label=l)) for f in ("flat", "real")
                                 for l in ("a", "b")]))
  cells = {}
  for fam, a, b, rand in (("flat", [1.0, 1.2], [0.9, 1.0], 5.0),
                          ("real", [6.0, 6.5], [2.0, 2.5], 1.0)):
    d = tmp_path / fam
    d.mkdir()
    (d / "random_policy.json").write_text(json.dumps({"eval_return_mean": [rand, rand]}))
    cells[(fam, "a")] = dict(_run(a), run_dir=str(d))
    cells[(fam, "b")] = dict(_run(b), run_dir=str(d))
  guards = {f: report.family_guard(study, f, cells, "eval_return_mean", 300, 0.05)
            for f in ("flat", "real")}
  assert guards["flat"]["outcome"] == "not learned" and guards["flat"]["best"] == "a"
  assert guards["real"]["outcome"] == "learned"
  res = report.check_claim(claim, cells, "eval_return_mean", 300, 0.05, guards)
  assert [r["outcome"] for r in res["families"]] == ["not learned", "better"]
  assert res["verdict"] == "reproduced"
  assert "not learned at this budget" in report.guard_line(guards["flat"], 0.05)


def test_guard_compares_with_the_stronger_trivial_policy(tmp_path):
  """An Ant standing still: strategies at 975-980 beat the random policy
  (-200) but not the zero-action policy (1002): nothing was learned."""
  import json
  study = ConfigDict(dict(cells=[ConfigDict(dict(family=f, label=l))
                                 for f in ("ant", "point", "bits") for l in ("a", "b")]))
  cells = {}
  for fam, a, b, refs in (
      ("ant", [975.0, 980.0], [970.0, 972.0], {"random": -200.0, "zero": 1002.0}),
      ("point", [-1.0, -1.2], [-3.0, -3.1], {"random": -13.5, "zero": -1.85}),
      ("bits", [1.0, 1.0], [0.0, 0.0], {"random": 0.0})):   # discrete: no zero action
    d = tmp_path / fam
    d.mkdir()
    for name, value in refs.items():
      (d / f"{name}_policy.json").write_text(json.dumps({"eval_return_mean": [value, value]}))
    cells[(fam, "a")] = dict(_run(a), run_dir=str(d))
    cells[(fam, "b")] = dict(_run(b), run_dir=str(d))
  g = {f: report.family_guard(study, f, cells, "eval_return_mean", 300, 0.05)
       for f in ("ant", "point", "bits")}
  # ant: best a (mean 977.5) − zero 1002 = −24.5; every resample is below 0
  assert g["ant"]["against"] == "zero" and g["ant"]["outcome"] == "not learned"
  assert g["ant"]["diff"] == pytest.approx(-24.5) and g["ant"]["hi"] < 0
  assert g["ant"]["random"] == pytest.approx(-200.0)
  # point: best a (mean -1.1) − zero (-1.85) = 0.75, resamples in [0.65, 0.85]
  assert g["point"]["against"] == "zero" and g["point"]["outcome"] == "learned"
  assert g["point"]["diff"] == pytest.approx(0.75) and g["point"]["lo"] >= 0.65 - 1e-9
  # bits: only the random policy; 1 − 0 = 1
  assert g["bits"]["against"] == "random" and g["bits"]["outcome"] == "learned"
  line = report.guard_line(g["ant"], 0.05)
  assert "Uniform-random policy on the same evaluation tasks: -200.000" in line
  assert "; zero-action policy on the same evaluation tasks: 1002.000" in line
  assert "− the zero-action policy (the stronger reference) = -24.500" in line
  assert "not learned at this budget" in line
  assert "zero-action" not in report.guard_line(g["bits"], 0.05)


def test_guard_tests_every_strategy_at_a_bonferroni_level(tmp_path):
  """A high-variance strategy with the best mean (walker_linear's `random`:
  26.9 [0.2, 49.3] against the zero-action policy's 6.2) must not hide a
  strategy that learned beyond doubt (`none`: 25.2 [20.0, 29.9])."""
  import json
  study = ConfigDict(dict(cells=[ConfigDict(dict(family="w", label=l))
                                 for l in ("none", "random", "flat")]))
  d = tmp_path / "w"
  d.mkdir()
  (d / "zero_policy.json").write_text(json.dumps({"eval_return_mean": [6.0, 6.0]}))
  cells = {("w", "none"): dict(_run([24.0, 25.0, 26.0]), run_dir=str(d)),
           ("w", "random"): dict(_run([-20.0, 50.0, 60.0]), run_dir=str(d)),
           ("w", "flat"): dict(_run([5.0, 6.0, 7.0]), run_dir=str(d))}
  g = report.family_guard(study, "w", cells, "eval_return_mean", 500, 0.06)
  # none − 6: resampled means in [24, 26] − 6 → [18, 20], above 0 at any level
  assert g["outcome"] == "learned" and g["best"] == "none"
  assert g["alpha"] == pytest.approx(0.02) and g["strategies"] == 3
  assert g["lo"] >= 18.0 - 1e-9 and g["diff"] == pytest.approx(19.0)
  assert g["best_mean"] == pytest.approx(30.0)     # random's mean: the normaliser's 1
  line = report.guard_line(g, 0.06)
  assert "Of the 3 strategies, each tested at 98 % (Bonferroni)" in line
  assert "`none`, − the zero-action policy = 19.000" in line and "learned at this budget" in line
  # alone, the high-variance strategy does not pass: its resamples reach −20 − 6
  alone = report.family_guard(ConfigDict(dict(cells=[study.cells[1]])), "w", cells,
                              "eval_return_mean", 500, 0.06)
  assert alone["outcome"] == "not learned" and alone["best"] == "random"
  assert report.guard_line(alone, 0.06).count("Strategy `random` − the zero-action policy") == 1


def test_no_signal_only_when_every_seed_of_both_is_one_value():
  assert report.no_signal([-500.0] * 5, [-500.0] * 3)
  assert not report.no_signal([-500.0] * 5, [-500.0] * 4 + [-499.0])
  assert not report.no_signal([1.0, 1.0], [2.0, 2.0])     # a real difference
  assert not report.no_signal([], [])


def _run(finals):
  """A finished run whose seeds end at ``finals`` (one evaluation each)."""
  return {"status": "done", "rows": [
      {"seed": str(i), "epoch": "1", "env_steps": "100", "eval_return_mean": str(v)}
      for i, v in enumerate(finals)]}


def test_claim_on_a_flat_family_is_no_signal():
  claim = ConfigDict(dict(id="c", text="A is at least as good as B", kind="not_worse",
                          a="a", b="b", families=["flat", "real"]))
  cells = {("flat", "a"): _run([-500.0] * 5), ("flat", "b"): _run([-500.0] * 5),
           ("real", "a"): _run([1.0, 2.0, 3.0]), ("real", "b"): _run([5.0, 6.0, 7.0])}
  res = report.check_claim(claim, cells, "eval_return_mean", 500, 0.05)
  assert [r["outcome"] for r in res["families"]] == ["no signal", "worse"]
  assert res["verdict"] == "not reproduced"     # the flat family does not count as support
  text = report.claims_section([res], 0.05)
  assert "(on 1 of 2 families)" in text and "flat: " in text and "no signal" in text


# ------------------------------------------------------------------- studies --

@pytest.mark.parametrize("name", studies.STUDIES)
@pytest.mark.parametrize("scale", studies.SCALES)
def test_study_definitions_are_consistent(name, scale):
  s = studies.get_config(name, scale)
  assert s.num_seeds >= 5
  cells = {(c.family, c.label) for c in s.cells}
  assert len(cells) == len(s.cells), "labels must be unique per family"
  for c in s.cells:
    assert (ROOT / c.config).exists(), c.config
    assert c.family in s.families and s.budgets[c.family]
  for claim in s.claims:
    for fam in claim.families:
      assert (fam, claim.a) in cells and (fam, claim.b) in cells, (claim.id, fam)


def test_unknown_study_and_scale():
  with pytest.raises(ValueError, match="studies: generalized_hindsight, hipi"):
    studies.get_config("her")
  with pytest.raises(ValueError, match="scales: cpu, paper"):
    studies.get_config("hipi", "huge")


@pytest.mark.parametrize("name", studies.STUDIES)
def test_every_cell_of_both_studies_validates(name, tmp_path, monkeypatch):
  """A dry run builds every cell's command: all configs, budgets and relabeler
  options are valid, and no cell is skipped as inapplicable."""
  monkeypatch.chdir(ROOT)
  from hindsight import reproduce as rep
  study = studies.get_config(name, "cpu")
  failed = rep.train(study, str(tmp_path), [], 5, 1, [], True, ["reproduce.py"])
  assert failed == []
  from hindsight.io import files
  m = files.read_json(tmp_path / "manifest.json")
  points = m["points"]
  assert len(points) == len(study.cells)
  # one sweep for the whole study: cells with different options run side by side
  assert m["grid"]["study"] == name and len(m["grid"]["groups"]) == len(rep.cell_groups(study))
  assert all(p["status"] == "pending" for p in points), [
      (p["run_name"], p["reason"]) for p in points if p["status"] != "pending"]
  her = [p for p in points if p["relabeler"] == "her"]
  assert her and all("--config.relabel.her.strategy=" in p["command_line"] for p in her)
  assert all("--config.num_seeds=5" in p["command_line"] for p in points)


def test_unknown_family_lists_the_studys():
  from hindsight import reproduce as rep
  from hindsight.sweep import SweepError
  with pytest.raises(SweepError, match="its families: point_trajectory"):
    rep.cell_groups(studies.get_config("generalized_hindsight"), ["point_goal"])


def test_setup_values_by_hand():
  cfg = {"env": {"options": {"horizon": 15, "time_limit": "terminal"}},
         "learner": {"gamma": 0.9, "hidden_sizes": [400, 300]},
         "train": {"warmup_episodes": 67, "buffer_transitions": 0, "buffer_episodes": 100,
                   "updates_per_env_step": 100 / 75}}
  assert report.setting_value(cfg, "learner.hidden_sizes") == [400, 300]
  assert report.setting_value(cfg, "env.options.time_limit") == "terminal"
  assert report.setting_value(cfg, "warmup_steps") == 1005      # 67 × 15
  assert report.setting_value(cfg, "buffer_size") == 1500       # 100 × 15
  cfg["train"]["buffer_transitions"] = 2000
  assert report.setting_value(cfg, "buffer_size") == 2000
  assert report.setting_value(cfg, "learner.missing") is None
  table = report.setup_table([("learner.hidden_sizes", (400, 300), "L288"),
                              ("gamma", 0.97, "L320"),
                              ("train.updates_per_env_step", 1.3333333, "L231")], cfg)
  assert "| `learner.hidden_sizes` | 400×300 | 400×300 | L288 |" in table
  assert "| `gamma` | 0.97 | 0.9 **≠** | L320 |" in table
  assert "| `train.updates_per_env_step` | 1.333 | 1.333 | L231 |" in table
  assert "not run yet" in report.setup_table([("gamma", 0.97, "L320")], None)
  # γ at the top level (runs from before it left the learner block keep theirs)
  assert report.setting_value({"gamma": 0.97, "learner": {}}, "gamma") == 0.97


def test_study_configs_match_every_paper_setting():
  # The family configs are the papers' setups: at the paper scale nothing in
  # a family's first cell differs from PAPER_SETTINGS.
  from hindsight import config as config_lib
  for name in studies.STUDIES:
    study = studies.get_config(name, "paper")
    for fam in study.families:
      c = schema.load(studies.family_config(study, fam))
      cfg = config_lib.validate(c).to_dict()
      for key, paper, source, *tol in study.paper_settings[fam]:
        got = report.setting_value(cfg, key)
        assert report.same_setting(got, paper, *tol), (fam, key, got, paper, source)


# ------------------------------------------ the generator on a real tiny sweep --

def _tiny_study():
  """A study over the tiny sweep's cells (conftest.TINY_SWEEP_ARGS)."""
  cell = lambda f, r: ConfigDict(dict(family=f, config=f"configs/{f}.py", relabeler=r,
                                      label=r, options=[]))
  fams = ["point_reacher", "point_goal"]
  claim = lambda cid, kind, a, b: ConfigDict(dict(id=cid, text=f"{a} vs {b}", kind=kind,
                                                   a=a, b=b, families=fams))
  return ConfigDict(dict(
      name="tiny", title="Tiny study", families=fams, scale="test", num_seeds=2,
      metric="eval_return_mean", alpha=0.05, n_boot=200,
      cells=[cell(f, r) for f in fams for r in ("none", "random", "her", "air")],
      claims=[claim("her-none", "better", "her", "none"),
              claim("random-none", "not_worse", "random", "none"),
              claim("air-none", "better", "air", "none")],
      budgets={f: ["train.total_env_steps=320"] for f in fams}))


def test_report_from_tiny_sweep(tiny_sweep, tmp_path):
  study = _tiny_study()
  cells = report.load_cells(study, tiny_sweep["sweep_dir"])
  assert cells[("point_goal", "her")] is not None and cells[("point_goal", "air")] is None
  text, results = report.study_section(study, tiny_sweep["sweep_dir"], str(tmp_path / "fig"),
                                       str(tmp_path), "python experiments/reproduce.py --study=tiny")
  path = tmp_path / "REPRODUCTION.md"
  report.write_report(str(path), [text], "pytest", report.summary_section([(study, results)]))
  out = path.read_text()
  assert out.startswith("# Reproduction report") and "## Tiny study" in out
  # the summary has a row per claim, with the verdict and counts of its families
  assert out.index("## Summary of verdicts") < out.index("## Tiny study")
  row = next(l for l in out.splitlines() if l.startswith("| Tiny study | air vs none"))
  assert row.endswith("| **not run yet** | — | 0 · 0 · 0 · 0 · 0 · 0 · 2 |")
  assert "6 of 8 cells finished" in out
  from hindsight.io import provenance
  # A git checkout: the report names the commits the cells were trained on
  # (as recorded by the runs: HEAD may have moved since).
  if provenance.current()["commit"]:
    recorded = provenance.commits(cells[("point_goal", "her")]["run_dir"])
    assert recorded and all(f"`{c}`" in out for c in recorded)
  for fam in ("point_reacher", "point_goal"):
    png = tmp_path / "fig" / f"tiny-test-{fam}.png"
    assert png.exists() and png.stat().st_size > 10_000
    assert f"![{fam}](fig/tiny-test-{fam}.png)" in out
  # every claim has a verdict; air never ran
  assert out.count("- **") == 3
  assert "not run yet** — air vs none" in out
  assert "| air | 0 | not run yet |" in out
  # the numbers in the table are the runs' numbers
  run = cells[("point_goal", "none")]
  from hindsight import analysis
  fin = analysis.final_values(run["rows"]).mean()
  assert f"| none | 2 | {int(analysis.curves(run['rows'])[0][-1])} | {fin:.3f} [" in out
  # the difference quoted for her vs none is recomputed exactly
  res = report.check_claim(study.claims[0], cells, study.metric, 200, 0.05)
  goal = next(r for r in res["families"] if r["family"] == "point_goal")
  assert f"difference {goal['diff']:.3f} [95 % CI {goal['lo']:.3f}, {goal['hi']:.3f}]" in out
  assert res["verdict"] in ("reproduced", "partly", "not reproduced",
                            "not testable at this budget")
  # every run recorded the random policy's evaluation; the report shows it
  assert "Uniform-random policy on the same evaluation tasks" in out
  assert os.path.exists(os.path.join(run["run_dir"], "random_policy.json"))
  assert os.path.exists(os.path.join(run["run_dir"], "zero_policy.json"))
  assert "zero-action policy on the same evaluation tasks" in out
  assert "final success" in out  # point_goal is a goal family
  # the setup the runs used, from their config.json
  assert "| point_reacher | `train.total_env_steps=320` | 2 |" in out
  # training diagnostics: the seed-mean of each logged diagnostic at the last epoch
  assert "Training diagnostics at the last epoch" in out
  diag = report.diagnostics_table(study, "point_goal", cells)
  head = next(l for l in diag.splitlines() if l.startswith("| strategy |"))
  assert "`q_mean`" in head and "`relabel/changed`" in head and "`relabel/her_steps_ahead`" in head
  cols = [c.strip(" `") for c in head.strip("|").split("|")]
  her_row = next(l for l in diag.splitlines() if l.startswith("| her |"))
  vals = [v.strip() for v in her_row.strip("|").split("|")]
  her_rows = cells[("point_goal", "her")]["rows"]
  for c in ("q_mean", "relabel/changed"):
    want = analysis.final_values(her_rows, c).mean()
    assert vals[cols.index(c)] == report._f(float(want)), c
  none_row = next(l for l in diag.splitlines() if l.startswith("| none |"))
  nvals = [v.strip() for v in none_row.strip("|").split("|")]
  assert nvals[cols.index("relabel/her_steps_ahead")] == "—"  # none does not log it
  assert diag in out


def test_report_over_a_directory_without_runs_keeps_the_old_report(tmp_path):
  # A mistyped --out_dir used to rewrite REPRODUCTION.md with 'not run yet'
  # everywhere; now it refuses and leaves the file as it was.
  from hindsight import reproduce
  path = tmp_path / "REPRODUCTION.md"
  path.write_text("# Reproduction report\nresults\n")
  with pytest.raises(reproduce.ReportError, match="no runs in"):
    reproduce.report(str(tmp_path / "typo"), "cpu", str(path), str(tmp_path / "fig"))
  assert path.read_text() == "# Reproduction report\nresults\n"


def test_claim_improvement_by_hand():
  # family 1: A ends at (2, 3), B at (1, 1), random 0, best 3 → A beats B in all pairs
  # family 2: A at (0, 0), B at (1, 1) → B wins every pair; mean over families ½
  counted = [(np.array([2.0, 3.0]), np.array([1.0, 1.0]), 0.0, 3.0),
             (np.array([0.0, 0.0]), np.array([1.0, 1.0]), -1.0, 1.0)]
  imp = report.claim_improvement(counted, n_boot=200, alpha=0.05)
  assert imp["p"] == 0.5 and imp["families"] == 2
  assert imp["lo"] == imp["hi"] == 0.5     # every resample keeps each family's order
  assert report.claim_improvement([], 200, 0.05) is None
  # a family where one seed of A diverged: 2 seeds of A against 3 of B, and a
  # family with 3 and 3. Family 1: A (1, 1) vs B (0, 0, 2) → A wins 4 of 6 pairs,
  # 2/3; family 2: A (2, 2, 2) vs B (1, 1, 1) → 1; P = (2/3 + 1) / 2 = 5/6
  counted = [(np.array([1.0, 1.0]), np.array([0.0, 0.0, 2.0]), 0.0, 2.0),
             (np.array([2.0, 2.0, 2.0]), np.array([1.0, 1.0, 1.0]), 0.0, 2.0)]
  imp = report.claim_improvement(counted, n_boot=500, alpha=0.05)
  assert imp["p"] == pytest.approx(5 / 6) and imp["families"] == 2
  assert 0.5 <= imp["lo"] <= 5 / 6 <= imp["hi"] == 1.0


def test_v1_labels_by_hand():
  gh = studies.get_config("generalized_hindsight", "cpu")
  hipi = studies.get_config("hipi", "cpu")
  assert report.v1_label(gh, "point_reacher", "her-strategy=future") == "her"
  assert report.v1_label(gh, "point_reacher", "random") == "random"
  assert report.v1_label(hipi, "point_goal", "her-strategy=final") == "her-final"
  assert report.v1_label(hipi, "point_goal", "hipi-candidates=prior-num_candidates=16") == "hipi"
  assert report.v1_label(hipi, "point_goal_bc", "none") == "bc"
  assert report.v1_label(hipi, "point_goal_bc", "hipi") == "hipi-bc"
  assert report.v1_label(gh, "point_trajectory", "her-strategy=future") is None  # no such cell


def test_appendix_compares_old_and_new_verdicts():
  claim = studies.get_config("generalized_hindsight", "cpu").claims[0]
  row = lambda fam, out, d: {"family": fam, "outcome": out, "diff": d, "lo": d - 1,
                             "hi": d + 1, "a": 0.0, "b": 0.0}
  old = [{"claim": claim, "verdict": "partly",
          "families": [row("point_trajectory", "better", 5.0), row("point_reacher", "tied", 0.0)]}]
  new = [{"claim": claim, "verdict": "reproduced",
          "families": [row("point_trajectory", "better", 12.4),
                       row("point_reacher", "missing", float("nan"))]}]
  text = report.appendix_section([(None, old, new)], 0.05)
  assert f"**{claim.id}**" in text and "before **partly**, now **reproduced**" in text
  assert "| point_trajectory | 5.000 [4.000, 6.000] → better | 12.400 [11.400, 13.400] → better |" in text
  assert "| point_reacher | 0.000 [-1.000, 1.000] → tied | not run |" in text


def test_reproduce_command_dry_run(tmp_path):
  """experiments/reproduce.py itself (flags, imports): a dry run lists the
  cells' commands and trains nothing."""
  import subprocess
  import sys
  root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
  out = subprocess.run(
      [sys.executable, os.path.join(root, "experiments", "reproduce.py"),
       "--study=generalized_hindsight", "--scale=cpu", "--families=point_trajectory",
       f"--out_dir={tmp_path}", f"--report={tmp_path / 'R.md'}",
       f"--fig_dir={tmp_path / 'fig'}", "--dry_run"],
      cwd=root, capture_output=True, text=True, timeout=600)
  assert out.returncode == 0, out.stderr[-2000:]
  assert "point_trajectory-none" in out.stdout + out.stderr
  assert not any(p.name.startswith("point_trajectory-") and (p / "metrics.csv").exists()
                 for p in (tmp_path / "generalized_hindsight-cpu").iterdir())


def test_axis_figure_plots_final_success_against_n(tmp_path):
  # Two strategies at n = 5 and n = 20; one cell not run yet.
  study = ConfigDict(dict(name="s", scale="cpu", cells=[
      ConfigDict(dict(family=f, label=l)) for f in ("f5", "f20") for l in ("dqn", "her")],
      axis=dict(key="n", name="bits n", values={"f5": 5, "f20": 20})))
  cells = {("f5", "dqn"): _run([1.0, 1.0]), ("f5", "her"): _run([1.0, 0.5]),
           ("f20", "her"): _run([0.75, 0.25]), ("f20", "dqn"): None}
  png, table = report.axis_figure(study, cells, "eval_return_mean", str(tmp_path / "a.png"),
                                  200, 0.05)
  assert png and (tmp_path / "a.png").stat().st_size > 0
  lines = table.splitlines()
  assert "| strategy | bits n = 5 | bits n = 20 |" in lines
  assert "| dqn | 1.00 [1.00, 1.00] | not run yet |" in lines
  # Seed means 0.75 and 0.50; two seeds: the bootstrap interval spans them.
  assert "| her | 0.75 [0.50, 1.00] | 0.50 [0.25, 0.75] |" in lines
  png, _ = report.axis_figure(study, {}, "eval_return_mean", str(tmp_path / "b.png"), 200,
                              0.05)
  assert png is None and not (tmp_path / "b.png").exists()


def test_training_code_changes_between_commits(tmp_path):
  """Commits that differ only in the report or the study definitions train
  the same code; a change to the package or a config is listed."""
  import subprocess
  from hindsight.io import provenance

  def git(*a):
    return subprocess.run(["git", "-C", str(tmp_path), *a], check=True, capture_output=True,
                          text=True).stdout.strip()

  git("init", "-q")
  git("config", "user.email", "t@t")
  git("config", "user.name", "t")
  for f in ("hindsight/report.py", "hindsight/studies/__init__.py", "hindsight/relabel/air.py",
            "configs/point_reacher.py", "README.md"):
    (tmp_path / f).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / f).write_text("a\n")
  git("add", ".")
  git("commit", "-qm", "one")
  first = git("rev-parse", "--short=10", "HEAD")

  def commit(*paths):
    for f in paths:
      (tmp_path / f).write_text((tmp_path / f).read_text() + "b\n")
    git("commit", "-qam", "next")
    return git("rev-parse", "--short=10", "HEAD")

  second = commit("hindsight/report.py", "hindsight/studies/__init__.py", "README.md")
  assert provenance.training_code_changes([first, second], root=str(tmp_path)) == []
  third = commit("hindsight/relabel/air.py", "configs/point_reacher.py")
  assert provenance.training_code_changes([first, second, third], root=str(tmp_path)) == [
      "configs/point_reacher.py", "hindsight/relabel/air.py"]
  assert provenance.training_code_changes([first, second + "+changes"],
                                          root=str(tmp_path)) is None
  assert provenance.training_code_changes([first, "0123456789"], root=str(tmp_path)) is None
  assert report._code_line([first]) == ""


def test_a_shared_value_above_random_is_a_tie_not_no_signal(tmp_path):
  """Every seed of both at success 1 on a family that learned (random 0.1):
  tied, which supports 'not worse'; every seed of both at the random
  policy's floor (another strategy learned): no signal, left out."""
  claim = ConfigDict(dict(id="c", text="A is at least as good as B", kind="not_worse",
                          a="a", b="b", families=["solved", "floor"]))
  study = ConfigDict(dict(cells=[ConfigDict(dict(family=f, label=l))
                                 for f in ("solved", "floor") for l in ("a", "b", "c")]))
  cells = {}
  for fam, a, b, c in (("solved", [1.0] * 3, [1.0] * 3, [0.5] * 3),
                       ("floor", [0.0] * 3, [0.0] * 3, [0.9, 0.8, 1.0])):
    d = tmp_path / fam
    d.mkdir()
    (d / "random_policy.json").write_text(json.dumps({"eval_return_mean": [0.1, 0.0, 0.05]}))
    for label, v in (("a", a), ("b", b), ("c", c)):
      cells[(fam, label)] = dict(_run(v), run_dir=str(d))
  guards = {f: report.family_guard(study, f, cells, "eval_return_mean", 300, 0.05)
            for f in ("solved", "floor")}
  assert guards["solved"]["outcome"] == guards["floor"]["outcome"] == "learned"
  res = report.check_claim(claim, cells, "eval_return_mean", 300, 0.05, guards)
  assert [r["outcome"] for r in res["families"]] == ["tied", "no signal"]
  assert res["verdict"] == "reproduced"


def test_a_repeated_setup_is_named_once():
  row = [("gamma", 0.98, "the paper")]
  study = ConfigDict(dict(
      families=["a", "b", "c"], num_seeds=5,
      cells=[ConfigDict(dict(family=f, label="x")) for f in ("a", "b", "c")],
      budgets={f: ["train.total_env_steps=10"] for f in ("a", "b", "c")},
      paper_settings={"a": row, "b": row, "c": [("gamma", 0.9, "another paper")]},
      differences={"a": ["one thing"], "b": ["one thing"], "c": ["one thing"]}))
  cells = {(f, "x"): {"config": {"gamma": 0.98}} for f in ("a", "b", "c")}
  text = report.budget_section(study, cells)
  assert "**b** — the same setup as **a**." in text
  assert "**c** — the paper's setup" in text and text.count("- one thing") == 2
