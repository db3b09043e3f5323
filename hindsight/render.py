"""Pictures of what a policy does on the evaluation tasks.

- Point families (``hindsight/envs/point.py``): a PNG with one panel per
  evaluation task — the deterministic policy's evaluation trajectory over the
  task's geometry as the family defines it (``family.geometry(task)``: goal and
  obstacle for point_reacher, goal and success radius for point_goal, the
  target curve for point_trajectory), with the episode's return.
- Brax families: an HTML rollout (``brax.io.html``) of the first evaluation
  task.

The episodes are the evaluation's own (``Trainer.evaluation_episodes``, with
the run's evaluation keys), so a picture shows the episodes whose returns are
in ``metrics.csv``. matplotlib is the ``render`` extra; HTML needs only Brax.
"""

from __future__ import annotations

import io
import math
import os
from typing import List, Optional, Sequence

import jax
import numpy as np

from hindsight import extras
from hindsight.io.files import atomic_write_bytes


def kind(trainer) -> Optional[str]:
  """'png' (point families), 'html' (Brax families) or None."""
  from hindsight.envs.brax_env import BraxTaskEnv
  from hindsight.envs.point import PointEnv
  if isinstance(trainer.env, PointEnv) and hasattr(trainer.family, "geometry"):
    return "png"
  if isinstance(trainer.env, BraxTaskEnv):
    return "html"
  return None


def needs_matplotlib(trainer) -> bool:
  return kind(trainer) == "png"


def file_name(epoch: int, seed: int, ext: str) -> str:
  return f"epoch_{int(epoch):06d}-seed_{int(seed)}.{ext}"


# ------------------------------------------------------------------ point --
def _valid_length(mask_row) -> int:
  return int(np.sum(np.asarray(mask_row) > 0))


