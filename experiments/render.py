"""Draw a run's evaluation episodes from its latest checkpoint.

  python experiments/render.py --run=runs/point_reacher-sac-none-s0
  python experiments/render.py --run=runs/point_reacher-sac-none-s0 --out=fig.png
  python experiments/render.py --run=runs/ant_goal-sac-her-s0 --seed_index=-1

Point families: a PNG with one panel per evaluation task (the trajectory over
the task's goal, obstacle or target curve; needs the 'render' extra). Brax
families: an HTML rollout (brax.io.html) of the first evaluation task.
Files go to <run>/render/epoch_<E>-seed_<S>.<png|html> unless --out names a
file (one seed) or a directory.
"""

import os

from absl import app, flags

_RUN = flags.DEFINE_string("run", None, "A run directory (with config.json and a checkpoint).")
_OUT = flags.DEFINE_string("out", "", "Output file (.png/.html, one seed) or directory; "
                           "default <run>/render/.")
_SEED_INDEX = flags.DEFINE_integer("seed_index", 0, "Which of the run's seeds (0 = its first "
                                   "seed); -1 draws every seed.")


def main(argv):
  del argv
  from hindsight import render
  from hindsight.training.run import evaluation_keys
  from hindsight.training.restore import load_run
  run_dir = _RUN.value
  if not run_dir:
    raise app.UsageError("set --run=<run directory>")
  trainer, rs, epoch = load_run(run_dir)
  c = trainer.config
  n = int(c.num_seeds)
  if not -1 <= _SEED_INDEX.value < n:
    raise app.UsageError(f"--seed_index={_SEED_INDEX.value}: the run has {n} seed(s) "
                         f"(0..{n - 1}, or -1 for all)")
  indices = list(range(n)) if _SEED_INDEX.value == -1 else [_SEED_INDEX.value]
  ext = render.kind(trainer)
  out, out_file = _OUT.value, None
  if out.endswith((".png", ".html")):
    if len(indices) > 1:
      raise app.UsageError("--out names one file: choose one seed with --seed_index")
    if ext and not out.endswith("." + ext):
      raise app.UsageError(f"{trainer.family.name} is drawn as .{ext}, not {out}")
    out_file = out
  out_dir = out or os.path.join(run_dir, "render")
  import jax
  env_steps = jax.device_get(rs.env_steps)
  seeds = [int(c.seed) + i for i in range(n)]
  paths = render.render_seeds(trainer, rs.learner, evaluation_keys(c), out_dir,
                              epoch, seeds, indices, env_steps=env_steps,
                              run_label=os.path.basename(os.path.normpath(run_dir)),
                              out_file=out_file)
  for p in paths:
    print(f"wrote {p} (epoch {epoch})")


if __name__ == "__main__":
  from hindsight.cli import run_main
  run_main(main)
