"""Config validation: clear errors, before anything is traced."""

import pytest
from ml_collections import ConfigDict

from hindsight import schema
from hindsight import config as config_lib
from hindsight import envs, learners, relabel

point_goal_config = schema.load_module("configs/point_goal.py")
point_reacher_config = schema.load_module("configs/point_reacher.py")
point_trajectory_config = schema.load_module("configs/point_trajectory.py")


def _error(c) -> str:
  with pytest.raises(ValueError) as e:
    config_lib.validate(c)
  assert isinstance(e.value, config_lib.ConfigError)
  return str(e.value)


@pytest.mark.parametrize("module", [schema, point_reacher_config, point_goal_config,
                                    point_trajectory_config])
def test_shipped_configs_are_valid(module):
  c = config_lib.validate(module.get_config())
  assert isinstance(c, ConfigDict)
  assert c.to_dict() == module.get_config().to_dict()


def test_validate_accepts_a_plain_dict():
  c = config_lib.validate(schema.get_config().to_dict())
  assert c.train.batch_size == schema.get_config().train.batch_size


def test_unknown_top_level_key_lists_valid_keys():
  c = schema.get_config()
  c.foo = 1
  msg = _error(c)
  assert "'foo'" in msg
  for key in ("seed", "num_seeds", "workdir", "env", "learner", "relabel", "train"):
    assert key in msg


def test_unknown_nested_key_lists_valid_keys_of_its_block():
  c = schema.get_config()
  c.train.foo = 1
  msg = _error(c)
  assert "train.foo" in msg
  for key in schema.get_config().train:
    assert key in msg
  # only the keys of that block
  assert "hidden_sizes" not in msg


def test_unknown_key_in_learner_block():
  c = schema.get_config()
  c.learner.lr = 1e-3
  msg = _error(c)
  assert "learner.lr" in msg and "actor_lr" in msg and "critic_lr" in msg


@pytest.mark.parametrize("block, registry", [("env", envs), ("relabel", relabel),
                                             ("learner", learners)])
def test_unknown_name_lists_known_names(block, registry):
  c = schema.get_config()
  c[block].name = "nope"
  msg = _error(c)
  assert f"{block}.name" in msg and "'nope'" in msg
  names = registry.names()
  assert names
  for name in names:
    assert name in msg


def test_known_relabelers_listed():
  c = schema.get_config()
  c.relabel.name = "nope"
  msg = _error(c)
  assert "none" in msg and "random" in msg


@pytest.mark.parametrize("key, value", [
    ("relabel.fraction", 1.5),
    ("relabel.fraction", -0.1),
    ("gamma", 1.0),
    ("learner.tau", 0.0),
    ("learner.actor_lr", 0.0),
    ("train.num_envs", 0),
    ("train.batch_size", 0),
    ("train.total_env_steps", 0),
    ("train.warmup_episodes", -1),
    ("num_seeds", 0),
    ("relabel.when", "never"),
    # values that used to validate and then fail (or mean nothing) at run time
    ("train.updates_per_env_step", 0.0),
    ("learner.reward_scale", 0.0),
    ("learner.reward_scale", -1.0),
    ("train.batch_size", 10 ** 7),   # more than the buffer's transitions
    ("offline.num_episodes", 0),
    ("offline.bc_steps", 0),
    ("train.warmup_policy", "greedy"),
])
def test_out_of_range_value_names_the_key(key, value):
  c = schema.get_config()
  block, _, leaf = key.rpartition(".")
  (c[block] if block else c)[leaf] = value
  msg = _error(c)
  assert f"config.{key}" in msg
  assert repr(value) in msg


def test_bc_gamma_discounts_returns_and_must_be_a_discount():
  c = schema.get_config()
  c.learner.name = "bc"
  c.gamma = 1.5
  assert "config.gamma = 1.5" in _error(c)


def test_zero_eval_tasks_and_derived_zero_updates_are_refused():
  c = schema.get_config()
  c.env.options.num_eval_tasks = 0
  assert "num_eval_tasks" in _error(c)
  c = schema.get_config()
  c.train.update(dict(num_envs=1, updates_per_env_step=0.01))  # round(0.01 × 20) = 0
  assert "gives no update per iteration" in _error(c)


def test_log_std_bounds_must_be_ordered():
  c = schema.get_config()
  c.learner.log_std_min = 3.0
  assert "learner.log_std_min" in _error(c)


def test_buffer_must_hold_one_iteration():
  c = schema.get_config()
  c.train.buffer_episodes = 4  # < num_envs = 8
  assert "train.buffer_episodes" in _error(c)


def test_unknown_env_option_names_valid_options():
  c = schema.get_config()
  c.env.options.epsilon = 0.1  # a point_goal option, not a point_reacher one
  msg = _error(c)
  assert "env.options.epsilon" in msg and "point_reacher" in msg
  for option in ("reward_type", "sparse_scale", "horizon", "eval_seed", "num_eval_tasks"):
    assert option in msg


def test_env_name_without_matching_options():
  # Switching the family without its options: point_reacher's options are not
  # point_goal's, and the error says which ones are.
  c = schema.get_config()
  c.env.name = "point_goal"
  msg = _error(c)
  assert "point_goal" in msg and "epsilon" in msg


def test_bad_env_option_value():
  c = schema.get_config()
  c.env.options.reward_type = "shaped"
  msg = _error(c)
  assert "config.env" in msg and "dense" in msg


def test_bad_horizon():
  c = schema.get_config()
  c.env.options.horizon = 0
  assert "horizon" in _error(c)


def test_updates_per_iteration_overrides_the_per_env_step_rate():
  from hindsight import config as config_lib
  c = schema.get_config()
  c.train.update(dict(num_envs=4, updates_per_env_step=0.5))
  assert config_lib.updates_per_iteration(c, 20) == 40        # round(0.5 × 4 × 20)
  c.train.updates_per_iteration = 7                            # HER's fixed count per cycle
  assert config_lib.updates_per_iteration(c, 20) == 7
  assert config_lib.updates_per_iteration(c, 50) == 7
  c.train.updates_per_iteration = -1
  assert "config.train.updates_per_iteration = -1" in _error(c)


@pytest.mark.parametrize("key, value", [("polyak_every", 0), ("clip_return", -1.0)])
def test_dqn_target_options_are_checked(key, value):
  c = schema.get_config("bit_flip")
  c.learner.name = "dqn"
  c.learner.dqn[key] = value
  msg = _error(c)
  assert f"config.learner.dqn.{key}" in msg and repr(value) in msg
