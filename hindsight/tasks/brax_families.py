"""Multi-task reward families on Brax physics (the papers' harder domains).

Each family here is a ``TaskFamily`` (ARCHITECTURE 3.1) whose environment is a
Brax ``PipelineEnv`` wrapped by ``hindsight.envs.brax_env.BraxTaskEnv``. The
family owns everything task-specific about the simulator:

- ``brax_name`` / ``brax_kwargs()``: which Brax environment to build, with the
  physics ``backend`` (a field, so ``config.env.options.backend`` selects it);
  ``sys_replace()``: changes to the built system (e.g. the physics timestep);
- ``observe(brax_env, pipeline_state)``: the policy's observation. It never
  contains the task (the task is appended by the learner), so a relabeled task
  is never contradicted by the observation;
- ``features(prev_pipeline_state, action, next_pipeline_state)``: the per-step
  reward features stored in the buffer, from which ``reward`` recomputes the
  reward of any task without the simulator;
- ``terminated(pipeline_state)``: early termination by the physics (time
  limits are the environment's business and are recorded apart, as
  truncation; ``terminate_on_success`` is applied by the environment);
- ``prepare(brax_env, pipeline_state, task)``: optional per-task change of the
  initial physical state (the Reacher's target marker).

Which state a reward is of follows each paper's released code:

- Generalized Hindsight's envs report their reward terms after the physics
  step (``env_info`` of ``step``, rlkit/samplers/rollout_functions.py,
  ``multitask_rollout_with_relabeler``), so its families' features are of the
  next state s_{t+1};
- HIPI evaluates the reward and ``done`` of the state *before* the step
  (hipi/envs/multitask.py, ``Environment.step``: ``evaluate([self._state],
  ...)`` is called before ``self._dynamics.step``; its relabeling buffer does
  the same with ``experience.observation[:, 0]``, hipi/relabelling_replay_buffer.py,
  ``RelabellingReplayBuffer.get_batch``), so its families' features are of s_t.
  Their achieved goals are then HIPI's ``state_to_task(states)``, which is
  what HIPI's ``candidate_task_type='states'`` and HER relabel with. These
  families have the option ``reward_state`` ('current': s_t, the default;
  'next': s_{t+1}).

``dt`` (seconds per environment step) is a class constant: the environment
checks on construction that the Brax environment steps exactly that long.
The action is clipped to [−1, 1] (the actuators' control range) before it is
used, so ‖a‖² features are those of the applied control (the papers' policies
are tanh-squashed, so their actions are in range too).

Every family lists, in ``PAPER_DIFFERENCES``, what its Brax version cannot
match (one self-contained sentence each; the report prints them).
"""

from __future__ import annotations

import dataclasses
import math

import jax
import jax.numpy as jnp
import numpy as np

from hindsight.tasks import base, linear
from hindsight.tasks.point_reacher import PointReacher

BACKENDS = ("generalized", "positional", "spring", "mjx")
# Which state a step's reward is of: s_t (before the action) or s_{t+1}
# (the same choices as the point families').
REWARD_STATES = ("current", "next")


def clip_action(action):
  return jnp.clip(action, -1.0, 1.0)


def sq_norm(x):
  return jnp.sum(jnp.square(x), axis=-1)


class BraxFamily(base.TaskFamily):
  """Shared Brax plumbing. Subclasses set ``brax_name`` and ``dt`` and define
  ``features``/``reward``; they have the fields ``backend``, ``horizon`` and
  ``time_limit``, and call ``_check_brax()`` in ``__post_init__``."""

  brax_name: str = ""
  dt: float = 0.0
  # Brax observations carry no t/H, so the horizon can only be a time limit
  # that the critic bootstraps through (ARCHITECTURE 3.1).
  TIME_LIMITS = ("bootstrap",)
  # What the Brax version cannot match of the paper's environment.
  PAPER_DIFFERENCES: tuple[str, ...] = ()

  def _check_brax(self):
    self.check_common()
    base.check_choice(self.name, "backend", self.backend, BACKENDS)
    if hasattr(self, "reward_state"):
      base.check_choice(self.name, "reward_state", self.reward_state, REWARD_STATES)

  def _reward_state(self, prev_state, next_state):
    """The state the reward is of, per the ``reward_state`` option."""
    return prev_state if self.reward_state == "current" else next_state

  def brax_kwargs(self) -> dict:
    return {}

  def sys_replace(self) -> dict:
    """``System.tree_replace`` arguments applied to the built Brax system."""
    return {}

  def observe(self, brax_env, pipeline_state) -> jax.Array:
    return brax_env._get_obs(pipeline_state)  # pylint: disable=protected-access

  def terminated(self, pipeline_state) -> jax.Array:
    del pipeline_state
    return jnp.zeros((), jnp.float32)

  def prepare(self, brax_env, pipeline_state, task):
    del brax_env, task
    return pipeline_state


