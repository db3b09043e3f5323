"""Flax networks: MLPs, a tanh-Gaussian policy and a twin Q-function.

All networks are task-conditioned by concatenation: the policy sees
concat(obs, task) and the critic concat(obs, task, action).
"""

from __future__ import annotations

import math
from typing import Sequence

import flax.linen as nn
import jax
import jax.numpy as jnp


class MLP(nn.Module):
  hidden_sizes: Sequence[int]
  out_size: int

  @nn.compact
  def __call__(self, x):
    for h in self.hidden_sizes:
      x = nn.relu(nn.Dense(h)(x))
    return nn.Dense(self.out_size)(x)


class TanhGaussianPolicy(nn.Module):
  """Outputs (mean, log_std) of the pre-tanh Gaussian."""
  hidden_sizes: Sequence[int]
  action_size: int
  log_std_min: float
  log_std_max: float

  @nn.compact
  def __call__(self, obs):
    out = MLP(self.hidden_sizes, 2 * self.action_size)(obs)
    mean, raw = jnp.split(out, 2, axis=-1)
    # Smoothly squash log σ into [min, max] (keeps gradients everywhere).
    log_std = self.log_std_min + 0.5 * (self.log_std_max - self.log_std_min) * (
        jnp.tanh(raw) + 1.0)
    return mean, log_std


class TwinQ(nn.Module):
  """Two independent Q-functions; returns f32[2, ...]."""
  hidden_sizes: Sequence[int]

  @nn.compact
  def __call__(self, obs, action):
    x = jnp.concatenate([obs, action], axis=-1)
    q1 = MLP(self.hidden_sizes, 1, name="q1")(x)[..., 0]
    q2 = MLP(self.hidden_sizes, 1, name="q2")(x)[..., 0]
    return jnp.stack([q1, q2])


def tanh_gaussian_log_prob(pre_tanh, mean, log_std):
  """log π(tanh(u)) for u ~ N(mean, σ²), with the tanh change of variables:
  log N(u) − Σ log(1 − tanh(u)²), the latter as 2(log 2 − u − softplus(−2u))."""
  z = (pre_tanh - mean) / jnp.exp(log_std)
  log_normal = -0.5 * jnp.square(z) - log_std - 0.5 * math.log(2 * math.pi)
  log_det = 2.0 * (math.log(2.0) - pre_tanh - jax.nn.softplus(-2.0 * pre_tanh))
  return jnp.sum(log_normal - log_det, axis=-1)


def sample_tanh_gaussian(key, mean, log_std):
  """Returns (action, log_prob) with a reparameterised sample."""
  u = mean + jnp.exp(log_std) * jax.random.normal(key, mean.shape)
  return jnp.tanh(u), tanh_gaussian_log_prob(u, mean, log_std)


def atanh_clipped(action, eps=1e-6):
  return jnp.arctanh(jnp.clip(action, -1 + eps, 1 - eps))


def policy_action(policy: nn.Module, params, obs, task, key, deterministic: bool):
  """Action of a task-conditioned tanh-Gaussian policy on concat(obs, task):
  tanh(mean) if deterministic, else a sample."""
  mean, log_std = policy.apply(params, jnp.concatenate([obs, task], axis=-1))
  if deterministic:
    return jnp.tanh(mean)
  return sample_tanh_gaussian(key, mean, log_std)[0]
