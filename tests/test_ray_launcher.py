"""experiments/sweep.py --launcher=ray against a Ray cluster that this test
starts on loopback (``ray start --head --node-ip-address=127.0.0.1``)."""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

pytest.importorskip("ray")

from hindsight.io import files  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SWEEP_PY = ROOT / "experiments" / "sweep.py"
RAY = str(Path(sys.executable).parent / "ray")


def _free_port():
  with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    return s.getsockname()[1]


@pytest.fixture(scope="module")
def ray_cluster():
  # Ray's unix sockets need a short path: not under pytest's tmp_path.
  temp = tempfile.mkdtemp(prefix="ray", dir="/tmp")
  port = _free_port()
  env = dict(os.environ, RAY_USAGE_STATS_ENABLED="0")
  start = subprocess.run(
      [RAY, "start", "--head", "--node-ip-address=127.0.0.1", f"--port={port}",
       "--num-cpus=2", "--include-dashboard=false", f"--temp-dir={temp}",
       "--disable-usage-stats"], env=env, capture_output=True, text=True, timeout=300)
  assert start.returncode == 0, start.stdout[-2000:] + start.stderr[-2000:]
  try:
    yield f"127.0.0.1:{port}"
  finally:
    subprocess.run([RAY, "stop", "--force"], env=env, capture_output=True, timeout=120)
    shutil.rmtree(temp, ignore_errors=True)


TINY = ["--configs=configs/point_goal.py", "--relabelers=none,her", "--num_seeds=2",
        "--max_parallel=2", "--set=train.total_env_steps=160",
        "--set=train.iterations_per_epoch=1", "--set=train.updates_per_env_step=0.05",  # 4 per 4 × 20 steps
        "--set=train.warmup_episodes=4", "--set=train.batch_size=32",
        "--set=learner.hidden_sizes=(32,32)", "--set=train.num_envs=4",
        "--set=train.buffer_episodes=64", "--set=train.checkpoint_every_epochs=1",
        # no pictures: drawing compiles an evaluation rollout of its own in
        # each task (~25 s each on 2 shared cores); the tiny sweep and
        # test_cli check rendering
        "--set=train.render=none"]


def _sweep(args, sweep_dir):
  env = dict(os.environ, JAX_PLATFORMS="cpu", RAY_USAGE_STATS_ENABLED="0")
  return subprocess.run([sys.executable, str(SWEEP_PY), *args, f"--sweep_dir={sweep_dir}"],
                        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)


def test_sweep_runs_its_points_as_ray_tasks(ray_cluster, tmp_path):
  sweep_dir = tmp_path / "sw"
  proc = _sweep([*TINY, "--launcher=ray", f"--ray_address={ray_cluster}"], sweep_dir)
  assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
  assert proc.stdout.count("(ray task ") == 2
  m = files.read_json(sweep_dir / "manifest.json")
  assert m["counts"] == {"done": 2} and m["grid"]["launcher"] == "ray"
  for p in m["points"]:
    assert p["returncode"] == 0
    rows = files.read_csv(sweep_dir / p["run_name"] / "metrics.csv")
    assert {r["seed"] for r in rows} == {0, 1} and max(r["epoch"] for r in rows) == p["num_epochs"]
    assert "(ray):" in (sweep_dir / "logs" / f"{p['run_name']}.txt").read_text()
  # the same command again: nothing left to run
  again = _sweep([*TINY, "--launcher=ray", f"--ray_address={ray_cluster}"], sweep_dir)
  assert again.returncode == 0 and "0 to run, 2 already done" in again.stdout


def test_unreachable_cluster_is_a_clear_error(tmp_path):
  port = _free_port()
  proc = _sweep([*TINY, "--launcher=ray", f"--ray_address=127.0.0.1:{port}"], tmp_path / "sw")
  assert proc.returncode != 0
  assert "cannot connect to the Ray cluster" in proc.stderr
  assert "Traceback" not in proc.stderr
  assert not (tmp_path / "sw").exists()   # nothing written
