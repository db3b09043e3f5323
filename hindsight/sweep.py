"""Sweeps: a grid of training runs, each one ``experiments/train.py`` process.

The library behind ``experiments/sweep.py`` (which documents the flags) and
``experiments/reproduce.py``: building and validating grid points, run
names, the manifest, and launching points as local subprocesses.
"""


from __future__ import annotations

import ast
import copy
import dataclasses
import errno
import fcntl
import hashlib
import importlib.util
import itertools
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

# experiments/train.py of this checkout (the package is installed editable).
TRAIN = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                     "experiments", "train.py")
MANIFEST = "manifest.json"
LAUNCHERS = ("local", "ray")
# Keys the sweep sets itself, and the flag that controls each.
RESERVED = {"relabel.name": "--relabelers", "num_seeds": "--num_seeds",
            "workdir": "--sweep_dir", "run_name": "(derived from the grid point)"}
POLL_S = 0.2


class SweepError(Exception):
  """A sweep that cannot start; the message says why."""


class _Interrupted(Exception):
  pass


# ------------------------------------------------------------ config values --

def split_values(text: str) -> List[str]:
  """Splits on commas outside brackets/quotes: '(1,2),(3,4)' → ['(1,2)', '(3,4)']."""
  out, depth, quote, cur = [], 0, None, []
  for ch in text:
    if quote:
      quote = None if ch == quote else quote
    elif ch in "'\"":
      quote = ch
    elif ch in "([{":
      depth += 1
    elif ch in ")]}":
      depth -= 1
    elif ch == "," and depth == 0:
      out.append("".join(cur).strip())
      cur = []
      continue
    cur.append(ch)
  out.append("".join(cur).strip())
  return [v for v in out if v != ""]


def parse_assignment(text: str, flag: str) -> Tuple[str, str]:
  key, sep, value = text.partition("=")
  key = key.strip()
  if key.startswith("config."):
    key = key[len("config."):]
  if not sep or not key:
    raise SweepError(f"--{flag}={text!r}: expected key=value, e.g. "
                     "--set=train.total_env_steps=3200")
  if key in RESERVED:
    raise SweepError(f"--{flag}: {key!r} is set by the sweep; use {RESERVED[key]}")
  return key, value


def parse_value(current: Any, raw: str) -> Any:
  """The value of ``raw`` for a field now holding ``current``, parsed as
  ml_collections' flags do: strings stay verbatim, booleans accept
  true/false/1/0/yes/no, anything else is a Python literal (or the string)."""
  if isinstance(current, str):
    return raw
  if isinstance(current, bool):
    low = raw.strip().lower()
    if low in ("true", "t", "1", "yes", "y"):
      return True
    if low in ("false", "f", "0", "no", "n"):
      return False
    raise SweepError(f"{raw!r} is not a boolean")
  try:
    value = ast.literal_eval(raw.strip())
  except (ValueError, SyntaxError):
    return raw
  if isinstance(current, float) and isinstance(value, int) and not isinstance(value, bool):
    value = float(value)
  return value


def set_key(config, key: str, raw: str) -> None:
  """``config.<key> = parse_value(raw)``; unknown keys list the valid ones."""
  parts = key.split(".")
  node = config
  for i, part in enumerate(parts):
    where = ".".join(parts[:i]) or "the config"
    if not hasattr(node, "keys") or part not in node.keys():
      valid = ", ".join(sorted(node.keys())) if hasattr(node, "keys") else "(not a block)"
      raise SweepError(f"unknown config key {key!r}: no {part!r} in {where}; "
                       f"valid keys there: {valid}")
    if i < len(parts) - 1:
      node = node[part]
  current = node[parts[-1]]
  if hasattr(current, "keys"):
    raise SweepError(f"config key {key!r} is a block; set one of its keys: "
                     f"{', '.join(sorted(current.keys()))}")
  try:
    node[parts[-1]] = parse_value(current, raw)
  except (TypeError, ValueError, SweepError) as e:
    raise SweepError(f"cannot set config.{key}={raw!r}: {e}") from None


def load_config(path: str):
  """``get_config()`` of a config file, loaded by path (as config_flags does)."""
  if not os.path.isfile(path):
    raise SweepError(f"--configs: no config file {path!r}")
  name = "_sweep_config_" + re.sub(r"\W", "_", os.path.abspath(path))
  spec = importlib.util.spec_from_file_location(name, path)
  module = importlib.util.module_from_spec(spec)
  spec.loader.exec_module(module)
  if not hasattr(module, "get_config"):
    raise SweepError(f"{path} has no get_config()")
  return module.get_config()


# ------------------------------------------------------------------- points --

