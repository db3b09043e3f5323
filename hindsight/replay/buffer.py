"""Episode buffer: pure ``init / add / sample`` over a pytree (flashbax style).

Whole episodes are stored as ``[capacity, T, ...]`` arrays with a validity
mask, the original task of each episode and its per-step reward features.
Observations are stored for T + 1 steps, so the true last observation of an
episode is kept. ``add`` writes a batch of episodes at the insertion pointer,
wrapping around and overwriting the oldest ones. ``sample`` draws transitions
uniformly over all valid transitions in the buffer (an episode of L steps is
drawn with probability ∝ L, as the papers' transition buffers sample) and
returns, beside each
transition, its episode's features, actions, mask and first observation, and
``extras`` (per-episode arrays stored beside the episode, e.g. discounted
feature sums or tasks chosen at insertion).
"""

from __future__ import annotations

from typing import Dict, NamedTuple

import chex
import jax
import jax.numpy as jnp
from flax import struct


class EpisodeSpec(NamedTuple):
  obs_size: int
  action_size: int
  feature_dim: int
  task_dim: int
  horizon: int
  # 0: continuous actions f32[A]; > 0: discrete actions, one integer in
  # [0, num_actions) per step, stored as i32[1] (action_size = 1).
  num_actions: int = 0

  @property
  def action_dtype(self):
    return jnp.int32 if self.num_actions else jnp.float32


@struct.dataclass
class Episodes:
  """A batch of N episodes of horizon T."""
  obs: jax.Array        # f32[N, T + 1, O]   o_0 … o_T (o_T: the true last obs)
  action: jax.Array     # f32[N, T, A] (i32[N, T, 1] for discrete actions)
  features: jax.Array   # f32[N, T, F]       φ(s_t, a_t, s_{t+1})
  mask: jax.Array       # f32[N, T]          1 for steps inside the episode
  terminal: jax.Array   # f32[N, T]          1 where the env terminated (not a time limit)
  task: jax.Array       # f32[N, D]          the task the episode was collected for


@struct.dataclass
class BufferState:
  data: Episodes                 # leaves [C, ...]
  length: jax.Array              # i32[C] valid steps per episode
  extras: Dict[str, jax.Array]   # per-episode arrays [C, ...]
  insert_pos: jax.Array          # i32[]  next slot to write
  size: jax.Array                # i32[]  filled slots (≤ C)
  num_added: jax.Array           # i32[]  episodes ever added

  @property
  def capacity(self) -> int:
    return self.length.shape[0]


@struct.dataclass
class EpisodeBatch:
  """B sampled transitions and what relabelers need about their episodes."""
  obs: jax.Array          # f32[B, O]
  action: jax.Array       # f32[B, A]
  next_obs: jax.Array     # f32[B, O]
  features: jax.Array     # f32[B, F]
  terminal: jax.Array     # f32[B]
  task: jax.Array         # f32[B, D]  original task
  t: jax.Array            # i32[B]     step index in the episode
  episode: jax.Array      # i32[B]     buffer slot of the episode
  ep_features: jax.Array  # f32[B, T, F]
  ep_action: jax.Array    # f32[B, T, A]
  ep_mask: jax.Array      # f32[B, T]
  first_obs: jax.Array    # f32[B, O]
  extras: Dict[str, jax.Array]  # per-episode extras of each transition's episode


def empty_episodes(spec: EpisodeSpec, n: int) -> Episodes:
  T = spec.horizon
  z = lambda *s: jnp.zeros(s, jnp.float32)
  action = jnp.zeros((n, T, spec.action_size), spec.action_dtype)
  return Episodes(obs=z(n, T + 1, spec.obs_size), action=action,
                  features=z(n, T, spec.feature_dim), mask=z(n, T), terminal=z(n, T),
                  task=z(n, spec.task_dim))


def init(spec: EpisodeSpec, capacity: int,
         extras_spec: Dict[str, tuple] | None = None) -> BufferState:
  """An empty buffer of ``capacity`` episodes. ``extras_spec`` maps a name to
  the per-episode shape of an extra array stored beside each episode."""
  if capacity < 1:
    raise ValueError(f"buffer capacity must be >= 1 episode, got {capacity}")
  extras = {k: jnp.zeros((capacity, *shape), jnp.float32)
            for k, shape in (extras_spec or {}).items()}
  zero = jnp.zeros((), jnp.int32)
  return BufferState(data=empty_episodes(spec, capacity),
                     length=jnp.zeros((capacity,), jnp.int32), extras=extras,
                     insert_pos=zero, size=zero, num_added=zero)


