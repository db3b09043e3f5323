"""Proportional prioritized replay (Schaul et al. 2016), pure functions.

A priority p_i = |δ_i| + ε per stored transition (``PriorityState.priority``
f32[C, T], beside the episode buffer's [C, T] steps). Transition i is sampled
with probability P(i) = p_i^α / Σ_k p_k^α over the buffer's valid transitions
(Schaul et al. 2016, eq. 1) and its loss weighted by the importance weight
w_i = (N · P(i))^−β / max_j w_j (Sec. 3.4; N valid transitions, the max over
the buffer), with β annealed linearly from β0 to 1. New transitions enter at
the largest priority seen so far, so each is replayed at least once soon
(Alg. 1, line 6). After a learner update the sampled transitions' priorities
become |δ| + ε of that update: with relabeling, δ is the TD error of the
relabeled transition (the task the learner was just trained on).

Sampling is a cumulative sum over all C·T slots and a binary search
(``jnp.searchsorted``): O(C·T) per batch, no sum tree, which at these buffer
sizes is a fraction of a learner update (benchmarks/). α = 0 is uniform
sampling over valid transitions.
"""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
from flax import struct

from hindsight.replay import buffer as buffer_lib


@dataclasses.dataclass(frozen=True)
class PrioritizedConfig:
  """Static settings (``config.train.prioritized_*``)."""
  alpha: float = 0.6          # priority exponent (Schaul et al. 2016, Sec. 4, proportional)
  beta: float = 0.4           # importance-weight exponent at the first update (ibid.)
  beta_updates: int = 1       # updates over which β reaches 1
  eps: float = 1e-6           # p = |δ| + ε

  def __post_init__(self):
    if not 0.0 <= self.alpha <= 1.0:
      raise ValueError(f"prioritized replay alpha must be in [0, 1], got {self.alpha}")
    if not 0.0 <= self.beta <= 1.0:
      raise ValueError(f"prioritized replay beta must be in [0, 1], got {self.beta}")
    if self.beta_updates < 1:
      raise ValueError(f"prioritized replay beta_updates must be >= 1, got {self.beta_updates}")
    if not self.eps > 0:
      raise ValueError(f"prioritized replay eps must be > 0, got {self.eps}")


@struct.dataclass
class PriorityState:
  priority: jax.Array      # f32[C, T] p = |δ| + ε (α is applied when sampling)
  max_priority: jax.Array  # f32[]     priority given to newly added transitions
  num_updates: jax.Array   # i32[]     priority updates so far (anneals β)


def init(capacity: int, horizon: int) -> PriorityState:
  return PriorityState(priority=jnp.zeros((capacity, horizon), jnp.float32),
                       max_priority=jnp.ones((), jnp.float32),
                       num_updates=jnp.zeros((), jnp.int32))


def on_add(state: PriorityState, insert_pos: jax.Array, n: int) -> PriorityState:
  """The ``n`` episodes written at ``insert_pos`` (the buffer's pointer before
  ``buffer.add``) get the largest priority so far at every step."""
  cap = state.priority.shape[0]
  idx = (insert_pos + jnp.arange(n)) % cap
  return state.replace(priority=state.priority.at[idx].set(state.max_priority))


def beta_at(cfg: PrioritizedConfig, num_updates) -> jax.Array:
  """β after ``num_updates`` updates: linear from cfg.beta to 1 over cfg.beta_updates."""
  frac = jnp.clip(num_updates / cfg.beta_updates, 0.0, 1.0)
  return (cfg.beta + frac * (1.0 - cfg.beta)).astype(jnp.float32)


def scaled_priorities(priority: jax.Array, length: jax.Array, alpha: float) -> jax.Array:
  """p^α on valid steps (t < length of its episode), 0 elsewhere; f32[C, T]."""
  valid = jnp.arange(priority.shape[1])[None, :] < length[:, None]
  return jnp.where(valid, jnp.power(jnp.maximum(priority, 0.0), alpha), 0.0)


def sample_indices(state: PriorityState, length: jax.Array, key: jax.Array, n: int,
                   cfg: PrioritizedConfig):
  """(episode i32[n], step i32[n], importance weight f32[n], probability f32[n])
  of n transitions drawn with P(i) ∝ p_i^α among the valid ones."""
  pa = scaled_priorities(state.priority, length, cfg.alpha)
  horizon = pa.shape[1]
  flat = pa.reshape(-1)
  cum = jnp.cumsum(flat)
  total = cum[-1]
  u = jax.random.uniform(key, (n,)) * total
  i = jnp.minimum(jnp.searchsorted(cum, u, side="right"), flat.shape[0] - 1)
  ep = (i // horizon).astype(jnp.int32)
  # Rounding in the cumulative sum can only land on a neighbouring slot; keep
  # the step inside its episode (an empty buffer gives slot 0, step 0).
  t = jnp.clip(i % horizon, 0, jnp.maximum(length[ep] - 1, 0)).astype(jnp.int32)
  safe_total = jnp.where(total > 0, total, 1.0)
  prob = pa[ep, t] / safe_total
  num_valid = jnp.maximum(jnp.sum(length), 1).astype(jnp.float32)
  beta = beta_at(cfg, state.num_updates)
  # max_j w_j belongs to the least likely valid transition.
  p_min = jnp.min(jnp.where(pa > 0, pa, jnp.inf)) / safe_total
  p_min = jnp.where(jnp.isfinite(p_min), p_min, 1.0)
  weight = jnp.power(jnp.maximum(num_valid * prob, 1e-30), -beta) / jnp.power(
      num_valid * p_min, -beta)
  return ep, t, weight.astype(jnp.float32), prob


def sample(state: PriorityState, buf: buffer_lib.BufferState, key: jax.Array, n: int,
           cfg: PrioritizedConfig, recent: int = 0):
  """An ``EpisodeBatch`` of n prioritized transitions (over the ``recent``
  newest episodes when > 0, as ``buffer.sample``) and their importance weights."""
  k_tr, k_rep = jax.random.split(key)
  length = buffer_lib.recent_lengths(buf, recent) if recent else buf.length
  ep, t, weight, _ = sample_indices(state, length, k_tr, n, cfg)
  return buffer_lib.gather(buf, ep, t, length, k_rep), weight


def update(state: PriorityState, episode: jax.Array, t: jax.Array, td_abs: jax.Array,
           cfg: PrioritizedConfig) -> PriorityState:
  """Sets the sampled transitions' priorities to |δ| + ε (a transition drawn
  twice in one batch keeps one of its two values) and counts the update."""
  new = jnp.abs(td_abs).astype(jnp.float32) + cfg.eps
  return state.replace(priority=state.priority.at[episode, t].set(new),
                       max_priority=jnp.maximum(state.max_priority, jnp.max(new)),
                       num_updates=state.num_updates + 1)