def _all_finite(pipeline_state):
  return jnp.all(jnp.isfinite(pipeline_state.q)) & jnp.all(jnp.isfinite(pipeline_state.qd))


# ---------------------------------------------------------------- cheetah --

# Generalized Hindsight's 25 evaluation latents for the HalfCheetah
# (rlkit/torch/multitask/reference_latents.py, HALF_CHEETAH_HARD_LATENT, lines
# 54-78), used by HalfCheetahRelabelerMoreFeatures.sample_task when is_eval
# (rlkit/torch/multitask/half_cheetah_relabeler.py, lines 43-50).
HALF_CHEETAH_EVAL_LATENTS = (
    (0.16351133, 0.39735737, 0.13868221, 0.89226589),
    (0.44516526, 0.5384878, 0.71539224, -0.00852757),
    (-0.04808285, 0.61787233, 0.16376465, 0.76753043),
    (-0.32874727, 0.51285539, 0.79301178, -0.00607429),
    (0.57356583, 0.29543215, 0.73778664, 0.19852696),
    (0.26478409, 0.21436324, 0.27894186, -0.897847),
    (-0.02769318, 0.28812514, 0.03279012, -0.95663044),
    (-0.58389758, 0.37672438, 0.31927646, -0.64436395),
    (0.21199086, 0.44009548, 0.19803772, 0.84979816),
    (-0.22289306, 0.41565992, 0.3679393, -0.80135272),
    (0.11678933, 0.54475664, 0.31588873, -0.76799399),
    (0.01984843, 0.84718668, 0.53058562, -0.0189651),
    (-0.2641805, 0.04161925, 0.96339746, 0.01848903),
    (0.20236179, 0.2371666, 0.91917859, -0.24065),
    (-0.09999636, 0.11754523, 0.9266613, -0.34275748),
    (0.64363856, 0.17799179, 0.5537941, 0.49735343),
    (-0.71811819, 0.11510642, 0.16603108, -0.66595079),
    (0.11998367, 0.29398981, 0.56046647, 0.76488643),
    (0.17946807, 0.46867376, 0.70153077, 0.50595523),
    (-0.60335024, 0.52404126, 0.55138488, 0.23942422),
    (-0.55247622, 0.60433624, 0.54852465, 0.1693176),
    (-0.34665762, 0.37964889, 0.12249144, 0.84893525),
    (-0.23566951, 0.54552786, 0.27311338, -0.75648418),
    (0.5529805, 0.08131588, 0.7431492, 0.36787166),
    (0.9208998, 0.19334959, 0.00561364, -0.33841983),
)

EVAL_SETS = ("released", "prior")


