"""The host loop: run directory, epochs, evaluation, metrics, checkpoints.

``run(config)`` trains ``config.num_seeds`` seeds in one process (vmapped),
evaluates after every epoch on the family's fixed evaluation tasks, writes one
``metrics.csv`` row per seed per evaluation, checkpoints every
``train.checkpoint_every_epochs`` epochs and resumes from the latest
checkpoint when the run directory already holds one.
"""

from __future__ import annotations

import math
import os
import sys
import time
from typing import Any, Dict, List

import jax
import numpy as np

from hindsight import schema
from hindsight import config as config_lib
from hindsight.io import checkpoint, console, files, provenance
from hindsight.training.restore import restore_run_state
from hindsight.training.trainer import Trainer


def run_name(c) -> str:
  if c.run_name:
    return c.run_name
  return f"{c.env.name}-{c.learner.name}-{c.relabel.name}-s{c.seed}"


def num_epochs(config, horizon: int) -> int:
  """Epochs a run trains: total_env_steps / (num_envs · H · iterations_per_epoch),
  rounded up (warm-up episodes are not counted against the budget)."""
  t = config.train
  steps_per_epoch = int(t.num_envs) * int(horizon) * int(t.iterations_per_epoch)
  return max(1, math.ceil(int(t.total_env_steps) / steps_per_epoch))


def _log(log_path: str, msg: str, echo: bool = True) -> None:
  line = time.strftime("%H:%M:%S ") + msg
  if echo:
    console.echo(line, sys.stderr)
  with open(log_path, "a") as f:
    f.write(line + "\n")


def _rows(epoch, rs, train_m, evals, wall, seed0, diverged) -> List[Dict[str, Any]]:
  """One row per seed. A seed that has diverged (``diverged[s]``) has no
  result from then on: its evaluations and training metrics are NaN and its
  ``diverged`` column 1."""
  rows = []
  n_seeds = evals["return"].shape[0]
  for s in range(n_seeds):
    nan = bool(diverged[s])
    val = (lambda x: float("nan")) if nan else float
    ret = np.asarray(evals["return"][s])
    row = {"seed": seed0 + s, "epoch": epoch, "iteration": int(rs.iteration[s]),
           "env_steps": int(rs.env_steps[s]), "wall_time": round(wall, 3),
           "eval_return_mean": val(ret.mean()), "diverged": int(nan)}
    if "success" in evals:
      row["eval_success_mean"] = val(np.asarray(evals["success"][s]).mean())
    for i, r in enumerate(ret):
      row[f"eval_return_task_{i:02d}"] = val(r)
    for k, v in train_m.items():
      row[k] = val(np.asarray(v[s]))
    rows.append(row)
  return rows


class NonFiniteError(FloatingPointError):
  """Training produced NaN/inf; the last good checkpoint is kept."""


def _check_finite(epoch, rs, train_m, run_dir, diverged):
  """Raises ``NonFiniteError`` when every seed has diverged, or when a seed
  not flagged as diverged holds non-finite values (``diverged``: bool[S])."""
  alive = ~np.asarray(diverged, bool)
  bad = [k for k, v in train_m.items() if not np.all(np.isfinite(np.asarray(v)[alive]))]
  leaves = jax.tree_util.tree_leaves_with_path(jax.device_get(rs.learner))
  bad += [jax.tree_util.keystr(p) for p, x in leaves
          if np.issubdtype(np.asarray(x).dtype, np.floating)
          and not np.all(np.isfinite(np.asarray(x)[alive]))]
  if bad or not alive.any():
    last = checkpoint.latest(run_dir)
    kept = f"the last good checkpoint is {last[1]}" if last else "no checkpoint was written"
    what = ", ".join(bad[:6]) + (" …" if len(bad) > 6 else "") if bad else (
        "every seed diverged (its learner held at its last finite state)")
    raise NonFiniteError(
        f"non-finite values after epoch {epoch} (iteration {int(np.max(rs.iteration))}): "
        f"{what}; stopping, {kept}")


RANDOM_POLICY = "random_policy.json"
ZERO_POLICY = "zero_policy.json"


