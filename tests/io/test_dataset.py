"""Dataset files: exact round trip, clear errors, relabeling touches only tasks."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from hindsight import schema
from hindsight import relabel
from hindsight.io import dataset
from hindsight.training import Trainer, offline

point_goal_bc = schema.load_module("configs/point_goal_bc.py")


@pytest.fixture(scope="module")
def collected():
  c = point_goal_bc.get_config()
  c.learner.hidden_sizes = (16, 16)
  tr = Trainer(c)
  eps, _ = jax.jit(lambda k: tr.rollout(tr.random_policy, k, n=12))(jax.random.PRNGKey(0))
  return tr, jax.device_get(eps)


def test_round_trip_is_exact(tmp_path, collected):
  tr, eps = collected
  path = str(tmp_path / "d.npz")
  dataset.save(path, eps, tr.family.name, dict(tr.config.env.options), tr.spec)
  back, header = dataset.load(path, tr.family.name, tr.spec)
  for k in ("obs", "action", "features", "mask", "terminal", "task"):
    np.testing.assert_array_equal(getattr(back, k), getattr(eps, k))
  assert header["family"] == "point_goal" and header["num_episodes"] == 12


def test_wrong_family_and_shapes_are_clear_errors(tmp_path, collected):
  tr, eps = collected
  path = str(tmp_path / "d.npz")
  dataset.save(path, eps, tr.family.name, dict(tr.config.env.options), tr.spec)
  with pytest.raises(dataset.DatasetError, match="holds 'point_goal' episodes.*point_reacher"):
    dataset.load(path, "point_reacher")
  with pytest.raises(dataset.DatasetError, match="do not match"):
    dataset.load(path, "point_goal", tr.spec._replace(obs_size=7))
  bad = str(tmp_path / "bad.npz")
  arrays = {k: np.asarray(getattr(eps, k)) for k in ("obs", "action", "features", "mask",
                                                     "terminal", "task")}
  arrays["action"] = arrays["action"][:, :5]
  with np.load(path) as d:
    arrays["header"] = d["header"]
  np.savez(bad, **arrays)
  with pytest.raises(dataset.DatasetError, match="'action' has shape"):
    dataset.load(bad, "point_goal")
  junk = tmp_path / "junk.npz"
  junk.write_bytes(b"not a zip file")
  with pytest.raises(dataset.DatasetError, match="cannot read"):
    dataset.load(str(junk))
  obj = str(tmp_path / "obj.npz")
  np.savez(obj, header=np.array([{"a": 1}], dtype=object), **{k: v for k, v in arrays.items()
                                                            if k != "header"})
  with pytest.raises(dataset.DatasetError):
    dataset.load(obj)   # object arrays are refused, never unpickled


@pytest.mark.parametrize("damage, expect", [
    ("truncated", "cannot read dataset"), ("no_episodes", "no episodes"),
    ("mask_values", "other than 0 and 1"), ("mask_zero", "all zero")])
def test_damaged_or_empty_datasets_are_clear_errors(tmp_path, collected, damage, expect):
  tr, eps = collected
  path = str(tmp_path / "d.npz")
  arrays = {k: np.asarray(getattr(eps, k)) for k in ("obs", "action", "features", "mask",
                                                     "terminal", "task")}
  if damage == "no_episodes":
    arrays = {k: v[:0] for k, v in arrays.items()}
  elif damage == "mask_values":
    arrays["mask"] = arrays["mask"] * 0.5
  elif damage == "mask_zero":
    arrays["mask"] = np.zeros_like(arrays["mask"])
  n = arrays["task"].shape[0]
  dataset.save(path, jax.tree.map(np.asarray, eps.replace(**arrays)), tr.family.name,
               dict(tr.config.env.options), tr.spec)
  if damage == "truncated":
    data = open(path, "rb").read()
    open(path, "wb").write(data[: len(data) // 2])
  with pytest.raises(dataset.DatasetError, match=expect):
    dataset.load(path, tr.family.name, tr.spec)
  assert n >= 0


@pytest.mark.parametrize("name,opts", [("her", {"strategy": "final"}),
                                       ("hipi", {"level": "trajectory"}),
                                       ("random", {})])
def test_relabeling_changes_only_tasks_and_rewards(collected, name, opts):
  tr, eps = collected
  eps = jax.tree.map(jnp.asarray, eps)
  rl = relabel.make(name, **opts)
  new, rewards, _ = offline.relabel_dataset(jax.random.PRNGKey(1), eps, tr.family, rl, 0.99)
  np.testing.assert_array_equal(new.obs, eps.obs)
  np.testing.assert_array_equal(new.action, eps.action)
  np.testing.assert_array_equal(new.features, eps.features)
  np.testing.assert_array_equal(new.mask, eps.mask)
  assert not np.allclose(new.task, eps.task)
  # point_goal ends at success (HIPI's rule): rewards after the end are 0.
  np.testing.assert_allclose(rewards, tr.family.reward(eps.features, eps.action,
                                                       new.task[:, None]) * eps.mask,
                             rtol=1e-6)
  if name == "her":   # the final achieved position is reached by construction
    last = np.asarray(eps.mask).sum(axis=1).astype(int) - 1
    np.testing.assert_array_equal(np.asarray(rewards)[np.arange(len(last)), last], 0.0)


def test_offline_bc_end_to_end(tmp_path, collected):
  tr, eps = collected
  path = str(tmp_path / "d.npz")
  dataset.save(path, eps, tr.family.name, dict(tr.config.env.options), tr.spec)
  c = point_goal_bc.get_config()
  c.learner.hidden_sizes = (16, 16)
  c.relabel.name = "her"
  c.offline.bc_steps = 20
  c.train.batch_size = 16
  c.num_seeds = 2
  out = offline.run_offline(c, path)
  assert out["eval"]["return"].shape == (2, 25)
  assert np.all(np.isfinite(out["metrics"]["bc_nll"]))