@dataclasses.dataclass(frozen=True)
class HalfCheetahMultiObjective(BraxFamily, linear.LinearFamily):
  """HalfCheetah multi-objective (Generalized Hindsight, Li et al. 2020;
  ``--env halfcheetahhard`` of the released launch_gher.py).

  φ = [forward velocity, −0.1‖a‖², height, angular velocity], r = z · φ, as
  HalfCheetahRelabelerMoreFeatures.reward_done
  (rlkit/torch/multitask/half_cheetah_relabeler.py, lines 57-59) on the
  ``env_info`` of rlkit/envs/updated_half_cheetah.py, HalfCheetahEnv.step
  (lines 10-20):
  - forward velocity (q_rootx′ − q_rootx)/dt (``reward_run``, line 16);
  - −0.1‖a‖² (``reward_ctrl``, line 15);
  - height q_rootz of s_{t+1} (``qpos[1]``, line 19): the rootz slide joint,
    0 at the model's initial pose (Brax's ``q[1]``: same joint order rootx,
    rootz, rooty; its ``init_q[1]`` is 0);
  - angular velocity q̇_rooty (``qvel[2]``, line 20).
  Prior: z ~ N(0, I₄) with the control and height weights made non-negative,
  normalised to ‖z‖ = 1 (HalfCheetahRelabelerMoreFeatures.sample_task, lines
  51-55). H = 1000 (launch_gher.py, line 308). Evaluation: GH's 25 fixed
  latents (``eval_set='released'``) or 25 draws from the prior
  (``eval_set='prior'``, ``eval_seed``). Matches: features, prior, evaluation
  tasks, horizon, control step (0.05 s: gym's 0.01 s × frame skip 5,
  updated_half_cheetah.py line 7), observation (q[1:], q̇: 17 numbers), and
  reset noise (q + U(±0.1), q̇ ~ 0.1·N(0, 1)). Differs: ``PAPER_DIFFERENCES``.
  """

  backend: str = "spring"
  horizon: int = 1000
  eval_set: str = "released"
  eval_seed: int = 0
  num_eval_tasks: int = 25
  time_limit: str = "bootstrap"

  name = "halfcheetah_multiobjective"
  brax_name = "halfcheetah"
  dt = 0.05
  task_dim = 4
  feature_dim = 4
  PAPER_DIFFERENCES = (
      "Physics is Brax's HalfCheetah on the chosen backend (spring by default, whose "
      "timestep and gears Brax retunes), not Gym's MuJoCo HalfCheetah of the released "
      "code, so the same actions move the robot differently.",
      "Gym's HalfCheetah steps MuJoCo 0.01 s × 5 frames and Brax's spring HalfCheetah "
      "0.003125 s × 16: the control step is the same 0.05 s, the integration is not.",
  )

  def __post_init__(self):
    self._check_brax()
    base.check_choice(self.name, "eval_set", self.eval_set, EVAL_SETS)
    if self.eval_set == "released" and self.num_eval_tasks != len(HALF_CHEETAH_EVAL_LATENTS):
      raise ValueError(f"{self.name} eval_set='released' is Generalized Hindsight's "
                       f"{len(HALF_CHEETAH_EVAL_LATENTS)} latents, got num_eval_tasks="
                       f"{self.num_eval_tasks} (use eval_set='prior')")

  def sample(self, key, n):
    w = jax.random.normal(key, (n, 4))
    w = w.at[:, 1:3].set(jnp.abs(w[:, 1:3]))
    return w / jnp.linalg.norm(w, axis=-1, keepdims=True)

  def task_low_high(self):
    return (np.asarray([-1, 0, 0, -1], np.float32), np.ones(4, np.float32))

  def eval_tasks(self):
    if self.eval_set == "released":
      return np.asarray(HALF_CHEETAH_EVAL_LATENTS, np.float32)
    return super().eval_tasks()

  def features(self, prev_state, action, next_state):
    a = clip_action(action)
    vx = (next_state.q[0] - prev_state.q[0]) / self.dt   # rootx slide joint
    return jnp.stack([vx, -0.1 * sq_norm(a), next_state.q[1],
                      next_state.qd[2]]).astype(jnp.float32)


# -------------------------------------------------------------------- ant --