def reference_policies(trainer, run_dir: str, c) -> List[str]:
  """Writes the references the report's 'learned at this budget' guard
  compares with, each once (the file names returned): the evaluation
  protocol (the family's fixed evaluation tasks, one episode each) run
  ``num_seeds`` times with keys of their own, by a uniform-random policy
  (``random_policy.json``) and, on continuous-action families, by the policy
  whose every action is 0 (``zero_policy.json``: an agent that does nothing)."""
  refs = [(RANDOM_POLICY, "uniform-random actions", trainer.evaluate_random)]
  if not trainer.spec.num_actions:
    refs.append((ZERO_POLICY, "zero actions", trainer.evaluate_zero))
  keys = jax.random.split(jax.random.PRNGKey(20_000 + int(c.seed)), int(c.num_seeds))
  written = []
  for name, policy, evaluate in refs:
    path = os.path.join(run_dir, name)
    if os.path.exists(path):
      continue
    out = jax.device_get(jax.jit(jax.vmap(evaluate))(keys))
    returns = np.asarray(out["return"])               # [S, E]
    record = {"policy": policy, "num_eval_tasks": int(returns.shape[1]),
              "eval_return_mean": [float(v) for v in returns.mean(axis=1)],
              "eval_return_per_task": returns.mean(axis=0).round(6).tolist()}
    if "success" in out:
      record["eval_success_mean"] = [float(v) for v in np.asarray(out["success"]).mean(axis=1)]
    files.write_json(path, record)
    written.append(name)
  return written


def finished(rows, n_epochs: int, seeds) -> bool:
  """Whether ``rows`` (metrics.csv) hold every epoch 1..n_epochs of every seed."""
  have = {(int(r["seed"]), int(r["epoch"])) for r in rows}
  return all((s, e) in have for s in seeds for e in range(1, n_epochs + 1))


def run(config, echo: bool = True) -> Dict[str, Any]:
  """Trains to ``train.total_env_steps``; returns the run directory and the
  final evaluation. Safe to call again on the same directory: it resumes."""
  c = config_lib.validate(config)
  sharding = seed_sharding(c)
  run_dir = os.path.join(c.workdir, run_name(c))
  os.makedirs(run_dir, exist_ok=True)
  lock = lock_run_dir(run_dir)
  try:
    # Library output captured by the command-line tools goes to log.txt.
    with console.attach_log(os.path.join(run_dir, "log.txt")):
      return _run_locked(c, run_dir, sharding, echo)
  finally:
    console.end_progress()
    lock.close()


def lock_run_dir(run_dir: str):
  """An exclusive lock on ``<run_dir>/.run.lock`` (released when the returned
  file is closed or the process ends); a second process on the same run
  directory stops with a message naming the holder."""
  import errno
  import fcntl
  f = open(os.path.join(run_dir, ".run.lock"), "a+")
  try:
    fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
  except OSError as e:
    if e.errno in (errno.EAGAIN, errno.EACCES):
      f.seek(0)
      holder = f.read().strip() or "another process"
      f.close()
      raise config_lib.ConfigError(
          f"{run_dir} is being trained by {holder}; wait for it or stop it first") from None
    f.close()
    raise
  f.seek(0)
  f.truncate()
  f.write(f"pid {os.getpid()} on {os.uname().nodename}\n")
  f.flush()
  return f


