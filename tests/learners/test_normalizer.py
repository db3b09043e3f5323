"""Running observation statistics (Brax's) and SAC with observations
normalised: exact numbers, and every network input normalised alike."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from hindsight import config as config_lib
from hindsight import replay, schema
from hindsight.learners import normalizer, sac

SPEC = replay.EpisodeSpec(obs_size=2, action_size=1, feature_dim=1, task_dim=1, horizon=3)


def test_update_by_hand():
  s = normalizer.init(2)
  np.testing.assert_array_equal(s.std, [1.0, 1.0])          # passes obs through at first
  np.testing.assert_array_equal(normalizer.normalize(s, jnp.array([3.0, -1.0])), [3.0, -1.0])
  s = normalizer.update(s, jnp.array([[1.0, 2.0], [3.0, 6.0]]))
  # mean (2, 4); Σ(x − mean)² = (2, 8); std = √(Σ/2) = (1, 2).
  np.testing.assert_allclose(s.count, 2.0)
  np.testing.assert_allclose(s.mean, [2.0, 4.0])
  np.testing.assert_allclose(s.summed_variance, [2.0, 8.0])
  np.testing.assert_allclose(s.std, [1.0, 2.0])
  np.testing.assert_allclose(normalizer.normalize(s, jnp.array([3.0, 0.0])), [1.0, -2.0])
  # A batch with a padded row: only (5, 4) counts. All rows (1, 2), (3, 6),
  # (5, 4): mean (3, 4), Σ(x − mean)² = (8, 8), std = √(8/3).
  s = normalizer.update(s, jnp.array([[5.0, 4.0], [100.0, -100.0]]), jnp.array([1.0, 0.0]))
  np.testing.assert_allclose(s.count, 3.0)
  np.testing.assert_allclose(s.mean, [3.0, 4.0], rtol=1e-6)
  np.testing.assert_allclose(s.summed_variance, [8.0, 8.0], rtol=1e-6)
  np.testing.assert_allclose(s.std, np.sqrt([8 / 3, 8 / 3]), rtol=1e-6)
  # A constant feature: std clipped at STD_MIN, not 0.
  c = normalizer.update(normalizer.init(1), jnp.ones((4, 1)))
  np.testing.assert_allclose(c.std, [normalizer.STD_MIN])
  # An all-padding batch changes nothing.
  same = normalizer.update(s, jnp.ones((2, 2)), jnp.zeros((2,)))
  for a, b in zip(jax.tree.leaves(same), jax.tree.leaves(s)):
    np.testing.assert_array_equal(a, b)


def test_batched_episodes_match_numpy():
  rng = np.random.default_rng(0)
  x = rng.normal(3.0, 2.0, (4, 5, 2)).astype(np.float32)
  mask = (rng.uniform(size=(4, 5)) < 0.7).astype(np.float32)
  s = normalizer.init(2)
  for i in range(4):            # one episode batch at a time, as collected
    s = normalizer.update(s, x[i:i + 1], mask[i:i + 1])
  rows = x[mask > 0]
  np.testing.assert_allclose(s.mean, rows.mean(0), rtol=1e-5)
  np.testing.assert_allclose(s.std, rows.std(0), rtol=1e-4)


def _cfg(normalize):
  c = schema.learner_config(schema.get_config())
  c.hidden_sizes = (8,)
  c.normalize_observations = normalize
  return c


def test_sac_networks_see_normalised_observations():
  key = jax.random.PRNGKey(0)
  plain = sac.init(key, SPEC, _cfg(False))
  assert plain.obs_norm is None
  normed = sac.init(key, SPEC, _cfg(True))
  # The same parameters; the statistics are the state's only extra leaves.
  assert len(jax.tree.leaves(normed)) == len(jax.tree.leaves(plain)) + 4
  normed = sac.observe(normed, jnp.array([[[1.0, 2.0], [3.0, 6.0], [9.0, 9.0]]]),
                       jnp.array([[1.0, 1.0, 0.0]]))
  np.testing.assert_allclose(normed.obs_norm.mean, [2.0, 4.0])
  assert sac.observe(plain, jnp.ones((1, 3, 2)), jnp.ones((1, 3))) is plain
  norm = lambda o: (o - jnp.array([2.0, 4.0])) / jnp.array([1.0, 2.0])

  obs = jnp.array([[0.5, 1.0], [3.0, 5.0]])
  task = jnp.array([[0.2], [-0.4]])
  action = jnp.array([[0.3], [-0.6]])
  k = jax.random.PRNGKey(1)
  np.testing.assert_allclose(sac.act(normed, obs, task, k, True),
                             sac.act(plain, norm(obs), task, k, True), rtol=1e-6)
  f_n, f_p = sac.relabel_fns(normed), sac.relabel_fns(plain)
  np.testing.assert_allclose(f_n["q"](obs, action, task), f_p["q"](norm(obs), action, task),
                             rtol=1e-6)
  np.testing.assert_allclose(f_n["value"](obs, task), f_p["value"](norm(obs), task), rtol=1e-6)
  np.testing.assert_allclose(f_n["log_prob"](obs, action, task),
                             f_p["log_prob"](norm(obs), action, task), rtol=1e-5)
  np.testing.assert_allclose(f_n["q_pairs"](obs, jnp.zeros((2, 2, 1)), task),
                             f_p["q_pairs"](norm(obs), jnp.zeros((2, 2, 1)), task), rtol=1e-5)
  np.testing.assert_allclose(f_n["log_prob_pairs"](obs, action, task),
                             f_p["log_prob_pairs"](norm(obs), action, task), rtol=1e-5)

  # An update on raw observations is the plain update on normalised ones.
  batch = sac.Transition(obs=obs, task=task, action=action, reward=jnp.array([1.0, -1.0]),
                         next_obs=obs + 1.0, discount=jnp.array([1.0, 0.0]))
  after_n, m_n = sac.update(normed, batch, k)
  after_p, m_p = sac.update(plain, batch.replace(obs=norm(obs), next_obs=norm(obs + 1.0)), k)
  np.testing.assert_allclose(m_n["critic_loss"], m_p["critic_loss"], rtol=1e-5)
  for a, b in zip(jax.tree.leaves(after_n.critic_params), jax.tree.leaves(after_p.critic_params)):
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)
  np.testing.assert_array_equal(after_n.obs_norm.mean, normed.obs_norm.mean)  # update keeps them


def test_trainer_folds_every_collected_step_in(tmp_path):
  from hindsight.training import Trainer
  c = schema.load("configs/point_reacher.py")
  c.learner.normalize_observations = True
  c.learner.hidden_sizes = (16,)
  c.train.num_envs = 2
  c.train.warmup_episodes = 3
  c.train.updates_per_env_step = 0.1
  c.train.batch_size = 8
  c.train.iterations_per_epoch = 1
  tr = Trainer(c)
  rs = jax.jit(tr.init)(jax.random.PRNGKey(0))
  assert float(rs.learner.obs_norm.count) == float(rs.env_steps)     # the warm-up's steps
  rs, _ = jax.jit(tr.iteration)(rs)
  assert float(rs.learner.obs_norm.count) == float(rs.env_steps)
  assert np.all(np.asarray(rs.learner.obs_norm.std) != 1.0)


def test_only_sac_normalises():
  c = schema.load("configs/bit_flip.py")
  c.learner.normalize_observations = True
  with pytest.raises(config_lib.ConfigError, match="normalize_observations.*SAC only"):
    config_lib.validate(c)
