"""Speed work leaves results unchanged (issue 17).

Each optimisation is compared with the computation it replaced, kept here as
the oracle: bitwise where the floating-point order is the same, else within
the tolerance stated beside the assertion.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from hindsight import schema
from hindsight.relabel import returns as E
from hindsight.tasks import PointGoal, PointReacher, base
from hindsight.training import Trainer

point_reacher = schema.load_module("configs/point_reacher.py")


def reduce_norm(x, axis=-1):
  """base.safe_norm before issue 17: a jnp.sum over the axis."""
  sq = jnp.sum(jnp.square(x), axis=axis)
  safe = jnp.where(sq > 0, sq, 1.0)
  return jnp.where(sq > 0, jnp.sqrt(safe), 0.0)


def candidate_chunked_returns(family, gamma, features, action, mask, candidates):
  """episodes.returns_matrix's general path before issue 17: chunks of
  candidates over all episodes."""
  n, t = features.shape[:2]
  chunk = max(1, min(candidates.shape[0], (1 << 22) // (n * t)))
  weight = mask * gamma ** jnp.arange(t, dtype=jnp.float32)
  per_task = lambda z: jnp.sum(family.reward(features, action, z) * weight, axis=1)
  return jax.lax.map(per_task, candidates, batch_size=chunk).T


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5])
def test_safe_norm_matches_the_reduction(n):
  rng = np.random.default_rng(n)
  x = jnp.asarray(rng.normal(size=(16, 9, n)) * rng.choice([1e-3, 1.0, 1e3], (16, 9, n)),
                  jnp.float32)
  x = x.at[0, 0].set(0.0)                                # the safe point
  # Eager, both add x₀² + x₁² + … in order: bitwise.
  np.testing.assert_array_equal(base.safe_norm(x), reduce_norm(x))
  # Jitted, XLA may fuse the reduction with a multiply-add: within 2 ulp.
  got, want = jax.jit(base.safe_norm)(x), jax.jit(reduce_norm)(x)
  np.testing.assert_allclose(got, want, rtol=2.5e-7, atol=0)
  g1 = jax.grad(lambda v: jnp.sum(base.safe_norm(v)))(x)
  g2 = jax.grad(lambda v: jnp.sum(reduce_norm(v)))(x)
  np.testing.assert_allclose(g1, g2, rtol=2.5e-7, atol=1e-12)
  assert np.all(np.isfinite(g1)) and float(jnp.abs(g1[0, 0]).max()) == 0.0


@pytest.mark.parametrize("family", [PointReacher(horizon=30), PointGoal(horizon=30)])
def test_returns_matrix_matches_candidate_chunks(family):
  rng = np.random.default_rng(0)
  n, t, k = 37, 30, 11                                    # chunks that do not divide N
  feats = jnp.asarray(rng.uniform(-0.5, 0.5, (n, t, family.feature_dim)), jnp.float32)
  action = jnp.asarray(rng.uniform(-1, 1, (n, t, 2)), jnp.float32)
  mask = jnp.asarray(np.arange(t)[None] < rng.integers(1, t + 1, (n, 1)), jnp.float32)
  cands = family.sample(jax.random.PRNGKey(1), k).astype(jnp.float32)
  got = jax.jit(lambda *a: E.returns_matrix(family, 0.97, *a))(feats, action, mask, cands)
  want = jax.jit(lambda *a: candidate_chunked_returns(family, 0.97, *a))(feats, action, mask,
                                                                         cands)
  assert got.shape == (n, k)
  # The same rewards summed over T in another order: float32 round-off of a
  # 30-term sum.
  np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def _tiny_reacher():
  c = point_reacher.get_config()
  c.learner.hidden_sizes = (32, 32)
  c.relabel.name = "air"
  c.train.update(dict(num_envs=2, updates_per_env_step=0.5, batch_size=32, warmup_episodes=8,
                      iterations_per_epoch=4, buffer_episodes=64, buffer_transitions=0))
  c.relabel.air.update(dict(num_candidates=8, cache_size=16))
  return c


def _curve(monkeypatch, norm, returns, epochs=3):
  monkeypatch.setattr(base, "safe_norm", norm)
  monkeypatch.setattr(E, "returns_matrix", returns)
  tr = Trainer(_tiny_reacher())
  init, epoch, evaluate = (jax.jit(tr.init), jax.jit(tr.epoch), jax.jit(tr.evaluate))
  rs = init(jax.random.PRNGKey(0))
  out = []
  for i in range(epochs):
    rs, m = epoch(rs)
    out.append((float(m["critic_loss"]), float(m["relabel/reward_mean"]),
                np.asarray(evaluate(rs.learner, jax.random.PRNGKey(i))["return"])))
  return out


@pytest.mark.slow
def test_learning_curve_unchanged_by_the_norm_and_returns_rewrite(monkeypatch):
  """A short AIR run on PointReacher (which uses both) before and after: the
  rewards differ by ≤ 2 ulp, so the curves agree to float32 round-off grown
  over a few hundred updates (stated tolerance: 1e-3 relative)."""
  old_returns = E.returns_matrix

  def chunked(family, gamma, features, action, mask, candidates, disc_sum=None):
    if family.is_linear and disc_sum is not None:
      return old_returns(family, gamma, features, action, mask, candidates, disc_sum)
    return candidate_chunked_returns(family, gamma, features, action, mask, candidates)

  new = _curve(monkeypatch, base.safe_norm, old_returns)
  old = _curve(monkeypatch, reduce_norm, chunked)
  for (l1, r1, e1), (l2, r2, e2) in zip(new, old):
    np.testing.assert_allclose(l1, l2, rtol=1e-3)
    np.testing.assert_allclose(r1, r2, rtol=1e-3, atol=1e-5)
    np.testing.assert_allclose(e1, e2, rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize("cfg,candidates", [("point_goal", "states"),
                                            ("point_reacher", "prior")])
def test_hipi_pairwise_logits_match_tiled(cfg, candidates):
  """HIPI's logits with the learner's pairwise networks (learners/pairwise.py)
  against the tiled [B·K] evaluation: the first layer's sum is reordered, so
  float32 round-off (stated tolerance 1e-4 relative, 1e-4 absolute); the
  next actions use the same noise."""
  import dataclasses
  from hindsight import replay
  from hindsight.relabel import RelabelContext
  c = schema.load(f"configs/{cfg}.py")
  c.relabel.name = "hipi"
  c.relabel.hipi.update(dict(candidates=candidates, num_candidates=24))
  c.learner.hidden_sizes = (48, 40)
  c.train.update(dict(warmup_episodes=8, batch_size=32, buffer_transitions=0,
                      buffer_episodes=64))
  tr = Trainer(c)
  rs = jax.jit(tr.init)(jax.random.PRNGKey(0))
  batch = replay.sample(rs.buffer, jax.random.PRNGKey(1), 32)
  ctx = tr.context(rs.learner, rs.buffer)
  assert "q_pairs" in ctx.fns
  tiled = dataclasses.replace(
      ctx, fns={k: v for k, v in ctx.fns.items() if not k.endswith("_pairs")})
  hipi = tr.relabeler
  key = jax.random.PRNGKey(2)
  cands = hipi.candidate_sets(jax.random.PRNGKey(3), batch, ctx.family)[0]
  got = jax.jit(lambda: hipi.logits(key, batch, ctx, cands))()
  want = jax.jit(lambda: hipi.logits(key, batch, tiled, cands))()
  assert got.shape == (32, cands.shape[0])
  np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)
  # the pieces alone
  fns = ctx.fns
  obs, act, nobs = batch.obs, batch.action, batch.next_obs
  b, k = obs.shape[0], cands.shape[0]
  tile = lambda x: jnp.repeat(x, k, axis=0)
  task = jnp.tile(cands, (b, 1))
  np.testing.assert_allclose(fns["log_prob_pairs"](obs, act, cands),
                             fns["log_prob"](tile(obs), tile(act), task).reshape(b, k),
                             rtol=1e-4, atol=1e-4)
  a_pair = fns["sample_action_pairs"](key, nobs, cands)
  a_tile = fns["sample_action"](key, tile(nobs), task).reshape(b, k, -1)
  np.testing.assert_allclose(a_pair, a_tile, rtol=1e-5, atol=1e-5)
  np.testing.assert_allclose(fns["q_pairs"](nobs, a_tile, cands),
                             fns["q"](tile(nobs), a_tile.reshape(b * k, -1), task).reshape(b, k),
                             rtol=1e-5, atol=1e-5)
  np.testing.assert_allclose(
      fns["q_first_pairs"](nobs, a_tile, cands),
      fns["q_first"](tile(nobs), a_tile.reshape(b * k, -1), task).reshape(b, k),
      rtol=1e-5, atol=1e-5)


def _same_eval(got, want):
  """Successes bitwise; returns to float32 round-off (the reward's arithmetic
  may fuse differently in the two loops: stated tolerance 4e-7 relative)."""
  assert set(got) == set(want)
  for name in want:
    if name == "success":
      np.testing.assert_array_equal(got[name], want[name])
    else:
      np.testing.assert_allclose(got[name], want[name], rtol=4e-7, atol=1e-6)


@pytest.mark.parametrize("cfg,sets", [
    ("point_goal", {"epsilon": 0.6}),      # large success radius: episodes end early
    ("point_reacher", {}),
    ("point_trajectory", {})])
def test_evaluation_rollout_matches_trainer_evaluate(cfg, sets):
  from hindsight.training import evaluation
  c = schema.load(f"configs/{cfg}.py")
  c.env.options.update(sets)
  c.learner.hidden_sizes = (32, 32)
  c.train.update(dict(warmup_episodes=2, buffer_transitions=0, buffer_episodes=16))
  tr = Trainer(c)
  ls = jax.jit(tr.init)(jax.random.PRNGKey(0)).learner
  keys = jax.random.split(jax.random.PRNGKey(5), 3)
  for k in keys:
    want = jax.jit(tr.evaluate)(ls, k)
    got = jax.jit(lambda l, kk: evaluation.evaluate(tr, l, kk))(ls, k)
    _same_eval(got, want)
    want_r = jax.jit(tr.evaluate_random)(k)
    got_r = jax.jit(lambda kk: evaluation.evaluate_random(tr, kk))(k)
    _same_eval(got_r, want_r)
  if cfg == "point_goal":   # the early exit was taken: some episodes ended before H
    eps, _ = jax.jit(lambda k: tr.rollout(tr.random_policy, k, tasks=tr.eval_tasks))(keys[0])
    assert float(eps.mask.sum(axis=1).min()) < tr.spec.horizon
  # vmapped over seeds, as run.py calls it
  seeds = jax.vmap(tr.init)(jax.random.split(jax.random.PRNGKey(1), 2)).learner
  ek = jax.random.split(jax.random.PRNGKey(7), 2)
  want = tr.jitted()[2](seeds, ek)
  _same_eval(evaluation.jitted(tr)(seeds, ek), want)


def cumsum_each_sample(length, key, n):
  """replay.buffer.uniform_transitions before issue 17: the cumulative sum of
  the episode lengths recomputed on every sample."""
  cum = jnp.cumsum(length)
  total = jnp.maximum(cum[-1], 1)
  u = jax.random.randint(key, (n,), 0, total)
  ep = jnp.searchsorted(cum, u, side="right").astype(jnp.int32)
  ep = jnp.minimum(ep, length.shape[0] - 1)
  t = u - (cum[ep] - length[ep])
  return ep, jnp.clip(t, 0, jnp.maximum(length[ep] - 1, 0)).astype(jnp.int32)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sampling_table_draws_the_same_transitions(seed):
  # Integer arithmetic: bitwise, including empty slots (length 0) at either
  # end, an empty buffer, and a window of the newest episodes.
  from hindsight import replay
  from hindsight.replay import buffer as B
  rng = np.random.default_rng(seed)
  length = rng.integers(0, 7, 50).astype(np.int32)
  length[0] = length[-1] = 0
  for lens in (length, np.zeros(5, np.int32)):
    lens = jnp.asarray(lens)
    key = jax.random.PRNGKey(seed)
    want = cumsum_each_sample(lens, key, 500)
    got = B.table_transitions(jnp.cumsum(lens), key, 500)
    for g, w in zip(got, want):
      np.testing.assert_array_equal(g, w)
  spec = replay.EpisodeSpec(obs_size=2, action_size=1, feature_dim=3, task_dim=1, horizon=6)
  buf = replay.init(spec, 12)
  eps = replay.empty_episodes(spec, 9)
  mask = jnp.asarray(rng.integers(0, 2, (9, 6)), jnp.float32).at[:, 0].set(1.0)
  feats = jnp.asarray(rng.normal(size=(9, 6, 3)), jnp.float32)
  buf = replay.add(buf, eps.replace(mask=mask, features=feats, task=jnp.arange(9.0)[:, None]))
  for recent in (0, 4):
    key = jax.random.PRNGKey(10 + seed)
    table = replay.transition_table(buf, recent)
    jax.tree.map(np.testing.assert_array_equal, replay.sample(buf, key, 64, recent, table),
                 replay.sample(buf, key, 64, recent))
    length = B.recent_lengths(buf, recent) if recent else buf.length
    ep, t = cumsum_each_sample(length, jax.random.split(key)[0], 64)
    np.testing.assert_array_equal(replay.sample(buf, key, 64, recent, table).episode, ep)
    np.testing.assert_array_equal(replay.sample(buf, key, 64, recent, table).t, t)
    np.testing.assert_array_equal(replay.sample_features(buf, key, 64, recent, table),
                                  replay.sample_features(buf, key, 64, recent))
