"""Task-conditioned DQN over discrete actions (Mnih et al. 2015), pure functions.

HER's learner for bit flipping (Andrychowicz et al. 2017, Sec. 4 / appendix A).
``init(key, spec, config) -> DQNState``, ``update(state, batch, key) ->
(state, metrics)``, ``act(state, obs, task, key, deterministic)`` and the
value functions relabelers need (``relabel_fns``); the same module interface
as ``sac``.

- Q(s, z) ∈ R^{num_actions}: an MLP on concat(obs, task).
- Double-DQN targets (van Hasselt et al. 2016, eq. 4):
  y = s·r + γ d Q̄(s′, argmax_a Q(s′, a)), the online network choosing and the
  target network evaluating the next action; d = 1 − terminal, so a
  time-limit truncation bootstraps and a termination does not.
- Huber loss on δ = Q(s, a) − y (threshold ``huber_delta``), averaged over
  the batch, each sample weighted by ``batch.weight`` when prioritized replay
  gives importance weights.
- Target network: Polyak averaging with rate τ after every ``polyak_every``-th
  update (1: every update; HER: once per cycle of 40), or a copy every
  ``target_period`` updates (``learner.dqn.target_update``).
- Optional target clipping to [−clip_return, 0] (``learner.dqn.clip_return``
  > 0; HER clips to [−1/(1 − γ), 0] for its rewards in {−1, 0}).
- ε-greedy collection, ε decaying linearly from ``epsilon_start`` to
  ``epsilon_end`` over ``epsilon_decay_updates`` gradient updates; greedy
  evaluation (``deterministic=True``).

Actions are one integer per step, i32[..., 1] (the buffer stores them so).

Relabelers: ``q``, the greedy ``mean_action`` and ``value`` V(s, z) =
max_a Q(s, a, z) (the greedy policy's value, what Generalized Hindsight's
V(s, z) = Q(s, π_mean(s, z), z) is for a deterministic greedy policy), so
``advantage`` and AIR's advantage tie-break work. HIPI's transition level needs
log π of a maximum-entropy policy (its logit r − log π + γ Q is a soft Bellman
backup); DQN learns a hard-max Q with an ε-greedy policy, which has no such
log π, so that combination is a configuration error (``hindsight.config``)
rather than a Boltzmann surrogate at a temperature DQN never trained with.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Dict, Tuple

import chex
import jax
import jax.numpy as jnp
import optax
from flax import struct

from hindsight.learners import networks
from hindsight.learners.sac import Transition  # the shared batch layout (action i32[B, 1])

__all__ = ["DISCRETE", "DQNHyper", "DQNState", "Transition", "act", "dqn_loss",
           "double_q_target", "epsilon", "huber", "init", "relabel_fns", "update"]

DISCRETE = True           # acts on discrete-action families only (hindsight.config checks)
TARGET_UPDATES = ("polyak", "periodic")


@dataclasses.dataclass(frozen=True)
class DQNHyper:
  """Static hyperparameters (from ``config.learner`` and ``config.learner.dqn``)."""
  obs_size: int
  task_dim: int
  num_actions: int
  hidden_sizes: Tuple[int, ...]
  lr: float
  gamma: float
  tau: float
  target_update: str
  target_period: int
  polyak_every: int
  clip_return: float
  huber_delta: float
  epsilon_start: float
  epsilon_end: float
  epsilon_decay_updates: int
  reward_scale: float

  @classmethod
  def from_config(cls, spec, cfg) -> "DQNHyper":
    if not spec.num_actions:
      raise ValueError("the dqn learner needs a discrete-action family (num_actions > 0)")
    d = cfg.dqn
    return cls(obs_size=spec.obs_size, task_dim=spec.task_dim,
               num_actions=int(spec.num_actions),
               hidden_sizes=tuple(int(h) for h in cfg.hidden_sizes),
               lr=float(cfg.critic_lr), gamma=float(cfg.gamma), tau=float(cfg.tau),
               target_update=str(d.target_update), target_period=int(d.target_period),
               polyak_every=int(d.polyak_every), clip_return=float(d.clip_return),
               huber_delta=float(d.huber_delta), epsilon_start=float(d.epsilon_start),
               epsilon_end=float(d.epsilon_end),
               epsilon_decay_updates=int(d.epsilon_decay_updates),
               reward_scale=float(cfg.reward_scale))

  def network(self):
    return networks.MLP(self.hidden_sizes, self.num_actions)

  def optimizer(self):
    return optax.adam(self.lr)


@struct.dataclass
class DQNState:
  params: Any
  target_params: Any
  opt: Any
  step: jax.Array     # i32[] gradient updates so far (drives ε and periodic copies)
  hp: DQNHyper = struct.field(pytree_node=False)


def init(key: jax.Array, spec, config) -> DQNState:
  """``spec``: an ``EpisodeSpec`` with ``num_actions`` > 0; ``config``: ``config.learner``."""
  hp = DQNHyper.from_config(spec, config)
  params = hp.network().init(key, jnp.zeros((1, hp.obs_size + hp.task_dim)))
  return DQNState(params=params, target_params=params, opt=hp.optimizer().init(params),
                  step=jnp.zeros((), jnp.int32), hp=hp)


def q_values(hp: DQNHyper, params, obs, task):
  """Q(s, z) for every action, f32[..., num_actions]."""
  return hp.network().apply(params, jnp.concatenate([obs, task], axis=-1))


def _index(action):
  """i32[...] action indices from the stored i32[..., 1]."""
  return jnp.asarray(action)[..., 0].astype(jnp.int32)


# ---------------------------------------------------------------- losses ---

def huber(x, delta):
  """½ x² for |x| ≤ δ, δ (|x| − ½ δ) beyond (rlax.huber_loss)."""
  a = jnp.abs(x)
  quad = jnp.minimum(a, delta)
  return 0.5 * jnp.square(quad) + delta * (a - quad)


def double_q_target(q_next_online, q_next_target, reward, discount, gamma,
                    clip_return=0.0):
  """y = r + γ d Q̄(s′, argmax_a Q(s′, a)) (van Hasselt et al. 2016, eq. 4),
  clipped to [−clip_return, 0] when clip_return > 0 (HER's target clipping,
  baselines/her/ddpg.py). ``q_next_*`` f32[B, A]; ``reward``, ``discount`` f32[B]."""
  best = jnp.argmax(q_next_online, axis=-1)
  q_eval = jnp.take_along_axis(q_next_target, best[:, None], axis=-1)[:, 0]
  y = reward + gamma * discount * q_eval
  if clip_return > 0:
    y = jnp.clip(y, -clip_return, 0.0)
  return y


def dqn_loss(params, target_params, batch: Transition, hp: DQNHyper):
  """mean_i w_i · Huber(Q(s_i, a_i) − y_i), y the double-DQN target (w = 1
  without importance weights). Aux: metrics and ``td_abs`` |δ_i| f32[B]."""
  q_all = q_values(hp, params, batch.obs, batch.task)
  q = jnp.take_along_axis(q_all, _index(batch.action)[:, None], axis=-1)[:, 0]
  q_next_online = q_values(hp, params, batch.next_obs, batch.task)
  q_next_target = q_values(hp, target_params, batch.next_obs, batch.task)
  target = double_q_target(q_next_online, q_next_target, hp.reward_scale * batch.reward,
                           batch.discount, hp.gamma, hp.clip_return)
  target = jax.lax.stop_gradient(target)
  td = q - target
  per_sample = huber(td, hp.huber_delta)
  if batch.weight is not None:
    per_sample = batch.weight * per_sample
  loss = jnp.mean(per_sample)
  return loss, {"q_loss": loss, "q_mean": jnp.mean(q), "target_mean": jnp.mean(target),
                "td_abs": jnp.abs(td)}


def epsilon(hp: DQNHyper, step):
  """ε after ``step`` updates: linear from epsilon_start to epsilon_end over
  epsilon_decay_updates, then constant."""
  if hp.epsilon_decay_updates <= 0:
    return jnp.asarray(hp.epsilon_end, jnp.float32)
  frac = jnp.clip(step / hp.epsilon_decay_updates, 0.0, 1.0)
  return (hp.epsilon_start + frac * (hp.epsilon_end - hp.epsilon_start)).astype(jnp.float32)


def _target_update(hp: DQNHyper, target, online, step):
  """The target network after update number ``step`` (1-based)."""
  if hp.target_update == "polyak":
    mixed = jax.tree.map(lambda t, o: (1.0 - hp.tau) * t + hp.tau * o, target, online)
    if hp.polyak_every == 1:
      return mixed
    due = (step % hp.polyak_every) == 0
    return jax.tree.map(lambda m, t: jnp.where(due, m, t), mixed, target)
  copy = (step % hp.target_period) == 0
  return jax.tree.map(lambda t, o: jnp.where(copy, o, t), target, online)


# ---------------------------------------------------------------- update ---

def update(state: DQNState, batch: Transition, key: jax.Array
           ) -> Tuple[DQNState, Dict[str, jax.Array]]:
  """One gradient step on the Q-network, then the target network."""
  del key
  hp = state.hp
  chex.assert_rank([batch.obs, batch.action, batch.task], 2)
  chex.assert_rank([batch.reward, batch.discount], 1)
  (_, info), grads = jax.value_and_grad(dqn_loss, has_aux=True)(
      state.params, state.target_params, batch, hp)
  upd, opt = hp.optimizer().update(grads, state.opt, state.params)
  params = optax.apply_updates(state.params, upd)
  step = state.step + 1
  target = _target_update(hp, state.target_params, params, step)
  info = dict(info, epsilon=epsilon(hp, state.step))
  return state.replace(params=params, target_params=target, opt=opt, step=step), info


# ------------------------------------------------------- acting & values ---

def act(state: DQNState, obs, task, key, deterministic: bool):
  """i32[n, 1] actions: greedy if deterministic, else ε-greedy with ε(step)."""
  hp = state.hp
  greedy = jnp.argmax(q_values(hp, state.params, obs, task), axis=-1).astype(jnp.int32)
  if deterministic:
    return greedy[:, None]
  k_explore, k_action = jax.random.split(key)
  explore = jax.random.uniform(k_explore, greedy.shape) < epsilon(hp, state.step)
  random = jax.random.randint(k_action, greedy.shape, 0, hp.num_actions)
  return jnp.where(explore, random, greedy)[:, None]


def relabel_fns(state: DQNState) -> Dict[str, Any]:
  """``q``, the greedy ``mean_action`` and ``value`` = max_a Q (see the module
  docstring for why there is no ``log_prob``)."""
  hp = state.hp

  def q(obs, action, task):
    q_all = q_values(hp, state.params, obs, task)
    return jnp.take_along_axis(q_all, _index(action)[..., None], axis=-1)[..., 0]

  def mean_action(obs, task):
    return jnp.argmax(q_values(hp, state.params, obs, task), axis=-1).astype(jnp.int32)[..., None]

  def value(obs, task):
    """V(s, z) = max_a Q(s, a, z), the greedy policy's value."""
    return jnp.max(q_values(hp, state.params, obs, task), axis=-1)

  return {"q": q, "mean_action": mean_action, "value": value}
