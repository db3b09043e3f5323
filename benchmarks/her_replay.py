"""The jitted episode buffer + HER relabeling vs cpprb's HindsightReplayBuffer.

  python benchmarks/her_replay.py            # bit flipping, n = 16, 10⁶ transitions
  python benchmarks/her_replay.py --quick    # small sizes (a smoke test)

Both sides store bit-flipping episodes (n bits, episodes of n steps, goal =
bits) in a buffer of ``--capacity`` transitions, with HER's ``future``
strategy and 4 additional goals per transition (relabel fraction 4/5, as
cpprb's ``additional_goals=4``), prioritized replay off and on, and report
side by side:

- **episode adds / s**: this project's ``replay.add`` writes a batch of
  ``--add_batch`` episodes per call (the training loop adds ``num_envs`` at
  once), ``--scan`` calls in one jitted ``lax.scan`` as the training loop runs
  them (buffer updated in place); cpprb adds one episode per ``add`` call and relabels it in
  ``on_episode_end`` (its HER relabels at insertion, storing 1 + 4 copies of
  each transition). With prioritized replay the project also writes the new
  episodes' priorities (``prioritized.on_add``).
- **samples / s** of ``--batch`` transitions: the project samples and relabels
  every batch (``replay.sample`` → ``HER(future)`` with 4/5 of the batch given
  the achieved goal → ``family.reward`` recomputed), ``--scan`` batches per
  jitted scan; with prioritized replay it samples by priority (descending a
  sum tree) and writes the batch's new priorities. cpprb samples its
  pre-relabeled copies; with ``prioritized`` it also gets ``update_priorities``.

cpprb is a benchmark-only dependency, in its own virtual environment
(``--cpprb_python``, default /work/venvs/cpprb/bin/python: ``python -m venv
/work/venvs/cpprb && /work/venvs/cpprb/bin/pip install cpprb numpy``); its side
runs there as a subprocess of this script (``--worker``), so one run gives the
table. Timings are medians of ``--reps`` repetitions after compilation
(``block_until_ready``); both buffers are first filled to ``--fill`` episodes.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

ADDITIONAL_GOALS = 4


def _timed(fn, reps):
  out = []
  for _ in range(reps):
    t0 = time.perf_counter()
    fn()
    out.append(time.perf_counter() - t0)
  return statistics.median(out)


def _episodes_np(rng, count, n):
  """``count`` random-policy bit-flipping episodes of n steps (no early end):
  obs f32[count, n + 1, n], act i32[count, n], goal f32[count, n]."""
  start = rng.integers(0, 2, (count, n)).astype(np.float32)
  goal = rng.integers(0, 2, (count, n)).astype(np.float32)
  act = rng.integers(0, n, (count, n)).astype(np.int32)
  obs = np.empty((count, n + 1, n), np.float32)
  obs[:, 0] = start
  for t in range(n):
    nxt = obs[:, t].copy()
    nxt[np.arange(count), act[:, t]] = 1.0 - nxt[np.arange(count), act[:, t]]
    obs[:, t + 1] = nxt
  return obs, act, goal


# ------------------------------------------------------------------- cpprb --

def worker(args) -> dict:
  """cpprb's side; runs in the cpprb virtual environment (numpy + cpprb only)."""
  import cpprb
  n, rng = args.n, np.random.default_rng(0)

  def reward_func(s, a, g):
    return -(np.any(s != g, axis=-1)).astype(np.float32)  # −[s′ ≠ g] on next_obs

  from importlib import metadata
  out = {"cpprb_version": metadata.version("cpprb")}
  for prioritized in (False, True):
    env_dict = {"obs": {"shape": n}, "act": {"dtype": np.int32}, "next_obs": {"shape": n}}
    rb = cpprb.HindsightReplayBuffer(
        args.capacity, env_dict, max_episode_len=n, reward_func=reward_func,
        goal_shape=n, state="obs", action="act", next_state="next_obs",
        strategy="future", additional_goals=ADDITIONAL_GOALS, prioritized=prioritized)
    obs, act, goal = _episodes_np(rng, args.fill + args.reps * args.add_batch, n)
    for i in range(args.fill):
      rb.add(obs=obs[i, :-1], act=act[i], next_obs=obs[i, 1:])
      rb.on_episode_end(goal[i])
    cursor = [args.fill]

    def add_batch():
      for _ in range(args.add_batch):
        i = cursor[0]
        rb.add(obs=obs[i, :-1], act=act[i], next_obs=obs[i, 1:])
        rb.on_episode_end(goal[i])
        cursor[0] += 1

    t_add = _timed(add_batch, args.reps) / args.add_batch

    def sample():
      s = rb.sample(args.batch)
      if prioritized:
        rb.update_priorities(s["indexes"], rng.random(args.batch) + 1e-3)

    sample()
    t_sample = _timed(sample, args.reps)
    key = "prioritized" if prioritized else "uniform"
    out[key] = {"add_s_per_episode": t_add, "sample_s": t_sample,
                "stored_transitions": int(rb.get_stored_size())}
  return out


