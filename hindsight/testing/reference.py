"""Plain NumPy references for the relabeling math: test oracles and benchmark baselines.

Everything here loops in Python over episodes, candidates and transitions the
way the papers' original PyTorch/TF code does, with NumPy only *within* one
(episode, candidate) pair (over the time axis) or one row. Nothing is jitted
and nothing is vectorised across episodes or candidates: these functions are
meant to be obviously correct, not fast. ``tests/relabel/test_reference_agreement.py``
checks the jitted relabelers against them, and ``benchmarks/relabel.py`` times
both on the same inputs.

Conventions shared with the jitted code (ARCHITECTURE 3.4):

* ``reward_fn(features f[T, F] or f[F], action f[T, A] or f[A], task f[D]) -> f[T] or f[]``
  (a family's ``reward`` broadcasts like this; ``numpy_reward_fn(family)``
  returns a NumPy port of it for the point and linear families).
* value-like functions take 2-D row batches: ``value_fn(obs f[R, O], task f[R, D]) -> f[R]``,
  ``q(obs, action, task) -> f[R]``, ``log_prob(obs, action, task) -> f[R]``,
  ``sample_action(rng, obs, task) -> f[R, A]``; the loops here call them with
  R = 1 (one pair at a time). ``sac_fns_np(state)`` ports ``sac.relabel_fns``.
* Episode containers are anything with the attributes of
  ``replay.EpisodeBatch`` (``ep_features``, ``ep_action``, ``ep_mask``,
  ``first_obs``, ``task``, ``extras``) or ``relabel.cache.EpisodeCache``
  (``features``, ``action``, ``mask``, ``first_obs``, ``valid``,
  ``disc_feature_sum``); their arrays are converted with ``np.asarray``.

Results are float64 (inputs are promoted), so agreement with the float32
jitted code is up to float32 rounding.
"""

from __future__ import annotations

import math
from typing import Callable, Dict

import numpy as np

from hindsight.relabel.returns import DISC_SUM


def _f64(x):
  return np.asarray(x, dtype=np.float64)


# ------------------------------------------------------------- core math ---

def discounted_returns_np(rewards, mask, gamma: float) -> np.ndarray:
  """Σ_t γ^t · mask[n, t] · rewards[n, t], one episode at a time  →  f64[N]."""
  rewards, mask = _f64(rewards), _f64(mask)
  if rewards.ndim != 2 or rewards.shape != mask.shape:
    raise ValueError(f"rewards and mask must be [N, T], got {rewards.shape}, {mask.shape}")
  n, t = rewards.shape
  disc = float(gamma) ** np.arange(t, dtype=np.float64)
  out = np.zeros(n)
  for i in range(n):
    out[i] = np.sum(disc * mask[i] * rewards[i])
  return out


def discounted_feature_sums_np(features, mask, gamma: float) -> np.ndarray:
  """Σ_t γ^t · mask[n, t] · φ[n, t], one episode at a time  →  f64[N, F]."""
  features, mask = _f64(features), _f64(mask)
  n, t, f = features.shape
  disc = float(gamma) ** np.arange(t, dtype=np.float64)
  out = np.zeros((n, f))
  for i in range(n):
    out[i] = np.sum((disc * mask[i])[:, None] * features[i], axis=0)
  return out


def percentile_ranks_np(returns, valid=None) -> np.ndarray:
  """Mid-rank percentile of each entry within its column, entry by entry.

  (#{j : R[j,k] < R[i,k]} + ½ #{j ≠ i : R[j,k] = R[i,k]}) / (N − 1), with
  only ``valid`` rows counted (N = their number); 0.5 when N = 1; invalid
  rows get 0.
  """
  r = _f64(returns)
  if r.ndim != 2:
    raise ValueError(f"returns must be [N, K], got {r.shape}")
  n, k = r.shape
  valid = np.ones(n, bool) if valid is None else np.asarray(valid, bool)
  rows = np.flatnonzero(valid)
  n_valid = len(rows)
  out = np.zeros((n, k))
  for c in range(k):
    col = r[rows, c]
    for i in rows:
      if n_valid == 1:
        out[i, c] = 0.5
        continue
      less = np.sum(col < r[i, c])
      equal_others = np.sum(col == r[i, c]) - 1
      out[i, c] = (less + 0.5 * equal_others) / (n_valid - 1)
  return out


