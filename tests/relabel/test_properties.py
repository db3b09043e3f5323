"""Property tests of the relabeling math and strategies (hypothesis)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from hindsight import relabel, replay, tasks
from hindsight.relabel import RelabelContext, core
from hindsight.relabel import cache as relabel_cache

SETTINGS = settings(max_examples=40, deadline=None)


def _matrix(min_n=1, max_n=8, min_k=1, max_k=6, rounded=True):
  elems = st.integers(-3, 3).map(float) if rounded else st.floats(-10, 10, width=32)
  return st.tuples(st.integers(min_n, max_n), st.integers(min_k, max_k)).flatmap(
      lambda s: hnp.arrays(np.float32, s, elements=elems))


@SETTINGS
@given(_matrix(), st.data())
def test_top_m_distinct_and_ordered(scores, data):
  k = scores.shape[1]
  m = data.draw(st.integers(1, k))
  idx = np.asarray(core.top_m(jnp.asarray(scores), m))
  assert idx.shape == (scores.shape[0], m)
  for row, s in zip(idx, scores):
    assert len(set(row.tolist())) == m
    picked = s[row]
    assert np.all(np.diff(picked) <= 0)
    # nothing left out scores higher than the lowest picked one
    rest = np.delete(s, row)
    assert rest.size == 0 or rest.max() <= picked.min()


@SETTINGS
@given(_matrix(min_n=1))
def test_percentile_ranks_range_and_mean(r):
  p = np.asarray(core.percentile_ranks(jnp.asarray(r)))
  assert np.all((p >= 0) & (p <= 1))
  # mid-ranks average to exactly one half in every column
  np.testing.assert_allclose(p.mean(axis=0), 0.5, atol=1e-6)


@SETTINGS
@given(_matrix(min_n=2, min_k=2, rounded=False), st.integers(0, 5),
       st.floats(-50, 50, width=32))
def test_hipi_posterior_normalised_and_column_shift_invariant(logits, col, c):
  col = col % logits.shape[1]
  lq = core.hipi_log_posterior(jnp.asarray(logits), True, 1.0)
  np.testing.assert_allclose(np.exp(np.asarray(lq)).sum(axis=1), 1.0, rtol=1e-5)
  shifted = logits.copy()
  shifted[:, col] += c
  lq2 = core.hipi_log_posterior(jnp.asarray(shifted), True, 1.0)
  np.testing.assert_allclose(np.exp(lq2), np.exp(lq), atol=2e-5)


def _batch_from_episodes(features, mask, task, t, obs_size=5, action_size=2):
  b, T, _ = features.shape
  z = lambda *s: jnp.zeros(s, jnp.float32)
  return replay.EpisodeBatch(
      obs=z(b, obs_size), action=z(b, action_size), next_obs=z(b, obs_size),
      features=features[jnp.arange(b), t], terminal=z(b), task=task, t=t,
      episode=jnp.arange(b), ep_features=features, ep_action=z(b, T, action_size),
      ep_mask=mask, first_obs=z(b, obs_size), extras={})


@SETTINGS
@given(st.data())
def test_her_future_goal_from_same_episode_at_or_after_t(data):
  fam = tasks.make("point_goal")
  b, T = 6, 7
  lengths = np.array(data.draw(st.lists(st.integers(1, T), min_size=b, max_size=b)))
  t = np.array([data.draw(st.integers(0, l - 1)) for l in lengths])
  steps = np.arange(T)
  # features encode (episode id, step): the achieved goal says where it came from
  feats = np.stack(np.broadcast_arrays(np.arange(b)[:, None], steps[None]), -1).astype(np.float32)
  mask = (steps[None] < lengths[:, None]).astype(np.float32)
  batch = _batch_from_episodes(jnp.asarray(feats), jnp.asarray(mask), jnp.zeros((b, 2)),
                               jnp.asarray(t))
  ctx = RelabelContext(family=fam, gamma=0.99)
  key = jax.random.PRNGKey(data.draw(st.integers(0, 2**16)))
  for strategy, lo in (("future", t), ("episode", 0 * t), ("final", lengths - 1)):
    goals = np.asarray(relabel.make("her", strategy=strategy)(key, batch, ctx))
    np.testing.assert_array_equal(goals[:, 0], np.arange(b))   # same episode
    assert np.all(goals[:, 1] >= lo) and np.all(goals[:, 1] < lengths)


def _point_goal_episodes(goals, T=5):
  """Episode i sits on goal i for all T steps."""
  feats = jnp.broadcast_to(goals[:, None, :], (goals.shape[0], T, 2))
  return feats, jnp.ones((goals.shape[0], T))


@pytest.mark.parametrize("tie_break", ["return", "none"])
def test_air_relabels_each_episode_with_the_goal_it_reached(tie_break):
  fam = tasks.make("point_goal")
  b = 6
  goals = fam.sample(jax.random.PRNGKey(1), b)
  feats, mask = _point_goal_episodes(goals)
  # originals were other goals: a rotation of the list
  batch = _batch_from_episodes(feats, mask, jnp.roll(goals, 1, axis=0), jnp.zeros(b, jnp.int32))
  ctx = RelabelContext(family=fam, gamma=0.9)
  air = relabel.make("air", num_candidates=2 * b, m=1, cache_size=0, tie_break=tie_break)
  chosen, info = air.choose(jax.random.PRNGKey(0), batch, ctx)
  # candidate i (the original task of episode i) is goal i−1, so the reached
  # goal i is candidate i+1: each episode must pick the goal it reached
  np.testing.assert_allclose(chosen[:, 0], goals, atol=1e-6)
  assert float(info["air_chosen_percentile"]) == pytest.approx(1.0)


@SETTINGS
@given(st.integers(0, 2**16), st.integers(1, 4))
def test_air_choice_ranks_highest(seed, m):
  fam = tasks.make("point_reacher")
  b, T, n_cache = 5, 4, 7
  k1, k2, k3, k4 = jax.random.split(jax.random.PRNGKey(seed), 4)
  feats = jnp.concatenate([jax.random.uniform(k1, (b + n_cache, T, 2), minval=-1, maxval=1),
                           jax.random.uniform(k2, (b + n_cache, T, 1))], -1)
  mask = jnp.ones((b + n_cache, T))
  task = fam.sample(k3, b + n_cache)
  batch = _batch_from_episodes(feats[:b], mask[:b], task[:b], jnp.zeros(b, jnp.int32))
  cache = relabel_cache.EpisodeCache(features=feats[b:], action=jnp.zeros((n_cache, T, 2)),
                         mask=mask[b:], first_obs=jnp.zeros((n_cache, 5)), task=task[b:],
                         valid=jnp.arange(n_cache) < 5)
  ctx = RelabelContext(family=fam, gamma=0.95, cache=cache,
                       fns={"value": lambda o, z: z[..., 0] - z[..., 3]})
  air = relabel.make("air", num_candidates=8, m=m, cache_size=n_cache, tie_break="advantage")
  cands, pct, tie = air.scores(k4, batch, ctx)
  chosen, _ = air.choose(k4, batch, ctx)
  idx = np.asarray(core.top_m(pct, m, tie))
  pct = np.asarray(pct)
  for i in range(b):
    got = pct[i, idx[i]]
    assert got[0] == pytest.approx(pct[i].max())              # the top-ranked task
    assert np.all(np.diff(got) <= 0)
    np.testing.assert_allclose(chosen[i], np.asarray(cands)[idx[i]], atol=1e-6)


def test_advantage_picks_largest_return_minus_value():
  fam = tasks.make("point_goal")
  b = 4
  goals = fam.sample(jax.random.PRNGKey(2), b)
  feats, mask = _point_goal_episodes(goals)
  batch = _batch_from_episodes(feats, mask, goals, jnp.zeros(b, jnp.int32))
  # V is huge for the episode's own goal: advantage must avoid it
  value = lambda obs, z: 100.0 * jnp.all(jnp.abs(z) > -1, axis=-1) * 0.0 + z[..., 0] * 50.0
  ctx = RelabelContext(family=fam, gamma=0.9, fns={"value": value})
  adv = relabel.make("advantage", num_candidates=2 * b, m=2)
  cands, scores = adv.scores(jax.random.PRNGKey(0), batch, ctx)
  chosen, _ = adv.choose(jax.random.PRNGKey(0), batch, ctx)
  best = np.argsort(-np.asarray(scores), axis=1, kind="stable")[:, :2]
  np.testing.assert_allclose(chosen, np.asarray(cands)[best], atol=1e-6)


def test_hipi_trajectory_posterior_prefers_the_reached_goal():
  fam = tasks.make("point_goal")
  b = 8
  goals = fam.sample(jax.random.PRNGKey(3), b)
  feats, mask = _point_goal_episodes(goals, T=20)
  batch = _batch_from_episodes(feats, mask, goals, jnp.zeros(b, jnp.int32))
  ctx = RelabelContext(family=fam, gamma=1.0)
  hipi = relabel.make("hipi", level="trajectory", candidates="batch")
  tasks_, info = hipi.relabel_with_info(jax.random.PRNGKey(0), batch, ctx)
  # return 0 under its own goal vs −20 elsewhere: the posterior is e^20 : 1
  np.testing.assert_allclose(tasks_, goals, atol=1e-6)
  assert float(info["hipi_kept_own"]) == 1.0


def test_hipi_transition_logits_match_the_formula():
  fam = tasks.make("point_goal")
  b = 3
  key = jax.random.PRNGKey(4)
  goals = fam.sample(key, b)
  feats, mask = _point_goal_episodes(goals)
  batch = _batch_from_episodes(feats, mask, goals, jnp.zeros(b, jnp.int32))
  batch = batch.replace(terminal=jnp.array([0.0, 1.0, 0.0]),
                        next_obs=jnp.arange(b * 5, dtype=jnp.float32).reshape(b, 5))
  fns = {"log_prob": lambda o, a, z: z[..., 0],
         "sample_action": lambda k, o, z: jnp.zeros(o.shape[:-1] + (2,)),
         # the first critic (HIPI's released relabeling); min(Q1, Q2) unused
         "q_first": lambda o, a, z: o[..., 0] + z[..., 1],
         "q": lambda o, a, z: jnp.full(o.shape[:-1], 1e3)}
  ctx = RelabelContext(family=fam, gamma=0.5, fns=fns)
  logits = relabel.make("hipi").logits(key, batch, ctx, goals)
  r = np.asarray(fam.reward(feats[:, 0][:, None], jnp.zeros((b, 1, 2)), goals[None]))
  expect = (r - np.asarray(goals)[None, :, 0] + 0.5 * (1 - np.array([0, 1, 0]))[:, None]
            * (np.arange(b)[:, None] * 5.0 + np.asarray(goals)[None, :, 1]))
  np.testing.assert_allclose(logits, expect, rtol=1e-5, atol=1e-5)


def test_her_on_point_reacher_relabels_the_goal_part_only():
  """Generalized Hindsight's HER baseline on the multi-objective reacher: the
  goal becomes the position reached at the chosen step; the objective weights
  and the obstacle stay. With 'final' the last step sits exactly on the goal."""
  fam = tasks.make("point_reacher")
  b, T = 5, 4
  key1, key2, key3 = jax.random.split(jax.random.PRNGKey(3), 3)
  pos = jax.random.uniform(key1, (b, T, 2), minval=-0.4, maxval=0.4)
  feats = jnp.concatenate([pos, jnp.full((b, T, 1), 0.5)], -1)
  mask = jnp.ones((b, T))
  task = fam.sample(key2, b)
  batch = _batch_from_episodes(feats, mask, task, jnp.zeros(b, jnp.int32))
  new = relabel.make("her", strategy="final")(key3, batch, RelabelContext(fam, 0.99))
  np.testing.assert_allclose(new[:, :2], task[:, :2])
  np.testing.assert_allclose(new[:, 4:], task[:, 4:])
  np.testing.assert_allclose(fam.goal(new), pos[:, -1], atol=1e-6)
  # the reach term of the final step is 0.2 − 0 = 0.2
  # u = 0, v = 0.5: θ = 0, φ = π/2, so w = (1, 0, 0)
  reach_only = jnp.concatenate([jnp.zeros((b, 1)), jnp.full((b, 1), 0.5), new[:, 2:]], -1)
  np.testing.assert_allclose(fam.reward(feats[:, -1], None, reach_only), 0.2, atol=1e-5)


def test_her_on_a_family_without_goal_part_is_refused():
  with pytest.raises(ValueError, match="has a goal part"):
    relabel.make("her").check_family(tasks.make("point_trajectory"))