# ------------------------------------------------------------- the project --

def project(args) -> dict:
  import jax
  import jax.numpy as jnp
  from hindsight import replay
  from hindsight.relabel import HER, RelabelContext, mix_tasks
  from hindsight.replay import prioritized as P
  from hindsight.tasks import BitFlip

  n = args.n
  fam = BitFlip(n=n, terminate_on_success=False)
  spec = replay.EpisodeSpec(obs_size=n, action_size=1, feature_dim=n, task_dim=n,
                            horizon=n, num_actions=n)
  cap = -(-args.capacity // n)
  rng = np.random.default_rng(0)
  obs, act, goal = _episodes_np(rng, args.fill + args.scan * args.add_batch, n)

  def episodes(sl):
    m = obs[sl].shape[0]
    return replay.Episodes(obs=jnp.asarray(obs[sl]), action=jnp.asarray(act[sl])[..., None],
                           features=jnp.asarray(obs[sl, 1:]), mask=jnp.ones((m, n)),
                           terminal=jnp.zeros((m, n)), task=jnp.asarray(goal[sl]))

  her = HER(strategy="future")
  ctx = RelabelContext(family=fam, gamma=0.98)
  fraction = ADDITIONAL_GOALS / (1 + ADDITIONAL_GOALS)
  pcfg = P.PrioritizedConfig(beta_updates=10_000)

  def add(buf, pr, eps):
    if pr is not None:
      pr = P.on_add(pr, buf.insert_pos, jnp.sum(eps.mask > 0, axis=1).astype(jnp.int32),
                    pcfg)
    return replay.add(buf, eps), pr

  def relabeled(batch, key):
    k_r, k_m = jax.random.split(key)
    task, _ = mix_tasks(k_m, batch.task, her(k_r, batch, ctx), fraction)
    return fam.reward(batch.features, batch.action, task), task

  def sample_uniform(buf, key, table):
    batch = replay.sample(buf, key, args.batch, table=table)
    return relabeled(batch, key)

  def sample_prioritized(buf, pr, key):
    k_s, k_r, k_p = jax.random.split(key, 3)
    pr, batch, w = P.sample(pr, buf, k_s, args.batch, pcfg)
    reward, task = relabeled(batch, k_r)
    td = jax.random.uniform(k_p, (args.batch,))  # stands in for the learner's |δ|
    return P.update(pr, batch.episode, batch.t, td, pcfg), (reward, task, w)

  # As in the training loop: --scan calls inside one jitted lax.scan (the
  # buffer and priorities updated in place), timed per call.
  @functools.partial(jax.jit, donate_argnums=(0, 1))
  def add_scan(buf, pr, stacked):
    def body(carry, eps):
      return add(*carry, eps), None
    return jax.lax.scan(body, (buf, pr), stacked)[0]

  @jax.jit
  def sample_scan(buf, pr, key):
    keys = jax.random.split(key, args.scan)
    if pr is None:
      # the sampling table once per call, as the training loop computes it
      # once per iteration (the buffer is fixed during its updates)
      table = replay.transition_table(buf)
      return jax.lax.map(lambda k: sample_uniform(buf, k, table)[0], keys)
    def body(p, k):
      p, out = sample_prioritized(buf, p, k)
      return p, out[0]
    return jax.lax.scan(body, pr, keys)

  fill = jax.jit(add, donate_argnums=(0, 1))
  out = {"capacity_episodes": cap}
  for prioritized in (False, True):
    # Distinct arrays per leaf (init shares its zero counters), so they can be donated.
    buf = jax.tree.map(jnp.copy, replay.init(spec, cap))
    pr = jax.tree.map(jnp.copy, P.init(cap, n, args.batch)) if prioritized else None
    chunk = 1000
    for i in range(0, args.fill, chunk):
      buf, pr = fill(buf, pr, episodes(slice(i, min(i + chunk, args.fill))))
    stacked = jax.tree.map(lambda x: x.reshape(args.scan, args.add_batch, *x.shape[1:]),
                           episodes(slice(args.fill, args.fill + args.scan * args.add_batch)))
    state = [buf, pr]

    def add_once():
      state[0], state[1] = jax.block_until_ready(add_scan(state[0], state[1], stacked))

    add_once()  # compile
    t_add = _timed(add_once, args.reps) / (args.scan * args.add_batch)
    buf, pr = state
    keys = iter(jax.random.split(jax.random.PRNGKey(1), args.reps + 1))

    def sample():
      jax.block_until_ready(sample_scan(buf, pr, next(keys)))

    sample()
    t_sample = _timed(sample, args.reps) / args.scan
    out["prioritized" if prioritized else "uniform"] = {
        "add_s_per_episode": t_add, "sample_s": t_sample,
        "stored_transitions": int(jnp.sum(buf.length))}
  return out


def add_and_sample_ratios(args, ours, theirs) -> dict:
  """cpprb's time over the project's for one episode added plus n batches
  sampled (one update per env step at batch size ``batch``), per layout."""
  out = {}
  for key in ("uniform", "prioritized"):
    o, t = ours[key], theirs[key]
    out[key] = (t["add_s_per_episode"] + args.n * t["sample_s"]) / (
        o["add_s_per_episode"] + args.n * o["sample_s"])
  return out


def table(args, ours, theirs) -> str:
  lines = [
      f"Bit flipping, n = {args.n} (episodes of {args.n} steps), buffer of {args.capacity:,} "
      f"transitions filled with {args.fill:,} random-policy episodes; HER `future` with "
      f"{ADDITIONAL_GOALS} additional goals; batches of {args.batch}; project adds "
      f"{args.add_batch} episodes per call, cpprb one (cpprb {theirs['cpprb_version']}).", "",
      "| prioritized | episode adds / s (project) | (cpprb) | ratio | "
      f"{args.batch}-samples / s (project) | (cpprb) | ratio | add + sample ratio |",
      "|---|---:|---:|---:|---:|---:|---:|---:|"]
  for key in ("uniform", "prioritized"):
    o, t = ours[key], theirs[key]
    add_o, add_t = 1 / o["add_s_per_episode"], 1 / t["add_s_per_episode"]
    s_o, s_t = 1 / o["sample_s"], 1 / t["sample_s"]
    both = add_and_sample_ratios(args, ours, theirs)[key]
    lines.append(f"| {'on' if key == 'prioritized' else 'off'} | {add_o:,.0f} | {add_t:,.0f} | "
                 f"{add_o / add_t:.1f}× | {s_o:,.0f} | {s_t:,.0f} | {s_o / s_t:.1f}× | "
                 f"{both:.1f}× |")
  lines += ["", "cpprb stores each transition with its 4 relabeled copies "
            f"({theirs['uniform']['stored_transitions']:,} stored), the project each once "
            f"({ours['uniform']['stored_transitions']:,}) and relabels when sampling. "
            "'add + sample' is the time of one episode added plus n batches sampled (one "
            "update per env step), cpprb's over the project's."]
  return "\n".join(lines)


def main():
  p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
  p.add_argument("--n", type=int, default=16)
  p.add_argument("--capacity", type=int, default=1_000_000)
  p.add_argument("--fill", type=int, default=10_000)
  p.add_argument("--batch", type=int, default=256)
  p.add_argument("--add_batch", type=int, default=16)
  p.add_argument("--reps", type=int, default=20)
  p.add_argument("--scan", type=int, default=100,
                 help="project: calls per jitted lax.scan, as the training loop runs them")
  p.add_argument("--quick", action="store_true")
  p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
  p.add_argument("--cpprb_python", default="/work/venvs/cpprb/bin/python")
  p.add_argument("--out", default="")
  args = p.parse_args()
  if args.quick:
    args.capacity, args.fill, args.reps, args.scan = 20_000, 500, 5, 20
  if args.worker:
    print(json.dumps(worker(args)))
    return
  cmd = [args.cpprb_python, os.path.abspath(__file__), "--worker", f"--n={args.n}",
         f"--capacity={args.capacity}", f"--fill={args.fill}", f"--batch={args.batch}",
         f"--add_batch={args.add_batch}", f"--reps={args.reps}"]
  if not os.path.exists(args.cpprb_python):
    sys.exit(f"{args.cpprb_python} not found: python -m venv /work/venvs/cpprb && "
             "/work/venvs/cpprb/bin/pip install cpprb numpy (or give --cpprb_python)")
  res = subprocess.run(cmd, capture_output=True, text=True)
  if res.returncode:
    sys.exit(f"the cpprb worker failed:\n{res.stderr[-2000:]}")
  theirs = json.loads(res.stdout.strip().splitlines()[-1])
  ours = project(args)
  text = table(args, ours, theirs)
  print(text)
  if args.out:
    from _common import machine_info
    with open(args.out, "w") as f:
      f.write("# HER replay: the project vs cpprb\n\nGenerated by `python "
              f"benchmarks/her_replay.py{' --quick' if args.quick else ''}`.\n\n"
              + "Machine:\n" + "\n".join(machine_info()) + "\n\n" + text + "\n")
    if not args.quick:
      from _common import write_targets
      write_targets(args.out, [
          (f"{'prioritized' if key == 'prioritized' else 'uniform'} replay: add + sample "
           "≥ 10× cpprb's HindsightReplayBuffer", f"{ratio:.1f}×", bool(ratio >= 10))
          for key, ratio in add_and_sample_ratios(args, ours, theirs).items()])


if __name__ == "__main__":
  main()