@dataclasses.dataclass(frozen=True)
class AntDirection(BraxFamily):
  """Ant running in a direction θ (Generalized Hindsight's
  ``--env antdirectionnewsparse``: AntDirectionRelabelerNewSparse on
  rlkit/envs/updated_ant.py's AntEnv).

  r = ‖v_xy‖·1[cos∠(v_xy, θ) > 0.9659] − 0.5‖a‖² + 1
  (rlkit/torch/multitask/ant_direction_relabeler.py,
  AntDirectionRelabelerNewSparse.reward_done, lines 200-205; v is the torso's
  finite-difference velocity, ctrl cost and survive bonus from
  updated_ant.py AntEnv.step, lines 18-23). The episode terminates when the
  state is not finite or the torso height q_z leaves [0.2, 1.0]
  (updated_ant.py, lines 26-28; the rollout stops there,
  rlkit/samplers/rollout_functions.py, lines 161-188). θ ~ U(−range, range)
  with range π ('360'), π/2 ('180') or π/4 ('90') (AntDirectionRelabelerNew.
  sample_task, lines 112-123). Evaluation: 25 evenly spaced directions at the
  cell midpoints, linspace(−π, π, 25, endpoint=False) + π/25
  (AntDirectionRelabelerNew.__init__, line 108; GH defines them only for
  '360', this family uses the same midpoints of [−range, range] for the
  others). H = 1000 (launch_gher.py, line 295). Observation: q[2:], q̇ (27
  numbers; GH's defaults use_xy=False, contact_forces=False,
  updated_ant.py line 6 and launch_gher.py lines 211-212). Features:
  [v_x, v_y, ‖a‖²]. Differs: ``PAPER_DIFFERENCES``.
  """

  angle_range: float = math.pi
  # The released code's literal threshold (cos 15° = 0.96593 to 4 digits).
  min_cosine: float = 0.9659
  ctrl_cost_weight: float = 0.5
  survive_bonus: float = 1.0
  healthy_z_low: float = 0.2
  healthy_z_high: float = 1.0
  backend: str = "spring"
  horizon: int = 1000
  eval_seed: int = 0
  num_eval_tasks: int = 25
  time_limit: str = "bootstrap"

  name = "ant_direction"
  brax_name = "ant"
  dt = 0.05
  task_dim = 1
  feature_dim = 3
  PAPER_DIFFERENCES = (
      "Generalized Hindsight's Ant reward subtracts a contact cost "
      "0.5·10⁻³‖clip(cfrc_ext, −1, 1)‖² (at most 0.042 per step); Brax exposes no "
      "external contact forces, so it is omitted here.",
      "Physics is Brax's Ant on the chosen backend (spring by default: 0.005 s × 10 "
      "frames), not Gym's MuJoCo Ant (0.01 s × 5 frames); the control step is the same "
      "0.05 s.",
  )

  def __post_init__(self):
    self._check_brax()
    if not 0 < self.angle_range <= math.pi:
      raise ValueError(f"ant_direction angle_range must be in (0, π], got {self.angle_range}")
    if not -1 < self.min_cosine < 1:
      raise ValueError(f"ant_direction min_cosine must be in (−1, 1), got {self.min_cosine}")

  def sample(self, key, n):
    return jax.random.uniform(key, (n, 1), minval=-self.angle_range,
                              maxval=self.angle_range)

  def task_low_high(self):
    return (np.full(1, -self.angle_range, np.float32),
            np.full(1, self.angle_range, np.float32))

  def eval_tasks(self):
    """Evenly spaced directions at the midpoints of ``num_eval_tasks`` equal
    cells of [−range, range]: Generalized Hindsight's 25 for range π."""
    n, r = self.num_eval_tasks, float(self.angle_range)
    theta = np.linspace(-r, r, n, endpoint=False) + r / n
    return theta.astype(np.float32)[:, None]

  def features(self, prev_state, action, next_state):
    a = clip_action(action)
    # Torso body position (GH: get_body_com("torso"), the torso sphere's centre).
    v = (next_state.x.pos[0, :2] - prev_state.x.pos[0, :2]) / self.dt
    return jnp.concatenate([v, sq_norm(a)[None]]).astype(jnp.float32)

  def reward(self, features, action, task):
    del action
    v = features[..., :2]
    theta = task[..., 0]
    along = v[..., 0] * jnp.cos(theta) + v[..., 1] * jnp.sin(theta)
    speed = base.safe_norm(v)
    # cos∠(v, θ) > c ⇔ v·u > c‖v‖ (false at v = 0, where GH's 0/0 is NaN > c).
    inside = along > self.min_cosine * speed
    return (jnp.where(inside, speed, 0.0) - self.ctrl_cost_weight * features[..., 2]
            + self.survive_bonus)

  def terminated(self, pipeline_state):
    z = pipeline_state.q[2]   # the free joint's z: GH's state_vector()[2]
    healthy = _all_finite(pipeline_state) & (z >= self.healthy_z_low) & (
        z <= self.healthy_z_high)
    return (~healthy).astype(jnp.float32)


# HIPI's quadruped acts every 0.02 s (dm_control quadruped._CONTROL_TIMESTEP,
# hipi/envs/dm_env.py run_task); Brax's Ant integrates 0.01 s (generalized,
# mjx) or 0.005 s (spring, positional) per frame.
_ANT_GOAL_FRAMES = {"generalized": 2, "mjx": 2, "spring": 4, "positional": 4}


