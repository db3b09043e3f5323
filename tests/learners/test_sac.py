"""SAC: losses on fixed numbers and against an independent re-derivation,
the update step, jit and vmap over seeds."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from hindsight import schema
from hindsight import learners, replay
from hindsight.learners import networks, sac

RTOL = 1e-5
ATOL = 1e-6

SPEC = replay.EpisodeSpec(obs_size=3, action_size=2, feature_dim=2, task_dim=2, horizon=5)


def learner_config():
  c = schema.learner_config(schema.get_config())
  c.hidden_sizes = (32, 32)
  c.gamma = 0.9
  c.tau = 0.25
  c.init_alpha = 0.3
  c.reward_scale = 2.0
  return c


CFG = learner_config()
# init is vmapped over seeds (as the trainer runs it); one compile serves the
# single-seed tests (seed 0) and the vmap test.
init_seeds = jax.jit(jax.vmap(lambda key: sac.init(key, SPEC, CFG)))
SEED_KEYS = np.stack([np.asarray(jax.random.PRNGKey(0)), np.asarray(jax.random.PRNGKey(1))])


def make_batch(discount=(1.0, 0.0, 1.0, 1.0)):
  f = lambda x: np.asarray(x, np.float32)
  return sac.Transition(
      obs=f([[0.1, 0.2, 0.0], [-0.3, 0.5, 0.25], [0.7, -0.1, 0.5], [0.0, 0.0, 0.75]]),
      task=f([[0.2, -0.1], [0.0, 0.3], [-0.25, 0.1], [0.15, 0.15]]),
      action=f([[0.5, -0.5], [0.9, 0.1], [-0.2, -0.7], [0.0, 0.3]]),
      reward=f([1.0, -0.5, 0.25, 2.0]),
      next_obs=f([[0.15, 0.25, 0.05], [-0.2, 0.45, 0.3], [0.65, -0.05, 0.55], [0.1, 0.0, 0.8]]),
      discount=f(discount))


@pytest.fixture(scope="module")
def seeds():
  """The states of seeds 0 and 1, host copies, stacked on a leading axis."""
  return jax.device_get(init_seeds(SEED_KEYS))


@pytest.fixture(scope="module")
def fresh(seeds):
  """Seed 0's fresh state."""
  return jax.tree.map(lambda x: x[0], seeds)


@pytest.fixture(scope="module")
def state(fresh):
  """A state whose target critic differs from the online critic, so a loss
  test can tell which one a loss uses."""
  target = jax.tree.map(lambda x: 0.8 * x + np.float32(0.01), fresh.critic_params)
  return fresh.replace(target_critic_params=target)


# ------------------------------------------------------------ log-probs ---

def test_tanh_gaussian_log_prob_fixed_numbers():
  # log π = Σ_i [log N(u_i; m_i, σ_i) − log(1 − tanh(u_i)²)]
  # i=1: u 0.5, m 0.1, log σ −0.5: z = 0.4/e^−0.5 = 0.65948851
  #      log N = −z²/2 + 0.5 − ½ log 2π = −0.63640108; log(1 − tanh²0.5) = −0.24022901
  # i=2: u −1.2, m −0.3, log σ 0.2: z = −0.9/e^0.2 = −0.73685768
  #      log N = −1.39041815;                        log(1 − tanh²1.2) = −1.18737794
  # total = (−0.63640108 + 0.24022901) + (−1.39041815 + 1.18737794) = −0.59921227
  lp = networks.tanh_gaussian_log_prob(jnp.asarray([0.5, -1.2]), jnp.asarray([0.1, -0.3]),
                                       jnp.asarray([-0.5, 0.2]))
  np.testing.assert_allclose(lp, -0.59921227, rtol=RTOL)

  def reference(u, m, ls):  # the textbook formula, in double precision
    z = (u - m) / math.exp(ls)
    return (-0.5 * z * z - ls - 0.5 * math.log(2 * math.pi)) - math.log(1 - math.tanh(u)**2)

  np.testing.assert_allclose(reference(0.5, 0.1, -0.5) + reference(-1.2, -0.3, 0.2),
                             -0.59921227, atol=1e-8)


