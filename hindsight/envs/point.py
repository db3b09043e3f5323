"""Pure-JAX point-mass environments on Brax's ``Env`` API.

``pipeline_state`` is the physical state: (x, y, vx, vy) for the velocity-
controlled point (PointReacher, PointGoal) and (x, y) for the position-
controlled one (PointTrajectory). The task lives in ``state.info["task"]``;
the policy sees concat(obs, task).

The family's ``time_limit`` decides how the horizon H ends an episode:
``terminal`` — the observation appends the time fraction t/H and the step at
t = H is a termination (``done = 1``, ``info["truncation"] = 0``), as in
Generalized Hindsight's point envs; ``bootstrap`` — no time in the
observation, and the step at H is a truncation (``info["truncation"] = 1``)
that learners bootstrap through, as in HIPI. With ``terminate_on_success``
(goal families) the episode also terminates at the step that reaches the goal.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from brax.envs.base import Env, State

from hindsight.tasks.base import TaskFamily



def finish_step(family: TaskFamily, state: State, prev, action, nxt, observe) -> State:
  """The step's outcome from the state before (``prev``) and after (``nxt``):
  reward features, the reward under the episode's task, termination (success
  where the family terminates on it; the time limit where it is terminal)
  apart from truncation (a bootstrapped time limit), the new observation
  ``observe(nxt, steps)``. Shared by the pure-JAX environments."""
  task = state.info["task"]
  features = family.features(prev, action, nxt)
  reward = family.reward(features, action, task)
  steps = state.info["steps"] + 1
  time_up = (steps >= family.horizon).astype(jnp.float32)
  if family.terminate_on_success:
    terminated = family.success(features, task).astype(jnp.float32)
  else:
    terminated = jnp.zeros((), jnp.float32)
  if family.time_limit == "terminal":
    terminated = jnp.maximum(terminated, time_up)
  done = jnp.maximum(terminated, time_up)
  truncation = done * (1.0 - terminated)
  info = dict(state.info, features=features, steps=steps, truncation=truncation)
  return state.replace(pipeline_state=nxt, obs=observe(nxt, steps),
                       reward=reward, done=done, info=info)


class PointEnv(Env):
  """A point in [−1, 1]², actions in [−1, 1]²."""

  def __init__(self, family: TaskFamily, control: str):
    if control not in ("velocity", "position"):
      raise ValueError(f"control must be 'velocity' or 'position', got {control!r}")
    self.family = family
    self.control = control
    self._state_size = 4 if control == "velocity" else 2

  @property
  def observes_time(self) -> bool:
    return self.family.time_limit == "terminal"

  @property
  def observation_size(self) -> int:
    return self._state_size + int(self.observes_time)

  @property
  def action_size(self) -> int:
    return 2

  @property
  def backend(self) -> str:
    return "jax"

  @property
  def horizon(self) -> int:
    return self.family.horizon

  def _obs(self, physical, steps):
    if not self.observes_time:
      return physical
    frac = (steps / self.family.horizon).astype(jnp.float32)
    return jnp.concatenate([physical, frac[None]])

  def reset(self, rng: jax.Array) -> State:
    """Starts an episode with a task drawn from the prior."""
    task = self.family.sample(rng, 1)[0]
    return self.reset_with_task(rng, task)

  def reset_with_task(self, rng: jax.Array, task: jax.Array) -> State:
    del rng  # the start state is deterministic: at rest at the origin
    physical = jnp.zeros(self._state_size, jnp.float32)
    steps = jnp.zeros((), jnp.int32)
    zero = jnp.zeros((), jnp.float32)
    info = {
        "task": jnp.asarray(task, jnp.float32),
        "features": jnp.zeros(self.family.feature_dim, jnp.float32),
        "steps": steps,
        "truncation": zero,
    }
    return State(pipeline_state=physical, obs=self._obs(physical, steps),
                 reward=zero, done=zero, metrics={}, info=info)

  def _dynamics(self, physical, action):
    if self.control == "velocity":
      vel = jnp.clip(physical[2:] + action / 20.0, -0.25, 0.25)
      pos = jnp.clip(physical[:2] + vel, -1.0, 1.0)
      return jnp.concatenate([pos, vel])
    return jnp.clip(physical + action / 10.0, -1.0, 1.0)

  def step(self, state: State, action: jax.Array) -> State:
    action = jnp.clip(action, -1.0, 1.0)
    prev = state.pipeline_state
    nxt = self._dynamics(prev, action)
    return finish_step(self.family, state, prev, action, nxt, self._obs)
