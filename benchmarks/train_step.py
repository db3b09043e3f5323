"""Whole training steps: relabelers vs none, vmapped seeds vs sequential, and
the SAC update's FLOP/s vs a plain matmul. Writes BENCHMARKS.md.

  python benchmarks/train_step.py              # full (≈15 min on 2 CPU cores)
  python benchmarks/train_step.py --quick      # small networks and few reps (smoke test)

1. Training throughput per relabeler. The family's config as it is
   (``configs/point_reacher.py``: SAC 256×256, batch 256, 8 envs, one update
   per env step), ``relabel.name`` switched; one seed. Each relabeler's jitted
   epoch (``--iterations`` iterations of collect → add → updates) is compiled
   first, then timed calls of all relabelers are interleaved round-robin, so
   load from other jobs hits all alike. Env steps per second of training
   (collection + relabeling + updates) and the ratio to ``none``.
2. Seeds. The same epoch (``none``) with 8 seeds in one vmapped program vs
   the 1-seed program called 8 times in a row: the time for 8 seeds' worth of
   training, steady state (compilation excluded from both).
3. SAC update FLOP/s. FLOPs of one jitted update from XLA's cost analysis,
   divided by its median time; beside it, a plain ``[256, 256] @ [256, 256]``
   matmul (the size of one hidden layer on one batch) and a large
   ``[2048, 2048] @ [2048, 2048]`` matmul (about the machine's peak) timed
   in the same run.
4. The relabeling table (``benchmarks/relabel.py``) and the environment table
   (``benchmarks/envs.py``) are included from ``benchmarks/results/`` as they
   were last generated, with their own machine lines.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import jax
import jax.numpy as jnp
import numpy as np

from _common import machine_info, median_time, read_targets  # benchmarks/_common.py

from hindsight import schema
from hindsight import config as config_lib
from hindsight.learners import sac
from hindsight.training import Trainer

point_reacher = schema.load_module("configs/point_reacher.py")

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
RELABELERS = ("none", "random", "her", "advantage", "air", "hipi")


def make_config(relabeler, num_seeds, iterations, quick):
  c = point_reacher.get_config()
  c.relabel.name = relabeler
  c.num_seeds = num_seeds
  c.train.iterations_per_epoch = iterations
  c.train.shard_seeds = False
  if quick:
    c.learner.hidden_sizes = (32, 32)
    c.train.update(dict(batch_size=32, num_envs=8, updates_per_env_step=0.05,
                        warmup_episodes=8, buffer_transitions=0, buffer_episodes=64))
    c.relabel.air.update(dict(num_candidates=8, cache_size=16))
    c.relabel.advantage.num_candidates = 8
  return config_lib.validate(c)


class EpochTimer:
  """A compiled epoch of one config, callable repeatedly (state carried)."""

  def __init__(self, c):
    self.trainer = Trainer(c)
    init, self.epoch, _ = self.trainer.jitted()
    self.state = init(self.trainer.seed_keys())
    t = time.perf_counter()
    self.state, _ = self.epoch(self.state)           # compile + first call
    jax.block_until_ready(self.state)
    self.compile_s = time.perf_counter() - t
    self.env_steps = self.trainer.steps_per_epoch
    self.updates = self.trainer.updates_per_iteration * int(c.train.iterations_per_epoch)

  def __call__(self):
    self.state, _ = self.epoch(self.state)
    return self.state


def interleaved(timers, reps):
  """{name: median seconds per call}, calls interleaved round-robin."""
  times = {k: [] for k in timers}
  for _ in range(reps):
    for k, fn in timers.items():
      t = time.perf_counter()
      jax.block_until_ready(fn())
      times[k].append(time.perf_counter() - t)
  return {k: float(np.median(v)) for k, v in times.items()}


def sac_flops(c, reps):
  """(GFLOP per update, seconds per update) of one jitted SAC update."""
  tr = Trainer(c)
  spec = tr.spec
  state = sac.init(jax.random.PRNGKey(0), spec, schema.learner_config(c))
  b = int(c.train.batch_size)
  rng = np.random.default_rng(0)
  f = lambda *s: jnp.asarray(rng.normal(size=s), jnp.float32)
  batch = sac.Transition(obs=f(b, spec.obs_size), task=f(b, spec.task_dim),
                         action=jnp.clip(f(b, spec.action_size), -1, 1), reward=f(b),
                         next_obs=f(b, spec.obs_size), discount=jnp.ones((b,)))
  key = jax.random.PRNGKey(1)
  update = jax.jit(sac.update)
  compiled = update.lower(state, batch, key).compile()
  cost = compiled.cost_analysis()
  cost = cost[0] if isinstance(cost, (list, tuple)) else cost
  flops = float(cost.get("flops", float("nan")))
  jax.block_until_ready(compiled(state, batch, key))
  secs = median_time(lambda: compiled(state, batch, key), reps)
  return flops / 1e9, secs


def matmul_flops(n, reps):
  """(GFLOP, seconds) of an [n, n] @ [n, n] float32 matmul."""
  x = jnp.asarray(np.random.default_rng(0).normal(size=(n, n)), jnp.float32)
  mm = jax.jit(lambda a, b: a @ b).lower(x, x).compile()
  jax.block_until_ready(mm(x, x))
  return 2.0 * n ** 3 / 1e9, median_time(lambda: mm(x, x), reps)


# The benchmarks whose tables carry targets (``<table>.targets.json`` beside
# each, written by the script), in the order of the summary.
TARGET_TABLES = ("brax_sac", "epoch_anatomy", "seeds", "hipi_cost", "relabel", "her_replay")


def _met(met) -> str:
  return "—" if met is None else ("**met**" if met else "not met")


def study_wall_time():
  """{'-v1': the first generation, '': the current runs} → (hours of training
  wall time of the cpu studies' finished cells, cells finished, cells in the
  studies), from the studies' manifests."""
  import json
  from hindsight import studies
  out = {}
  for suffix in ("-v1", ""):
    hours, done, total = 0.0, 0, 0
    for name in ("generalized_hindsight", "hipi"):
      path = os.path.join(ROOT, "results", "reproduction", f"{name}-cpu{suffix}", "manifest.json")
      pts = []
      if os.path.exists(path):
        with open(path) as f:
          pts = [q for q in json.load(f)["points"] if q.get("status") == "done"]
      hours += sum(float(q.get("wall_s") or 0.0) for q in pts) / 3600
      done += len(pts)
      total += len(pts) if suffix else len(studies.get_config(name, "cpu").cells)
    out[suffix] = (hours, done, total)
  return out


