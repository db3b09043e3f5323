"""SAC learns a tiny task-conditioned problem."""

import jax
import jax.numpy as jnp
import numpy as np

from hindsight import schema
from hindsight import replay
from hindsight.learners import sac


def test_sac_learns_task_conditioned_bandit():
  """One-step problem: reward −(a − z)², no bootstrap. The optimal
  deterministic action is a = z; SAC must get close for every task."""
  cfg = schema.learner_config(schema.get_config())
  cfg.hidden_sizes = (64, 64)
  cfg.actor_lr = cfg.critic_lr = cfg.alpha_lr = 3e-3
  cfg.init_alpha = 0.1
  spec = replay.EpisodeSpec(obs_size=1, action_size=1, feature_dim=1, task_dim=1, horizon=1)
  state = sac.init(jax.random.PRNGKey(0), spec, cfg)

  def step(state, key):
    k_z, k_a, k_u = jax.random.split(key, 3)
    z = jax.random.uniform(k_z, (128, 1), minval=-0.6, maxval=0.6)
    obs = jnp.zeros((128, 1))
    a = jax.random.uniform(k_a, (128, 1), minval=-1, maxval=1)
    batch = sac.Transition(obs=obs, task=z, action=a, reward=-jnp.sum((a - z) ** 2, -1),
                           next_obs=obs, discount=jnp.zeros(128))
    return sac.update(state, batch, k_u)

  state, metrics = jax.lax.scan(step, state, jax.random.split(jax.random.PRNGKey(1), 1500))
  z = jnp.linspace(-0.5, 0.5, 11)[:, None]
  a = sac.act(state, jnp.zeros((11, 1)), z, jax.random.PRNGKey(2), True)
  np.testing.assert_allclose(a, z, atol=0.1)
  assert np.all(np.isfinite(np.asarray(metrics["critic_loss"])))