def _run_locked(c, run_dir, sharding, echo):
  log_path = os.path.join(run_dir, "log.txt")
  cfg_path = os.path.join(run_dir, "config.json")
  if os.path.exists(cfg_path):
    diff = config_differences(cfg_path, c.to_dict())
    if diff:
      raise config_lib.ConfigError(
          f"{run_dir} holds a run with a different config ({', '.join(diff[:6])}"
          f"{' …' if len(diff) > 6 else ''} differ); choose another --config.run_name "
          "or --config.workdir")
  files.write_json(cfg_path, c.to_dict())

  trainer = Trainer(c)
  init_fn, epoch_fn, eval_fn = trainer.jitted()
  keys = _place(trainer.seed_keys(), sharding)
  n_epochs = num_epochs(c, trainer.spec.horizon)
  metrics_path = os.path.join(run_dir, "metrics.csv")

  t0 = time.time()
  start_epoch, rows, wall_offset = 0, [], 0.0
  seeds = [int(c.seed) + i for i in range(int(c.num_seeds))]
  # Rows already in metrics.csv stay there until recomputed (metrics.csv is
  # only ever rewritten with a superset of what it held).
  old_rows = files.read_csv(metrics_path) if os.path.exists(metrics_path) else []
  start, restored = None, None
  if checkpoint.list_checkpoints(run_dir):
    # Shapes only: the warm-up rollout is not re-run just to be overwritten.
    start, restored, skipped = restore_run_state(run_dir, jax.eval_shape(init_fn, keys))
    for path, why in skipped:
      _log(log_path, f"skipped checkpoint {os.path.basename(path)}: {why}", echo)
  if start is None and old_rows:
    if finished(old_rows, n_epochs, seeds):
      _log(log_path, f"{run_dir} is finished ({n_epochs} epochs of seeds "
           f"{seeds[0]}..{seeds[-1]} in metrics.csv); nothing to do", echo)
      return {"run_dir": run_dir, "final_rows": [r for r in old_rows
                                                  if r["epoch"] == n_epochs],
              "trainer": trainer, "state": None}
    raise config_lib.ConfigError(
        f"{metrics_path} holds epochs up to {max(r['epoch'] for r in old_rows)} of "
        f"{n_epochs} but {run_dir} has no checkpoint to resume from "
        "(train.checkpoint_every_epochs = 0?); move metrics.csv away to train again, "
        "or choose another --config.run_name")
  if start is not None:
    start_epoch, rs = start, _place(restored, sharding)
    rows = [r for r in old_rows if r["epoch"] <= start_epoch]
    wall_offset = max((r["wall_time"] for r in rows), default=0.0)
    entry = provenance.record(run_dir, "resume")
    _log(log_path, f"resumed {run_dir} at epoch {start_epoch}/{n_epochs} (commit "
         f"{(entry['commit'] or 'unknown')[:10]}{'+changes' if entry['dirty'] else ''})", echo)
  else:
    provenance.record(run_dir, "start")
    rs = init_fn(keys)
    _log(log_path, f"run {run_dir}: {c.env.name}, {c.learner.name}, relabel="
         f"{c.relabel.name}, {c.num_seeds} seed(s), {n_epochs} epochs of "
         f"{trainer.steps_per_epoch} env steps"
         + (f", seeds sharded over {len(jax.local_devices())} devices" if sharding else ""),
         echo)
  t_start = time.time() - wall_offset

  reference_policies(trainer, run_dir, c)
  eval_keys = _place(evaluation_keys(c), sharding)
  render_mode = _render_mode(c, trainer, log_path, echo)
  tb = _tensorboard(c, run_dir, rows)
  wb = _wandb(c, run_dir)
  every = int(c.train.checkpoint_every_epochs)
  evals = None
  bar = console.start_progress(n_epochs, done=start_epoch, enabled=echo)
  bar.draw()   # on a terminal, from the start (the first epoch also compiles)
  was_diverged = np.asarray(jax.device_get(rs.diverged), bool)
  for epoch in range(start_epoch + 1, n_epochs + 1):
    t_ep = time.time()
    rs, train_m = epoch_fn(rs)
    evals = jax.device_get(eval_fn(rs.learner, eval_keys))
    train_m = jax.device_get(train_m)
    diverged = np.asarray(jax.device_get(rs.diverged), bool)
    try:
      _check_finite(epoch, rs, train_m, run_dir, diverged)
    except NonFiniteError as e:
      _log(log_path, f"stopped: {e}", echo=False)
      raise
    for s in np.flatnonzero(diverged & ~was_diverged):
      _log(log_path, f"seed {int(c.seed) + int(s)} diverged in epoch {epoch} (non-finite "
           "learner state): held at its last finite state, its evaluations from now on "
           "are NaN; the other seeds train on", echo)
    was_diverged = diverged
    rs_host = jax.device_get(rs.iteration), jax.device_get(rs.env_steps)
    wall = time.time() - t_start
    rows.extend(_rows(epoch, rs.replace(iteration=rs_host[0], env_steps=rs_host[1]),
                      train_m, evals, wall, int(c.seed), diverged))
    files.write_csv(metrics_path, rows + [r for r in old_rows if r["epoch"] > epoch])
    if tb is not None:
      _tb_write(tb, rows[-int(c.num_seeds):])
    if wb is not None:
      wb.log(rows[-int(c.num_seeds):])
    if every and (epoch % every == 0 or epoch == n_epochs):
      checkpoint.save(run_dir, epoch, rs)
    ret = np.where(diverged, np.nan, np.asarray(evals["return"]).mean(axis=1))
    eta = (time.time() - t_ep) * (n_epochs - epoch)
    succ = (f" success {np.asarray(evals['success'])[~diverged].mean():.2f}"
            if "success" in evals else "")
    _log(log_path, f"epoch {epoch}/{n_epochs} env_steps {int(np.max(rs_host[1]))} "
         f"eval_return {np.nanmean(ret):.3f} (per seed {np.array2string(ret, precision=2)})"
         f"{succ} | {time.time() - t_ep:.1f}s/epoch, ETA {eta / 60:.1f} min", echo)
    bar.update(epoch, eta)
    if render_mode == "every" or (render_mode == "end" and epoch == n_epochs):
      _render(trainer, rs, eval_keys, run_dir, epoch, c, rs_host[1], log_path, echo)

  console.end_progress()
  if tb is not None:
    tb.close()
  if wb is not None:
    wb.close()
  final = [r for r in rows if r["epoch"] == n_epochs]
  _log(log_path, f"done in {time.time() - t0:.0f}s; metrics in {metrics_path}", echo)
  return {"run_dir": run_dir, "final_rows": final, "trainer": trainer, "state": rs}


