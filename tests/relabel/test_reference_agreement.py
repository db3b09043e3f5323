"""The jitted relabeling code agrees with the plain NumPy loop references
(``hindsight.testing.reference``) on random inputs.

Sizes are small (N = 12 episodes ranked, K = 7 candidates, T = 5 steps) and
every jitted function is compiled once per shape, so the module stays fast on
a busy CPU.
"""

import dataclasses
import functools

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from hindsight import replay
from hindsight.learners import sac
from hindsight.relabel import AIR, HER, HIPI, AdvantageRelabel, RelabelContext, core
from hindsight.relabel import cache as relabel_cache
from hindsight.relabel import returns
from hindsight.relabel import schedule
from hindsight.testing import reference as ref
from hindsight.tasks import PointGoal, PointReacher, PointTrajectory
from hindsight.tasks.linear import RandomLinear

B, M, K, T = 5, 7, 7, 5     # batch episodes, cache slots (N = B + M = 12), candidates, steps
OBS, ACT = 3, 2
GAMMA = 0.9
REACHER = PointReacher()
LINEAR = RandomLinear(feature_dim=4, horizon=T)
FAMILIES = {"point_reacher": REACHER, "random_linear": LINEAR}
HYP = settings(max_examples=50, deadline=None)


@functools.lru_cache(maxsize=None)
def jit(fn, static_argnums=()):
  return jax.jit(fn, static_argnums=static_argnums)


# ------------------------------------------------------------------ inputs ---

def random_episodes(rng, family, n, min_len=1):
  """Episodes with prefix masks of random lengths and plausible features."""
  f = family.feature_dim
  if isinstance(family, PointReacher):
    pos = rng.uniform(-0.5, 0.5, (n, T, 2))
    anorm = rng.uniform(0.0, 1.4, (n, T, 1))
    features = np.concatenate([pos, anorm], -1)
  else:
    features = rng.normal(size=(n, T, f))
  lengths = rng.integers(min_len, T + 1, n)
  mask = (np.arange(T)[None] < lengths[:, None]).astype(np.float32)
  terminal = np.zeros((n, T), np.float32)
  terminal[np.arange(n), lengths - 1] = rng.integers(0, 2, n)
  task = np.asarray(family.sample(jax.random.PRNGKey(int(rng.integers(1 << 30))), n))
  return replay.Episodes(
      obs=rng.normal(size=(n, T + 1, OBS)).astype(np.float32),
      action=rng.uniform(-0.9, 0.9, (n, T, ACT)).astype(np.float32),
      features=features.astype(np.float32), mask=mask, terminal=terminal,
      task=task.astype(np.float32))


def transition_batch(rng, family, eps):
  """One transition per episode at a uniform valid step, its episode attached
  (what ``replay.sample`` returns), built directly in NumPy."""
  n = eps.task.shape[0]
  length = eps.mask.sum(1).astype(np.int32)
  t = np.minimum((rng.uniform(size=n) * length).astype(np.int32), length - 1)
  i = np.arange(n)
  ds = disc_sums(family, eps)
  return replay.EpisodeBatch(
      obs=eps.obs[i, t], action=eps.action[i, t], next_obs=eps.obs[i, t + 1],
      features=eps.features[i, t], terminal=eps.terminal[i, t], task=eps.task, t=t,
      episode=i.astype(np.int32), ep_features=eps.features, ep_action=eps.action,
      ep_mask=eps.mask, first_obs=eps.obs[:, 0],
      extras={} if ds is None else {returns.DISC_SUM: ds})


def disc_sums(family, eps):
  if not family.is_linear:
    return None
  return np.asarray(jit(core.discounted_feature_sums, 2)(eps.features, eps.mask, GAMMA))


def make_batch(family, eps):
  ds = disc_sums(family, eps)
  return schedule.episodes_as_batch(eps, {} if ds is None else {returns.DISC_SUM: ds})


