"""The jitted training loop (ARCHITECTURE 3.6).

One *iteration* = collect ``num_envs`` episodes with vmapped environments →
add them to the buffer → a ``lax.scan`` of round(``train.updates_per_env_step``
· num_envs · H) gradient steps (sample → relabel → recompute reward and done →
update). An *epoch* is a
``lax.scan`` over iterations. Everything here is a pure function of a
``RunState`` pytree, so ``jax.vmap`` over a leading seed axis trains several
seeds in one process; the host loop (``hindsight.training.run``) only
evaluates, logs and checkpoints.
"""

from __future__ import annotations

from typing import Any, Dict, Tuple

import jax
import jax.numpy as jnp
from flax import struct

from hindsight import envs, learners, replay, schema
from hindsight import config as config_lib
from hindsight.relabel import RelabelContext, mix_tasks, task_changed
from hindsight.relabel import cache as relabel_cache
from hindsight.relabel import schedule as relabel_schedule


@struct.dataclass
class RunState:
  learner: Any
  buffer: replay.BufferState
  key: jax.Array
  env_steps: jax.Array   # i32[] valid environment steps collected so far
  iteration: jax.Array   # i32[]
  # Prioritized replay's priorities (replay.prioritized.PriorityState); None
  # (no leaves) when train.prioritized is off.
  priority: Any = None
  # bool[]: this seed's learner went non-finite in some iteration and is held
  # at its last finite state since (``Trainer.iteration``). None (no leaves)
  # only in run states restored from checkpoints written before the flag
  # (``hindsight.training.restore.restore_run_state`` fills it in).
  diverged: Any = None


def all_finite(tree) -> jax.Array:
  """bool[]: every floating-point leaf of ``tree`` is finite."""
  ok = [jnp.all(jnp.isfinite(x)) for x in jax.tree.leaves(tree)
        if jnp.issubdtype(jnp.asarray(x).dtype, jnp.floating)]
  return jnp.all(jnp.stack(ok)) if ok else jnp.asarray(True)


def relabeled_terminal(family, batch, task) -> jax.Array:
  """f32[B]: whether each transition ends its episode under ``task``.

  Termination at success depends on the task: with ``terminate_on_success``
  it is success(φ_t, z′), plus the time limit where it is terminal (the last
  step of a full episode). Otherwise termination is the stored one (physics,
  or a terminal time limit), the same under every task."""
  if not family.terminate_on_success:
    return batch.terminal
  done = family.success(batch.features, task).astype(jnp.float32)
  if family.time_limit == "terminal":
    done = jnp.maximum(done, (batch.t >= family.horizon - 1).astype(jnp.float32))
  return done