def evaluation_keys(c):
  """The evaluation's keys, one per seed (the same at every evaluation)."""
  return jax.random.split(jax.random.PRNGKey(10_000 + int(c.seed)), int(c.num_seeds))


def _render_mode(c, trainer, log_path, echo) -> str:
  """``train.render``, or 'none' with a note when the default 'end' needs
  matplotlib and it is missing ('every' then stops the run before training)."""
  from hindsight import extras, render
  mode = c.train.render
  if mode == "none" or render.kind(trainer) is None:
    return "none"
  if render.needs_matplotlib(trainer) and not extras.available("matplotlib"):
    if mode == "every":
      extras.require("matplotlib", "render", "config.train.render='every'")
    _log(log_path, "no trajectory pictures: matplotlib is not installed (pip install "
         f"'{extras.DISTRIBUTION}[render]', or set --config.train.render=none)", echo)
    return "none"
  return mode


def _render(trainer, rs, eval_keys, run_dir, epoch, c, env_steps, log_path, echo):
  from hindsight import render
  seeds = [int(c.seed) + i for i in range(int(c.num_seeds))]
  paths = render.render_seeds(trainer, rs.learner, eval_keys, os.path.join(run_dir, "render"),
                              epoch, seeds, range(len(seeds)), env_steps=env_steps,
                              run_label=run_name(c))
  _log(log_path, f"evaluation episodes drawn: {', '.join(os.path.relpath(p, run_dir) for p in paths)}"
       f" (in {run_dir})", echo)


def seed_sharding(c):
  """The seed axis split over all local devices (``jax.sharding``), or None
  with one device or ``train.shard_seeds=False``. Every leaf of the run state
  has the seed axis first, so one ``NamedSharding`` places the whole state;
  jit then runs each device's seeds on that device."""
  devices = jax.local_devices()
  if not c.train.shard_seeds or len(devices) == 1:
    return None
  # Checked here, not in config.validate: counting devices starts the JAX
  # backend, which a sweep process (it forks training processes) must not do.
  if int(c.num_seeds) % len(devices):
    raise config_lib.ConfigError(
        f"config.num_seeds = {c.num_seeds}: with train.shard_seeds the seeds are split over "
        f"the {len(devices)} local devices, so num_seeds must be a multiple of "
        f"{len(devices)} (or set train.shard_seeds=False)")
  mesh = jax.sharding.Mesh(np.asarray(devices), ("seeds",))
  return jax.sharding.NamedSharding(mesh, jax.sharding.PartitionSpec("seeds"))


