"""experiments/sweep.py: the grid, run names, up-front validation and the
manifest (in-process, nothing trained), then a real tiny sweep that is killed
mid-way and resumed by running the same command again (tests/conftest.py)."""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hindsight import analysis
from hindsight.io import files
from tests.conftest import (TINY_SWEEP_ARGS, TINY_SWEEP_EPOCHS, TINY_SWEEP_FINAL_STEPS,
                            start_tiny_sweep, stop_tiny_sweep)

ROOT = Path(__file__).resolve().parents[1]
SWEEP_PY = ROOT / "experiments" / "sweep.py"
REACHER, GOAL = "configs/point_reacher.py", "configs/point_goal.py"
TRAJ = "configs/point_trajectory.py"
TINY_SETS = [a[len("--set="):] for a in TINY_SWEEP_ARGS if a.startswith("--set=")]


# The background work starts only when a selected test uses it.
BACKGROUND_FIXTURES = ("tiny_sweep",)


def start_background():
  """Called by tests/conftest.py when collection finishes."""
  start_tiny_sweep()


def stop_background():
  stop_tiny_sweep()


def _load_sweep_module():
  name = "hindsight_experiments_sweep"
  if name not in sys.modules:  # absl flags may be defined only once per process
    spec = importlib.util.spec_from_file_location(name, SWEEP_PY)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
  return sys.modules[name]


sweep = _load_sweep_module()


@pytest.fixture
def in_root(monkeypatch):
  monkeypatch.chdir(ROOT)  # config paths are relative to the repository root


# ------------------------------------------------------------ flag values --

def test_split_values_respects_brackets_and_quotes():
  assert sweep.split_values("0.5,1") == ["0.5", "1"]
  assert sweep.split_values("(32,32),(64, 64)") == ["(32,32)", "(64, 64)"]
  assert sweep.split_values("[1,[2,3]],4") == ["[1,[2,3]]", "4"]
  assert sweep.split_values("'a,b',c") == ["'a,b'", "c"]
  assert sweep.split_values("final") == ["final"]


def test_parse_value_follows_the_field_type():
  assert sweep.parse_value("abc", "3") == "3"                 # strings stay verbatim
  assert sweep.parse_value(1, "3") == 3
  v = sweep.parse_value(0.5, "1")
  assert v == 1.0 and isinstance(v, float)
  assert sweep.parse_value((256, 256), "(32,32)") == (32, 32)
  assert sweep.parse_value(True, "false") is False
  assert sweep.parse_value(False, "1") is True
  with pytest.raises(sweep.SweepError, match="boolean"):
    sweep.parse_value(True, "maybe")
  assert sweep.parse_value(1, "not a literal") == "not a literal"


def test_set_key_errors_name_the_key():
  c = sweep.load_config(str(ROOT / REACHER))
  sweep.set_key(c, "train.total_env_steps", "3200")
  sweep.set_key(c, "learner.hidden_sizes", "(32,32)")
  sweep.set_key(c, "relabel.her.strategy", "final")
  assert c.train.total_env_steps == 3200 and tuple(c.learner.hidden_sizes) == (32, 32)
  assert c.relabel.her.strategy == "final"
  with pytest.raises(sweep.SweepError, match="'train.nope'.*batch_size"):
    sweep.set_key(c, "train.nope", "1")
  with pytest.raises(sweep.SweepError, match="is a block"):
    sweep.set_key(c, "train", "1")
  with pytest.raises(sweep.SweepError, match="train.batch_size"):
    sweep.set_key(c, "train.batch_size", "0.5")               # an int field


