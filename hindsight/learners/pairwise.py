"""Task-conditioned networks on every (row, candidate task) pair, as matmuls.

HIPI scores B transitions against K candidate tasks: B × K evaluations of the
actor and critic on concat(obs_i, task_j[, action_ij]). Tiling the inputs to
[B·K, O + D] makes the first layer B·K rows of O + D inputs each; here the
first layer is split by input block instead: the observation half is one
[B, O] @ [O, H] product, the task half one [K, D] @ [D, H] product, and
only their broadcast sum (plus a pair-specific block such as the critic's
action) is [B, K, H]. The hidden layers after it are [B·K, H] @ [H, H]
matmuls, unchanged. The functions read the flax parameters of
``hindsight.learners.networks`` (``MLP`` of ``nn.Dense`` layers) and compute
what those modules compute, up to the order in which the first layer's
products are summed (float32 round-off).
"""

from __future__ import annotations

from typing import Sequence, Tuple

import jax
import jax.numpy as jnp

from hindsight.learners import networks


def _dense(p, x):
  return jnp.dot(x, p["kernel"]) + p["bias"]


def mlp_pairs(params, n_hidden: int, rows: Sequence[jax.Array], cols: Sequence[jax.Array],
              pairs: Sequence[jax.Array] = ()) -> jax.Array:
  """``MLP`` (``params``: its ``Dense_0 … Dense_n`` blocks) on
  concat(*rows_i, *cols_j, *pairs_ij) for every row i and column j:
  rows f32[B, ·], cols f32[K, ·], pairs f32[B, K, ·] → f32[B, K, out]."""
  k0 = params["Dense_0"]["kernel"]
  start, parts = 0, []
  for x in rows:
    parts.append(("row", x, k0[start:start + x.shape[-1]]))
    start += x.shape[-1]
  for x in cols:
    parts.append(("col", x, k0[start:start + x.shape[-1]]))
    start += x.shape[-1]
  for x in pairs:
    parts.append(("pair", x, k0[start:start + x.shape[-1]]))
    start += x.shape[-1]
  if start != k0.shape[0]:
    raise ValueError(f"inputs of width {start} for a first layer of {k0.shape[0]} inputs")
  h = params["Dense_0"]["bias"]
  for kind, x, w in parts:
    y = jnp.dot(x, w)
    h = h + (y[:, None, :] if kind == "row" else y[None, :, :] if kind == "col" else y)
  b, k = h.shape[:2]
  x = jax.nn.relu(h).reshape(b * k, -1)
  for i in range(1, n_hidden):
    x = jax.nn.relu(_dense(params[f"Dense_{i}"], x))
  out = _dense(params[f"Dense_{n_hidden}"], x)
  return out.reshape(b, k, -1)


def policy_pairs(actor_params, hidden_sizes, log_std_min: float, log_std_max: float,
                 obs, tasks) -> Tuple[jax.Array, jax.Array]:
  """``TanhGaussianPolicy`` on concat(obs_i, task_j): (mean, log_std) f32[B, K, A]."""
  out = mlp_pairs(actor_params["params"]["MLP_0"], len(hidden_sizes), [obs], [tasks])
  mean, raw = jnp.split(out, 2, axis=-1)
  log_std = log_std_min + 0.5 * (log_std_max - log_std_min) * (jnp.tanh(raw) + 1.0)
  return mean, log_std


def twin_q_pairs(critic_params, hidden_sizes, obs, tasks, actions,
                 first_only: bool = False) -> jax.Array:
  """min(Q1, Q2)(obs_i, task_j, action_ij) of ``TwinQ`` (``first_only``: Q1
  alone): f32[B, K]."""
  p = critic_params["params"]
  n = len(hidden_sizes)
  q1 = mlp_pairs(p["q1"], n, [obs], [tasks], [actions])[..., 0]
  if first_only:
    return q1
  q2 = mlp_pairs(p["q2"], n, [obs], [tasks], [actions])[..., 0]
  return jnp.minimum(q1, q2)


def sac_pair_fns(hp, state):
  """The pairwise forms of ``sac.relabel_fns``: ``log_prob_pairs(obs[B], action[B],
  tasks[K]) -> [B, K]``, ``sample_action_pairs(key, obs[B], tasks[K]) -> [B, K, A]``
  (the same noise as ``sample_action`` on the tiled [B·K] inputs),
  ``q_pairs(obs[B], actions[B, K], tasks[K]) -> [B, K]`` (and ``q_first_pairs``,
  Q1 alone)."""
  pol = lambda obs, tasks: policy_pairs(state.actor_params, hp.hidden_sizes, hp.log_std_min,
                                        hp.log_std_max, obs, tasks)

  def log_prob_pairs(obs, action, tasks):
    mean, log_std = pol(obs, tasks)
    u = networks.atanh_clipped(action)[:, None, :]
    return networks.tanh_gaussian_log_prob(u, mean, log_std)

  def sample_action_pairs(key, obs, tasks):
    mean, log_std = pol(obs, tasks)
    b, k, a = mean.shape
    noise = jax.random.normal(key, (b * k, a)).reshape(b, k, a)
    return jnp.tanh(mean + jnp.exp(log_std) * noise)

  def q_pairs(obs, actions, tasks):
    return twin_q_pairs(state.critic_params, hp.hidden_sizes, obs, tasks, actions)

  def q_first_pairs(obs, actions, tasks):
    return twin_q_pairs(state.critic_params, hp.hidden_sizes, obs, tasks, actions,
                        first_only=True)

  return {"log_prob_pairs": log_prob_pairs, "sample_action_pairs": sample_action_pairs,
          "q_pairs": q_pairs, "q_first_pairs": q_first_pairs}
