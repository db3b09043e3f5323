"""HIPI's relabeling cost per update, against the SAC update, and its FLOP/s.

  python benchmarks/hipi_cost.py
  python benchmarks/hipi_cost.py --reps 10

On the point_goal study cell ``hipi`` (``configs/point_goal.py``: SAC 256×256,
batch 256, candidates = the batch's achieved states) this times, in one
process and interleaved round-robin (median of ``--reps`` rounds, [min, max]
of per-round ratios):

- HIPI's ``relabel_with_info`` at the paper's candidate set (every
  transition against the whole batch: B × K = 256 × 256 pairs) and at the
  cpu study's (``hindsight/studies`` HIPI_OPTIONS: blocks of 16, B × 16
  pairs), each with the learner's pairwise networks (``learners/pairwise.py``:
  the observation and task halves of the first layer computed once per row
  and per candidate) and with the tiled [B·K] evaluation they replace;
- one jitted SAC update (``sac.update``) on a batch of the same buffer.

FLOPs are XLA's cost analysis of each compiled function; FLOP/s = FLOPs /
median time. The batch is sampled from the buffer of a real run state (the
warm-up episodes), the networks are the initial ones.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import time

import jax
import numpy as np

from _common import emit, machine_info, write_targets  # benchmarks/_common.py
import _cells

HERE = os.path.dirname(os.path.abspath(__file__))


def flops(compiled):
  cost = compiled.cost_analysis()
  cost = cost[0] if isinstance(cost, (list, tuple)) else cost
  return float(cost.get("flops", float("nan")))


def main(argv=None):
  p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
  p.add_argument("--family", default="point_goal")
  p.add_argument("--reps", type=int, default=7)
  p.add_argument("--out", default=os.path.join(HERE, "results", "hipi_cost.md"))
  args = p.parse_args(argv)
  command = " ".join(["python", "benchmarks/hipi_cost.py",
                      *(argv if argv is not None else sys.argv[1:])])
  t0 = time.time()
  log = lambda msg: print(f"[{time.time() - t0:7.1f}s] {msg}", file=sys.stderr, flush=True)
  info = machine_info()
  from hindsight import studies
  from hindsight import replay
  from hindsight.learners import sac
  from hindsight.training import Trainer

  c = _cells.cell_config(args.family, "hipi", num_seeds=1,
                         sets=["relabel.hipi.block_size=0", "train.warmup_episodes=64"])
  tr = Trainer(c)
  rs = jax.jit(tr.init)(jax.random.PRNGKey(0))
  b = tr.batch_size
  batch = replay.sample(rs.buffer, jax.random.PRNGKey(1), b)
  ctx = tr.context(rs.learner, rs.buffer)
  tiled = dataclasses.replace(ctx, fns={k: v for k, v in ctx.fns.items()
                                        if not k.endswith("_pairs")})
  block = int(studies.HIPI_OPTIONS["cpu"]["relabel.hipi.block_size"])
  paper = tr.relabeler
  study = dataclasses.replace(paper, block_size=block)
  key = jax.random.PRNGKey(2)
  fns = {}
  for name, hipi in ((f"paper: B × B = {b} × {b}", paper),
                     (f"cpu study: blocks of {block} (B × {block})", study)):
    for how, cx in (("pairwise", ctx), ("tiled", tiled)):
      f = jax.jit(lambda k, bt, cx=cx, h=hipi: h.relabel_with_info(k, bt, cx)[0])
      fns[(name, how)] = f.lower(key, batch).compile()
  transition = tr.transition(batch, batch.task)
  upd = jax.jit(sac.update).lower(rs.learner, transition, key).compile()
  fns[("SAC update", "")] = upd
  calls = {k: (lambda f=f: f(key, batch)) for k, f in fns.items() if k[0] != "SAC update"}
  calls[("SAC update", "")] = lambda: upd(rs.learner, transition, key)
  for f in calls.values():
    jax.block_until_ready(f())
  log(f"compiled {len(calls)} functions")
  times = {k: [] for k in calls}
  for _ in range(args.reps):
    for k, f in calls.items():
      t = time.perf_counter()
      jax.block_until_ready(f())
      times[k].append(time.perf_counter() - t)
  sac_t = np.asarray(times[("SAC update", "")])
  sac_fl = flops(upd)
  hs = "×".join(str(h) for h in c.learner.hidden_sizes)
  rows = ["| computation | GFLOP per call | ms per call (median) | GFLOP/s | "
          "FLOP/s vs SAC update | cost in SAC updates (median [min, max]) | "
          "pairwise speed-up vs tiled |", "|---|---:|---:|---:|---:|---:|---:|"]
  for k, f in fns.items():
    t = np.asarray(times[k])
    fl = flops(f)
    per_round = t / sac_t
    speed = ""
    if k[1] == "pairwise":
      r = np.asarray(times[(k[0], "tiled")]) / t
      speed = f"{np.median(r):.2f}× [{r.min():.2f}, {r.max():.2f}]"
    label = f"HIPI relabel, {k[0]}, {k[1]}" if k[1] else f"SAC update (batch {b}, {hs})"
    rows.append(f"| {label} | {fl / 1e9:.3f} | {1e3 * np.median(t):.2f} | "
                f"{fl / 1e9 / np.median(t):.1f} | {(fl / np.median(t)) / (sac_fl / np.median(sac_t)):.2f} "
                f"| {np.median(per_round):.2f} [{per_round.min():.2f}, {per_round.max():.2f}] | "
                f"{speed} |")
  def ratio(k):
    t = np.median(times[k])
    return (flops(fns[k]) / t) / (sac_fl / np.median(sac_t)), t / np.median(sac_t)
  paper_k = [k for k in fns if k[0].startswith("paper") and k[1] == "pairwise"][0]
  # The study's blocks run tiled (HIPI.relabel_with_info drops the pairwise
  # forms for blocks), so their cost is the tiled row's.
  study_k = [k for k in fns if k[0].startswith("cpu") and k[1] == "tiled"][0]
  fr, _ = ratio(paper_k)
  _, cost = ratio(study_k)
  verdicts = [
      f"- FLOP/s of HIPI's relabeling (paper candidates, pairwise) vs the SAC update's: "
      f"{fr:.2f} (target ≥ 0.5: {'met' if fr >= 0.5 else 'not met'}).",
      f"- relabeling at the cpu study's candidate set (blocks, tiled as the relabeler runs "
      f"them) costs {cost:.2f} SAC updates "
      f"(target ≤ 3: {'met' if cost <= 3 else 'not met'})."]
  lines = ["# HIPI's relabeling cost", "",
           f"Generated by `{command}`; do not edit by hand. {args.family} / hipi "
           f"(candidates {c.relabel.hipi.candidates!r}, SAC {hs}, batch {b}); see "
           "`benchmarks/hipi_cost.py`'s docstring.", "", *info, "", *rows, "", *verdicts, ""]
  emit("\n".join(lines), args.out, log)
  write_targets(args.out, [
      ("HIPI's relabeling ≥ 50 % of the SAC update's FLOP/s (paper candidates)",
       f"{100 * fr:.0f} %", bool(fr >= 0.5)),
      ("HIPI's relabeling at the study's candidate set ≤ 3 SAC updates",
       f"{cost:.2f} SAC updates", bool(cost <= 3))])


if __name__ == "__main__":
  main()
