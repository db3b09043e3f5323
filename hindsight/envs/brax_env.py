"""Brax physics behind the task-family contract (ARCHITECTURE 3.2).

``BraxTaskEnv(family)`` builds the family's Brax ``PipelineEnv`` on the
family's backend (with ``family.brax_kwargs()``, then
``family.sys_replace()`` applied to its system, e.g. a physics timestep) and
exposes Brax's ``Env`` API with the hindsight conventions:

- ``reset(rng)`` draws a task from the prior; ``reset_with_task(rng, task)``
  uses the given one. The task is in ``state.info["task"]``; the observation
  never contains it (the policy sees concat(obs, task)).
- ``step`` advances the physics (``pipeline_step``, the plain Brax step without
  Brax's own reward bookkeeping), records ``info["features"] =
  family.features(prev, action, next)`` and the reward under the episode's
  task, and sets ``done`` on termination or at the time limit
  ``family.horizon``. Termination is ``family.terminated`` (the physics) or,
  for a family with ``terminate_on_success``, ``family.success(features,
  task)`` at that step. ``info["truncation"]`` is 1 only for a time limit that
  is not also a termination, so learners bootstrap through it (Brax families'
  ``time_limit`` is always 'bootstrap': the observation carries no t/H).
- A step whose physics is no longer finite (NaN or ∞ in q or q̇) is a
  termination with zero features (the reward of zero features) and the
  previous observation: the episode ends at the blow-up instead of feeding NaN
  to returns, the buffer and the learner.
- Once ``done``, later steps keep ``obs`` (the true last observation), ``done``
  and ``truncation`` as they were and report zero reward and features; the
  physics itself is left running (it is never observed again). There is no
  auto-reset: collection resets explicitly, with a fresh task per episode.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from brax import envs as brax_envs
from brax.envs.base import Env, State

from hindsight.io import console
from hindsight.tasks.brax.base import all_finite


class BraxTaskEnv(Env):
  """A Brax environment whose reward is the family's reward of the task."""

  def __init__(self, family):
    if family.time_limit != "bootstrap":
      raise ValueError(f"{family.name}: time_limit must be 'bootstrap' on Brax (the "
                       f"observation carries no t/H), got {family.time_limit!r}")
    self.family = family
    # Loading the model prints MuJoCo's settotalmass deprecation and Brax's
    # maintenance warning: off the terminal of the command-line tools.
    with console.captured(f"building Brax's {family.brax_name}"):
      self.brax_env = brax_envs.get_environment(
          family.brax_name, backend=family.backend, **family.brax_kwargs())
    overrides = family.sys_replace()
    if overrides:
      self.brax_env.sys = self.brax_env.sys.tree_replace(overrides)
    if abs(float(self.brax_env.dt) - float(family.dt)) > 1e-6:
      raise ValueError(
          f"{family.name}: Brax {family.brax_name!r} on backend {family.backend!r} has a "
          f"control step of {float(self.brax_env.dt)} s, but the family's features "
          f"assume {family.dt} s")
    obs = jax.eval_shape(
        lambda ps: family.observe(self.brax_env, ps),
        jax.eval_shape(self.brax_env.reset, jax.random.PRNGKey(0)).pipeline_state)
    self._obs_size = int(obs.shape[-1])

  @property
  def observation_size(self) -> int:
    return self._obs_size

  @property
  def action_size(self) -> int:
    return int(self.brax_env.action_size)

  @property
  def backend(self) -> str:
    return self.family.backend

  @property
  def dt(self):
    return self.brax_env.dt

  @property
  def horizon(self) -> int:
    return self.family.horizon

  def reset(self, rng: jax.Array) -> State:
    """Starts an episode with a task drawn from the prior."""
    k_task, k_env = jax.random.split(rng)
    task = self.family.sample(k_task, 1)[0]
    return self.reset_with_task(k_env, task)

  def reset_with_task(self, rng: jax.Array, task: jax.Array) -> State:
    task = jnp.asarray(task, jnp.float32)
    ps = self.brax_env.reset(rng).pipeline_state
    ps = self.family.prepare(self.brax_env, ps, task)
    zero = jnp.zeros((), jnp.float32)
    info = {
        "task": task,
        "features": jnp.zeros(self.family.feature_dim, jnp.float32),
        "steps": jnp.zeros((), jnp.int32),
        "truncation": zero,
    }
    obs = self.family.observe(self.brax_env, ps).astype(jnp.float32)
    return State(pipeline_state=ps, obs=obs, reward=zero, done=zero, metrics={},
                 info=info)

  def step(self, state: State, action: jax.Array) -> State:
    action = jnp.clip(action, -1.0, 1.0)
    prev = state.pipeline_state
    nxt = self.brax_env.pipeline_step(prev, action)
    task = state.info["task"]
    # A physics blow-up (non-finite q or q̇: Brax's generalized Walker2d
    # reaches one now and then under random actions) ends the episode there,
    # with zero features and the last finite observation, so no NaN reaches a
    # return, the buffer or a learner. Finite steps are unchanged bitwise.
    finite = all_finite(nxt)
    features = jnp.where(finite, self.family.features(prev, action, nxt), 0.0)
    reward = self.family.reward(features, action, task)
    steps = state.info["steps"] + 1
    terminated = jnp.maximum(self.family.terminated(nxt), (~finite).astype(jnp.float32))
    if self.family.terminate_on_success:
      terminated = jnp.maximum(
          terminated, self.family.success(features, task).astype(jnp.float32))
    time_up = (steps >= self.family.horizon).astype(jnp.float32)
    done = jnp.maximum(terminated, time_up)
    truncation = time_up * (1.0 - terminated)
    obs = jnp.where(finite, self.family.observe(self.brax_env, nxt).astype(jnp.float32),
                    state.obs)
    was_done = state.done > 0
    info = dict(state.info,
                features=jnp.where(was_done, 0.0, features),
                steps=steps,
                truncation=jnp.where(was_done, state.info["truncation"], truncation))
    return state.replace(
        pipeline_state=nxt,
        obs=jnp.where(was_done, state.obs, obs),
        reward=jnp.where(was_done, 0.0, reward).astype(jnp.float32),
        done=jnp.where(was_done, state.done, done),
        info=info)