def test_parse_assignment():
  assert sweep.parse_assignment("train.batch_size=32", "set") == ("train.batch_size", "32")
  assert sweep.parse_assignment("config.seed=3", "set") == ("seed", "3")
  assert sweep.parse_assignment("learner.hidden_sizes=(32,32)", "set")[1] == "(32,32)"
  with pytest.raises(sweep.SweepError, match="key=value"):
    sweep.parse_assignment("train.batch_size", "set")
  for key, flag in (("relabel.name", "--relabelers"), ("num_seeds", "--num_seeds"),
                    ("workdir", "--sweep_dir")):
    with pytest.raises(sweep.SweepError, match=flag):
      sweep.parse_assignment(f"{key}=1", "set")


# --------------------------------------------------------------- run names --

def test_run_names_are_derived_from_the_grid_point():
  assert sweep.base_name(REACHER, "air", {}) == "point_reacher-air"
  assert (sweep.base_name(GOAL, "her", {"relabel.fraction": "0.5", "learner.gamma": "0.9"})
          == "point_goal-her-fraction=0.5-gamma=0.9")
  # two swept keys with the same last part keep their full names
  assert (sweep.base_name(GOAL, "none", {"a.x": "1", "b.x": "2"})
          == "point_goal-none-a.x=1-b.x=2")


def test_colliding_run_names_get_a_stable_suffix():
  points = [sweep.Point(config="a/c.py", relabeler="none", grid={}),
            sweep.Point(config="b/c.py", relabeler="none", grid={}),
            sweep.Point(config="b/c.py", relabeler="air", grid={})]
  sweep.assign_run_names(points)
  names = [p.run_name for p in points]
  assert len(set(names)) == 3 and names[2] == "c-air"
  assert names[0].startswith("c-none-") and names[1].startswith("c-none-")
  again = [sweep.Point(config=p.config, relabeler=p.relabeler, grid={}) for p in points]
  sweep.assign_run_names(again)
  assert [p.run_name for p in again] == names


# ------------------------------------------------- the grid and its manifest --

def test_dry_run_manifest(tmp_path, in_root):
  sweep_dir = tmp_path / "sw"
  argv = ["experiments/sweep.py", "--dry_run"]
  m = sweep.sweep([TRAJ, GOAL], ["none", "her"], 2, str(sweep_dir), max_parallel=2,
                  sets=TINY_SETS, grid=["relabel.fraction=0.5,1.0"], dry_run=True,
                  argv=argv, echo=lambda *a: None)
  data = files.read_json(str(sweep_dir / "manifest.json"))
  assert data["argv"] == argv and "experiments/sweep.py --dry_run" in data["command"]
  assert data["grid"]["relabelers"] == ["none", "her"]
  assert data["grid"]["grid"] == {"relabel.fraction": ["0.5", "1.0"]}
  assert data["grid"]["set"]["train.total_env_steps"] == "320"
  points = {p["run_name"]: p for p in data["points"]}
  assert sorted(points) == sorted(
      f"{c}-{r}-fraction={f}" for c in ("point_trajectory", "point_goal")
      for r in ("none", "her") for f in ("0.5", "1.0"))
  assert data["counts"] == {"pending": 6, "skipped": 2}
  for f in ("0.5", "1.0"):
    skipped = points[f"point_trajectory-her-fraction={f}"]
    assert skipped["status"] == "skipped" and skipped["command"] == []
    assert "goal part" in skipped["reason"] and "point_trajectory" in skipped["reason"]
  p = points["point_goal-her-fraction=1.0"]
  assert p["status"] == "pending" and p["num_epochs"] == TINY_SWEEP_EPOCHS
  assert p["seeds"] == [0, 1]
  cmd = p["command"]
  assert cmd[:3] == [sys.executable, "-m", "hindsight.train"]
  for arg in ["--config=configs/point_goal.py", "--config.train.total_env_steps=320",
              "--config.learner.hidden_sizes=(32,32)", "--config.relabel.fraction=1.0",
              "--config.relabel.name=her", "--config.num_seeds=2",
              f"--config.workdir={sweep_dir}",
              "--config.run_name=point_goal-her-fraction=1.0"]:
    assert arg in cmd
  assert p["command_line"].startswith(sys.executable)
  assert [q.run_name for q in m.points] == [q["run_name"] for q in data["points"]]
  assert not any(d.is_dir() and d.name != "logs" for d in sweep_dir.iterdir())


