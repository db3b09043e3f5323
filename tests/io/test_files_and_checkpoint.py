"""Run-directory files: CSV/JSON round trips, atomic writes, checkpoints."""

import os
import stat

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from hindsight import replay
from hindsight.io import checkpoint, files


# --------------------------------------------------------------------- CSV --

def test_csv_round_trip(tmp_path):
  path = str(tmp_path / "metrics.csv")
  rows = [
      {"seed": 0, "epoch": 1, "wall_time": 12.5, "eval_return_mean": -0.1,
       "note": "warm-up"},
      {"seed": 1, "epoch": 1, "wall_time": 3.0, "eval_return_mean": 1e-7,
       "note": "x", "extra": 2},
      {"seed": 0, "epoch": 2, "wall_time": 0.30000000000000004,
       "eval_return_mean": -123456.789, "note": ""},
  ]
  files.write_csv(path, rows)
  # columns: the union, in first-seen order
  with open(path) as f:
    header = f.readline().strip()
  assert header == "seed,epoch,wall_time,eval_return_mean,note,extra"
  back = files.read_csv(path)
  assert len(back) == 3
  for row, got in zip(rows, back):
    for k, v in row.items():
      if v == "":
        assert got[k] is None  # empty cells read back as None
      else:
        assert got[k] == v and type(got[k]) is type(v), (k, v, got[k])
  assert back[0]["extra"] is None and back[2]["extra"] is None
  assert back[1]["extra"] == 2


def test_csv_floats_round_trip_exactly(tmp_path):
  path = str(tmp_path / "m.csv")
  values = [0.1, 1 / 3, -2.5e-12, 1e300, float(np.float32(0.7))]
  files.write_csv(path, [{"v": v} for v in values])
  assert [r["v"] for r in files.read_csv(path)] == values


def test_csv_rewrite_replaces_the_file(tmp_path):
  path = str(tmp_path / "m.csv")
  files.write_csv(path, [{"a": 1}, {"a": 2}])
  files.write_csv(path, [{"a": 1}])
  assert files.read_csv(path) == [{"a": 1}]


def test_json_round_trip(tmp_path):
  path = str(tmp_path / "sub" / "config.json")  # creates the directory
  obj = {"seed": 3, "train": {"batch_size": 32, "lr": 3e-4}, "hidden": [32, 32],
         "name": "sac"}
  files.write_json(path, obj)
  assert files.read_json(path) == obj


# ------------------------------------------------------------ atomic writes --

def test_atomic_writes_leave_no_temp_files(tmp_path):
  files.write_csv(str(tmp_path / "m.csv"), [{"a": 1}])
  files.write_json(str(tmp_path / "c.json"), {"a": 1})
  files.atomic_write_text(str(tmp_path / "log.txt"), "hello\n")
  files.atomic_write_bytes(str(tmp_path / "b.bin"), b"\x00\x01")
  checkpoint.save(str(tmp_path), 1, {"w": np.ones(3)})
  assert sorted(os.listdir(tmp_path)) == ["b.bin", "c.json", "ckpt_000001.npz", "log.txt",
                                          "m.csv"]
  assert (tmp_path / "log.txt").read_text() == "hello\n"
  assert (tmp_path / "b.bin").read_bytes() == b"\x00\x01"


def test_failed_atomic_write_keeps_the_old_file(tmp_path):
  path = str(tmp_path / "m.csv")
  files.atomic_write_text(path, "old\n")
  with pytest.raises(TypeError):
    files.atomic_write_bytes(path, "not bytes")  # fails while writing
  assert open(path).read() == "old\n"
  assert os.listdir(tmp_path) == ["m.csv"]  # the temporary file was removed


def test_atomic_write_respects_umask(tmp_path):
  old = os.umask(0o022)
  try:
    files.write_json(str(tmp_path / "config.json"), {"a": 1})
    with open(tmp_path / "plain.txt", "w") as f:
      f.write("x")
  finally:
    os.umask(old)
  plain = stat.S_IMODE(os.stat(tmp_path / "plain.txt").st_mode)
  atomic = stat.S_IMODE(os.stat(tmp_path / "config.json").st_mode)
  assert plain == 0o644
  assert atomic == plain, oct(atomic)


# -------------------------------------------------------------- checkpoints --

def _tree():
  # the dtypes of a run state (JAX's default 32-bit mode); uint32: PRNG keys
  return {"w": np.arange(6, dtype=np.float32).reshape(2, 3) / 7,
          "b": (np.asarray(3, np.int32), np.asarray([1, 2 ** 31 + 5], np.uint32)),
          "flag": np.asarray([True, False]),
          "key": np.asarray(jax.random.PRNGKey(42))}


def test_checkpoint_exact_round_trip(tmp_path):
  tree = _tree()
  path = checkpoint.save(str(tmp_path), 7, tree)
  assert os.path.basename(path) == "ckpt_000007.npz"
  template = jax.tree.map(np.zeros_like, tree)
  epoch, back = checkpoint.restore(path, template)
  assert epoch == 7
  assert jax.tree.structure(back) == jax.tree.structure(tree)
  for a, b in zip(jax.tree.leaves(tree), jax.tree.leaves(back)):
    b = np.asarray(b)
    assert a.dtype == b.dtype and a.shape == b.shape
    np.testing.assert_array_equal(a, b)


