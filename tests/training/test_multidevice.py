"""Seeds sharded over devices (``jax.sharding``) train exactly as on one.

Two processes run the same tiny 2-seed command: one with the CPU split into
two XLA devices (``--xla_force_host_platform_device_count=2``, so each
device trains one seed), one on a single device. Their metrics must agree.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from hindsight.io import files

ROOT = Path(__file__).resolve().parents[2]
ARGS = [
    "--config=configs/point_goal.py",
    "--config.train.total_env_steps=320",
    "--config.train.iterations_per_epoch=1",
    "--config.train.updates_per_env_step=0.05",
    "--config.train.warmup_episodes=8",
    "--config.train.batch_size=32",
    "--config.train.num_envs=4",
    "--config.train.buffer_episodes=64",
    "--config.train.checkpoint_every_epochs=0",
    "--config.learner.hidden_sizes=(32,32)",
    "--config.num_seeds=2",
    "--config.run_name=r",
]


def _start(workdir, devices, extra=()):
  env = dict(os.environ, JAX_PLATFORMS="cpu")
  flags = [f for f in env.get("XLA_FLAGS", "").split()
           if not f.startswith("--xla_force_host_platform_device_count")]
  if devices > 1:
    flags.append(f"--xla_force_host_platform_device_count={devices}")
  env["XLA_FLAGS"] = " ".join(flags)
  return subprocess.Popen(
      [sys.executable, str(ROOT / "experiments" / "train.py"), *ARGS,
       f"--config.workdir={workdir}", *extra],
      cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_two_devices_equal_one(tmp_path):
  one = _start(tmp_path / "one", 1)
  two = _start(tmp_path / "two", 2)
  out_one, _ = one.communicate(timeout=900)
  out_two, _ = two.communicate(timeout=900)
  assert one.returncode == 0, out_one[-3000:]
  assert two.returncode == 0, out_two[-3000:]
  assert "seeds sharded over 2 devices" in out_two
  assert "sharded" not in out_one
  a = files.read_csv(tmp_path / "one" / "r" / "metrics.csv")
  b = files.read_csv(tmp_path / "two" / "r" / "metrics.csv")
  assert len(a) == len(b) == 2 * 4  # 2 seeds × 4 epochs
  for ra, rb in zip(a, b):
    for k in ra:
      if k != "wall_time":
        assert ra[k] == pytest.approx(rb[k], rel=1e-5, abs=1e-5), (k, ra["seed"], ra["epoch"])


def test_seeds_not_divisible_by_devices_is_a_clear_error(tmp_path):
  p = _start(tmp_path, 2, ["--config.num_seeds=3"])
  out, _ = p.communicate(timeout=300)
  assert p.returncode != 0
  assert "num_seeds must be a multiple of 2" in out and "Traceback" not in out
