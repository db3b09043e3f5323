"""Task-conditioned Soft Actor-Critic (Haarnoja et al. 2018), pure functions.

``init(key, spec, config) -> SACState``, ``update(state, batch, key) ->
(state, metrics)``, ``act(state, obs, task, key, deterministic)`` and the value
functions relabelers need (``relabel_fns``). Twin Q with Polyak-averaged
targets, a tanh-Gaussian actor, automatic entropy tuning toward
``target_entropy = −target_entropy_scale · A``. Transitions carry
``discount = 1 − terminal``: time-limit truncation bootstraps, termination
does not. Losses are separate pure functions of parameters.

With ``normalize_observations`` the state keeps Brax's running mean and std
of the collected observations (``hindsight/learners/normalizer.py``; the
training loop folds in each collected batch through ``observe``), and every
network sees (obs − mean) / std in place of obs (the task is not
normalised), as Brax's SAC trainer does
(``brax/training/agents/sac/train.py``, ``normalize_observations``).
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any, Dict, Tuple

import chex
import jax
import jax.numpy as jnp
import optax
from flax import struct

from hindsight.learners import networks, normalizer


@dataclasses.dataclass(frozen=True)
class SACHyper:
  """Static hyperparameters (from ``config.learner``)."""
  obs_size: int          # observation without the task
  task_dim: int
  action_size: int
  hidden_sizes: Tuple[int, ...]
  actor_lr: float
  critic_lr: float
  alpha_lr: float
  gamma: float
  tau: float
  init_alpha: float
  target_entropy: float
  log_std_min: float
  log_std_max: float
  reward_scale: float
  normalize_observations: bool = False

  @classmethod
  def from_config(cls, spec, cfg) -> "SACHyper":
    return cls(obs_size=spec.obs_size, task_dim=spec.task_dim,
               action_size=spec.action_size,
               hidden_sizes=tuple(int(h) for h in cfg.hidden_sizes),
               actor_lr=float(cfg.actor_lr), critic_lr=float(cfg.critic_lr),
               alpha_lr=float(cfg.alpha_lr), gamma=float(cfg.gamma),
               tau=float(cfg.tau), init_alpha=float(cfg.init_alpha),
               target_entropy=-float(cfg.target_entropy_scale) * spec.action_size,
               log_std_min=float(cfg.log_std_min), log_std_max=float(cfg.log_std_max),
               reward_scale=float(cfg.reward_scale),
               normalize_observations=bool(cfg.get("normalize_observations", False)))

  def actor(self):
    return networks.TanhGaussianPolicy(self.hidden_sizes, self.action_size,
                                       self.log_std_min, self.log_std_max)

  def critic(self):
    return networks.TwinQ(self.hidden_sizes)

  def optimizers(self):
    return (optax.adam(self.actor_lr), optax.adam(self.critic_lr),
            optax.adam(self.alpha_lr))


@struct.dataclass
class Transition:
  obs: jax.Array       # f32[B, O]  (without the task)
  task: jax.Array      # f32[B, D]
  action: jax.Array    # f32[B, A]
  reward: jax.Array    # f32[B]
  next_obs: jax.Array  # f32[B, O]
  discount: jax.Array  # f32[B]     1 − terminal (γ applied by the learner)
  # f32[B] importance weights of prioritized replay on each sample's critic
  # loss; None (the default): unweighted.
  weight: Any = None


@struct.dataclass
class SACState:
  actor_params: Any
  critic_params: Any
  target_critic_params: Any
  log_alpha: jax.Array
  actor_opt: Any
  critic_opt: Any
  alpha_opt: Any
  step: jax.Array
  hp: SACHyper = struct.field(pytree_node=False)
  # normalizer.RunningStats of the observations; None: not normalised (no
  # leaves, so states and checkpoints are what they are without it).
  obs_norm: Any = None


def init(key: jax.Array, spec, config) -> SACState:
  """``spec``: an ``EpisodeSpec`` (obs, action, task sizes); ``config``: the
  ``config.learner`` ConfigDict."""
  hp = SACHyper.from_config(spec, config)
  k_actor, k_critic = jax.random.split(key)
  pol_in = jnp.zeros((1, hp.obs_size + hp.task_dim))
  act_in = jnp.zeros((1, hp.action_size))
  actor_params = hp.actor().init(k_actor, pol_in)
  critic_params = hp.critic().init(k_critic, pol_in, act_in)
  log_alpha = jnp.asarray(jnp.log(hp.init_alpha), jnp.float32)
  tx_a, tx_c, tx_al = hp.optimizers()
  return SACState(actor_params=actor_params, critic_params=critic_params,
                  target_critic_params=critic_params, log_alpha=log_alpha,
                  actor_opt=tx_a.init(actor_params), critic_opt=tx_c.init(critic_params),
                  alpha_opt=tx_al.init(log_alpha), step=jnp.zeros((), jnp.int32), hp=hp,
                  obs_norm=(normalizer.init(hp.obs_size) if hp.normalize_observations
                            else None))


def observe(state: SACState, obs: jax.Array, mask: jax.Array) -> SACState:
  """Folds collected observations ``obs`` f32[..., O] (``mask`` f32[...]: 1
  for real steps) into the observation statistics; the state unchanged when
  observations are not normalised."""
  if state.obs_norm is None:
    return state
  return state.replace(obs_norm=normalizer.update(state.obs_norm, obs, mask))


def _normalized(state: SACState, batch: "Transition") -> "Transition":
  if state.obs_norm is None:
    return batch
  return batch.replace(obs=normalizer.normalize(state.obs_norm, batch.obs),
                       next_obs=normalizer.normalize(state.obs_norm, batch.next_obs))


def _cat(obs, task):
  return jnp.concatenate([obs, task], axis=-1)


def policy_sample(hp: SACHyper, actor_params, obs, task, key):
  mean, log_std = hp.actor().apply(actor_params, _cat(obs, task))
  return networks.sample_tanh_gaussian(key, mean, log_std)


# ---------------------------------------------------------------- losses ---

def critic_loss(critic_params, target_critic_params, actor_params, log_alpha,
                batch: Transition, key, hp: SACHyper):
  """½ Σ_i mean w (Q_i(s, a) − y)², y = s·r + γ d (min Q̄(s′, a′) − α log π(a′|s′)),
  w the importance weights (1 without). Aux ``td_abs``: mean_i |Q_i − y|, f32[B]."""
  next_a, next_logp = policy_sample(hp, actor_params, batch.next_obs, batch.task, key)
  q_next = hp.critic().apply(target_critic_params, _cat(batch.next_obs, batch.task), next_a)
  alpha = jnp.exp(log_alpha)
  v_next = jnp.min(q_next, axis=0) - alpha * next_logp
  target = hp.reward_scale * batch.reward + hp.gamma * batch.discount * v_next
  target = jax.lax.stop_gradient(target)
  q = hp.critic().apply(critic_params, _cat(batch.obs, batch.task), batch.action)
  if batch.weight is None:
    loss = 0.5 * jnp.sum(jnp.mean(jnp.square(q - target[None]), axis=1))
  else:  # importance-weighted per sample (prioritized replay)
    loss = 0.5 * jnp.sum(jnp.mean(batch.weight[None] * jnp.square(q - target[None]), axis=1))
  # |δ| per sample, the mean over the twin critics: prioritized replay's priority.
  td_abs = jnp.mean(jnp.abs(q - target[None]), axis=0)
  return loss, {"critic_loss": loss, "q_mean": jnp.mean(q), "target_mean": jnp.mean(target),
                "td_abs": td_abs}


def actor_loss(actor_params, critic_params, log_alpha, batch: Transition, key, hp: SACHyper):
  """mean α log π(a|s) − min Q(s, a), a ~ π (reparameterised)."""
  a, logp = policy_sample(hp, actor_params, batch.obs, batch.task, key)
  q = hp.critic().apply(critic_params, _cat(batch.obs, batch.task), a)
  alpha = jax.lax.stop_gradient(jnp.exp(log_alpha))
  loss = jnp.mean(alpha * logp - jnp.min(q, axis=0))
  return loss, {"actor_loss": loss, "entropy": -jnp.mean(logp), "log_prob": logp}


def alpha_loss(log_alpha, log_prob, target_entropy):
  """−log α · mean(log π + H̄): raises α when entropy is below target."""
  return -log_alpha * jnp.mean(jax.lax.stop_gradient(log_prob) + target_entropy)


def polyak(target, online, tau):
  return jax.tree.map(lambda t, o: (1.0 - tau) * t + tau * o, target, online)


# ---------------------------------------------------------------- update ---

def update(state: SACState, batch: Transition, key: jax.Array
           ) -> Tuple[SACState, Dict[str, jax.Array]]:
  """One gradient step on critic, actor and temperature; Polyak targets.
  ``batch`` holds raw observations (normalised here when that is on)."""
  hp = state.hp
  batch = _normalized(state, batch)
  chex.assert_rank([batch.obs, batch.action, batch.task], 2)
  chex.assert_rank([batch.reward, batch.discount], 1)
  tx_a, tx_c, tx_al = hp.optimizers()
  k_c, k_a = jax.random.split(key)

  (_, c_info), c_grads = jax.value_and_grad(critic_loss, has_aux=True)(
      state.critic_params, state.target_critic_params, state.actor_params,
      state.log_alpha, batch, k_c, hp)
  c_upd, critic_opt = tx_c.update(c_grads, state.critic_opt, state.critic_params)
  critic_params = optax.apply_updates(state.critic_params, c_upd)

  (_, a_info), a_grads = jax.value_and_grad(actor_loss, has_aux=True)(
      state.actor_params, critic_params, state.log_alpha, batch, k_a, hp)
  a_upd, actor_opt = tx_a.update(a_grads, state.actor_opt, state.actor_params)
  actor_params = optax.apply_updates(state.actor_params, a_upd)

  al_loss, al_grad = jax.value_and_grad(alpha_loss)(
      state.log_alpha, a_info.pop("log_prob"), hp.target_entropy)
  al_upd, alpha_opt = tx_al.update(al_grad, state.alpha_opt, state.log_alpha)
  log_alpha = optax.apply_updates(state.log_alpha, al_upd)

  target = polyak(state.target_critic_params, critic_params, hp.tau)
  new_state = state.replace(actor_params=actor_params, critic_params=critic_params,
                            target_critic_params=target, log_alpha=log_alpha,
                            actor_opt=actor_opt, critic_opt=critic_opt,
                            alpha_opt=alpha_opt, step=state.step + 1)
  metrics = {**c_info, **a_info, "alpha_loss": al_loss, "alpha": jnp.exp(log_alpha)}
  return new_state, metrics


# ------------------------------------------------------- acting & values ---

def act(state: SACState, obs, task, key, deterministic: bool):
  """Action for observation(s) ``obs`` under ``task``; tanh(mean) if deterministic."""
  return networks.policy_action(state.hp.actor(), state.actor_params,
                                normalizer.normalize(state.obs_norm, obs), task, key,
                                deterministic)


def relabel_fns(state: SACState) -> Dict[str, Any]:
  """Pure functions of the current parameters for ``RelabelContext`` (on raw
  observations: each normalises them as the networks need)."""
  hp = state.hp
  norm = functools.partial(normalizer.normalize, state.obs_norm)

  def q(obs, action, task):
    """min(Q1, Q2)(s, a, z)."""
    return jnp.min(hp.critic().apply(state.critic_params, _cat(norm(obs), task), action),
                   axis=0)

  def q_first(obs, action, task):
    """Q1(s, a, z), the first critic alone (HIPI's released relabeling)."""
    return hp.critic().apply(state.critic_params, _cat(norm(obs), task), action)[0]

  def sample_action(key, obs, task):
    return policy_sample(hp, state.actor_params, norm(obs), task, key)[0]

  def mean_action(obs, task):
    mean, _ = hp.actor().apply(state.actor_params, _cat(norm(obs), task))
    return jnp.tanh(mean)

  def log_prob(obs, action, task):
    mean, log_std = hp.actor().apply(state.actor_params, _cat(norm(obs), task))
    return networks.tanh_gaussian_log_prob(networks.atanh_clipped(action), mean, log_std)

  def value(obs, task):
    """V(s, z) = min(Q1, Q2)(s, π_mean(s, z), z) (Generalized Hindsight)."""
    return q(obs, mean_action(obs, task), task)

  from hindsight.learners import pairwise  # every (transition, candidate task) pair
  pairs = pairwise.sac_pair_fns(hp, state)
  if state.obs_norm is not None:
    lp, sa, qp = pairs["log_prob_pairs"], pairs["sample_action_pairs"], pairs["q_pairs"]
    q1p = pairs["q_first_pairs"]
    pairs = dict(pairs,
                 log_prob_pairs=lambda obs, action, tasks: lp(norm(obs), action, tasks),
                 sample_action_pairs=lambda key, obs, tasks: sa(key, norm(obs), tasks),
                 q_pairs=lambda obs, actions, tasks: qp(norm(obs), actions, tasks),
                 q_first_pairs=lambda obs, actions, tasks: q1p(norm(obs), actions, tasks))
  return {"q": q, "q_first": q_first, "sample_action": sample_action,
          "mean_action": mean_action, "log_prob": log_prob, "value": value, **pairs}
