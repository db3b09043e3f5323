"""The task-family contract (ARCHITECTURE 3.1) and small shared helpers.

A family is a frozen dataclass: hashable, so it can be closed over by jitted
functions as static configuration. It defines the task prior ``sample``, the
per-step reward ``features`` recorded at env-step time, and ``reward``, which
recomputes the reward of any task from stored features without the simulator.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np


class TaskFamily:
  """Base class. Subclasses are ``@dataclasses.dataclass(frozen=True)``."""

  name: str = "family"
  task_dim: int
  feature_dim: int
  horizon: int
  is_goal_family: bool = False
  # The task has a goal part that ``with_goal`` can replace by an achieved
  # goal, so HER applies. True for every goal family, and for multi-objective
  # families with a goal term (HER on the goal part, as Generalized Hindsight
  # compares it); ``success`` is only defined for goal families.
  has_goal_part: bool = False
  # Linear families have r = weights(task) · features; relabelers then turn
  # returns into a matrix product over discounted feature sums.
  is_linear: bool = False
  num_eval_tasks: int = 25
  eval_seed: int = 0
  # How the horizon H ends an episode (ARCHITECTURE 3.1). 'terminal': the step
  # at t = H is stored as terminal, so Q is a finite-horizon value; only where
  # the observation carries t/H (Generalized Hindsight's point envs).
  # 'bootstrap': the time limit is a truncation that the critic bootstraps
  # through; the policy cannot see time (Brax locomotion, HIPI's envs).
  # Families with an option set this as a dataclass field; ``TIME_LIMITS``
  # lists what the family's environment supports.
  time_limit: str = "bootstrap"
  TIME_LIMITS = ("bootstrap",)
  # Goal families: end the episode (as a termination) once ``success`` holds
  # (HIPI's goal tasks: done = dist < margin). Relabeled transitions then get
  # done′ = success(φ, z′).
  terminate_on_success: bool = False
  # Which environment of ``hindsight.envs`` runs the family (``envs.KINDS``:
  # 'point_velocity', 'point_position', 'brax'); None: the family has no
  # environment (its features are supplied by the caller). ``hindsight.envs``
  # derives every registered family's environment from it.
  env_kind: str | None = None
  # Discrete-action families: the number of actions (the env takes one
  # integer in [0, num_actions) per step, stored as i32 in the buffer);
  # 0 for continuous actions in [−1, 1]^A.
  num_actions: int = 0
  # Whether ``features(prev, action, next)`` reads only what the environment's
  # observation holds, so that features can be computed from a dataset's stored
  # observations (``features_from_observations``; hindsight/io/formats.py).
  observation_features: bool = False

  def check_common(self):
    """Checks shared by every family; call from ``__post_init__``."""
    check_choice(self.name, "time_limit", self.time_limit, self.TIME_LIMITS,
                 "'terminal' needs t/H in the observation")
    if self.terminate_on_success and not self.is_goal_family:
      raise ValueError(f"{self.name} terminate_on_success needs a goal family "
                       "(success is defined only for goal families)")
    if int(self.horizon) < 1:
      raise ValueError(f"{self.name} horizon must be >= 1, got {self.horizon}")
    if int(self.num_eval_tasks) < 1:
      raise ValueError(f"{self.name} num_eval_tasks must be >= 1, got "
                       f"{self.num_eval_tasks}")

  def sample(self, key: jax.Array, n: int) -> jax.Array:
    raise NotImplementedError

  def features(self, prev_state, action, next_state) -> jax.Array:
    raise NotImplementedError

  def reward(self, features, action, task) -> jax.Array:
    raise NotImplementedError

  def features_from_observations(self, obs, action, next_obs) -> jax.Array:
    """Reward features f32[..., F] from stored observations (o_t, a_t, o_{t+1}),
    for datasets that store no features; TypeError where the family's features
    need more than the observation (the physics state)."""
    if not self.observation_features:
      raise TypeError(
          f"{self.name} cannot compute its reward features from stored observations "
          "(they read the physics state, which the observation does not hold); the "
          "dataset must store them (field 'features' or 'infos/features')")
    return self.features(obs, action, next_obs)

  def eval_tasks(self) -> np.ndarray:
    """A fixed set of tasks drawn once from the prior with ``eval_seed``."""
    return np.asarray(self.sample(jax.random.PRNGKey(self.eval_seed),
                                  self.num_eval_tasks))

  def task_low_high(self) -> tuple[np.ndarray, np.ndarray]:
    """Bounds of the prior's support, per task component (for checks)."""
    raise NotImplementedError

  # Linear families.
  def weights(self, task) -> jax.Array:
    raise TypeError(f"{self.name} is not a linear family")

  # Goal families (``achieved_goal``/``with_goal`` also where ``has_goal_part``).
  def achieved_goal(self, features) -> jax.Array:
    raise TypeError(f"{self.name} is not a goal family")

  def with_goal(self, task, goal) -> jax.Array:
    raise TypeError(f"{self.name} is not a goal family")

  def success(self, features, task) -> jax.Array:
    raise TypeError(f"{self.name} is not a goal family")


# Which state a step's reward is computed at: s_t (before the action) or s_{t+1}.
REWARD_STATES = ("current", "next")


def check_choice(family: str, option: str, value, choices, why: str = ""):
  """A clear error when ``value`` is not one of ``choices``."""
  if value not in choices:
    extra = f" ({why})" if why and len(choices) < 2 else ""
    raise ValueError(f"{family} {option} must be one of {', '.join(map(repr, choices))}, "
                     f"got {value!r}{extra}")


def polar(angle, radius):
  """(r cos θ, r sin θ) stacked on the last axis."""
  return jnp.stack([radius * jnp.cos(angle), radius * jnp.sin(angle)], axis=-1)


def normal_pdf(x, sigma):
  """Density of N(0, σ²) at x."""
  return jnp.exp(-0.5 * jnp.square(x / sigma)) / (sigma * math.sqrt(2 * math.pi))


_UNROLLED_NORM = 4   # last-axis sizes whose sum of squares is written out


def safe_norm(x, axis=-1):
  """Euclidean norm with a finite gradient at 0.

  Over a short last axis (≤ 4, the 2-D positions of the point families) the
  sum of squares is written out, x₀² + x₁² + …, in the order ``jnp.sum``
  adds them (bitwise the same): a reduction over a minor axis of size 2 keeps
  XLA from vectorising the broadcast [N, T, K] reward of relabeling (measured
  ~10× slower on AIR's return matrix)."""
  n = x.shape[axis] if x.ndim else 0
  if x.ndim and axis in (-1, x.ndim - 1) and 1 <= n <= _UNROLLED_NORM:
    sq = jnp.square(x[..., 0])
    for i in range(1, n):
      sq = sq + jnp.square(x[..., i])
  else:
    sq = jnp.sum(jnp.square(x), axis=axis)
  safe = jnp.where(sq > 0, sq, 1.0)
  return jnp.where(sq > 0, jnp.sqrt(safe), 0.0)


def uniform(key, n, low, high):
  """n samples, uniform per component in [low, high) (both length-D lists)."""
  low = jnp.asarray(low, jnp.float32)
  high = jnp.asarray(high, jnp.float32)
  return jax.random.uniform(key, (n, low.shape[0]), minval=low, maxval=high)