def targets_section():
  """BENCHMARKS.md's summary: every target of the throughput work, its
  measured value and whether it is met, from the tables' targets files."""
  rows = ["| target | measured | | table |", "|---|---|---|---|"]
  for name in TARGET_TABLES:
    table = os.path.join(HERE, "results", f"{name}.md")
    found = read_targets(table)
    if not found:
      rows.append(f"| (`benchmarks/{name}.py`: no targets file yet) | — | — | "
                  f"`{os.path.relpath(table, ROOT)}` |")
    for target, measured, met in found:
      rows.append(f"| {target} | {measured} | {_met(met)} | `{os.path.relpath(table, ROOT)}` |")
  wall = study_wall_time()
  (h1, n1, _), (h, n, total) = wall["-v1"], wall[""]
  complete = n == total and n > 0
  rows.append(
      f"| the cpu studies' training wall time ≤ half the first generation's "
      f"({h1:.1f} h, {n1} cells: ≤ {h1 / 2:.1f} h) | {h:.1f} h over {n} of {total} cells "
      f"(the faithful setup's budgets, larger than the first generation's) | "
      f"{_met(h <= h1 / 2) if complete else '— (studies unfinished)'} | "
      "`results/reproduction/*/manifest.json` |")
  return ["## Targets", "",
          "Each target of the throughput work as a ratio measured on this machine, from the "
          "sections below (each table's `.targets.json`, written with it).", "", *rows, ""]


def include(path, title):
  if not os.path.exists(path):
    return [f"## {title}", "", f"`{os.path.relpath(path, ROOT)}` has not been generated yet.", ""]
  with open(path) as f:
    text = f.read().strip().splitlines()
  # demote the included file's headings by one level
  body = [("#" + line) if line.startswith("#") else line for line in text]
  return [f"## {title}", "", f"(from `{os.path.relpath(path, ROOT)}`)", "", *body, ""]


