"""Grid points: configs × relabelers × swept values, validated up front,
with deterministic run names and the command that trains each."""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import importlib.util
import itertools
import os
import re
import shlex
import sys
from typing import Any, Dict, List, Optional, Sequence, Tuple

from hindsight import overrides
from hindsight.sweep.errors import SweepError

# Each run is one process of the library's entry point.
TRAIN_MODULE = "hindsight.train"
# Keys the sweep sets itself, and the flag that controls each.
RESERVED = {"relabel.name": "--relabelers", "num_seeds": "--num_seeds",
            "workdir": "--sweep_dir", "run_name": "(derived from the grid point)"}


split_values = overrides.split_values


def parse_value(current: Any, raw: str) -> Any:
  try:
    return overrides.parse_value(current, raw)
  except overrides.OverrideError as e:
    raise SweepError(str(e)) from None


parse_value.__doc__ = overrides.parse_value.__doc__


def set_key(config, key: str, raw: str) -> None:
  try:
    overrides.set_key(config, key, raw)
  except overrides.OverrideError as e:
    raise SweepError(str(e)) from None


set_key.__doc__ = overrides.set_key.__doc__


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
    p.command = ([sys.executable, "-m", TRAIN_MODULE, f"--config={p.config}"]
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