def top_m_np(scores, m: int, tie_break=None) -> np.ndarray:
  """Indices i64[N, m] of the m largest scores per row, descending; equal
  scores ordered by larger ``tie_break``, then by lower index."""
  s = _f64(scores)
  if s.ndim != 2:
    raise ValueError(f"scores must be [N, K], got {s.shape}")
  n, k = s.shape
  if not 1 <= m <= k:
    raise ValueError(f"top_m needs 1 <= m <= K = {k}, got m = {m}")
  tb = np.zeros_like(s) if tie_break is None else _f64(tie_break)
  out = np.zeros((n, m), np.int64)
  for i in range(n):
    order = sorted(range(k), key=lambda j: (-s[i, j], -tb[i, j], j))
    out[i] = order[:m]
  return out


def _logsumexp(x):
  mx = np.max(x)
  if not np.isfinite(mx):
    return mx
  return mx + math.log(np.sum(np.exp(x - mx)))


def hipi_log_posterior_np(logits, normalize_columns: bool = True,
                          temperature: float = 1.0) -> np.ndarray:
  """L = logits / temperature; optionally L[:, k] −= logsumexp_i L[i, k]
  (column by column); then a log-softmax over each row (row by row)."""
  lg = _f64(logits) / float(temperature)
  b, k = lg.shape
  if normalize_columns:
    for c in range(k):
      lg[:, c] = lg[:, c] - _logsumexp(lg[:, c])
  out = np.empty_like(lg)
  for i in range(b):
    out[i] = lg[i] - _logsumexp(lg[i])
  return out


# ------------------------------------------------------------------ rewards ---

def numpy_reward_fn(family) -> Callable:
  """A NumPy port of ``family.reward`` for one (episode, task) pair
  (features [T, F] or [F], a task [D]); families without a port fall back to
  the family's jnp reward converted with ``np.asarray`` (slow, eager JAX)."""
  from hindsight.tasks.linear import LinearFamily
  from hindsight.tasks.point_goal import PointGoal
  from hindsight.tasks.point_reacher import PointReacher
  from hindsight.tasks.point_trajectory import PointTrajectory

  def norm(x):
    return np.sqrt(np.sum(np.square(x), axis=-1))

  def polar(angle, radius):
    return np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=-1)

  if isinstance(family, PointReacher):
    def reacher(features, action, task):
      del action
      f, z = _f64(features), _f64(task)
      theta = 2 * np.pi * z[..., 0]
      phi = np.arccos(np.clip(2 * z[..., 1] - 1, -1.0, 1.0))
      w = (np.cos(theta) * np.sin(phi), np.sin(theta) * np.sin(phi), np.cos(phi))
      pos = f[..., :2]
      d_goal = norm(pos - polar(z[..., 2], z[..., 3]))
      d_obs = norm(pos - polar(z[..., 4], z[..., 5]))
      if family.reward_type == "dense":
        reach = 0.2 - d_goal
      else:
        reach = family.sparse_scale * np.exp(-np.square(d_goal) / 0.08**2)
      return w[0] * reach + w[1] * (-f[..., 2]) + w[2] * np.log10(d_obs + 0.01) / 5.0
    return reacher

  if isinstance(family, PointGoal):
    def goal(features, action, task):
      del action
      f, z = _f64(features), _f64(task)
      return (norm(f[..., :2] - z[..., :2]) < family.epsilon).astype(np.float64) - 1.0
    return goal

  if isinstance(family, PointTrajectory):
    def trajectory(features, action, task):
      del action
      f, z = _f64(features), _f64(task)
      angle, d, amp = z[..., 0], z[..., 1], z[..., 2]
      x, y = f[..., 0], f[..., 1]
      c, s = np.cos(angle), np.sin(angle)
      xr, yr = c * x + s * y, -s * x + c * y
      dev = yr - amp * np.sin(np.pi * xr / d)
      pdf = np.exp(-0.5 * np.square(dev / family.sigma)) / (family.sigma * math.sqrt(2 * math.pi))
      return np.where(xr >= 0, (xr / d) * pdf, 0.0)
    return trajectory

  if isinstance(family, LinearFamily):
    def linear(features, action, task):
      del action
      w = _f64(family.weights(np.asarray(task, np.float32)))
      return _f64(features) @ w
    return linear

  return jnp_reward_fn(family)