@dataclasses.dataclass
class Point:
  config: str                      # config file, as given
  relabeler: str
  grid: Dict[str, str]             # swept key -> raw value
  run_name: str = ""
  command: List[str] = dataclasses.field(default_factory=list)
  status: str = "pending"          # pending | running | done | failed | skipped
  returncode: Optional[int] = None
  reason: str = ""                 # why skipped / failed / interrupted
  log: str = ""
  num_epochs: int = 0              # evaluations each seed has when finished
  seeds: List[int] = dataclasses.field(default_factory=list)
  started: Optional[str] = None
  finished: Optional[str] = None
  wall_s: Optional[float] = None
  resolved: Optional[Dict[str, Any]] = None  # the validated config (not in the manifest)

  def to_json(self) -> Dict[str, Any]:
    d = dataclasses.asdict(self)
    d.pop("resolved")
    d["command_line"] = shlex.join(self.command)
    return d


def _slug(text: str) -> str:
  return re.sub(r"_+", "_", re.sub(r"[^A-Za-z0-9._=+-]", "_", text)).strip("_")


def base_name(config_path: str, relabeler: str, grid: Dict[str, str]) -> str:
  """``<config file stem>-<relabeler>[-<key>=<value>…]``, a swept key named
  by its last component unless two swept keys share it."""
  stem = os.path.splitext(os.path.basename(config_path))[0]
  last = [k.split(".")[-1] for k in grid]
  short = len(set(last)) == len(last)
  parts = [stem, relabeler] + [f"{k.split('.')[-1] if short else k}={v}"
                               for k, v in grid.items()]
  return "-".join(_slug(p) for p in parts)


def assign_run_names(points: Sequence[Point]) -> None:
  """Deterministic, unique run names: a short hash is appended only to names
  that would otherwise collide (configs with the same file name, …)."""
  names = [base_name(p.config, p.relabeler, p.grid) for p in points]
  counts: Dict[str, int] = {}
  for n in names:
    counts[n] = counts.get(n, 0) + 1
  for p, n in zip(points, names):
    if counts[n] > 1:
      key = repr((os.path.normpath(p.config), p.relabeler, sorted(p.grid.items())))
      n = f"{n}-{hashlib.sha1(key.encode()).hexdigest()[:6]}"
    p.run_name = n


def expected_epochs(c, family) -> int:
  """Epochs a run trains."""
  from hindsight.training.run import num_epochs
  return num_epochs(c, family.horizon)


def build_points(config_paths: Sequence[str], relabelers: Sequence[str], num_seeds: int,
                 sets: Sequence[Tuple[str, str]], grid: Sequence[Tuple[str, List[str]]],
                 sweep_dir: str) -> List[Point]:
  """Validates every point up front. Relabelers that do not apply to a family
  become 'skipped'; any other invalid point stops the sweep before it starts."""
  from hindsight import config as config_lib

  points: List[Point] = []
  configs = {}
  for path in config_paths:
    c = load_config(path)
    for key, raw in sets:
      set_key(c, key, raw)
    configs[path] = c
  combos = list(itertools.product(*[[(k, v) for v in vs] for k, vs in grid]))
  for path in config_paths:
    for combo in combos:
      for relabeler in relabelers:
        points.append(Point(config=path, relabeler=relabeler, grid=dict(combo)))
  assign_run_names(points)

  base_checked = set()
  for p in points:
    c = copy.deepcopy(configs[p.config])
    for key, raw in p.grid.items():
      set_key(c, key, raw)
    c.num_seeds = int(num_seeds)
    c.workdir = sweep_dir
    c.run_name = p.run_name
    what = p.config + "".join(f" {k}={v}" for k, v in p.grid.items())
    # The point without relabeling must be valid: otherwise the sweep's
    # flags are wrong, not the relabeler.
    gkey = (p.config, tuple(p.grid.items()))
    if gkey not in base_checked:
      c0 = copy.deepcopy(c)
      c0.relabel.name = "none"
      try:
        config_lib.validate(c0)
      except config_lib.ConfigError as e:
        raise SweepError(f"{what}: {e}") from None
      base_checked.add(gkey)
    c.relabel.name = p.relabeler
    try:
      valid = config_lib.validate(c)
    except config_lib.NotApplicableError as e:
      p.status, p.reason = "skipped", str(e)  # e.g. HER on a family without a goal
      continue
    except config_lib.ConfigError as e:
      # A misspelled name or an impossible value: nothing starts.
      raise SweepError(f"{what} relabel={p.relabeler}: {e}") from None
    p.resolved = valid.to_dict()
    p.num_epochs = expected_epochs(valid, config_lib.make_family(valid))
    p.seeds = [int(valid.seed) + i for i in range(int(valid.num_seeds))]
    p.command = ([sys.executable, TRAIN, f"--config={p.config}"]
                 + [f"--config.{k}={v}" for k, v in sets]
                 + [f"--config.{k}={v}" for k, v in p.grid.items()]
                 + [f"--config.relabel.name={p.relabeler}",
                    f"--config.num_seeds={int(num_seeds)}",
                    f"--config.workdir={sweep_dir}",
                    f"--config.run_name={p.run_name}"])
    p.log = os.path.join(sweep_dir, "logs", f"{p.run_name}.txt")
  return points


