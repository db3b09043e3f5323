"""DQN on bit flipping through the training loop: end to end, relabelers,
config errors before tracing, and (slow) HER learning n = 10."""

import jax
import numpy as np
import pytest

from hindsight import schema
from hindsight import config as config_lib
from hindsight.training import Trainer, run

bit_flip = schema.load_module("configs/bit_flip.py")
point_goal = schema.load_module("configs/point_goal.py")


def tiny(c, n=4):
  c.env.options.n = n
  c.train.update(dict(total_env_steps=128, num_envs=4, updates_per_env_step=0.25,
                      updates_per_iteration=0,
                      batch_size=16, warmup_episodes=4, iterations_per_epoch=2,
                      buffer_transitions=0, buffer_episodes=64, checkpoint_every_epochs=0))
  c.learner.hidden_sizes = (16,)
  return c


def test_buffer_stores_discrete_actions_as_integers():
  tr = Trainer(tiny(bit_flip.get_config()))
  assert tr.spec.num_actions == 4 and tr.spec.action_size == 1
  rs = jax.jit(tr.init)(jax.random.PRNGKey(0))
  actions = rs.buffer.data.action
  assert actions.dtype == np.int32 and actions.shape == (64, 4, 1)
  a = np.asarray(actions[:4])[np.asarray(rs.buffer.data.mask[:4]) > 0]
  assert a.min() >= 0 and a.max() <= 3 and len(np.unique(a)) > 1
  # Episodes end at success: every stored terminal step reached the goal.
  d = jax.device_get(rs.buffer.data)
  term = d.terminal[:4] > 0
  reached = tr.family.success(d.features[:4], d.task[:4, None])
  np.testing.assert_array_equal(np.asarray(reached)[term], True)


@pytest.mark.parametrize("strategy", ["future", pytest.param("final", marks=pytest.mark.slow),
                                      pytest.param("episode", marks=pytest.mark.slow),
                                      pytest.param("random", marks=pytest.mark.slow)])
def test_dqn_her_trains_end_to_end(tmp_path, strategy):
  c = tiny(bit_flip.get_config())
  c.relabel.name, c.relabel.her.strategy = "her", strategy
  c.num_seeds, c.workdir = 2, str(tmp_path)
  rows = run(c, echo=False)["final_rows"]
  assert [r["seed"] for r in rows] == [0, 1]
  for r in rows:
    assert np.isfinite(r["eval_return_mean"]) and 0.0 <= r["eval_success_mean"] <= 1.0
    assert np.isfinite(r["q_loss"]) and r["relabel/changed"] > 0.0
    assert "td_abs" not in r


@pytest.mark.slow
@pytest.mark.parametrize("name", ["none", "advantage", "air"])
def test_value_relabelers_run_with_dqn(tmp_path, name):
  c = tiny(bit_flip.get_config())
  c.relabel.name, c.workdir = name, str(tmp_path)
  c.relabel.advantage.num_candidates = 6
  c.relabel.air.update(dict(num_candidates=6, cache_size=8))
  rows = run(c, echo=False)["final_rows"]
  assert np.isfinite(rows[0]["eval_return_mean"])


def _error(c) -> str:
  with pytest.raises(config_lib.ConfigError) as e:
    config_lib.validate(c)
  return str(e.value)


def test_config_errors_before_tracing():
  c = point_goal.get_config()
  c.learner.name = "dqn"
  msg = _error(c)
  assert "discrete actions" in msg and "'point_goal' has continuous actions" in msg
  assert "bit_flip" in msg
  c = bit_flip.get_config()
  c.learner.name = "sac"
  msg = _error(c)
  assert "'bit_flip' has 10 discrete actions" in msg and "use dqn" in msg
  c = bit_flip.get_config()
  c.env.options.n = 0
  assert "n (the number of bits) must be >= 1" in _error(c)
  c = bit_flip.get_config()
  c.relabel.name = "hipi"
  assert "hipi at level='transition' needs log π" in _error(c)
  c.relabel.hipi.level = "trajectory"
  config_lib.validate(c)  # trajectory level needs no policy
  for key, value, match in [("target_update", "sometimes", "target_update"),
                            ("epsilon_start", 1.5, "a probability"),
                            ("target_period", 0, "target_period")]:
    c = bit_flip.get_config()
    c.learner.dqn[key] = value
    assert match in _error(c)


def test_shipped_config_is_valid():
  c = config_lib.validate(bit_flip.get_config())
  assert c.learner.name == "dqn" and c.env.name == "bit_flip"
  # HER's cycle: 40 updates and one target average per 16 episodes, whatever n.
  for n in (5, 50):
    c.env.options.n = n
    assert config_lib.updates_per_iteration(c, n) == 40
  assert c.learner.dqn.polyak_every == 40 and c.learner.dqn.clip_return == 50.0
  config_lib.validate(schema.get_config())


@pytest.mark.slow
def test_dqn_her_learns_ten_bits(tmp_path):
  """The README's command: DQN + HER (future) on n = 10 reaches the goal on
  most of the 25 evaluation tasks within its 40k-step budget."""
  c = bit_flip.get_config()
  c.workdir, c.relabel.name = str(tmp_path), "her"
  c.train.total_env_steps = 16_000
  rows = run(c, echo=False)["final_rows"]
  assert rows[0]["eval_success_mean"] >= 0.9
