"""HIPI's candidate sets (hipi/relabelling_replay_buffer.py, _soft_relabel):
the batch's tasks, its achieved states (as meant and as released), blocks."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from hindsight import relabel, replay, tasks
from hindsight.relabel import RelabelContext, core

ZERO_FNS = {"log_prob": lambda o, a, z: jnp.zeros(o.shape[:-1]),
            "sample_action": lambda k, o, z: jnp.zeros(o.shape[:-1] + (2,)),
            "q": lambda o, a, z: jnp.zeros(o.shape[:-1]),
            "q_first": lambda o, a, z: jnp.zeros(o.shape[:-1])}


def _batch(positions, commanded, T=3):
  """Transition i at step 0 of an episode that sits at positions[i]."""
  b = positions.shape[0]
  z = lambda *s: jnp.zeros(s, jnp.float32)
  feats = jnp.broadcast_to(positions[:, None, :], (b, T, 2))
  return replay.EpisodeBatch(
      obs=z(b, 4), action=z(b, 2), next_obs=z(b, 4), features=positions, terminal=z(b),
      task=commanded, t=jnp.zeros(b, jnp.int32), episode=jnp.arange(b), ep_features=feats,
      ep_action=z(b, T, 2), ep_mask=jnp.ones((b, T)), first_obs=z(b, 4), extras={})


FAR = jnp.asarray([[0.0, 0.0], [0.5, 0.0]])          # achieved; 0.5 apart ≫ ε = 0.05
GOALS = jnp.asarray([[0.0, 0.3], [0.3, 0.3]])        # commanded; reached by neither


def test_states_candidates_score_and_assign_the_achieved_goals():
  fam = tasks.make("point_goal")
  ctx = RelabelContext(family=fam, gamma=0.0, fns=ZERO_FNS)
  hipi = relabel.make("hipi", candidates="states")
  batch = _batch(FAR, GOALS)
  scored, assigned = hipi.candidate_sets(jax.random.PRNGKey(0), batch, fam)
  np.testing.assert_allclose(scored, FAR)
  np.testing.assert_allclose(assigned, FAR)
  # γ = 0, log π = 0: logits = r(φ_i, g_j) = [[0, −1], [−1, 0]]; the columns'
  # logsumexp are equal, so row i keeps its own achieved goal with
  # probability 1 / (1 + e⁻¹) = 0.7311.
  logits = hipi.logits(jax.random.PRNGKey(0), batch, ctx, scored)
  np.testing.assert_allclose(logits, [[0.0, -1.0], [-1.0, 0.0]])
  logq = core.hipi_log_posterior(logits, True, 1.0)
  np.testing.assert_allclose(np.exp(logq[:, 0]), [0.7311, 0.2689], atol=1e-4)
  keys = jax.random.split(jax.random.PRNGKey(1), 4000)
  new = jax.vmap(lambda k: hipi(k, batch, ctx))(keys)
  own = np.mean(np.all(np.isclose(np.asarray(new), np.asarray(FAR)[None]), axis=-1))
  assert abs(own - 0.7311) < 0.02


def test_states_released_scores_commanded_tasks_but_assigns_achieved_goals():
  # The released code's quirk: logits over the commanded goals (here both −1
  # for every pair: uniform), assignment from the achieved states.
  fam = tasks.make("point_goal")
  ctx = RelabelContext(family=fam, gamma=0.0, fns=ZERO_FNS)
  hipi = relabel.make("hipi", candidates="states_released")
  batch = _batch(FAR, GOALS)
  scored, assigned = hipi.candidate_sets(jax.random.PRNGKey(0), batch, fam)
  np.testing.assert_allclose(scored, GOALS)
  np.testing.assert_allclose(assigned, FAR)
  logits = hipi.logits(jax.random.PRNGKey(0), batch, ctx, scored)
  np.testing.assert_allclose(logits, -1.0)
  keys = jax.random.split(jax.random.PRNGKey(2), 2000)
  new = np.asarray(jax.vmap(lambda k: hipi(k, batch, ctx))(keys))
  is_achieved = np.any(np.all(np.isclose(new[:, :, None], np.asarray(FAR)[None, None]), -1), -1)
  assert is_achieved.all()
  own = np.mean(np.all(np.isclose(new, np.asarray(FAR)[None]), axis=-1))
  assert abs(own - 0.5) < 0.04


def test_trajectory_level_states_take_a_step_of_each_episode():
  fam = tasks.make("point_goal")
  hipi = relabel.make("hipi", candidates="states", level="trajectory")
  b, T = 3, 4
  pos = jnp.stack([jnp.stack([jnp.full(T, 0.1 * i), 0.01 * jnp.arange(T)], -1)
                   for i in range(b)])  # episode i, step t at (0.1 i, 0.01 t)
  batch = _batch(pos[:, 0], GOALS[:1].repeat(b, 0), T).replace(
      ep_features=pos, ep_mask=jnp.asarray([[1, 1, 1, 1], [1, 1, 0, 0], [1, 0, 0, 0]],
                                           jnp.float32))
  for seed in range(20):
    _, cands = hipi.candidate_sets(jax.random.PRNGKey(seed), batch, fam)
    cands = np.asarray(cands)
    np.testing.assert_allclose(cands[:, 0], [0.0, 0.1, 0.2], atol=1e-6)
    steps = np.round(cands[:, 1] / 0.01).astype(int)
    assert steps[0] in range(4) and steps[1] in range(2) and steps[2] == 0


def test_blocks_score_each_block_against_itself():
  fam = tasks.make("point_goal")
  ctx = RelabelContext(family=fam, gamma=0.0, fns=ZERO_FNS)
  goals = fam.sample(jax.random.PRNGKey(0), 8)
  batch = _batch(goals, goals)
  hipi = relabel.make("hipi", candidates="batch", block_size=2)
  keys = jax.random.split(jax.random.PRNGKey(3), 200)
  new = np.asarray(jax.vmap(lambda k: hipi(k, batch, ctx))(keys))
  g = np.asarray(goals)
  for i in range(8):
    block = g[2 * (i // 2): 2 * (i // 2) + 2]
    assert np.all(np.any(np.all(np.isclose(new[:, i, None], block[None]), -1), -1)), i


def test_critic_first_scores_with_q1_alone():
  """The released code bootstraps the logits with the first critic
  (hipi/train_eval.py L160, L186): with Q1 = 2 and Q2 = −1 everywhere, γ = 0.5
  and log π = 0, logits = r + γ·Q1 = r + 1 for 'first' and r + γ·min = r − 0.5
  for 'min' (point_goal: r = [[0, −1], [−1, 0]] as above)."""
  fam = tasks.make("point_goal")
  fns = dict(ZERO_FNS, q=lambda o, a, z: jnp.full(o.shape[:-1], -1.0),
             q_first=lambda o, a, z: jnp.full(o.shape[:-1], 2.0))
  ctx = RelabelContext(family=fam, gamma=0.5, fns=fns)
  batch = _batch(FAR, GOALS)
  r = np.asarray([[0.0, -1.0], [-1.0, 0.0]])
  # the reached goal (diagonal) ends the episode (termination at success): no bootstrap
  reached = np.eye(2) if fam.terminate_on_success else np.zeros((2, 2))
  for critic, q in (("first", 2.0), ("min", -1.0)):
    hipi = relabel.make("hipi", candidates="states", critic=critic)
    logits = hipi.logits(jax.random.PRNGKey(0), batch, ctx, FAR)
    np.testing.assert_allclose(logits, r + 0.5 * q * (1 - reached), err_msg=critic)
  with pytest.raises(ValueError, match="critic must be one of"):
    relabel.make("hipi", critic="q2")


def test_uniform_is_the_released_random_baseline():
  """relabel_type='random' (_soft_relabel: logits = ones): each row draws one
  of the batch's B = 4 achieved goals with probability 1/4, with no networks."""
  fam = tasks.make("point_goal")
  hipi = relabel.make("hipi", candidates="states", uniform=True)
  assert not hipi.needs_values
  achieved = jnp.asarray([[0.0, 0.0], [0.5, 0.0], [0.0, 0.5], [0.5, 0.5]])
  batch = _batch(achieved, jnp.zeros((4, 2)))
  ctx = RelabelContext(family=fam, gamma=0.99, fns=None)
  keys = jax.random.split(jax.random.PRNGKey(3), 4000)
  new = np.asarray(jax.vmap(lambda k: hipi(k, batch, ctx))(keys))       # [4000, 4, 2]
  which = np.argmax(np.all(np.isclose(new[:, :, None], np.asarray(achieved)[None, None]),
                           axis=-1), axis=-1)                             # [4000, 4]
  freq = np.stack([np.mean(which == j, axis=0) for j in range(4)])        # [cand, row]
  np.testing.assert_allclose(freq, 0.25, atol=0.03)
  _, info = hipi.relabel_with_info(jax.random.PRNGKey(0), batch, ctx)
  np.testing.assert_allclose(info["hipi_posterior_entropy"], np.log(4.0), rtol=1e-6)


def test_candidate_options_refused_where_they_cannot_work():
  with pytest.raises(ValueError, match="needs a goal family"):
    relabel.make("hipi", candidates="states").check_family(tasks.make("point_trajectory"))
  with pytest.raises(ValueError, match="must divide"):
    relabel.make("hipi", block_size=48).check_batch_size(256)
  with pytest.raises(ValueError, match="one of"):
    relabel.make("hipi", candidates="goals")
  with pytest.raises(ValueError, match="trajectory"):
    relabel.make("hipi", candidates="states_released", level="trajectory")