def run_complete(run_dir: str, num_epochs: int, seeds: Sequence[int]) -> bool:
  """Every seed has a metrics row for the final epoch."""
  from hindsight.io import files
  path = os.path.join(run_dir, "metrics.csv")
  if not os.path.exists(path) or num_epochs < 1:
    return False
  try:
    rows = files.read_csv(path)
  except (OSError, ValueError):
    return False
  have = {int(r["seed"]) for r in rows
          if r.get("epoch") is not None and int(r["epoch"]) >= num_epochs}
  return set(seeds) <= have


# ----------------------------------------------------------------- manifest --

def _now() -> str:
  return time.strftime("%Y-%m-%dT%H:%M:%S")


class Manifest:
  def __init__(self, path: str, header: Dict[str, Any], points: List[Point],
               others: List[Dict[str, Any]]):
    self.path, self.header, self.points, self.others = path, header, points, others

  def write(self) -> None:
    from hindsight.io import files
    counts: Dict[str, int] = {}
    for p in self.points:
      counts[p.status] = counts.get(p.status, 0) + 1
    files.write_json(self.path, {
        **self.header, "updated": _now(), "counts": counts,
        "points": [p.to_json() for p in self.points] + self.others})


def _tail(path: str, n: int = 15) -> str:
  try:
    with open(path, errors="replace") as f:
      return "".join(f.readlines()[-n:]).strip()
  except OSError:
    return ""


def _die_with_parent():
  """Child processes get SIGTERM if the sweep process dies (Linux)."""
  try:
    import ctypes
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
  except Exception:  # pylint: disable=broad-except
    pass


def _echo(*args):
  print(*args, flush=True)


class LocalLauncher:
  """Grid points as subprocesses of this process."""

  name = "local"

  def start(self, p: Point):
    logf = open(p.log, "a")
    logf.write(f"\n=== {_now()} {shlex.join(p.command)}\n")
    logf.flush()
    proc = subprocess.Popen(p.command, stdout=logf, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent)
    return (proc, logf), f"pid {proc.pid}"

  def poll(self, handle) -> Optional[int]:
    proc, logf = handle
    rc = proc.poll()
    if rc is not None:
      logf.close()
    return rc

  def stop(self, handles) -> None:
    for proc, _ in handles:
      proc.terminate()
    deadline = time.time() + 10
    for proc, logf in handles:
      try:
        proc.wait(timeout=max(0.1, deadline - time.time()))
      except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
      logf.close()

  def close(self) -> None:
    pass


def _ray_run_point(command: List[str], log: str, cwd: str) -> int:
  """Body of the Ray task: the grid point's command on the worker, its output
  appended to the point's log (paths are shared between the nodes)."""
  os.makedirs(os.path.dirname(log), exist_ok=True)
  with open(log, "a") as logf:
    logf.write(f"\n=== {_now()} on {os.uname().nodename} (ray): {shlex.join(command)}\n")
    logf.flush()
    return subprocess.run(command, stdout=logf, stderr=subprocess.STDOUT, cwd=cwd,
                          stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent).returncode


