"""Proportional prioritized replay: probabilities, weights, annealing and
updates against hand-computed numbers; the training loop with it on."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from hindsight import schema
from hindsight import config as config_lib
from hindsight import replay
from hindsight.replay import prioritized as P

bit_flip = schema.load_module("configs/bit_flip.py")


def _state(priority, max_priority=1.0, num_updates=0):
  """A PriorityState whose leaves (p^α) are ``priority`` f32[C, T]; zeros
  are slots that cannot be drawn."""
  pr = np.asarray(priority, np.float32)
  st = P.init(*pr.shape)
  flat = pr.reshape(-1)
  st = P.set_leaves(st, jnp.arange(flat.size), jnp.asarray(flat),
                    jnp.asarray(np.where(flat > 0, flat, np.inf)))
  return st.replace(max_priority=jnp.asarray(max_priority, jnp.float32),
                    num_updates=jnp.asarray(num_updates, jnp.int32))


def test_tree_sums_and_minima_by_hand():
  st = _state([[1.0, 3.0, 0.0], [4.0, 0.0, 0.0]])   # C·T = 6 → 8 leaves
  assert st.num_leaves == 8 and st.sum_tree.shape == (16,)
  # Leaves 1, 3, 0, 4, 0, 0, 0, 0: pairs 4, 4, 0, 0; quads 8, 0; root 8.
  np.testing.assert_allclose(st.sum_tree[1:8], [8, 8, 0, 4, 4, 0, 0])
  np.testing.assert_allclose(st.min_tree[1:4], [1, 1, np.inf])
  np.testing.assert_allclose(P.leaves(st), [[1, 3, 0], [4, 0, 0]])
  # Rewriting leaf 1 (slot (0, 1)) to 0.5 updates its ancestors only.
  st = P.set_leaves(st, jnp.asarray([1]), jnp.asarray([0.5]), jnp.asarray([0.5]))
  np.testing.assert_allclose(st.sum_tree[1:8], [5.5, 5.5, 0, 1.5, 4, 0, 0])
  np.testing.assert_allclose(st.min_tree[1], 0.5)


def test_config_checks():
  for kw, match in [(dict(alpha=1.5), "alpha must be in \\[0, 1\\]"),
                    (dict(alpha=-0.1), "alpha"), (dict(beta=2.0), "beta"),
                    (dict(eps=0.0), "eps"), (dict(beta_updates=0), "beta_updates")]:
    with pytest.raises(ValueError, match=match):
      P.PrioritizedConfig(**kw)


def test_sampling_frequencies_and_weights_by_hand():
  # Valid priorities^α: 1, 3 (episode 0), 4 (episode 1, whose step 1 is
  # not in the episode: leaf 0): Σ = 8.
  st = _state([[1.0, 3.0], [4.0, 0.0]])
  cfg = P.PrioritizedConfig(alpha=1.0, beta=0.5, beta_updates=10)
  _, ep, t, w, prob = jax.jit(lambda k: P.sample_indices(st, k, 40_000, cfg))(
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
  cfg = P.PrioritizedConfig(alpha=0.0, beta=1.0)
  st = P.init(2, 2)
  st = P.on_add(st, jnp.asarray(0), jnp.asarray([2, 2]), cfg)
  # Whatever the priorities, p^0 = 1: uniform.
  st = P.update(st, jnp.asarray([0, 0, 1, 1]), jnp.asarray([0, 1, 0, 1]),
                jnp.asarray([1.0, 100.0, 5.0, 0.5]), cfg)
  _, ep, t, w, _ = P.sample_indices(st, jax.random.PRNGKey(1), 20_000, cfg)
  counts = np.bincount(np.asarray(ep) * 2 + np.asarray(t), minlength=4) / 20_000
  np.testing.assert_allclose(counts, 0.25, atol=0.015)
  np.testing.assert_allclose(w, 1.0, rtol=1e-6)


def test_beta_annealing():
  cfg = P.PrioritizedConfig(beta=0.4, beta_updates=100)
  np.testing.assert_allclose([P.beta_at(cfg, k) for k in (0, 50, 100, 500)],
                             [0.4, 0.7, 1.0, 1.0], rtol=1e-6)


def test_new_episodes_at_max_priority_and_updates():
  cfg = P.PrioritizedConfig(alpha=0.5, eps=0.25)
  st = P.init(3, 2).replace(max_priority=jnp.asarray(4.0))
  # Slots 2 and 0 (wrapping), lengths 2 and 1: max priority 4 → leaf 4^½ = 2.
  st = P.on_add(st, jnp.asarray(2), jnp.asarray([2, 1]), cfg)
  np.testing.assert_allclose(P.leaves(st), [[2, 0], [0, 0], [2, 2]])
  st = P.update(st, jnp.asarray([0, 2]), jnp.asarray([0, 0]), jnp.asarray([-8.75, 0.0]), cfg)
  # p = |δ| + ε: 9 and 0.25 → leaves 3 and 0.5; the max priority becomes 9.
  np.testing.assert_allclose(P.leaves(st), [[3, 0], [0, 0], [0.5, 2]])
  # The update is pending until the next sample (or flush) writes the trees.
  np.testing.assert_allclose(st.sum_tree[1], 6.0)
  st = P.flush(st)
  np.testing.assert_allclose(st.sum_tree[1], 5.5)
  np.testing.assert_allclose(st.min_tree[1], 0.5)
  assert float(st.max_priority) == 9.0 and int(st.num_updates) == 1


def test_window_keeps_only_the_newest_episodes():
  cfg = P.PrioritizedConfig(alpha=1.0)
  st = P.init(4, 1)
  for pos in range(3):   # one episode at a time into slots 0, 1, 2; window of 2
    st = P.on_add(st, jnp.asarray(pos), jnp.asarray([1]), cfg, window=2)
  np.testing.assert_allclose(P.leaves(st)[:, 0], [0, 1, 1, 0])
  _, ep, _, _, _ = P.sample_indices(st, jax.random.PRNGKey(0), 1000, cfg)
  assert set(np.unique(np.asarray(ep))) == {1, 2}


def test_sample_returns_the_drawn_transitions():
  spec = replay.EpisodeSpec(obs_size=1, action_size=1, feature_dim=1, task_dim=1, horizon=2)
  buf = replay.init(spec, 2)
  eps = replay.empty_episodes(spec, 2)
  eps = eps.replace(obs=jnp.arange(6, dtype=jnp.float32).reshape(2, 3, 1),
                    mask=jnp.ones((2, 2)))
  buf = replay.add(buf, eps)
  st = _state([[0.0, 0.0], [0.0, 1.0]])   # only episode 1, step 1 has priority
  _, batch, w = P.sample(st, buf, jax.random.PRNGKey(0), 5, P.PrioritizedConfig())
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
  c = schema.get_config()
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
    point_goal = schema.load_module("configs/point_goal.py")
    c = tiny_sac(point_goal.get_config(), buffer_episodes=16, warmup_episodes=4)
  c.relabel.name, c.train.prioritized = "her", True
  tr = Trainer(c)
  rs = jax.jit(tr.init)(jax.random.PRNGKey(0))
  lengths = np.asarray(rs.buffer.length[:4])
  leaves = np.asarray(P.leaves(rs.priority)[:4])
  valid = np.arange(leaves.shape[1])[None] < lengths[:, None]
  np.testing.assert_array_equal(leaves[valid], 1.0)     # warm-up at max priority (1^α)
  np.testing.assert_array_equal(leaves[~valid], 0.0)
  rs, m = jax.jit(tr.iteration)(rs)
  assert int(rs.priority.num_updates) == tr.updates_per_iteration
  assert 0.0 < float(m["replay/weight_mean"]) <= 1.0
  assert float(m["replay/beta"]) >= c.train.prioritized_beta
  # Sampled transitions now carry |δ| + ε, so priorities moved off the initial 1.
  pr = np.asarray(P.leaves(rs.priority)[:8])
  assert np.any((pr > 0) & (np.abs(pr - 1.0) > 1e-6))
  np.testing.assert_allclose(P.flush(rs.priority).sum_tree[1], pr.sum() + np.asarray(
      P.leaves(rs.priority)[8:]).sum(), rtol=1e-5)