def jnp_reward_fn(family) -> Callable:
  """The family's own (jnp) reward, called eagerly and converted to NumPy."""
  return lambda features, action, task: _f64(family.reward(features, action, task))


# ---------------------------------------------------------- return matrices ---

def returns_matrix_np(reward_fn, gamma: float, features, action, mask, candidates
                      ) -> np.ndarray:
  """R[n, k]: discounted return of episode n under candidate k, f64[N, K];
  one ``reward_fn`` call per (episode, candidate) pair over the episode's steps."""
  features, action, mask = np.asarray(features), np.asarray(action), _f64(mask)
  candidates = np.asarray(candidates)
  n, t = mask.shape
  k = candidates.shape[0]
  disc = float(gamma) ** np.arange(t, dtype=np.float64)
  out = np.zeros((n, k))
  for i in range(n):
    w = disc * mask[i]
    for c in range(k):
      out[i, c] = np.sum(w * _f64(reward_fn(features[i], action[i], candidates[c])))
  return out


def returns_matrix_linear_np(disc_sum, weights) -> np.ndarray:
  """R[n, k] = w(z_k) · Σ_t γ^t φ_nt, one dot product per pair (linear families)."""
  disc_sum, weights = _f64(disc_sum), _f64(weights)
  n, k = disc_sum.shape[0], weights.shape[0]
  out = np.zeros((n, k))
  for i in range(n):
    for c in range(k):
      out[i, c] = np.dot(disc_sum[i], weights[c])
  return out


def values_matrix_np(value_fn, first_obs, candidates) -> np.ndarray:
  """V(s0_n, z_k), one ``value_fn`` call per pair, f64[N, K]."""
  first_obs, candidates = np.asarray(first_obs), np.asarray(candidates)
  n, k = first_obs.shape[0], candidates.shape[0]
  out = np.zeros((n, k))
  for i in range(n):
    for c in range(k):
      out[i, c] = np.asarray(value_fn(first_obs[i][None], candidates[c][None])).reshape(())
  return out


def _episode_returns(family, reward_fn, gamma, features, action, mask, disc_sum,
                     candidates):
  """The library's dispatch: the dot-product path for linear families with
  stored discounted feature sums, else the per-step general path."""
  if family is not None and getattr(family, "is_linear", False) and disc_sum is not None:
    weights = np.asarray(family.weights(np.asarray(candidates, np.float32)))
    return returns_matrix_linear_np(disc_sum, weights)
  if reward_fn is None:
    reward_fn = numpy_reward_fn(family)
  return returns_matrix_np(reward_fn, gamma, features, action, mask, candidates)


def batch_returns_np(family, gamma, batch, candidates, reward_fn=None):
  extras = getattr(batch, "extras", None) or {}
  return _episode_returns(family, reward_fn, gamma, batch.ep_features, batch.ep_action,
                          batch.ep_mask, extras.get(DISC_SUM), candidates)


