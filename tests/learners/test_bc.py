"""BC: loss on fixed numbers and recovery of a known linear expert."""

import jax
import jax.numpy as jnp
import numpy as np

from hindsight import schema
from hindsight import replay
from hindsight.learners import bc, networks


def _cfg():
  cfg = schema.learner_config(schema.get_config())
  cfg.hidden_sizes = (64, 64)
  cfg.actor_lr = 3e-3
  return cfg


def test_bc_loss_is_negative_log_likelihood():
  spec = replay.EpisodeSpec(obs_size=2, action_size=1, feature_dim=1, task_dim=1, horizon=1)
  state = bc.init(jax.random.PRNGKey(0), spec, _cfg())
  batch = bc.Transition(obs=jnp.array([[0.1, 0.2]]), task=jnp.array([[0.5]]),
                        action=jnp.array([[0.3]]), reward=jnp.zeros(1),
                        next_obs=jnp.zeros((1, 2)), discount=jnp.ones(1))
  loss, _ = bc.bc_loss(state.params, batch, state.hp)
  mean, log_std = state.hp.policy().apply(state.params, jnp.array([[0.1, 0.2, 0.5]]))
  u = np.arctanh(0.3)
  sigma = np.exp(float(log_std[0, 0]))
  # log N(u; μ, σ) − log(1 − tanh(u)²) = log N − log(1 − 0.09)
  expect = -(-0.5 * ((u - float(mean[0, 0])) / sigma) ** 2 - np.log(sigma)
             - 0.5 * np.log(2 * np.pi) - np.log(1 - 0.09))
  np.testing.assert_allclose(loss, expect, rtol=1e-4)


def test_bc_recovers_linear_expert():
  """Expert a = tanh(W [s; z]); after fitting, BC's mean action matches it."""
  spec = replay.EpisodeSpec(obs_size=3, action_size=2, feature_dim=1, task_dim=2, horizon=1)
  W = jnp.array([[0.8, -0.5], [0.3, 0.9], [-0.6, 0.2], [0.5, 0.5], [-0.7, 0.4]])
  expert = lambda s, z: jnp.tanh(jnp.concatenate([s, z], -1) @ W)
  state = bc.init(jax.random.PRNGKey(0), spec, _cfg())

  def step(state, key):
    k1, k2 = jax.random.split(key)
    s = jax.random.uniform(k1, (256, 3), minval=-1, maxval=1)
    z = jax.random.uniform(k2, (256, 2), minval=-1, maxval=1)
    batch = bc.Transition(obs=s, task=z, action=expert(s, z), reward=jnp.zeros(256),
                          next_obs=s, discount=jnp.ones(256))
    return bc.update(state, batch, key)

  state, m = jax.lax.scan(step, state, jax.random.split(jax.random.PRNGKey(1), 2000))
  s = jax.random.uniform(jax.random.PRNGKey(7), (100, 3), minval=-1, maxval=1)
  z = jax.random.uniform(jax.random.PRNGKey(8), (100, 2), minval=-1, maxval=1)
  a = bc.act(state, s, z, None, True)
  np.testing.assert_allclose(a, expert(s, z), atol=0.1)
  assert float(m["bc_nll"][-1]) < float(m["bc_nll"][0])