def make_cache(family, eps, num_invalid=2, duplicates=None):
  """A cache of M episodes, the last ``num_invalid`` slots not filled;
  ``duplicates``: episodes copied into the first slots (exact return ties)."""
  if duplicates is not None:
    k = duplicates.task.shape[0]
    eps = jax.tree.map(lambda c, d: np.concatenate([np.asarray(d), np.asarray(c)[k:]]),
                       eps, duplicates)
  n = eps.task.shape[0]
  valid = np.arange(n) < n - num_invalid
  keep = lambda x: np.where(valid.reshape((-1,) + (1,) * (x.ndim - 1)), x, 0).astype(x.dtype)
  eps = jax.tree.map(lambda x: keep(np.asarray(x)), eps)
  return relabel_cache.EpisodeCache(features=eps.features, action=eps.action, mask=eps.mask,
                        first_obs=eps.obs[:, 0], task=eps.task, valid=valid,
                        disc_feature_sum=disc_sums(family, eps))


def fake_value(obs, task):
  """A fixed stand-in for V(s, z), valid for NumPy and jnp arrays alike."""
  return obs[..., 0] * task[..., 0] + task.sum(-1)


def fake_hipi_fns(xp):
  """Deterministic stand-ins for the learner's q / log_prob / sample_action."""
  def log_prob(obs, action, task):
    return -0.5 * (action * action).sum(-1) + 0.3 * obs[..., 0] * task[..., 0]

  def sample_action(key, obs, task):
    del key
    return xp.tanh(obs[..., :ACT] * task[..., :1] + task[..., 1:1 + ACT])

  def q(obs, action, task):
    return 0.2 * obs.sum(-1) + (action * task[..., :ACT]).sum(-1) - task[..., -1]

  def q_first(obs, action, task):   # differs from q, so the critic choice shows
    return q(obs, action, task) + 0.5 * task[..., 0]

  return {"q": q, "q_first": q_first, "log_prob": log_prob, "sample_action": sample_action}


# -------------------------------------------------- percentile ranks, top-m ---

RANK_SHAPES = [(1, 3), (12, 7)]   # with valid masks, 0 … 12 rows counted


@st.composite
def returns_cases(draw):
  n, k = draw(st.sampled_from(RANK_SHAPES))
  values = draw(hnp.arrays(np.float32, (n, k),
                           elements=st.floats(-3, 3, width=32, allow_subnormal=False)))
  decimals = draw(st.sampled_from([0, 1, None]))     # 0, 1: many forced ties
  if decimals is not None:
    values = np.round(values, decimals)
  if draw(st.booleans()):     # some ±inf returns (ties with the +inf padding of invalid rows)
    infs = draw(hnp.arrays(np.int8, (n, k), elements=st.sampled_from([-1, 0, 0, 1])))
    values = np.where(infs > 0, np.inf, np.where(infs < 0, -np.inf, values)).astype(np.float32)
  valid = draw(st.none() | hnp.arrays(np.bool_, (n,)))
  return values, valid


@HYP
@given(returns_cases())
def test_percentile_ranks_agree(case):
  returns, valid = case
  got = np.asarray(jit(core.percentile_ranks)(returns, valid))
  want = ref.percentile_ranks_np(returns, valid)
  np.testing.assert_allclose(got, want, rtol=0, atol=1e-6)


def test_percentile_ranks_hand_computed():
  r = np.array([[1.0, 0.0], [2.0, 0.0], [2.0, 5.0], [9.0, 0.0]])
  valid = np.array([True, True, True, False])
  want = np.array([[0.0, 0.25], [0.75, 0.25], [0.75, 1.0], [0.0, 0.0]])
  np.testing.assert_allclose(ref.percentile_ranks_np(r, valid), want)
  np.testing.assert_allclose(ref.percentile_ranks_np(r[:1]), [[0.5, 0.5]])


def test_percentile_ranks_infinite_return_with_invalid_rows():
  """Regression: invalid rows are masked with +inf inside ``percentile_ranks``;
  a valid +inf return must not count them as ties (it gave 1.5 here)."""
  r = np.array([[np.inf], [0.0], [7.0]], np.float32)
  valid = np.array([True, True, False])
  np.testing.assert_allclose(ref.percentile_ranks_np(r, valid), [[1.0], [0.0], [0.0]])
  np.testing.assert_allclose(np.asarray(jit(core.percentile_ranks)(r, valid)),
                             [[1.0], [0.0], [0.0]])


TOPM_SHAPES = [(1, 1), (3, 5), (6, 7)]


