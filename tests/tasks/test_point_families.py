"""Point task families: rewards against hand-computed numbers, priors, registry."""

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from hindsight import tasks
from hindsight.tasks import PointGoal, PointReacher, PointTrajectory

PI = math.pi
ATOL = 1e-6
RTOL = 1e-5


@functools.lru_cache(maxsize=None)
def jit(fn):
  """jax.jit, cached per (hashable) function: one compile instead of many
  op-by-op eager dispatches, which keeps the suite fast on a busy CPU."""
  return jax.jit(fn)


def f32(x):
  return np.asarray(x, np.float32)


def _reacher_reward(family, position, action, task):
  """Reward of one (next position, action, task) through ``features``."""

  def fn(next_state, action, task):
    feats = family.features(jnp.zeros(4), action, next_state)
    return family.reward(feats, action, task)

  return float(jax.jit(fn)(f32([*position, 0.0, 0.0]), f32(action), f32(task)))


# ------------------------------------------------------------ point_reacher --

class TestPointReacher:

  def test_features_are_next_position_and_clipped_action_norm(self):
    family = PointReacher()
    feats = family.features(jnp.zeros(4), jnp.asarray([0.3, 0.4]),
                            jnp.asarray([0.1, -0.2, 0.05, 0.0]))
    # ‖(0.3, 0.4)‖ = 0.5
    np.testing.assert_allclose(feats, [0.1, -0.2, 0.5], rtol=RTOL, atol=ATOL)
    # (3, 4) is clipped to (1, 1): ‖·‖ = √2, not 5.
    feats = family.features(jnp.zeros(4), jnp.asarray([3.0, 4.0]), jnp.zeros(4))
    np.testing.assert_allclose(feats, [0.0, 0.0, math.sqrt(2)], rtol=RTOL, atol=ATOL)

  @pytest.mark.parametrize("u, v, expected", [
      # θ = 2π·0 = 0, φ = arccos(2·1 − 1) = 0 → (cos0·sin0, sin0·sin0, cos0)
      (0.0, 1.0, (0.0, 0.0, 1.0)),
      # θ = 0, φ = arccos(0) = π/2 → (1, 0, 0)
      (0.0, 0.5, (1.0, 0.0, 0.0)),
      # θ = 2π·0.25 = π/2, φ = π/2 → (0, 1, 0)
      (0.25, 0.5, (0.0, 1.0, 0.0)),
      # θ = π/4, φ = arccos(0.5) = π/3 → (√2/2·√3/2, √2/2·√3/2, 1/2) = (√6/4, √6/4, 1/2)
      (0.125, 0.75, (math.sqrt(6) / 4, math.sqrt(6) / 4, 0.5)),
  ])
  def test_objective_weights(self, u, v, expected):
    task = jnp.asarray([u, v, 0.0, 0.2, 0.0, 0.2])
    np.testing.assert_allclose(jit(PointReacher.objective_weights)(task), expected,
                               rtol=RTOL, atol=ATOL)

  @pytest.mark.parametrize("reward_type", ["dense", "sparse"])
  def test_obstacle_only_task(self, reward_type):
    # u = 0, v = 1 → w = (0, 0, 1): only the obstacle term counts.
    # Obstacle at polar (θ=0, r=0.2) = (0.2, 0); position (0.11, 0):
    # d_obs = 0.09, avoid = log10(0.09 + 0.01) / 5 = −1 / 5 = −0.2.
    family = PointReacher(reward_type=reward_type)
    task = [0.0, 1.0, PI, 0.3, 0.0, 0.2]
    r = _reacher_reward(family, (0.11, 0.0), (0.3, 0.4), task)
    np.testing.assert_allclose(r, -0.2, rtol=RTOL, atol=ATOL)

  @pytest.mark.parametrize("reward_type, scale, expected", [
      # w = (1, 0, 0); goal at polar (0, 0.3) = (0.3, 0); position (0.3, 0.08):
      # d_goal = 0.08.  dense: 0.2 − 0.08 = 0.12
      ("dense", 1.0, 0.12),
      # sparse: s·exp(−0.08² / 0.08²) = exp(−1) = 0.36787944
      ("sparse", 1.0, math.exp(-1.0)),
      # sparse_scale = 2: 2·exp(−1) = 0.73575888
      ("sparse", 2.0, 2 * math.exp(-1.0)),
  ])
  def test_goal_only_task(self, reward_type, scale, expected):
    # (w₃ = cos(π/2) ≈ −4e-8 in float32: its term is below the tolerance.)
    family = PointReacher(reward_type=reward_type, sparse_scale=scale)
    task = [0.0, 0.5, 0.0, 0.3, PI, 0.2]
    r = _reacher_reward(family, (0.3, 0.08), (0.6, 0.8), task)
    np.testing.assert_allclose(r, expected, rtol=RTOL, atol=ATOL)

  def test_energy_only_task(self):
    # u = 0.25, v = 0.5 → w = (0, 1, 0): r = −‖a‖ = −‖(0.6, −0.8)‖ = −1.
    family = PointReacher()
    task = [0.25, 0.5, 0.0, 0.3, PI, 0.2]
    r = _reacher_reward(family, (0.5, 0.5), (0.6, -0.8), task)
    np.testing.assert_allclose(r, -1.0, rtol=RTOL, atol=ATOL)

  @pytest.mark.parametrize("reward_type", ["dense", "sparse"])
  def test_general_task(self, reward_type):
    # u = 0.125, v = 0.75 → w = (√6/4, √6/4, 1/2) = (0.61237244, 0.61237244, 0.5).
    # Goal: polar (π/2, 0.2) = (0, 0.2); obstacle: polar (π, 0.25) = (−0.25, 0).
    # Position (0.15, 0.2), action (0.3, 0.4):
    #   d_goal = 0.15;  d_obs = √(0.4² + 0.2²) = √0.2 = 0.44721360;  ‖a‖ = 0.5
    #   avoid  = log10(0.44721360 + 0.01) / 5 = −0.06797617
    #   reach  = 0.2 − 0.15 = 0.05 (dense) | exp(−0.15²/0.08²) = 0.02972922 (sparse)
    #   r = w₁·reach + w₂·(−0.5) + w₃·avoid
    #     = −0.30955568 (dense) | −0.32196895 (sparse)
    w12 = math.sqrt(6) / 4
    avoid = math.log10(math.sqrt(0.2) + 0.01) / 5
    reach = 0.05 if reward_type == "dense" else math.exp(-0.15**2 / 0.08**2)
    expected = w12 * reach + w12 * (-0.5) + 0.5 * avoid
    np.testing.assert_allclose(
        expected, -0.30955568 if reward_type == "dense" else -0.32196895, atol=1e-8)
    family = PointReacher(reward_type=reward_type)
    task = [0.125, 0.75, PI / 2, 0.2, PI, 0.25]
    r = _reacher_reward(family, (0.15, 0.2), (0.3, 0.4), task)
    np.testing.assert_allclose(r, expected, rtol=RTOL, atol=ATOL)

  def test_objective_weights_unit_norm_and_nonnegative_over_prior(self):
    family = PointReacher()
    w = np.asarray(jax.jit(lambda k: family.objective_weights(family.sample(k, 10_000)))(
        jax.random.PRNGKey(0)))
    assert w.shape == (10_000, 3)
    assert np.all(w >= -1e-6)
    np.testing.assert_allclose(np.linalg.norm(w, axis=-1), 1.0, atol=1e-5)

  def test_bad_reward_type(self):
    with pytest.raises(ValueError, match="dense"):
      PointReacher(reward_type="shaped")


