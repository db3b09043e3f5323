"""The trivial policies the report's 'learned at this budget' guard compares
with: uniform-random actions and, with continuous actions, every action 0."""

import json
import os
import subprocess
import sys
from pathlib import Path

import jax
import numpy as np
import pytest

from hindsight import schema
from hindsight.io import files
from hindsight.training.run import RANDOM_POLICY, ZERO_POLICY, reference_policies
from hindsight.training.trainer import Trainer

ROOT = Path(__file__).resolve().parents[2]


def _point_goal():
  c = schema.get_config("point_goal")
  c.num_seeds = 2
  return c


def test_zero_policy_on_point_goal_by_hand(tmp_path):
  # point_goal: reward success − 1, the point starts at the origin and every
  # evaluation goal lies farther than ε from it; an agent that never moves
  # never succeeds: −1 at each of the H steps of each task, return −H.
  c = _point_goal()
  tr = Trainer(c)
  goals = np.asarray(tr.eval_tasks)[:, :2]
  assert np.all(np.linalg.norm(goals, axis=1) > tr.family.epsilon)
  out = jax.jit(tr.evaluate_zero)(jax.random.PRNGKey(0))
  np.testing.assert_allclose(np.asarray(out["return"]), -float(tr.family.horizon))
  np.testing.assert_array_equal(np.asarray(out["success"]), 0.0)

  written = reference_policies(tr, str(tmp_path), c)
  assert written == [RANDOM_POLICY, ZERO_POLICY]
  zero = files.read_json(tmp_path / ZERO_POLICY)
  assert zero["policy"] == "zero actions" and zero["num_eval_tasks"] == len(goals)
  assert zero["eval_return_mean"] == [-float(tr.family.horizon)] * 2
  # written once: a second call keeps both files
  before = (tmp_path / RANDOM_POLICY).read_text()
  assert reference_policies(tr, str(tmp_path), c) == []
  assert (tmp_path / RANDOM_POLICY).read_text() == before


def test_discrete_actions_have_no_zero_policy(tmp_path):
  c = schema.get_config("bit_flip")
  c.learner.name = "dqn"
  c.num_seeds = 1
  tr = Trainer(c)
  with pytest.raises(ValueError, match="discrete actions: there is no zero action"):
    tr.zero_policy(jax.random.PRNGKey(0), np.zeros((1, tr.spec.obs_size)), None)
  assert reference_policies(tr, str(tmp_path), c) == [RANDOM_POLICY]
  assert not (tmp_path / ZERO_POLICY).exists()


def test_backfill_tool_writes_what_a_run_would(tmp_path):
  """experiments/reference_policies.py on runs that predate zero_policy.json:
  the trainer rebuilt from config.json writes the file a new run writes."""
  c = _point_goal()
  tr = Trainer(c)
  want = tmp_path / "want"
  want.mkdir()
  reference_policies(tr, str(want), c)
  sweep = tmp_path / "sweep"
  for name, relabel in (("a", "none"), ("b", "her")):  # two runs, one trainer
    d = sweep / name
    d.mkdir(parents=True)
    c.relabel.name = relabel
    files.write_json(d / "config.json", c.to_dict())
    (d / RANDOM_POLICY).write_text((want / RANDOM_POLICY).read_text())
  (sweep / "logs").mkdir()   # not a run: skipped
  env = dict(os.environ, JAX_PLATFORMS="cpu")
  proc = subprocess.run([sys.executable, str(ROOT / "experiments" / "reference_policies.py"),
                         f"--runs={sweep}"], cwd=ROOT, env=env, capture_output=True,
                        text=True, timeout=600)
  assert proc.returncode == 0, proc.stderr[-2000:]
  assert proc.stdout.count(f"wrote {ZERO_POLICY}") == 2
  for name in ("a", "b"):
    assert (json.loads((sweep / name / ZERO_POLICY).read_text())
            == json.loads((want / ZERO_POLICY).read_text()))
  bad = subprocess.run([sys.executable, str(ROOT / "experiments" / "reference_policies.py"),
                        f"--runs={tmp_path / 'nowhere'}"], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=600)
  assert bad.returncode != 0 and "neither a run directory nor a directory" in bad.stderr
  assert "Traceback" not in bad.stderr
