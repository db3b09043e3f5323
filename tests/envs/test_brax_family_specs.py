"""Brax task families without the simulator: the papers' settings, priors,
evaluation tasks, options and hand-computed features and rewards on
stand-in physics states (objects with only the fields a family reads).

Nothing here builds Brax physics, so none of it is marked ``brax``; the
checks on real Brax states are in ``test_brax_families.py``.
"""

import importlib
import math
from types import SimpleNamespace

import jax.numpy as jnp
import numpy as np
import pytest

from hindsight import config as config_lib
from hindsight import tasks

BRAX_FAMILIES = ("halfcheetah_multiobjective", "ant_direction", "ant_goal",
                 "walker_linear", "reacher_goal", "reacher_multiobjective")


def f32(x):
  return np.asarray(x, np.float32)


def quat_y(theta):
  """Quaternion (w, x, y, z) of a rotation by θ about the world y axis."""
  return [math.cos(theta / 2), 0.0, math.sin(theta / 2), 0.0]


# ---------------------------------------------------------- shared contract --

@pytest.mark.parametrize("name", BRAX_FAMILIES)
def test_time_limit_is_bootstrap_only(name):
  fam = tasks.make(name)
  assert fam.time_limit == "bootstrap" and fam.TIME_LIMITS == ("bootstrap",)
  with pytest.raises(ValueError, match=r"time_limit must be one of 'bootstrap'.*t/H"):
    tasks.make(name, time_limit="terminal")


@pytest.mark.parametrize("name", BRAX_FAMILIES)
def test_paper_differences_are_sentences(name):
  diffs = type(tasks.make(name)).PAPER_DIFFERENCES
  assert isinstance(diffs, tuple) and len(diffs) >= 1
  for d in diffs:
    assert isinstance(d, str) and d[0].isupper() and d.endswith(".") and len(d) < 400


@pytest.mark.parametrize("name", BRAX_FAMILIES)
def test_common_checks(name):
  with pytest.raises(ValueError, match="backend must be one of"):
    tasks.make(name, backend="warp")
  with pytest.raises(ValueError, match="horizon"):
    tasks.make(name, horizon=0)


def test_terminate_on_success_fields():
  assert tasks.make("reacher_goal").terminate_on_success is False
  assert tasks.make("reacher_goal", terminate_on_success=True).terminate_on_success
  assert tasks.make("ant_goal").terminate_on_success is False   # HIPI: never done
  with pytest.raises(ValueError, match="terminate_on_success"):  # not an option there
    tasks.make("walker_linear", terminate_on_success=True)


@pytest.mark.parametrize("name", BRAX_FAMILIES)
def test_config_validates(name):
  c = importlib.import_module(f"configs.{name}").get_config()
  config_lib.validate(c)


def test_configs_carry_the_papers_settings():
  opts = {n: importlib.import_module(f"configs.{n}").get_config().env.options
          for n in BRAX_FAMILIES}
  # HIPI: reacher margin 0.01 with done at the goal, H = 100.
  r = opts["reacher_goal"]
  assert (r.margin, r.terminate_on_success, r.horizon) == (0.01, True, 100)
  # HIPI: quadruped dense, goal radius 1.0, goals 3 m away, no termination, H = 100.
  a = opts["ant_goal"]
  assert (a.reward_type, a.radius, a.goal_distance, a.horizon) == ("dense", 1.0, 3.0, 100)
  assert not a.terminate_on_success and not a.terminate_when_unhealthy
  assert opts["walker_linear"].horizon == 100
  assert opts["ant_direction"].min_cosine == 0.9659
  assert opts["halfcheetah_multiobjective"].eval_set == "released"


# ---------------------------------------------------------------- cheetah --

def test_halfcheetah_eval_tasks_are_generalized_hindsights_latents():
  fam = tasks.make("halfcheetah_multiobjective")
  ev = fam.eval_tasks()
  assert ev.shape == (25, 4) and ev.dtype == np.float32
  np.testing.assert_allclose(ev[0], [0.16351133, 0.39735737, 0.13868221, 0.89226589])
  np.testing.assert_allclose(ev[-1], [0.9208998, 0.19334959, 0.00561364, -0.33841983])
  np.testing.assert_allclose(np.linalg.norm(ev, axis=1), 1.0, atol=1e-6)  # in the prior's support
  assert np.all(ev[:, 1:3] >= 0)
  prior = tasks.make("halfcheetah_multiobjective", eval_set="prior", num_eval_tasks=7)
  assert prior.eval_tasks().shape == (7, 4)
  with pytest.raises(ValueError, match="eval_set"):
    tasks.make("halfcheetah_multiobjective", num_eval_tasks=7)
  with pytest.raises(ValueError, match="eval_set"):
    tasks.make("halfcheetah_multiobjective", eval_set="paper")


def _cheetah_state(q, qd):
  return SimpleNamespace(q=jnp.asarray(q, jnp.float32), qd=jnp.asarray(qd, jnp.float32))


