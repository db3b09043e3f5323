"""Config validation: runs before anything is traced.

Unknown keys name the valid ones; out-of-range values say which key and why;
impossible combinations (a goal-only relabeler on a non-goal family) say so.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, Mapping

from ml_collections import ConfigDict

from hindsight import schema as schema_lib


class ConfigError(ValueError):
  """A config that cannot run; the message names the key."""


class NotApplicableError(ConfigError):
  """A relabeler that does not apply to the family (HER without a goal part):
  the one config error a sweep may skip a point for."""


# Blocks whose keys depend on a chosen name rather than on the base schema.
_FREE_BLOCKS = ("env.options",)


def _as_dict(c) -> dict:
  return c.to_dict() if isinstance(c, ConfigDict) else dict(c)


def _check_keys(cfg: Mapping[str, Any], schema: Mapping[str, Any], prefix: str):
  for key, value in cfg.items():
    path = f"{prefix}{key}"
    if key not in schema:
      raise ConfigError(f"unknown config key {path!r}; valid keys"
                        f"{' in ' + prefix[:-1] if prefix else ''}: {', '.join(sorted(schema))}")
    if path in _FREE_BLOCKS:
      continue
    if isinstance(schema[key], Mapping):
      if not isinstance(value, Mapping):
        raise ConfigError(f"config key {path!r} must be a block of keys")
      _check_keys(value, schema[key], path + ".")


def _require(cond: bool, key: str, why: str, value: Any):
  if not cond:
    raise ConfigError(f"config.{key} = {value!r} is out of range: {why}")


def _family_fields(name: str) -> list[str]:
  from hindsight import tasks
  cls = tasks.REGISTRY.get(name)
  return [f.name for f in dataclasses.fields(cls)]


def validate(config) -> ConfigDict:
  """Raises ``ConfigError`` (a ValueError) for anything that cannot run."""
  from hindsight import envs, learners, relabel

  cfg = _as_dict(config)
  if "learner" in cfg and "gamma" in dict(cfg["learner"]):
    raise ConfigError("config.learner.gamma moved to config.gamma: the discount is used "
                      "by the learner and by relabeling returns alike")
  schema = schema_lib.get_config().to_dict()
  _check_keys(cfg, schema, "")
  c = ConfigDict(cfg)

  for reg, key, name in ((envs.REGISTRY, "env.name", c.env.name),
                         (learners.REGISTRY, "learner.name", c.learner.name),
                         (relabel.REGISTRY, "relabel.name", c.relabel.name)):
    try:
      reg.check(name)
    except ValueError as e:
      raise ConfigError(f"config.{key}: {e}") from None

  valid_opts = _family_fields(c.env.name)
  for k in c.env.options:
    if k not in valid_opts:
      raise ConfigError(f"unknown option env.options.{k} for family {c.env.name!r}; "
                        f"valid options: {', '.join(valid_opts)}")

  _require(int(c.num_seeds) >= 1, "num_seeds", "need at least one seed", c.num_seeds)
  _require(c.run_name == "" or (re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._=,+-]*", c.run_name)
                                is not None and ".." not in c.run_name), "run_name",
           "a plain directory name under workdir (letters, digits, . _ = , + -; no '/' "
           "or '..')", c.run_name)
  _require(int(c.seed) >= 0, "seed", "seeds are non-negative", c.seed)
  t = c.train
  for k in ("total_env_steps", "num_envs", "batch_size", "buffer_episodes",
            "iterations_per_epoch"):
    _require(int(t[k]) >= 1, f"train.{k}", "must be >= 1", t[k])
  for k in ("warmup_episodes", "checkpoint_every_epochs", "buffer_transitions"):
    _require(int(t[k]) >= 0, f"train.{k}", "must be >= 0", t[k])
  _require(t.warmup_policy in ("uniform", "learner"), "train.warmup_policy",
           "must be 'uniform' (random actions) or 'learner' (the initial policy)",
           t.warmup_policy)
  _require(t.render in ("none", "end", "every"), "train.render",
           "must be 'none', 'end' (pictures after the last evaluation) or 'every' "
           "(after each evaluation)", t.render)
  _require(t.wandb_mode in ("online", "offline"), "train.wandb_mode",
           "must be 'online' or 'offline'", t.wandb_mode)
  _require(not t.wandb or bool(t.wandb_project), "train.wandb_project",
           "train.wandb=True needs a project name", t.wandb_project)
  if t.wandb:
    from hindsight import extras
    if not extras.available("wandb"):
      extras.require("wandb", "wandb", "config.train.wandb=True")
  _require(float(t.updates_per_env_step) > 0, "train.updates_per_env_step",
           "must be > 0 (a run without gradient steps learns nothing)", t.updates_per_env_step)
  _require(int(t.updates_per_iteration) >= 0, "train.updates_per_iteration",
           "must be >= 0 (0: derived from updates_per_env_step)", t.updates_per_iteration)

  lc = c.learner
  if lc.name == "sac":
    _require(0.0 <= c.gamma < 1.0, "gamma", "must be in [0, 1) for SAC's bootstrap", c.gamma)
    _require(0.0 < lc.tau <= 1.0, "learner.tau", "must be in (0, 1]", lc.tau)
    for k in ("actor_lr", "critic_lr", "alpha_lr", "init_alpha"):
      _require(float(lc[k]) > 0, f"learner.{k}", "must be > 0", lc[k])
    _require(lc.log_std_min < lc.log_std_max, "learner.log_std_min",
             "must be below learner.log_std_max", lc.log_std_min)
    hs = tuple(lc.hidden_sizes)
    _require(len(hs) >= 1 and all(int(h) >= 1 for h in hs), "learner.hidden_sizes",
             "need at least one layer, each of size >= 1", hs)

  _require(float(lc.reward_scale) > 0, "learner.reward_scale",
           "must be > 0 (a zero or negative scale removes or inverts the reward)",
           lc.reward_scale)
  if lc.name == "bc":
    # BC has no bootstrap, but γ discounts the relabeling returns.
    _require(0.0 <= c.gamma <= 1.0, "gamma", "discounts relabeling returns: "
             "must be in [0, 1]", c.gamma)
    _require(float(lc.actor_lr) > 0, "learner.actor_lr", "must be > 0", lc.actor_lr)
    _require(lc.log_std_min < lc.log_std_max, "learner.log_std_min",
             "must be below learner.log_std_max", lc.log_std_min)

  if lc.name == "dqn":
    _check_dqn(c, lc)
  _require(lc.name == "sac" or not lc.normalize_observations,
           "learner.normalize_observations",
           f"is implemented for SAC only, not {lc.name!r}", lc.normalize_observations)

  rc = c.relabel
  _require(0.0 <= rc.fraction <= 1.0, "relabel.fraction", "a share, in [0, 1]", rc.fraction)
  _require(rc.when in ("default", "sample", "insert"), "relabel.when",
           "must be 'default', 'sample' or 'insert'", rc.when)

  # Impossible combinations, checked on the built objects.
  family = make_family(c)
  if family.horizon < 1:
    raise ConfigError(f"config.env.options.horizon must be >= 1, got {family.horizon}")
  cap = buffer_capacity(c, family.horizon)
  _require(cap >= t.num_envs, "train.buffer_transitions" if t.buffer_transitions
           else "train.buffer_episodes",
           f"the buffer ({cap} episodes of H = {family.horizon}) must hold at least one "
           f"iteration's {t.num_envs} episodes", t.buffer_transitions or t.buffer_episodes)
  _require(int(t.batch_size) <= cap * family.horizon, "train.batch_size",
           f"exceeds the buffer's capacity of {cap} episodes × {family.horizon} steps = "
           f"{cap * family.horizon} transitions", t.batch_size)
  oc = c.offline
  _require(oc.format in ("auto", "hindsight", "ogbench", "d4rl"), "offline.format",
           "must be 'auto', 'hindsight', 'ogbench' or 'd4rl'", oc.format)
  _require(oc.missing_task in ("error", "prior"), "offline.missing_task",
           "must be 'error' or 'prior'", oc.missing_task)
  for k in ("num_episodes", "bc_steps"):
    _require(int(oc[k]) >= 1, f"offline.{k}", "must be >= 1", oc[k])
  _require(updates_per_iteration(c, family.horizon) >= 1, "train.updates_per_env_step",
           f"gives no update per iteration of {t.num_envs} × {family.horizon} env steps",
           t.updates_per_env_step)
  _check_action_kind(c, family)
  _check_prioritized(c)
  relabeler = make_relabeler(c)
  try:
    relabeler.check_family(family)
  except ValueError as e:
    raise NotApplicableError(f"config.relabel.name: {e}") from None
  if lc.name == "bc" and relabeler.needs_values:
    raise ConfigError(
        f"config.relabel: {relabeler.name!r} as configured needs a Q-function, which the "
        "BC learner does not have; for BC use trajectory-level strategies "
        "(hipi with relabel.hipi.level='trajectory', air with relabel.air.tie_break="
        "'return', her, random, none)")
  if lc.name == "dqn" and relabeler.needs_values and relabeler.name == "hipi":
    raise ConfigError(
        "config.relabel: hipi at level='transition' needs log π of a maximum-entropy "
        "policy (its logit r − log π + γ Q is a soft Bellman backup), which the dqn "
        "learner (hard-max Q, ε-greedy) does not have; with dqn use hipi with "
        "relabel.hipi.level='trajectory', or her, air, advantage, random, none")
  if hasattr(relabeler, "check_batch_size"):
    rows = t.num_envs if relabel_when(c, relabeler) == "insert" else t.batch_size
    try:
      relabeler.check_batch_size(int(rows))
    except ValueError as e:
      raise ConfigError(f"config.relabel.{relabeler.name}: {e}") from None
  if relabel_when(c, relabeler) == "insert" and not relabeler.supports_insert:
    raise ConfigError(f"config.relabel.when = 'insert' is not possible for "
                      f"{relabeler.name!r}: it relabels each sampled transition with the "
                      "current networks or step; use 'sample'")
  return c


# ------------------------------------------- dqn and prioritized replay --

def _check_dqn(c, lc):
  from hindsight.learners import dqn
  d = lc.dqn
  _require(0.0 <= c.gamma < 1.0, "gamma", "must be in [0, 1) for the bootstrap", c.gamma)
  _require(0.0 < lc.tau <= 1.0, "learner.tau", "must be in (0, 1]", lc.tau)
  _require(float(lc.critic_lr) > 0, "learner.critic_lr", "must be > 0", lc.critic_lr)
  hs = tuple(lc.hidden_sizes)
  _require(len(hs) >= 1 and all(int(h) >= 1 for h in hs), "learner.hidden_sizes",
           "need at least one layer, each of size >= 1", hs)
  _require(d.target_update in dqn.TARGET_UPDATES, "learner.dqn.target_update",
           f"must be one of {', '.join(map(repr, dqn.TARGET_UPDATES))}", d.target_update)
  _require(int(d.target_period) >= 1, "learner.dqn.target_period", "must be >= 1",
           d.target_period)
  _require(int(d.polyak_every) >= 1, "learner.dqn.polyak_every", "must be >= 1 (1: after "
           "every update)", d.polyak_every)
  _require(float(d.clip_return) >= 0, "learner.dqn.clip_return", "must be >= 0 (0: no "
           "clipping)", d.clip_return)
  _require(float(d.huber_delta) > 0, "learner.dqn.huber_delta", "must be > 0", d.huber_delta)
  for k in ("epsilon_start", "epsilon_end"):
    _require(0.0 <= float(d[k]) <= 1.0, f"learner.dqn.{k}", "a probability, in [0, 1]", d[k])
  _require(int(d.epsilon_decay_updates) >= 0, "learner.dqn.epsilon_decay_updates",
           "must be >= 0 (0: epsilon_end from the start)", d.epsilon_decay_updates)


def _check_action_kind(c, family):
  """A discrete-action learner needs a discrete-action family, and back."""
  from hindsight import learners
  discrete_family = int(getattr(family, "num_actions", 0)) > 0
  if learners.is_discrete(c.learner.name) and not discrete_family:
    discrete = _discrete_families()
    raise ConfigError(f"config.learner.name = {c.learner.name!r} acts on discrete actions; "
                      f"{family.name!r} has continuous actions (use sac or bc; families "
                      f"with discrete actions: {', '.join(discrete)})")
  if discrete_family and not learners.is_discrete(c.learner.name):
    discrete = [n for n in learners.names() if learners.is_discrete(n)]
    raise ConfigError(f"config.learner.name = {c.learner.name!r} acts on continuous "
                      f"actions; {family.name!r} has {family.num_actions} discrete actions "
                      f"(use {', '.join(discrete)})")


def _discrete_families():
  """Registered families with discrete actions (``num_actions`` overridden,
  a property of the options or a positive constant)."""
  from hindsight import tasks
  out = []
  for n in tasks.names():
    v = getattr(tasks.REGISTRY.get(n), "num_actions", 0)
    if isinstance(v, property) or int(v) > 0:
      out.append(n)
  return out


def _check_prioritized(c):
  t = c.train
  _require(0.0 <= float(t.prioritized_alpha) <= 1.0, "train.prioritized_alpha",
           "the priority exponent α must be in [0, 1] (0: uniform, 1: fully proportional)",
           t.prioritized_alpha)
  _require(0.0 <= float(t.prioritized_beta) <= 1.0, "train.prioritized_beta",
           "the importance-weight exponent β must be in [0, 1] (annealed to 1)",
           t.prioritized_beta)
  _require(int(t.prioritized_beta_updates) >= 0, "train.prioritized_beta_updates",
           "must be >= 0 (0: anneal over the whole run)", t.prioritized_beta_updates)
  _require(float(t.prioritized_eps) > 0, "train.prioritized_eps",
           "must be > 0 (a zero priority never samples its transition again)",
           t.prioritized_eps)
  if t.prioritized and c.learner.name not in ("sac", "dqn"):
    raise ConfigError(f"config.train.prioritized needs a learner with TD errors (sac, dqn); "
                      f"{c.learner.name!r} has none")


def buffer_capacity(c, horizon: int) -> int:
  """Buffer capacity in episodes: ``train.buffer_transitions`` rounded up to
  whole episodes of H steps when set, else ``train.buffer_episodes``."""
  t = c.train
  if int(t.buffer_transitions) > 0:
    return -(-int(t.buffer_transitions) // int(horizon))
  return int(t.buffer_episodes)


def updates_per_iteration(c, horizon: int) -> int:
  """Gradient steps per iteration of ``num_envs`` episodes of H steps."""
  t = c.train
  if int(t.get("updates_per_iteration", 0)) > 0:
    return int(t.updates_per_iteration)
  return int(round(float(t.updates_per_env_step) * int(t.num_envs) * int(horizon)))


def relabel_when(c, relabeler) -> str:
  return relabeler.default_when if c.relabel.when == "default" else c.relabel.when


def make_family(c):
  from hindsight import tasks
  try:
    return tasks.make(c.env.name, **_as_dict(c.env.options))
  except ValueError as e:
    raise ConfigError(f"config.env: {e}") from None


def relabel_options(c) -> dict:
  """Options of the chosen strategy: the ``relabel.<name>`` block, if any."""
  block = c.relabel.get(c.relabel.name)
  return _as_dict(block) if block is not None else {}


def make_relabeler(c):
  from hindsight import relabel
  try:
    return relabel.make(c.relabel.name, **relabel_options(c))
  except ValueError as e:
    raise ConfigError(f"config.relabel: {e}") from None
