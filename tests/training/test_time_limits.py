"""Time limits (ARCHITECTURE 3.1, 3.5): terminal where the family says so.

Generalized Hindsight's point envs store the step at t = H as terminal, so Q
is the finite-horizon value Σ_{t<H} γ^t r; HIPI's bootstrap. These tests use
hand-computed numbers that bootstrapping through the time limit would miss.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from hindsight import schema
from hindsight import replay
from hindsight.learners import sac
from hindsight.training import Trainer
from hindsight.training.trainer import relabeled_terminal

point_goal = schema.load_module("configs/point_goal.py")


def _trainer(time_limit, horizon=5, gamma=0.9, **learner):
  c = schema.get_config()
  c.env.options.horizon = horizon
  c.env.options.time_limit = time_limit
  c.gamma = gamma
  c.learner.hidden_sizes = (64, 64)
  c.learner.update(learner)
  c.train.update(dict(num_envs=1, batch_size=8, warmup_episodes=0, buffer_episodes=4))
  return Trainer(c)


def _zero_policy(key, obs, task):
  del key, task
  return jnp.zeros((obs.shape[0], 2))


def _episode(tr, n=1, policy=_zero_policy):
  task = jnp.asarray([[0.1, 0.6, 0.5, 0.2, -1.0, 0.2]] * n, jnp.float32)
  eps, _ = tr.rollout(policy, jax.random.PRNGKey(0), tasks=task)
  return eps


@pytest.mark.parametrize("time_limit, last_discount", [("terminal", 0.0), ("bootstrap", 1.0)])
def test_td_target_at_the_last_step(time_limit, last_discount):
  # One fixed episode of H = 5 steps at rest (zero actions). At t = H − 1 the
  # SAC target is y = r + γ·d·V(s′) with d = 0 for a terminal time limit, so
  # y = r exactly; with bootstrapping d = 1.
  tr = _trainer(time_limit)
  eps = _episode(tr)
  buf = replay.add(replay.init(tr.spec, 4, tr.extras_spec), eps,
                   {k: jnp.zeros((1, *v)) for k, v in tr.extras_spec.items()})
  batch = replay.sample(buf, jax.random.PRNGKey(1), 64)
  tr_batch = tr.transition(batch, batch.task)
  t = np.asarray(batch.t)
  disc = np.asarray(tr_batch.discount)
  assert set(t) == set(range(5))
  np.testing.assert_array_equal(disc[t < 4], 1.0)
  np.testing.assert_array_equal(disc[t == 4], last_discount)
  state = sac.init(jax.random.PRNGKey(2), tr.spec, schema.learner_config(tr.config))
  _, info = sac.critic_loss(state.critic_params, state.target_critic_params,
                            state.actor_params, state.log_alpha,
                            jax.tree.map(lambda x: x[t == 4][:1], tr_batch),
                            jax.random.PRNGKey(3), state.hp)
  r_last = float(tr_batch.reward[t == 4][0])
  if time_limit == "terminal":
    np.testing.assert_allclose(float(info["target_mean"]), r_last, rtol=1e-6)
  else:
    assert abs(float(info["target_mean"]) - r_last) > 1e-3


def _fit_constant_reward(time_limit, steps=3000):
  """SAC's critic fitted on 16 random-action episodes of constant reward −1
  (α ≈ 0, so the soft value is the plain discounted return); returns
  Q(s_t, a_t, z) along the first episode."""
  tr = _trainer(time_limit, critic_lr=3e-3, actor_lr=1e-4, init_alpha=1e-6,
                alpha_lr=1e-9, tau=0.05)
  eps = _episode(tr, 16, tr.random_policy)
  H = tr.spec.horizon
  flat = lambda x: x.reshape(-1, *x.shape[2:])
  batch = tr.learner.Transition(
      obs=flat(eps.obs[:, :H]), task=jnp.repeat(eps.task, H, 0), action=flat(eps.action),
      reward=-jnp.ones(16 * H), next_obs=flat(eps.obs[:, 1:]),
      discount=1.0 - flat(eps.terminal))
  state = sac.init(jax.random.PRNGKey(0), tr.spec, schema.learner_config(tr.config))

  @jax.jit
  def fit(state):
    def body(s, k):
      return sac.update(s, batch, k)[0], None
    return jax.lax.scan(body, state, jax.random.split(jax.random.PRNGKey(1), steps))[0]

  state = fit(state)
  return np.asarray(sac.relabel_fns(state)["q"](batch.obs, batch.action, batch.task))[:H]


@pytest.mark.parametrize("time_limit", ["terminal", "bootstrap"])
def test_fitted_value_is_the_finite_horizon_return(time_limit):
  # r = −1, γ = 0.9, H = 5: V(s_0) = −Σ_{t<5} 0.9^t = −(1 − 0.9^5)/0.1 = −4.0951
  # and V(s_t) = −(1 − 0.9^(5−t))/0.1. Bootstrapping through the time limit
  # (no t/H in the observation) gives −1/(1 − 0.9) = −10 everywhere instead.
  q = _fit_constant_reward(time_limit)
  if time_limit == "terminal":
    expected = -(1 - 0.9 ** (5 - np.arange(5))) / 0.1
    np.testing.assert_allclose(q, expected, rtol=0.05)
    assert abs(q[0] - (-4.0951)) < 0.05 * 4.0951
  else:
    # Still on its way to −10 after 3,000 updates, and far below −4.1.
    assert np.all(q < -1.5 * 4.0951)


def test_relabeled_done_under_terminate_on_success():
  # point_goal with terminate_on_success: done′ = success(φ, z′) per task.
  c = point_goal.get_config()
  c.env.options.terminate_on_success = True
  c.train.update(dict(num_envs=1, batch_size=2, warmup_episodes=0, buffer_episodes=2))
  tr = Trainer(c)
  feats = jnp.asarray([[0.10, 0.0], [0.10, 0.0]])
  batch = replay.EpisodeBatch(
      obs=jnp.zeros((2, 4)), action=jnp.zeros((2, 2)), next_obs=jnp.zeros((2, 4)),
      features=feats, terminal=jnp.zeros(2), task=jnp.zeros((2, 2)),
      t=jnp.asarray([3, 19]), episode=jnp.zeros(2, jnp.int32),
      ep_features=jnp.zeros((2, 20, 2)), ep_action=jnp.zeros((2, 20, 2)),
      ep_mask=jnp.ones((2, 20)), first_obs=jnp.zeros((2, 4)), extras={})
  # Goal (0.12, 0) is 0.02 < ε = 0.05 away: done; goal (0.3, 0) is not, and the
  # time limit bootstraps, so t = 19 is not terminal either.
  z = jnp.asarray([[0.12, 0.0], [0.3, 0.0]])
  np.testing.assert_array_equal(relabeled_terminal(tr.family, batch, z), [1.0, 0.0])
  tr_batch = tr.transition(batch, z)
  np.testing.assert_array_equal(tr_batch.reward, [0.0, -1.0])
  np.testing.assert_array_equal(tr_batch.discount, [0.0, 1.0])
