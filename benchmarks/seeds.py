"""Seed layouts: 5 seeds vmapped vs 5 sequential runs vs the seed axis sharded.

  python benchmarks/seeds.py                       # 64×64 and 256×256, point_reacher
  python benchmarks/seeds.py --hidden 64,64 --reps 5

The study cell ``point_reacher / none`` (``hindsight/studies``, cpu scale)
with its networks replaced by ``--hidden`` sizes and its epoch cut to
``--iterations`` iterations (one iteration: one 20-step episode, then 100
updates). Three layouts of the same ``--seeds`` seeds' epoch, all compiled
first, then timed round-robin (``--reps`` rounds; per-round ratios against
the sequential layout, median [min, max]):

- sequential: the 1-seed program (``Trainer.jitted`` with num_seeds = 1)
  called once per seed;
- vmapped: the ``--seeds``-seed program on one device (``jax.vmap`` over the
  seed axis, ``train.shard_seeds=False``), what the studies run;
- sharded: the same vmapped program with the seed axis split over the host
  devices (``hindsight.training.run.seed_sharding``, ``train.shard_seeds``).

The process is started with ``--xla_force_host_platform_device_count=<devices>``
(``--devices``, default 2) so the sharded layout has devices to use; the other
two layouts run on device 0.
"""

from __future__ import annotations

import argparse
import os
import sys


def _set_devices(argv):
  n = 2
  for i, a in enumerate(argv):
    if a == "--devices" and i + 1 < len(argv):
      n = int(argv[i + 1])
    elif a.startswith("--devices="):
      n = int(a.split("=", 1)[1])
  flags = [f for f in os.environ.get("XLA_FLAGS", "").split()
           if not f.startswith("--xla_force_host_platform_device_count")]
  os.environ["XLA_FLAGS"] = " ".join(flags + [f"--xla_force_host_platform_device_count={n}"])


_set_devices(sys.argv[1:])

import time  # noqa: E402

import jax  # noqa: E402
import numpy as np  # noqa: E402

from _common import emit, machine_info, write_targets  # noqa: E402  benchmarks/_common.py
import _cells  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SCALE = {}   # layout -> factor its measured time is multiplied by


def compiled_epochs(c, n_states=1, sharding=None):
  """Callables, one per state, each running one epoch of ``c``'s jitted (and
  vmapped) program on its own run state; state ``i`` starts from seed
  ``c.seed + i · num_seeds`` (so 1-seed states are seeds 0, 1, … as in the
  vmapped program)."""
  import jax.numpy as jnp
  from hindsight.training import Trainer
  tr = Trainer(c)
  init, epoch, _ = tr.jitted()
  s = int(c.num_seeds)
  calls = []
  for j in range(n_states):
    keys = jnp.stack([jax.random.PRNGKey(int(c.seed) + j * s + i) for i in range(s)])
    if sharding is not None:
      keys = jax.device_put(keys, sharding)
    holder = {"s": init(keys)}
    holder["s"], _ = epoch(holder["s"])            # compile (once) + first epoch
    jax.block_until_ready(holder["s"])

    def call(h=holder):
      h["s"], _ = epoch(h["s"])
      return h["s"]
    calls.append(call)
  return calls


