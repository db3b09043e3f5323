"""Brax task families: features and rewards against hand computations from the
Brax state, task priors, a fresh task per episode, time limits and termination,
and short end-to-end runs through the Trainer.

Every test here is marked ``brax``. Compiles are the cost, so each robot is
compiled once (one jitted reset + a few steps, cached for the module) and every
family on that robot is checked on those states; only reacher_goal's
rollouts and end-to-end run are in the default suite, the other families'
compiles are ``slow``. Checks that need no simulator (priors, options,
features on stand-in states) are in ``test_brax_family_specs.py``.
"""

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from hindsight import envs, tasks

pytestmark = pytest.mark.brax

BRAX_FAMILIES = ("halfcheetah_multiobjective", "ant_direction", "ant_goal",
                 "walker_linear", "reacher_goal", "reacher_multiobjective")
RTOL, ATOL = 1e-5, 1e-5


def f32(x):
  return np.asarray(x, np.float32)


def at(tree, t):
  return jax.tree.map(lambda x: x[t], tree)


@functools.lru_cache(maxsize=None)
def rollout_fn(name, **options):
  """One compile per environment: (rng, task, actions) -> the env states
  s_0, …, s_T (stacked on axis 0) from reset_with_task through ``actions``."""
  env = envs.make(name, **options)

  def fn(rng, task, actions):
    s0 = env.reset_with_task(rng, task)

    def body(s, a):
      s = env.step(s, a)
      return s, s

    _, states = jax.lax.scan(body, s0, actions)
    return jax.tree.map(lambda x0, xs: jnp.concatenate([x0[None], xs]), s0, states)

  return env, jax.jit(fn)


def rollout(name, task, actions, **options):
  env, fn = rollout_fn(name, **options)
  return env, jax.device_get(fn(jax.random.PRNGKey(3), f32(task), f32(actions)))


def _actions(n, a):
  rng = np.random.default_rng(n * 7 + a)
  acts = rng.uniform(-1, 1, (n, a))
  acts[0, 0] = 1.7  # out of range: features use the clipped action
  return tuple(map(tuple, acts))


def sample(fam, key, n):
  return np.asarray(jax.jit(fam.sample, static_argnums=1)(key, n))


def _clip_sq(a):
  return float(np.sum(np.square(np.clip(a, -1, 1))))


# ------------------------------------------------------------------ priors --

@pytest.mark.parametrize("name", BRAX_FAMILIES)
def test_task_prior_in_range_and_eval_tasks(name):
  fam = tasks.make(name)
  z = sample(fam, jax.random.PRNGKey(0), 2000)
  assert z.shape == (2000, fam.task_dim) and np.all(np.isfinite(z))
  lo, hi = fam.task_low_high()
  assert np.all(z >= lo - 1e-6) and np.all(z <= hi + 1e-6)
  ev = fam.eval_tasks()
  assert ev.shape == (25, fam.task_dim)
  np.testing.assert_array_equal(ev, fam.eval_tasks())  # fixed


def test_prior_shapes_specific_to_each_family():
  key = jax.random.PRNGKey(1)
  z = sample(tasks.make("halfcheetah_multiobjective"), key, 4000)
  np.testing.assert_allclose(np.linalg.norm(z, axis=1), 1.0, rtol=1e-5)
  assert np.all(z[:, 1:3] >= 0)
  assert np.mean(z[:, 0] < 0) > 0.4 and np.mean(z[:, 3] < 0) > 0.4  # signs free
  for r in (math.pi, math.pi / 2, math.pi / 4):
    fam = tasks.make("ant_direction", angle_range=r)
    th = sample(fam, key, 4000)[:, 0]
    assert th.min() >= -r and th.max() <= r and th.max() - th.min() > 1.9 * r * 0.98
    ev = fam.eval_tasks()[:, 0]
    np.testing.assert_allclose(np.diff(ev), np.diff(ev)[0], rtol=1e-4)  # evenly spaced
  ev = tasks.make("ant_direction").eval_tasks()[:, 0]
  np.testing.assert_allclose(ev[0], -math.pi + math.pi / 25, rtol=1e-6)  # cell midpoints
  np.testing.assert_allclose(ev[1] - ev[0], 2 * math.pi / 25, rtol=1e-5)
  g = sample(tasks.make("ant_goal"), key, 1000)
  np.testing.assert_allclose(np.linalg.norm(g, axis=1), 3.0, rtol=1e-5)
  t = sample(tasks.make("reacher_goal"), key, 4000)
  r = np.linalg.norm(t, axis=1)
  assert r.min() >= 0.05 - 1e-6 and r.max() <= 0.2 + 1e-6
  w = sample(tasks.make("walker_linear"), key, 4000)
  assert w[:, 6].max() <= 0 and w[:, :6].min() < -0.9 and w[:, :6].max() > 0.9


