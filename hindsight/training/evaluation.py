"""The evaluation protocol's rollout, without the training rollout's records.

``Trainer.evaluate`` runs the family's fixed evaluation tasks, one
deterministic episode each, through ``Trainer.rollout``, which records every
step's observation, action, features and masks ([E, H, ...] arrays) for the
buffer and then sums the rewards. Evaluation needs only the per-step rewards
and, on goal families, the features of each episode's last step. This rollout
keeps just those in its carry and stops stepping once every episode has ended
(a ``lax.while_loop``; termination at success, or a fall, often ends them all
well before H). It draws the same keys in the same order as
``Trainer.rollout`` (the reset keys, one action key per step) and writes the
same masked rewards into an [E, H] array before summing it: successes are
those of ``Trainer.evaluate`` bit for bit, returns the same up to float32
round-off where XLA fuses the reward's arithmetic differently in the two
loop bodies (measured: ≤ 1 ulp; tests/test_speed_equivalence.py). Training
is not affected: evaluation only reports.

Not wired into ``hindsight.training.run`` (which calls ``Trainer.evaluate``):
on HalfCheetah, whose episodes never end early, it measured no faster (21.9 s
vs 19.7 s, one loaded round of benchmarks/epoch_anatomy.py), and the early
exit only pays on families whose evaluation is already negligible.
"""

from __future__ import annotations

from typing import Dict

import jax
import jax.numpy as jnp


def evaluate_policy(trainer, policy, key) -> Dict[str, jax.Array]:
  """``Trainer._evaluate_policy``'s results: {'return': f32[E]} (+ 'success')."""
  tasks = trainer.eval_tasks
  env, family = trainer.env, trainer.family
  n, horizon = tasks.shape[0], trainer.spec.horizon
  k_reset, k_act = jax.random.split(key)
  state = jax.vmap(env.reset_with_task)(jax.random.split(k_reset, n), tasks)
  step_keys = jax.random.split(k_act, horizon)
  rewards = jnp.zeros((n, horizon), jnp.float32)
  final = jnp.zeros((n, family.feature_dim), jnp.float32)
  alive = jnp.ones((n,), jnp.float32)

  def cond(carry):
    t, _, alive, _, _ = carry
    return jnp.logical_and(t < horizon, jnp.any(alive > 0))

  def body(carry):
    t, st, alive, rewards, final = carry
    action = policy(step_keys[t], st.obs, st.info["task"])
    nst = jax.vmap(env.step)(st, action)
    live = alive > 0
    rewards = rewards.at[:, t].set(jnp.where(live, nst.reward, 0.0))
    final = jnp.where(live[:, None], nst.info["features"], final)
    return t + 1, nst, alive * (1.0 - nst.done), rewards, final

  _, _, _, rewards, final = jax.lax.while_loop(
      cond, body, (jnp.zeros((), jnp.int32), state, alive, rewards, final))
  out = {"return": jnp.sum(rewards, axis=1)}
  if family.is_goal_family:
    out["success"] = family.success(final, state.info["task"]).astype(jnp.float32)
  return out


def evaluate(trainer, learner_state, key) -> Dict[str, jax.Array]:
  """``Trainer.evaluate``: the learner's deterministic policy."""
  return evaluate_policy(trainer, trainer.learner_policy(learner_state, True), key)


def evaluate_random(trainer, key) -> Dict[str, jax.Array]:
  """``Trainer.evaluate_random``: uniform-random actions."""
  return evaluate_policy(trainer, trainer.random_policy, key)


def jitted(trainer):
  """``evaluate`` jitted and vmapped over the seed axis (as ``Trainer.jitted``'s)."""
  return jax.jit(jax.vmap(lambda ls, k: evaluate(trainer, ls, k)))
