"""Shared pytest hooks.

A test module may define ``start_background()`` and ``stop_background()``:
slow subprocesses it needs (e.g. the end-to-end training run of
``test_cli.py``) then start as soon as collection finishes, and run while the
in-process tests run; the module's fixtures wait on them. Nothing starts for
modules whose tests were all deselected, for modules whose selected tests use
none of the fixtures named in their ``BACKGROUND_FIXTURES``, or under
``--collect-only``.
"""

import os as _os_cache
import tempfile as _tempfile_cache

# One JAX compilation cache for the whole session, in-process tests and the
# training subprocesses alike (they inherit the environment): the same
# programs (e.g. a run and its resumption) then compile once.
_OWN_CACHE = None
if "JAX_COMPILATION_CACHE_DIR" not in _os_cache.environ:
  _OWN_CACHE = _tempfile_cache.mkdtemp(prefix="hindsight-test-jax-cache-")
  _os_cache.environ["JAX_COMPILATION_CACHE_DIR"] = _OWN_CACHE
  _os_cache.environ["JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS"] = "0"
  _os_cache.environ["JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES"] = "0"


_STARTED = []


def _modules(session):
  seen = []
  for item in session.items:
    mod = getattr(item, "module", None)
    if mod is not None and mod not in seen:
      seen.append(mod)
  return seen


def _needed(session, mod) -> bool:
  """A module's background work is needed when one of its selected tests
  uses a fixture named in its ``BACKGROUND_FIXTURES`` (all of its tests, if
  it names none)."""
  names = getattr(mod, "BACKGROUND_FIXTURES", None)
  if names is None:
    return True
  return any(getattr(item, "module", None) is mod and set(names) & set(item.fixturenames)
             for item in session.items)


def pytest_collection_finish(session):
  if session.config.option.collectonly:
    return
  for mod in _modules(session):
    start = getattr(mod, "start_background", None)
    if start is not None and _needed(session, mod):
      start()
      _STARTED.append(mod)


def pytest_sessionfinish(session):
  while _STARTED:
    _STARTED.pop().stop_background()
  if _OWN_CACHE is not None:
    import shutil
    shutil.rmtree(_OWN_CACHE, ignore_errors=True)


# ------------------------------------------------------------------------------
# The tiny sweep shared by tests/test_sweep.py and tests/test_notebooks.py.
#
# experiments/sweep.py over {point_reacher, point_goal} × {none, random, her}
# × 2 seeds at a tiny budget (her relabels point_reacher's goal part: 6 runs, 0
# skipped). It is started, killed (SIGTERM to its process group) as soon as a
# first run is done and a third has started, and started again with the same command,
# which must finish everything. Both modules' ``start_background`` start it in
# a background thread when collection finishes; the ``tiny_sweep`` fixture
# waits for it. Each run compiles its own JAX programs (tens of seconds).

import json as _json
import os as _os
import shutil as _shutil
import signal as _signal
import subprocess as _subprocess
import sys as _sys
import tempfile as _tempfile
import threading as _threading
import time as _time
import traceback as _traceback

import pytest as _pytest

_ROOT = _os.path.dirname(_os.path.dirname(_os.path.abspath(__file__)))
TINY_SWEEP_ARGS = [
    "--configs=configs/point_reacher.py,configs/point_goal.py",
    "--relabelers=none,random,her",
    "--num_seeds=2",
    "--max_parallel=2",
    "--set=train.total_env_steps=320",
    "--set=train.iterations_per_epoch=1",
    "--set=train.updates_per_env_step=0.05",  # 4 per 4 × 20 steps
    "--set=train.warmup_episodes=8",
    "--set=train.batch_size=32",
    "--set=learner.hidden_sizes=(32,32)",
    "--set=train.num_envs=4",
    "--set=train.buffer_episodes=64",
    "--set=train.checkpoint_every_epochs=1",
]
# 8 warm-up episodes, then epochs of 1 iteration × 4 envs × 20 steps = 80 steps:
# ceil(320 / 80) = 4 epochs; the last evaluation is at 160 + 4 · 80 = 480 steps.
TINY_SWEEP_EPOCHS = 4
TINY_SWEEP_FINAL_STEPS = 480
_SWEEP_TIMEOUT_S = 1800
_TINY = {}


def _sweep_env(base):
  env = dict(_os.environ)
  env["JAX_COMPILATION_CACHE_DIR"] = _os.path.join(base, "jax_cache")
  env["JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS"] = "0"
  env["JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES"] = "0"
  env["JAX_PLATFORMS"] = "cpu"
  return env


def _read_json(path):
  try:
    with open(path) as f:
      return _json.load(f)
  except (OSError, ValueError):
    return None