def test_bad_flags_stop_before_anything_is_written(tmp_path, in_root):
  quiet = dict(dry_run=True, echo=lambda *a: None, argv=[])
  d = str(tmp_path / "sw")
  with pytest.raises(sweep.SweepError, match="'train.nope'"):
    sweep.sweep([REACHER], ["none"], 1, d, sets=["train.nope=1"], **quiet)
  with pytest.raises(sweep.SweepError, match="train.batch_size.*out of range"):
    sweep.sweep([REACHER], ["none"], 1, d, sets=["train.batch_size=0"], **quiet)
  with pytest.raises(sweep.SweepError, match="launchers: local, ray"):
    sweep.sweep([REACHER], ["none"], 1, d, launcher="slurm", **quiet)
  if importlib.util.find_spec("ray") is not None:
    with pytest.raises(sweep.SweepError, match="needs --ray_address"):
      sweep.sweep([REACHER], ["none"], 1, d, launcher="ray", **quiet)
  with pytest.raises(sweep.SweepError, match="no config file"):
    sweep.sweep(["configs/nope.py"], ["none"], 1, d, **quiet)
  with pytest.raises(sweep.SweepError, match="twice"):
    sweep.sweep([REACHER], ["none", "none"], 1, d, **quiet)
  with pytest.raises(sweep.SweepError, match="twice"):
    sweep.sweep([REACHER], ["none"], 1, d, sets=["seed=1"], grid=["seed=2,3"], **quiet)
  assert not os.path.exists(d)


def test_grids_joined_into_one_sweep(tmp_path, in_root):
  """Points of two grids (different options) run as one sweep: one manifest,
  one max_parallel; points that share a run name are refused."""
  d = str(tmp_path / "sw")
  a, da = sweep.grid_points([GOAL], ["her"], 1, d, TINY_SETS, ["relabel.her.strategy=final"])
  b, db = sweep.grid_points([GOAL], ["her", "none"], 1, d, TINY_SETS,
                            ["relabel.her.strategy=future"])
  m = sweep.run_sweep(a + b, d, {"groups": [da, db]}, max_parallel=2, dry_run=True,
                      argv=[], echo=lambda *a: None)
  data = files.read_json(os.path.join(d, "manifest.json"))
  assert [p["run_name"] for p in data["points"]] == [
      "point_goal-her-strategy=final", "point_goal-her-strategy=future",
      "point_goal-none-strategy=future"]
  assert data["grid"]["max_parallel"] == 2 and len(data["grid"]["groups"]) == 2
  assert data["grid"]["groups"][1]["grid"] == {"relabel.her.strategy": ["future"]}
  assert len(m.points) == 3 and data["counts"] == {"pending": 3}
  with pytest.raises(sweep.SweepError, match="share run names: point_goal-her-strategy=final"):
    sweep.run_sweep(a + a, d, {}, dry_run=True, argv=[], echo=lambda *a: None)


@pytest.mark.parametrize("relabelers, sets, expect", [
    (["herr"], [], "known relabelers"),
    (["air"], ["relabel.air.num_candidates=0"], "num_candidates"),
    (["hipi"], ["relabel.hipi.temperature=-1"], "temperature"),
])
def test_invalid_points_stop_the_sweep_before_anything_starts(tmp_path, in_root, relabelers,
                                                             sets, expect):
  # A misspelled relabeler or an impossible value is not 'inapplicable': the
  # sweep refuses, naming the point and the reason, and writes nothing.
  d = tmp_path / "sw"
  with pytest.raises(sweep.SweepError, match=expect) as e:
    sweep.sweep([REACHER], relabelers, 1, str(d), sets=sets, dry_run=True,
                echo=lambda *a: None, argv=[])
  assert f"relabel={relabelers[0]}" in str(e.value)
  assert not (d / "manifest.json").exists()


