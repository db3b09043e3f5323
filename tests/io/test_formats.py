"""Datasets in OGBench's and D4RL's layouts (hindsight/io/formats.py): small
synthetic files written by hand in those layouts, the mapping to episodes,
the round trip of this project's episodes, and the errors a malformed file
gets."""

import math

import jax
import numpy as np
import pytest

from hindsight import schema
from hindsight import tasks
from hindsight.io import formats
from hindsight.io.dataset import DatasetError
from hindsight.replay import EpisodeSpec
from hindsight.training import Trainer, offline

point_goal_bc = schema.load_module("configs/point_goal_bc.py")

GOAL = tasks.make("point_goal")             # obs (x, y, vx, vy), features = s_t's (x, y)
REACHER = tasks.make("point_reacher")       # obs (x, y, vx, vy, t/H), features (x′, y′, ‖a‖)
GOAL_SPEC = EpisodeSpec(obs_size=4, action_size=2, feature_dim=2, task_dim=2, horizon=20)
REACHER_SPEC = EpisodeSpec(obs_size=5, action_size=2, feature_dim=3, task_dim=6, horizon=20)


def _ogbench_goal_file(tmp_path, **changes):
  """Two trajectories, of 3 steps (rows 0..3) and 2 steps (rows 4..6)."""
  obs = np.array([[0, 0, 0, 0], [.1, 0, .1, 0], [.2, .1, .1, .1], [.3, .1, .1, 0],
                  [0, 0, 0, 0], [0, -.1, 0, -.1], [0, -.3, 0, -.2]], np.float32)
  arrays = dict(
      observations=obs,
      actions=np.array([[1, 0], [0, 1], [0, -1], [0, 0],
                        [0, -1], [0, -1], [0, 0]], np.float32),
      terminals=np.array([0, 0, 0, 1, 0, 0, 1], np.float32),
      goals=np.array([[.3, .1]] * 4 + [[0, -.3]] * 3, np.float32))
  arrays.update(changes)
  arrays = {k: v for k, v in arrays.items() if v is not None}
  path = str(tmp_path / "ogbench.npz")
  np.savez(path, **arrays)
  return path


def test_ogbench_layout_maps_to_episodes(tmp_path):
  eps, header = formats.load(_ogbench_goal_file(tmp_path), GOAL, GOAL_SPEC)
  assert header["format"] == "ogbench" and header["meta"]["features"] == "observations"
  np.testing.assert_array_equal(eps.mask.sum(1), [3, 2])
  np.testing.assert_allclose(eps.obs[0, :4, :2], [[0, 0], [.1, 0], [.2, .1], [.3, .1]])
  np.testing.assert_allclose(eps.obs[1, :3, :2], [[0, 0], [0, -.1], [0, -.3]])
  np.testing.assert_allclose(eps.obs[1, 3:, :2], [[0, -.3]] * 18)   # padded with the last
  np.testing.assert_allclose(eps.action[0, :3], [[1, 0], [0, 1], [0, -1]])
  np.testing.assert_allclose(eps.task, [[.3, .1], [0, -.3]])
  # point_goal's features are s_t's position (reward_state='current')
  np.testing.assert_allclose(eps.features[0, :3], [[0, 0], [.1, 0], [.2, .1]])
  np.testing.assert_allclose(eps.features[1, :2], [[0, 0], [0, -.1]])
  np.testing.assert_array_equal(eps.features[1, 2:], 0.0)
  # bootstrapped time limit, no termination at success: no terminal step
  np.testing.assert_array_equal(eps.terminal, 0.0)


def test_ogbench_valids_instead_of_terminals(tmp_path):
  path = _ogbench_goal_file(tmp_path, terminals=None,
                            valids=np.array([1, 1, 1, 0, 1, 1, 0], np.float32))
  eps, _ = formats.load(path, GOAL, GOAL_SPEC)
  np.testing.assert_array_equal(eps.mask.sum(1), [3, 2])


def test_termination_follows_the_family_when_the_file_has_none(tmp_path):
  # point_goal ending at success (HIPI's rule), ε = 0.25: episode 1's goal is
  # (0, −0.3); its steps are at s_t = (0, 0) (distance 0.3: no success) and
  # (0, −0.1) (distance 0.2 < ε: success, terminal).
  fam = tasks.make("point_goal", terminate_on_success=True, epsilon=0.25)
  eps, _ = formats.load(_ogbench_goal_file(tmp_path), fam, GOAL_SPEC)
  np.testing.assert_array_equal(eps.terminal[1, :2], [0, 1])


def _d4rl_reacher_arrays(next_obs=True):
  """Two episodes of 2 and 1 transitions; rows are transitions."""
  o = np.array([[0, 0, 0, 0, 0], [.05, 0, .05, 0, .05], [0, 0, 0, 0, 0]], np.float32)
  n = np.array([[.05, 0, .05, 0, .05], [.15, .05, .1, .05, .1], [0, -.05, 0, -.05, .05]],
               np.float32)
  task = np.array([0.1, 0.6, 0.0, 0.2, math.pi, 0.2], np.float32)
  arrays = {"observations": o, "actions": np.array([[1, 0], [3, 4], [0, -1]], np.float32),
            "rewards": np.zeros(3, np.float32),
            "terminals": np.array([0, 1, 0], np.float32),
            "timeouts": np.array([0, 0, 1], np.float32),
            "infos/task": np.stack([task, task, task * 0.5])}
  if next_obs:
    arrays["next_observations"] = n
  return arrays