def test_tanh_gaussian_log_prob_stable_for_large_pre_tanh():
  # float32 tanh(10)² rounds to 1, so log(1 − tanh²) would be −inf; the
  # function must use log(sech² u) = −2 log cosh u instead:
  #   u 10,  m 9.5, log σ 0:   log N = −1.04393853, log sech²(10) = −18.61370564
  #   u −12, m −11, log σ 0.5: log N = −1.60287825, log sech²(12) = −22.61370564
  #   total = 17.56976711 + 21.01082739 = 38.58059450
  lp = networks.tanh_gaussian_log_prob(jnp.asarray([[10.0, -12.0]]), jnp.asarray([[9.5, -11.0]]),
                                       jnp.asarray([[0.0, 0.5]]))
  assert lp.shape == (1,)
  np.testing.assert_allclose(lp, [38.58059450], rtol=RTOL)


def test_sample_tanh_gaussian_is_reparameterised():
  key = jax.random.PRNGKey(3)
  mean, log_std = jnp.asarray([[0.2, -0.4]]), jnp.asarray([[-1.0, 0.3]])
  a, lp = networks.sample_tanh_gaussian(key, mean, log_std)
  u = mean + jnp.exp(log_std) * jax.random.normal(key, mean.shape)
  np.testing.assert_allclose(a, jnp.tanh(u), rtol=RTOL, atol=ATOL)
  np.testing.assert_allclose(lp, networks.tanh_gaussian_log_prob(u, mean, log_std), rtol=RTOL)


# --------------------------------------------------------- small losses ---

def test_alpha_loss_fixed_numbers():
  # −log α · mean(log π + H̄) = −0.5 · mean(−1 − 2, −3 − 2) = −0.5 · (−4) = 2
  loss, grad = jax.value_and_grad(sac.alpha_loss)(
      jnp.asarray(0.5), jnp.asarray([-1.0, -3.0]), -2.0)
  np.testing.assert_allclose(loss, 2.0, rtol=RTOL)
  # d/d log α = −mean(log π + H̄) = 4 > 0: entropy (2) is above target (−2),
  # so gradient descent lowers α.
  np.testing.assert_allclose(grad, 4.0, rtol=RTOL)
  # Entropy below target: −(−1) · mean(4 − 2, 2 − 2) = 1, gradient −1: α rises.
  loss, grad = jax.value_and_grad(sac.alpha_loss)(
      jnp.asarray(-1.0), jnp.asarray([4.0, 2.0]), -2.0)
  np.testing.assert_allclose(loss, 1.0, rtol=RTOL)
  np.testing.assert_allclose(grad, -1.0, rtol=RTOL)
  # no gradient flows into the log-probabilities
  g = jax.grad(sac.alpha_loss, argnums=1)(jnp.asarray(0.5), jnp.asarray([-1.0, -3.0]), -2.0)
  np.testing.assert_array_equal(g, [0.0, 0.0])


def test_polyak_fixed_numbers():
  target = {"a": jnp.asarray([1.0, 2.0]), "b": jnp.asarray(3.0)}
  online = {"a": jnp.asarray([3.0, 6.0]), "b": jnp.asarray(-1.0)}
  out = sac.polyak(target, online, 0.25)
  # 0.75·1 + 0.25·3 = 1.5;  0.75·2 + 0.25·6 = 3.0;  0.75·3 + 0.25·(−1) = 2.0
  np.testing.assert_allclose(out["a"], [1.5, 3.0], rtol=RTOL)
  np.testing.assert_allclose(out["b"], 2.0, rtol=RTOL)
  np.testing.assert_allclose(sac.polyak(target, online, 1.0)["a"], [3.0, 6.0])
  np.testing.assert_allclose(sac.polyak(target, online, 0.0)["a"], [1.0, 2.0])


# ----------------------------------------------- critic and actor losses ---

@jax.jit
def _network_outputs(actor_params, critic_params, target_params, batch, key):
  """What the loss formulas need, from the networks' apply functions only."""
  hp = sac.SACHyper.from_config(SPEC, CFG)
  actor = networks.TanhGaussianPolicy(hp.hidden_sizes, 2, hp.log_std_min, hp.log_std_max)
  critic = networks.TwinQ(hp.hidden_sizes)
  cat = lambda o, z: jnp.concatenate([o, z], -1)
  out = {}
  for name, obs in (("next", batch.next_obs), ("now", batch.obs)):
    mean, log_std = actor.apply(actor_params, cat(obs, batch.task))
    u = mean + jnp.exp(log_std) * jax.random.normal(key, mean.shape)
    out[name] = dict(mean=mean, log_std=log_std, u=u)
    out[name]["q_target"] = critic.apply(target_params, cat(obs, batch.task), jnp.tanh(u))
    out[name]["q_online"] = critic.apply(critic_params, cat(obs, batch.task), jnp.tanh(u))
  out["q_data"] = critic.apply(critic_params, cat(batch.obs, batch.task), batch.action)
  return jax.device_get(out)


