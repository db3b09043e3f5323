"""Jitted relabelers vs the NumPy loop references, at the papers' sizes.

  python benchmarks/relabel.py            # full sizes (minutes on 2 CPU cores)
  python benchmarks/relabel.py --quick    # small sizes (a smoke test)

For each strategy the jitted relabeler (``jax.jit``, timed after compilation,
``block_until_ready``, median of ``--reps`` calls) and the NumPy loop
reference of ``hindsight.testing.reference`` (Python loops over episodes,
candidates and transitions) run on the same inputs in the same process. The
reference can be timed on a fraction of the episodes / transitions and scaled
linearly (``--numpy_fraction``); the table says where it was. Each cost is also
put against one jitted SAC update at batch 256 (hidden (256, 256)), timed in
the same run.

AIR and advantage relabel at insertion: one call per collected batch of
episodes, amortised over the gradient steps of an iteration. The
"amortised" columns assume the default config: ``train.num_envs = 8`` new
episodes relabeled per 160 updates (one per env step at 8 envs × H = 20). HIPI and
HER relabel every sampled batch (one call per update).

The table is printed (markdown) and written to ``--out`` with machine info.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import os
import statistics
import sys
import time
from typing import Callable, List, Optional

import jax
import numpy as np

from _common import machine_info, write_targets  # benchmarks/_common.py

from hindsight import schema
from hindsight import replay
from hindsight.learners import sac
from hindsight.relabel import AIR, HER, HIPI, AdvantageRelabel, RelabelContext, core
from hindsight.relabel import cache as relabel_cache
from hindsight.relabel import returns
from hindsight.relabel import schedule
from hindsight.testing import reference as ref
from hindsight.tasks import PointGoal, PointReacher
from hindsight.tasks.linear import RandomLinear

OBS_SIZE = 5
ACTION_SIZE = 2
GAMMA = 0.99
NUM_ENVS = 8                 # config.train.num_envs: new episodes per iteration
UPDATES_PER_ITERATION = 160  # train.updates_per_env_step = 1 at 8 envs × H = 20
SAC_BATCH = 256


@dataclasses.dataclass(frozen=True)
class Sizes:
  air_batch: int          # new episodes relabeled per AIR call
  cache: int              # AIR cache of recent episodes
  adv_batch: int          # episodes relabeled per advantage call
  candidates: int         # K for AIR / advantage
  horizon: int            # T for AIR / advantage
  hipi_batch: int         # B = K (candidates = the batch's own tasks)
  her_batch: int
  her_horizon: int


FULL = Sizes(air_batch=NUM_ENVS, cache=500, adv_batch=500, candidates=100, horizon=1000,
             hipi_batch=256, her_batch=256, her_horizon=50)
QUICK = Sizes(air_batch=NUM_ENVS, cache=40, adv_batch=40, candidates=10, horizon=50,
              hipi_batch=32, her_batch=32, her_horizon=20)


@dataclasses.dataclass
class Row:
  strategy: str
  family: str
  sizes: str
  jitted_ms: float
  numpy_ms: float
  numpy_note: str
  sac_ms: float
  episodes_per_call: Optional[int] = None   # insert-time strategies

  @property
  def amortised_ms(self) -> float:
    if self.episodes_per_call is None:          # sample-time: one call per update
      return self.jitted_ms
    return self.jitted_ms * (NUM_ENVS / self.episodes_per_call) / UPDATES_PER_ITERATION


# ---------------------------------------------------------------- timing ---

def time_jitted(fn: Callable, *args, reps: int) -> float:
  """Median wall time (ms) of ``fn(*args)`` after a compiling call."""
  jax.block_until_ready(fn(*args))
  times = []
  for _ in range(reps):
    t0 = time.perf_counter()
    jax.block_until_ready(fn(*args))
    times.append(time.perf_counter() - t0)
  return 1e3 * statistics.median(times)


def time_numpy(fn: Callable, reps: int) -> float:
  times = []
  for _ in range(reps):
    t0 = time.perf_counter()
    fn()
    times.append(time.perf_counter() - t0)
  return 1e3 * statistics.median(times)


def subset(n: int, fraction: float) -> int:
  return max(1, min(n, int(math.ceil(n * fraction))))


# ---------------------------------------------------------------- inputs ---

def random_episodes(rng, family, n, horizon) -> replay.Episodes:
  """n full-length episodes with point-mass-like features and prior tasks."""
  f = family.feature_dim
  if isinstance(family, PointReacher):
    features = np.concatenate([rng.uniform(-0.5, 0.5, (n, horizon, 2)),
                               rng.uniform(0.0, 1.4, (n, horizon, 1))], -1)
  elif isinstance(family, PointGoal):
    features = rng.uniform(-0.4, 0.4, (n, horizon, f))
  else:
    features = rng.normal(size=(n, horizon, f))
  task = family.sample(jax.random.PRNGKey(int(rng.integers(1 << 30))), n)
  return replay.Episodes(
      obs=rng.normal(size=(n, horizon + 1, OBS_SIZE)).astype(np.float32),
      action=rng.uniform(-1, 1, (n, horizon, ACTION_SIZE)).astype(np.float32),
      features=features.astype(np.float32), mask=np.ones((n, horizon), np.float32),
      terminal=np.zeros((n, horizon), np.float32), task=np.asarray(task, np.float32))


def disc_sums(family, eps, use_sums):
  if not (family.is_linear and use_sums):
    return None
  return np.asarray(jax.jit(core.discounted_feature_sums, static_argnums=2)(
      eps.features, eps.mask, GAMMA))


def as_batch(family, eps, use_sums=True) -> replay.EpisodeBatch:
  ds = disc_sums(family, eps, use_sums)
  return schedule.episodes_as_batch(eps, {} if ds is None else {returns.DISC_SUM: ds})


def as_cache(family, eps, use_sums=True) -> relabel_cache.EpisodeCache:
  return relabel_cache.EpisodeCache(features=eps.features, action=eps.action, mask=eps.mask,
                        first_obs=eps.obs[:, 0], task=eps.task,
                        valid=np.ones(eps.task.shape[0], bool),
                        disc_feature_sum=disc_sums(family, eps, use_sums))


def transition_batch(rng, eps) -> replay.EpisodeBatch:
  """One transition per episode at a uniform step (as ``replay.sample``)."""
  n, horizon = eps.mask.shape
  t = rng.integers(0, horizon, n).astype(np.int32)
  i = np.arange(n)
  return replay.EpisodeBatch(
      obs=eps.obs[i, t], action=eps.action[i, t], next_obs=eps.obs[i, t + 1],
      features=eps.features[i, t], terminal=eps.terminal[i, t], task=eps.task, t=t,
      episode=i.astype(np.int32), ep_features=eps.features, ep_action=eps.action,
      ep_mask=eps.mask, first_obs=eps.obs[:, 0], extras={})


def take(tree, n):
  """The first n rows of every array of an EpisodeBatch / EpisodeCache."""
  return jax.tree.map(lambda x: np.asarray(x)[:n], tree)


def to_numpy(tree):
  return jax.tree.map(np.asarray, tree)


def sac_state(family, hidden):
  cfg = schema.learner_config(schema.get_config())
  cfg.hidden_sizes = tuple(hidden)
  cfg.gamma = GAMMA
  spec = replay.EpisodeSpec(obs_size=OBS_SIZE, action_size=ACTION_SIZE,
                            feature_dim=family.feature_dim, task_dim=family.task_dim,
                            horizon=family.horizon)
  return jax.jit(lambda k: sac.init(k, spec, cfg))(jax.random.PRNGKey(0))


def sac_update_timer(rng, state, family, reps) -> Callable[[], float]:
  """A function timing one jitted SAC update (ms, median of ``reps``); each
  relabeler row calls it right after its own timing, so that the two are
  measured under the same load."""
  b = SAC_BATCH
  batch = sac.Transition(
      obs=rng.normal(size=(b, OBS_SIZE)).astype(np.float32),
      task=np.asarray(family.sample(jax.random.PRNGKey(1), b), np.float32),
      action=rng.uniform(-1, 1, (b, ACTION_SIZE)).astype(np.float32),
      reward=rng.normal(size=b).astype(np.float32),
      next_obs=rng.normal(size=(b, OBS_SIZE)).astype(np.float32),
      discount=np.ones(b, np.float32))
  update = jax.jit(sac.update)
  key = jax.random.PRNGKey(2)
  jax.block_until_ready(update(state, batch, key))
  return lambda: time_jitted(update, state, batch, key, reps=reps)


# ------------------------------------------------------------ strategies ---

def bench_air(rng, family, state, sizes, args, sac_timer, use_sums=True, label=None) -> Row:
  relabeler = AIR(num_candidates=sizes.candidates, m=1, cache_size=sizes.cache,
                  tie_break="advantage")
  batch = as_batch(family, random_episodes(rng, family, sizes.air_batch, sizes.horizon),
                   use_sums)
  cache = as_cache(family, random_episodes(rng, family, sizes.cache, sizes.horizon), use_sums)

  @jax.jit
  def choose(key, batch, cache, state):
    ctx = RelabelContext(family=family, gamma=GAMMA, fns=sac.relabel_fns(state), cache=cache)
    return relabeler.choose(key, batch, ctx)

  key = jax.random.PRNGKey(3)
  jitted_ms = time_jitted(choose, key, batch, cache, state, reps=args.reps)
  sac_ms = sac_timer()

  # The reference, on the same candidates; the cache possibly subsampled.
  cands = np.asarray(jax.jit(returns.candidate_tasks, static_argnums=(1, 3))(
      key, family, batch.task, sizes.candidates))
  value_np = ref.sac_fns_np(state)["value"]
  m_sub = subset(sizes.cache, args.numpy_fraction)
  batch_np, cache_np = to_numpy(batch), take(cache, m_sub)
  reward_fn = ref.numpy_reward_fn(family)
  run = lambda: ref.air_choose_np(family, GAMMA, batch_np, cands, 1, tie_break="advantage",
                                  cache=cache_np, value_fn=value_np, reward_fn=reward_fn)
  measured = time_numpy(run, args.numpy_reps)
  n_full, n_sub = sizes.air_batch + sizes.cache, sizes.air_batch + m_sub
  note = "full size" if n_sub == n_full else (
      f"timed on N={n_sub} of {n_full} episodes, scaled ×{n_full / n_sub:.2f}")
  path = "stored Σγᵗφ" if (family.is_linear and use_sums) else "general path"
  return Row("air (insert)", label or f"{family.name} ({path})",
             f"B={sizes.air_batch} new + cache {sizes.cache} (N={n_full}), "
             f"K={sizes.candidates}, T={sizes.horizon}, m=1, tie=advantage",
             jitted_ms, measured * n_full / n_sub, note, sac_ms,
             episodes_per_call=sizes.air_batch)


def bench_advantage(rng, family, state, sizes, args, sac_timer, use_sums=True) -> Row:
  relabeler = AdvantageRelabel(num_candidates=sizes.candidates, m=1)
  batch = as_batch(family, random_episodes(rng, family, sizes.adv_batch, sizes.horizon),
                   use_sums)

  @jax.jit
  def choose(key, batch, state):
    ctx = RelabelContext(family=family, gamma=GAMMA, fns=sac.relabel_fns(state))
    return relabeler.choose(key, batch, ctx)

  key = jax.random.PRNGKey(4)
  jitted_ms = time_jitted(choose, key, batch, state, reps=args.reps)
  sac_ms = sac_timer()

  cands = np.asarray(jax.jit(returns.candidate_tasks, static_argnums=(1, 3))(
      key, family, batch.task, sizes.candidates))
  value_np = ref.sac_fns_np(state)["value"]
  n_sub = subset(sizes.adv_batch, args.numpy_fraction)
  batch_np = take(batch, n_sub)
  reward_fn = ref.numpy_reward_fn(family)
  run = lambda: ref.advantage_choose_np(family, GAMMA, batch_np, cands, 1, value_fn=value_np,
                                        reward_fn=reward_fn)
  measured = time_numpy(run, args.numpy_reps)
  n_full = sizes.adv_batch
  note = "full size" if n_sub == n_full else (
      f"timed on {n_sub} of {n_full} episodes, scaled ×{n_full / n_sub:.2f}")
  path = "stored Σγᵗφ" if (family.is_linear and use_sums) else "general path"
  return Row("advantage (insert)", f"{family.name} ({path})",
             f"B={n_full} episodes, K={sizes.candidates}, T={sizes.horizon}, m=1",
             jitted_ms, measured * n_full / n_sub, note, sac_ms,
             episodes_per_call=n_full)


def bench_hipi(rng, family, state, sizes, args, sac_timer) -> Row:
  relabeler = HIPI(candidates="batch", level="transition")
  b = sizes.hipi_batch
  batch = transition_batch(rng, random_episodes(rng, family, b, 50))  # transition level: T unused

  @jax.jit
  def relabel(key, batch, state):
    ctx = RelabelContext(family=family, gamma=GAMMA, fns=sac.relabel_fns(state))
    return relabeler.relabel_with_info(key, batch, ctx)

  jitted_ms = time_jitted(relabel, jax.random.PRNGKey(5), batch, state, reps=args.reps)
  sac_ms = sac_timer()

  # Reference: logits pair by pair (rows subsampled), then the posterior and
  # one categorical draw per row at full size.
  fns_np = ref.sac_fns_np(state)
  reward_fn = ref.numpy_reward_fn(family)
  cands = np.asarray(batch.task)
  b_sub = subset(b, args.numpy_fraction)
  rows = take(batch, b_sub)
  np_rng = np.random.default_rng(0)

  def logits_part():
    return ref.hipi_transition_logits_np(reward_fn, GAMMA, rows.obs, rows.action,
                                         rows.next_obs, rows.features, rows.terminal, cands,
                                         fns_np, np_rng)

  full_logits = np.tile(logits_part(), (int(math.ceil(b / b_sub)), 1))[:b]

  def posterior_part():
    logq = ref.hipi_log_posterior_np(full_logits, True, 1.0)
    idx = [np_rng.choice(b, p=np.exp(row) / np.exp(row).sum()) for row in logq]
    return cands[idx]

  t_logits = time_numpy(logits_part, args.numpy_reps) * b / b_sub
  t_post = time_numpy(posterior_part, args.numpy_reps)
  note = "full size" if b_sub == b else (
      f"logits timed on {b_sub} of {b} rows, scaled ×{b / b_sub:.2f}; posterior full size")
  return Row("hipi (sample)", family.name,
             f"B={b}, K={b} (batch tasks), transition level, SAC (256, 256)",
             jitted_ms, t_logits + t_post, note, sac_ms)


def bench_her(rng, family, state, sizes, args, sac_timer) -> Row:
  her = HER(strategy="future")
  b = sizes.her_batch
  batch = transition_batch(rng, random_episodes(rng, family, b, sizes.her_horizon))
  ctx = RelabelContext(family=family, gamma=GAMMA)
  relabel = jax.jit(lambda key, batch: her.relabel_with_info(key, batch, ctx))
  key = jax.random.PRNGKey(6)
  jitted_ms = time_jitted(relabel, key, batch, reps=args.reps)
  sac_ms = sac_timer()
  u = np.asarray(jax.random.uniform(key, (b,)))
  batch_np = to_numpy(batch)
  numpy_ms = time_numpy(lambda: ref.her_relabel_np(family, batch_np, u, "future"),
                        max(args.numpy_reps, 3))
  return Row("her future (sample)", family.name, f"B={b}, T={sizes.her_horizon}",
             jitted_ms, numpy_ms, "full size", sac_ms)


# ----------------------------------------------------------------- report ---

def fmt_ms(x: float) -> str:
  if x >= 100:
    return f"{x:,.0f}"
  if x >= 1:
    return f"{x:.2f}"
  return f"{x:.3f}"


def fmt_ratio(x: float) -> str:
  return f"{x:,.0f}×" if x >= 10 else f"{x:.2g}×"


def table(rows: List[Row]) -> List[str]:
  out = ["| strategy | family | sizes | jitted ms/call | numpy ms/call | numpy / jitted "
         "| SAC update ms | jitted call / SAC update | amortised ms/update | amortised / SAC update | numpy timing |",
         "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|"]
  for r in rows:
    out.append(
        f"| {r.strategy} | {r.family} | {r.sizes} | {fmt_ms(r.jitted_ms)} | "
        f"{fmt_ms(r.numpy_ms)} | {fmt_ratio(r.numpy_ms / r.jitted_ms)} | {fmt_ms(r.sac_ms)} | "
        f"{fmt_ratio(r.jitted_ms / r.sac_ms)} | {fmt_ms(r.amortised_ms)} | "
        f"{100 * r.amortised_ms / r.sac_ms:.1f}% | {r.numpy_note} |")
  return out


def main(argv=None):
  p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
  p.add_argument("--quick", action="store_true", help="small sizes (smoke test)")
  p.add_argument("--reps", type=int, default=5, help="timed calls of each jitted function")
  p.add_argument("--numpy_reps", type=int, default=1, help="timed calls of each reference")
  p.add_argument("--numpy_fraction", type=float, default=None,
                 help="share of episodes / rows the NumPy reference is timed on "
                      "(scaled linearly); default 0.25, 1.0 with --quick")
  p.add_argument("--sac_reps", type=int, default=20)
  p.add_argument("--hidden", type=int, nargs="+", default=[256, 256])
  p.add_argument("--no_general_linear", action="store_true",
                 help="skip the AIR row that ignores the linear family's stored sums")
  p.add_argument("--rows", default="air,advantage,hipi,her",
                 help="comma-separated subset of the strategies to time")
  p.add_argument("--out", default=None,
                 help="markdown output (default benchmarks/results/relabel.md; "
                      "none with --quick unless given)")
  args = p.parse_args(argv)
  sizes = QUICK if args.quick else FULL
  if args.numpy_fraction is None:
    args.numpy_fraction = 1.0 if args.quick else 0.25
  here = os.path.dirname(os.path.abspath(__file__))
  out_path = args.out or (None if args.quick else os.path.join(here, "results", "relabel.md"))
  command = " ".join(["python", "benchmarks/relabel.py", *(argv if argv is not None
                                                            else sys.argv[1:])])

  rng = np.random.default_rng(0)
  reacher = PointReacher(horizon=sizes.horizon)
  linear = RandomLinear(feature_dim=4, horizon=sizes.horizon)
  goal = PointGoal(horizon=sizes.her_horizon)
  rows: List[Row] = []
  t_start = time.time()
  want = set(args.rows.split(","))
  unknown = want - {"air", "advantage", "hipi", "her"}
  if unknown:
    raise SystemExit(f"--rows: unknown {', '.join(sorted(unknown))}; "
                     "known: air, advantage, hipi, her")

  def log(msg):
    print(f"[{time.time() - t_start:6.1f}s] {msg}", file=sys.stderr, flush=True)

  for family in (reacher, linear):
    state = sac_state(family, args.hidden)
    sac_ms = sac_update_timer(rng, state, family, args.sac_reps)
    if "air" in want:
      rows.append(bench_air(rng, family, state, sizes, args, sac_ms))
      log(f"  {rows[-1].strategy}: {rows[-1].jitted_ms:.2f} vs {rows[-1].numpy_ms:.0f} ms "
          f"(SAC update {rows[-1].sac_ms:.2f} ms)")
      if family.is_linear and not args.no_general_linear:
        rows.append(bench_air(rng, family, state, sizes, args, sac_ms, use_sums=False))
        log(f"  {rows[-1].strategy} (general): {rows[-1].jitted_ms:.2f} vs "
            f"{rows[-1].numpy_ms:.0f} ms")
    if "advantage" in want:
      rows.append(bench_advantage(rng, family, state, sizes, args, sac_ms))
      log(f"  {rows[-1].strategy}: {rows[-1].jitted_ms:.2f} vs {rows[-1].numpy_ms:.0f} ms "
          f"(SAC update {rows[-1].sac_ms:.2f} ms)")
    if "hipi" in want:
      rows.append(bench_hipi(rng, family, state, sizes, args, sac_ms))
      log(f"  {rows[-1].strategy}: {rows[-1].jitted_ms:.2f} vs {rows[-1].numpy_ms:.0f} ms "
          f"(SAC update {rows[-1].sac_ms:.2f} ms)")

  if "her" in want:
    state = sac_state(goal, args.hidden)
    sac_ms = sac_update_timer(rng, state, goal, args.sac_reps)
    rows.append(bench_her(rng, goal, state, sizes, args, sac_ms))
    log(f"  {rows[-1].strategy}: {rows[-1].jitted_ms:.3f} vs {rows[-1].numpy_ms:.1f} ms")

  lines = [
      "# Relabeling: jitted vs NumPy loop reference" + (" (--quick sizes)" if args.quick else ""),
      "",
      f"Generated by `{command}`; do not edit by hand.",
      "",
      *machine_info(),
      "",
      *table(rows),
      "",
      "Notes:",
      f"- jitted: `jax.jit` of the relabeler's `choose` (AIR, advantage) or "
      f"`relabel_with_info` (HIPI, HER), timed after compilation with "
      f"`block_until_ready`, median of {args.reps} calls. It includes candidate "
      "sampling, the return matrix (cache included), values, ranking and top-m.",
      "- numpy: `hindsight.testing.reference` (Python loops over episodes × candidates "
      "and transitions × candidates; NumPy reward ports; SAC networks ported to NumPy "
      f"and called once per pair), median of {args.numpy_reps} call(s), on the same "
      "candidates. Where timed on a subset it is scaled linearly in the subsampled "
      "count (the AIR scale factor also multiplies the batch-only V(s0, z) part, "
      "which slightly overstates the reference).",
      "- numpy / jitted is the honest per-call ratio.",
      f"- the machine is shared: the SAC update (near-identical networks for all "
      f"families) took {min(r.sac_ms for r in rows):.1f}–{max(r.sac_ms for r in rows):.1f} ms "
      "across the rows of this run, a measure of the timing noise.",
      f"- SAC update: `jax.jit(sac.update)` at batch {SAC_BATCH}, hidden "
      f"{tuple(args.hidden)}, obs {OBS_SIZE}, action {ACTION_SIZE}, task dim of the "
      f"family; median of {args.sac_reps}, timed right after each row's relabeler "
      "(the SAC ms column) so both see the same load.",
      f"- amortised: AIR / advantage run once per collected batch at insertion; assuming "
      f"{NUM_ENVS} new episodes per {UPDATES_PER_ITERATION} updates (train.num_envs, "
      f"one update per env step), amortised = per-call × ({NUM_ENVS} / episodes "
      f"per call) / {UPDATES_PER_ITERATION}. AIR's call relabels exactly the "
      f"{NUM_ENVS} new episodes (the cache's returns are recomputed every call); the "
      "advantage call relabels B episodes, so its cost is scaled to 8 episodes "
      "(it is linear in B). HIPI and HER run on every sampled batch: amortised = per call.",
  ]
  text = "\n".join(lines) + "\n"
  print(text)
  if out_path:
    os.makedirs(os.path.dirname(out_path), exist_ok=True)
    with open(out_path, "w") as f:
      f.write(text)
    log(f"wrote {out_path}")
  if not args.quick:
    # AIR's general (non-linear reward) path against the NumPy reference.
    write_targets(out_path, [
        (f"AIR's general path ≥ 50× the NumPy reference ({r.family.split(' ')[0]}, "
         f"{r.sizes.split(',')[0]})", f"{r.numpy_ms / r.jitted_ms:.0f}×",
         bool(r.numpy_ms / r.jitted_ms >= 50))
        for r in rows if r.strategy.startswith("air") and "general path" in r.family
        and not r.family.startswith("random_linear")])


if __name__ == "__main__":
  main()