def cache_returns_np(family, gamma, cache, candidates, reward_fn=None):
  return _episode_returns(family, reward_fn, gamma, cache.features, cache.action,
                          cache.mask, getattr(cache, "disc_feature_sum", None), candidates)


# ----------------------------------------------------- AIR and advantage ---

def _batch_values(batch, candidates, value_fn, values):
  if values is not None:
    return _f64(values)
  if value_fn is None:
    raise ValueError("needs a value function (value_fn) or a precomputed V matrix (values)")
  return values_matrix_np(value_fn, batch.first_obs, candidates)


def air_scores_np(family, gamma, batch, candidates, *, tie_break="advantage", cache=None,
                  value_fn=None, values=None, reward_fn=None):
  """(percentiles f64[B, K], tie_break f64[B, K] or None) as ``AIR.scores``:
  returns of the batch episodes (and of the cache, when given) under each
  candidate, mid-rank percentiles over all valid episodes, the batch rows kept."""
  r_batch = batch_returns_np(family, gamma, batch, candidates, reward_fn)
  b = r_batch.shape[0]
  if cache is not None:
    r_cache = cache_returns_np(family, gamma, cache, candidates, reward_fn)
    r_all = np.concatenate([r_batch, r_cache])
    valid = np.concatenate([np.ones(b, bool), np.asarray(cache.valid, bool)])
  else:
    r_all, valid = r_batch, None
  pct = percentile_ranks_np(r_all, valid)[:b]
  if tie_break == "advantage":
    tie = r_batch - _batch_values(batch, candidates, value_fn, values)
  elif tie_break == "return":
    tie = r_batch
  elif tie_break == "none":
    tie = None
  else:
    raise ValueError(f"unknown tie_break {tie_break!r}")
  return pct, tie


def air_choose_np(family, gamma, batch, candidates, m: int = 1, *, tie_break="advantage",
                  cache=None, value_fn=None, values=None, reward_fn=None) -> np.ndarray:
  """Indices [B, m] of the candidates AIR keeps for each batch episode.
  ``cache=None`` ranks the batch against itself (``cache_size=0``)."""
  pct, tie = air_scores_np(family, gamma, batch, candidates, tie_break=tie_break,
                           cache=cache, value_fn=value_fn, values=values,
                           reward_fn=reward_fn)
  return top_m_np(pct, m, tie)


def advantage_scores_np(family, gamma, batch, candidates, *, value_fn=None, values=None,
                        reward_fn=None) -> np.ndarray:
  """R[n, k] − V(s0_n, z_k), f64[B, K], as ``AdvantageRelabel.scores``."""
  r = batch_returns_np(family, gamma, batch, candidates, reward_fn)
  return r - _batch_values(batch, candidates, value_fn, values)


def advantage_choose_np(family, gamma, batch, candidates, m: int = 1, *, value_fn=None,
                        values=None, reward_fn=None) -> np.ndarray:
  """Indices [B, m] of the candidates advantage relabeling keeps per episode."""
  adv = advantage_scores_np(family, gamma, batch, candidates, value_fn=value_fn,
                            values=values, reward_fn=reward_fn)
  return top_m_np(adv, m)


# --------------------------------------------------------------------- HIPI ---

