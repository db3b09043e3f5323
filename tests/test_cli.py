"""experiments/train.py end to end, as a user runs it: a tiny 2-seed run, its
run directory, resuming, and the errors a bad command line gets."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from hindsight.io import files

ROOT = Path(__file__).resolve().parents[1]
TRAIN = str(ROOT / "experiments" / "train.py")
RUN_NAME = "point_reacher-sac-none-s0"
TINY = [
    "--config=configs/point_reacher.py",
    "--config.train.total_env_steps=320",
    "--config.train.iterations_per_epoch=1",
    "--config.train.updates_per_iteration=4",
    "--config.train.warmup_episodes=8",
    "--config.train.batch_size=32",
    "--config.train.buffer_episodes=64",
    "--config.train.checkpoint_every_epochs=1",
    "--config.learner.hidden_sizes=(32,32)",
    "--config.num_seeds=2",
]
# 8 warm-up episodes (160 steps) + 1 iteration of 8 × 20 steps per epoch;
# ceil(320 / 160) = 2 epochs.
NUM_EPOCHS = 2


@pytest.fixture(scope="module")
def cli_env(tmp_path_factory):
  env = dict(os.environ)
  # Repeated runs of the same program hit JAX's compilation cache (speed only).
  env["JAX_COMPILATION_CACHE_DIR"] = str(tmp_path_factory.mktemp("jax_cache"))
  env["JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS"] = "0"
  env["JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES"] = "0"
  env["JAX_PLATFORMS"] = "cpu"
  return env


def train(args, env):
  return subprocess.run([sys.executable, TRAIN, *args], cwd=ROOT, env=env,
                        capture_output=True, text=True, timeout=600)


def _check_ok(proc):
  assert proc.returncode == 0, f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr[-4000:]}"


@pytest.fixture(scope="module")
def first_run(tmp_path_factory, cli_env):
  workdir = tmp_path_factory.mktemp("runs")
  args = TINY + [f"--config.workdir={workdir}"]
  proc = train(args, cli_env)
  _check_ok(proc)
  run_dir = workdir / RUN_NAME
  return dict(args=args, run_dir=run_dir, proc=proc,
              rows=files.read_csv(str(run_dir / "metrics.csv")))


def test_run_directory(first_run):
  run_dir = first_run["run_dir"]
  assert (run_dir / "config.json").exists() and (run_dir / "log.txt").exists()
  cfg = files.read_json(str(run_dir / "config.json"))
  assert cfg["train"]["batch_size"] == 32 and cfg["num_seeds"] == 2
  assert list(cfg["learner"]["hidden_sizes"]) == [32, 32]
  assert cfg["env"]["name"] == "point_reacher" and cfg["relabel"]["name"] == "none"
  ckpts = sorted(p.name for p in run_dir.glob("ckpt_*.npz"))
  assert ckpts == ["ckpt_000001.npz", "ckpt_000002.npz"]
  assert "final mean eval return over 2 seed(s)" in first_run["proc"].stdout


def test_metrics_rows_and_columns(first_run):
  rows = first_run["rows"]
  assert sorted((r["seed"], r["epoch"]) for r in rows) == [
      (s, e) for s in (0, 1) for e in range(1, NUM_EPOCHS + 1)]
  required = ["seed", "epoch", "env_steps", "wall_time", "eval_return_mean"] + [
      f"eval_return_task_{i:02d}" for i in range(25)]
  for r in rows:
    for col in required:
      assert isinstance(r[col], (int, float)), (col, r[col])
    # the mean is the mean of the 25 per-task returns
    per_task = [r[f"eval_return_task_{i:02d}"] for i in range(25)]
    assert r["eval_return_mean"] == pytest.approx(sum(per_task) / 25, rel=1e-5, abs=1e-6)
    assert "eval_return_task_25" not in r
    # 160 warm-up steps + 160 per epoch
    assert r["env_steps"] == 160 + 160 * r["epoch"]
  by_seed = {s: [r for r in rows if r["seed"] == s] for s in (0, 1)}
  # two seeds are two different runs
  assert by_seed[0][0]["eval_return_mean"] != by_seed[1][0]["eval_return_mean"]


def test_rerun_of_a_finished_run_resumes(first_run, cli_env):
  proc = train(first_run["args"], cli_env)
  _check_ok(proc)
  assert f"resumed" in proc.stderr and f"epoch {NUM_EPOCHS}/{NUM_EPOCHS}" in proc.stderr
  rows = files.read_csv(str(first_run["run_dir"] / "metrics.csv"))
  assert rows == first_run["rows"]  # nothing duplicated, nothing lost


def test_killed_run_resumes_from_its_last_checkpoint(first_run, cli_env):
  run_dir = first_run["run_dir"]
  # As if the process died after epoch 1's checkpoint: drop the last one.
  (run_dir / f"ckpt_{NUM_EPOCHS:06d}.npz").unlink()
  proc = train(first_run["args"], cli_env)
  _check_ok(proc)
  assert f"resumed {run_dir} at epoch {NUM_EPOCHS - 1}/{NUM_EPOCHS}" in proc.stderr
  rows = files.read_csv(str(run_dir / "metrics.csv"))
  keys = [(r["seed"], r["epoch"]) for r in rows]
  assert len(keys) == len(set(keys)) == 2 * NUM_EPOCHS  # no duplicated rows
  # The resumed epoch is the same computation: same evaluation returns.
  old = {(r["seed"], r["epoch"]): r for r in first_run["rows"]}
  for r in rows:
    o = old[(r["seed"], r["epoch"])]
    assert r["env_steps"] == o["env_steps"]
    assert r["eval_return_mean"] == pytest.approx(o["eval_return_mean"], rel=1e-5, abs=1e-5)
  assert (run_dir / f"ckpt_{NUM_EPOCHS:06d}.npz").exists()


def test_bad_key_exits_nonzero(tmp_path, cli_env):
  proc = train(TINY + [f"--config.workdir={tmp_path}", "--config.train.nope=1"], cli_env)
  assert proc.returncode != 0
  assert "nope" in proc.stderr
  assert not any(tmp_path.iterdir())  # nothing was written


@pytest.mark.xfail(strict=True, reason=(
    "experiments/train.py: an unknown --config.<block>.<key> fails inside absl's flag "
    "parsing (ml_collections config_flags) with a raw traceback ending in "
    "AttributeError: \"'nope'\"; the message does not list the valid keys"))
def test_bad_key_message_names_valid_keys(tmp_path, cli_env):
  proc = train(TINY + [f"--config.workdir={tmp_path}", "--config.train.nope=1"], cli_env)
  assert proc.returncode != 0
  for key in ("total_env_steps", "batch_size", "num_envs", "warmup_episodes"):
    assert key in proc.stderr
  assert "Traceback" not in proc.stderr


def test_unknown_relabeler_lists_known_ones(tmp_path, cli_env):
  proc = train(TINY + [f"--config.workdir={tmp_path}", "--config.relabel.name=nope"], cli_env)
  assert proc.returncode != 0
  assert "relabel.name" in proc.stderr and "'nope'" in proc.stderr
  assert "known relabelers:" in proc.stderr
  for name in ("none", "random"):
    assert name in proc.stderr.split("known relabelers:")[1]
  assert "Traceback" not in proc.stderr
  assert not any(tmp_path.iterdir())  # validated before the run directory is made