def test_d4rl_layout_maps_to_episodes(tmp_path):
  path = str(tmp_path / "d4rl.npz")
  np.savez(path, **_d4rl_reacher_arrays())
  eps, header = formats.load(path, REACHER, REACHER_SPEC)
  assert header["format"] == "d4rl"
  np.testing.assert_array_equal(eps.mask.sum(1), [2, 1])
  np.testing.assert_allclose(eps.obs[0, :3, :2], [[0, 0], [.05, 0], [.15, .05]])
  np.testing.assert_allclose(eps.obs[1, :2, :2], [[0, 0], [0, -.05]])
  # point_reacher's features: next position and ‖clip(a, −1, 1)‖:
  # a = (1, 0) → 1; a = (3, 4) clipped to (1, 1) → √2; a = (0, −1) → 1
  np.testing.assert_allclose(eps.features[0, :2], [[.05, 0, 1], [.15, .05, math.sqrt(2)]],
                             rtol=1e-6)
  np.testing.assert_allclose(eps.features[1, :1], [[0, -.05, 1]], rtol=1e-6)
  np.testing.assert_array_equal(eps.terminal[0, :2], [0, 1])   # terminals
  np.testing.assert_array_equal(eps.terminal[1, :1], [0])      # a timeout is no termination
  np.testing.assert_allclose(eps.task[1], _d4rl_reacher_arrays()["infos/task"][2])


def test_d4rl_without_next_observations_uses_the_next_row(tmp_path):
  # as d4rl's qlearning_dataset: the last row of an episode only gives its
  # final observation
  arrays = _d4rl_reacher_arrays(next_obs=False)
  arrays = {k: np.concatenate([v, v[-1:]]) for k, v in arrays.items()}
  arrays["timeouts"] = np.array([0, 0, 0, 1], np.float32)   # one episode of rows 0..3
  arrays["terminals"] = np.zeros(4, np.float32)
  arrays["infos/task"][:] = arrays["infos/task"][0]
  path = str(tmp_path / "d4rl.npz")
  np.savez(path, **arrays)
  eps, _ = formats.load(path, REACHER, REACHER_SPEC)
  np.testing.assert_array_equal(eps.mask.sum(1), [3])
  np.testing.assert_allclose(eps.obs[0, 3], arrays["observations"][3])


@pytest.fixture(scope="module")
def collected():
  c = point_goal_bc.get_config()
  c.learner.hidden_sizes = (16, 16)
  tr = Trainer(c)
  eps, _ = jax.jit(lambda k: tr.rollout(tr.random_policy, k, n=10))(jax.random.PRNGKey(0))
  return tr, jax.device_get(eps)


@pytest.mark.parametrize("layout,ext", [("ogbench", "npz"), ("d4rl", "npz"), ("d4rl", "hdf5")])
def test_export_then_import_gives_the_same_episodes(tmp_path, collected, layout, ext):
  if ext == "hdf5":
    pytest.importorskip("h5py")
  tr, eps = collected
  path = str(tmp_path / f"d.{ext}")
  arrays = formats.export(path, eps, tr.family, layout)
  L = np.asarray(eps.mask).sum(1).astype(int)
  rows = L.sum() + (len(L) if layout == "ogbench" else 0)
  assert arrays["observations"].shape == (rows, tr.spec.obs_size)
  back, header = formats.load(path, tr.family, tr.spec)
  assert header["format"] == layout and header["meta"]["features"] == "file"
  mask = np.asarray(eps.mask)
  np.testing.assert_array_equal(back.mask, mask)
  np.testing.assert_array_equal(back.task, eps.task)
  # valid steps as recorded, zeros after an episode's end
  np.testing.assert_array_equal(back.terminal, np.asarray(eps.terminal) * mask)
  for k in ("action", "features"):
    np.testing.assert_array_equal(getattr(back, k), np.asarray(getattr(eps, k)) * mask[..., None],
                                  err_msg=k)
  for i, n in enumerate(L):
    np.testing.assert_array_equal(back.obs[i, :n + 1], eps.obs[i, :n + 1])
  if layout == "d4rl":   # rewards are each episode's own task's
    r = tr.family.reward(eps.features, eps.action, eps.task[:, None]) * eps.mask
    np.testing.assert_allclose(arrays["rewards"], np.asarray(r)[np.asarray(eps.mask) > 0],
                               rtol=1e-6)
  # features recomputed from the observations are the recorded ones
  stripped = {k: v for k, v in formats.read_arrays(path).items()
              if k not in ("features", "infos/features")}
  np.savez(str(tmp_path / "nofeat.npz"), **stripped)
  again, _ = formats.load(str(tmp_path / "nofeat.npz"), tr.family, tr.spec, layout)
  np.testing.assert_allclose(again.features, back.features, atol=1e-6)