@st.composite
def top_m_cases(draw):
  n, k = draw(st.sampled_from(TOPM_SHAPES))
  m = draw(st.sampled_from(sorted({1, 2, k} & set(range(1, k + 1)))))  # few compiles
  floats = st.floats(-2, 2, width=32, allow_subnormal=False)
  scores = np.round(draw(hnp.arrays(np.float32, (n, k), elements=floats)),
                    draw(st.sampled_from([0, 1, 4])))
  tie = draw(st.none() | hnp.arrays(np.float32, (n, k), elements=floats))
  if tie is not None:
    tie = np.round(tie, draw(st.sampled_from([0, 3])))
  return scores, m, tie


@HYP
@given(top_m_cases())
def test_top_m_agrees(case):
  scores, m, tie = case
  got = np.asarray(jit(core.top_m, 1)(scores, m, tie))
  np.testing.assert_array_equal(got, ref.top_m_np(scores, m, tie))


def test_top_m_hand_computed():
  scores = np.array([[1.0, 3.0, 3.0, 0.0, 3.0]])
  tie = np.array([[0.0, 1.0, 2.0, 9.0, 1.0]])
  np.testing.assert_array_equal(ref.top_m_np(scores, 4, tie), [[2, 1, 4, 0]])
  np.testing.assert_array_equal(ref.top_m_np(scores, 3), [[1, 2, 4]])


@pytest.mark.parametrize("normalize", [True, False])
@pytest.mark.parametrize("temperature", [1.0, 0.3])
def test_hipi_log_posterior_agrees(normalize, temperature):
  logits = np.random.default_rng(3).normal(0, 4, (9, K)).astype(np.float32)
  got = jit(core.hipi_log_posterior, 1)(logits, normalize, temperature)
  want = ref.hipi_log_posterior_np(logits, normalize, temperature)
  np.testing.assert_allclose(np.asarray(got), want, rtol=1e-5, atol=1e-5)
  np.testing.assert_allclose(np.exp(want).sum(1), 1.0, atol=1e-12)


def test_discounted_returns_and_feature_sums_agree():
  rng = np.random.default_rng(0)
  eps = random_episodes(rng, LINEAR, 12)
  r = rng.normal(size=(12, T)).astype(np.float32)
  np.testing.assert_allclose(np.asarray(jit(core.discounted_returns, 2)(r, eps.mask, GAMMA)),
                             ref.discounted_returns_np(r, eps.mask, GAMMA), rtol=1e-5, atol=1e-5)
  np.testing.assert_allclose(disc_sums(LINEAR, eps),
                             ref.discounted_feature_sums_np(eps.features, eps.mask, GAMMA),
                             rtol=1e-5, atol=1e-5)


# ---------------------------------------------------------- return matrices ---

PORTED = (REACHER, PointReacher(reward_type="sparse"), PointGoal(), PointTrajectory(), LINEAR)


def test_numpy_reward_ports_match_family_reward():
  rng = np.random.default_rng(1)
  feats = rng.uniform(-0.6, 0.6, (T, 4)).astype(np.float32)
  act = rng.uniform(-1, 1, (T, ACT)).astype(np.float32)
  tasks = [np.asarray(f.sample(jax.random.PRNGKey(2), 4)) for f in PORTED]

  @jax.jit
  def rewards(tasks):   # [T, 4] per family, one compile for all
    return [f.reward(feats[:, None, :f.feature_dim], act[:, None], z[None])
            for f, z in zip(PORTED, tasks)]

  for family, z_all, want in zip(PORTED, tasks, rewards(tasks)):
    fn = ref.numpy_reward_fn(family)
    for j, z in enumerate(z_all):
      np.testing.assert_allclose(fn(feats[:, :family.feature_dim], act, z),
                                 np.asarray(want)[:, j], rtol=1e-5, atol=1e-6,
                                 err_msg=family.name)


def test_returns_matrix_general_path_point_reacher():
  rng = np.random.default_rng(4)
  eps = random_episodes(rng, REACHER, 12)
  cands = np.asarray(REACHER.sample(jax.random.PRNGKey(5), K))
  got = jit(returns.returns_matrix, (0, 1))(REACHER, GAMMA, eps.features, eps.action, eps.mask,
                                      cands)
  want = ref.returns_matrix_np(ref.numpy_reward_fn(REACHER), GAMMA, eps.features,
                               eps.action, eps.mask, cands)
  np.testing.assert_allclose(np.asarray(got), want, rtol=1e-5, atol=1e-5)
  # The family's own jnp reward, called eagerly per pair (slow: a few episodes).
  sub = slice(0, 1)
  want_jnp = ref.returns_matrix_np(ref.jnp_reward_fn(REACHER), GAMMA, eps.features[sub],
                                   eps.action[sub], eps.mask[sub], cands)
  np.testing.assert_allclose(np.asarray(got)[sub], want_jnp, rtol=1e-5, atol=1e-5)