def test_bad_options_are_rejected():
  with pytest.raises(ValueError, match="backend"):
    tasks.make("halfcheetah_multiobjective", backend="warp")
  with pytest.raises(ValueError, match="reward_type"):
    tasks.make("ant_goal", reward_type="shaped")
  with pytest.raises(ValueError, match="angle_range"):
    tasks.make("ant_direction", angle_range=4.0)


def test_family_kinds():
  assert tasks.make("halfcheetah_multiobjective").is_linear
  assert tasks.make("walker_linear").is_linear
  for name in ("ant_goal", "reacher_goal"):
    assert tasks.make(name).is_goal_family
  for name in ("ant_direction", "reacher_multiobjective", "halfcheetah_multiobjective"):
    assert not tasks.make(name).is_goal_family


# -------------------------------------------------- hand-computed rewards --

# Compiles a slow Brax pipeline (1-3 min on 2 cores): in the slow set.
@pytest.mark.slow
def test_halfcheetah_features_and_reward():
  task = (0.5, 0.5, 0.5, -0.5)
  acts = _actions(3, 6)
  env, s = rollout("halfcheetah_multiobjective", task, acts)
  fam = env.family
  tasks_ = f32([[1, 0, 0, 0], [0.1, 0.3, 0.2, -0.9], [-0.6, 0.0, 0.8, 0.0]])
  for t in range(1, 4):
    p0, p1, a = at(s.pipeline_state, t - 1), at(s.pipeline_state, t), np.asarray(acts[t - 1])
    # rootx velocity, control, rootz (GH's qpos[1]), rooty velocity (qvel[2]).
    phi = [(p1.q[0] - p0.q[0]) / 0.05, -0.1 * _clip_sq(a), p1.q[1], p1.qd[2]]
    # The rootx slide moves the torso link by as much (rotations are about it).
    np.testing.assert_allclose(phi[0], (p1.x.pos[0, 0] - p0.x.pos[0, 0]) / 0.05, rtol=1e-4,
                               atol=1e-4)
    np.testing.assert_allclose(s.info["features"][t], phi, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(s.reward[t], np.dot(task, phi), rtol=1e-4, atol=ATOL)
    got = fam.reward(jnp.asarray(s.info["features"][t]), jnp.asarray(a), tasks_)
    np.testing.assert_allclose(got, tasks_ @ np.asarray(phi, np.float32), rtol=1e-4, atol=ATOL)
  assert s.obs.shape[-1] == 17 and np.all(s.done == 0)


def _ant_angle_reward(v, theta, a):
  speed = math.hypot(*v)
  ang = math.degrees(math.acos(np.clip(
      (v[0] * math.cos(theta) + v[1] * math.sin(theta)) / speed, -1, 1)))
  return (speed if ang < 15 else 0.0) - 0.5 * _clip_sq(a) + 1.0


# Compiles a slow Brax pipeline (1-3 min on 2 cores): in the slow set.
@pytest.mark.slow
def test_ant_direction_and_goal_features_and_rewards():
  acts = _actions(3, 8)
  env, s = rollout("ant_direction", (0.3,), acts)
  fam = env.family
  goal_fam = tasks.make("ant_goal", reward_type="sparse", radius=0.3)
  dense_fam = tasks.make("ant_goal")  # HIPI's default: dense
  for t in range(1, 4):
    p0, p1, a = at(s.pipeline_state, t - 1), at(s.pipeline_state, t), np.asarray(acts[t - 1])
    v = (p1.x.pos[0, :2] - p0.x.pos[0, :2]) / 0.05
    np.testing.assert_allclose(s.info["features"][t], [*v, _clip_sq(a)], rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(s.reward[t], _ant_angle_reward(v, 0.3, a), rtol=1e-4, atol=ATOL)
    heading = math.atan2(v[1], v[0])
    thetas = [heading, heading + math.pi, heading + math.radians(10),
              heading - math.radians(20)]
    want = [_ant_angle_reward(v, th, a) for th in thetas]
    assert want[0] > want[1] and want[2] == want[0] and want[3] == want[1]
    got = fam.reward(jnp.asarray(s.info["features"][t]), a, f32(thetas)[:, None])
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=ATOL)
    # Ant goal on the same physical step: of the state before it (HIPI).
    xy = p0.x.pos[0, :2]
    phi = np.asarray(goal_fam.features(p0, jnp.asarray(a), p1))
    np.testing.assert_allclose(phi, [*xy, _clip_sq(a)], rtol=RTOL, atol=ATOL)
    goals = f32([xy + [0.1, 0.2], xy + [0.3, 0.0], [3.0, 0.0]])
    dist = np.linalg.norm(goals - xy, axis=1)
    np.testing.assert_allclose(goal_fam.reward(phi, a, goals),
                               [(d < 0.3) - 1.0 for d in dist], atol=ATOL)
    np.testing.assert_array_equal(goal_fam.success(phi, goals), dist < 0.3)
    np.testing.assert_allclose(dense_fam.reward(phi, a, goals),
                               3.0 - dist - 0.1 * _clip_sq(a) + 1.0, rtol=1e-4, atol=ATOL)
    np.testing.assert_allclose(goal_fam.achieved_goal(phi), xy, rtol=RTOL)
  # A healthy ant after 3 steps is not terminated; out of [0.2, 1.0] it is.
  assert np.all(s.done == 0)
  p = at(s.pipeline_state, 3)
  np.testing.assert_allclose(p.q[2], p.x.pos[0, 2], rtol=1e-5)  # free joint z = torso z
  for z, want in ((0.5, 0.0), (0.1, 1.0), (1.2, 1.0)):
    moved = p.replace(q=jnp.asarray(p.q).at[2].set(z))
    assert float(fam.terminated(moved)) == want
    assert float(goal_fam.terminated(moved)) == 0.0  # no termination by default
  assert env.observation_size == 27
  goal_env = envs.make("ant_goal")
  assert goal_env.observation_size == 29  # + torso xy
  assert float(goal_env.dt) == pytest.approx(0.02)  # HIPI's quadruped control step


def test_walker_control_step_is_dm_controls():
  # HIPI's walker acts every 0.025 s (dm_control walker: 0.0025 s × 10).
  env = envs.make("walker_linear")
  assert float(env.dt) == pytest.approx(0.025)
  assert float(env.brax_env.sys.opt.timestep) == pytest.approx(0.0025)
  assert env.brax_env._n_frames == 10  # pylint: disable=protected-access
  assert env.observation_size == 24     # height, 7 × (xx, xz), q̇
  assert list(env.brax_env.sys.link_names) == [
      "torso", "thigh", "leg", "foot", "thigh_left", "leg_left", "foot_left"]


def test_halfcheetah_height_is_rootz_and_zero_at_the_initial_pose():
  env = envs.make("halfcheetah_multiobjective")
  sys = env.brax_env.sys
  names = [sys.mj_model.joint(i).name for i in range(3)]
  assert names == ["rootx", "rootz", "rooty"]           # GH's qpos[1] is rootz
  assert list(sys.mj_model.jnt_qposadr[:3]) == [0, 1, 2]
  assert float(sys.init_q[1]) == 0.0


def _xx_xz(quat):
  """(R[0, 0], R[0, 2]) from rotating the world x and z axes."""
  from brax import math as brax_math
  return (float(brax_math.rotate(jnp.asarray([1.0, 0, 0]), quat)[0]),
          float(brax_math.rotate(jnp.asarray([0, 0, 1.0]), quat)[0]))


# Compiles a slow Brax pipeline (1-3 min on 2 cores): in the slow set.
@pytest.mark.slow
def test_walker_features_and_reward():
  task = (0.2, 1.0, -0.3, 0.1, 0.4, -0.5, -0.2)
  acts = _actions(3, 6)
  env, s = rollout("walker_linear", task, acts)
  # The same standing start every episode (no reset noise).
  np.testing.assert_allclose(s.pipeline_state.q[0], 0.0, atol=1e-7)
  for t in range(1, 4):
    p0, a = at(s.pipeline_state, t - 1), np.asarray(acts[t - 1])
    # HIPI's features are of the state before the step.
    torso = p0.x.pos[0]
    right, left = _xx_xz(p0.x.rot[3]), _xx_xz(p0.x.rot[6])
    phi = [torso[2] - 0.5, p0.qd[0], right[0], right[1] + 0.7, left[0], left[1] + 0.7,
           _clip_sq(a)]
    np.testing.assert_allclose(s.info["features"][t], phi, rtol=RTOL, atol=1e-5)
    np.testing.assert_allclose(s.reward[t], np.dot(task, phi), rtol=1e-4, atol=1e-4)
    obs = s.obs[t - 1]
    np.testing.assert_allclose(obs[0], torso[2], rtol=1e-6)
    np.testing.assert_allclose(obs[1 + 6:3 + 6], right, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(obs[15:], p0.qd, rtol=1e-6)
  assert not np.allclose(s.pipeline_state.x.rot[3, 3], [1, 0, 0, 0])  # the feet moved


def _tip(q):
  """Planar two-link arm: link 0.1 m, fingertip 0.11 m along link 1."""
  return np.array([0.1 * math.cos(q[0]) + 0.11 * math.cos(q[0] + q[1]),
                   0.1 * math.sin(q[0]) + 0.11 * math.sin(q[0] + q[1])])


REACHER_GOAL = (0.1, -0.05)
REACHER_ACTIONS = _actions(5, 2)
# One compile for every reacher_goal rollout: H = 3, done at the goal.
REACHER_OPTS = dict(horizon=3, margin=0.0005, terminate_on_success=True)


@pytest.mark.slow  # ~80 s of compilation; reacher_goal still runs end to end by default
def test_reacher_families_features_and_rewards():
  goal = REACHER_GOAL
  env, s = rollout("reacher_goal", goal, REACHER_ACTIONS, **REACHER_OPTS)
  acts = REACHER_ACTIONS
  fam = env.family
  mo = tasks.make("reacher_multiobjective")
  # The target marker is moved to the goal; it is not in the observation.
  np.testing.assert_allclose(s.pipeline_state.q[0, 2:], goal, atol=1e-5)
  for t in range(1, 4):
    p0, p1, a = at(s.pipeline_state, t - 1), at(s.pipeline_state, t), np.asarray(acts[t - 1])
    tip = _tip(p0.q)   # HIPI's reward is of the state before the step
    np.testing.assert_allclose(s.info["features"][t], tip, atol=2e-3)
    d = np.linalg.norm(tip - goal)
    assert d > 0.0005 and s.reward[t] == -1.0
    feats = s.info["features"][t]
    near, far = feats + f32([0.0003, 0.0]), feats + f32([0.0, 0.15])
    np.testing.assert_allclose(fam.reward(feats, a, np.stack([near, far])), [0.0, -1.0])
    np.testing.assert_array_equal(fam.with_goal(f32(goal), feats), feats)
    # Multi-objective (Generalized Hindsight's reward): the fingertip after the step.
    phi = np.asarray(mo.features(p0, jnp.asarray(a), p1))
    np.testing.assert_allclose(phi[:2], _tip(p1.q), rtol=RTOL, atol=2e-3)
    np.testing.assert_allclose(phi[2], math.sqrt(_clip_sq(a)), rtol=RTOL)
    for z in ([0.0, 0.5, 0.3, 0.1, -2.0, 0.15], [0.25, 1.0, -1.0, 0.2, 1.0, 0.05],
              [0.125, 0.75, 2.0, 0.05, 0.0, 0.2]):
      th, ph = 2 * math.pi * z[0], math.acos(2 * z[1] - 1)
      w = [math.cos(th) * math.sin(ph), math.sin(th) * math.sin(ph), math.cos(ph)]
      g = z[3] * np.array([math.cos(z[2]), math.sin(z[2])])
      o = z[5] * np.array([math.cos(z[4]), math.sin(z[4])])
      want = (w[0] * (0.2 - np.linalg.norm(phi[:2] - g)) - w[1] * phi[2]
              + w[2] * math.log10(np.linalg.norm(phi[:2] - o) + 0.01) / 5)
      np.testing.assert_allclose(mo.reward(phi, a, f32(z)), want, rtol=1e-4, atol=1e-5)
  assert env.observation_size == 10


def test_time_limit_is_truncation_and_last_observation_is_kept():
  # H = 3, five steps, a goal never reached.
  _, s = rollout("reacher_goal", REACHER_GOAL, REACHER_ACTIONS, **REACHER_OPTS)
  np.testing.assert_array_equal(s.done, [0, 0, 0, 1, 1, 1])
  np.testing.assert_array_equal(s.info["truncation"], [0, 0, 0, 1, 1, 1])
  # After the time limit: the last observation stays, no reward, no features.
  np.testing.assert_array_equal(s.obs[4], s.obs[3])
  np.testing.assert_array_equal(s.obs[5], s.obs[3])
  assert not np.array_equal(s.obs[3], s.obs[2])
  np.testing.assert_array_equal(s.reward[4:], 0.0)
  np.testing.assert_array_equal(s.info["features"][4:], 0.0)


def test_reacher_terminates_at_success_as_a_termination():
  # The same physics for every goal: the fingertip of s_0, s_1, s_2 are the
  # features of steps 1, 2, 3 (HIPI's reward is of the state before the step).
  # The arm starts at rest and moves ~1 mm in two steps, hence the 0.5 mm margin.
  _, far = rollout("reacher_goal", REACHER_GOAL, REACHER_ACTIONS, **REACHER_OPTS)
  tips = far.info["features"][1:4]
  m = REACHER_OPTS["margin"]
  # A goal 0.2 mm from the fingertip at the start: done at step 1.
  _, s = rollout("reacher_goal", tips[0] + f32([0.0002, 0.0]), REACHER_ACTIONS,
                 **REACHER_OPTS)
  np.testing.assert_array_equal(s.done, [0, 1, 1, 1, 1, 1])
  np.testing.assert_array_equal(s.info["truncation"], 0.0)   # a termination
  np.testing.assert_array_equal(s.reward, 0.0)   # 0 at the goal, then nothing
  np.testing.assert_array_equal(s.obs[2:], np.broadcast_to(s.obs[1], s.obs[2:].shape))
  # A goal at the fingertip of s_2, outside the margin before: done at step
  # 3 = H, as a termination (not a truncation: no bootstrapping at the goal).
  assert np.linalg.norm(tips[2] - tips[0]) > m and np.linalg.norm(tips[2] - tips[1]) > m
  _, s = rollout("reacher_goal", tips[2], REACHER_ACTIONS, **REACHER_OPTS)
  np.testing.assert_array_equal(s.done, [0, 0, 0, 1, 1, 1])
  np.testing.assert_array_equal(s.info["truncation"], 0.0)
  np.testing.assert_array_equal(s.reward, [0, -1, -1, 0, 0, 0])


def test_a_physics_blow_up_ends_the_episode_without_nan():
  # A state whose q̇ is NaN (what Brax's generalized Walker2d reaches now and
  # then): the step after it is a termination with the previous observation,
  # zero features and their reward, and the episode stays ended.
  env, _ = rollout_fn("reacher_goal", **REACHER_OPTS)
  step = jax.jit(env.step)
  task = f32(REACHER_GOAL)
  s0 = jax.jit(env.reset_with_task)(jax.random.PRNGKey(3), task)
  ps = s0.pipeline_state
  bad = s0.replace(pipeline_state=ps.replace(qd=ps.qd.at[0].set(jnp.nan)))
  a = f32(REACHER_ACTIONS[0])
  s1 = jax.device_get(step(bad, a))
  assert s1.done == 1 and s1.info["truncation"] == 0
  np.testing.assert_array_equal(s1.obs, np.asarray(s0.obs))
  np.testing.assert_array_equal(s1.info["features"], 0.0)
  want = env.family.reward(jnp.zeros(env.family.feature_dim), a, task)
  np.testing.assert_array_equal(s1.reward, np.asarray(want))
  assert np.isfinite(s1.reward)
  s2 = jax.device_get(step(s1, a))
  assert s2.done == 1 and s2.reward == 0.0
  np.testing.assert_array_equal(s2.obs, s1.obs)
  # A finite step is the rollout's own first step.
  _, s = rollout("reacher_goal", REACHER_GOAL, REACHER_ACTIONS, **REACHER_OPTS)
  good = jax.device_get(step(s0, a))
  np.testing.assert_array_equal(good.obs, s.obs[1])
  np.testing.assert_array_equal(good.reward, s.reward[1])


def test_observation_does_not_depend_on_the_task():
  # Same reset key and actions, another goal (same compile as above): the arm
  # moves identically and is observed identically; only the reward differs.
  _, s = rollout("reacher_goal", REACHER_GOAL, REACHER_ACTIONS, **REACHER_OPTS)
  _, s2 = rollout("reacher_goal", (-0.15, 0.0), REACHER_ACTIONS, **REACHER_OPTS)
  np.testing.assert_array_equal(s.obs, s2.obs)
  np.testing.assert_array_equal(s.info["features"], s2.info["features"])
  np.testing.assert_allclose(s2.pipeline_state.q[0, 2:], [-0.15, 0.0], atol=1e-5)


def test_registry_and_backend_option():
  assert set(BRAX_FAMILIES) <= set(envs.names()) and set(BRAX_FAMILIES) <= set(tasks.names())
  env = envs.make("reacher_goal", backend="generalized")
  assert env.backend == "generalized" and env.brax_env.backend == "generalized"
  assert isinstance(env, envs.BraxTaskEnv)


# ------------------------------------------------------ end to end (Trainer) --

def _tiny_config(name, relabel="none", **options):
  import importlib
  c = importlib.import_module(f"configs.{name}").get_config()
  c.env.options.horizon = 8
  for k, v in options.items():
    c.env.options[k] = v
  c.learner.hidden_sizes = (16,)
  c.relabel.name = relabel
  c.relabel.air.cache_size = 4
  c.relabel.air.num_candidates = 8
  c.relabel.advantage.num_candidates = 8
  c.train.num_envs = 2
  c.train.updates_per_env_step = 0.125  # 2 updates per 2 × 8 steps
  c.train.batch_size = 16
  c.train.buffer_episodes = 8
  c.train.buffer_transitions = 0  # the configs hold 10⁶ (the papers'); 8 episodes here
  c.train.warmup_episodes = 0
  c.train.iterations_per_epoch = 1
  c.train.total_env_steps = 16
  return c


def _one_iteration(name, relabel, **options):
  from hindsight.training import Trainer
  trainer = Trainer(_tiny_config(name, relabel, **options))
  rs = jax.jit(trainer.init)(jax.random.PRNGKey(0))
  iteration = jax.jit(trainer.iteration)
  rs, _ = iteration(rs)
  rs, metrics = iteration(rs)
  rs = jax.device_get(rs)
  # Two iterations of two envs: every episode start (each env slot, twice)
  # drew its own task from the prior.
  tasks_ = np.asarray(rs.buffer.data.task)[:4]
  assert len({tuple(t) for t in tasks_.round(6)}) == 4
  assert int(rs.env_steps) > 0 and int(rs.iteration) == 2
  for k, v in metrics.items():
    assert np.all(np.isfinite(np.asarray(v))), k
  return trainer, rs, metrics


def test_reacher_goal_trains_one_iteration_end_to_end():
  trainer, rs, metrics = _one_iteration("reacher_goal", "her")
  assert trainer.family.horizon == 8 and trainer.env.backend == "positional"
  assert trainer.family.terminate_on_success and trainer.family.margin == 0.01
  assert 0 < int(rs.env_steps) <= 4 * 8  # episodes end at the goal or at H
  assert metrics["relabel/changed"] > 0  # HER changed some goals


# Each family the papers' setups changed trains end to end in the default run
# (15-45 s of Brax compilation each on 2 cores).
@pytest.mark.parametrize("name, relabel", [
    ("halfcheetah_multiobjective", "air"),
    ("ant_direction", "advantage"),
    ("ant_goal", "her"),
    ("walker_linear", "random"),
    ("reacher_multiobjective", "air"),
])
def test_family_trains_one_iteration_end_to_end(name, relabel):
  _one_iteration(name, relabel)


def _applicable_relabelers(name):
  out = ["none", "random", "air", "advantage", "hipi"]
  if tasks.make(name).is_goal_family:
    out.append("her")
  return out


@pytest.mark.slow
@pytest.mark.parametrize("name, relabel", [
    (n, r) for n in BRAX_FAMILIES for r in _applicable_relabelers(n)])
def test_every_applicable_relabeler_runs_through_training_run(name, relabel, tmp_path):
  """``hindsight.training.run`` (what experiments/train.py calls) on the
  family's own config at a tiny budget: one epoch, evaluation, checkpoint."""
  from hindsight.training import run
  c = _tiny_config(name, relabel)
  c.workdir = str(tmp_path)
  c.relabel.hipi.candidates = "prior"
  c.relabel.hipi.num_candidates = 8
  out = run(c, echo=False)
  (row,) = out["final_rows"]
  assert np.isfinite(row["eval_return_mean"]) and row["epoch"] == 1
