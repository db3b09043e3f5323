"""The bit-flipping environment (HER's benchmark) on Brax's ``Env`` API, pure JAX.

``pipeline_state`` is the bit vector f32[n] of 0/1; an action is one integer
(shape [1]) naming the bit to flip. The task (goal bits) lives in
``state.info["task"]``; the policy sees concat(obs, task). Time limit and
termination at success follow the family, as in ``hindsight.envs.point``:
``terminal`` appends t/H to the observation and makes the step at H a
termination; ``bootstrap`` records it as a truncation.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from brax.envs.base import Env, State

from hindsight.envs.point import finish_step
from hindsight.tasks.bit_flip import BitFlip


class BitFlipEnv(Env):
  """n bits; action i flips bit i. The start state is uniform, drawn from the reset key."""

  def __init__(self, family: BitFlip):
    self.family = family

  @property
  def observes_time(self) -> bool:
    return self.family.time_limit == "terminal"

  @property
  def observation_size(self) -> int:
    return self.family.n + int(self.observes_time)

  @property
  def action_size(self) -> int:
    return 1  # one integer per step

  @property
  def num_actions(self) -> int:
    return self.family.num_actions

  @property
  def backend(self) -> str:
    return "jax"

  @property
  def horizon(self) -> int:
    return self.family.horizon

  def _obs(self, bits, steps):
    if not self.observes_time:
      return bits
    frac = (steps / self.family.horizon).astype(jnp.float32)
    return jnp.concatenate([bits, frac[None]])

  def reset(self, rng: jax.Array) -> State:
    """Starts an episode with a goal drawn from the prior."""
    k_task, k_state = jax.random.split(rng)
    task = self.family.sample(k_task, 1)[0]
    return self.reset_with_task(k_state, task)

  def reset_with_task(self, rng: jax.Array, task: jax.Array) -> State:
    bits = self.family.sample_state(rng)
    steps = jnp.zeros((), jnp.int32)
    zero = jnp.zeros((), jnp.float32)
    info = {
        "task": jnp.asarray(task, jnp.float32),
        "features": jnp.zeros(self.family.feature_dim, jnp.float32),
        "steps": steps,
        "truncation": zero,
    }
    return State(pipeline_state=bits, obs=self._obs(bits, steps),
                 reward=zero, done=zero, metrics={}, info=info)

  def step(self, state: State, action: jax.Array) -> State:
    a = jnp.clip(jnp.reshape(action, (-1,))[0].astype(jnp.int32), 0, self.family.n - 1)
    prev = state.pipeline_state
    nxt = jnp.where(jnp.arange(self.family.n) == a, 1.0 - prev, prev)
    return finish_step(self.family, state, prev, action, nxt, self._obs)