def test_returns_matrix_linear_paths_agree():
  """Stored discounted feature sums (one matrix product) = the per-step
  general path = the NumPy loops (per-step and per-dot-product)."""
  rng = np.random.default_rng(6)
  eps = random_episodes(rng, LINEAR, 12)
  cands = np.asarray(LINEAR.sample(jax.random.PRNGKey(7), K))
  rm = jit(returns.returns_matrix, (0, 1))
  linear = np.asarray(rm(LINEAR, GAMMA, eps.features, eps.action, eps.mask, cands,
                         disc_sums(LINEAR, eps)))
  general = np.asarray(rm(LINEAR, GAMMA, eps.features, eps.action, eps.mask, cands))
  loops = ref.returns_matrix_np(ref.numpy_reward_fn(LINEAR), GAMMA, eps.features, eps.action,
                                eps.mask, cands)
  dots = ref.returns_matrix_linear_np(
      ref.discounted_feature_sums_np(eps.features, eps.mask, GAMMA), cands)
  for a, b in [(linear, general), (linear, loops), (general, loops), (dots, loops)]:
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)


# ------------------------------------------------------ AIR and advantage ---

def _relabel_inputs(family, seed, duplicates=0):
  rng = np.random.default_rng(seed)
  batch_eps = random_episodes(rng, family, B)
  dup = jax.tree.map(lambda x: np.asarray(x)[:duplicates], batch_eps) if duplicates else None
  cache = make_cache(family, random_episodes(rng, family, M), duplicates=dup)
  return make_batch(family, batch_eps), cache


TIE_BREAKS = ("advantage", "return", "none")


@functools.lru_cache(maxsize=None)
def _jitted_air(family, relabelers):
  """scores, top_m and choose of several AIR configurations, in one compile."""
  def run(key, batch, cache):
    ctx = RelabelContext(family=family, gamma=GAMMA, fns={"value": fake_value}, cache=cache)
    out = []
    for relabeler in relabelers:
      cands, pct, tie = relabeler.scores(key, batch, ctx)
      out.append((cands, pct, tie, core.top_m(pct, relabeler.m, tie)))
    chosen, _ = relabelers[0].choose(key, batch, ctx)    # = cands[idx] of the first
    return out, chosen
  return jax.jit(run)


@pytest.mark.parametrize("family_name", sorted(FAMILIES))
def test_air_choose_agrees(family_name):
  """All tie-breaks against a cache with unfilled slots and copies of two
  batch episodes (exact return ties); and the batch alone (``cache_size=0``)
  with a precomputed V matrix."""
  family = FAMILIES[family_name]
  batch, cache = _relabel_inputs(family, seed=10, duplicates=2)
  relabelers = tuple(AIR(num_candidates=K, m=2, cache_size=M, tie_break=tb)
                     for tb in TIE_BREAKS) + (AIR(num_candidates=K, m=3, cache_size=0),)
  key = jax.random.PRNGKey(11)
  outs, chosen = _jitted_air(family, relabelers)(key, batch, cache)
  for relabeler, (cands, pct, tie, idx) in zip(relabelers, outs):
    tie_break, m = relabeler.tie_break, relabeler.m
    used_cache = cache if relabeler.cache_size else None
    msg = f"tie_break={tie_break}, cache_size={relabeler.cache_size}"
    # Same key, same candidates (up to float rounding: jit may fuse the
    # prior's normalisation differently from eager execution).
    np.testing.assert_allclose(cands, returns.candidate_tasks(key, family, batch.task, K), atol=1e-6)
    pct_np, tie_np = ref.air_scores_np(family, GAMMA, batch, cands, tie_break=tie_break,
                                       cache=used_cache, value_fn=fake_value)
    np.testing.assert_allclose(np.asarray(pct), pct_np, atol=1e-6, err_msg=msg)
    if tie_break != "none":
      np.testing.assert_allclose(np.asarray(tie), tie_np, rtol=1e-5, atol=1e-5, err_msg=msg)
    if relabeler.cache_size:
      idx_np = ref.air_choose_np(family, GAMMA, batch, cands, m, tie_break=tie_break,
                                 cache=used_cache, value_fn=fake_value)
    else:
      values = ref.values_matrix_np(fake_value, batch.first_obs, cands)
      np.testing.assert_allclose(
          values, np.asarray(returns.values_matrix(fake_value, batch.first_obs, cands)), rtol=1e-6)
      idx_np = ref.air_choose_np(family, GAMMA, batch, cands, m, values=values)
    np.testing.assert_array_equal(np.asarray(idx), idx_np, err_msg=msg)
  np.testing.assert_array_equal(np.asarray(chosen),
                                np.asarray(outs[0][0])[np.asarray(outs[0][3])])


