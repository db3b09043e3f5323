"""Running a sweep: finished points are skipped, the others resume, at most
``max_parallel`` at a time, the manifest updated after every change."""

from __future__ import annotations

import os
import shlex
import signal
import sys
import time
from typing import Any, List, Mapping, Tuple

from hindsight.sweep.errors import Interrupted as _Interrupted
from hindsight.sweep.errors import SweepError
from hindsight.sweep.launchers import LocalLauncher, _echo, _tail, check_launcher, make_launcher
from hindsight.sweep.manifest import MANIFEST, Manifest, _now, lock
from hindsight.sweep.points import Point, grid_points, run_complete

POLL_S = 0.2


def run_points(manifest: Manifest, todo: List[Point], max_parallel: int,
               echo=_echo, launcher=None) -> None:
  """Runs ``todo`` with ``launcher`` (default: local subprocesses), at most
  ``max_parallel`` at a time, updating the manifest after every change."""
  launcher = launcher or LocalLauncher()
  queue = list(todo)
  running: List[Tuple[Point, Any, float]] = []

  def on_term(signum, frame):
    raise _Interrupted(signal.Signals(signum).name)

  old = signal.signal(signal.SIGTERM, on_term)
  try:
    while queue or running:
      while queue and len(running) < max_parallel:
        p = queue.pop(0)
        os.makedirs(os.path.dirname(p.log), exist_ok=True)
        handle, where = launcher.start(p)
        p.status, p.returncode, p.reason = "running", None, ""
        p.started, p.finished, p.wall_s = _now(), None, None
        running.append((p, handle, time.time()))
        manifest.write()
        echo(f"[sweep] start {p.run_name} ({where})")
      time.sleep(POLL_S)
      for item in list(running):
        p, handle, t0 = item
        rc = launcher.poll(handle)
        if rc is None:
          continue
        running.remove(item)
        p.returncode, p.finished, p.wall_s = rc, _now(), round(time.time() - t0, 1)
        if rc == 0:
          p.status = "done"
        else:
          p.status, p.reason = "failed", _tail(p.log) or getattr(launcher, "last_error", "")
        manifest.write()
        echo(f"[sweep] {p.status} {p.run_name} (exit {rc}, {p.wall_s:.0f}s)"
             + ("" if rc == 0 else f"; see {p.log}"))
  except (KeyboardInterrupt, _Interrupted) as e:
    echo(f"[sweep] interrupted ({type(e).__name__} {e}); stopping {len(running)} run(s)")
    launcher.stop([h for _, h, _ in running])
    for p, _, _ in running:
      p.status, p.returncode, p.reason = "pending", None, "interrupted"
      p.finished = _now()
    manifest.write()
    raise
  finally:
    signal.signal(signal.SIGTERM, old)


def sweep(config_paths, relabelers, num_seeds, sweep_dir, max_parallel=1, sets=(),
          grid=(), launcher="local", dry_run=False, argv=None, echo=_echo,
          ray_address="", ray_num_cpus=1.0, ray_num_gpus=0.0) -> Manifest:
  """Builds, validates and runs the grid; returns the final manifest.
  ``launcher``: 'local' (subprocesses) or 'ray' (tasks on the Ray cluster at
  ``ray_address``, each reserving ``ray_num_cpus``/``ray_num_gpus``)."""
  check_launcher(launcher, ray_address)
  points, described = grid_points(config_paths, relabelers, num_seeds, sweep_dir, sets, grid)
  return run_sweep(points, sweep_dir, described, max_parallel, launcher, dry_run, argv, echo,
                   ray_address, ray_num_cpus, ray_num_gpus)


def run_sweep(points: List[Point], sweep_dir: str, described: Mapping[str, Any],
              max_parallel=1, launcher="local", dry_run=False, argv=None, echo=_echo,
              ray_address="", ray_num_cpus=1.0, ray_num_gpus=0.0) -> Manifest:
  """Runs ``points`` (from ``grid_points``; several grids' points may be
  joined, their run names must differ) in ``sweep_dir``, at most
  ``max_parallel`` at a time: finished runs are skipped, the others resume;
  the manifest keeps entries of points not given here. ``described`` is the
  grid as the manifest records it."""
  from hindsight.io import files

  check_launcher(launcher, ray_address)
  names = [p.run_name for p in points]
  twice = sorted({n for n in names if names.count(n) > 1})
  if twice:
    raise SweepError(f"grid points share run names: {', '.join(twice)}")
  sweep_dir = os.path.abspath(sweep_dir)
  os.makedirs(sweep_dir, exist_ok=True)
  held = lock(sweep_dir)
  try:
    path = os.path.join(sweep_dir, MANIFEST)
    old = files.read_json(path) if os.path.exists(path) else {}
    names = {p.run_name for p in points}
    others = [q for q in old.get("points", []) if q.get("run_name") not in names]
    argv = list(sys.argv if argv is None else argv)
    header = {
        "command": shlex.join([sys.executable] + argv), "argv": argv,
        "cwd": os.getcwd(), "created": old.get("created", _now()),
        "grid": {**described, "max_parallel": int(max_parallel), "launcher": launcher},
    }
    previous = {q.get("run_name"): q for q in old.get("points", [])}
    todo = []
    for p in points:
      if p.status == "skipped":
        continue
      if run_complete(os.path.join(sweep_dir, p.run_name), p.num_epochs, p.seeds):
        prev = previous.get(p.run_name, {})
        p.status = "done"
        p.returncode = prev.get("returncode", 0) if prev.get("status") == "done" else 0
        for k in ("started", "finished", "wall_s"):
          setattr(p, k, prev.get(k))
      else:
        todo.append(p)
    # A run directory that holds another config (the sweep's --set or grid
    # changed) would fail and be marked so: refuse before touching anything.
    from hindsight.config import ConfigError
    from hindsight.training.run import config_differences
    clash = []
    for p in points:
      cfg = os.path.join(sweep_dir, p.run_name, "config.json")
      if p.status != "skipped" and p.resolved is not None and os.path.exists(cfg):
        try:
          diff = config_differences(cfg, {**p.resolved, "workdir": sweep_dir})
        except ConfigError as e:
          diff = [str(e)]
        if diff:
          clash.append(f"{p.run_name} ({', '.join(diff[:4])})")
    if clash:
      raise SweepError(f"{sweep_dir} already holds runs of a different grid: "
                       f"{'; '.join(clash[:5])}{' …' if len(clash) > 5 else ''} differ; "
                       "use another --sweep_dir for the changed grid")
    manifest = Manifest(path, header, points, others)
    manifest.write()
    skipped = [p for p in points if p.status == "skipped"]
    done = [p for p in points if p.status == "done"]
    echo(f"[sweep] {len(points)} grid points in {sweep_dir}: {len(todo)} to run, "
         f"{len(done)} already done, {len(skipped)} skipped")
    for p in skipped:
      echo(f"[sweep] skip {p.run_name}: {p.reason}")
    if dry_run:
      for p in todo:
        echo(shlex.join(p.command))
      return manifest
    runner = make_launcher(launcher, ray_address, ray_num_cpus, ray_num_gpus) if todo else None
    try:
      run_points(manifest, todo, max_parallel, echo, runner)
    finally:
      if runner is not None:
        runner.close()
    failed = [p for p in points if p.status == "failed"]
    echo(f"[sweep] finished: {sum(p.status == 'done' for p in points)} done, "
         f"{len(failed)} failed, {len(skipped)} skipped; manifest {path}")
    return manifest
  finally:
    held.close()
