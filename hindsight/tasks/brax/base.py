"""Shared Brax glue for the families of ``hindsight.tasks.brax``: the
``BraxFamily`` base class (what ``hindsight.envs.brax_env.BraxTaskEnv`` asks of
a family, with the defaults), the physics backends and small helpers.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from hindsight.tasks import base

BACKENDS = ("generalized", "positional", "spring", "mjx")


def clip_action(action):
  return jnp.clip(action, -1.0, 1.0)


def sq_norm(x):
  return jnp.sum(jnp.square(x), axis=-1)


def all_finite(pipeline_state):
  return jnp.all(jnp.isfinite(pipeline_state.q)) & jnp.all(jnp.isfinite(pipeline_state.qd))


class BraxFamily(base.TaskFamily):
  """Shared Brax plumbing. Subclasses set ``brax_name`` and ``dt`` and define
  ``features``/``reward``; they have the fields ``backend``, ``horizon`` and
  ``time_limit``, and call ``_check_brax()`` in ``__post_init__``."""

  brax_name: str = ""
  dt: float = 0.0
  # Every Brax family runs in ``hindsight.envs.brax_env.BraxTaskEnv``.
  env_kind = "brax"
  # Brax observations carry no t/H, so the horizon can only be a time limit
  # that the critic bootstraps through (ARCHITECTURE 3.1).
  TIME_LIMITS = ("bootstrap",)
  # What the Brax version cannot match of the paper's environment.
  PAPER_DIFFERENCES: tuple[str, ...] = ()

  def _check_brax(self):
    self.check_common()
    base.check_choice(self.name, "backend", self.backend, BACKENDS)
    if hasattr(self, "reward_state"):
      # Which state a step's reward is of: s_t (before the action) or s_{t+1}
      # (the same choices as the point families').
      base.check_choice(self.name, "reward_state", self.reward_state, base.REWARD_STATES)

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
