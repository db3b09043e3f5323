"""experiments/train.py end to end, as a user runs it: a tiny 2-seed run, its
run directory, resuming, and the errors a bad command line gets.

The training runs compile the whole training program, the slowest part of the
suite. So the sequence of runs (first run → the same command again → drop the
last checkpoint, as if the process had been killed → the same command again)
happens in a background thread that ``tests/conftest.py`` starts as soon as
collection finishes; it runs while the other test modules run, and the tests
here inspect what each step left behind.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest

from hindsight.io import files

ROOT = Path(__file__).resolve().parents[1]
TRAIN = str(ROOT / "experiments" / "train.py")
RENDER = str(ROOT / "experiments" / "render.py")
RUN_NAME = "point_reacher-sac-none-s0"
TINY = [
    "--config=configs/point_reacher.py",
    "--config.train.total_env_steps=320",
    "--config.train.iterations_per_epoch=1",
    "--config.train.num_envs=8",
    "--config.train.updates_per_env_step=0.025",  # 4 updates per 8 × 20 steps
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
TIMEOUT_S = 600


def _env(cache_dir):
  env = dict(os.environ)
  # Repeated runs of the same program hit JAX's compilation cache (speed only).
  env["JAX_COMPILATION_CACHE_DIR"] = cache_dir
  env["JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS"] = "0"
  env["JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES"] = "0"
  env["JAX_PLATFORMS"] = "cpu"
  return env


def train(args, env, timeout=TIMEOUT_S):
  return subprocess.run([sys.executable, TRAIN, *args], cwd=ROOT, env=env,
                        capture_output=True, text=True, timeout=timeout)


def _check_ok(proc):
  assert proc.returncode == 0, f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr[-4000:]}"


def _ckpts(run_dir):
  return sorted(p.name for p in Path(run_dir).glob("ckpt_*.npz"))


# ----------------------------------------------------- background sequence --

class _Sequence:
  """The training runs, one after the other, in a thread."""

  def __init__(self):
    self.base = tempfile.mkdtemp(prefix="hindsight-test-cli-")
    self.env = _env(os.path.join(self.base, "jax_cache"))
    self.workdir = os.path.join(self.base, "runs")
    self.args = TINY + [f"--config.workdir={self.workdir}"]
    self.run_dir = Path(self.workdir) / RUN_NAME
    self.results = {}
    self.error = None
    self._proc = None
    self._stop = threading.Event()
    self._thread = threading.Thread(target=self._work, daemon=True)
    self._thread.start()

  def _run(self, args):
    return self._run_tool(TRAIN, args)

  def _run_tool(self, tool, args):
    if self._stop.is_set():
      raise RuntimeError("stopped")
    self._proc = subprocess.Popen([sys.executable, tool, *args], cwd=ROOT, env=self.env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = self._proc.communicate(timeout=TIMEOUT_S)
    return subprocess.CompletedProcess(self._proc.args, self._proc.returncode, out, err)

  def _work(self):
    r = self.results
    metrics = self.run_dir / "metrics.csv"
    try:
      r["first"] = self._run(self.args)
      if r["first"].returncode != 0:
        return
      r["first_rows"] = files.read_csv(str(metrics))
      r["first_ckpts"] = _ckpts(self.run_dir)
      r["first_config"] = files.read_json(str(self.run_dir / "config.json"))
      r["first_log"] = (self.run_dir / "log.txt").read_text()
      render_dir = self.run_dir / "render"
      r["first_render"] = sorted(p.name for p in render_dir.glob("*")) if render_dir.exists() else []
      if r["first_render"]:
        r["first_png"] = (render_dir / r["first_render"][0]).read_bytes()
        # experiments/render.py on the finished run, from its latest checkpoint
        out = os.path.join(self.base, "rendered.png")
        r["render_cli"] = self._run_tool(RENDER, [f"--run={self.run_dir}", f"--out={out}"])
        r["render_cli_png"] = Path(out).read_bytes() if os.path.exists(out) else b""
      # The same command on the finished run.
      r["rerun"] = self._run(self.args)
      r["rerun_rows"] = files.read_csv(str(metrics))
      # As if the process had died after epoch 1's checkpoint.
      (self.run_dir / f"ckpt_{NUM_EPOCHS:06d}.npz").unlink()
      r["resumed"] = self._run(self.args)
      r["resumed_rows"] = files.read_csv(str(metrics))
      r["resumed_ckpts"] = _ckpts(self.run_dir)
    except BaseException as e:  # reported by the fixture
      self.error = e

  def wait(self):
    self._thread.join(timeout=4 * TIMEOUT_S)
    if self._thread.is_alive():
      raise TimeoutError("the background training runs did not finish")
    if self.error is not None:
      raise self.error
    return self.results

  def stop(self):
    self._stop.set()
    if self._proc is not None and self._proc.poll() is None:
      self._proc.kill()
    self._thread.join(timeout=60)
    shutil.rmtree(self.base, ignore_errors=True)


_SEQ = []


# The background work starts only when a selected test uses it.
BACKGROUND_FIXTURES = ("runs",)


def start_background():
  """Called by tests/conftest.py when collection finishes."""
  if not _SEQ:
    _SEQ.append(_Sequence())


def stop_background():
  while _SEQ:
    _SEQ.pop().stop()


@pytest.fixture(scope="module")
def runs():
  start_background()  # a no-op when conftest already started it
  seq = _SEQ[0]
  results = seq.wait()
  _check_ok(results["first"])
  yield seq, results
  stop_background()


@pytest.fixture(scope="module")
def cli_env(tmp_path_factory):
  return _env(str(tmp_path_factory.mktemp("jax_cache")))


# ------------------------------------------------------------------- tests --

def test_run_directory(runs):
  seq, r = runs
  assert (seq.run_dir / "log.txt").exists()
  cfg = r["first_config"]
  assert cfg["train"]["batch_size"] == 32 and cfg["num_seeds"] == 2
  assert list(cfg["learner"]["hidden_sizes"]) == [32, 32]
  assert cfg["env"]["name"] == "point_reacher" and cfg["relabel"]["name"] == "none"
  assert cfg["workdir"] == seq.workdir
  assert r["first_ckpts"] == ["ckpt_000001.npz", "ckpt_000002.npz"]
  assert "final mean eval return over 2 seed(s)" in r["first"].stdout


def test_metrics_rows_and_columns(runs):
  rows = runs[1]["first_rows"]
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
    assert r["wall_time"] >= 0
  by_seed = {s: [r for r in rows if r["seed"] == s] for s in (0, 1)}
  # two seeds are two different runs
  assert by_seed[0][0]["eval_return_mean"] != by_seed[1][0]["eval_return_mean"]


NOISE = ("Failed to import warp", "Failed to import mujoco_warp", "settotalmass",
         "not actively being maintained", "Unable to initialize backend", "A Google TPU")


def test_terminal_shows_only_the_runs_own_lines(runs):
  """Library start-up output stays off the terminal (it goes to log.txt)."""
  _, r = runs
  terminal = r["first"].stdout + r["first"].stderr
  for noise in NOISE:
    assert noise not in terminal, (noise, terminal[:2000])
  lines = [ln for ln in r["first"].stderr.splitlines() if ln.strip()]
  # every stderr line is one of the run's own (time-stamped) lines
  import re
  assert lines and all(re.match(r"\d\d:\d\d:\d\d (run|epoch|done|evaluation episodes)", ln)
                       for ln in lines), lines
  import importlib.util
  if importlib.util.find_spec("warp") is None:
    assert "Failed to import warp" in r["first_log"]   # kept, in the run's log


def test_run_draws_its_final_evaluation_and_render_cli_redraws_it(runs):
  pytest.importorskip("matplotlib")
  _, r = runs
  assert r["first_render"] == [f"epoch_{NUM_EPOCHS:06d}-seed_0.png",
                               f"epoch_{NUM_EPOCHS:06d}-seed_1.png"]
  assert r["first_png"].startswith(b"\x89PNG")
  _check_ok(r["render_cli"])
  assert "wrote" in r["render_cli"].stdout
  # the same episodes from the checkpoint: the same picture
  assert r["render_cli_png"] == r["first_png"]


def test_rerun_of_a_finished_run_resumes(runs):
  _, r = runs
  _check_ok(r["rerun"])
  assert "resumed" in r["rerun"].stderr
  assert f"at epoch {NUM_EPOCHS}/{NUM_EPOCHS}" in r["rerun"].stderr
  assert r["rerun_rows"] == r["first_rows"]  # nothing duplicated, nothing lost
  assert "final mean eval return over 2 seed(s)" in r["rerun"].stdout


def test_killed_run_resumes_from_its_last_checkpoint(runs):
  seq, r = runs
  _check_ok(r["resumed"])
  assert f"resumed {seq.run_dir} at epoch {NUM_EPOCHS - 1}/{NUM_EPOCHS}" in r["resumed"].stderr
  rows = r["resumed_rows"]
  keys = [(row["seed"], row["epoch"]) for row in rows]
  assert len(keys) == len(set(keys)) == 2 * NUM_EPOCHS  # no duplicated rows
  # The resumed epoch is the same computation: same evaluation returns.
  old = {(row["seed"], row["epoch"]): row for row in r["first_rows"]}
  for row in rows:
    o = old[(row["seed"], row["epoch"])]
    assert row["env_steps"] == o["env_steps"]
    assert row["eval_return_mean"] == pytest.approx(o["eval_return_mean"], rel=1e-5, abs=1e-5)
  assert r["resumed_ckpts"] == ["ckpt_000001.npz", "ckpt_000002.npz"]


def test_bad_key_exits_nonzero(tmp_path, cli_env):
  proc = train(TINY + [f"--config.workdir={tmp_path}", "--config.train.nope=1"], cli_env)
  assert proc.returncode != 0
  assert "nope" in proc.stderr
  assert not any(tmp_path.iterdir())  # nothing was written


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


@pytest.mark.parametrize("args, expect", [
    (["--config.learner.hidden_sizes=abc"], "not a sequence of integers"),
    (["--config.run_name=../../escape"], "config.run_name"),
    (["--config.learner.hidden_sizes=()"], "learner.hidden_sizes"),
])
def test_bad_overrides_are_one_line_errors(tmp_path, cli_env, args, expect):
  proc = train(TINY + [f"--config.workdir={tmp_path}"] + args, cli_env)
  assert proc.returncode != 0 and expect in proc.stderr
  assert "Traceback" not in proc.stderr
  assert not any(tmp_path.iterdir())
  assert not (tmp_path.parent.parent / "escape").exists()


def test_sequence_overrides_are_whole_values():
  from hindsight import cli
  argv = ["train.py", "--config=configs/point_reacher.py",
          "--config.learner.hidden_sizes=(16,16)", "--config.seed=3",
          "--config.learner.hidden_sizes=(8,)"]
  rest, found = cli.split_sequence_overrides(argv)
  # the last one wins (absl would have concatenated them to (16, 16, 8))
  assert found == {"learner.hidden_sizes": (8,)}
  assert rest == ["train.py", "--config=configs/point_reacher.py", "--config.seed=3"]
  for raw, value in (("256,256", (256, 256)), ("[8]", (8,)), ("()", ()), ("64", (64,))):
    assert cli.parse_int_sequence("learner.hidden_sizes", raw) == value
  for raw in ("abc", "(1.5,)", "(True,)", "{'a': 1}"):
    with pytest.raises(ValueError, match="not a sequence of integers"):
      cli.parse_int_sequence("learner.hidden_sizes", raw)


def test_workdir_that_is_a_file_is_a_one_line_error(tmp_path, cli_env):
  blocker = tmp_path / "file"
  blocker.write_text("not a directory")
  proc = train(TINY + [f"--config.workdir={blocker}"], cli_env)
  assert proc.returncode == 1 and "Traceback" not in proc.stderr
  err = [l for l in proc.stderr.splitlines() if l.startswith("error:")]
  assert len(err) == 1 and str(blocker) in err[0]
  proc = train(TINY + [f"--config.workdir={blocker}", "--verbose"], cli_env)
  assert proc.returncode != 0 and "Traceback" in proc.stderr