@dataclasses.dataclass(frozen=True)
class AntGoal(BraxFamily):
  """Ant goal reaching (HIPI's quadruped, Eysenbach et al. 2020:
  ``env_name='quadruped'``, hipi/envs/dm_env.py QuadrupedRunDynamics +
  QuadrupedContinuousTaskDistribution + quadruped_reward).

  Goal uniform on the circle of radius ``goal_distance`` = 3 around the start
  (QuadrupedContinuousTaskDistribution.__init__ and .sample: θ ~ U(0, 2π),
  goal = 3(cos θ, sin θ)); dist = ‖torso_xy(s_t) − goal‖ (HIPI evaluates the
  state before the step, see the module docstring; ``reward_state='next'``
  uses s_{t+1}). Reward (quadruped_reward):
  ``reward_type='dense'`` (HIPI's default, sparse=False): (goal_distance − dist)
  − 0.1‖a‖² + 1 (stay-alive bonus 1.0), never done within an episode (its done
  is the time-limit flag of the 20 s dm_control episode, which a 100-step
  episode never reaches); ``'sparse'``: 1[dist < radius] − 1, never done
  (``dones = zeros``). ``radius`` is quadruped_reward's goal_radius (default
  1.0; HIPI's README command for its goal-reaching experiment uses sparse with
  goal_radius 0.3); here it also defines ``success`` for every reward type.
  H = 100 (train_eval.py ``max_episode_steps=100``; the README's quadruped
  command keeps it), control step 0.02 s, the start is the same every episode
  (HIPI's Move.initialize_episode: upright, no joint noise; here
  ``reset_noise_scale=0``). Features: [torso x, torso y, ‖a_t‖²] of s_t; the
  achieved goal is the torso xy. The observation includes the torso xy, as
  HIPI's (QuadrupedRunDynamics(add_xy=True)). Differs: ``PAPER_DIFFERENCES``.
  """

  reward_type: str = "dense"
  radius: float = 1.0
  goal_distance: float = 3.0
  ctrl_cost_weight: float = 0.1
  terminate_when_unhealthy: bool = False
  healthy_z_low: float = 0.2
  healthy_z_high: float = 1.0
  terminate_on_success: bool = False
  reset_noise_scale: float = 0.0
  reward_state: str = "current"   # current: s_t (HIPI's code) | next: s_{t+1}
  backend: str = "spring"
  horizon: int = 100
  eval_seed: int = 0
  num_eval_tasks: int = 25
  time_limit: str = "bootstrap"

  name = "ant_goal"
  brax_name = "ant"
  dt = 0.02
  task_dim = 2
  feature_dim = 3
  is_goal_family = True
  PAPER_DIFFERENCES = (
      "HIPI's robot is dm_control's Quadruped; Brax has no quadruped model, so this "
      "family uses Brax's Ant (another body, legs and gears) with the same task, reward "
      "and control step.",
      "HIPI's quadruped observation is dm_control's (egocentric joint state, torso "
      "velocity, upright, IMU, force-torque sensors) plus the torso xy; here it is the "
      "Ant's q and q̇ (which include the torso xy).",
  )

  def __post_init__(self):
    self._check_brax()
    base.check_choice(self.name, "reward_type", self.reward_type, ("dense", "sparse"))
    if not self.radius > 0:
      raise ValueError(f"ant_goal radius must be > 0, got {self.radius}")
    if self.terminate_on_success and self.terminate_when_unhealthy:
      # The buffer keeps one terminal flag per step; under a relabeled goal
      # done′ = success(φ, z′) could not also keep a fall.
      raise ValueError("ant_goal: terminate_on_success and terminate_when_unhealthy cannot "
                       "both be on (relabeled terminations would lose the falls)")
    if not self.reset_noise_scale >= 0:
      raise ValueError(f"ant_goal reset_noise_scale must be >= 0, got {self.reset_noise_scale}")

  def brax_kwargs(self):
    return {"exclude_current_positions_from_observation": False,
            "reset_noise_scale": float(self.reset_noise_scale),
            "n_frames": _ANT_GOAL_FRAMES[self.backend]}

  def sample(self, key, n):
    angle = jax.random.uniform(key, (n,), minval=-jnp.pi, maxval=jnp.pi)
    return base.polar(angle, jnp.full((n,), self.goal_distance))

  def task_low_high(self):
    d = self.goal_distance
    return np.full(2, -d, np.float32), np.full(2, d, np.float32)

  def features(self, prev_state, action, next_state):
    a = clip_action(action)
    s = self._reward_state(prev_state, next_state)   # HIPI: s_t
    return jnp.concatenate([s.x.pos[0, :2], sq_norm(a)[None]]).astype(jnp.float32)

  def achieved_goal(self, features):
    return features[..., :2]

  def with_goal(self, task, goal):
    return jnp.broadcast_to(goal, jnp.broadcast_shapes(task.shape, goal.shape))

  def _dist(self, features, task):
    return base.safe_norm(features[..., :2] - task[..., :2])

  def success(self, features, task):
    return self._dist(features, task) < self.radius

  def reward(self, features, action, task):
    del action
    if self.reward_type == "sparse":
      return self.success(features, task).astype(jnp.float32) - 1.0
    return (self.goal_distance - self._dist(features, task)
            - self.ctrl_cost_weight * features[..., 2] + 1.0)

  def terminated(self, pipeline_state):
    if not self.terminate_when_unhealthy:
      return jnp.zeros((), jnp.float32)
    z = pipeline_state.q[2]
    healthy = _all_finite(pipeline_state) & (z >= self.healthy_z_low) & (
        z <= self.healthy_z_high)
    return (~healthy).astype(jnp.float32)


# ----------------------------------------------------------------- walker --