def test_halfcheetah_features_by_hand():
  fam = tasks.make("halfcheetah_multiobjective")
  rest = _cheetah_state(np.zeros(9), np.zeros(9))
  # At the model's initial pose (rootz = 0) the height feature is 0, and so
  # is everything else for a zero action.
  np.testing.assert_allclose(fam.features(rest, jnp.zeros(6), rest), 0.0)
  q1 = np.zeros(9)
  q1[:3] = [0.12, -0.08, 0.3]            # rootx, rootz, rooty
  qd1 = np.zeros(9)
  qd1[:3] = [2.0, -0.5, 1.25]
  a = f32([0.5, -0.5, 1.7, 0.0, 0.0, -1.0])  # 1.7 is applied as 1.0
  phi = np.asarray(fam.features(rest, a, _cheetah_state(q1, qd1)))
  # [0.12 / 0.05, −0.1 (0.25 + 0.25 + 1 + 1), q_rootz, q̇_rooty]
  np.testing.assert_allclose(phi, [2.4, -0.25, -0.08, 1.25], rtol=1e-5)
  np.testing.assert_allclose(fam.reward(phi, a, f32([0.5, 0.5, 0.5, -0.5])),
                             0.5 * (2.4 - 0.25 - 0.08 - 1.25), rtol=1e-5)


# -------------------------------------------------------------------- ant --

def test_ant_direction_eval_directions_are_generalized_hindsights():
  ev = tasks.make("ant_direction").eval_tasks()[:, 0]
  # AntDirectionRelabelerNew: linspace(−π, π, 25, endpoint=False) + π/25.
  np.testing.assert_allclose(ev, -math.pi + math.pi / 25 + 2 * math.pi / 25 * np.arange(25),
                             rtol=1e-6, atol=1e-7)
  np.testing.assert_allclose([ev[0], ev[12], ev[-1]],
                             [-24 * math.pi / 25, 0.0, 24 * math.pi / 25], atol=1e-6)
  for r in (math.pi / 2, math.pi / 4):
    ev = tasks.make("ant_direction", angle_range=r).eval_tasks()[:, 0]
    np.testing.assert_allclose(ev, -r + r / 25 + 2 * r / 25 * np.arange(25), rtol=1e-5,
                               atol=1e-7)


def test_ant_direction_reward_threshold_and_termination():
  fam = tasks.make("ant_direction")
  # cos∠ = 0.966 (> 0.9659) counts, 0.9658 does not: speed 2, ‖a‖² = 0.4.
  for cos, want in ((0.966, 2.0 - 0.2 + 1.0), (0.9658, -0.2 + 1.0)):
    v = 2.0 * np.array([cos, math.sqrt(1 - cos ** 2)])
    phi = f32([*v, 0.4])
    np.testing.assert_allclose(fam.reward(phi, None, f32([0.0])), want, rtol=1e-5)
  np.testing.assert_allclose(fam.reward(f32([0, 0, 0]), None, f32([1.0])), 1.0)  # v = 0
  with pytest.raises(ValueError, match="min_cosine"):
    tasks.make("ant_direction", min_cosine=1.5)

  def state(z, qd0=0.0):
    q = np.zeros(15)
    q[2], q[3] = z, 1.0
    qd = np.zeros(14)
    qd[0] = qd0
    return SimpleNamespace(q=jnp.asarray(q), qd=jnp.asarray(qd))

  for z, qd0, want in ((0.55, 0.0, 0.0), (0.2, 0.0, 0.0), (1.0, 0.0, 0.0), (0.19, 0.0, 1.0),
                       (1.01, 0.0, 1.0), (0.55, np.nan, 1.0), (np.inf, 0.0, 1.0)):
    assert float(fam.terminated(state(z, qd0))) == want, (z, qd0)
  goal = tasks.make("ant_goal")
  assert float(goal.terminated(state(0.1))) == 0.0   # HIPI: no termination
  assert float(tasks.make("ant_goal", terminate_when_unhealthy=True).terminated(state(0.1))) == 1