def _place(tree, sharding):
  return tree if sharding is None else jax.device_put(tree, sharding)


def _tensorboard(c, run_dir, rows):
  """A tensorboardX writer in ``<run>/tensorboard`` if ``train.tensorboard``.
  On resume, events past the checkpoint are purged (``purge_step``)."""
  if not c.train.tensorboard:
    return None
  try:
    from tensorboardX import SummaryWriter
  except ImportError:
    raise config_lib.ConfigError(
        "config.train.tensorboard=True needs tensorboardX (pip install tensorboardX; "
        "it comes with brax)") from None
  step = max((int(r["env_steps"]) for r in rows), default=None)
  return SummaryWriter(os.path.join(run_dir, "tensorboard"),
                       purge_step=None if step is None else step + 1)


def _wandb(c, run_dir):
  """A ``WandbLogger`` (one wandb run per seed) if ``train.wandb``."""
  if not c.train.wandb:
    return None
  from hindsight.io.wandb_logger import WandbLogger
  seeds = [int(c.seed) + i for i in range(int(c.num_seeds))]
  return WandbLogger(_jsonable(c.to_dict()), run_dir, run_name(c), seeds,
                     project=c.train.wandb_project, entity=c.train.wandb_entity,
                     mode=c.train.wandb_mode)


def _tb_write(tb, epoch_rows):
  """Seed means of every numeric metric, and each seed's evaluation return,
  at the epoch's env steps."""
  step = int(max(r["env_steps"] for r in epoch_rows))
  skip = {"seed", "epoch", "iteration", "env_steps"}
  for k in epoch_rows[0]:
    if k in skip or k.startswith("eval_return_task_"):
      continue
    tb.add_scalar(k, float(np.mean([r[k] for r in epoch_rows])), step)
  for r in epoch_rows:
    tb.add_scalar(f"seed_{r['seed']}/eval_return_mean", float(r["eval_return_mean"]), step)
  tb.flush()


def config_differences(cfg_path: str, config: Dict[str, Any]) -> List[str]:
  """Dotted keys where the run's ``config.json`` and ``config`` differ.

  The run's identity is its config, wherever the directory now lives
  (``workdir`` is ignored). Keys added to the schema after the run started
  take their defaults (a new key's default keeps the old behaviour), so such
  a run still resumes. A config.json that cannot be read is an error naming
  the file."""
  try:
    stored = files.read_json(cfg_path)
  except ValueError as e:
    raise config_lib.ConfigError(f"{cfg_path} is not readable JSON ({e}); restore it or "
                                 "choose another --config.run_name") from None
  if not isinstance(stored, dict):
    raise config_lib.ConfigError(f"{cfg_path} does not hold a config")
  old = with_schema_defaults(stored)
  return _diff_keys(_jsonable(old), _jsonable(config), skip=("workdir",))


def with_schema_defaults(stored: Dict[str, Any]) -> Dict[str, Any]:
  """A stored config.json with the keys it lacks filled in from the schema
  (of its own family, when that is still registered)."""
  from hindsight import tasks
  env = stored.get("env")
  name = env.get("name") if isinstance(env, dict) else None
  defaults = schema.get_config(name if name in tasks.names() else schema.DEFAULT_FAMILY)
  return _with_defaults(stored, _jsonable(defaults.to_dict()))


def _diff_keys(a, b, prefix="", skip=()) -> List[str]:
  if isinstance(a, dict) and isinstance(b, dict):
    out = []
    for k in sorted(set(a) | set(b)):
      if not prefix and k in skip:
        continue
      out += _diff_keys(a.get(k), b.get(k), f"{prefix}{k}.")
    return out
  return [] if a == b else [prefix[:-1]]


def _with_defaults(d, defaults):
  """``d`` with keys it lacks filled in from ``defaults`` (recursively)."""
  if not isinstance(d, dict) or not isinstance(defaults, dict):
    return d
  out = dict(d)
  for k, v in defaults.items():
    if k not in out:
      out[k] = v
    elif isinstance(v, dict) and k != "options":
      out[k] = _with_defaults(out[k], v)
  return out


def _jsonable(d):
  import json
  return json.loads(json.dumps(d, sort_keys=True, default=str))