def _one_done_and_a_later_one_started(sweep_dir):
  m = _read_json(_os.path.join(sweep_dir, "manifest.json")) or {}
  status = [p.get("status") for p in m.get("points", [])]
  return "done" in status and status.count("done") + status.count("running") >= 3


def _tiny_sweep_lifecycle(state):
  try:
    base, cmd, env = state["base"], state["cmd"], state["env"]
    sweep_dir = state["sweep_dir"]
    # 1. start, and kill the whole process group once a run is done and a
    # later one has started: the finished run must not run again, the later
    # one (starting up, seconds from its first epoch) must be resumed. (A
    # kill at a run's first metrics could come, on a loaded machine, only
    # after its last epoch, while it draws its pictures: then nothing is left
    # to resume.)
    with open(_os.path.join(base, "first.txt"), "w") as out:
      proc = _subprocess.Popen(cmd, cwd=_ROOT, env=env, stdout=out, stderr=_subprocess.STDOUT,
                               start_new_session=True)
      state["proc"] = proc
      deadline = _time.time() + _SWEEP_TIMEOUT_S
      while (proc.poll() is None and _time.time() < deadline
             and not _one_done_and_a_later_one_started(sweep_dir)):
        _time.sleep(0.2)
      state["exited_before_kill"] = proc.poll()
      if proc.poll() is None:
        _os.killpg(proc.pid, _signal.SIGTERM)
        try:
          proc.wait(timeout=60)
        except _subprocess.TimeoutExpired:
          _os.killpg(proc.pid, _signal.SIGKILL)
          proc.wait()
      state["first_rc"] = proc.returncode
    with open(_os.path.join(base, "first.txt")) as f:
      state["first_output"] = f.read()
    state["manifest_after_kill"] = _read_json(_os.path.join(sweep_dir, "manifest.json"))
    # Wait for the killed group to be gone before resuming.
    for _ in range(100):
      try:
        _os.killpg(proc.pid, 0)
      except ProcessLookupError:
        break
      _time.sleep(0.1)
    # 2. the same command again: resumes and finishes (unless the session is
    # stopping: a sweep started now would outlive it).
    if state.get("stopping"):
      return
    with open(_os.path.join(base, "second.txt"), "w") as out:
      proc = _subprocess.Popen(cmd, cwd=_ROOT, env=env, stdout=out, stderr=_subprocess.STDOUT,
                               start_new_session=True)
      state["proc"] = proc
      state["second_rc"] = proc.wait(timeout=_SWEEP_TIMEOUT_S)
    with open(_os.path.join(base, "second.txt")) as f:
      state["second_output"] = f.read()
    state["manifest"] = _read_json(_os.path.join(sweep_dir, "manifest.json"))
  except BaseException:  # reported by the fixture
    state["error"] = _traceback.format_exc()


def start_tiny_sweep():
  """Starts the shared tiny sweep in a background thread (once)."""
  if _TINY:
    return
  base = _tempfile.mkdtemp(prefix="hindsight-test-sweep-")
  sweep_dir = _os.path.join(base, "sweep")
  cmd = [_sys.executable, _os.path.join(_ROOT, "experiments", "sweep.py"),
         *TINY_SWEEP_ARGS, f"--sweep_dir={sweep_dir}"]
  _TINY.update(base=base, sweep_dir=sweep_dir, cmd=cmd, env=_sweep_env(base))
  thread = _threading.Thread(target=_tiny_sweep_lifecycle, args=(_TINY,), daemon=True)
  _TINY["thread"] = thread
  thread.start()


def stop_tiny_sweep():
  if not _TINY:
    return
  _TINY["stopping"] = True
  # Kill whichever invocation runs, until the lifecycle thread has ended (it
  # may be between the two invocations when this is called).
  for _ in range(3):
    proc = _TINY.get("proc")
    if proc is not None and proc.poll() is None:
      try:
        _os.killpg(proc.pid, _signal.SIGKILL)
      except ProcessLookupError:
        pass
      proc.wait()
    _TINY["thread"].join(timeout=30)
    if not _TINY["thread"].is_alive():
      break
  _shutil.rmtree(_TINY["base"], ignore_errors=True)
  _TINY.clear()


@_pytest.fixture(scope="session")
def tiny_sweep():
  """The finished tiny sweep: ``sweep_dir``, ``cmd``, ``env``, the manifest
  after the kill and at the end, both invocations' output and exit codes."""
  start_tiny_sweep()  # a no-op when a module's start_background started it
  _TINY["thread"].join(timeout=2 * _SWEEP_TIMEOUT_S + 120)
  if _TINY["thread"].is_alive():
    _pytest.fail("the tiny sweep did not finish in time")
  if "error" in _TINY:
    _pytest.fail("the tiny sweep's driver failed:\n" + _TINY["error"])
  return dict(_TINY)