def hipi_transition_logits_np(reward_fn, gamma, obs, action, next_obs, features, terminal,
                              candidates, fns: Dict[str, Callable], rng=None,
                              critic: str = "first") -> np.ndarray:
  """logits[i, j] = r(φ_i, a_i, z_j) − log π(a_i | s_i, z_j)
                    + γ (1 − d_i) Q(s'_i, a'_ij, z_j),  a'_ij ~ π(· | s'_i, z_j),
  one (transition, candidate) pair at a time; Q is ``fns['q_first']`` for
  ``critic='first'``, ``fns['q']`` (min of the twins) for ``'min'``. ``rng``
  is handed to ``fns['sample_action']`` as its key."""
  obs, action, next_obs = np.asarray(obs), np.asarray(action), np.asarray(next_obs)
  features, terminal, candidates = np.asarray(features), _f64(terminal), np.asarray(candidates)
  q = fns["q_first"] if critic == "first" else fns["q"]
  log_prob, sample_action = fns["log_prob"], fns["sample_action"]
  b, k = obs.shape[0], candidates.shape[0]
  out = np.zeros((b, k))
  for i in range(b):
    for j in range(k):
      z = candidates[j][None]
      r = float(np.asarray(reward_fn(features[i], action[i], candidates[j])))
      logp = float(np.asarray(log_prob(obs[i][None], action[i][None], z)).reshape(()))
      a_next = sample_action(rng, next_obs[i][None], z)
      q_next = float(np.asarray(q(next_obs[i][None], a_next, z)).reshape(()))
      out[i, j] = r - logp + gamma * (1.0 - terminal[i]) * q_next
  return out


def hipi_trajectory_logits_np(reward_fn, gamma, ep_features, ep_action, ep_mask,
                              candidates) -> np.ndarray:
  """logits[n, j] = Σ_t γ^t r(φ_nt, a_nt, z_j) (HIPI-BC): the returns matrix."""
  return returns_matrix_np(reward_fn, gamma, ep_features, ep_action, ep_mask, candidates)


def hipi_logits_np(family, gamma, batch, candidates, *, level="transition", fns=None,
                   rng=None, reward_fn=None, critic="first") -> np.ndarray:
  """``HIPI.logits`` on an ``EpisodeBatch``-like object, pair by pair."""
  reward_fn = reward_fn or numpy_reward_fn(family)
  if level == "trajectory":
    return hipi_trajectory_logits_np(reward_fn, gamma, batch.ep_features, batch.ep_action,
                                     batch.ep_mask, candidates)
  if level != "transition":
    raise ValueError(f"unknown hipi level {level!r}")
  return hipi_transition_logits_np(reward_fn, gamma, batch.obs, batch.action,
                                   batch.next_obs, batch.features, batch.terminal,
                                   candidates, fns, rng, critic)


# ---------------------------------------------------------------------- HER ---

def her_goal_steps_np(strategy: str, t, ep_mask, u) -> np.ndarray:
  """The step t′ each transition takes its achieved goal from, one transition
  at a time, given the uniforms ``u`` f32[B] the jitted HER draws
  (``jax.random.uniform(key, (B,))``); float32 arithmetic as there."""
  t, ep_mask, u = np.asarray(t), np.asarray(ep_mask), np.asarray(u, np.float32)
  out = np.zeros(t.shape[0], np.int64)
  for i in range(t.shape[0]):
    length = max(int(np.sum(ep_mask[i] > 0)), 1)
    if strategy == "final":
      out[i] = length - 1
    elif strategy == "future":
      lo = min(int(t[i]), length - 1)
      out[i] = min(lo + int(np.float32(u[i]) * np.float32(length - lo)), length - 1)
    elif strategy == "episode":
      out[i] = min(int(np.float32(u[i]) * np.float32(length)), length - 1)
    else:
      raise ValueError(f"her_goal_steps_np has no strategy {strategy!r}")
  return out


def her_relabel_np(family, batch, u, strategy: str = "future") -> np.ndarray:
  """New tasks f32[B, D]: the goal achieved at step t′ of the same episode,
  one transition at a time (NumPy for ``PointGoal``; other goal families
  through their own ``achieved_goal`` / ``with_goal``)."""
  from hindsight.tasks.point_goal import PointGoal
  if isinstance(family, PointGoal):
    achieved_goal = lambda f: f[..., :2]
    with_goal = lambda task, goal: goal
  else:
    achieved_goal = lambda f: np.asarray(family.achieved_goal(f))
    with_goal = lambda task, goal: np.asarray(family.with_goal(task, goal))
  steps = her_goal_steps_np(strategy, batch.t, batch.ep_mask, u)
  ep_features, task = np.asarray(batch.ep_features), np.asarray(batch.task)
  out = np.zeros(task.shape, np.float32)
  for i in range(task.shape[0]):
    out[i] = with_goal(task[i], achieved_goal(ep_features[i, steps[i]]))
  return out


