"""Adding a relabeler or a family: one file plus one registry line (README,
"Adding a relabeler" / "Adding a reward family"). The schema, validation and
the training loop pick the new entry up with nothing else to edit."""

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np

from hindsight import config as config_lib
from hindsight import relabel, schema
from hindsight.relabel.base import Relabeler
from hindsight.training import Trainer


# ---- "hindsight/relabel/shuffle.py": the whole new strategy -----------------
@dataclasses.dataclass(frozen=True)
class Shuffle(Relabeler):
  """Each transition takes the original task of another sampled transition."""
  shift: int = 1        # its one option: which other transition (i + shift mod B)

  name = "shuffle"
  supports_insert = False

  def relabel_with_info(self, key, batch, ctx):
    del key, ctx
    tasks = jnp.roll(batch.task, self.shift, axis=0)
    return tasks, {"shuffle_shift": jnp.asarray(self.shift, jnp.float32)}


def test_a_new_relabeler_needs_one_file_and_one_registry_line(monkeypatch):
  # the one registry line (``REGISTRY.register("shuffle", Shuffle)``), undone after the test
  monkeypatch.setitem(relabel.REGISTRY._entries, "shuffle", Shuffle)
  c = schema.get_config("point_reacher")
  assert c.relabel.shuffle.to_dict() == {"shift": 1}   # its block, from its fields
  c.relabel.name = "shuffle"
  c.relabel.shuffle.shift = 3
  c.learner.hidden_sizes = (16, 16)
  c.train.update(dict(total_env_steps=80, num_envs=2, updates_per_env_step=0.1,
                      batch_size=16, warmup_episodes=4, iterations_per_epoch=2,
                      buffer_episodes=16, checkpoint_every_epochs=0))
  c.relabel.fraction = 1.0
  tr = Trainer(config_lib.validate(c))
  assert tr.relabeler == Shuffle(shift=3)
  rs = jax.jit(tr.init)(jax.random.PRNGKey(0))
  rs, metrics = jax.jit(tr.epoch)(rs)
  assert float(metrics["relabel/shuffle_shift"]) == 3.0
  assert 0.0 < float(metrics["relabel/changed"]) <= 1.0
  assert np.isfinite(float(metrics["critic_loss"]))
  # a bad option is a config error naming the strategy, before tracing
  c2 = c.to_dict()
  c2["relabel"]["shuffle"]["nope"] = 1
  try:
    config_lib.validate(c2)
  except config_lib.ConfigError as e:
    assert "nope" in str(e)
  else:
    raise AssertionError("an unknown option must be refused")


# ---- "hindsight/tasks/point_goal_dense.py": a new family --------------------
from hindsight import tasks  # noqa: E402
from hindsight.tasks.point_goal import PointGoal  # noqa: E402


@dataclasses.dataclass(frozen=True)
class PointGoalDense(PointGoal):
  """Goal reaching with a dense reward: −scale · ‖achieved − goal‖."""
  scale: float = 2.0

  name = "point_goal_dense"

  def reward(self, features, action, task):
    del action
    return -self.scale * self.distance_to_goal(features, task)


def test_a_new_family_needs_one_file_one_registry_line_and_its_config(monkeypatch):
  # the registry line (``FAMILIES`` in hindsight/tasks/__init__.py), undone after the test
  monkeypatch.setitem(tasks.REGISTRY._entries, PointGoalDense.name, PointGoalDense)
  # its config (configs/point_goal_dense.py): the schema gives its options
  c = schema.get_config("point_goal_dense")
  assert c.env.options.scale == 2.0 and c.env.options.epsilon == 0.05
  c.env.options.scale = 0.5
  c.relabel.name = "her"
  c.learner.hidden_sizes = (16, 16)
  c.train.update(dict(total_env_steps=80, num_envs=2, updates_per_env_step=0.1,
                      batch_size=16, warmup_episodes=4, iterations_per_epoch=2,
                      buffer_episodes=16, checkpoint_every_epochs=0))
  tr = Trainer(config_lib.validate(c))        # its environment comes from its type
  assert tr.family == PointGoalDense(scale=0.5)
  rs = jax.jit(tr.init)(jax.random.PRNGKey(0))
  rs, metrics = jax.jit(tr.epoch)(rs)
  assert float(metrics["relabel/reward_mean"]) <= 0.0      # −0.5 · distance
  ev = jax.jit(tr.evaluate)(rs.learner, jax.random.PRNGKey(1))
  assert ev["return"].shape == (25,) and np.all(np.asarray(ev["return"]) <= 0.0)