def test_run_complete(tmp_path):
  rows = [{"seed": s, "epoch": e, "env_steps": 80 * e} for e in (1, 2) for s in (0, 1)]
  files.write_csv(str(tmp_path / "metrics.csv"), rows)
  assert sweep.run_complete(str(tmp_path), 2, [0, 1])
  assert not sweep.run_complete(str(tmp_path), 3, [0, 1])
  assert not sweep.run_complete(str(tmp_path), 2, [0, 1, 2])
  files.write_csv(str(tmp_path / "metrics.csv"), rows[:-1])
  assert not sweep.run_complete(str(tmp_path), 2, [0, 1])
  assert not sweep.run_complete(str(tmp_path / "missing"), 2, [0, 1])


def test_cli_usage_error(tmp_path):
  proc = subprocess.run([sys.executable, str(SWEEP_PY), f"--configs={REACHER}",
                         f"--sweep_dir={tmp_path / 'sw'}", "--launcher=ray"],
                        cwd=ROOT, capture_output=True, text=True, timeout=300)
  assert proc.returncode != 0
  assert "--ray_address" in proc.stderr or "pip install" in proc.stderr
  assert "Traceback" not in proc.stderr
  assert not (tmp_path / "sw").exists()


# ----------------------------------------- the tiny sweep, killed and resumed --

APPLICABLE = ["point_reacher-none", "point_reacher-random", "point_reacher-her",
              "point_goal-none", "point_goal-random", "point_goal-her"]


def test_first_invocation_was_killed_mid_way(tiny_sweep):
  assert tiny_sweep["exited_before_kill"] is None, tiny_sweep["first_output"][-3000:]
  after = tiny_sweep["manifest_after_kill"]
  assert after is not None, tiny_sweep["first_output"][-3000:]
  statuses = {p["run_name"]: p["status"] for p in after["points"]}
  assert sum(s == "done" for s in statuses.values()) < len(APPLICABLE)
  # SIGTERM is handled: the runs it stopped are back to pending, none left 'running'.
  assert "running" not in statuses.values(), statuses
  assert "interrupted" in tiny_sweep["first_output"]


def test_rerun_finishes_every_applicable_run(tiny_sweep):
  assert tiny_sweep["second_rc"] == 0, tiny_sweep["second_output"][-4000:]
  m = tiny_sweep["manifest"]
  points = {p["run_name"]: p for p in m["points"]}
  assert sorted(points) == sorted(APPLICABLE)
  assert m["counts"] == {"done": 6}
  for name in APPLICABLE:
    assert points[name]["status"] == "done" and points[name]["returncode"] == 0
  assert m["argv"][1:] == TINY_SWEEP_ARGS + [f"--sweep_dir={tiny_sweep['sweep_dir']}"]


def test_every_run_has_all_epochs_of_both_seeds(tiny_sweep):
  sweep_dir = Path(tiny_sweep["sweep_dir"])
  for name in APPLICABLE:
    run_dir = sweep_dir / name
    rows = files.read_csv(str(run_dir / "metrics.csv"))
    keys = [(r["seed"], r["epoch"]) for r in rows]
    assert len(keys) == len(set(keys)), f"{name}: duplicated rows"
    assert sorted(keys) == [(s, e) for s in (0, 1) for e in range(1, TINY_SWEEP_EPOCHS + 1)]
    final = {r["env_steps"] for r in rows if r["epoch"] == TINY_SWEEP_EPOCHS}
    if name.startswith("point_goal"):  # episodes end at the goal (HIPI's rule)
      assert all(0 < s <= TINY_SWEEP_FINAL_STEPS for s in final), final
    else:
      assert final == {TINY_SWEEP_FINAL_STEPS}
    cfg = files.read_json(str(run_dir / "config.json"))
    config_name, relabeler = name.split("-")
    assert cfg["env"]["name"] == config_name and cfg["relabel"]["name"] == relabeler
    assert cfg["num_seeds"] == 2 and cfg["run_name"] == name
    assert cfg["workdir"] == str(sweep_dir)
    assert cfg["train"]["total_env_steps"] == 320 and cfg["train"]["num_envs"] == 4
    assert list(cfg["learner"]["hidden_sizes"]) == [32, 32]
    if config_name == "point_goal":
      assert all(r["eval_success_mean"] is not None for r in rows)


