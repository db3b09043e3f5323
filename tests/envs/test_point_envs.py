"""Point environments: dynamics by hand, observations, time limit, task handling."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from hindsight import envs
from hindsight.envs import PointEnv
from hindsight.tasks import PointGoal, PointReacher, PointTrajectory

ATOL = 1e-6
RTOL = 1e-5


def _run(env, task, actions):
  """Steps from reset_with_task through ``actions``; returns the states
  [s_0, s_1, …] as host pytrees (one jitted step, reused)."""
  step = jax.jit(env.step)
  state = jax.jit(env.reset_with_task)(jax.random.PRNGKey(0), np.asarray(task, np.float32))
  states = [jax.device_get(state)]
  for a in actions:
    state = step(state, np.asarray(a, np.float32))
    states.append(jax.device_get(state))
  return states


REACHER_TASK = [0.125, 0.75, 1.0, 0.2, -2.0, 0.25]


def test_registry_builds_the_family_env():
  assert isinstance(envs.make("point_reacher"), PointEnv)
  assert envs.make("point_reacher").control == "velocity"
  assert envs.make("point_goal").control == "velocity"
  assert envs.make("point_trajectory").control == "position"
  family, env = envs.family_and_env("point_goal", epsilon=0.1)
  assert env.family is family and family.epsilon == 0.1
  assert set(envs.names()) >= {"point_reacher", "point_goal", "point_trajectory"}
  with pytest.raises(ValueError) as e:
    envs.make("nope")
  for name in envs.names():
    assert name in str(e.value)


def test_sizes():
  v = envs.make("point_reacher")
  p = envs.make("point_trajectory")
  assert (v.observation_size, v.action_size) == (5, 2)  # x, y, vx, vy, t/H
  assert (p.observation_size, p.action_size) == (3, 2)  # x, y, t/H
  assert v.horizon == 20 and p.horizon == 15


def test_velocity_dynamics_by_hand():
  # v ← clip(v + a/20, ±0.25), p ← clip(p + v, ±1); a = (1, −0.5) every step:
  #   vx: 0.05, 0.10, 0.15, 0.20, 0.25, 0.25 (clip), 0.25
  #   x : 0.05, 0.15, 0.30, 0.50, 0.75, 1.00,        1.00 (clip of 1.25)
  #   vy: −0.025·k for k = 1..7 (never reaches −0.25)
  #   y : −0.025, −0.075, −0.15, −0.25, −0.375, −0.525, −0.70
  env = PointEnv(PointReacher(), "velocity")
  states = _run(env, REACHER_TASK, [(1.0, -0.5)] * 7)
  phys = np.stack([s.pipeline_state for s in states[1:]])
  np.testing.assert_allclose(phys[:, 2], [0.05, 0.10, 0.15, 0.20, 0.25, 0.25, 0.25],
                             rtol=RTOL, atol=ATOL)
  np.testing.assert_allclose(phys[:, 0], [0.05, 0.15, 0.30, 0.50, 0.75, 1.00, 1.00],
                             rtol=RTOL, atol=ATOL)
  np.testing.assert_allclose(phys[:, 3], [-0.025 * k for k in range(1, 8)],
                             rtol=RTOL, atol=ATOL)
  np.testing.assert_allclose(phys[:, 1], [-0.025, -0.075, -0.15, -0.25, -0.375, -0.525, -0.70],
                             rtol=RTOL, atol=ATOL)
  np.testing.assert_array_equal(states[0].pipeline_state, np.zeros(4))


def test_velocity_actions_are_clipped():
  # a = (4, −3) acts as (1, −1): v = (0.05, −0.05), p = (0.05, −0.05).
  env = PointEnv(PointReacher(), "velocity")
  s = _run(env, REACHER_TASK, [(4.0, -3.0)])[1]
  np.testing.assert_allclose(s.pipeline_state, [0.05, -0.05, 0.05, -0.05], rtol=RTOL, atol=ATOL)
  # The reward features see the clipped action: ‖(1, −1)‖ = √2.
  np.testing.assert_allclose(s.info["features"][2], np.sqrt(2), rtol=RTOL)


def test_position_dynamics_by_hand():
  # p ← clip(p + a/10, ±1); a = (1, −0.5) then (2, 0.3) (acts as (1, 0.3)):
  #   x: 0.1, 0.2, …, 1.0 after 10 steps, then stays at 1.0
  #   y: −0.05 per step for 10 steps = −0.5, then +0.03 per step
  env = PointEnv(PointTrajectory(), "position")
  actions = [(1.0, -0.5)] * 10 + [(2.0, 0.3)] * 3
  states = _run(env, [0.0, 0.8, 0.2], actions)
  phys = np.stack([s.pipeline_state for s in states[1:]])
  np.testing.assert_allclose(phys[:, 0], [0.1 * k for k in range(1, 11)] + [1.0] * 3,
                             rtol=RTOL, atol=ATOL)
  np.testing.assert_allclose(phys[:, 1],
                             [-0.05 * k for k in range(1, 11)] + [-0.47, -0.44, -0.41],
                             rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("name, task", [
    ("point_reacher", REACHER_TASK),
    ("point_trajectory", [0.3, 0.8, -0.2]),
    ("point_goal", [0.2, -0.1]),
])
def test_episode_obs_done_features_reward(name, task):
  family, env = envs.family_and_env(name)
  H = family.horizon
  rng = np.random.default_rng(0)
  actions = rng.uniform(-1.2, 1.2, (H, 2)).astype(np.float32)
  states = _run(env, task, actions)
  reward_fn = jax.jit(family.reward)
  features_fn = jax.jit(family.features)
  terminal_limit = family.time_limit == "terminal"
  for t, s in enumerate(states):
    # obs = physical ⊕ t/H where the time limit is terminal; physical only
    # where it bootstraps (point_goal, HIPI's rule).
    expected_obs = (np.concatenate([s.pipeline_state, [t / H]]) if terminal_limit
                    else s.pipeline_state)
    np.testing.assert_allclose(s.obs, expected_obs, rtol=RTOL, atol=ATOL)
    assert int(s.info["steps"]) == t
    # The task never changes within the episode.
    np.testing.assert_array_equal(s.info["task"], np.asarray(task, np.float32))
    # done exactly at step H, never before; a truncation only where the time
    # limit bootstraps.
    expected_done = 1.0 if t == H else 0.0
    assert float(s.done) == expected_done, (t, s.done)
    assert float(s.info["truncation"]) == (0.0 if terminal_limit else expected_done)
    if t == 0:
      np.testing.assert_array_equal(s.info["features"], np.zeros(family.feature_dim))
      assert float(s.reward) == 0.0
      continue
    prev, a = states[t - 1].pipeline_state, np.clip(actions[t - 1], -1, 1)
    feats = features_fn(prev, a, s.pipeline_state)
    np.testing.assert_allclose(s.info["features"], feats, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(s.reward, reward_fn(feats, a, s.info["task"]),
                               rtol=RTOL, atol=ATOL)


def test_reset_draws_a_task_per_key():
  env = envs.make("point_reacher")
  keys = jax.random.split(jax.random.PRNGKey(0), 8)
  states = jax.jit(jax.vmap(env.reset))(keys)
  task = np.asarray(states.info["task"])
  assert task.shape == (8, 6)
  assert len(np.unique(task, axis=0)) == 8
  lo, hi = env.family.task_low_high()
  assert np.all(task >= lo - 1e-6) and np.all(task <= hi + 1e-6)
  # Every reset starts at rest at the origin, at t = 0.
  np.testing.assert_array_equal(states.pipeline_state, np.zeros((8, 4)))
  np.testing.assert_array_equal(states.obs, np.zeros((8, 5)))
  np.testing.assert_array_equal(states.done, np.zeros(8))
  # The same key gives the same task.
  again = jax.jit(env.reset)(keys[3])
  np.testing.assert_array_equal(again.info["task"], task[3])


def test_reset_with_task_keeps_the_task_under_vmap():
  env = envs.make("point_goal")
  task = np.asarray([[0.2, 0.0], [-0.1, 0.25], [0.0, -0.3]], np.float32)
  keys = jax.random.split(jax.random.PRNGKey(1), 3)
  state = jax.jit(jax.vmap(env.reset_with_task))(keys, task)
  step = jax.jit(jax.vmap(env.step))
  for _ in range(3):
    state = step(state, np.ones((3, 2), np.float32))
  np.testing.assert_array_equal(state.info["task"], task)
  np.testing.assert_array_equal(state.info["steps"], [3, 3, 3])


def test_goal_env_reward_zero_at_the_goal():
  # Velocity point, a = (1, 0) three times: x = 0.05, 0.15, 0.30; goal (0.15, 0).
  # reward_state='next' (s_{t+1}): step 1: d = 0.10 > ε → −1; step 2: d = 0 → 0.
  env = envs.make("point_goal", reward_state="next")
  states = _run(env, [0.15, 0.0], [(1.0, 0.0)] * 3)
  assert [float(s.reward) for s in states[1:]] == [-1.0, 0.0, -1.0]
  # HIPI's default, reward_state='current' (s_t): the reward of step 3 is the
  # one at x = 0.15, the state the third action starts from.
  env = envs.make("point_goal")
  states = _run(env, [0.15, 0.0], [(1.0, 0.0)] * 3)
  assert [float(s.reward) for s in states[1:]] == [-1.0, -1.0, 0.0]


@pytest.mark.parametrize("name, limit", [("point_reacher", "terminal"),
                                         ("point_trajectory", "terminal"),
                                         ("point_goal", "bootstrap")])
def test_time_limit_defaults_follow_the_papers(name, limit):
  # GH's point envs store done = t >= H as terminal; HIPI bootstraps.
  family, env = envs.family_and_env(name)
  assert family.time_limit == limit
  physical = 4 if name != "point_trajectory" else 2
  assert env.observation_size == physical + (limit == "terminal")


def test_time_limit_option_switches_obs_and_truncation():
  env = envs.make("point_reacher", time_limit="bootstrap", horizon=2)
  states = _run(env, REACHER_TASK, [(1.0, 0.0)] * 2)
  assert env.observation_size == 4 and states[-1].obs.shape == (4,)
  assert float(states[-1].done) == 1.0 and float(states[-1].info["truncation"]) == 1.0
  env = envs.make("point_reacher", time_limit="terminal", horizon=2)
  states = _run(env, REACHER_TASK, [(1.0, 0.0)] * 2)
  np.testing.assert_allclose(states[1].obs[-1], 0.5)
  assert float(states[-1].done) == 1.0 and float(states[-1].info["truncation"]) == 0.0


def test_bad_time_limit_names_the_choices():
  with pytest.raises(ValueError, match="'terminal', 'bootstrap'"):
    envs.make("point_reacher", time_limit="finite")


def test_terminate_on_success_ends_at_the_goal():
  # a = (1, 0) twice: x = 0.05, then 0.15 = the goal → done at step 2, as a
  # termination (truncation 0), reward 0 there.
  env = envs.make("point_goal", terminate_on_success=True, reward_state="next")
  states = _run(env, [0.15, 0.0], [(1.0, 0.0), (1.0, 0.0)])
  assert [float(s.done) for s in states[1:]] == [0.0, 1.0]
  assert float(states[2].info["truncation"]) == 0.0
  assert float(states[2].reward) == 0.0
  with pytest.raises(ValueError, match="terminate_on_success"):
    envs.make("point_reacher", terminate_on_success=True)  # not a goal family


def test_bad_control():
  with pytest.raises(ValueError, match="velocity"):
    PointEnv(PointGoal(), "torque")
