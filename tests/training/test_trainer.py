"""The jitted training loop: shapes, seeds, relabel modes, config errors."""

import jax
import numpy as np
import pytest

from hindsight import schema
from hindsight import config as config_lib
from hindsight.relabel import returns
from hindsight.relabel import schedule
from hindsight.training import Trainer, run

point_goal = schema.load_module("configs/point_goal.py")
point_trajectory = schema.load_module("configs/point_trajectory.py")


def tiny(c, **train):
  c.learner.hidden_sizes = (32, 32)
  c.train.update(dict(total_env_steps=320, num_envs=4, updates_per_env_step=0.05,
                      batch_size=32, warmup_episodes=8, iterations_per_epoch=2,
                      buffer_episodes=64, checkpoint_every_epochs=0))
  c.train.update(train)
  c.relabel.air.update(dict(num_candidates=6, cache_size=10))
  c.relabel.advantage.num_candidates = 6
  c.relabel.hipi.update(dict(candidates="prior", num_candidates=8))
  return c


def test_rollout_records_episodes_and_fresh_tasks():
  tr = Trainer(tiny(schema.get_config()))
  eps, rewards = jax.jit(lambda k: tr.rollout(tr.random_policy, k, n=6))(jax.random.PRNGKey(0))
  T = tr.spec.horizon
  assert eps.obs.shape == (6, T + 1, 5) and eps.action.shape == (6, T, 2)
  assert eps.features.shape == (6, T, 3) and rewards.shape == (6, T)
  np.testing.assert_array_equal(eps.mask, 1.0)        # fixed horizon, no termination
  # point_reacher's time limit is terminal (Generalized Hindsight): the last
  # step of each episode is stored as terminal, no step before it.
  np.testing.assert_array_equal(eps.terminal[:, :-1], 0.0)
  np.testing.assert_array_equal(eps.terminal[:, -1], 1.0)
  assert len(np.unique(np.asarray(eps.task[:, 0]))) == 6  # a task per episode
  # recorded rewards equal the family reward recomputed from features
  np.testing.assert_allclose(
      rewards, tr.family.reward(eps.features, eps.action, eps.task[:, None]), rtol=1e-5)
  # observation at step T is the true last one: time fraction 1
  np.testing.assert_allclose(eps.obs[:, T, -1], 1.0)


def test_new_task_at_every_episode_start():
  tr = Trainer(tiny(schema.get_config()))
  rs = tr.init(jax.random.PRNGKey(0))
  rs, _ = jax.jit(tr.iteration)(rs)
  rs, _ = jax.jit(tr.iteration)(rs)
  n = int(rs.buffer.size)
  tasks = np.asarray(rs.buffer.data.task[:n])
  assert n == 8 + 2 * 4
  assert len(np.unique(tasks[:, 0])) == n


# none/random also run end to end in tests/test_cli.py and tests/test_sweep.py.
@pytest.mark.parametrize("name,when", [
    pytest.param("none", "default", marks=pytest.mark.slow),
    pytest.param("random", "insert", marks=pytest.mark.slow),
    ("air", "default"), ("advantage", "sample"), ("hipi", "default")])
def test_every_strategy_trains_two_seeds(tmp_path, name, when):
  c = tiny(schema.get_config())
  c.relabel.name, c.relabel.when = name, when
  c.num_seeds, c.workdir = 2, str(tmp_path)
  out = run(c, echo=False)
  rows = out["final_rows"]
  assert [r["seed"] for r in rows] == [0, 1]
  assert all(np.isfinite(r["eval_return_mean"]) for r in rows)
  assert rows[0]["eval_return_task_00"] != rows[1]["eval_return_task_00"]  # seeds differ
  assert 0.0 <= rows[0]["relabel/changed"] <= 1.0
  if name != "none":
    assert rows[0]["relabel/changed"] > 0.0


def test_her_on_goal_family(tmp_path):
  c = tiny(point_goal.get_config())
  c.relabel.name, c.workdir = "her", str(tmp_path)
  rows = run(c, echo=False)["final_rows"]
  assert "eval_success_mean" in rows[0] and "relabel/her_success" in rows[0]


def test_insert_mode_stores_chosen_tasks():
  c = tiny(schema.get_config())
  c.relabel.name = "air"
  c.relabel.air.m = 2
  tr = Trainer(c)
  assert tr.schedule.when == "insert"
  rs = jax.jit(tr.init)(jax.random.PRNGKey(0))
  chosen = np.asarray(rs.buffer.extras[schedule.RELABELED][:8])
  assert chosen.shape == (8, 2, 6)
  lo, hi = tr.family.task_low_high()
  assert np.all(chosen >= lo - 1e-6) and np.all(chosen <= hi + 1e-6)


