"""Pictures of the evaluation episodes (hindsight/render.py): the families'
geometry, the PNG grid, the run's render key, the missing-extra message, and
(marked brax) the HTML rollout of a Brax family."""

import math
import os

import jax
import numpy as np
import pytest

from hindsight import schema
from hindsight import config as config_lib
from hindsight import extras, render, tasks
from hindsight.training import Trainer, run
from tests.training.test_trainer import tiny

point_goal = schema.load_module("configs/point_goal.py")

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_point_reacher_geometry_is_its_goal_obstacle_and_weights():
  fam = tasks.make("point_reacher")
  # u = 0, v = 1: θ = 0, φ = arccos(1) = 0 → w = (0, 0, 1); goal at angle π/2,
  # radius 0.2 → (0, 0.2); obstacle at angle π, radius 0.3 → (−0.3, 0).
  g = fam.geometry(np.array([0.0, 1.0, math.pi / 2, 0.2, math.pi, 0.3], np.float32))
  np.testing.assert_allclose(g["goal"], [0.0, 0.2], atol=1e-6)
  np.testing.assert_allclose(g["obstacle"], [-0.3, 0.0], atol=1e-6)
  np.testing.assert_allclose(g["weights"], [0.0, 0.0, 1.0], atol=1e-6)


def test_point_goal_geometry_is_the_goal_and_success_radius():
  g = tasks.make("point_goal", epsilon=0.07).geometry(np.array([0.1, -0.2], np.float32))
  np.testing.assert_allclose(g["goal"], [0.1, -0.2])
  assert g["goal_radius"] == pytest.approx(0.07)


def test_point_trajectory_curve_is_the_rewarded_sine_rotated():
  fam = tasks.make("point_trajectory")
  # angle π/2, d = 1, amp = 0.2: in the task frame the curve is
  # (x′, 0.2 sin(π x′)); rotating by π/2 maps (x′, y′) to (−y′, x′), so
  # x′ = 0.5 (the crest) lands at (−0.2, 0.5) and x′ = 0 at the origin.
  curve = fam.geometry(np.array([math.pi / 2, 1.0, 0.2], np.float32), num_points=5)["curve"]
  np.testing.assert_allclose(curve[0], [0.0, 0.0], atol=1e-6)
  np.testing.assert_allclose(curve[1], [-0.2, 0.5], atol=1e-6)   # x′ = 2d/4 = 0.5
  np.testing.assert_allclose(curve[4], [0.0, 2.0], atol=1e-6)    # x′ = 2d, sin(2π) = 0
  # every point of the curve has zero deviation from the task's sine
  ang, d, amp = math.pi / 2, 1.0, 0.2
  xr = math.cos(ang) * curve[:, 0] + math.sin(ang) * curve[:, 1]
  yr = -math.sin(ang) * curve[:, 0] + math.cos(ang) * curve[:, 1]
  np.testing.assert_allclose(yr, amp * np.sin(np.pi * xr / d), atol=1e-6)


def test_point_figure_has_a_panel_per_task_and_writes_a_png():
  pytest.importorskip("matplotlib")
  fam = tasks.make("point_reacher")
  task_set = fam.eval_tasks()[:7]
  T = fam.horizon
  pos = np.cumsum(np.full((7, T + 1, 2), 0.01, np.float32), axis=1)
  mask = np.ones((7, T), np.float32)
  mask[3, 5:] = 0.0   # a shorter episode draws only its 6 positions
  fig = render.point_figure(fam, pos, mask, task_set, np.arange(7.0), title="t")
  drawn = [ax for ax in fig.axes if ax.lines]
  assert len(drawn) == 7 and len(fig.axes) == 9           # a 3 × 3 grid, 2 left empty
  traj = [ln for ln in drawn[3].lines if ln.get_label() == "trajectory"][0]
  assert len(traj.get_xdata()) == 6
  assert [a.get_title() for a in drawn][2] == "task 2: 2.00"
  data = render.png_bytes(fig)
  assert data.startswith(PNG_MAGIC) and len(data) > 10_000


