"""Ant (Generalized Hindsight's Ant direction; HIPI's quadruped goal reaching,
on Brax's Ant)."""

from __future__ import annotations

import dataclasses
import math

import jax
import jax.numpy as jnp
import numpy as np

from hindsight.tasks import base, goal
from hindsight.tasks.brax.base import BraxFamily, all_finite, clip_action, sq_norm


def unhealthy(pipeline_state, z_low, z_high):
  """1 where the state is not finite or the torso height q_z (the free
  joint's z: GH's state_vector()[2]) leaves [z_low, z_high], else 0."""
  z = pipeline_state.q[2]
  healthy = all_finite(pipeline_state) & (z >= z_low) & (z <= z_high)
  return (~healthy).astype(jnp.float32)


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

  # θ ~ U(−range, range): π ('360'); π/2 ('180') and π/4 ('90') are the
  # easier variants (AntDirectionRelabelerNew.sample_task, lines 112-123).
  angle_range: float = math.pi
  # The released code's literal threshold (cos 15° = 0.96593 to 4 digits).
  # speed counts when cos∠(v, θ) > 0.9659 (AntDirectionRelabelerNewSparse.reward_done, line 204)
  min_cosine: float = 0.9659
  ctrl_cost_weight: float = 0.5  # updated_ant.py AntEnv.step, line 20
  survive_bonus: float = 1.0  # updated_ant.py AntEnv.step, line 23
  healthy_z_low: float = 0.2  # terminate when the torso height leaves [low, high]
  healthy_z_high: float = 1.0  # (updated_ant.py AntEnv.step, lines 26-28)
  backend: str = "spring"  # mjx/positional Ants fall through the floor (the configs' notes)
  horizon: int = 1000  # launch_gher.py, antdirectionnewsparse, line 295
  eval_seed: int = 0  # unused: the evaluation directions are fixed
  num_eval_tasks: int = 25  # GH's 25 directions (AntDirectionRelabelerNew.__init__, line 108)
  time_limit: str = "bootstrap"  # the only choice on Brax (no t/H in the observation)

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
    return unhealthy(pipeline_state, self.healthy_z_low, self.healthy_z_high)


# HIPI's quadruped acts every 0.02 s (dm_control quadruped._CONTROL_TIMESTEP,
# hipi/envs/dm_env.py run_task); Brax's Ant integrates 0.01 s (generalized,
# mjx) or 0.005 s (spring, positional) per frame.
_ANT_GOAL_FRAMES = {"generalized": 2, "mjx": 2, "spring": 4, "positional": 4}


@dataclasses.dataclass(frozen=True)
class AntGoal(goal.PlanarGoalFamily, BraxFamily):
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

  # dense: (goal_distance − dist) − 0.1‖a‖² + 1 (HIPI's quadruped_reward default,
  # sparse=False); sparse: 1[dist < radius] − 1 (HIPI's README: goal_radius=0.3).
  reward_type: str = "dense"
  radius: float = 1.0  # quadruped_reward's goal_radius default; success = dist < radius
  goal_distance: float = 3.0  # QuadrupedContinuousTaskDistribution(goal_distance=3.0)
  ctrl_cost_weight: float = 0.1  # quadruped_reward: ctrl_cost = 0.1 * sum(actions**2)
  terminate_when_unhealthy: bool = False  # HIPI's quadruped never terminates
  healthy_z_low: float = 0.2
  healthy_z_high: float = 1.0
  terminate_on_success: bool = False  # quadruped_reward: no done at the goal
  reset_noise_scale: float = 0.0  # HIPI's Move.initialize_episode: same upright start
  reward_state: str = "current"   # current: s_t (HIPI's code) | next: s_{t+1}
  backend: str = "spring"
  horizon: int = 100  # train_eval(max_episode_steps=100)
  eval_seed: int = 0
  num_eval_tasks: int = 25
  time_limit: str = "bootstrap"  # the only choice on Brax (no t/H in the observation)

  name = "ant_goal"
  brax_name = "ant"
  dt = 0.02
  task_dim = 2
  feature_dim = 3
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

  @property
  def success_radius(self):
    return self.radius

  def reward(self, features, action, task):
    del action
    if self.reward_type == "sparse":
      return self.success(features, task).astype(jnp.float32) - 1.0
    return (self.goal_distance - self.distance_to_goal(features, task)
            - self.ctrl_cost_weight * features[..., 2] + 1.0)

  def terminated(self, pipeline_state):
    if not self.terminate_when_unhealthy:
      return jnp.zeros((), jnp.float32)
    return unhealthy(pipeline_state, self.healthy_z_low, self.healthy_z_high)