def test_gh_random_baseline_draws_one_prior_task_per_episode():
  # Generalized Hindsight's random baseline (rewards.py get_latents_and_rewards,
  # n_sampled_latents = 1): one prior task per episode, drawn at insertion;
  # every sampled transition of that episode gets the same one.
  from hindsight import replay
  c = tiny(schema.get_config())
  c.relabel.name, c.relabel.when = "random", "insert"
  tr = Trainer(c)
  rs = jax.jit(tr.init)(jax.random.PRNGKey(0))
  stored = np.asarray(rs.buffer.extras[schedule.RELABELED][:8])
  assert stored.shape == (8, 1, 6) and len(np.unique(stored[:, 0, 0])) == 8
  lo, hi = tr.family.task_low_high()
  assert np.all(stored >= lo - 1e-6) and np.all(stored <= hi + 1e-6)
  for seed in range(3):
    batch = replay.sample(rs.buffer, jax.random.PRNGKey(seed), 64)
    new = np.asarray(returns.pick_one(jax.random.PRNGKey(seed), batch.extras[schedule.RELABELED]))
    np.testing.assert_array_equal(new, stored[np.asarray(batch.episode), 0])


def test_config_errors_before_tracing():
  c = point_trajectory.get_config()
  c.relabel.name = "her"
  with pytest.raises(config_lib.ConfigError, match="has a goal part"):
    config_lib.validate(c)
  c = point_goal.get_config()
  c.relabel.name, c.relabel.when = "hipi", "insert"
  with pytest.raises(config_lib.ConfigError, match="'insert' is not possible"):
    config_lib.validate(c)
  c = schema.get_config()
  c.relabel.air.tie_break = "coin"
  c.relabel.name = "air"
  with pytest.raises(config_lib.ConfigError, match="tie_break must be one of"):
    config_lib.validate(c)


@pytest.mark.slow
def test_sac_learns_point_reacher(tmp_path):
  """A shortened default run: clearly above the uniform-random policy."""
  c = schema.get_config()
  c.train.total_env_steps = 24_000
  c.workdir = str(tmp_path)
  out = run(c, echo=False)
  tr = out["trainer"]
  random_ret = np.mean([float(tr.evaluate_random(jax.random.PRNGKey(s))["return"].mean())
                        for s in range(5)])
  final = out["final_rows"][0]["eval_return_mean"]
  assert final > random_ret + 5.0, (final, random_ret)


def test_resume_gives_the_same_metrics(tmp_path):
  """Kill after epoch 2 (simulated: drop the later checkpoint and rows), resume,
  and end with exactly the metrics of the uninterrupted run."""
  import os
  from hindsight.io import checkpoint, files
  c = tiny(schema.get_config(), checkpoint_every_epochs=1, total_env_steps=480,
           iterations_per_epoch=2)
  c.workdir, c.num_seeds = str(tmp_path), 2
  out = run(c, echo=False)
  run_dir = out["run_dir"]
  full = files.read_csv(os.path.join(run_dir, "metrics.csv"))
  assert max(r["epoch"] for r in full) == 3
  for epoch, path in checkpoint.list_checkpoints(run_dir):  # the last two are kept
    if epoch > 2:
      os.unlink(path)
  files.write_csv(os.path.join(run_dir, "metrics.csv"), [r for r in full if r["epoch"] <= 2])
  # A damaged newest checkpoint (killed mid-write elsewhere) is skipped, saying so.
  open(os.path.join(run_dir, "ckpt_000003.npz"), "wb").write(b"PK\x03\x04")
  # A run started before a config key existed resumes: the key takes its default.
  stored = files.read_json(os.path.join(run_dir, "config.json"))
  del stored["train"]["tensorboard"], stored["train"]["shard_seeds"]
  files.write_json(os.path.join(run_dir, "config.json"), stored)
  run(c, echo=False)
  resumed = files.read_csv(os.path.join(run_dir, "metrics.csv"))
  assert len(resumed) == len(full)
  log = open(os.path.join(run_dir, "log.txt")).read()
  assert "skipped checkpoint ckpt_000003.npz" in log and "resumed" in log
  # Provenance: a start and a resume, each with the commit and library versions.
  from hindsight.io import provenance
  history = files.read_json(os.path.join(run_dir, provenance.FILE))
  assert [e["event"] for e in history] == ["start", "resume"]
  assert all(e["versions"]["jax"] == jax.__version__ for e in history)
  assert len(provenance.commits(run_dir)) == 1
  for a, b in zip(full, resumed):
    for k in a:
      if k != "wall_time":
        assert a[k] == pytest.approx(b[k], rel=1e-6, abs=1e-6), k