def _log_prob64(mean, log_std, u):
  """Σ log N(u; mean, σ) − log(1 − tanh(u)²), in float64 NumPy."""
  mean, log_std, u = (np.asarray(x, np.float64) for x in (mean, log_std, u))
  z = (u - mean) / np.exp(log_std)
  log_n = -0.5 * z**2 - log_std - 0.5 * np.log(2 * np.pi)
  return np.sum(log_n - np.log(1 - np.tanh(u)**2), axis=-1)


def _expected_critic_loss(state, batch, key):
  out = _network_outputs(state.actor_params, state.critic_params,
                         state.target_critic_params, batch, key)
  nxt = out["next"]
  alpha = math.exp(float(state.log_alpha))  # 0.3
  logp = _log_prob64(nxt["mean"], nxt["log_std"], nxt["u"])
  v_next = np.min(nxt["q_target"].astype(np.float64), axis=0) - alpha * logp
  # y = reward_scale·r + γ·discount·v′ = 2·r + 0.9·d·v′
  y = 2.0 * batch.reward + 0.9 * batch.discount * v_next
  q = out["q_data"].astype(np.float64)  # [2, B]
  return 0.5 * (np.mean((q[0] - y)**2) + np.mean((q[1] - y)**2)), y


# One compile each for value and gradients (all loss tests share shapes).
_critic_vg = jax.jit(jax.value_and_grad(sac.critic_loss, argnums=(0, 1, 2, 3), has_aux=True),
                     static_argnums=6)
_actor_vg = jax.jit(jax.value_and_grad(sac.actor_loss, argnums=(0, 2), has_aux=True),
                    static_argnums=5)


def critic_loss(*args):
  return _critic_vg(*args)[0]


def actor_loss(*args):
  return _actor_vg(*args)[0]


def test_critic_loss_matches_independent_derivation(state):
  batch, key = make_batch(), jax.random.PRNGKey(7)
  loss, info = critic_loss(state.critic_params, state.target_critic_params,
                           state.actor_params, state.log_alpha, batch, key, state.hp)
  expected, y = _expected_critic_loss(state, batch, key)
  np.testing.assert_allclose(loss, expected, rtol=1e-5)
  np.testing.assert_allclose(info["target_mean"], np.mean(y), rtol=1e-5, atol=1e-6)
  np.testing.assert_allclose(np.exp(state.log_alpha), 0.3, rtol=1e-6)


def test_critic_loss_termination_removes_the_bootstrap(state):
  batch, key = make_batch(discount=(0.0, 0.0, 0.0, 0.0)), jax.random.PRNGKey(7)
  loss, info = critic_loss(state.critic_params, state.target_critic_params,
                           state.actor_params, state.log_alpha, batch, key, state.hp)
  # y = 2·r exactly: (2, −1, 0.5, 4), mean 1.375
  np.testing.assert_allclose(info["target_mean"], 1.375, rtol=RTOL)
  q = _network_outputs(state.actor_params, state.critic_params, state.target_critic_params,
                       batch, key)["q_data"].astype(np.float64)
  y = np.asarray([2.0, -1.0, 0.5, 4.0])
  np.testing.assert_allclose(loss, 0.5 * np.sum(np.mean((q - y)**2, axis=1)), rtol=1e-5)
  # ... so the target critic no longer matters.
  other_target = jax.tree.map(lambda x: np.float32(3.0) * x, state.target_critic_params)
  loss2, _ = critic_loss(state.critic_params, other_target, state.actor_params,
                         state.log_alpha, batch, key, state.hp)
  np.testing.assert_allclose(loss2, loss, rtol=RTOL)
  # With discount 1 it does.
  loss3, _ = critic_loss(state.critic_params, other_target, state.actor_params,
                         state.log_alpha, make_batch((1.0,) * 4), key, state.hp)
  assert abs(float(loss3) - float(loss)) > 1e-3


def test_critic_loss_gradient_does_not_reach_the_target(state):
  batch, key = make_batch(), jax.random.PRNGKey(7)
  _, (g_critic, g_target, g_actor, g_alpha) = _critic_vg(
      state.critic_params, state.target_critic_params, state.actor_params, state.log_alpha,
      batch, key, state.hp)
  assert any(np.any(g != 0) for g in jax.tree.leaves(g_critic))
  for g in jax.tree.leaves((g_target, g_actor, g_alpha)):
    np.testing.assert_array_equal(g, np.zeros_like(g))