def measure(hidden, args, log):
  import importlib
  run_lib = importlib.import_module("hindsight.training.run")
  sets = [f"learner.hidden_sizes={tuple(hidden)}"]
  mk = lambda n, shard: _cells.cell_config("point_reacher", "none", num_seeds=n,
                                           sets=sets + [f"train.shard_seeds={shard}"],
                                           iterations=args.iterations)
  layouts = {}
  t = time.perf_counter()
  one = mk(1, False)
  seq_fns = compiled_epochs(one, args.seeds)
  layouts["sequential"] = lambda: [f() for f in seq_fns]
  layouts["vmapped"] = compiled_epochs(mk(args.seeds, False))[0]
  # train.shard_seeds needs num_seeds to be a multiple of the devices: the
  # sharded layout trains the next multiple and its time is scaled by
  # seeds / that multiple (stated in the table).
  nd = len(jax.local_devices())
  n_shard = -(-args.seeds // nd) * nd
  scale = args.seeds / n_shard
  cs = mk(n_shard, True)
  sharding = run_lib.seed_sharding(cs)
  if sharding is not None:
    fn = compiled_epochs(cs, 1, sharding)[0]
    name = "sharded" if n_shard == args.seeds else f"sharded ({n_shard} seeds, time × {scale:.3g})"
    layouts[name] = fn
    SCALE[name] = scale
  log(f"  {'×'.join(map(str, hidden))}: compiled {', '.join(layouts)} in "
      f"{time.perf_counter() - t:.0f}s")
  times = {k: [] for k in layouts}
  for _ in range(args.reps):
    for k, fn in layouts.items():
      t = time.perf_counter()
      jax.block_until_ready(fn())
      times[k].append((time.perf_counter() - t) * SCALE.get(k, 1.0))
  return one, times


def main(argv=None):
  p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
  p.add_argument("--hidden", nargs="+", default=["64,64", "256,256"])
  p.add_argument("--seeds", type=int, default=5)
  p.add_argument("--iterations", type=int, default=2)
  p.add_argument("--reps", type=int, default=3)
  p.add_argument("--devices", type=int, default=2)
  p.add_argument("--out", default=os.path.join(HERE, "results", "seeds.md"))
  args = p.parse_args(argv)
  command = " ".join(["python", "benchmarks/seeds.py",
                      *(argv if argv is not None else sys.argv[1:])])
  t0 = time.time()
  log = lambda msg: print(f"[{time.time() - t0:7.1f}s] {msg}", file=sys.stderr, flush=True)
  info = machine_info()
  rows = ["| networks | layout | s per epoch of all seeds (median) | env steps / s | "
          "vs sequential (median [min, max] of per-round ratios) |",
          "|---|---|---:|---:|---:|"]
  verdicts, targets = [], []
  for h in args.hidden:
    hidden = [int(x) for x in h.split(",")]
    c, times = measure(hidden, args, log)
    seq0 = np.asarray(times["sequential"])
    meds = {k: float(np.median(seq0 / np.asarray(v))) for k, v in times.items()
            if k != "sequential"}
    best = max(meds, key=meds.get)
    need = 2.0 if max(hidden) <= 64 else 1.0
    verdicts.append(f"- {'×'.join(map(str, hidden))}: fastest layout **{best}** "
                    f"({meds[best]:.2f}× sequential); target ≥ {need:g}× for seeds trained "
                    f"together: {'met' if meds[best] >= need else 'not met'} "
                    f"({', '.join(f'{k} {v:.2f}×' for k, v in meds.items())}).")
    targets.append((f"{args.seeds} seeds trained together ≥ {need:g}× the throughput of "
                    f"{args.seeds} sequential runs at {'×'.join(map(str, hidden))}",
                    f"{meds[best]:.2f}× ({best})", bool(meds[best] >= need)))
    steps = args.seeds * int(c.train.num_envs) * 20 * int(c.train.iterations_per_epoch)
    seq = np.asarray(times["sequential"])
    for k, v in times.items():
      v = np.asarray(v)
      r = seq / v
      rows.append(f"| {'×'.join(map(str, hidden))} | {k} | {np.median(v):.2f} | "
                  f"{steps / np.median(v):.0f} | {np.median(r):.2f}× [{r.min():.2f}, "
                  f"{r.max():.2f}] |")
    log(rows[-1])
  lines = [
      "# Seeds: vmapped vs sequential vs sharded", "",
      f"Generated by `{command}`; do not edit by hand. Settings: `benchmarks/seeds.py`'s "
      f"docstring; {args.seeds} seeds, point_reacher / none (batch 256, 5 updates per env "
      f"step), epochs of {args.iterations} iterations, {args.reps} rounds, "
      f"{len(jax.devices())} host devices.", "", *info, "", *rows, "", *verdicts, ""]
  emit("\n".join(lines), args.out, log)
  write_targets(args.out, targets)


if __name__ == "__main__":
  main()
