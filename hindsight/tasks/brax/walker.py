"""Walker (HIPI's walker with linear rewards, on Brax's Walker2d)."""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np

from hindsight.tasks import base, linear
from hindsight.tasks.brax.base import BraxFamily, clip_action, sq_norm

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
  backend: str = "generalized"  # see above
  horizon: int = 100  # HIPI's README: train_eval.max_episode_steps=100
  eval_seed: int = 0
  num_eval_tasks: int = 25
  time_limit: str = "bootstrap"  # the only choice on Brax (no t/H in the observation)

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
