"""A seed that goes non-finite is held at its last finite state and marked;
the other seeds of the vmapped run train on, unchanged by it."""

import os

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from hindsight import analysis, report, schema
from hindsight.io import checkpoint, files
from hindsight.training import Trainer, run
from hindsight.training.restore import restore_run_state
from hindsight.training.trainer import all_finite

from tests.training.test_trainer import tiny


def _poison(learner, which):
  """``learner`` with seed ``which``'s critic weights scaled by 1e30 (its
  next update overflows)."""
  def f(x):
    if not jnp.issubdtype(x.dtype, jnp.floating):
      return x
    scale = jnp.ones((x.shape[0],) + (1,) * (x.ndim - 1)).at[which].set(1e30)
    return x * scale
  return learner.replace(critic_params=jax.tree.map(f, learner.critic_params))


def test_all_finite():
  assert bool(all_finite({"a": jnp.ones(3), "i": jnp.arange(3)}))
  assert not bool(all_finite({"a": jnp.array([1.0, jnp.inf]), "i": jnp.arange(3)}))
  assert not bool(all_finite((jnp.array([jnp.nan]),)))
  assert bool(all_finite({"i": jnp.arange(3)}))     # no floating leaves


def test_a_diverging_seed_is_held_and_the_others_train_on():
  tr = Trainer(tiny(schema.get_config()))
  keys = jnp.stack([jax.random.PRNGKey(0), jax.random.PRNGKey(1)])
  rs = jax.jit(jax.vmap(tr.init))(keys)
  it = jax.jit(jax.vmap(tr.iteration))
  clean, _ = it(rs)
  bad_in = rs.replace(learner=_poison(rs.learner, 1))
  bad, m = it(bad_in)
  np.testing.assert_array_equal(np.asarray(bad.diverged), [False, True])
  assert not np.all(np.isfinite(np.asarray(m["critic_loss"][1])))
  # seed 1: exactly its learner before the iteration (finite, held)
  for a, b in zip(jax.tree.leaves(bad.learner), jax.tree.leaves(bad_in.learner)):
    np.testing.assert_array_equal(np.asarray(a)[1], np.asarray(b)[1])
  assert bool(all_finite(jax.tree.map(lambda x: x[1], bad.learner)))
  # seed 0: the same as without the other seed's divergence
  for a, b in zip(jax.tree.leaves(bad.learner), jax.tree.leaves(clean.learner)):
    np.testing.assert_array_equal(np.asarray(a)[0], np.asarray(b)[0])
  # once diverged, held for good, even when its update would now be finite
  again, _ = it(bad.replace(learner=rs.learner))
  np.testing.assert_array_equal(np.asarray(again.diverged), [False, True])
  for a, b in zip(jax.tree.leaves(again.learner), jax.tree.leaves(rs.learner)):
    np.testing.assert_array_equal(np.asarray(a)[1], np.asarray(b)[1])


def _run_with_seed_poisoned(tmp_path, monkeypatch, which, **train):
  """Trains a 2-seed tiny run (seeds 0, 1) whose seeds ``which`` have their
  critic scaled by 1e30 at initialisation."""
  init = Trainer.init

  def poisoned_init(self, key):
    rs = init(self, key)
    bad = jnp.isin(key[-1], jnp.asarray(which))   # PRNGKey(seed + i) = [0, seed + i]
    scale = jnp.where(bad, 1e30, 1.0)
    f = lambda x: x * scale if jnp.issubdtype(x.dtype, jnp.floating) else x
    return rs.replace(learner=rs.learner.replace(
        critic_params=jax.tree.map(f, rs.learner.critic_params)))

  monkeypatch.setattr(Trainer, "init", poisoned_init)
  c = tiny(schema.get_config(), **train)
  c.num_seeds, c.seed = 2, 0
  c.workdir = str(tmp_path)
  return run(c, echo=False)


def test_run_finishes_with_the_diverged_seed_marked_and_left_out(tmp_path, monkeypatch):
  out = _run_with_seed_poisoned(tmp_path, monkeypatch, which=[1])
  rows = files.read_csv(os.path.join(out["run_dir"], "metrics.csv"))
  by_seed = {s: [r for r in rows if r["seed"] == s] for s in (0, 1)}
  assert len(by_seed[0]) == len(by_seed[1]) == 2          # both epochs, both seeds
  assert all(r["diverged"] == 0 and np.isfinite(r["eval_return_mean"]) for r in by_seed[0])
  assert all(r["diverged"] == 1 and np.isnan(r["eval_return_mean"]) for r in by_seed[1])
  assert all(np.isnan(r["eval_return_task_00"]) and np.isnan(r["critic_loss"])
             for r in by_seed[1])
  log = open(os.path.join(out["run_dir"], "log.txt")).read()
  assert "seed 1 diverged in epoch 1" in log and log.count("diverged in epoch") == 1
  loaded = analysis.load_run(out["run_dir"])
  assert loaded["diverged_seeds"] == [1]
  assert analysis.seeds(loaded["rows"]) == [0]
  assert analysis.final_values(loaded["rows"]).shape == (1,)


def test_every_seed_diverged_stops_the_run(tmp_path, monkeypatch):
  from hindsight.training.run import NonFiniteError
  with pytest.raises(NonFiniteError, match="after epoch 1 .*every seed diverged"):
    _run_with_seed_poisoned(tmp_path, monkeypatch, which=[0, 1], total_env_steps=160)


def test_checkpoint_from_before_the_flag_restores_with_no_seed_diverged(tmp_path):
  tr = Trainer(tiny(schema.get_config()))
  keys = jnp.stack([jax.random.PRNGKey(0), jax.random.PRNGKey(1)])
  rs = jax.jit(jax.vmap(tr.init))(keys)
  checkpoint.save(str(tmp_path), 3, rs.replace(diverged=None))   # an older run state
  epoch, restored, skipped = restore_run_state(str(tmp_path), jax.eval_shape(
      jax.vmap(tr.init), keys))
  assert epoch == 3 and not skipped
  np.testing.assert_array_equal(np.asarray(restored.diverged), [False, False])
  for a, b in zip(jax.tree.leaves(restored.learner), jax.tree.leaves(rs.learner)):
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


def test_family_table_counts_diverged_seeds():
  rows = [{"seed": s, "epoch": 1, "env_steps": 100, "eval_return_mean": float(s)}
          for s in (0, 2)]
  run_ = {"rows": rows, "status": "done", "diverged_seeds": [1]}

  class Cell:
    family, label = "f", "none"

  class Study:
    cells = [Cell()]

  table = report.family_table(Study(), "f", {("f", "none"): run_}, "eval_return_mean",
                              200, 0.05)
  assert "| none | 2 (+1 diverged) |" in table