def prioritized_config(c, updates_per_iteration: int, horizon: int):
  """``replay.prioritized.PrioritizedConfig`` from ``config.train`` (None when
  off); β anneals over ``prioritized_beta_updates`` updates, or over all the
  run's updates when that is 0."""
  t = c.train
  if not t.prioritized:
    return None
  beta_updates = int(t.prioritized_beta_updates)
  if beta_updates == 0:
    steps_per_epoch = int(t.num_envs) * int(horizon) * int(t.iterations_per_epoch)
    epochs = max(1, -(-int(t.total_env_steps) // steps_per_epoch))
    beta_updates = max(1, epochs * int(t.iterations_per_epoch) * updates_per_iteration)
  return replay.prioritized.PrioritizedConfig(
      alpha=float(t.prioritized_alpha), beta=float(t.prioritized_beta),
      beta_updates=beta_updates, eps=float(t.prioritized_eps))


class Trainer:
  """Builds the pure functions of one run from a validated config."""

  def __init__(self, config):
    self.config = c = config_lib.validate(config)
    self.family = config_lib.make_family(c)
    self.env = envs.REGISTRY.get(c.env.name)(self.family)
    self.spec = replay.EpisodeSpec(
        obs_size=int(self.env.observation_size), action_size=int(self.env.action_size),
        feature_dim=self.family.feature_dim, task_dim=self.family.task_dim,
        horizon=self.family.horizon, num_actions=int(self.family.num_actions))
    self.learner = learners.make(c.learner.name)
    self.relabeler = config_lib.make_relabeler(c)
    self.eval_tasks = jnp.asarray(self.family.eval_tasks(), jnp.float32)
    t = c.train
    self.num_envs = int(t.num_envs)
    self.updates_per_iteration = config_lib.updates_per_iteration(c, self.spec.horizon)
    self.buffer_capacity = config_lib.buffer_capacity(c, self.spec.horizon)
    self.batch_size = int(t.batch_size)
    self.iterations_per_epoch = int(t.iterations_per_epoch)
    self.steps_per_iteration = self.num_envs * self.spec.horizon
    self.steps_per_epoch = self.steps_per_iteration * self.iterations_per_epoch
    self.gamma = float(c.gamma)
    # When relabeling happens: two hooks, on insertion and on every sample.
    self.schedule = relabel_schedule.make(self.relabeler, self.family, self.gamma,
                                          config_lib.relabel_when(c, self.relabeler))
    self.cache_size = int(self.relabeler.cache_size)
    # The replay buffer (what is sampled) holds buffer_capacity episodes; the
    # store is kept large enough for the relabeler's cache of recent episodes
    # (Generalized Hindsight keeps its 500-path cache apart from its buffer:
    # rlkit/torch/multitask/rewards.py, approx_irl_relabeling).
    self.store_capacity = max(self.buffer_capacity, self.cache_size)
    self.sample_window = self.buffer_capacity if self.store_capacity > self.buffer_capacity else 0
    self.extras_spec = self.schedule.extras_spec()  # per-episode arrays beside each episode
    self.prioritized = prioritized_config(c, self.updates_per_iteration, horizon=self.spec.horizon)

  # ------------------------------------------------------------ rollouts --
  def rollout(self, policy, key, tasks=None, n=None, keep_states=False):
    """Runs n episodes from fresh resets (a fresh prior task each unless
    ``tasks`` is given). ``policy(key, obs[n, O], task[n, D]) -> action[n, A]``.
    Returns the episodes and the per-step rewards under their own tasks; with
    ``keep_states`` also the physics states after each step (``pipeline_state``
    with leaves [n, T, ...]), for pictures (hindsight/render.py)."""
    n = tasks.shape[0] if tasks is not None else n
    k_reset, k_act = jax.random.split(key)
    reset_keys = jax.random.split(k_reset, n)
    if tasks is None:
      state = jax.vmap(self.env.reset)(reset_keys)
    else:
      state = jax.vmap(self.env.reset_with_task)(reset_keys, tasks)

    def body(carry, k):
      st, alive = carry
      action = policy(k, st.obs, st.info["task"])
      nst = jax.vmap(self.env.step)(st, action)
      terminal = nst.done * (1.0 - nst.info["truncation"])
      live = alive > 0  # where, not a product: a NaN after the end must not leak
      out = (st.obs, action, nst.info["features"], alive, jnp.where(live, terminal, 0.0),
             jnp.where(live, nst.reward, 0.0))
      if keep_states:
        out = out + (nst.pipeline_state,)
      return (nst, alive * (1.0 - nst.done)), out

    (final, _), (obs, action, feats, mask, terminal, reward, *states) = jax.lax.scan(
        body, (state, jnp.ones((n,), jnp.float32)),
        jax.random.split(k_act, self.spec.horizon))
    swap = lambda x: jnp.swapaxes(x, 0, 1)
    episodes = replay.Episodes(
        obs=swap(jnp.concatenate([obs, final.obs[None]], axis=0)),
        action=swap(action), features=swap(feats), mask=swap(mask),
        terminal=swap(terminal), task=state.info["task"])
    if keep_states:
      return episodes, swap(reward), jax.tree.map(swap, states[0])
    return episodes, swap(reward)

  def random_policy(self, key, obs, task):
    """Uniform-random actions in [−1, 1]^A (warm-up, the random reference)."""
    del task
    if self.spec.num_actions:  # discrete: a uniform action index
      return jax.random.randint(key, (obs.shape[0], 1), 0, self.spec.num_actions)
    return jax.random.uniform(key, (obs.shape[0], self.spec.action_size),
                              minval=-1.0, maxval=1.0)

  def zero_policy(self, key, obs, task):
    """Every action 0 (continuous families): an agent that does nothing, the
    second reference of the report's 'learned at this budget' guard (on Ant,
    standing still collects the whole survival bonus)."""
    del key, task
    if self.spec.num_actions:
      raise ValueError(f"{self.family.name} has discrete actions: there is no zero action "
                       "(the uniform-random policy is its reference)")
    return jnp.zeros((obs.shape[0], self.spec.action_size), jnp.float32)

  def learner_policy(self, learner_state, deterministic):
    """``policy(key, obs, task)`` of the learner's current parameters."""
    def policy(key, obs, task):
      return self.learner.act(learner_state, obs, task, key, deterministic)
    return policy

  # ---------------------------------------------------------------- init --
  def init(self, key: jax.Array) -> RunState:
    """Learner and buffer for one seed, with ``warmup_episodes`` episodes of
    the warm-up policy (uniform-random actions, or the initial learner's)."""
    k_learner, k_warm, k_run = jax.random.split(key, 3)
    ls = self.learner.init(k_learner, self.spec, schema.learner_config(self.config))
    buf = replay.init(self.spec, self.store_capacity, self.extras_spec)
    n_warm = int(self.config.train.warmup_episodes)
    steps = jnp.zeros((), jnp.int32)
    priority = (replay.prioritized.init(self.store_capacity, self.spec.horizon,
                                        self.batch_size) if self.prioritized else None)
    if n_warm:
      k_roll, k_rel = jax.random.split(k_warm)
      warm_policy = (self.random_policy if self.config.train.warmup_policy == "uniform"
                     else self.learner_policy(ls, False))
      eps, _ = self.rollout(warm_policy, k_roll, n=n_warm)
      ls = self.observe(ls, eps)
      priority = self._prioritize_new(priority, buf, eps)
      buf, _ = self.add_episodes(buf, eps, ls, k_rel)
      steps = jnp.sum(eps.mask).astype(jnp.int32)
    return RunState(learner=ls, buffer=buf, key=k_run, env_steps=steps,
                    iteration=jnp.zeros((), jnp.int32), priority=priority,
                    diverged=jnp.zeros((), jnp.bool_))

  def observe(self, learner_state, eps):
    """The learner's view of newly collected episodes (its observation
    statistics, where it keeps them): the observation before each real step."""
    observe = getattr(self.learner, "observe", None)
    if observe is None:
      return learner_state
    return observe(learner_state, eps.obs[:, :-1], eps.mask)

  def _prioritize_new(self, priority, buffer, eps):
    """Prioritized replay: the episodes ``eps`` about to be added to
    ``buffer`` get the largest priority so far (no-op when off)."""
    if priority is None:
      return None
    lengths = jnp.sum(eps.mask > 0, axis=1).astype(jnp.int32)
    return replay.prioritized.on_add(priority, buffer.insert_pos, lengths, self.prioritized,
                                     self.sample_window)

  # ------------------------------------------------------------- relabel --
  def context(self, learner_state, buffer, table=None) -> RelabelContext:
    """What a relabeler may use: the learner's value functions (if it needs
    them), the recent-episode cache, and uniform buffer steps (``table``:
    the buffer's ``replay.transition_table``, if already computed)."""
    fns = self.learner.relabel_fns(learner_state) if self.relabeler.needs_values else None
    cache = (relabel_cache.recent_cache(buffer, self.cache_size)
             if self.cache_size > 0 else None)
    window = self.sample_window

    def sample_features(key, n):
      return replay.sample_features(buffer, key, n, window, table)

    return RelabelContext(family=self.family, gamma=self.gamma, fns=fns, cache=cache,
                          sample_features=sample_features)

  def add_episodes(self, buffer, eps, learner_state, key):
    """Adds episodes with the extras the relabeling schedule stores beside
    them (for insert-time relabeling: the tasks it chose, against the cache)."""
    extras, info = self.schedule.on_insert(key, eps, self.context(learner_state, buffer))
    return replay.add(buffer, eps, extras), info

  # -------------------------------------------------------------- update --
  def transition(self, batch, task):
    """The learner's transitions for sampled ``batch`` under tasks ``task``:
    r′ = reward(φ_t, a_t, z′) and discount 1 − done′ (``relabeled_terminal``)."""
    reward = self.family.reward(batch.features, batch.action, task)
    terminal = relabeled_terminal(self.family, batch, task)
    return self.learner.Transition(
        obs=batch.obs, task=task, action=batch.action, reward=reward,
        next_obs=batch.next_obs, discount=1.0 - terminal)

  def relabel_and_update(self, learner_state, buffer, key):
    """sample → relabel → r′ = reward(φ, a, z′) → learner update."""
    learner_state, _, metrics = self.prioritized_relabel_and_update(
        learner_state, None, buffer, key)
    return learner_state, metrics

  def prioritized_relabel_and_update(self, learner_state, priority, buffer, key, table=None):
    """``relabel_and_update`` with prioritized replay's state: sampled by
    priority, importance-weighted, the priorities then set from the update's
    |TD error| (``priority`` None: uniform sampling, unweighted). ``table``:
    the buffer's ``replay.transition_table`` (computed here when None)."""
    k_s, k_r, k_mix, k_u = jax.random.split(key, 4)
    if table is None:
      table = replay.transition_table(buffer, self.sample_window)
    if priority is None:
      batch = replay.sample(buffer, k_s, self.batch_size, self.sample_window, table)
    else:
      priority, batch, weight = replay.prioritized.sample(
          priority, buffer, k_s, self.batch_size, self.prioritized, self.sample_window)
    new_task, info = self.schedule.on_sample(k_r, batch,
                                             self.context(learner_state, buffer, table))
    task, _ = mix_tasks(k_mix, batch.task, new_task, self.config.relabel.fraction)
    transition = self.transition(batch, task)
    if priority is not None:
      transition = transition.replace(weight=weight)
    reward = transition.reward
    learner_state, metrics = self.learner.update(learner_state, transition, k_u)
    metrics = dict(metrics)
    td_abs = metrics.pop("td_abs", None)  # per-sample |δ| (prioritized replay's priorities)
    if priority is not None:
      metrics["replay/beta"] = replay.prioritized.beta_at(self.prioritized,
                                                          priority.num_updates)
      metrics["replay/weight_mean"] = jnp.mean(weight)
      priority = replay.prioritized.update(priority, batch.episode, batch.t, td_abs,
                                           self.prioritized)
    metrics["relabel/changed"] = jnp.mean(task_changed(task, batch.task))
    metrics["relabel/reward_mean"] = jnp.mean(reward)
    metrics.update({f"relabel/{k}": v for k, v in info.items()})
    return learner_state, priority, metrics

  def iteration(self, rs: RunState, _=None) -> Tuple[RunState, Dict[str, jax.Array]]:
    key, k_col, k_ins, k_upd = jax.random.split(rs.key, 4)
    eps, rewards = self.rollout(self.learner_policy(rs.learner, False), k_col,
                                n=self.num_envs)
    learner = self.observe(rs.learner, eps)
    priority = self._prioritize_new(rs.priority, rs.buffer, eps)
    buffer, insert_info = self.add_episodes(rs.buffer, eps, learner, k_ins)
    # The buffer is fixed during the updates: its sampling table (an
    # O(capacity) cumulative sum) is computed once here, not on every sample.
    table = replay.transition_table(buffer, self.sample_window)

    def grad_step(carry, k):
      ls, pr = carry
      ls, pr, m = self.prioritized_relabel_and_update(ls, pr, buffer, k, table)
      return (ls, pr), m

    (ls, priority), metrics = jax.lax.scan(
        grad_step, (learner, priority), jax.random.split(k_upd, self.updates_per_iteration))
    metrics = jax.tree.map(jnp.mean, metrics)
    metrics["train/episode_return"] = jnp.mean(jnp.sum(rewards, axis=1))
    metrics.update({f"relabel/{k}": v for k, v in insert_info.items()})
    # A seed whose learner (parameters or optimizer state) is non-finite after
    # this iteration's updates is held at its state before them from then on,
    # priorities included; the other seeds of a vmapped run train on (seeds
    # are independent runs). Priorities are not checked: the min-tree holds inf
    # in its empty slots.
    diverged = rs.diverged | ~all_finite(ls)
    ls, priority = jax.tree.map(lambda old, new: jnp.where(diverged, old, new),
                                (rs.learner, rs.priority), (ls, priority))
    rs = rs.replace(learner=ls, buffer=buffer, key=key,
                    env_steps=rs.env_steps + jnp.sum(eps.mask).astype(jnp.int32),
                    iteration=rs.iteration + 1, priority=priority, diverged=diverged)
    return rs, metrics

  def epoch(self, rs: RunState) -> Tuple[RunState, Dict[str, jax.Array]]:
    rs, metrics = jax.lax.scan(self.iteration, rs, None, length=self.iterations_per_epoch)
    return rs, jax.tree.map(jnp.mean, metrics)

  # ---------------------------------------------------------- evaluation --
  def evaluate(self, learner_state, key) -> Dict[str, jax.Array]:
    """One deterministic episode per evaluation task: undiscounted returns
    f32[E] (and final-step success for goal families)."""
    return self._evaluate_policy(self.learner_policy(learner_state, True), key)

  def evaluation_episodes(self, learner_state, key, tasks=None, keep_states=False):
    """The episodes ``evaluate`` scores (deterministic policy, the fixed
    evaluation tasks or ``tasks``): (episodes, rewards[, physics states])."""
    tasks = self.eval_tasks if tasks is None else tasks
    return self.rollout(self.learner_policy(learner_state, True), key, tasks=tasks,
                        keep_states=keep_states)

  def evaluate_random(self, key) -> Dict[str, jax.Array]:
    """The same evaluation with a uniform-random policy (a reference point)."""
    return self._evaluate_policy(self.random_policy, key)

  def evaluate_zero(self, key) -> Dict[str, jax.Array]:
    """The same evaluation with every action 0 (``zero_policy``)."""
    return self._evaluate_policy(self.zero_policy, key)

  def _evaluate_policy(self, policy, key) -> Dict[str, jax.Array]:
    eps, rewards = self.rollout(policy, key, tasks=self.eval_tasks)
    out = {"return": jnp.sum(rewards, axis=1)}
    if self.family.is_goal_family:
      last = jnp.maximum(jnp.sum(eps.mask, axis=1).astype(jnp.int32) - 1, 0)
      final_feat = eps.features[jnp.arange(last.shape[0]), last]
      out["success"] = self.family.success(final_feat, eps.task).astype(jnp.float32)
    return out

  # -------------------------------------------------------- seeds (vmap) --
  def seed_keys(self):
    c = self.config
    return jnp.stack([jax.random.PRNGKey(int(c.seed) + i) for i in range(int(c.num_seeds))])

  def jitted(self):
    """(init, epoch, evaluate), each jitted and vmapped over the seed axis."""
    return (jax.jit(jax.vmap(self.init)),
            jax.jit(jax.vmap(self.epoch), donate_argnums=0),
            jax.jit(jax.vmap(self.evaluate)))