def test_checkpoint_round_trip_of_a_flax_state(tmp_path):
  spec = replay.EpisodeSpec(obs_size=3, action_size=2, feature_dim=2, task_dim=2, horizon=4)
  state = replay.init(spec, 3, extras_spec={"z": (2,)})
  state = state.replace(length=jnp.asarray([4, 2, 0], jnp.int32),
                        extras={"z": jnp.arange(6.0).reshape(3, 2)},
                        insert_pos=jnp.asarray(2, jnp.int32))
  path = checkpoint.save(str(tmp_path), 1, state)
  _, back = checkpoint.restore(path, replay.init(spec, 3, extras_spec={"z": (2,)}))
  assert isinstance(back, replay.BufferState)
  np.testing.assert_array_equal(back.length, [4, 2, 0])
  np.testing.assert_array_equal(back.extras["z"], np.arange(6.0).reshape(3, 2))
  assert int(back.insert_pos) == 2


def test_restore_into_a_shape_only_template(tmp_path):
  """Resume restores into ``jax.eval_shape`` of the initial state: nothing
  is computed before loading."""
  tree = _tree()
  path = checkpoint.save(str(tmp_path), 3, tree)
  template = jax.tree.map(lambda x: jax.ShapeDtypeStruct(x.shape, x.dtype), tree)
  _, back = checkpoint.restore(path, template)
  for a, b in zip(jax.tree.leaves(tree), jax.tree.leaves(back)):
    np.testing.assert_array_equal(a, np.asarray(b))
  bad = dict(template, w=jax.ShapeDtypeStruct((3, 2), np.float32))
  with pytest.raises(checkpoint.CheckpointError, match=r"\(3, 2\)"):
    checkpoint.restore(path, bad)


def test_restore_with_mismatched_shape(tmp_path):
  path = checkpoint.save(str(tmp_path), 1, _tree())
  template = _tree()
  template["w"] = np.zeros((3, 3), np.float32)
  with pytest.raises(checkpoint.CheckpointError) as e:
    checkpoint.restore(path, template)
  msg = str(e.value)
  assert path in msg and "(2, 3)" in msg and "(3, 3)" in msg and "another config" in msg
  assert isinstance(e.value, ValueError)


def test_restore_with_mismatched_dtype(tmp_path):
  path = checkpoint.save(str(tmp_path), 1, _tree())
  template = _tree()
  template["w"] = template["w"].astype(np.float64)
  with pytest.raises(checkpoint.CheckpointError, match="float32"):
    checkpoint.restore(path, template)


def test_restore_with_mismatched_structure(tmp_path):
  path = checkpoint.save(str(tmp_path), 1, _tree())
  template = {"w": np.zeros((2, 3), np.float32)}
  with pytest.raises(checkpoint.CheckpointError) as e:
    checkpoint.restore(path, template)
  assert "5 arrays" in str(e.value) and "has 1" in str(e.value)


def test_restore_unreadable_file(tmp_path):
  path = tmp_path / "ckpt_000001.npz"
  path.write_bytes(b"not a zip file")
  with pytest.raises(checkpoint.CheckpointError, match="not a readable checkpoint"):
    checkpoint.restore(str(path), _tree())


def test_checkpoint_keeps_only_the_latest(tmp_path):
  d = str(tmp_path)
  for epoch in (1, 2, 3, 10, 11):
    checkpoint.save(d, epoch, {"e": np.asarray(epoch)}, keep=2)
  (tmp_path / "ckpt_notes.npz").write_bytes(b"")  # not a checkpoint name: ignored
  assert [e for e, _ in checkpoint.list_checkpoints(d)] == [10, 11]
  assert sorted(p for p in os.listdir(d) if p.startswith("ckpt_0")) == [
      "ckpt_000010.npz", "ckpt_000011.npz"]
  epoch, path = checkpoint.latest(d)
  assert epoch == 11
  assert int(checkpoint.restore(path, {"e": np.asarray(0)})[1]["e"]) == 11
  checkpoint.save(d, 12, {"e": np.asarray(12)}, keep=3)
  assert [e for e, _ in checkpoint.list_checkpoints(d)] == [10, 11, 12]


def test_latest_of_empty_directory(tmp_path):
  assert checkpoint.latest(str(tmp_path)) is None
  assert checkpoint.list_checkpoints(str(tmp_path)) == []


@pytest.mark.parametrize("damage", ["truncated", "empty"])
def test_damaged_latest_checkpoint_falls_back_to_the_previous(tmp_path, damage):
  # The newest checkpoint is cut short (a kill mid-copy, a full disk
  # elsewhere) or empty: restore_latest says which it skipped and why, and
  # loads the intact one before it.
  d = str(tmp_path)
  checkpoint.save(d, 1, {"e": np.asarray(1)})
  path = checkpoint.save(d, 2, {"e": np.asarray(2)})
  data = open(path, "rb").read()
  open(path, "wb").write(data[: len(data) // 2] if damage == "truncated" else b"")
  with pytest.raises(checkpoint.DamagedCheckpointError, match="ckpt_000002"):
    checkpoint.restore(path, {"e": np.asarray(0)})
  epoch, tree, skipped = checkpoint.restore_latest(d, {"e": np.asarray(0)})
  assert epoch == 1 and int(tree["e"]) == 1
  assert [os.path.basename(p) for p, _ in skipped] == ["ckpt_000002.npz"]
  assert "not a readable checkpoint" in skipped[0][1]
  # None loads: (None, None, both skipped); another config's shapes still raise.
  open(checkpoint.list_checkpoints(d)[0][1], "wb").write(b"")
  assert checkpoint.restore_latest(d, {"e": np.asarray(0)})[:2] == (None, None)
  checkpoint.save(d, 3, {"e": np.zeros(3)}, keep=0)
  with pytest.raises(checkpoint.CheckpointError, match="shape"):
    checkpoint.restore_latest(d, {"e": np.asarray(0)})