# Brax's Walker2d links: torso, thigh, leg, foot, thigh_left, leg_left,
# foot_left — the body order of dm_control's walker (torso, right_thigh,
# right_leg, right_foot, left_thigh, left_leg, left_foot).
WALKER_TORSO, WALKER_RIGHT_FOOT, WALKER_LEFT_FOOT = 0, 3, 6


def planar_orientations(pipeline_state):
  """f32[L, 2]: the (xx, xz) entries of each link's world rotation matrix
  (dm_control's ``Physics.orientations``: ``xmat[1:, ['xx', 'xz']]``), i.e.
  (cos θ, sin θ) of a link pitched by θ about the world y axis."""
  from brax import math as brax_math
  rot = jax.vmap(brax_math.quat_to_3x3)(pipeline_state.x.rot)
  return jnp.stack([rot[:, 0, 0], rot[:, 0, 2]], axis=-1)


@dataclasses.dataclass(frozen=True)
class WalkerLinear(BraxFamily, linear.LinearFamily):
  """Walker with linear rewards (HIPI's ``env_name='walker'``: hipi/envs/dm_env.py
  WalkerDynamics + WalkerTaskDistribution).

  φ = [h − 0.5, v_x, o₃ − (0, −0.7), o₆ − (0, −0.7), ‖a‖²] of the state s_t
  before the step (WalkerTaskDistribution._evaluate; see the module
  docstring; ``reward_state='next'`` uses s_{t+1}), r = z · φ, z ~ U([−1, 1]⁶ × [−1, 0]) (WalkerTaskDistribution.
  __init__, new_bounds=False):
  - h: the torso's world height (dm_control ``torso_height`` = xpos['torso', 'z']);
  - v_x: the rootx joint velocity (HIPI's ``velocity[1]``: dm_control's qvel
    is ordered rootz, rootx, rooty; Brax's ``qd[0]``);
  - o_i: the (xx, xz) orientation entries of body i — (cos, sin) of its pitch,
    not a position — for bodies 3 and 6 (HIPI's ``2 * 3`` and ``2 * 6``
    offsets into ``orientations``, which it labels "L ft" and "R ft"; in
    dm_control's and Brax's body order they are the right and the left foot);
  - ‖a‖²: the control, whose weight is never positive.
  No termination (terminate_on_fall=False; its done is the 25 s dm_control
  time-limit flag, never reached in 100 steps). H = 100 (HIPI's README walker
  command, ``max_episode_steps=100``). Control step 0.025 s: dm_control's
  walker (walker._CONTROL_TIMESTEP = 0.025 with walker.xml's timestep 0.0025);
  here Brax's Walker2d is stepped at the same 0.0025 s × 10 frames. The start
  is the same every episode (HIPI's PlanarWalker.initialize_episode skips the
  joint randomisation; here ``reset_noise_scale=0``). The observation is
  HIPI's: [torso height, (xx, xz) of the 7 bodies, q̇] (24 numbers; HIPI also
  appends a done flag, always 0 within 100 steps). Differs:
  ``PAPER_DIFFERENCES``.
  """

  reward_state: str = "current"   # current: s_t (HIPI's code) | next: s_{t+1}
  backend: str = "generalized"
  horizon: int = 100
  eval_seed: int = 0
  num_eval_tasks: int = 25
  time_limit: str = "bootstrap"

  name = "walker_linear"
  brax_name = "walker2d"
  # dm_control walker: walker.xml <option timestep="0.0025"/>, and
  # walker._CONTROL_TIMESTEP = .025 (10 physics steps per action).
  physics_timestep = 0.0025
  n_frames = 10
  dt = 0.025
  task_dim = 7
  feature_dim = 7
  PAPER_DIFFERENCES = (
      "HIPI's walker is dm_control's (torso 0.6 m, standing torso height 1.3 m, gears "
      "100/50/20 at hip/knee/ankle); Brax's Walker2d is Gym's model (torso 0.4 m, "
      "standing height 1.25 m, gear 100 on every joint), so HIPI's feature offsets 0.5 "
      "and (0, −0.7) are applied to a slightly different body.",
      "Physics is Brax's generalized pipeline (or the chosen backend) at dm_control's "
      "0.0025 s timestep and 0.025 s control step, not MuJoCo.",
  )

  _LOW = (-1.0,) * 6 + (-1.0,)
  _HIGH = (1.0,) * 6 + (0.0,)

  def __post_init__(self):
    self._check_brax()

  def brax_kwargs(self):
    return {"terminate_when_unhealthy": False, "reset_noise_scale": 0.0,
            "n_frames": self.n_frames}

  def sys_replace(self):
    return {"opt.timestep": self.physics_timestep}

  def observe(self, brax_env, pipeline_state):
    del brax_env
    return jnp.concatenate([pipeline_state.x.pos[WALKER_TORSO, 2:3],
                            planar_orientations(pipeline_state).reshape(-1),
                            pipeline_state.qd])

  def sample(self, key, n):
    return base.uniform(key, n, self._LOW, self._HIGH)

  def task_low_high(self):
    return np.asarray(self._LOW, np.float32), np.asarray(self._HIGH, np.float32)

  def features(self, prev_state, action, next_state):
    a = clip_action(action)
    s = self._reward_state(prev_state, next_state)   # HIPI: s_t
    orient = planar_orientations(s)
    # WalkerTaskDistribution._evaluate: height_offset = 0.5,
    # foot_offset = (0.0, -0.7), vel_coef = 1.0.
    offset = jnp.asarray([0.0, -0.7])
    return jnp.concatenate([
        jnp.stack([s.x.pos[WALKER_TORSO, 2] - 0.5, s.qd[0]]),
        orient[WALKER_RIGHT_FOOT] - offset,
        orient[WALKER_LEFT_FOOT] - offset,
        sq_norm(a)[None]]).astype(jnp.float32)


