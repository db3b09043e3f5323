"""Sweeps: a grid of training runs, each one ``python -m hindsight.train`` process.

The library behind ``experiments/sweep.py`` (which documents the flags) and
``experiments/reproduce.py``, by responsibility:
- ``points``: building and validating grid points, run names, commands;
- ``manifest``: the manifest and the sweep directory's lock;
- ``launchers``: local subprocesses or tasks of a Ray cluster;
- ``runner``: running the points, resuming unfinished ones.
Overrides (``--set``, ``--grid``) are parsed by ``hindsight.overrides``.
"""

from hindsight.sweep.errors import SweepError
from hindsight.sweep.launchers import (LAUNCHERS, LocalLauncher, RayLauncher, check_launcher,
                                       make_launcher)
from hindsight.sweep.manifest import MANIFEST, Manifest, lock
from hindsight.sweep.points import (RESERVED, TRAIN_MODULE, Point, assign_run_names, base_name,
                                    build_points, expected_epochs, grid_points, load_config,
                                    parse_assignment, parse_value, run_complete, set_key,
                                    split_values)
from hindsight.sweep.runner import run_points, run_sweep, sweep

__all__ = ["LAUNCHERS", "MANIFEST", "RESERVED", "TRAIN_MODULE", "LocalLauncher", "Manifest",
           "Point", "RayLauncher", "SweepError", "assign_run_names", "base_name",
           "build_points", "check_launcher", "expected_epochs", "grid_points", "load_config",
           "lock", "make_launcher", "parse_assignment", "parse_value", "run_complete",
           "run_points", "run_sweep", "set_key", "split_values", "sweep"]