def point_figure(family, positions, mask, tasks, returns, success=None, title=""):
  """A matplotlib ``Figure``: one panel per task. ``positions`` f32[E, T+1, 2]
  (the position before each step and after the last), ``mask`` f32[E, T],
  ``tasks`` f32[E, D], ``returns`` f32[E], ``success`` bool[E] or None."""
  extras.require("matplotlib", "render", "trajectory pictures")
  from matplotlib.backends.backend_agg import FigureCanvasAgg
  from matplotlib.figure import Figure
  from matplotlib.patches import Circle

  positions, mask = np.asarray(positions), np.asarray(mask)
  tasks, returns = np.asarray(tasks), np.asarray(returns)
  n = tasks.shape[0]
  cols = math.ceil(math.sqrt(n))
  rows = math.ceil(n / cols)
  geoms = [family.geometry(tasks[i]) for i in range(n)]
  # One view for every panel: the trajectories and the geometry, inside the
  # arena [-1, 1]².
  pts = [positions[i, :_valid_length(mask[i]) + 1] for i in range(n)]
  pts += [np.asarray(g[k]).reshape(-1, 2) for g in geoms for k in ("goal", "obstacle", "curve")
          if k in g]
  allp = np.concatenate(pts, axis=0)
  lo = np.maximum(allp.min(axis=0), -1.0)
  hi = np.minimum(allp.max(axis=0), 1.0)
  half = max(float(np.max(hi - lo)) / 2 * 1.12, 0.05)
  mid = (lo + hi) / 2

  fig = Figure(figsize=(2.1 * cols, 2.25 * rows + 0.5), dpi=100)
  FigureCanvasAgg(fig)
  axes = fig.subplots(rows, cols, squeeze=False)
  for i in range(rows * cols):
    ax = axes[i // cols][i % cols]
    if i >= n:
      ax.axis("off")
      continue
    g = geoms[i]
    if "curve" in g:
      c = np.asarray(g["curve"])
      ax.plot(c[:, 0], c[:, 1], "--", color="tab:green", lw=1.2, label="target curve")
    if "obstacle" in g:
      ob = np.asarray(g["obstacle"])
      ax.plot(*ob, "X", color="tab:red", ms=8, label="obstacle")
    if "goal" in g:
      go = np.asarray(g["goal"])
      ax.plot(*go, "*", color="tab:green", ms=11, label="goal")
      if "goal_radius" in g:
        ax.add_patch(Circle(go, g["goal_radius"], color="tab:green", alpha=0.25))
    p = pts[i]
    ax.plot(p[:, 0], p[:, 1], "-", color="tab:blue", lw=1.2, label="trajectory")
    ax.plot(p[:, 0], p[:, 1], ".", color="tab:blue", ms=3)
    ax.plot(*p[0], "o", color="black", ms=4, label="start")
    head = f"task {i}: {returns[i]:.2f}"
    if success is not None:
      head += " (reached)" if bool(np.asarray(success)[i]) else ""
    ax.set_title(head, fontsize=8)
    if "weights" in g:
      w = np.asarray(g["weights"])
      ax.text(0.02, 0.02, f"w goal {w[0]:.2f} energy {w[1]:.2f} obst {w[2]:.2f}",
              transform=ax.transAxes, fontsize=6, color="0.3")
    ax.set_xlim(mid[0] - half, mid[0] + half)
    ax.set_ylim(mid[1] - half, mid[1] + half)
    ax.set_aspect("equal")
    ax.tick_params(labelsize=6)
  handles, labels = axes[0][0].get_legend_handles_labels()
  fig.legend(handles, labels, loc="upper right", fontsize=7, ncol=len(labels))
  if title:
    fig.suptitle(title, fontsize=9, x=0.02, ha="left")
  fig.tight_layout(rect=(0, 0, 1, 1 - 0.45 / fig.get_figheight()))
  return fig


def png_bytes(fig) -> bytes:
  buf = io.BytesIO()
  fig.savefig(buf, format="png")
  return buf.getvalue()


# ------------------------------------------------------------------- brax --
def brax_html(env, states, mask_row) -> str:
  """HTML (``brax.io.html.render``) of one episode: ``states`` the physics
  states after each step (leaves [T, ...]), cut at the episode's end."""
  from brax.io import html
  length = max(_valid_length(mask_row), 1)
  frames = [jax.tree.map(lambda x: x[t], states) for t in range(length)]
  return html.render(env.brax_env.sys, frames)


# --------------------------------------------------------------- a run --
def render_seeds(trainer, learner_states, eval_keys, out_dir: str, epoch: int,
                 seeds: Sequence[int], seed_indices: Sequence[int], env_steps=None,
                 run_label: str = "", out_file: Optional[str] = None) -> List[str]:
  """Renders the evaluation of each seed in ``seed_indices`` (positions on the
  run state's seed axis; ``seeds`` are their seed numbers) into ``out_dir``
  (or ``out_file`` for a single seed). Returns the paths written."""
  what = kind(trainer)
  if what is None:
    raise extras.MissingExtraError(f"no picture is defined for {trainer.family.name}")
  if what == "png":
    extras.require("matplotlib", "render", "trajectory pictures")
    tasks = trainer.eval_tasks
    episodes = jax.jit(lambda ls, k: trainer.evaluation_episodes(ls, k))
  else:
    tasks = trainer.eval_tasks[:1]
    episodes = jax.jit(lambda ls, k: trainer.evaluation_episodes(ls, k, tasks,
                                                                 keep_states=True))
  paths = []
  for s in seed_indices:
    ls = jax.tree.map(lambda x: x[s], learner_states)
    out = jax.device_get(episodes(ls, eval_keys[s]))
    eps, rewards = out[0], np.asarray(out[1])
    if what == "png":
      returns = rewards.sum(axis=1)
      success = None
      if trainer.family.is_goal_family:
        last = np.maximum(np.asarray(eps.mask).sum(axis=1).astype(int) - 1, 0)
        feats = np.asarray(eps.features)[np.arange(last.shape[0]), last]
        success = np.asarray(trainer.family.success(feats, np.asarray(eps.task)))
      steps = f", {int(env_steps[s])} env steps" if env_steps is not None else ""
      title = (f"{run_label + ': ' if run_label else ''}{trainer.family.name}, "
               f"seed {seeds[s]}, epoch {epoch}{steps}; mean return {returns.mean():.2f}")
      fig = point_figure(trainer.family, np.asarray(eps.obs)[..., :2], eps.mask,
                         eps.task, returns, success, title)
      data = png_bytes(fig)
    else:
      first = jax.tree.map(lambda x: x[0], out[2])   # the first evaluation task
      data = brax_html(trainer.env, first, np.asarray(eps.mask)[0]).encode()
    path = out_file or os.path.join(out_dir, file_name(epoch, seeds[s], what))
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    atomic_write_bytes(path, data)
    paths.append(path)
  return paths