@functools.lru_cache(maxsize=None)
def _jitted_advantage(family, relabeler):
  def run(key, batch):
    ctx = RelabelContext(family=family, gamma=GAMMA, fns={"value": fake_value})
    cands, adv = relabeler.scores(key, batch, ctx)
    chosen, _ = relabeler.choose(key, batch, ctx)
    return cands, adv, core.top_m(adv, relabeler.m), chosen
  return jax.jit(run)


@pytest.mark.parametrize("family_name", sorted(FAMILIES))
def test_advantage_choose_agrees(family_name):
  family = FAMILIES[family_name]
  rng = np.random.default_rng(14)
  batch = make_batch(family, random_episodes(rng, family, 12))
  relabeler = AdvantageRelabel(num_candidates=K, m=3)
  key = jax.random.PRNGKey(15)
  cands, adv, idx, chosen = _jitted_advantage(family, relabeler)(key, batch)
  # Same key, same candidates (up to float rounding: jit may fuse the prior's
  # normalisation differently from eager execution).
  np.testing.assert_allclose(cands, returns.candidate_tasks(key, family, batch.task, K), atol=1e-6)
  adv_np = ref.advantage_scores_np(family, GAMMA, batch, cands, value_fn=fake_value)
  np.testing.assert_allclose(np.asarray(adv), adv_np, rtol=1e-5, atol=1e-5)
  idx_np = ref.advantage_choose_np(family, GAMMA, batch, cands, 3, value_fn=fake_value)
  np.testing.assert_array_equal(np.asarray(idx), idx_np)
  np.testing.assert_array_equal(np.asarray(chosen), np.asarray(cands)[idx_np])


# --------------------------------------------------------------------- HIPI ---

HIPI_CONFIGS = (HIPI(candidates="batch", level="transition", temperature=0.7),
                HIPI(candidates="prior", num_candidates=K, level="transition"),
                HIPI(candidates="prior", num_candidates=K, level="transition", critic="min"),
                HIPI(candidates="prior", num_candidates=K, level="trajectory",
                     temperature=0.7, normalize_columns=False))


@functools.lru_cache(maxsize=None)
def _jitted_hipi_logits(family):
  def run(key, batch):
    ctx = RelabelContext(family=family, gamma=GAMMA, fns=fake_hipi_fns(jnp))
    out = []
    for relabeler in HIPI_CONFIGS:
      cands = relabeler.candidate_sets(key, batch, family)[0]
      logits = relabeler.logits(key, batch, ctx, cands)
      out.append((cands, logits, core.hipi_log_posterior(
          logits, relabeler.normalize_columns, relabeler.temperature)))
    return out
  return jax.jit(run)


@pytest.mark.parametrize("family_name", sorted(FAMILIES))
def test_hipi_logits_agree(family_name):
  """Transition level (batch and prior candidates) and trajectory level."""
  family = FAMILIES[family_name]
  rng = np.random.default_rng(16)
  batch = transition_batch(rng, family, random_episodes(rng, family, 10))
  outs = _jitted_hipi_logits(family)(jax.random.PRNGKey(18), batch)
  for relabeler, (cands, logits, post) in zip(HIPI_CONFIGS, outs):
    msg = f"{relabeler.level}, {relabeler.candidates}"
    msg += f", critic {relabeler.critic}"
    want = ref.hipi_logits_np(family, GAMMA, batch, np.asarray(cands), level=relabeler.level,
                              fns=fake_hipi_fns(np), critic=relabeler.critic)
    np.testing.assert_allclose(np.asarray(logits), want, rtol=1e-5, atol=1e-5, err_msg=msg)
    want_post = ref.hipi_log_posterior_np(want, relabeler.normalize_columns,
                                          relabeler.temperature)
    np.testing.assert_allclose(np.asarray(post), want_post, rtol=1e-4, atol=1e-4, err_msg=msg)


