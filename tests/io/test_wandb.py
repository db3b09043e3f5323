"""The optional Weights & Biases logger, in wandb's offline mode (no network):
one wandb run per seed, grouped by the run's name, the config uploaded, and
metrics.csv's rows under metrics.csv's names."""

import glob
import os

import pytest

from hindsight import schema
from hindsight import config as config_lib
from hindsight import extras
from hindsight.io import files
from tests.training.test_trainer import tiny

wandb = pytest.importorskip("wandb")
from tests.io.wandb_records import summary  # noqa: E402  (needs wandb)


@pytest.fixture(autouse=True)
def _offline(monkeypatch, tmp_path):
  monkeypatch.setenv("WANDB_MODE", "offline")
  monkeypatch.setenv("WANDB_SILENT", "true")
  monkeypatch.setenv("WANDB_CONFIG_DIR", str(tmp_path / "wandb_config"))
  monkeypatch.setenv("WANDB_CACHE_DIR", str(tmp_path / "wandb_cache"))


def _offline_runs(run_dir):
  return sorted(glob.glob(os.path.join(run_dir, "wandb", "offline-run-*", "run-*.wandb")))


def test_one_wandb_run_per_seed_with_config_and_metric_names(tmp_path):
  from hindsight.training import run
  c = tiny(schema.get_config(), wandb=True, wandb_mode="offline", wandb_project="t",
           render="none")
  c.workdir, c.num_seeds, c.seed, c.run_name = str(tmp_path), 2, 4, "wb"
  out = run(c, echo=False)
  rows = files.read_csv(os.path.join(out["run_dir"], "metrics.csv"))
  paths = _offline_runs(out["run_dir"])
  assert len(paths) == 2
  ids = files.read_json(os.path.join(out["run_dir"], "wandb_ids.json"))
  assert sorted(ids) == ["4", "5"]
  seen = set()
  for p in paths:
    cfg, history, name, group = summary(p)
    assert group == "wb"
    seed = int(cfg["seed"])
    seen.add(seed)
    assert name == f"wb/seed_{seed}" and ids[str(seed)] in p
    assert cfg["train"]["batch_size"] == 32 and cfg["env"]["name"] == "point_reacher"
    assert cfg["seed_index"] == seed - 4
    mine = [r for r in rows if r["seed"] == seed]
    logged = [{k: v for k, v in h.items() if not k.startswith("_")} for h in history]
    assert len(logged) == len(mine) == 2                  # one entry per evaluation
    for got, want in zip(logged, mine):
      assert set(got) == set(want) - {"seed"}            # metrics.csv's names
      for k, v in got.items():
        assert v == pytest.approx(want[k], rel=1e-6, abs=1e-9), k
  assert seen == {4, 5}


def test_a_resumed_run_continues_the_same_wandb_runs(tmp_path):
  from hindsight.io.wandb_logger import WandbLogger
  first = WandbLogger({"a": 1}, str(tmp_path), "r", [0, 1], project="t", mode="offline")
  first.log([{"seed": 0, "env_steps": 10, "x": 1.0}, {"seed": 1, "env_steps": 10, "x": 2.0}])
  first.close()
  ids = files.read_json(str(tmp_path / "wandb_ids.json"))
  again = WandbLogger({"a": 1}, str(tmp_path), "r", [0, 1], project="t", mode="offline")
  again.close()
  assert files.read_json(str(tmp_path / "wandb_ids.json")) == ids
  assert sorted({os.path.basename(p) for p in _offline_runs(str(tmp_path))}) == sorted(
      f"run-{ids[s]}.wandb" for s in ("0", "1"))


def test_wandb_without_the_extra_is_a_one_line_error(monkeypatch):
  monkeypatch.setattr(extras, "available", lambda m: m != "wandb")
  import importlib
  real = importlib.import_module
  monkeypatch.setattr(importlib, "import_module", lambda n, *a: (
      (_ for _ in ()).throw(ImportError(n)) if n == "wandb" else real(n, *a)))
  c = schema.get_config()
  c.train.wandb = True
  with pytest.raises(extras.MissingExtraError) as e:
    config_lib.validate(c)
  assert "hindsight-jax[wandb]" in str(e.value) and "\n" not in str(e.value)


def test_wandb_mode_is_validated():
  c = schema.get_config()
  c.train.wandb_mode = "disabled"
  with pytest.raises(config_lib.ConfigError, match="train.wandb_mode"):
    config_lib.validate(c)