def add(state: BufferState, episodes: Episodes,
        extras: Dict[str, jax.Array] | None = None) -> BufferState:
  """Writes N ≤ capacity episodes, overwriting the oldest when full."""
  n = episodes.task.shape[0]
  cap = state.capacity
  if n > cap:
    raise ValueError(f"cannot add {n} episodes to a buffer of capacity {cap}")
  chex.assert_trees_all_equal_structs(
      jax.tree.map(lambda x: x[0], state.data), jax.tree.map(lambda x: x[0], episodes))
  chex.assert_trees_all_equal_shapes(
      jax.tree.map(lambda x: x[0], state.data), jax.tree.map(lambda x: x[0], episodes))
  extras = extras or {}
  if set(extras) != set(state.extras):
    raise ValueError(f"extras {sorted(extras)} do not match the buffer's "
                     f"{sorted(state.extras)}")
  idx = (state.insert_pos + jnp.arange(n)) % cap
  data = jax.tree.map(lambda buf, x: buf.at[idx].set(x.astype(buf.dtype)),
                      state.data, episodes)
  new_extras = {k: state.extras[k].at[idx].set(extras[k]) for k in state.extras}
  length = state.length.at[idx].set(jnp.sum(episodes.mask > 0, axis=1).astype(jnp.int32))
  return state.replace(data=data, length=length, extras=new_extras,
                       insert_pos=(state.insert_pos + n) % cap,
                       size=jnp.minimum(state.size + n, cap),
                       num_added=state.num_added + n)


def recent_indices(state: BufferState, n: int) -> tuple[jax.Array, jax.Array]:
  """Slots of the ``n`` most recently added episodes (newest first) and a
  validity mask (False where fewer than ``n`` episodes exist)."""
  k = jnp.arange(n)
  idx = (state.insert_pos - 1 - k) % state.capacity
  return idx, k < state.size


def uniform_transitions(length: jax.Array, key: jax.Array, n: int
                        ) -> tuple[jax.Array, jax.Array]:
  """(episode slot i32[n], step i32[n]) uniform over the valid transitions of
  episodes with ``length`` i32[C] valid steps (empty slots have length 0).

  Transition u ∈ [0, Σ L) is step u − Σ_{j<i} L_j of the episode i whose
  cumulative length first exceeds u. An empty buffer gives slot 0, step 0."""
  return table_transitions(jnp.cumsum(length), key, n)


def table_transitions(cum: jax.Array, key: jax.Array, n: int
                      ) -> tuple[jax.Array, jax.Array]:
  """``uniform_transitions`` from the cumulative lengths ``cum`` i32[C]
  (``transition_table``): the same draws, without the O(C) cumulative sum."""
  total = jnp.maximum(cum[-1], 1)
  u = jax.random.randint(key, (n,), 0, total)
  ep = jnp.searchsorted(cum, u, side="right").astype(jnp.int32)
  ep = jnp.minimum(ep, cum.shape[0] - 1)
  before = jnp.where(ep > 0, cum[jnp.maximum(ep - 1, 0)], 0)  # Σ_{j<ep} L_j
  length = cum[ep] - before
  t = u - before
  return ep, jnp.clip(t, 0, jnp.maximum(length - 1, 0)).astype(jnp.int32)


def recent_lengths(state: BufferState, recent: int) -> jax.Array:
  """Valid steps per slot, 0 outside the ``recent`` most recently added episodes."""
  age = (state.insert_pos - 1 - jnp.arange(state.capacity)) % state.capacity
  return jnp.where(age < recent, state.length, 0)


def transition_table(state: BufferState, recent: int = 0) -> jax.Array:
  """i32[C]: cumulative valid steps per slot (over the ``recent`` newest
  episodes only when ``recent`` > 0), what uniform sampling searches. It
  changes only when episodes are added, so the training loop computes it once
  per iteration and hands it to every ``sample`` of that iteration's updates."""
  length = recent_lengths(state, recent) if recent else state.length
  return jnp.cumsum(length)


def sample(state: BufferState, key: jax.Array, n: int, recent: int = 0,
           table: jax.Array | None = None) -> EpisodeBatch:
  """n transitions, uniform over the buffer's valid transitions; with
  ``recent`` > 0 only over those of the ``recent`` newest episodes (a replay
  buffer of that size inside a store kept larger, e.g. for a relabeling cache).
  ``table``: ``transition_table(state, recent)`` if already computed (the
  same batch, without recomputing it)."""
  # The key's first half draws the transitions (its split keeps a seed's
  # batches what they were when the second half drew HER's buffer-wide step,
  # now ``sample_features``).
  k_tr, _ = jax.random.split(key)
  cum = transition_table(state, recent) if table is None else table
  ep, t = table_transitions(cum, k_tr, n)
  return gather(state, ep, t)


def gather(state: BufferState, ep: jax.Array, t: jax.Array) -> EpisodeBatch:
  """The ``EpisodeBatch`` of transitions (slot ``ep``, step ``t``), i32[n] each."""
  d = state.data
  return EpisodeBatch(
      obs=d.obs[ep, t], action=d.action[ep, t], next_obs=d.obs[ep, t + 1],
      features=d.features[ep, t], terminal=d.terminal[ep, t], task=d.task[ep],
      t=t, episode=ep, ep_features=d.features[ep], ep_action=d.action[ep],
      ep_mask=d.mask[ep], first_obs=d.obs[ep, 0],
      extras={k: v[ep] for k, v in state.extras.items()})


def sample_features(state: BufferState, key: jax.Array, n: int, recent: int = 0,
                    table: jax.Array | None = None) -> jax.Array:
  """Reward features f32[n, F] of n valid steps drawn uniformly over the
  buffer's transitions (``recent`` and ``table`` as in ``sample``): the
  achieved goals of HER's buffer-wide 'random' strategy."""
  cum = transition_table(state, recent) if table is None else table
  ep, t = table_transitions(cum, key, n)
  return state.data.features[ep, t]
