"""BitFlip: HER's bit-flipping benchmark (Andrychowicz et al. 2017, Sec. 3.1).

The state is n bits; action i ∈ {0, …, n − 1} flips bit i. The task is a goal
bit string; start state and goal are drawn uniformly (independently), and the
reward is HER's −[s′ ≠ g]: −1 at every step whose next state is not the goal,
0 at the step that reaches it. Episodes last n steps (HER's episode length),
unless ``max_steps`` says otherwise.

Reward features are the next state's bits, so the reward of any goal is
recomputed from stored features, and the achieved goal is the features
themselves (the whole task is the goal part: ``her`` applies with every
strategy). ``terminate_on_success`` (default on) ends the episode at the step
that reaches the goal: every action flips a bit, so the agent cannot stay at
the goal, and HER counts an episode as a success if the goal is reached at any
step (HER, appendix A, bit-flipping); with termination at success the last
step's success is exactly that.

The time limit is invisible to the policy (``time_limit='bootstrap'``, as
HER's DQN, whose observation is state ⊕ goal); ``'terminal'`` appends t/H to
the observation and stores the step at H as terminal. Actions are discrete:
``num_actions = n``; the environment takes one integer per step.
"""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np

from hindsight.tasks import base


@dataclasses.dataclass(frozen=True)
class BitFlip(base.TaskFamily):
  n: int = 10                     # bits (HER's Fig. 1 goes up to n = 50)
  max_steps: int = 0              # episode length H; 0: H = n (HER's episodes of n steps)
  # bootstrap (HER's obs = state ⊕ goal, no time) | terminal (t/H observed)
  time_limit: str = "bootstrap"
  terminate_on_success: bool = True  # success = the goal reached at any step (HER appendix A)
  eval_seed: int = 0
  num_eval_tasks: int = 25

  TIME_LIMITS = ("terminal", "bootstrap")
  name = "bit_flip"
  env_kind = "bit_flip"           # hindsight.envs.KINDS: BitFlipEnv
  is_goal_family = True
  is_linear = False

  def __post_init__(self):
    if int(self.n) < 1:
      raise ValueError(f"bit_flip n (the number of bits) must be >= 1, got {self.n}")
    if int(self.max_steps) < 0:
      raise ValueError(f"bit_flip max_steps must be >= 0 (0: n steps), got {self.max_steps}")
    self.check_common()

  @property
  def horizon(self) -> int:
    return int(self.max_steps) or int(self.n)

  @property
  def task_dim(self) -> int:
    return int(self.n)

  @property
  def feature_dim(self) -> int:
    return int(self.n)  # the next state's bits (= the achieved goal)

  @property
  def num_actions(self) -> int:
    return int(self.n)

  def sample(self, key, n):
    """Goals: n uniform bit strings, f32[n, bits] of 0/1."""
    return jax.random.bernoulli(key, 0.5, (n, self.task_dim)).astype(jnp.float32)

  def sample_state(self, key):
    """A uniform start state, f32[bits] of 0/1."""
    return jax.random.bernoulli(key, 0.5, (self.task_dim,)).astype(jnp.float32)

  def task_low_high(self):
    return np.zeros(self.task_dim, np.float32), np.ones(self.task_dim, np.float32)

  def features(self, prev_state, action, next_state):
    del prev_state, action
    return jnp.asarray(next_state, jnp.float32)

  def achieved_goal(self, features):
    return features

  def with_goal(self, task, goal):
    return jnp.broadcast_to(goal, jnp.broadcast_shapes(task.shape, goal.shape))

  def success(self, features, task):
    """All bits equal (bits compared as 0/1 at 0.5)."""
    return jnp.all((features > 0.5) == (task > 0.5), axis=-1)

  def reward(self, features, action, task):
    """−[s′ ≠ g] (HER, Sec. 3.1): −1 until the next state is the goal, then 0."""
    del action
    return self.success(features, task).astype(jnp.float32) - 1.0
