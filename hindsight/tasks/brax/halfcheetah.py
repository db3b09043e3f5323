"""HalfCheetah (Generalized Hindsight's multi-objective HalfCheetah)."""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np

from hindsight.tasks import base, linear
from hindsight.tasks.brax.base import BraxFamily, clip_action, sq_norm

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

  backend: str = "spring"  # generalized | positional | spring | mjx (see above)
  horizon: int = 1000  # H (launch_gher.py, halfcheetahhard: max_path_length=1000)
  # GH's 25 evaluation latents (reference_latents.py, HALF_CHEETAH_HARD_LATENT);
  # 'prior': num_eval_tasks draws from the prior with eval_seed.
  eval_set: str = "released"
  eval_seed: int = 0
  num_eval_tasks: int = 25
  time_limit: str = "bootstrap"  # the only choice on Brax (no t/H in the observation)

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