def test_ant_goal_reward_at_a_known_position():
  fam = tasks.make("ant_goal")
  assert (fam.reward_type, fam.radius, fam.goal_distance, fam.horizon) == ("dense", 1.0, 3.0, 100)
  assert fam.dt == 0.02 and fam.brax_kwargs()["n_frames"] == 4          # spring: 0.005 s × 4
  assert tasks.make("ant_goal", backend="generalized").brax_kwargs()["n_frames"] == 2  # 0.01 × 2
  assert fam.brax_kwargs()["reset_noise_scale"] == 0.0
  # The reward is of the state before the step: torso at (1, 0) in s_t.
  pos = np.zeros((9, 3), np.float32)
  pos[0] = [1.0, 0.0, 0.55]
  before = SimpleNamespace(x=SimpleNamespace(pos=jnp.asarray(pos)))
  pos_after = pos.copy()
  pos_after[0] = [9.0, 9.0, 0.55]
  after = SimpleNamespace(x=SimpleNamespace(pos=jnp.asarray(pos_after)))
  a = f32([0.5] * 8)                       # ‖a‖² = 2
  phi = np.asarray(fam.features(before, a, after))
  np.testing.assert_allclose(phi, [1.0, 0.0, 2.0])
  goals = f32([[3.0, 0.0], [0.0, 3.0], [1.5, 0.0]])
  dist = np.array([2.0, math.sqrt(10.0), 0.5])
  # (3 − dist) − 0.1 · 2 + 1
  np.testing.assert_allclose(fam.reward(phi, a, goals), 3.0 - dist - 0.2 + 1.0, rtol=1e-6)
  np.testing.assert_allclose(fam.reward(phi, a, goals)[0], 1.8, rtol=1e-6)
  np.testing.assert_array_equal(fam.success(phi, goals), [False, False, True])
  # reward_state='next': the state after the step.
  np.testing.assert_allclose(tasks.make("ant_goal", reward_state="next").features(before, a, after),
                             [9.0, 9.0, 2.0])
  with pytest.raises(ValueError, match="reward_state must be one of 'current', 'next'"):
    tasks.make("ant_goal", reward_state="after")
  sparse = tasks.make("ant_goal", reward_type="sparse", radius=0.3)
  np.testing.assert_array_equal(sparse.reward(phi, a, goals), [-1.0, -1.0, -1.0])
  np.testing.assert_array_equal(sparse.reward(phi, a, f32([1.2, 0.1])), 0.0)
  with pytest.raises(ValueError, match="reward_type"):
    tasks.make("ant_goal", reward_type="shaped")


# ----------------------------------------------------------------- walker --

def test_walker_control_step_and_features_by_hand():
  fam = tasks.make("walker_linear")
  assert fam.dt == 0.025 and fam.horizon == 100
  assert fam.sys_replace() == {"opt.timestep": 0.0025}
  assert fam.brax_kwargs()["n_frames"] == 10 and fam.brax_kwargs()["reset_noise_scale"] == 0.0
  pos = np.zeros((7, 3), np.float32)
  pos[0, 2] = 1.1                           # torso height
  rot = np.tile(f32([1, 0, 0, 0]), (7, 1))
  rot[3] = quat_y(0.3)                      # body 3 (right foot) pitched by 0.3 rad
  rot[6] = quat_y(-1.0)                     # body 6 (left foot)
  qd = np.zeros(9, np.float32)
  qd[0] = 1.5                               # rootx velocity
  before = SimpleNamespace(x=SimpleNamespace(pos=jnp.asarray(pos), rot=jnp.asarray(rot)),
                           qd=jnp.asarray(qd))
  after = SimpleNamespace(x=SimpleNamespace(pos=jnp.asarray(pos + 5), rot=jnp.asarray(rot)),
                          qd=jnp.asarray(qd + 5))
  a = f32([1, 0, 0, 0.5, 0, 0])
  phi = np.asarray(fam.features(before, a, after))   # of the state before the step
  want = [1.1 - 0.5, 1.5, math.cos(0.3), math.sin(0.3) + 0.7,
          math.cos(-1.0), math.sin(-1.0) + 0.7, 1.25]
  np.testing.assert_allclose(phi, want, rtol=1e-5, atol=1e-6)
  nxt = np.asarray(tasks.make("walker_linear", reward_state="next").features(before, a, after))
  np.testing.assert_allclose(nxt[:2], [1.1 + 5 - 0.5, 1.5 + 5], rtol=1e-6)
  # Standing at rest (every body upright): orientations (1, 0) → features (1, 0.7).
  rest = SimpleNamespace(x=SimpleNamespace(pos=jnp.asarray(pos),
                                           rot=jnp.asarray(np.tile(f32([1, 0, 0, 0]), (7, 1)))),
                         qd=jnp.zeros(9))
  np.testing.assert_allclose(np.asarray(fam.features(rest, jnp.zeros(6), rest))[2:6],
                             [1.0, 0.7, 1.0, 0.7], atol=1e-6)
  obs = np.asarray(fam.observe(None, before))
  assert obs.shape == (24,)
  np.testing.assert_allclose(obs[0], 1.1)
  np.testing.assert_allclose(obs[1 + 2 * 3: 3 + 2 * 3], [math.cos(0.3), math.sin(0.3)], rtol=1e-5)
  np.testing.assert_allclose(obs[15:], qd)


# ---------------------------------------------------------------- reacher --

def test_reacher_goal_defaults_follow_hipi():
  fam = tasks.make("reacher_goal")
  assert (fam.margin, fam.radius_low, fam.radius_high, fam.horizon) == (0.1, 0.05, 0.2, 100)
  feats = f32([0.1, 0.1])
  np.testing.assert_array_equal(
      fam.success(feats, f32([[0.1, 0.19], [0.1, 0.21]])), [True, False])
  np.testing.assert_array_equal(fam.reward(feats, None, f32([[0.1, 0.19], [0.1, 0.21]])),
                                [0.0, -1.0])