# --------------------------------------------------------- point_trajectory --

class TestPointTrajectory:
  # One σ-normalised peak: 1 / (0.05·√(2π)) = 7.97884561.
  PEAK = 1.0 / (0.05 * math.sqrt(2 * math.pi))

  def _r(self, xy, task, **options):
    family = PointTrajectory(**options)
    # reward_state='current' (GH's code): the reward is at the state s_t.
    feats = jit(family.features)(f32(xy), f32([0, 0]), f32([0, 0]))
    return float(jit(family.reward)(feats, f32([0, 0]), f32(task)))

  def test_features_are_the_position_the_reward_is_at(self):
    # GH's calculate_path_reward uses path['observations'] = s_t; 'next' = s_{t+1}.
    prev, nxt = jnp.asarray([0.1, 0.2]), jnp.asarray([0.3, -0.4])
    np.testing.assert_allclose(PointTrajectory().features(prev, jnp.ones(2), nxt),
                               [0.1, 0.2], rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(PointTrajectory(reward_state="next").features(
        prev, jnp.ones(2), nxt), [0.3, -0.4], rtol=RTOL, atol=ATOL)
    with pytest.raises(ValueError, match="'current', 'next'"):
      PointTrajectory(reward_state="after")

  @pytest.mark.parametrize("xy", [(-0.1, 0.0), (-0.5, 0.2), (-1e-3, 0.0)])
  def test_behind_the_start_gives_zero(self, xy):
    # angle 0: x′ = x < 0 → r = 0, even on the path's extension.
    assert self._r(xy, [0.0, 0.8, 0.2]) == 0.0

  def test_on_the_path_at_angle_zero(self):
    # task (angle 0, d 0.8, amp 0.2); x = 0.4: π·0.4/0.8 = π/2, sin = 1, so the
    # path is at y = 0.2.  r = (0.4/0.8)·N(0; 0, 0.05) = 0.5 / (0.05·√(2π)) = 3.98942280
    np.testing.assert_allclose(self._r((0.4, 0.2), [0.0, 0.8, 0.2]), 0.5 * self.PEAK,
                               rtol=RTOL)
    np.testing.assert_allclose(0.5 * self.PEAK, 3.98942280, rtol=1e-8)

  def test_one_sigma_off_the_path(self):
    # Same task, y = 0.25: deviation 0.05 = σ → density · exp(−½):
    # 3.98942280 · 0.60653066 = 2.41970725
    np.testing.assert_allclose(self._r((0.4, 0.25), [0.0, 0.8, 0.2]),
                               0.5 * self.PEAK * math.exp(-0.5), rtol=RTOL)

  def test_negative_amplitude_and_other_sigma(self):
    # task (0, d 1.0, amp −0.25), σ = 0.1; x = 0.5: sin(π/2) = 1 → path at y = −0.25.
    # r = 0.5 / (0.1·√(2π)) = 1.99471140
    np.testing.assert_allclose(self._r((0.5, -0.25), [0.0, 1.0, -0.25], sigma=0.1),
                               0.5 / (0.1 * math.sqrt(2 * math.pi)), rtol=RTOL)

  def test_rotated_by_quarter_turn(self):
    # angle π/2: x′ = cos·x + sin·y = y, y′ = −sin·x + cos·y = −x.
    # (x, y) = (−0.2, 0.4) → (x′, y′) = (0.4, 0.2): on the path, r = 3.98942280.
    np.testing.assert_allclose(self._r((-0.2, 0.4), [PI / 2, 0.8, 0.2]), 0.5 * self.PEAK,
                               rtol=RTOL)
    # The unrotated point (0.4, 0.2) has x′ = 0.2, y′ = −0.4:
    # path at amp·sin(π·0.2/0.8) = 0.2·sin(π/4) = 0.14142136; deviation −0.54142136
    # = −10.83σ → r = 0.25·7.97884561·exp(−½·10.83²) ≈ 6e-26 ≈ 0.
    np.testing.assert_allclose(self._r((0.4, 0.2), [PI / 2, 0.8, 0.2]), 0.0, atol=ATOL)

  def test_rotated_by_half_turn(self):
    # angle π: x′ = −x, y′ = −y.  (−0.4, −0.2) → (0.4, 0.2): on the path.
    np.testing.assert_allclose(self._r((-0.4, -0.2), [PI, 0.8, 0.2]), 0.5 * self.PEAK,
                               rtol=RTOL)
    # (0.4, 0.2) → x′ = −0.4 < 0 → 0.
    assert self._r((0.4, 0.2), [PI, 0.8, 0.2]) == 0.0


# --------------------------------------------------------------- point_goal --

class TestPointGoal:

  def test_reward_and_success_inside_and_outside_epsilon(self):
    family = PointGoal()  # ε = 0.05
    task = jnp.asarray([[0.2, 0.0], [0.2, 0.0], [0.0, -0.2]])
    # distances: |(0.23, 0) − (0.2, 0)| = 0.03 < ε; |(0.2, 0.06) − (0.2, 0)| = 0.06 > ε;
    # |(0, −0.2) − (0, −0.2)| = 0 < ε.
    feats = jnp.asarray([[0.23, 0.0], [0.2, 0.06], [0.0, -0.2]])
    np.testing.assert_array_equal(jit(family.success)(feats, task), [True, False, True])
    np.testing.assert_array_equal(jit(family.reward)(feats, jnp.zeros((3, 2)), task),
                                  [0.0, -1.0, 0.0])
    # ε = 0.1: 0.06 < ε now succeeds.
    wide = PointGoal(epsilon=0.1)
    np.testing.assert_array_equal(jit(wide.reward)(feats, jnp.zeros((3, 2)), task),
                                  [0.0, 0.0, 0.0])

  def test_reward_dtype_is_float(self):
    r = PointGoal().reward(jnp.zeros(2), jnp.zeros(2), jnp.asarray([0.2, 0.0]))
    assert r.dtype == jnp.float32

  def test_achieved_goal_and_with_goal(self):
    family = PointGoal()
    feats = jnp.asarray([[0.1, 0.2], [0.3, -0.4]])
    np.testing.assert_array_equal(family.achieved_goal(feats), feats)
    tasks_ = jnp.asarray([[0.2, 0.0], [0.0, 0.2]])
    goals = jnp.asarray([[0.5, 0.5], [-0.5, 0.1]])
    np.testing.assert_array_equal(family.with_goal(tasks_, goals), goals)
    # A single goal broadcasts over the batch of tasks.
    np.testing.assert_allclose(family.with_goal(tasks_, jnp.asarray([0.7, 0.1])),
                                  [[0.7, 0.1], [0.7, 0.1]])
    # Relabeling with the achieved goal makes the step a success.
    relabeled = family.with_goal(tasks_, family.achieved_goal(feats))
    assert bool(jnp.all(family.success(feats, relabeled)))

  def test_features_are_the_position_the_reward_is_at(self):
    # HIPI evaluates reward and done at s_t (reward_state='current').
    prev, nxt = jnp.asarray([0.1, 0.2, 0.0, 0.0]), jnp.asarray([0.3, -0.4, 0.1, 0.1])
    np.testing.assert_allclose(PointGoal().features(prev, jnp.ones(2), nxt), [0.1, 0.2],
                               rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(PointGoal(reward_state="next").features(prev, jnp.ones(2), nxt),
                               [0.3, -0.4], rtol=RTOL, atol=ATOL)

  def test_non_goal_families_refuse_goal_methods(self):
    for family in (PointReacher(), PointTrajectory()):
      assert not family.is_goal_family
      with pytest.raises(TypeError, match="not a goal family"):
        family.success(jnp.zeros(3), jnp.zeros(6))
    with pytest.raises(TypeError, match="not a goal family"):
      PointTrajectory().with_goal(jnp.zeros(6), jnp.zeros(2))
    # PointReacher's task has a goal term that HER may relabel; the rest stays
    assert PointReacher().has_goal_part and not PointTrajectory().has_goal_part
    z = jnp.arange(6.0) / 10
    new = PointReacher().with_goal(z, jnp.array([0.0, 0.2]))
    np.testing.assert_allclose(new, [0.0, 0.1, PI / 2, 0.2, 0.4, 0.5], atol=1e-6)
    assert PointGoal().is_goal_family

  def test_bad_options(self):
    with pytest.raises(ValueError, match="epsilon"):
      PointGoal(epsilon=0.0)
    with pytest.raises(ValueError, match="radius"):
      PointGoal(radius_low=0.3, radius_high=0.2)


# ------------------------------------------------------------------- priors --

@pytest.mark.parametrize("family, low, high", [
    (PointReacher(), [0, 0.5, -PI, 0.15, -PI, 0.15], [0.25, 1.0, PI, 0.3, PI, 0.3]),
    (PointTrajectory(), [-PI, 0.75, -0.25], [PI, 1.0, 0.25]),
])
def test_prior_within_documented_ranges(family, low, high):
  z = np.asarray(jax.jit(family.sample, static_argnums=1)(jax.random.PRNGKey(1), 10_000))
  assert z.shape == (10_000, family.task_dim) and z.dtype == np.float32
  low, high = np.asarray(low), np.asarray(high)
  # float32(π) = 3.1415927 > π: allow float32 rounding at the ends.
  assert np.all(z >= low - 1e-6) and np.all(z <= high + 1e-6)
  # ... and the prior covers its range (10k uniform draws come within 1% of each end).
  span = high - low
  np.testing.assert_array_less(z.min(0) - low, 0.01 * span)
  np.testing.assert_array_less(high - z.max(0), 0.01 * span)
  # task_low_high() reports the same support.
  lo, hi = family.task_low_high()
  np.testing.assert_allclose(lo, low, rtol=1e-6)
  np.testing.assert_allclose(hi, high, rtol=1e-6)


def test_point_goal_prior_radius_and_angle():
  family = PointGoal()
  z = np.asarray(jax.jit(family.sample, static_argnums=1)(jax.random.PRNGKey(2), 10_000))
  assert z.shape == (10_000, 2)
  radius = np.linalg.norm(z, axis=-1)
  assert np.all(radius >= 0.15 - 1e-6) and np.all(radius <= 0.3 + 1e-6)
  angle = np.arctan2(z[:, 1], z[:, 0])
  # every quadrant gets about a quarter of the goals
  counts = np.histogram(angle, bins=4, range=(-PI, PI))[0]
  assert np.all(np.abs(counts - 2500) < 250), counts


@pytest.mark.parametrize("name", ["point_reacher", "point_trajectory", "point_goal"])
def test_eval_tasks_fixed(name):
  family = tasks.make(name)
  a, b = family.eval_tasks(), tasks.make(name).eval_tasks()
  assert a.shape == (25, family.task_dim)
  np.testing.assert_array_equal(a, b)
  assert len(np.unique(a, axis=0)) == 25
  # drawn from the prior: inside its support
  lo, hi = family.task_low_high()
  assert np.all(a >= lo - 1e-6) and np.all(a <= hi + 1e-6)
  # another eval_seed gives another set
  assert not np.allclose(a, tasks.make(name, eval_seed=1).eval_tasks())


# --------------------------------------------------------------- broadcasting --

@pytest.mark.parametrize("name", ["point_reacher", "point_trajectory", "point_goal"])
def test_reward_broadcasts_over_leading_axes(name):
  family = tasks.make(name)
  N, T, K = 3, 4, 5
  rng = np.random.default_rng(3)
  feats = rng.uniform(-0.4, 0.4, (N, T, family.feature_dim)).astype(np.float32)
  if name == "point_reacher":
    feats[..., 2] = np.abs(feats[..., 2])  # ‖a‖ ≥ 0
  action = rng.uniform(-1, 1, (N, T, 2)).astype(np.float32)
  lo, hi = family.task_low_high()
  task = rng.uniform(lo, hi, (K, N, family.task_dim)).astype(np.float32)
  if name == "point_goal":  # make some steps succeed
    task[0] = feats[:, 0]

  one = jit(family.reward)  # one step, one task: the reference

  def loop(n, t, k):
    return float(one(feats[n, t], action[n, t], task[k, n]))

  # [N, T, F] with [N, 1, D] → [N, T]
  r = jit(family.reward)(feats, action, task[0][:, None])
  assert r.shape == (N, T)
  np.testing.assert_allclose(r, [[loop(n, t, 0) for t in range(T)] for n in range(N)],
                             rtol=RTOL, atol=ATOL)
  # [N, T, F] with [K, N, 1, D] → [K, N, T]: K candidate tasks at once
  r = jit(family.reward)(feats, action, task[:, :, None])
  assert r.shape == (K, N, T)
  expected = [[[loop(n, t, k) for t in range(T)] for n in range(N)] for k in range(K)]
  np.testing.assert_allclose(r, expected, rtol=RTOL, atol=ATOL)
  if name == "point_goal":
    assert np.any(np.asarray(r) == 0.0) and np.any(np.asarray(r) == -1.0)


# ------------------------------------------------------------------ registry --

def test_registry_names_and_make():
  assert set(tasks.names()) >= {"point_reacher", "point_trajectory", "point_goal"}
  assert isinstance(tasks.make("point_reacher", reward_type="sparse"), PointReacher)
  assert tasks.make("point_trajectory", horizon=7).horizon == 7


def test_registry_unknown_name_lists_known():
  with pytest.raises(ValueError) as e:
    tasks.make("nope")
  msg = str(e.value)
  assert "'nope'" in msg
  for name in tasks.names():
    assert name in msg


def test_registry_unknown_option():
  with pytest.raises(ValueError, match="point_goal"):
    tasks.make("point_goal", reward_type="dense")


def test_families_are_hashable_static_config():
  # Families are closed over by jitted functions: equal options → equal hash.
  assert hash(PointReacher()) == hash(PointReacher())
  assert PointReacher(reward_type="sparse") != PointReacher()
  r = jax.jit(PointReacher().reward)(jnp.zeros(3), jnp.zeros(2),
                                     jnp.asarray([0.0, 1.0, 0.0, 0.2, 0.0, 0.2]))
  assert r.shape == ()