def test_offline_bc_reads_an_ogbench_file(tmp_path, collected):
  tr, eps = collected
  path = str(tmp_path / "ogb.npz")
  formats.export(path, eps, tr.family, "ogbench")
  c = point_goal_bc.get_config()
  c.learner.hidden_sizes = (16, 16)
  c.relabel.name = "her"
  c.offline.bc_steps = 10
  c.train.batch_size = 16
  out = offline.run_offline(c, path)
  assert out["header"]["format"] == "ogbench"
  assert np.all(np.isfinite(out["eval"]["return"]))


@pytest.mark.parametrize("change,expect", [
    (dict(actions=None), "needs field 'actions'.*fields present"),
    (dict(actions=np.zeros((7, 3), np.float32)), r"'actions' has shape \(7, 3\), expected"),
    (dict(observations=np.zeros((6, 4), np.float32)),
     r"'actions' has shape \(7, 2\), expected \(M, 2\) = \(6, 2\) \(M = 6 rows, as "
     "'observations' has"),
    (dict(observations=np.zeros((7, 5), np.float32)),
     r"'observations' has shape \(7, 5\), expected \(M, 4\) = \(7, 4\) \(observation size"),
    (dict(terminals=np.array([0, 0, 0, 1, 0, 0, 0], np.float32)), "last episode does not end"),
    (dict(terminals=np.array([0, 0, 0, 2, 0, 0, 1], np.float32)), "other than 0 and 1"),
    (dict(goals=np.array([[.3, .1], [.3, .2]] + [[0, 0]] * 5, np.float32)),
     "'goals' changes within episode 0"),
    (dict(goals=None), "no task field.*missing_task=prior"),
    (dict(observations=np.full((7, 4), np.nan, np.float32)), "non-finite"),
])
def test_malformed_files_name_the_field(tmp_path, change, expect):
  with pytest.raises(DatasetError, match=expect):
    formats.load(_ogbench_goal_file(tmp_path, **change), GOAL, GOAL_SPEC)


def test_episode_longer_than_the_horizon_is_refused(tmp_path):
  with pytest.raises(DatasetError, match="episode 0 .* 3 steps, more than point_goal's horizon"):
    formats.load(_ogbench_goal_file(tmp_path), GOAL, GOAL_SPEC._replace(horizon=2))


def test_missing_task_prior_draws_tasks(tmp_path):
  eps, header = formats.load(_ogbench_goal_file(tmp_path, goals=None), GOAL, GOAL_SPEC,
                             missing_task="prior")
  assert header["meta"]["task"] == "prior" and eps.task.shape == (2, 2)
  r = np.linalg.norm(eps.task, axis=1)
  assert np.all((r >= GOAL.radius_low - 1e-6) & (r <= GOAL.radius_high + 1e-6))


def test_goals_do_not_stand_for_a_task_that_is_more_than_a_goal(tmp_path):
  arrays = _d4rl_reacher_arrays()
  arrays["infos/goal"] = arrays.pop("infos/task")[:, :2]
  path = str(tmp_path / "d.npz")
  np.savez(path, **arrays)
  with pytest.raises(DatasetError, match="point_reacher task is more than a goal.*infos/task"):
    formats.load(path, REACHER, REACHER_SPEC)


def test_a_family_whose_features_need_the_physics_state_refuses(tmp_path):
  fam = tasks.make("halfcheetah_multiobjective")
  spec = EpisodeSpec(obs_size=4, action_size=2, feature_dim=fam.feature_dim,
                     task_dim=fam.task_dim, horizon=20)
  arrays = _d4rl_reacher_arrays()
  arrays["observations"] = arrays["observations"][:, :4]
  arrays["next_observations"] = arrays["next_observations"][:, :4]
  arrays["infos/task"] = np.zeros((3, fam.task_dim), np.float32)
  path = str(tmp_path / "d.npz")
  np.savez(path, **arrays)
  with pytest.raises(DatasetError, match="halfcheetah_multiobjective cannot compute its reward "
                     "features from stored observations.*'features'"):
    formats.load(path, fam, spec)


def test_object_arrays_are_never_unpickled(tmp_path):
  path = str(tmp_path / "obj.npz")
  np.savez(path, observations=np.array([{"a": 1}] * 7, dtype=object))
  with pytest.raises(DatasetError, match="never unpickled"):
    formats.load(path, GOAL, GOAL_SPEC, layout="ogbench")


def test_convert_writes_a_project_dataset_in_ogbench_layout(tmp_path, collected):
  from hindsight.io import dataset
  tr, eps = collected
  src, dst = str(tmp_path / "d.npz"), str(tmp_path / "ogb.npz")
  dataset.save(src, eps, tr.family.name, dict(tr.config.env.options), tr.spec)
  header = formats.convert(src, dst, "ogbench")
  assert header["family"] == "point_goal"
  back, _ = formats.load(dst, tr.family, tr.spec)
  np.testing.assert_array_equal(back.mask, eps.mask)
  np.testing.assert_array_equal(back.task, eps.task)