# ---------------------------------------------------------------- reacher --

REACHER_ARM, REACHER_TARGET = 1, 2
REACHER_TIP_OFFSET = 0.11


def reacher_tip(pipeline_state):
  """Fingertip world position and velocity (as Brax's Reacher observation)."""
  from brax import base as brax_base
  tf = brax_base.Transform.create(pos=jnp.asarray([REACHER_TIP_OFFSET, 0.0, 0.0]))
  pos = pipeline_state.x.take(REACHER_ARM).do(tf).pos
  vel = tf.do(pipeline_state.xd.take(REACHER_ARM)).vel
  return pos, vel


class _ReacherMixin(BraxFamily):
  """Reacher plumbing: a task-free observation (joint angles as cos/sin, joint
  velocities, fingertip position and velocity — Brax's observation without the
  target) and the target marker moved to the task's goal at reset."""

  brax_name = "reacher"
  dt = 0.02

  def observe(self, brax_env, pipeline_state):
    del brax_env
    theta = pipeline_state.q[:2]
    pos, vel = reacher_tip(pipeline_state)
    return jnp.concatenate([jnp.cos(theta), jnp.sin(theta), pipeline_state.qd[:2],
                            pos[:2], vel[:2]])

  def goal_of(self, task):
    return task[..., :2]

  def prepare(self, brax_env, pipeline_state, task):
    q = pipeline_state.q.at[2:].set(self.goal_of(task))
    qd = pipeline_state.qd.at[2:].set(0.0)
    return brax_env.pipeline_init(q, qd)