def test_missing_matplotlib_is_one_line_naming_the_extra(monkeypatch):
  import importlib
  real = importlib.import_module

  def fake(name, *a, **k):
    if name == "matplotlib":
      raise ImportError("No module named 'matplotlib'")
    return real(name, *a, **k)

  monkeypatch.setattr(importlib, "import_module", fake)
  with pytest.raises(extras.MissingExtraError) as e:
    extras.require("matplotlib", "render", "trajectory pictures")
  msg = str(e.value)
  assert "\n" not in msg and "hindsight-jax[render]" in msg and "trajectory pictures" in msg
  assert isinstance(e.value, config_lib.ConfigError)   # the CLI prints it as one line


def test_render_key_is_validated():
  c = schema.get_config()
  c.train.render = "always"
  with pytest.raises(config_lib.ConfigError, match="train.render.*'none', 'end'"):
    config_lib.validate(c)


def test_default_render_without_matplotlib_is_a_note_and_every_is_an_error(monkeypatch,
                                                                           tmp_path):
  from hindsight.training.run import _render_mode
  monkeypatch.setattr(extras, "available", lambda m: m != "matplotlib")
  tr = Trainer(tiny(schema.get_config()))
  log = str(tmp_path / "log.txt")
  assert _render_mode(tr.config, tr, log, echo=False) == "none"
  assert "pip install 'hindsight-jax[render]'" in open(log).read()
  c = tiny(schema.get_config())
  c.train.render = "every"
  monkeypatch.setattr(extras, "require", lambda *a: (_ for _ in ()).throw(
      extras.MissingExtraError("needs matplotlib")))
  with pytest.raises(extras.MissingExtraError):
    _render_mode(config_lib.validate(c), tr, log, echo=False)


def test_render_every_draws_each_evaluation_of_each_seed(tmp_path):
  """A goal family with render='every': one PNG per seed per epoch, drawn from
  the evaluation's own episodes (the title's mean return is metrics.csv's)."""
  pytest.importorskip("matplotlib")
  c = tiny(point_goal.get_config(), render="every")  # 2 epochs of 160 steps
  c.workdir, c.num_seeds, c.run_name = str(tmp_path), 2, "r"
  out = run(c, echo=False)
  names = sorted(os.listdir(os.path.join(out["run_dir"], "render")))
  assert names == ["epoch_000001-seed_0.png", "epoch_000001-seed_1.png",
                   "epoch_000002-seed_0.png", "epoch_000002-seed_1.png"]
  for n in names:
    with open(os.path.join(out["run_dir"], "render", n), "rb") as f:
      assert f.read(8) == PNG_MAGIC
  # the pictured episodes are the evaluated ones
  tr, rs = out["trainer"], out["state"]
  from hindsight.training.run import evaluation_keys
  keys = evaluation_keys(tr.config)
  ls0 = jax.tree.map(lambda x: x[0], rs.learner)
  _, rewards = tr.evaluation_episodes(ls0, keys[0])
  final = [r for r in out["final_rows"] if r["seed"] == 0][0]
  assert float(np.asarray(rewards).sum(1).mean()) == pytest.approx(final["eval_return_mean"],
                                                                   abs=1e-5)
  assert "evaluation episodes drawn: render/epoch_000002-seed_0.png" in open(
      os.path.join(out["run_dir"], "log.txt")).read()


@pytest.mark.brax
@pytest.mark.slow  # a Brax compile; the point-family pictures stay in the default run
def test_brax_family_renders_an_html_rollout(tmp_path):
  from hindsight.envs.brax_env import BraxTaskEnv
  c = tiny(schema.get_config())
  c.env.name = "reacher_goal"
  c.env.options = {"horizon": 6}
  tr = Trainer(c)
  assert isinstance(tr.env, BraxTaskEnv) and render.kind(tr) == "html"
  ls = jax.vmap(lambda k: tr.learner.init(k, tr.spec, schema.learner_config(tr.config)))(
      jax.random.split(jax.random.PRNGKey(0), 1))
  paths = render.render_seeds(tr, ls, jax.random.split(jax.random.PRNGKey(1), 1),
                              str(tmp_path), epoch=3, seeds=[7], seed_indices=[0])
  assert paths == [str(tmp_path / "epoch_000003-seed_7.html")]
  html = open(paths[0]).read()
  assert "<html" in html.lower() and "system" in html.lower()
  # brax's viewer data: the system and one frame per step of the episode
  # (reacher_goal has no termination by default: all 6 steps)
  import base64, json, re, zlib
  m = re.search(r'var system = "([^"]+)"', html)
  data = json.loads(zlib.decompress(base64.b64decode(m.group(1))))
  assert len(data["states"]["x"]) == 6
