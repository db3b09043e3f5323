"""Regenerates every benchmark table and BENCHMARKS.md in one command.

  python benchmarks/regenerate.py                 # all of them (hours on 2 CPU cores)
  python benchmarks/regenerate.py --only seeds,brax_sac
  python benchmarks/regenerate.py --skip epoch_anatomy --dry_run

Runs each script below in turn, in its own process (so each gets the machine
alone and its own XLA flags), each writing its table to
``benchmarks/results/``; then ``benchmarks/train_step.py``, which measures
its own sections and assembles BENCHMARKS.md from all the tables. Run it on
an otherwise idle machine: every ratio is measured side by side within one
script, but a loaded machine widens the spreads. Extra arguments for one
script: ``--args NAME='--reps 5'`` (repeatable).
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# name -> argv after the script (each writes benchmarks/results/<name>.md,
# except envs, which README documents as writing results/brax_envs.md)
STEPS = {
    "relabel": ["benchmarks/relabel.py", "--numpy_fraction", "1.0"],
    "envs": ["benchmarks/envs.py", "--out", "results/brax_envs.md"],
    "hipi_cost": ["benchmarks/hipi_cost.py"],
    "seeds": ["benchmarks/seeds.py"],
    "brax_sac": ["benchmarks/brax_sac.py"],
    "epoch_anatomy": ["benchmarks/epoch_anatomy.py"],
    "her_replay": ["benchmarks/her_replay.py", "--out", "benchmarks/results/her_replay.md"],
    "train_step": ["benchmarks/train_step.py", "--iterations", "1", "--reps", "3"],
}


def main(argv=None):
  p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
  p.add_argument("--only", default="", help=f"comma-separated subset of {', '.join(STEPS)}")
  p.add_argument("--skip", default="")
  p.add_argument("--args", action="append", default=[],
                 help="NAME='extra arguments' for one script")
  p.add_argument("--dry_run", action="store_true")
  args = p.parse_args(argv)
  only = [s for s in args.only.split(",") if s]
  skip = {s for s in args.skip.split(",") if s}
  unknown = [s for s in [*only, *skip] if s not in STEPS]
  extra = {}
  for item in args.args:
    name, _, rest = item.partition("=")
    if name not in STEPS:
      unknown.append(name)
    extra[name] = shlex.split(rest)
  if unknown:
    raise SystemExit(f"unknown benchmark(s) {', '.join(unknown)}; known: {', '.join(STEPS)}")
  names = [n for n in (only or STEPS) if n not in skip]
  env = dict(os.environ)
  env["PYTHONPATH"] = os.pathsep.join([ROOT, HERE] + [x for x in
                                                      [env.get("PYTHONPATH", "")] if x])
  failed = []
  for name in names:
    cmd = [sys.executable, *STEPS[name], *extra.get(name, [])]
    print(f"== {name}: {' '.join(cmd)}", file=sys.stderr, flush=True)
    if args.dry_run:
      continue
    t = time.time()
    rc = subprocess.call(cmd, cwd=ROOT, env=env)
    print(f"== {name}: exit {rc} after {time.time() - t:.0f}s", file=sys.stderr, flush=True)
    if rc:
      failed.append(name)
  if failed:
    raise SystemExit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
  main()
