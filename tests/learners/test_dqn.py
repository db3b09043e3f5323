"""DQN: losses against hand-computed numbers, ε schedule, targets, acting,
and learning a tiny task-conditioned problem."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from hindsight import schema
from hindsight import replay
from hindsight.learners import dqn, is_discrete


def f32(x):
  return np.asarray(x, np.float32)


def _cfg(**dqn_opts):
  cfg = schema.learner_config(schema.get_config())
  cfg.dqn.update(dqn_opts)
  return cfg


SPEC = replay.EpisodeSpec(obs_size=2, action_size=1, feature_dim=2, task_dim=2, horizon=2,
                          num_actions=3)


def test_registered_as_discrete():
  assert is_discrete("dqn") and not is_discrete("sac") and not is_discrete("bc")


def test_huber_by_hand():
  # δ = 1: |x| ≤ 1 → ½x²; beyond → |x| − ½.
  np.testing.assert_allclose(dqn.huber(f32([0.0, 0.5, -1.0, 3.0, -2.5]), 1.0),
                             [0.0, 0.125, 0.5, 2.5, 2.0], rtol=1e-6)
  # δ = 2: 3 → 2·(3 − 1) = 4; 1 → ½.
  np.testing.assert_allclose(dqn.huber(f32([3.0, 1.0]), 2.0), [4.0, 0.5], rtol=1e-6)


def test_double_q_target_by_hand():
  # The online network picks the next action, the target network values it.
  online = f32([[1.0, 5.0, 2.0], [0.0, -1.0, 3.0]])   # argmax: 1, 2
  target = f32([[10.0, 20.0, 30.0], [4.0, 5.0, 6.0]])  # Q̄ there: 20, 6
  y = dqn.double_q_target(online, target, f32([-1.0, 0.0]), f32([1.0, 0.0]), 0.5)
  # y0 = −1 + 0.5·1·20 = 9; y1 = 0 + 0.5·0·6 = 0 (termination: no bootstrap)
  np.testing.assert_allclose(y, [9.0, 0.0], rtol=1e-6)


def test_double_q_target_clipped_to_her_range_by_hand():
  # clip_return = 10: y ∈ [−10, 0] (HER's [−1/(1 − γ), 0]).
  online = f32([[1.0, 5.0], [3.0, 0.0], [0.0, 1.0]])   # argmax: 1, 0, 1
  target = f32([[0.0, 4.0], [-40.0, 0.0], [0.0, -6.0]])  # Q̄ there: 4, −40, −6
  y = dqn.double_q_target(online, target, f32([-1.0, -1.0, -1.0]), f32([1.0, 1.0, 1.0]),
                          0.5, clip_return=10.0)
  # unclipped: −1 + 2 = 1 → 0; −1 − 20 = −21 → −10; −1 − 3 = −4 stays
  np.testing.assert_allclose(y, [0.0, -10.0, -4.0], rtol=1e-6)
  unclipped = dqn.double_q_target(online, target, f32([-1.0, -1.0, -1.0]),
                                  f32([1.0, 1.0, 1.0]), 0.5)
  np.testing.assert_allclose(unclipped, [1.0, -21.0, -4.0], rtol=1e-6)


def _constant_q(values):
  """A DQN state whose network outputs the constant ``values`` f32[A] (zero
  kernels, bias = values) for every input, online and target."""
  state = dqn.init(jax.random.PRNGKey(0), SPEC, _cfg())
  params = jax.tree.map(jnp.zeros_like, state.params)
  last = sorted(params["params"])[-1]
  params["params"][last]["bias"] = jnp.asarray(values, jnp.float32)
  return state.replace(params=params, target_params=params)


def test_dqn_loss_by_hand():
  state = _constant_q([1.0, 2.0, 4.0])
  hp = state.hp
  b = dqn.Transition(obs=jnp.zeros((3, 2)), task=jnp.zeros((3, 2)),
                     action=jnp.asarray([[0], [2], [1]], jnp.int32),
                     reward=f32([-1.0, 0.0, 2.0]), next_obs=jnp.zeros((3, 2)),
                     discount=f32([1.0, 0.0, 1.0]))
  # Q(s, a) = 1, 4, 2; next: argmax 2 → Q̄ = 4; γ = 0.99 (base config).
  # y = −1 + 0.99·4 = 2.96; 0; 2 + 3.96 = 5.96.  δ = −1.96, 4, −3.96.
  # Huber(δ = 1): 1.46, 3.5, 3.46 → mean 2.806666…
  loss, info = dqn.dqn_loss(state.params, state.target_params, b, hp)
  np.testing.assert_allclose(info["target_mean"], (2.96 + 0 + 5.96) / 3, rtol=1e-5)
  np.testing.assert_allclose(info["td_abs"], [1.96, 4.0, 3.96], rtol=1e-5)
  np.testing.assert_allclose(loss, (1.46 + 3.5 + 3.46) / 3, rtol=1e-5)
  # Importance weights multiply each sample's loss.
  w = dqn.Transition(**{**b.__dict__, "weight": f32([1.0, 0.5, 0.0])})
  loss_w, _ = dqn.dqn_loss(state.params, state.target_params, w, hp)
  np.testing.assert_allclose(loss_w, (1.46 + 0.5 * 3.5) / 3, rtol=1e-5)


def test_epsilon_schedule():
  hp = dqn.init(jax.random.PRNGKey(0), SPEC,
                _cfg(epsilon_start=1.0, epsilon_end=0.1, epsilon_decay_updates=100)).hp
  np.testing.assert_allclose([dqn.epsilon(hp, s) for s in (0, 50, 100, 1000)],
                             [1.0, 0.55, 0.1, 0.1], rtol=1e-6)
  hp0 = dqn.init(jax.random.PRNGKey(0), SPEC, _cfg(epsilon_end=0.2,
                                                    epsilon_decay_updates=0)).hp
  np.testing.assert_allclose(dqn.epsilon(hp0, 0), 0.2)


def test_acting_greedy_and_epsilon_greedy():
  state = _constant_q([0.0, 3.0, 1.0])
  obs, task = jnp.zeros((4000, 2)), jnp.zeros((4000, 2))
  greedy = dqn.act(state, obs, task, None, True)
  assert greedy.shape == (4000, 1) and greedy.dtype == jnp.int32
  np.testing.assert_array_equal(greedy, 1)
  # ε = 1 at step 0 (base config): uniform over the 3 actions.
  a = np.asarray(dqn.act(state, obs, task, jax.random.PRNGKey(1), False))[:, 0]
  np.testing.assert_allclose(np.bincount(a, minlength=3) / a.size, 1 / 3, atol=0.03)
  # ε = 0.05 once decayed: greedy but for 0.05 · 2/3 of the steps.
  late = state.replace(step=jnp.asarray(10**6, jnp.int32))
  a = np.asarray(dqn.act(late, obs, task, jax.random.PRNGKey(2), False))[:, 0]
  np.testing.assert_allclose(np.mean(a != 1), 0.05 * 2 / 3, atol=0.015)


@pytest.mark.parametrize("mode", ["polyak", "periodic"])
def test_target_network_updates(mode):
  cfg = _cfg(target_update=mode, target_period=3)
  cfg.tau = 0.25
  state = dqn.init(jax.random.PRNGKey(0), SPEC, cfg)
  b = dqn.Transition(obs=jnp.ones((8, 2)), task=jnp.ones((8, 2)),
                     action=jnp.zeros((8, 1), jnp.int32), reward=jnp.ones(8),
                     next_obs=jnp.ones((8, 2)), discount=jnp.zeros(8))
  leaf = lambda p: np.asarray(jax.tree.leaves(p)[0])
  update = jax.jit(dqn.update)
  for i in range(1, 4):
    old_target = leaf(state.target_params)
    state, _ = update(state, b, jax.random.PRNGKey(i))
    if mode == "polyak":
      np.testing.assert_allclose(leaf(state.target_params),
                                 0.75 * old_target + 0.25 * leaf(state.params), rtol=1e-5,
                                 atol=1e-7)
    elif i < 3:
      np.testing.assert_array_equal(leaf(state.target_params), old_target)
    else:  # copied at update 3
      np.testing.assert_array_equal(leaf(state.target_params), leaf(state.params))


def test_polyak_every_averages_once_per_period():
  # polyak_every = 3, τ = 0.5: the target stays for updates 1-2 and is
  # averaged once at update 3 (HER's once per cycle), with the online
  # network as it is then.
  cfg = _cfg(target_update="polyak", polyak_every=3)
  cfg.tau = 0.5
  state = dqn.init(jax.random.PRNGKey(0), SPEC, cfg)
  b = dqn.Transition(obs=jnp.ones((8, 2)), task=jnp.ones((8, 2)),
                     action=jnp.zeros((8, 1), jnp.int32), reward=jnp.ones(8),
                     next_obs=jnp.ones((8, 2)), discount=jnp.zeros(8))
  leaf = lambda p: np.asarray(jax.tree.leaves(p)[0])
  first = leaf(state.target_params)
  update = jax.jit(dqn.update)
  for i in range(1, 7):
    state, _ = update(state, b, jax.random.PRNGKey(i))
    if i % 3:
      np.testing.assert_array_equal(leaf(state.target_params), first)
    else:
      want = 0.5 * first + 0.5 * leaf(state.params)
      np.testing.assert_allclose(leaf(state.target_params), want, rtol=1e-5, atol=1e-7)
      first = leaf(state.target_params)


def test_init_refuses_a_continuous_spec():
  spec = SPEC._replace(num_actions=0)
  with pytest.raises(ValueError, match="discrete-action family"):
    dqn.init(jax.random.PRNGKey(0), spec, _cfg())


def test_dqn_learns_task_conditioned_chain():
  """Two-step problem: the task z ∈ {0, 1, 2} names the rewarded action;
  step 1 (obs 0) leads to step 2 (obs 1) whatever the action, where the right
  action pays 1 and ends the episode. Q(obs 0, ·, z) must learn γ·1 for every
  action and Q(obs 1, z, z) = 1 ≫ the others; the greedy action at obs 1 is z."""
  cfg = _cfg(epsilon_decay_updates=0)
  cfg.hidden_sizes = (32,)
  cfg.critic_lr = 3e-3
  cfg.gamma = 0.9
  cfg.tau = 0.05
  spec = replay.EpisodeSpec(obs_size=1, action_size=1, feature_dim=1, task_dim=3,
                            horizon=2, num_actions=3)
  state = dqn.init(jax.random.PRNGKey(0), spec, cfg)

  def step(state, key):
    k_z, k_a, k_s, k_u = jax.random.split(key, 4)
    z = jax.random.randint(k_z, (128,), 0, 3)
    a = jax.random.randint(k_a, (128,), 0, 3)
    second = jax.random.bernoulli(k_s, 0.5, (128,))
    obs = second.astype(jnp.float32)[:, None]
    reward = jnp.where(second & (a == z), 1.0, 0.0)
    batch = dqn.Transition(obs=obs, task=jax.nn.one_hot(z, 3), action=a[:, None],
                           reward=reward, next_obs=jnp.ones((128, 1)),
                           discount=jnp.where(second, 0.0, 1.0))
    return dqn.update(state, batch, k_u)

  state, metrics = jax.jit(lambda s: jax.lax.scan(
      step, s, jax.random.split(jax.random.PRNGKey(1), 1500)))(state)
  tasks = jnp.eye(3)
  greedy = dqn.act(state, jnp.ones((3, 1)), tasks, None, True)[:, 0]
  np.testing.assert_array_equal(greedy, [0, 1, 2])
  q1 = dqn.q_values(state.hp, state.params, jnp.ones((3, 1)), tasks)
  np.testing.assert_allclose(np.diag(q1), 1.0, atol=0.1)
  q0 = dqn.q_values(state.hp, state.params, jnp.zeros((3, 1)), tasks)
  np.testing.assert_allclose(q0, 0.9, atol=0.1)
  fns = dqn.relabel_fns(state)
  np.testing.assert_allclose(fns["value"](jnp.ones((3, 1)), tasks), np.max(q1, -1), rtol=1e-6)
  np.testing.assert_array_equal(fns["mean_action"](jnp.ones((3, 1)), tasks)[:, 0], [0, 1, 2])
  np.testing.assert_allclose(fns["q"](jnp.ones((3, 1)), greedy[:, None], tasks), np.diag(q1),
                             rtol=1e-6)
  assert np.all(np.isfinite(np.asarray(metrics["q_loss"])))