@dataclasses.dataclass(frozen=True)
class ReacherGoal(_ReacherMixin):
  """Reacher goal reaching (HIPI's 2D reacher: hipi/envs/dm_env.py
  ReacherDynamics + ReacherTaskDistribution).

  The task is the target xy, radius ~ U(0.05, 0.20) and angle ~ U(0, 2π)
  (ReacherTaskDistribution.sample, which is dm_control's reacher target
  distribution, reacher.Reacher.initialize_episode). Reward
  1[‖fingertip(s_t) − target‖ < margin] − 1 (use_neg_rew=True) and, with
  ``terminate_on_success``, done = dist < margin (ReacherTaskDistribution.
  _evaluate: its done is always the success; of the state before the step,
  see the module docstring; ``reward_state='next'`` uses s_{t+1}). ``margin`` defaults to the class default 0.1;
  HIPI's README command uses 0.01 (configs/reacher_goal.py). H = 100
  (train_eval.py ``max_episode_steps=100``), control step 0.02 s as
  dm_control's reacher. Features: the fingertip xy of s_t. Differs:
  ``PAPER_DIFFERENCES``.
  """

  margin: float = 0.1
  radius_low: float = 0.05
  radius_high: float = 0.20
  terminate_on_success: bool = False
  reward_state: str = "current"   # current: s_t (HIPI's code) | next: s_{t+1}
  backend: str = "positional"
  horizon: int = 100
  eval_seed: int = 0
  num_eval_tasks: int = 25
  time_limit: str = "bootstrap"

  name = "reacher_goal"
  task_dim = 2
  feature_dim = 2
  is_goal_family = True
  PAPER_DIFFERENCES = (
      "HIPI's reacher is dm_control's reacher; Brax's Reacher is Gym's two-link arm "
      "(links 0.1 m and 0.11 m), on the chosen backend.",
      "HIPI's released ReacherTaskDistribution compares the task with the joint angles "
      "(its 'position' observation) and 'reacher' is not among get_py_env's "
      "environments; here the task is compared with the fingertip xy, the goal the "
      "paper describes.",
      "The arm starts near straight (Brax's ±0.1 rad reset noise) instead of "
      "dm_control's uniformly random joint angles.",
      "HIPI's observation is dm_control's (joint angles, finger-to-target vector of the "
      "simulator's own target, velocities); here it is the joint angles as cos/sin, "
      "velocities and the fingertip position and velocity, without the target.",
  )

  def __post_init__(self):
    self._check_brax()
    if not self.margin > 0:
      raise ValueError(f"reacher_goal margin must be > 0, got {self.margin}")
    if not 0 <= self.radius_low <= self.radius_high <= 0.27:
      raise ValueError("reacher_goal needs 0 <= radius_low <= radius_high <= 0.27 (the "
                       f"target joint's range), got {self.radius_low}, {self.radius_high}")

  def sample(self, key, n):
    k1, k2 = jax.random.split(key)
    angle = jax.random.uniform(k1, (n,), minval=-jnp.pi, maxval=jnp.pi)
    radius = jax.random.uniform(k2, (n,), minval=self.radius_low, maxval=self.radius_high)
    return base.polar(angle, radius)

  def task_low_high(self):
    r = self.radius_high
    return np.full(2, -r, np.float32), np.full(2, r, np.float32)

  def features(self, prev_state, action, next_state):
    del action
    s = self._reward_state(prev_state, next_state)   # HIPI: s_t
    return reacher_tip(s)[0][:2].astype(jnp.float32)

  def achieved_goal(self, features):
    return features[..., :2]

  def with_goal(self, task, goal):
    return jnp.broadcast_to(goal, jnp.broadcast_shapes(task.shape, goal.shape))

  def success(self, features, task):
    return base.safe_norm(features[..., :2] - task[..., :2]) < self.margin

  def reward(self, features, action, task):
    del action
    return self.success(features, task).astype(jnp.float32) - 1.0

  def prepare(self, brax_env, pipeline_state, task):
    # Outside the target joint's range the marker would be clipped: keep it in.
    return super().prepare(brax_env, pipeline_state, jnp.clip(task, -0.27, 0.27))


@dataclasses.dataclass(frozen=True)
class ReacherMultiObjective(_ReacherMixin, PointReacher):
  """Multi-objective reaching on Brax's Reacher arm: ``point_reacher``'s reward
  (Generalized Hindsight's PointReacher, ReacherRelabelerWithGoalAndObs) with
  the fingertip of s_{t+1} as the point — w₁ g(‖tip − goal‖) + w₂(−‖a‖) +
  w₃ log₁₀(‖tip − obstacle‖ + 0.01)/5, task z = (u, v, θ_goal, r_goal, θ_obs,
  r_obs). Generalized Hindsight has no such environment: it ran this reward on
  a point mass (``pointreacherobs``) and on the Fetch arm with a 3-D goal and
  obstacle (``fetchreach``, latent_dim 8, H = 50, launch_gher.py lines
  334-346). Goal and obstacle radii are U(0.05, 0.2) for the 0.21 m arm.
  """

  reward_type: str = "dense"
  sparse_scale: float = 1.0
  backend: str = "positional"
  horizon: int = 50
  eval_seed: int = 0
  num_eval_tasks: int = 25
  time_limit: str = "bootstrap"

  name = "reacher_multiobjective"
  task_dim = 6
  feature_dim = 3
  PAPER_DIFFERENCES = (
      "Not an environment of either paper: Generalized Hindsight's PointReacher reward "
      "on Brax's two-link Reacher arm (reach 0.21 m), where the paper used a point mass "
      "and the 7-DoF Fetch arm.",
      "The goal and obstacle radii are U(0.05, 0.2) (the arm's reach) instead of the "
      "point mass's U(0.15, 0.3).",
  )

  _LOW = (0.0, 0.5, -math.pi, 0.05, -math.pi, 0.05)
  _HIGH = (0.25, 1.0, math.pi, 0.2, math.pi, 0.2)

  def __post_init__(self):
    PointReacher.__post_init__(self)
    self._check_brax()

  def goal_of(self, task):
    return PointReacher.goal(task)

  def features(self, prev_state, action, next_state):
    del prev_state
    a = clip_action(action)
    tip = reacher_tip(next_state)[0][:2]
    return jnp.concatenate([tip, base.safe_norm(a)[None]]).astype(jnp.float32)
