"""Epoch anatomy: where an epoch's wall time goes, per family, at study settings.

  python benchmarks/epoch_anatomy.py                       # every family, its cells below
  python benchmarks/epoch_anatomy.py --families point_goal --cells none,hipi --reps 3

For each family's study cell (``hindsight/studies``: the family config, the
cpu budget, the cell's relabeler options, 5 seeds vmapped as the studies run
them) the host loop's epoch is timed — the jitted epoch
(``Trainer.epoch``: ``iterations_per_epoch`` × collect → add → updates), the
evaluation (``Trainer.evaluate``: one deterministic episode on each of the
25 evaluation tasks) and the host work ``hindsight.training.run`` does after
them (metrics and learner state to the host for the finite check) — and,
in the same run, interleaved with it, each part of an iteration alone, as
the trainer's own functions jitted and vmapped over the seeds:

- collection: ``Trainer.rollout`` of ``num_envs`` episodes with the learner's
  stochastic policy;
- buffer add: ``Trainer.add_episodes`` (with insert-time relabeling where
  the cell has it), the buffer donated so it is updated in place as in the
  epoch's scan;
- updates: a ``lax.scan`` of ``updates_per_iteration`` ×
  ``Trainer.relabel_and_update`` (sample → relabel → update);
- of which the SAC update alone: the same scan of ``learner.update`` on one
  fixed sampled batch (the rest of the updates row is sampling, relabeling
  and reward recomputation);
- evaluation: ``hindsight.training.evaluation`` (what the host loop calls),
  and, beside it, ``Trainer.evaluate`` (the rollout it replaces).

overhead = epoch − (iterations × (collection + add + updates) + evaluation);
what the scan of iterations, donation and the host work add. Every timing is
a median over ``--reps`` rounds; in each round every function is called once,
in the same order, so load from other jobs hits all alike; spreads are the
min–max of the per-round ratio. Brax epochs are reduced to ``--brax_iterations``
iterations (the parts are per iteration, and the table projects the epoch at
the config's full ``iterations_per_epoch`` from the measured per-iteration time).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import jax
import jax.numpy as jnp
import numpy as np

from _common import emit, machine_info, write_targets  # benchmarks/_common.py
import _cells

from hindsight import replay

HERE = os.path.dirname(os.path.abspath(__file__))
# The cells timed per family: 'none' and the family's costliest relabeler
# (AIR relabels at insertion against a 500-episode cache; HIPI scores every
# sampled batch).
DEFAULT_CELLS = {
    "point_trajectory": ("none", "air"),
    "point_reacher": ("none", "air"),
    "halfcheetah_multiobjective": ("none", "air"),
    "ant_direction": ("none", "air"),
    "point_goal": ("none", "hipi"),
    "reacher_goal": ("none", "hipi"),
    "ant_goal": ("none", "hipi"),
    "walker_linear": ("none", "hipi"),
}
PARTS = ("collect", "add", "updates", "sac_update", "evaluate")


class Anatomy:
  """The compiled epoch and parts of one cell, sharing one run state."""

  def __init__(self, c, log):
    from hindsight.training import Trainer
    self.c = c
    self.tr = tr = Trainer(c)
    self.iterations = int(c.train.iterations_per_epoch)
    n_upd = tr.updates_per_iteration
    from hindsight.training import evaluation
    init, self._epoch, self._eval_trainer = tr.jitted()
    self._eval = evaluation.jitted(tr)    # what hindsight.training.run calls

    def collect(ls, key):
      eps, _ = tr.rollout(tr.learner_policy(ls, False), key, n=tr.num_envs)
      return eps

    def add(buffer, eps, ls, key):
      return tr.add_episodes(buffer, eps, ls, key)[0]

    def updates(ls, buffer, key):
      def step(l, k):
        return tr.relabel_and_update(l, buffer, k)
      ls, m = jax.lax.scan(step, ls, jax.random.split(key, n_upd))
      return ls, jax.tree.map(jnp.mean, m)

    def one_batch(ls, buffer, key):
      batch = replay.sample(buffer, key, tr.batch_size, tr.sample_window)
      return tr.transition(batch, batch.task)

    def sac_update(ls, transition, key):
      def step(l, k):
        return tr.learner.update(l, transition, k)
      ls, m = jax.lax.scan(step, ls, jax.random.split(key, n_upd))
      return ls, jax.tree.map(jnp.mean, m)

    v = lambda f, **kw: jax.jit(jax.vmap(f), **kw)
    self._collect, self._add = v(collect), v(add, donate_argnums=0)
    self._updates, self._one_batch, self._sac = v(updates), v(one_batch), v(sac_update)
    s = int(c.num_seeds)
    self.keys = lambda i: jax.random.split(jax.random.PRNGKey(1000 + i), s)
    t = time.perf_counter()
    self.rs = init(tr.seed_keys())
    jax.block_until_ready(self.rs)
    log(f"  init (warm-up rollout included) {time.perf_counter() - t:.1f}s")
    # compile everything once (not timed)
    t = time.perf_counter()
    self.round(0, timed=False)
    self.compile_s = time.perf_counter() - t
    log(f"  compiled + first round {self.compile_s:.1f}s")

  def round(self, i, timed=True):
    """One call of each; {name: seconds}."""
    out = {}
    k = self.keys(i)

    def clock(name, fn):
      t = time.perf_counter()
      r = jax.block_until_ready(fn())
      out[name] = time.perf_counter() - t
      return r

    # the host loop's epoch (hindsight.training.run): epoch, evaluation, host work
    t0 = time.perf_counter()
    self.rs, train_m = clock("epoch_train", lambda: self._epoch(self.rs))
    clock("epoch_eval", lambda: self._eval(self.rs.learner, k))
    t = time.perf_counter()
    jax.device_get(train_m)
    jax.device_get(self.rs.learner)
    out["host"] = time.perf_counter() - t
    out["epoch"] = time.perf_counter() - t0
    # the parts alone
    eps = clock("collect", lambda: self._collect(self.rs.learner, k))
    buf = clock("add", lambda: self._add(self.rs.buffer, eps, self.rs.learner, k))
    self.rs = self.rs.replace(buffer=buf)
    clock("updates", lambda: self._updates(self.rs.learner, self.rs.buffer, k))
    batch = self._one_batch(self.rs.learner, self.rs.buffer, k)
    clock("sac_update", lambda: self._sac(self.rs.learner, batch, k))
    clock("evaluate", lambda: self._eval(self.rs.learner, k))
    clock("evaluate_trainer", lambda: self._eval_trainer(self.rs.learner, k))
    return out


def spread(values):
  v = np.asarray(values, float)
  return float(np.median(v)), float(v.min()), float(v.max())


def measure(family, label, args, log):
  brax = family in _cells.BRAX_FAMILIES
  full = _cells.cell_config(family, label, num_seeds=args.seeds)
  c = _cells.cell_config(family, label, num_seeds=args.seeds,
                         iterations=args.brax_iterations if brax else args.iterations)
  log(f"{family} / {label}: {_cells.describe(c)}; {c.train.iterations_per_epoch} of "
      f"{full.train.iterations_per_epoch} iterations per timed epoch")
  a = Anatomy(c, log)
  rounds = [a.round(i + 1) for i in range(args.reps)]
  med = {k: float(np.median([r[k] for r in rounds])) for k in rounds[0]}
  n = a.iterations
  per_round = []
  for r in rounds:
    parts = n * (r["collect"] + r["add"] + r["updates"]) + r["evaluate"]
    per_round.append(dict(
        overhead=(r["epoch"] - parts) / r["epoch"],
        eval_share=r["evaluate"] / r["epoch"],
        # the epoch at the config's full iterations, from this round's per-iteration time
        full_epoch=(r["epoch_train"] / n) * full.train.iterations_per_epoch
        + r["epoch_eval"] + r["host"]))
  for r, p in zip(rounds, per_round):
    p["full_eval_share"] = r["evaluate"] / p["full_epoch"]
  tr = a.tr
  return dict(family=family, label=label, config=c, full=full, med=med, rounds=rounds,
              per_round=per_round, n=n, compile_s=a.compile_s,
              steps_per_iteration=tr.steps_per_iteration,
              updates_per_iteration=tr.updates_per_iteration,
              eval_steps=int(tr.eval_tasks.shape[0]) * tr.spec.horizon)


def table(results):
  rows = ["| family / cell | settings | timed epoch: iterations × (env steps, updates) | "
          "epoch (s) | collect (s/it) | add (s/it) | updates (s/it) | of which SAC update "
          "(s/it) | evaluation (s) | Trainer.evaluate (s) | host (s) | overhead (share of epoch) | evaluation share "
          "| projected full epoch (s) | evaluation share of full epoch |",
          "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
  for r in results:
    m, c = r["med"], r["config"]
    ov = spread([p["overhead"] for p in r["per_round"]])
    ev = spread([p["eval_share"] for p in r["per_round"]])
    fe = spread([p["full_epoch"] for p in r["per_round"]])
    fs = spread([p["full_eval_share"] for p in r["per_round"]])
    rows.append(
        f"| {r['family']} / {r['label']} | {_cells.describe(c)} | {r['n']} × "
        f"({r['steps_per_iteration']:,}, {r['updates_per_iteration']:,}) | {m['epoch']:.2f} | "
        f"{m['collect']:.3f} | {m['add']:.3f} | {m['updates']:.3f} | {m['sac_update']:.3f} | "
        f"{m['evaluate']:.2f} | {m['evaluate_trainer']:.2f} | {m['host']:.3f} | {100 * ov[0]:.1f}% [{100 * ov[1]:.1f}, "
        f"{100 * ov[2]:.1f}] | {100 * ev[0]:.1f}% | {fe[0]:.1f} "
        f"({r['full'].train.iterations_per_epoch} it) | {100 * fs[0]:.1f}% [{100 * fs[1]:.1f}, "
        f"{100 * fs[2]:.1f}] |")
  return rows


def targets(results):
  """The epoch targets: overhead ≤ 10 % of the epoch in every cell, evaluation
  ≤ 15 % of the full epoch on every family (the worst cell decides)."""
  if not results:
    return []
  over = [(float(np.median([p["overhead"] for p in r["per_round"]])), r) for r in results]
  evs = [(float(np.median([p["full_eval_share"] for p in r["per_round"]])), r) for r in results]
  name = lambda r: f"{r['family']} / {r['label']}"
  wo, ro = max(over, key=lambda x: x[0])
  we, re_ = max(evs, key=lambda x: x[0])
  return [
      ("epoch overhead (epoch − Σ parts) ≤ 10 % in every cell",
       f"worst {100 * wo:.1f} % ({name(ro)})", bool(wo <= 0.10)),
      ("evaluation ≤ 15 % of a full epoch on every family",
       f"worst {100 * we:.1f} % ({name(re_)})", bool(we <= 0.15))]


def shares(results):
  """Where the time of the full epoch goes, per cell (percent)."""
  rows = ["| family / cell | collection | buffer add | SAC updates | sample + relabel + reward "
          "| evaluation | overhead + host |", "|---|---:|---:|---:|---:|---:|---:|"]
  for r in results:
    m = r["med"]
    n_full = r["full"].train.iterations_per_epoch
    col, add = n_full * m["collect"], n_full * m["add"]
    sac = n_full * m["sac_update"]
    rest = n_full * max(m["updates"] - m["sac_update"], 0.0)
    ev = m["evaluate"]
    total = float(np.median([p["full_epoch"] for p in r["per_round"]]))
    over = max(total - (col + add + sac + rest + ev), 0.0)
    pc = lambda x: f"{100 * x / total:.1f}%"
    rows.append(f"| {r['family']} / {r['label']} | {pc(col)} | {pc(add)} | {pc(sac)} | "
                f"{pc(rest)} | {pc(ev)} | {pc(over)} |")
  return rows


def main(argv=None):
  p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
  p.add_argument("--families", default=",".join(_cells.FAMILIES))
  p.add_argument("--cells", default="", help="labels, e.g. none,air (default: per family, "
                 "DEFAULT_CELLS)")
  p.add_argument("--seeds", type=int, default=5)
  p.add_argument("--reps", type=int, default=3)
  p.add_argument("--iterations", type=int, default=10,
                 help="iterations per timed epoch of the point families (at most the config's)")
  p.add_argument("--brax_iterations", type=int, default=1,
                 help="iterations per timed epoch of the Brax families")
  p.add_argument("--out", default=os.path.join(HERE, "results", "epoch_anatomy.md"))
  args = p.parse_args(argv)
  command = " ".join(["python", "benchmarks/epoch_anatomy.py",
                      *(argv if argv is not None else sys.argv[1:])])
  t0 = time.time()
  log = lambda msg: print(f"[{time.time() - t0:7.1f}s] {msg}", file=sys.stderr, flush=True)
  info = machine_info()
  results = []
  for fam in _cells.parse_list(args.families):
    labels = _cells.parse_list(args.cells) or DEFAULT_CELLS[fam]
    for lab in labels:
      results.append(measure(fam, lab, args, log))
      log("  " + table(results[-1:])[-1])
  lines = [
      "# Epoch anatomy", "",
      f"Generated by `{command}`; do not edit by hand. See the script's docstring for what "
      "each column times. Medians of interleaved rounds; [min, max] over rounds.", "",
      *info, "", *table(results), "",
      "Where the full epoch's time goes (medians; SAC updates = the scan of "
      "`learner.update` alone; sample + relabel + reward = updates − SAC updates):", "",
      *shares(results), ""]
  emit("\n".join(lines), args.out, log)
  write_targets(args.out, targets(results))


if __name__ == "__main__":
  main()