def test_finished_run_without_checkpoints_is_not_rerun(tmp_path):
  """With checkpoints off, rerunning a finished run's command keeps its
  metrics (it used to start again at epoch 0 and overwrite metrics.csv); a
  partial metrics.csv with no checkpoint is refused, untouched."""
  import os
  from hindsight.io import files
  c = tiny(schema.get_config(), checkpoint_every_epochs=0)
  c.workdir = str(tmp_path)
  out = run(c, echo=False)
  path = os.path.join(out["run_dir"], "metrics.csv")
  before = open(path).read()
  again = run(c, echo=False)
  assert again["state"] is None and open(path).read() == before
  assert [r["epoch"] for r in again["final_rows"]] == [r["epoch"] for r in out["final_rows"]]
  assert "is finished" in open(os.path.join(out["run_dir"], "log.txt")).read()
  partial = [r for r in files.read_csv(path) if r["epoch"] == 1]
  files.write_csv(path, partial)
  partial_text = open(path).read()
  with pytest.raises(config_lib.ConfigError, match="no checkpoint to resume from"):
    run(c, echo=False)
  assert open(path).read() == partial_text


def test_resume_keeps_later_rows_until_recomputed(tmp_path, monkeypatch):
  # A checkpoint older than the last metrics row: the later rows stay in
  # metrics.csv while the run recomputes them (the file only grows).
  import os
  from hindsight.io import checkpoint, files
  c = tiny(schema.get_config(), checkpoint_every_epochs=1, total_env_steps=480,
           iterations_per_epoch=2)
  c.workdir = str(tmp_path)
  out = run(c, echo=False)
  path = os.path.join(out["run_dir"], "metrics.csv")
  full = files.read_csv(path)
  for epoch, ckpt in checkpoint.list_checkpoints(out["run_dir"]):
    if epoch > 2:
      os.unlink(ckpt)
  seen = []
  orig = files.write_csv
  def spy(p, rows):
    seen.append(len(rows))
    orig(p, rows)
  monkeypatch.setattr(files, "write_csv", spy)  # run.py writes through files.write_csv
  run(c, echo=False)
  monkeypatch.undo()
  assert seen and min(seen) >= len(full)
  assert len(files.read_csv(path)) == len(full)


def test_second_process_on_a_run_directory_stops_naming_the_holder(tmp_path):
  import os
  from hindsight.training.run import lock_run_dir, run_name
  c = tiny(schema.get_config())
  c.workdir = str(tmp_path)
  run_dir = os.path.join(str(tmp_path), run_name(config_lib.validate(c)))
  os.makedirs(run_dir)
  holder = lock_run_dir(run_dir)  # as another process would hold it
  try:
    with pytest.raises(config_lib.ConfigError, match=f"being trained by pid {os.getpid()}"):
      run(c, echo=False)
    assert not os.path.exists(os.path.join(run_dir, "log.txt"))
  finally:
    holder.close()


def test_non_finite_stops_with_a_clear_message(tmp_path):
  from hindsight.training.run import NonFiniteError
  c = tiny(schema.get_config(), checkpoint_every_epochs=1)
  c.workdir = str(tmp_path)
  c.learner.actor_lr = c.learner.critic_lr = 1e30   # diverges at once
  c.learner.reward_scale = 1e30
  with pytest.raises(NonFiniteError, match="non-finite values after epoch 1"):
    run(c, echo=False)


def _tb_scalars(run_dir):
  """{tag: [(step, value)]} from the TensorBoard event files (TFRecord framing:
  u64 length, u32 crc, payload, u32 crc), read with tensorboardX's protos."""
  import glob
  import os
  import struct
  from tensorboardX.proto import event_pb2
  out = {}
  for path in sorted(glob.glob(os.path.join(run_dir, "tensorboard", "events.*"))):
    with open(path, "rb") as f:
      data = f.read()
    i = 0
    while i < len(data):
      (n,) = struct.unpack("<Q", data[i:i + 8])
      ev = event_pb2.Event.FromString(data[i + 12:i + 12 + n])
      i += 12 + n + 4
      for v in ev.summary.value:
        out.setdefault(v.tag, []).append((ev.step, v.simple_value))
  return out


def test_tensorboard_events_match_the_csv(tmp_path):
  import os
  from hindsight.io import files
  pytest.importorskip("tensorboardX")
  c = tiny(schema.get_config(), tensorboard=True)
  c.workdir, c.num_seeds = str(tmp_path), 2
  out = run(c, echo=False)
  rows = files.read_csv(os.path.join(out["run_dir"], "metrics.csv"))
  scalars = _tb_scalars(out["run_dir"])
  epochs = sorted({r["epoch"] for r in rows})
  assert len(scalars["eval_return_mean"]) == len(epochs)
  for (step, value), e in zip(scalars["eval_return_mean"], epochs):
    at = [r for r in rows if r["epoch"] == e]
    assert step == max(r["env_steps"] for r in at)
    assert value == pytest.approx(np.mean([r["eval_return_mean"] for r in at]), rel=1e-5)
  assert [v for _, v in scalars["seed_1/eval_return_mean"]] == pytest.approx(
      [r["eval_return_mean"] for r in rows if r["seed"] == 1], rel=1e-5)
  assert "critic_loss" in " ".join(scalars)