def test_actor_loss_matches_independent_derivation(state):
  batch, key = make_batch(), jax.random.PRNGKey(11)
  loss, info = actor_loss(state.actor_params, state.critic_params, state.log_alpha,
                          batch, key, state.hp)
  now = _network_outputs(state.actor_params, state.critic_params,
                         state.target_critic_params, batch, key)["now"]
  logp = _log_prob64(now["mean"], now["log_std"], now["u"])
  # mean(α log π(a|s) − min(Q1, Q2)(s, a)), a = tanh(u), α = 0.3
  expected = np.mean(0.3 * logp - np.min(now["q_online"].astype(np.float64), axis=0))
  np.testing.assert_allclose(loss, expected, rtol=1e-5)
  np.testing.assert_allclose(info["log_prob"], logp, rtol=1e-5, atol=1e-5)
  np.testing.assert_allclose(info["entropy"], -np.mean(logp), rtol=1e-5)
  # α is a constant of the actor loss
  _, (g_actor, g_alpha) = _actor_vg(state.actor_params, state.critic_params, state.log_alpha,
                                    batch, key, state.hp)
  assert float(g_alpha) == 0.0
  assert any(np.any(g != 0) for g in jax.tree.leaves(g_actor))


# ---------------------------------------------------------------- update ---

update = jax.jit(sac.update)


@pytest.fixture(scope="module")
def updated(fresh):
  key = jax.random.PRNGKey(5)
  new, metrics = update(fresh, make_batch(), key)
  return fresh, jax.device_get(new), jax.device_get(metrics), key


def test_update_changes_params_and_counts(updated):
  old, new, metrics, _ = updated
  assert int(old.step) == 0 and int(new.step) == 1
  for name in ("actor_params", "critic_params"):
    for a, b in zip(jax.tree.leaves(getattr(old, name)), jax.tree.leaves(getattr(new, name))):
      assert a.shape == b.shape
      assert not np.array_equal(a, b), name
  for k in ("critic_loss", "actor_loss", "alpha_loss", "alpha", "entropy", "q_mean"):
    assert np.isfinite(metrics[k]), k
  assert "log_prob" not in metrics  # per-sample values are not metrics


def test_update_target_is_polyak_mix_of_new_critic(updated):
  old, new, _, _ = updated
  tau = 0.25
  for t_old, c_new, t_new in zip(jax.tree.leaves(old.target_critic_params),
                                 jax.tree.leaves(new.critic_params),
                                 jax.tree.leaves(new.target_critic_params)):
    np.testing.assert_allclose(t_new, (1 - tau) * t_old + tau * c_new, rtol=RTOL, atol=ATOL)


def test_update_temperature_step(updated):
  old, new, metrics, _ = updated
  # d/d log α of −log α·mean(log π + H̄) is g = −mean(log π) − H̄ = entropy + 2
  # (H̄ = −A = −2). Adam's first step is −lr·g/(|g| + ε) = −3e-4·sign(g).
  g = metrics["entropy"] + 2.0
  np.testing.assert_allclose(new.log_alpha, float(old.log_alpha) - 3e-4 * np.sign(g),
                             rtol=0, atol=1e-7)
  np.testing.assert_allclose(metrics["alpha"], np.exp(float(new.log_alpha)), rtol=RTOL)


def test_update_reports_the_critic_loss_it_minimised(updated):
  old, _, metrics, key = updated
  k_critic, _ = jax.random.split(key)
  loss, _ = critic_loss(old.critic_params, old.target_critic_params, old.actor_params,
                        old.log_alpha, make_batch(), k_critic, old.hp)
  np.testing.assert_allclose(metrics["critic_loss"], loss, rtol=1e-5)


def test_update_rejects_unbatched_input(state):
  b = make_batch()
  with pytest.raises(AssertionError):
    sac.update(state, b.replace(reward=b.reward[:, None]), jax.random.PRNGKey(0))


