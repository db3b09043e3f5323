"""Offline relabel-then-imitate: relabel a fixed dataset of episodes with a
trajectory-level strategy, fit BC on the relabeled (s ⊕ z′, a) pairs, evaluate.

Relabeling acts on whole episodes (one new task per episode) and changes only
tasks and rewards: observations and actions stay as collected.
"""

from __future__ import annotations

from typing import Dict, Tuple

import jax
import jax.numpy as jnp
import numpy as np

from hindsight import replay, schema
from hindsight.learners import bc
from hindsight.relabel import RelabelContext, mix_tasks
from hindsight.relabel.schedule import episodes_as_batch


def relabel_dataset(key, episodes: replay.Episodes, family, relabeler, gamma: float,
                    fraction: float = 1.0
                    ) -> Tuple[replay.Episodes, jax.Array, Dict[str, jax.Array]]:
  """(relabeled episodes, their per-step rewards f32[N, T], relabel metrics):
  a ``fraction`` share of the episodes takes the relabeled task, the rest
  keep their own."""
  if relabeler.needs_values:
    raise ValueError(f"relabeler {relabeler.name!r} needs value functions; offline "
                     "relabeling uses trajectory-level strategies only")
  relabeler.check_family(family)
  k_relabel, k_mix = jax.random.split(key)
  batch = episodes_as_batch(episodes)
  ctx = RelabelContext(family=family, gamma=gamma)
  tasks, info = relabeler.relabel_with_info(k_relabel, batch, ctx)
  tasks, _ = mix_tasks(k_mix, episodes.task, tasks, fraction)
  new = episodes.replace(task=tasks)
  rewards = family.reward(new.features, new.action, new.task[:, None, :]) * new.mask
  return new, rewards, info


def valid_steps(mask) -> jax.Array:
  """Flat indices of the valid steps (host side: the count fixes shapes)."""
  return jnp.asarray(np.nonzero(np.asarray(mask).reshape(-1) > 0)[0])


def transitions(episodes: replay.Episodes, rewards, idx) -> bc.Transition:
  """The steps ``idx`` (from ``valid_steps``) as transitions, each with its
  episode's task."""
  n, T = episodes.mask.shape
  flat = lambda x: x.reshape((n * T,) + x.shape[2:])[idx]
  task = jnp.broadcast_to(episodes.task[:, None, :], (n, T, episodes.task.shape[-1]))
  return bc.Transition(obs=flat(episodes.obs[:, :-1]), task=flat(task),
                       action=flat(episodes.action), reward=flat(rewards),
                       next_obs=flat(episodes.obs[:, 1:]),
                       discount=1.0 - flat(episodes.terminal))


def fit_bc(key, state: bc.BCState, data: bc.Transition, num_steps: int, batch_size: int):
  """``num_steps`` minibatch updates on uniformly sampled transitions (pure;
  jit/vmap it)."""
  n = data.obs.shape[0]

  def step(state, k):
    k_idx, k_u = jax.random.split(k)
    idx = jax.random.randint(k_idx, (batch_size,), 0, n)
    return bc.update(state, jax.tree.map(lambda x: x[idx], data), k_u)

  state, metrics = jax.lax.scan(step, state, jax.random.split(key, num_steps))
  return state, jax.tree.map(lambda x: x[-1], metrics)


def run_offline(config, dataset_path: str) -> Dict[str, np.ndarray]:
  """Relabel the dataset, fit BC and evaluate, for ``config.num_seeds`` seeds
  at once (vmapped). Returns per-seed evaluation returns f32[S, E] and metrics."""
  from hindsight.io import dataset as dataset_io
  from hindsight.training.trainer import Trainer

  trainer = Trainer(config)
  if trainer.learner is not bc:
    raise ValueError("offline training fits BC: set --config.learner.name=bc")
  from hindsight.io import formats
  episodes, header = formats.load(dataset_path, trainer.family, trainer.spec,
                                  config.offline.format, config.offline.missing_task,
                                  key=jax.random.PRNGKey(int(config.seed)))
  # Files in OGBench's or D4RL's layout name no family options.
  if header["family_options"] is not None and header["family_options"] != dict(
      config.env.options):
    raise dataset_io.DatasetError(
        f"{dataset_path} was written with {header['family']} options "
        f"{header['family_options']}, the config has {dict(config.env.options)}")
  episodes = jax.tree.map(jnp.asarray, episodes)
  idx = valid_steps(episodes.mask)
  c = config

  def one_seed(key):
    k_rel, k_init, k_fit, k_eval = jax.random.split(key, 4)
    new, rewards, info = relabel_dataset(k_rel, episodes, trainer.family,
                                         trainer.relabeler, trainer.gamma,
                                         float(c.relabel.fraction))
    data = transitions(new, rewards, idx)
    state = bc.init(k_init, trainer.spec, schema.learner_config(c))
    state, metrics = fit_bc(k_fit, state, data, int(c.offline.bc_steps),
                            int(c.train.batch_size))
    ev = trainer.evaluate(state, k_eval)
    metrics = dict(metrics, **{f"relabel/{k}": v for k, v in info.items()})
    metrics["relabel/dataset_return"] = jnp.mean(jnp.sum(rewards, axis=1))
    return ev, metrics

  evals, metrics = jax.jit(jax.vmap(one_seed))(trainer.seed_keys())
  return {"eval": jax.device_get(evals), "metrics": jax.device_get(metrics),
          "trainer": trainer, "header": header}
