"""BitFlip (HER's bit-flipping benchmark): family and environment by hand."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from hindsight import envs, tasks
from hindsight.relabel import HER
from hindsight.tasks import BitFlip


def f32(x):
  return np.asarray(x, np.float32)


def test_registered_with_its_env():
  family, env = envs.family_and_env("bit_flip", n=4)
  assert isinstance(family, BitFlip) and env.family is family
  assert "bit_flip" in tasks.names() and "bit_flip" in envs.names()
  assert (family.task_dim, family.feature_dim, family.horizon, family.num_actions) == (4, 4, 4, 4)
  assert family.is_goal_family and family.terminate_on_success
  assert (env.observation_size, env.action_size, env.num_actions) == (4, 1, 4)
  # max_steps overrides H = n; a terminal time limit adds t/H to the observation.
  family, env = envs.family_and_env("bit_flip", n=4, max_steps=7, time_limit="terminal")
  assert family.horizon == 7 and env.observation_size == 5


@pytest.mark.parametrize("options, match", [
    (dict(n=0), "n \\(the number of bits\\) must be >= 1"),
    (dict(n=-3), "must be >= 1"),
    (dict(max_steps=-1), "max_steps must be >= 0"),
    (dict(time_limit="forever"), "time_limit must be one of"),
    (dict(num_eval_tasks=0), "num_eval_tasks must be >= 1"),
])
def test_bad_options_are_clear_errors(options, match):
  with pytest.raises(ValueError, match=match):
    tasks.make("bit_flip", **options)


def test_reward_success_and_goal_by_hand():
  fam = BitFlip(n=3)
  feats = f32([[1, 0, 1], [1, 0, 1], [0, 0, 0]])
  goals = f32([[1, 0, 1], [1, 1, 1], [0, 0, 0]])
  # −[s′ ≠ g]: equal → 0, one bit differs → −1.
  np.testing.assert_array_equal(fam.reward(feats, None, goals), [0.0, -1.0, 0.0])
  np.testing.assert_array_equal(fam.success(feats, goals), [True, False, True])
  # Rewards broadcast over candidate tasks: [2, 1, F] × [1, 3, D] → [2, 3].
  r = fam.reward(feats[:2, None], None, goals[None])
  np.testing.assert_array_equal(r, [[0, -1, -1], [0, -1, -1]])
  # The whole task is the goal: with_goal returns the achieved goal.
  np.testing.assert_array_equal(fam.with_goal(goals, fam.achieved_goal(feats)), feats)
  np.testing.assert_array_equal(fam.features(f32([0, 0, 0]), 2, f32([0, 0, 1])), [0, 0, 1])


def test_prior_and_eval_tasks():
  fam = BitFlip(n=10)
  z = np.asarray(fam.sample(jax.random.PRNGKey(0), 4000))
  assert z.shape == (4000, 10) and set(np.unique(z)) <= {0.0, 1.0}
  np.testing.assert_allclose(z.mean(axis=0), 0.5, atol=0.04)
  ev = fam.eval_tasks()
  assert ev.shape == (25, 10)
  np.testing.assert_array_equal(ev, BitFlip(n=10).eval_tasks())  # fixed
  low, high = fam.task_low_high()
  assert np.all(low == 0) and np.all(high == 1)


def _run(env, task, actions, key=0):
  step = jax.jit(env.step)
  state = jax.jit(env.reset_with_task)(jax.random.PRNGKey(key), f32(task))
  out = [jax.device_get(state)]
  for a in actions:
    state = step(state, np.asarray([a], np.int32))
    out.append(jax.device_get(state))
  return out


def test_each_action_flips_its_bit_and_success_terminates():
  env = envs.make("bit_flip", n=3)
  s0 = _run(env, [0, 0, 0], [])[0]
  start = np.asarray(s0.pipeline_state)
  goal = start.copy()
  goal[[0, 2]] = 1 - goal[[0, 2]]           # two flips away: bits 0 and 2
  states = _run(env, goal, [0, 2])
  np.testing.assert_array_equal(states[1].obs, [1 - start[0], start[1], start[2]])
  np.testing.assert_array_equal(states[1].info["features"], states[1].obs)
  assert float(states[1].reward) == -1.0 and float(states[1].done) == 0.0
  np.testing.assert_array_equal(states[2].obs, goal)
  assert float(states[2].reward) == 0.0
  assert float(states[2].done) == 1.0 and float(states[2].info["truncation"]) == 0.0
  np.testing.assert_array_equal(states[2].info["task"], goal)


def test_time_limits():
  # bootstrap: the step at H = n is a truncation; nothing in the observation.
  env = envs.make("bit_flip", n=2, terminate_on_success=False)
  s = _run(env, [1, 1], [0, 0])   # flip bit 0 twice: back to the start
  assert float(s[1].done) == 0.0
  assert float(s[2].done) == 1.0 and float(s[2].info["truncation"]) == 1.0
  # terminal: t/H observed, the step at H terminates.
  env = envs.make("bit_flip", n=2, terminate_on_success=False, time_limit="terminal")
  s = _run(env, [1, 1], [0, 0])
  np.testing.assert_allclose([s[0].obs[-1], s[1].obs[-1], s[2].obs[-1]], [0.0, 0.5, 1.0])
  assert float(s[2].done) == 1.0 and float(s[2].info["truncation"]) == 0.0


def test_start_states_are_uniform_and_from_the_key():
  env = envs.make("bit_flip", n=8)
  keys = jax.random.split(jax.random.PRNGKey(1), 2000)
  st = jax.jit(jax.vmap(env.reset))(keys)
  bits = np.asarray(st.pipeline_state)
  np.testing.assert_allclose(bits.mean(axis=0), 0.5, atol=0.05)
  # Start state and goal are drawn independently.
  assert abs(np.mean(bits == np.asarray(st.info["task"])) - 0.5) < 0.05


@pytest.mark.parametrize("strategy", ["final", "future", "episode", "random"])
def test_her_applies_with_every_strategy(strategy):
  HER(strategy=strategy).check_family(BitFlip())  # raises if not applicable