def main(argv=None):
  p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
  p.add_argument("--quick", action="store_true", help="small networks, few reps (smoke test)")
  p.add_argument("--iterations", type=int, default=3, help="iterations per timed epoch")
  p.add_argument("--reps", type=int, default=5, help="timed epochs per relabeler")
  p.add_argument("--relabelers", nargs="+", default=list(RELABELERS))
  p.add_argument("--seeds", type=int, default=8)
  p.add_argument("--out", default=None, help="default BENCHMARKS.md (none with --quick)")
  args = p.parse_args(argv)
  if args.quick:
    args.iterations, args.reps = 1, 2
  out = args.out or (None if args.quick else os.path.join(ROOT, "BENCHMARKS.md"))
  command = " ".join(["python", "benchmarks/train_step.py",
                      *(argv if argv is not None else sys.argv[1:])])
  t0 = time.time()
  log = lambda msg: print(f"[{time.time() - t0:6.1f}s] {msg}", file=sys.stderr, flush=True)
  info = machine_info()

  # 1. relabelers
  timers = {}
  for r in args.relabelers:
    timers[r] = EpochTimer(make_config(r, 1, args.iterations, args.quick))
    log(f"compiled {r}: {timers[r].compile_s:.1f}s")
  secs = interleaved(timers, args.reps)
  c0 = make_config("none", 1, args.iterations, args.quick)
  base = timers["none"].env_steps / secs["none"] if "none" in secs else float("nan")
  rows1 = ["| relabeler | compile (s) | s / epoch | env steps / s | updates / s | vs none |",
           "|---|---:|---:|---:|---:|---:|"]
  for r, t in timers.items():
    sps = t.env_steps / secs[r]
    rows1.append(f"| {r} | {t.compile_s:.1f} | {secs[r]:.2f} | {sps:.0f} | "
                 f"{t.updates / secs[r]:.0f} | {sps / base:.2f}× |")
  log("relabelers done")
  del timers

  # 2. seeds
  one = EpochTimer(make_config("none", 1, args.iterations, args.quick))
  many = EpochTimer(make_config("none", args.seeds, args.iterations, args.quick))
  seq_s, vm_s = [], []
  for _ in range(args.reps):
    t = time.perf_counter()
    for _ in range(args.seeds):
      jax.block_until_ready(one())
    seq_s.append(time.perf_counter() - t)
    t = time.perf_counter()
    jax.block_until_ready(many())
    vm_s.append(time.perf_counter() - t)
  seq, vm = float(np.median(seq_s)), float(np.median(vm_s))
  steps = args.seeds * one.env_steps
  rows2 = [f"| | s for {args.seeds} seeds' epoch | env steps / s (all seeds) | speed-up |",
           "|---|---:|---:|---:|"]
  rows2.append(f"| {args.seeds} sequential 1-seed epochs | {seq:.2f} | {steps / seq:.0f} | 1.00× |")
  rows2.append(f"| one vmapped {args.seeds}-seed epoch | {vm:.2f} | {steps / vm:.0f} | "
               f"{seq / vm:.2f}× |")
  log("seeds done")
  del one, many

  # 3. FLOP/s
  gf, s_upd = sac_flops(c0, max(10, 4 * args.reps))
  rows3 = ["| computation | GFLOP per call | ms per call | GFLOP/s | vs large matmul |",
           "|---|---:|---:|---:|---:|"]
  mm_small = matmul_flops(256, 50)
  mm_big = matmul_flops(2048, 5)
  peak = mm_big[0] / mm_big[1]
  hs = "×".join(str(h) for h in c0.learner.hidden_sizes)
  for name, (g, s) in ((f"SAC update (batch {c0.train.batch_size}, {hs})", (gf, s_upd)),
                       ("matmul 256×256 @ 256×256", mm_small),
                       ("matmul 2048×2048 @ 2048×2048", mm_big)):
    rows3.append(f"| {name} | {g:.4f} | {1e3 * s:.3f} | {g / s:.1f} | {g / s / peak:.2f} |")
  log("flops done")

  lines = [
      "# Benchmarks" + (" (--quick)" if args.quick else ""), "",
      f"Generated by `{command}`; do not edit by hand. Timings are medians of "
      "interleaved calls after compilation; ratios compare rows measured in the "
      "same run. Every table below is regenerated, each benchmark in its own process "
      "and then this file, by `python benchmarks/regenerate.py` (run it on an idle "
      "machine; the included tables keep their own machine lines).", "", "Machine:", *info, "",
      *targets_section(),
      "## Training throughput per relabeler", "",
      f"`configs/point_reacher.py` as it is (SAC {hs}, batch {c0.train.batch_size}, "
      f"{c0.train.num_envs} envs × H = {config_lib.make_family(c0).horizon}, "
      f"{config_lib.updates_per_iteration(c0, config_lib.make_family(c0).horizon)} "
      f"updates per iteration), one seed; an epoch is {args.iterations} iterations of "
      "collect → add → relabel-and-update, timed "
      f"{args.reps}× per relabeler, round-robin.", "", *rows1, "",
      "## Seeds: vmapped vs sequential", "",
      f"`none`, the same settings. Steady-state time of {args.seeds} seeds' epochs.", "",
      *rows2, "",
      "## SAC update FLOP/s vs a plain matmul", "",
      "FLOPs from XLA's cost analysis of the compiled update (forward and backward "
      "of critic and actor, temperature, Polyak; optimizer arithmetic included).", "",
      *rows3, "",
      *include(os.path.join(HERE, "results", "epoch_anatomy.md"),
               "Epoch anatomy (benchmarks/epoch_anatomy.py)"),
      *include(os.path.join(HERE, "results", "brax_sac.md"),
               "Against Brax's own SAC trainer (benchmarks/brax_sac.py)"),
      *include(os.path.join(HERE, "results", "seeds.md"),
               "Seed layouts (benchmarks/seeds.py)"),
      *include(os.path.join(HERE, "results", "hipi_cost.md"),
               "HIPI's relabeling cost (benchmarks/hipi_cost.py)"),
      *include(os.path.join(HERE, "results", "relabel.md"), "Relabeling (benchmarks/relabel.py)"),
      *include(os.path.join(HERE, "results", "her_replay.md"),
               "HER replay against cpprb (benchmarks/her_replay.py)"),
      # benchmarks/envs.py --out results/brax_envs.md (as the README documents)
      *include(os.path.join(ROOT, "results", "brax_envs.md"), "Environments (benchmarks/envs.py)"),
  ]
  text = "\n".join(lines) + "\n"
  print(text)
  if out:
    from hindsight.io import files
    files.atomic_write_text(out, text)
    log(f"wrote {out}")


if __name__ == "__main__":
  main()