def random_sac_state(rng, hidden, obs_size, task_dim):
  """A ``sac.SACState`` with random parameters in flax's layout, built in
  NumPy (``sac.init`` compiles random initialisers: seconds on a busy CPU)."""
  from hindsight import schema
  spec = replay.EpisodeSpec(obs_size=obs_size, action_size=ACT, feature_dim=1,
                            task_dim=task_dim, horizon=T)
  hp = sac.SACHyper.from_config(spec, schema.learner_config(schema.get_config()))
  hp = dataclasses.replace(hp, hidden_sizes=tuple(hidden))

  def mlp(n_in, n_out):
    sizes = [n_in, *hidden, n_out]
    return {f"Dense_{i}": {"kernel": rng.normal(0, 1 / np.sqrt(a), (a, b)).astype(np.float32),
                           "bias": rng.normal(0, 0.1, (b,)).astype(np.float32)}
            for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:]))}

  critic_in = obs_size + task_dim + ACT
  actor = {"params": {"MLP_0": mlp(obs_size + task_dim, 2 * ACT)}}
  critic = {"params": {"q1": mlp(critic_in, 1), "q2": mlp(critic_in, 1)}}
  return sac.SACState(actor_params=actor, critic_params=critic, target_critic_params=critic,
                      log_alpha=np.zeros((), np.float32), actor_opt=None, critic_opt=None,
                      alpha_opt=None, step=np.zeros((), np.int32), hp=hp)


def test_sac_numpy_port_matches_relabel_fns():
  rng = np.random.default_rng(19)
  state = random_sac_state(rng, (32, 32), obs_size=5, task_dim=6)
  fns_np = ref.sac_fns_np(state)
  obs = rng.normal(size=(8, 5)).astype(np.float32)
  task = np.asarray(REACHER.sample(jax.random.PRNGKey(1), 8))
  act = rng.uniform(-0.9, 0.9, (8, ACT)).astype(np.float32)
  args = {"q": (obs, act, task), "q_first": (obs, act, task), "log_prob": (obs, act, task),
          "mean_action": (obs, task), "value": (obs, task)}
  got = jax.jit(lambda st: {k: sac.relabel_fns(st)[k](*a) for k, a in args.items()})(state)
  for name, a in args.items():
    np.testing.assert_allclose(np.asarray(got[name]), fns_np[name](*a),
                               rtol=1e-4, atol=1e-4, err_msg=name)
  sample = fns_np["sample_action"](np.random.default_rng(0), obs, task)
  assert sample.shape == (8, ACT) and np.all(np.abs(sample) <= 1)


# ---------------------------------------------------------------------- HER ---

def test_her_agrees():
  family = PointGoal(horizon=T)
  rng = np.random.default_rng(20)
  batch = transition_batch(rng, family, random_episodes(rng, family, 16))
  key = jax.random.PRNGKey(22)
  ctx = RelabelContext(family=family, gamma=GAMMA)
  strategies = ("future", "final", "episode")
  hers = [HER(strategy=s) for s in strategies]
  outs = jax.jit(lambda k, b: [(h.goal_steps(k, b), h(k, b, ctx)) for h in hers])(key, batch)
  u = np.asarray(jax.random.uniform(key, (16,)))
  for strategy, (steps, tasks) in zip(strategies, outs):
    np.testing.assert_array_equal(np.asarray(steps),
                                  ref.her_goal_steps_np(strategy, batch.t, batch.ep_mask, u),
                                  err_msg=strategy)
    np.testing.assert_array_equal(np.asarray(tasks),
                                  ref.her_relabel_np(family, batch, u, strategy), err_msg=strategy)
  future_steps = np.asarray(outs[0][0])
  assert np.all(future_steps >= batch.t) and np.any(future_steps > batch.t)