def test_runs_finished_before_the_kill_were_not_run_again(tiny_sweep):
  sweep_dir = Path(tiny_sweep["sweep_dir"])
  before = {p["run_name"]: p["status"] for p in tiny_sweep["manifest_after_kill"]["points"]}
  starts = {}
  for name in APPLICABLE:
    log = (sweep_dir / "logs" / f"{name}.txt").read_text()
    starts[name] = log.count("\n=== ")
  for name in APPLICABLE:
    if before[name] == "done":
      assert starts[name] == 1, (name, starts)
    else:
      assert starts[name] in (1, 2), (name, starts)   # 2 if it had started before the kill
  assert any(n == 2 for n in starts.values()), starts  # something was resumed
  assert "already done" in tiny_sweep["second_output"]


def test_a_third_invocation_has_nothing_to_do(tiny_sweep):
  proc = subprocess.run(tiny_sweep["cmd"], cwd=ROOT, env=tiny_sweep["env"],
                        capture_output=True, text=True, timeout=600)
  assert proc.returncode == 0, proc.stderr[-3000:]
  out = proc.stdout + proc.stderr
  assert "0 to run, 6 already done, 0 skipped" in out
  m = files.read_json(os.path.join(tiny_sweep["sweep_dir"], "manifest.json"))
  assert m["counts"] == {"done": 6}


def test_analysis_reads_the_sweep(tiny_sweep):
  runs = analysis.load_sweep(tiny_sweep["sweep_dir"])
  assert sorted(r["name"] for r in runs) == sorted(APPLICABLE)
  assert all(r["status"] == "done" for r in runs)
  for r in runs:
    steps, values = analysis.curves(r["rows"])
    assert values.shape == (2, TINY_SWEEP_EPOCHS)
    if r["env"] == "point_goal":  # episodes end at the goal (HIPI's rule)
      assert 0 < steps[-1] <= TINY_SWEEP_FINAL_STEPS
    else:
      assert steps[-1] == TINY_SWEEP_FINAL_STEPS
  goal = analysis.group_runs(runs)["point_goal"]
  table = analysis.summary_table({r["relabel"]: r for r in goal})
  for label in ("her", "none", "random"):
    assert f"| {label} | 2 |" in table


def test_a_changed_grid_is_refused_without_touching_finished_points(tiny_sweep, in_root):
  # Rerunning the tiny sweep with a changed --set used to mark its finished
  # points 'failed' (their run directories hold another config); now the
  # sweep refuses before anything starts and the manifest is unchanged.
  path = os.path.join(tiny_sweep["sweep_dir"], "manifest.json")
  before = open(path).read()
  args = [a if a != "--set=train.batch_size=32" else "--set=train.batch_size=16"
          for a in TINY_SWEEP_ARGS]
  assert args != TINY_SWEEP_ARGS
  with pytest.raises(sweep.SweepError, match="different grid.*train.batch_size"):
    sets = [a.split("=", 1)[1] for a in args if a.startswith("--set=")]
    configs = next(a for a in args if a.startswith("--configs=")).split("=", 1)[1].split(",")
    relabelers = next(a for a in args if a.startswith("--relabelers=")).split("=", 1)[1]
    sweep.sweep(configs, relabelers.split(","), 2, tiny_sweep["sweep_dir"], sets=sets,
                echo=lambda *a: None, argv=[])
  assert open(path).read() == before