# ------------------------------------------------- SAC networks in NumPy ---

def _dense_stack(params):
  """[(kernel, bias), ...] of a flax ``MLP`` params dict, in layer order."""
  layers = sorted(params, key=lambda name: int(name.split("_")[-1]))
  return [(_f64(params[l]["kernel"]), _f64(params[l]["bias"])) for l in layers]


def _mlp(layers, x):
  for w, b in layers[:-1]:
    x = np.maximum(x @ w + b, 0.0)
  w, b = layers[-1]
  return x @ w + b


def sac_fns_np(state) -> Dict[str, Callable]:
  """NumPy ports of ``hindsight.learners.sac.relabel_fns(state)``: ``q``,
  ``sample_action`` (key: a ``np.random.Generator`` or None), ``mean_action``,
  ``log_prob``, ``value``; float64."""
  hp = state.hp
  actor = _dense_stack(state.actor_params["params"]["MLP_0"])
  q1 = _dense_stack(state.critic_params["params"]["q1"])
  q2 = _dense_stack(state.critic_params["params"]["q2"])
  lo, hi = hp.log_std_min, hp.log_std_max

  def policy(obs, task):
    out = _mlp(actor, np.concatenate([_f64(obs), _f64(task)], axis=-1))
    mean, raw = np.split(out, 2, axis=-1)
    return mean, lo + 0.5 * (hi - lo) * (np.tanh(raw) + 1.0)

  def q(obs, action, task):
    x = np.concatenate([_f64(obs), _f64(task), _f64(action)], axis=-1)
    return np.minimum(_mlp(q1, x)[..., 0], _mlp(q2, x)[..., 0])

  def q_first(obs, action, task):
    x = np.concatenate([_f64(obs), _f64(task), _f64(action)], axis=-1)
    return _mlp(q1, x)[..., 0]

  def mean_action(obs, task):
    return np.tanh(policy(obs, task)[0])

  def sample_action(rng, obs, task):
    mean, log_std = policy(obs, task)
    rng = rng if rng is not None else np.random.default_rng(0)
    return np.tanh(mean + np.exp(log_std) * rng.standard_normal(mean.shape))

  def log_prob(obs, action, task):
    mean, log_std = policy(obs, task)
    eps = 1e-6
    u = np.arctanh(np.clip(_f64(action), -1 + eps, 1 - eps))
    z = (u - mean) / np.exp(log_std)
    log_normal = -0.5 * np.square(z) - log_std - 0.5 * math.log(2 * math.pi)
    log_det = 2.0 * (math.log(2.0) - u - np.logaddexp(0.0, -2.0 * u))
    return np.sum(log_normal - log_det, axis=-1)

  def value(obs, task):
    return q(obs, mean_action(obs, task), task)

  return {"q": q, "q_first": q_first, "sample_action": sample_action,
          "mean_action": mean_action, "log_prob": log_prob, "value": value}


__all__ = [
    "advantage_choose_np", "advantage_scores_np", "air_choose_np", "air_scores_np",
    "batch_returns_np", "cache_returns_np", "discounted_feature_sums_np",
    "discounted_returns_np", "her_goal_steps_np", "her_relabel_np", "hipi_log_posterior_np",
    "hipi_logits_np", "hipi_trajectory_logits_np", "hipi_transition_logits_np",
    "jnp_reward_fn", "numpy_reward_fn", "percentile_ranks_np", "returns_matrix_linear_np",
    "returns_matrix_np", "sac_fns_np", "top_m_np", "values_matrix_np",
]
