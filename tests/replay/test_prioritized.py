"""Proportional prioritized replay: probabilities, weights, annealing and
updates against hand-computed numbers; the training loop with it on."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from configs import base, bit_flip
from hindsight import config as config_lib
from hindsight import replay
from hindsight.replay import prioritized as P


def _state(priority, max_priority=1.0, num_updates=0):
  return P.PriorityState(priority=jnp.asarray(priority, jnp.float32),
                         max_priority=jnp.asarray(max_priority, jnp.float32),
                         num_updates=jnp.asarray(num_updates, jnp.int32))


def test_config_checks():
  for kw, match in [(dict(alpha=1.5), "alpha must be in \\[0, 1\\]"),
                    (dict(alpha=-0.1), "alpha"), (dict(beta=2.0), "beta"),
                    (dict(eps=0.0), "eps"), (dict(beta_updates=0), "beta_updates")]:
    with pytest.raises(ValueError, match=match):
      P.PrioritizedConfig(**kw)


def test_scaled_priorities_mask_invalid_steps():
  pr = [[4.0, 1.0, 9.0], [1.0, 16.0, 0.0]]
  # α = ½: square roots; episode 0 has 2 valid steps, episode 1 has 3.
  pa = P.scaled_priorities(jnp.asarray(pr), jnp.asarray([2, 3]), 0.5)
  np.testing.assert_allclose(pa, [[2.0, 1.0, 0.0], [1.0, 4.0, 0.0]], rtol=1e-6)


def test_sampling_frequencies_and_weights_by_hand():
  # Valid priorities^α (α = 1): 1, 3 (episode 0), 4 (episode 1): Σ = 8.
  st = _state([[1.0, 3.0], [4.0, 7.0]])
  length = jnp.asarray([2, 1])
  cfg = P.PrioritizedConfig(alpha=1.0, beta=0.5, beta_updates=10)
  ep, t, w, prob = jax.jit(lambda k: P.sample_indices(st, length, k, 40_000, cfg))(
      jax.random.PRNGKey(0))
  ep, t, w = np.asarray(ep), np.asarray(t), np.asarray(w)
  assert not np.any((ep == 1) & (t == 1))  # the invalid step is never drawn
  freq = [np.mean((ep == 0) & (t == 0)), np.mean((ep == 0) & (t == 1)), np.mean(ep == 1)]
  np.testing.assert_allclose(freq, [1 / 8, 3 / 8, 4 / 8], atol=0.01)
  # w = (N P)^−β / max w with N = 3, β = 0.5: (3/8)^−½, (9/8)^−½, (12/8)^−½,
  # normalised by the largest, (3/8)^−½: 1, √(1/3), √(1/4).
  for (e, s), expect in [((0, 0), 1.0), ((0, 1), np.sqrt(1 / 3)), ((1, 0), 0.5)]:
    np.testing.assert_allclose(w[(ep == e) & (t == s)], expect, rtol=1e-5)
  np.testing.assert_allclose(np.asarray(prob)[ep == 1], 0.5, rtol=1e-6)


def test_alpha_zero_is_uniform_and_weights_one():
  st = _state([[1.0, 100.0], [5.0, 0.5]])
  cfg = P.PrioritizedConfig(alpha=0.0, beta=1.0)
  ep, t, w, _ = P.sample_indices(st, jnp.asarray([2, 2]), jax.random.PRNGKey(1), 20_000, cfg)
  counts = np.bincount(np.asarray(ep) * 2 + np.asarray(t), minlength=4) / 20_000
  np.testing.assert_allclose(counts, 0.25, atol=0.015)
  np.testing.assert_allclose(w, 1.0, rtol=1e-6)


def test_beta_annealing():
  cfg = P.PrioritizedConfig(beta=0.4, beta_updates=100)
  np.testing.assert_allclose([P.beta_at(cfg, k) for k in (0, 50, 100, 500)],
                             [0.4, 0.7, 1.0, 1.0], rtol=1e-6)


def test_new_episodes_at_max_priority_and_updates():
  st = _state(np.zeros((3, 2)), max_priority=2.5)
  st = P.on_add(st, jnp.asarray(2), 2)            # slots 2 and 0 (wrapping)
  np.testing.assert_array_equal(st.priority, [[2.5, 2.5], [0, 0], [2.5, 2.5]])
  cfg = P.PrioritizedConfig(eps=0.25)
  st = P.update(st, jnp.asarray([0, 2]), jnp.asarray([1, 0]), jnp.asarray([-3.0, 0.5]), cfg)
  # p = |δ| + ε: 3.25 and 0.75; the max priority becomes 3.25.
  np.testing.assert_allclose(st.priority, [[2.5, 3.25], [0, 0], [0.75, 2.5]])
  assert float(st.max_priority) == 3.25 and int(st.num_updates) == 1


def test_sample_returns_the_drawn_transitions():
  spec = replay.EpisodeSpec(obs_size=1, action_size=1, feature_dim=1, task_dim=1, horizon=2)
  buf = replay.init(spec, 2)
  eps = replay.empty_episodes(spec, 2)
  eps = eps.replace(obs=jnp.arange(6, dtype=jnp.float32).reshape(2, 3, 1),
                    mask=jnp.ones((2, 2)))
  buf = replay.add(buf, eps)
  st = _state([[0.0, 0.0], [0.0, 1.0]])   # only episode 1, step 1 has priority
  batch, w = P.sample(st, buf, jax.random.PRNGKey(0), 5, P.PrioritizedConfig())
  np.testing.assert_array_equal(batch.episode, 1)
  np.testing.assert_array_equal(batch.t, 1)
  np.testing.assert_array_equal(batch.obs[:, 0], 4.0)
  np.testing.assert_array_equal(batch.next_obs[:, 0], 5.0)
  np.testing.assert_allclose(w, 1.0)


def test_config_errors_before_tracing():
  c = bit_flip.get_config()
  c.train.prioritized, c.train.prioritized_alpha = True, 1.2
  with pytest.raises(config_lib.ConfigError, match="prioritized_alpha .* must be in \\[0, 1\\]"):
    config_lib.validate(c)
  c = base.get_config()
  c.learner.name, c.train.prioritized = "bc", True
  with pytest.raises(config_lib.ConfigError, match="needs a learner with TD errors"):
    config_lib.validate(c)


@pytest.mark.parametrize("learner", ["dqn", "sac"])
def test_trainer_with_prioritized_replay(learner):
  from tests.training.test_bit_flip_dqn import tiny
  from hindsight.training import Trainer
  if learner == "dqn":
    c = tiny(bit_flip.get_config())
  else:
    from tests.training.test_trainer import tiny as tiny_sac
    from configs import point_goal
    c = tiny_sac(point_goal.get_config(), buffer_episodes=16, warmup_episodes=4)
  c.relabel.name, c.train.prioritized = "her", True
  tr = Trainer(c)
  rs = jax.jit(tr.init)(jax.random.PRNGKey(0))
  np.testing.assert_array_equal(rs.priority.priority[:4], 1.0)   # warm-up at max priority
  rs, m = jax.jit(tr.iteration)(rs)
  assert int(rs.priority.num_updates) == tr.updates_per_iteration
  assert 0.0 < float(m["replay/weight_mean"]) <= 1.0
  assert float(m["replay/beta"]) >= c.train.prioritized_beta
  # Sampled transitions now carry |δ| + ε, so priorities moved off the initial 1.
  pr = np.asarray(rs.priority.priority[:8])
  assert np.any(np.abs(pr - 1.0) > 1e-6)
