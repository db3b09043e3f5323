"""Task-conditioned behaviour cloning by maximum likelihood (HIPI-BC's learner).

The policy is the SAC actor's network family (a tanh-Gaussian MLP on
concat(obs, task)); the loss is −log π(a | s, z′) on relabeled (s ⊕ z′, a)
pairs. Same module interface as ``sac``: ``init``, ``update``, ``act``,
``relabel_fns`` (BC has no value function: only ``log_prob`` and actions).
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
from hindsight.learners.sac import Transition  # the shared batch layout

__all__ = ["BCHyper", "BCState", "Transition", "act", "bc_loss", "init",
           "relabel_fns", "update"]


@dataclasses.dataclass(frozen=True)
class BCHyper:
  obs_size: int
  task_dim: int
  action_size: int
  hidden_sizes: Tuple[int, ...]
  lr: float
  log_std_min: float
  log_std_max: float

  @classmethod
  def from_config(cls, spec, cfg) -> "BCHyper":
    return cls(obs_size=spec.obs_size, task_dim=spec.task_dim,
               action_size=spec.action_size,
               hidden_sizes=tuple(int(h) for h in cfg.hidden_sizes),
               lr=float(cfg.actor_lr), log_std_min=float(cfg.log_std_min),
               log_std_max=float(cfg.log_std_max))

  def policy(self):
    return networks.TanhGaussianPolicy(self.hidden_sizes, self.action_size,
                                       self.log_std_min, self.log_std_max)


@struct.dataclass
class BCState:
  params: Any
  opt: Any
  step: jax.Array
  hp: BCHyper = struct.field(pytree_node=False)


def init(key, spec, config) -> BCState:
  hp = BCHyper.from_config(spec, config)
  params = hp.policy().init(key, jnp.zeros((1, hp.obs_size + hp.task_dim)))
  return BCState(params=params, opt=optax.adam(hp.lr).init(params),
                 step=jnp.zeros((), jnp.int32), hp=hp)


def _cat(obs, task):
  return jnp.concatenate([obs, task], axis=-1)


def log_prob(hp: BCHyper, params, obs, action, task):
  mean, log_std = hp.policy().apply(params, _cat(obs, task))
  return networks.tanh_gaussian_log_prob(networks.atanh_clipped(action), mean, log_std)


def bc_loss(params, batch: Transition, hp: BCHyper):
  """−mean log π(a | s, z)."""
  lp = log_prob(hp, params, batch.obs, batch.action, batch.task)
  mean, _ = hp.policy().apply(params, _cat(batch.obs, batch.task))
  mse = jnp.mean(jnp.sum(jnp.square(jnp.tanh(mean) - batch.action), -1))
  return -jnp.mean(lp), {"bc_nll": -jnp.mean(lp), "bc_mean_action_mse": mse}


def update(state: BCState, batch: Transition, key) -> Tuple[BCState, Dict[str, jax.Array]]:
  del key
  chex.assert_rank([batch.obs, batch.action, batch.task], 2)
  hp = state.hp
  (_, info), grads = jax.value_and_grad(bc_loss, has_aux=True)(state.params, batch, hp)
  upd, opt = optax.adam(hp.lr).update(grads, state.opt, state.params)
  return state.replace(params=optax.apply_updates(state.params, upd), opt=opt,
                       step=state.step + 1), info


def act(state: BCState, obs, task, key, deterministic: bool):
  return networks.policy_action(state.hp.policy(), state.params, obs, task, key,
                                deterministic)


def relabel_fns(state: BCState) -> Dict[str, Any]:
  hp = state.hp

  def sample_action(key, obs, task):
    return act(state, obs, task, key, False)

  return {"log_prob": lambda o, a, z: log_prob(hp, state.params, o, a, z),
          "sample_action": sample_action,
          "mean_action": lambda o, z: act(state, o, z, None, True)}