class RayLauncher:
  """Grid points as tasks of an existing Ray cluster (``pip install -e
  '.[cluster]'``). Each task runs the point's ``experiments/train.py`` command
  on whichever node Ray picks, so every node needs this checkout, its Python
  environment and the sweep directory at the same paths (a shared file
  system); the manifest is written by this process only. ``num_cpus`` /
  ``num_gpus`` are the resources Ray reserves per point."""

  name = "ray"

  def __init__(self, address: str, num_cpus: float = 1.0, num_gpus: float = 0.0):
    try:
      import ray
    except ImportError:
      raise SweepError("--launcher=ray needs Ray: pip install -e '.[cluster]'") from None
    if not address:
      raise SweepError("--launcher=ray needs --ray_address=HOST:PORT of a running cluster "
                       "(`ray start --head` prints it)")
    self.ray = ray
    try:
      ray.init(address=address, log_to_driver=False, include_dashboard=False,
               ignore_reinit_error=True)
    except (ConnectionError, RuntimeError, ValueError) as e:
      raise SweepError(f"cannot connect to the Ray cluster at {address!r}: {e}") from None
    self.remote = ray.remote(num_cpus=num_cpus, num_gpus=num_gpus, max_retries=0)(
        _ray_run_point)
    self.cwd = os.getcwd()
    self.last_error = ""

  def start(self, p: Point):
    ref = self.remote.remote(p.command, p.log, self.cwd)
    return ref, f"ray task {ref.task_id().hex()[:12]}"

  def poll(self, ref) -> Optional[int]:
    ready, _ = self.ray.wait([ref], timeout=0)
    if not ready:
      return None
    try:
      return int(self.ray.get(ref))
    except self.ray.exceptions.RayError as e:  # the task died (node lost, cancelled)
      self.last_error = f"the Ray task failed: {e}"
      return -1

  def stop(self, refs) -> None:
    for ref in refs:
      self.ray.cancel(ref, force=True)

  def close(self) -> None:
    self.ray.shutdown()


def check_launcher(name: str, ray_address: str = "") -> None:
  """The launcher's flags, checked before anything is written."""
  if name not in LAUNCHERS:
    raise SweepError(f"--launcher={name!r} is not available; launchers: {', '.join(LAUNCHERS)}")
  if name == "ray":
    if importlib.util.find_spec("ray") is None:
      raise SweepError("--launcher=ray needs Ray: pip install -e '.[cluster]'")
    if not ray_address:
      raise SweepError("--launcher=ray needs --ray_address=HOST:PORT of a running cluster "
                       "(`ray start --head` prints it)")
    _probe(ray_address)


def _probe(address: str, timeout_s: float = 10.0) -> None:
  """Something listens at HOST:PORT (``ray.init`` would retry for minutes)."""
  import socket
  host, sep, port = address.replace("ray://", "").rpartition(":")
  if not sep or not port.isdigit():
    raise SweepError(f"--ray_address={address!r}: expected HOST:PORT, e.g. 127.0.0.1:6379")
  try:
    socket.create_connection((host, int(port)), timeout=timeout_s).close()
  except OSError as e:
    raise SweepError(f"cannot connect to the Ray cluster at {address!r}: {e} (is `ray start "
                     "--head` running there?)") from None


def make_launcher(name: str, ray_address: str = "", ray_num_cpus: float = 1.0,
                  ray_num_gpus: float = 0.0):
  if name == "local":
    return LocalLauncher()
  if name == "ray":
    return RayLauncher(ray_address, ray_num_cpus, ray_num_gpus)
  raise SweepError(f"--launcher={name!r} is not available; launchers: {', '.join(LAUNCHERS)}")


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


def _lock(sweep_dir: str):
  f = open(os.path.join(sweep_dir, ".sweep.lock"), "w")
  try:
    fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
  except OSError as e:
    if e.errno in (errno.EAGAIN, errno.EACCES):
      raise SweepError(f"another sweep is running in {sweep_dir} (it holds "
                       f"{f.name}); wait for it or stop it first") from None
    raise
  return f


def grid_points(config_paths, relabelers, num_seeds, sweep_dir, sets=(), grid=()
                ) -> Tuple[List[Point], Dict[str, Any]]:
  """The validated points of one grid (configs × relabelers × swept values,
  every run with ``sets``), and its description for the manifest."""
  if not config_paths:
    raise SweepError("--configs: give at least one config file")
  if not relabelers:
    raise SweepError("--relabelers: give at least one relabeler")
  for flag, items in (("configs", config_paths), ("relabelers", relabelers)):
    if len(set(items)) != len(items):
      raise SweepError(f"--{flag} lists an entry twice: {','.join(items)}")
  sets = [parse_assignment(s, "set") for s in sets]
  grid_pairs = []
  for g in grid:
    key, raw = parse_assignment(g, "grid")
    values = split_values(raw)
    if not values:
      raise SweepError(f"--grid={g!r}: no values")
    grid_pairs.append((key, values))
  swept = [k for k, _ in grid_pairs]
  if len(set(swept)) != len(swept) or set(swept) & {k for k, _ in sets}:
    raise SweepError("a key is given twice across --grid and --set")
  points = build_points(config_paths, relabelers, num_seeds, sets, grid_pairs,
                        os.path.abspath(sweep_dir))
  return points, {"configs": list(config_paths), "relabelers": list(relabelers),
                  "num_seeds": int(num_seeds), "set": dict(sets),
                  "grid": {k: v for k, v in grid_pairs}}


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
  lock = _lock(sweep_dir)
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
    lock.close()