def test_vmap_over_seeds_of_init_and_update(seeds, updated):
  _, single, single_metrics, k_update = updated  # seed 0, unbatched
  np.testing.assert_array_equal(seeds.step, [0, 0])
  # seeds start from different parameters
  w = [x for x in jax.tree.leaves(seeds.actor_params) if x.ndim == 3][0]  # a kernel
  assert w.shape[0] == 2 and not np.allclose(w[0], w[1])
  new, metrics = jax.jit(jax.vmap(sac.update, in_axes=(0, None, None)))(
      seeds, make_batch(), k_update)
  new, metrics = jax.device_get((new, metrics))
  np.testing.assert_array_equal(new.step, [1, 1])
  assert metrics["critic_loss"].shape == (2,)
  w = [x for x in jax.tree.leaves(new.actor_params) if x.ndim == 3][0]
  assert not np.allclose(w[0], w[1])
  # seed 0 of the vmapped update is the unbatched update of seed 0
  for a, b in zip(jax.tree.leaves(jax.tree.map(lambda x: x[0], new)), jax.tree.leaves(single)):
    np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
  np.testing.assert_allclose(metrics["critic_loss"][0], single_metrics["critic_loss"], rtol=1e-4)
  # and each seed's target is its own Polyak mix
  for s in (0, 1):
    for t_old, c_new, t_new in zip(jax.tree.leaves(seeds.target_critic_params),
                                   jax.tree.leaves(new.critic_params),
                                   jax.tree.leaves(new.target_critic_params)):
      np.testing.assert_allclose(t_new[s], 0.75 * t_old[s] + 0.25 * c_new[s], rtol=RTOL,
                                 atol=ATOL)


def test_init_state(fresh):
  assert int(fresh.step) == 0
  np.testing.assert_allclose(fresh.log_alpha, math.log(0.3), rtol=1e-6)
  assert fresh.hp.target_entropy == -2.0 and fresh.hp.hidden_sizes == (32, 32)
  for a, b in zip(jax.tree.leaves(fresh.critic_params), jax.tree.leaves(fresh.target_critic_params)):
    np.testing.assert_array_equal(a, b)
  assert learners.make("sac") is sac
  with pytest.raises(ValueError, match="sac"):
    learners.make("nope")


# --------------------------------------------------------- acting, values ---

def test_act_and_relabel_fns(state):
  batch, key = make_batch(), jax.random.PRNGKey(2)

  @jax.jit
  def run(state):
    fns = sac.relabel_fns(state)
    det = sac.act(state, batch.obs, batch.task, key, True)
    sto = sac.act(state, batch.obs, batch.task, key, False)
    a, logp = sac.policy_sample(state.hp, state.actor_params, batch.obs, batch.task, key)
    return dict(det=det, sto=sto, a=a, logp=logp,
                mean_action=fns["mean_action"](batch.obs, batch.task),
                sample_action=fns["sample_action"](key, batch.obs, batch.task),
                log_prob=fns["log_prob"](batch.obs, a, batch.task),
                value=fns["value"](batch.obs, batch.task),
                q_at_mean=fns["q"](batch.obs, det, batch.task))

  out = jax.device_get(run(state))
  assert out["det"].shape == out["sto"].shape == (4, 2)
  assert np.all(np.abs(out["det"]) < 1) and np.all(np.abs(out["sto"]) < 1)
  assert not np.allclose(out["det"], out["sto"])
  np.testing.assert_allclose(out["det"], out["mean_action"], rtol=RTOL, atol=ATOL)
  np.testing.assert_allclose(out["sto"], out["a"], rtol=RTOL, atol=ATOL)
  np.testing.assert_allclose(out["sample_action"], out["a"], rtol=RTOL, atol=ATOL)
  # log π of a sampled action, recomputed through atanh, matches the sampler's
  np.testing.assert_allclose(out["log_prob"], out["logp"], rtol=1e-4, atol=1e-4)
  # V(s, z) = min Q(s, π_mean(s, z), z)
  np.testing.assert_allclose(out["value"], out["q_at_mean"], rtol=RTOL, atol=ATOL)


def test_critic_loss_importance_weights_and_td_errors(state):
  """Prioritized replay: per-sample weights w multiply the squared errors,
  ½ Σ_i mean_b w_b (Q_i − y)_b², and ``td_abs`` is mean_i |Q_i − y|."""
  batch, key = make_batch(), jax.random.PRNGKey(7)
  w = np.asarray([1.0, 0.5, 0.0, 2.0], np.float32)
  loss, info = jax.jit(sac.critic_loss, static_argnums=6)(
      state.critic_params, state.target_critic_params, state.actor_params, state.log_alpha,
      batch.replace(weight=jnp.asarray(w)), key, state.hp)
  _, y = _expected_critic_loss(state, batch, key)
  q = _network_outputs(state.actor_params, state.critic_params, state.target_critic_params,
                       batch, key)["q_data"].astype(np.float64)
  np.testing.assert_allclose(loss, 0.5 * (np.mean(w * (q[0] - y)**2) + np.mean(w * (q[1] - y)**2)),
                             rtol=1e-5)
  np.testing.assert_allclose(info["td_abs"], np.mean(np.abs(q - y), axis=0), rtol=1e-5,
                             atol=1e-6)
