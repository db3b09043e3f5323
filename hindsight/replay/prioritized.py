"""Proportional prioritized replay (Schaul et al. 2016), pure functions.

A priority p_i = |δ_i| + ε per stored transition (one per step of the
episode buffer's [C, T] slots). Transition i is sampled
with probability P(i) = p_i^α / Σ_k p_k^α over the buffer's valid transitions
(Schaul et al. 2016, eq. 1) and its loss weighted by the importance weight
w_i = (N · P(i))^−β / max_j w_j (Sec. 3.4; N valid transitions, the max over
the buffer), with β annealed linearly from β0 to 1. New transitions enter at
the largest priority seen so far, so each is replayed at least once soon
(Alg. 1, line 6). After a learner update the sampled transitions' priorities
become |δ| + ε of that update: with relabeling, δ is the TD error of the
relabeled transition (the task the learner was just trained on).

The priorities live in a sum tree (and a min tree for the largest weight)
over the C·T slots, as flat arrays: sampling a batch of n descends the tree,
a priority update rewrites n leaves and their ancestors (at the next sample,
see ``PriorityState``), both O(n log(C·T)) per batch in a fixed number of
vectorized steps (a cumulative sum over the
buffer costs O(C·T): 16 ms per batch at 10⁶ transitions on 2 CPU cores,
against a DQN update of well under 1 ms). α = 0 is uniform sampling over the
valid transitions.
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
  """Sum and min trees over the C·T transition slots (leaf i is slot
  (i // T, i % T)): leaves hold p^α at valid steps and 0 (sum tree) / +inf
  (min tree) elsewhere. Node k has children 2k and 2k + 1, the root is node 1,
  leaves start at node L (L = C·T + 1 rounded up to a power of two, so leaf
  C·T is a spare that is never drawn).

  ``update`` records the batch's new priorities as *pending* and the next
  ``sample`` (or ``on_add``, ``leaves``) writes them into the trees before
  reading them. Writing them at once would put a scatter into trees that the
  same step's sampling has just read, and XLA then copies both trees every
  step (4–7 ms per step at 10⁶ transitions instead of 0.5 ms)."""
  sum_tree: jax.Array       # f32[2L]  Σ p^α below each node
  min_tree: jax.Array       # f32[2L]  min p^α below each node (→ the largest weight)
  max_priority: jax.Array   # f32[]    priority p (before α) given to new transitions
  num_updates: jax.Array    # i32[]    priority updates so far (anneals β)
  pending_leaf: jax.Array   # i32[B]   leaves of the last update, not yet in the trees
  pending_value: jax.Array  # f32[B]   their p^α
  capacity: int = struct.field(pytree_node=False, default=1)   # C episodes
  horizon: int = struct.field(pytree_node=False, default=1)    # T steps

  @property
  def num_leaves(self) -> int:
    return self.sum_tree.shape[0] // 2

  @property
  def spare_leaf(self) -> int:
    return self.capacity * self.horizon


def init(capacity: int, horizon: int, batch_size: int = 1) -> PriorityState:
  """Empty trees for C = ``capacity`` episodes of T = ``horizon`` steps;
  ``batch_size``: the transitions each ``update`` writes."""
  L = 1 << (capacity * horizon).bit_length()   # > C·T: leaf C·T is the spare
  return PriorityState(sum_tree=jnp.zeros((2 * L,), jnp.float32),
                       min_tree=jnp.full((2 * L,), jnp.inf, jnp.float32),
                       max_priority=jnp.ones((), jnp.float32),
                       num_updates=jnp.zeros((), jnp.int32),
                       pending_leaf=jnp.full((batch_size,), capacity * horizon, jnp.int32),
                       pending_value=jnp.zeros((batch_size,), jnp.float32),
                       capacity=int(capacity), horizon=int(horizon))


def set_leaves(state: PriorityState, leaf: jax.Array, value: jax.Array,
               min_value: jax.Array) -> PriorityState:
  """Writes leaves (i32[m]; sum-tree values f32[m], min-tree values f32[m])
  and recomputes their ancestors one level at a time: O(m log L). Where
  ``leaf`` repeats, one write wins and the ancestors agree with it."""
  L = state.num_leaves
  node = leaf.astype(jnp.int32) + L
  st = state.sum_tree.at[node].set(value)
  mt = state.min_tree.at[node].set(min_value)
  for _ in range(L.bit_length() - 1):
    node = node // 2
    st = st.at[node].set(st[2 * node] + st[2 * node + 1])
    mt = mt.at[node].set(jnp.minimum(mt[2 * node], mt[2 * node + 1]))
  return state.replace(sum_tree=st, min_tree=mt)


def flush(state: PriorityState) -> PriorityState:
  """Writes the pending priorities of the last ``update`` into the trees."""
  spare = state.pending_leaf == state.spare_leaf
  state = set_leaves(state, state.pending_leaf, jnp.where(spare, 0.0, state.pending_value),
                     jnp.where(spare, jnp.inf, state.pending_value))
  return state.replace(pending_leaf=jnp.full_like(state.pending_leaf, state.spare_leaf))


def leaves(state: PriorityState) -> jax.Array:
  """p^α per slot, f32[C, T] (0 where nothing can be drawn), pending included."""
  st = flush(state)
  L, n = st.num_leaves, st.capacity * st.horizon
  return st.sum_tree[L:L + n].reshape(st.capacity, st.horizon)


def _episode_leaves(state: PriorityState, slots: jax.Array) -> jax.Array:
  """Leaf indices i32[n·T] of every step of the episodes in ``slots`` i32[n]."""
  T = state.horizon
  return (slots[:, None] * T + jnp.arange(T)[None, :]).reshape(-1)


def on_add(state: PriorityState, insert_pos: jax.Array, lengths: jax.Array,
           cfg: "PrioritizedConfig", window: int = 0) -> PriorityState:
  """The n episodes about to be written at ``insert_pos`` (the buffer's
  pointer before ``buffer.add``), with ``lengths`` i32[n] valid steps, enter
  at the largest priority so far at their valid steps (Schaul et al. 2016,
  Alg. 1 line 6); their other steps can never be drawn. With a sampling
  ``window`` of the W newest episodes (``buffer.sample``'s ``recent``), the n
  episodes that leave the window are taken out of the trees."""
  state = flush(state)  # before the slots are overwritten
  n, C, T = lengths.shape[0], state.capacity, state.horizon
  slots = (insert_pos + jnp.arange(n)) % C
  valid = (jnp.arange(T)[None, :] < lengths[:, None]).reshape(-1)
  pa = jnp.power(state.max_priority, cfg.alpha)
  state = set_leaves(state, _episode_leaves(state, slots), jnp.where(valid, pa, 0.0),
                     jnp.where(valid, pa, jnp.inf))
  if window and window < C:
    gone = _episode_leaves(state, (slots - window) % C)
    state = set_leaves(state, gone, jnp.zeros(gone.shape), jnp.full(gone.shape, jnp.inf))
  return state


def beta_at(cfg: PrioritizedConfig, num_updates) -> jax.Array:
  """β after ``num_updates`` updates: linear from cfg.beta to 1 over cfg.beta_updates."""
  frac = jnp.clip(num_updates / cfg.beta_updates, 0.0, 1.0)
  return (cfg.beta + frac * (1.0 - cfg.beta)).astype(jnp.float32)


def sample_indices(state: PriorityState, key: jax.Array, n: int, cfg: PrioritizedConfig):
  """(state, episode i32[n], step i32[n], importance weight f32[n],
  probability f32[n]) of n transitions drawn with P(i) = p_i^α / Σ p^α: the
  pending priorities are written first (the returned state), then each draw
  descends the sum tree from the root (O(n log L)). w = (N P(i))^−β /
  max_j (N P(j))^−β = (P(i) / min_j P(j))^−β: N cancels, and min_j P(j) is
  the min tree's root."""
  state = flush(state)
  st, L = state.sum_tree, state.num_leaves
  total = st[1]
  u = jax.random.uniform(key, (n,)) * total
  node = jnp.ones((n,), jnp.int32)
  for _ in range(L.bit_length() - 1):
    left = st[2 * node]
    # Right where u passes the left subtree's mass; never into an empty
    # subtree (rounding can put u a hair past the total).
    right = (u >= left) & (st[2 * node + 1] > 0)
    u = jnp.where(right, u - left, u)
    node = 2 * node + right.astype(jnp.int32)
  leaf = node - L
  leaf = jnp.minimum(leaf, state.capacity * state.horizon - 1)
  ep = (leaf // state.horizon).astype(jnp.int32)
  t = (leaf % state.horizon).astype(jnp.int32)
  safe_total = jnp.where(total > 0, total, 1.0)
  prob = st[leaf + L] / safe_total
  beta = beta_at(cfg, state.num_updates)
  p_min = state.min_tree[1] / safe_total
  p_min = jnp.where(jnp.isfinite(p_min) & (p_min > 0), p_min, 1.0)
  weight = jnp.power(jnp.maximum(prob, 1e-30) / p_min, -beta)
  return state, ep, t, jnp.minimum(weight, 1.0).astype(jnp.float32), prob


def sample(state: PriorityState, buf: buffer_lib.BufferState, key: jax.Array, n: int,
           cfg: PrioritizedConfig, recent: int = 0):
  """(state, ``EpisodeBatch`` of n prioritized transitions, their importance
  weights f32[n]). ``recent``: the sampling window of ``buffer.sample`` (the
  trees hold only its episodes, see ``on_add``)."""
  del recent  # the trees hold only the window's episodes
  k_tr, _ = jax.random.split(key)
  state, ep, t, weight, _ = sample_indices(state, k_tr, n, cfg)
  return state, buffer_lib.gather(buf, ep, t), weight


def update(state: PriorityState, episode: jax.Array, t: jax.Array, td_abs: jax.Array,
           cfg: PrioritizedConfig) -> PriorityState:
  """Sets the sampled transitions' priorities to p = |δ| + ε (a transition
  drawn twice in one batch keeps one of its values), as pending writes that
  the next ``sample`` applies, and counts the update. Call once per
  ``sample``: a second ``update`` before it replaces the first's writes."""
  p = jnp.abs(td_abs).astype(jnp.float32) + cfg.eps
  leaf = (episode * state.horizon + t).astype(jnp.int32)
  return state.replace(pending_leaf=leaf, pending_value=jnp.power(p, cfg.alpha),
                       max_priority=jnp.maximum(state.max_priority, jnp.max(p)),
                       num_updates=state.num_updates + 1)
