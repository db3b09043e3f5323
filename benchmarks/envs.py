"""Brax task-family environments vs the plain Brax environment, side by side.

  python benchmarks/envs.py                      # every Brax family, its default backend
  python benchmarks/envs.py --families reacher_goal --backend generalized
  python benchmarks/envs.py --quick              # few steps (a smoke test)

For each family: a jitted ``lax.scan`` of ``--steps`` vmapped steps of
``--num_envs`` environments with uniform-random actions, once through the
family's ``BraxTaskEnv.step`` (physics + reward features + the episode's
reward + done/truncation bookkeeping) and once through the plain Brax
``Env.step`` of the same robot, backend and options (physics + Brax's own
reward and observation). Both run in the same process; their timed calls are
interleaved (plain, family, plain, family, …) so that load from other jobs
hits both alike, and the median call is reported (steps/s and their ratio),
with the ratio of the fastest calls beside it (less sensitive to bursts of
load from other jobs). Compile time is the
``jit(...).lower(...).compile()`` time of each scan. Plain Brax envs shared by
two families (Ant, Reacher) are measured once per options set.

The table is printed (markdown) and written to ``--out`` with machine info.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from typing import Dict, List

import jax

from _common import machine_info  # benchmarks/_common.py

from hindsight import envs, tasks

# Every Brax family, in the task registry's order.
FAMILIES = tuple(cls.name for cls in tasks.FAMILIES if cls.env_kind == "brax")


def scan_fn(reset, step, action_size, num_envs, steps):
  """(key) -> final state: reset num_envs envs, then ``steps`` random steps."""

  def run(key):
    k_reset, k_act = jax.random.split(key)
    state = jax.vmap(reset)(jax.random.split(k_reset, num_envs))

    def body(s, k):
      a = jax.random.uniform(k, (num_envs, action_size), minval=-1.0, maxval=1.0)
      s = jax.vmap(step)(s, a)
      return s, s.reward

    state, rewards = jax.lax.scan(body, state, jax.random.split(k_act, steps))
    return rewards.sum(), state.obs

  return run


def compile_timed(fn, key):
  t0 = time.perf_counter()
  compiled = jax.jit(fn).lower(key).compile()
  return compiled, time.perf_counter() - t0


def call_timed(compiled, key):
  t0 = time.perf_counter()
  jax.block_until_ready(compiled(key))
  return time.perf_counter() - t0


def bench(args) -> List[Dict]:
  rows, plain_cache = [], {}
  for name in args.families:
    options = {"backend": args.backend} if args.backend else {}
    env = envs.make(name, **options)
    fam = env.family
    brax_env = env.brax_env
    plain_key = (fam.brax_name, fam.backend, tuple(sorted(fam.brax_kwargs().items())))
    key = jax.random.PRNGKey(0)
    ours, c_ours = compile_timed(
        scan_fn(env.reset, env.step, env.action_size, args.num_envs, args.steps), key)
    if plain_key not in plain_cache:
      plain_cache[plain_key] = compile_timed(
          scan_fn(brax_env.reset, brax_env.step, brax_env.action_size, args.num_envs,
                  args.steps), key)
      plain_cache[plain_key] += (None,)
    plain, c_plain, _ = plain_cache[plain_key]
    call_timed(ours, key), call_timed(plain, key)  # warm
    t_ours, t_plain = [], []
    for r in range(args.reps):
      k = jax.random.PRNGKey(r + 1)
      t_plain.append(call_timed(plain, k))
      t_ours.append(call_timed(ours, k))
    n = args.num_envs * args.steps
    sps_ours, sps_plain = n / statistics.median(t_ours), n / statistics.median(t_plain)
    row = dict(family=name, robot=fam.brax_name, backend=fam.backend,
               obs=env.observation_size, act=env.action_size, features=fam.feature_dim,
               plain_sps=sps_plain, ours_sps=sps_ours, ratio=sps_ours / sps_plain,
               best_ratio=min(t_plain) / min(t_ours),
               compile_plain=c_plain, compile_ours=c_ours)
    rows.append(row)
    print(f"{name}: {sps_ours:,.0f} steps/s vs plain {sps_plain:,.0f} "
          f"({row['ratio']:.2f}x); compile {c_ours:.1f}s vs {c_plain:.1f}s", flush=True)
  return rows


def table(rows, args) -> str:
  lines = [
      "| family | Brax env | backend | obs / act / φ | plain Brax steps/s | family env "
      "steps/s | ratio (median) | ratio (best call) | compile plain (s) | compile family (s) |",
      "|---|---|---|---|---:|---:|---:|---:|---:|---:|",
  ]
  for r in rows:
    lines.append(
        f"| {r['family']} | {r['robot']} | {r['backend']} | {r['obs']} / {r['act']} / "
        f"{r['features']} | {r['plain_sps']:,.0f} | {r['ours_sps']:,.0f} | "
        f"{r['ratio']:.2f}× | {r['best_ratio']:.2f}× | {r['compile_plain']:.1f} | {r['compile_ours']:.1f} |")
  return "\n".join(lines)


def main(argv=None):
  p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
  p.add_argument("--families", nargs="+", default=list(FAMILIES), choices=FAMILIES)
  p.add_argument("--backend", default=None, help="override every family's backend")
  p.add_argument("--num_envs", type=int, default=64)
  p.add_argument("--steps", type=int, default=200, help="steps per timed call")
  p.add_argument("--reps", type=int, default=11, help="timed calls of each (interleaved)")
  p.add_argument("--quick", action="store_true", help="few steps and reps (smoke test)")
  p.add_argument("--out", default=None, help="markdown file to write (default: print only)")
  args = p.parse_args(argv)
  if args.quick:
    args.steps, args.reps, args.num_envs = 20, 2, 8
  info = machine_info(packages=("brax", "mujoco"))
  rows = bench(args)
  cmd = "python benchmarks/envs.py " + " ".join(sys.argv[1:] if argv is None else argv)
  md = "\n".join([
      "# Brax task-family environments vs plain Brax",
      "",
      f"`{cmd.strip()}` — {args.num_envs} vmapped envs, {args.steps} steps per jitted "
      f"`lax.scan` call (uniform-random actions, reset included once per call), median "
      f"of {args.reps} interleaved calls each (ratio: family / plain steps/s); compile = `jit.lower().compile()`.",
      "",
      *info,
      "",
      table(rows, args),
      "",
  ])
  print(md)
  if args.out:
    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    with open(args.out, "w") as f:
      f.write(md)
  return rows


if __name__ == "__main__":
  main()
