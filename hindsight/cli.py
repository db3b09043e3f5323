"""Shared command-line plumbing for the ``experiments/`` entry points.

``run_main(main)`` checks every ``--config.<key>`` override against the schema
of ``hindsight.schema`` before absl parses the flags, so an unknown key is a
one-line usage error that lists the valid keys (ml_collections would otherwise
fail inside flag parsing with a traceback).

Sequence-valued keys (``learner.hidden_sizes``) are parsed here as whole
values: ``(256, 256)``, ``256,256``, ``[8]`` or ``()``; a repeated override
replaces the earlier one (absl would concatenate them), and a value that is
not a sequence of integers is a one-line error. They are taken off the
command line before absl sees them and applied by ``config_value``.
"""

from __future__ import annotations

import os
import sys
from typing import Any, Callable, Dict, Sequence

from absl import app

from hindsight.config import _FREE_BLOCKS
from hindsight.overrides import parse_int_sequence


def _config_file_options(argv) -> dict | None:
  """env.options of the ``--config=<file>`` named on the command line."""
  from hindsight import schema
  path = next((a.split("=", 1)[1] for a in argv[1:] if a.startswith("--config=")), None)
  if path is None:
    return None
  try:
    return schema.load(path).env.options.to_dict()
  except Exception:  # the flag parser reports unreadable files itself
    return None


def unknown_override(argv: Sequence[str]) -> str | None:
  """The error message for the first unknown ``--config.*`` key, if any."""
  from hindsight import schema as schema_lib
  schema = schema_lib.get_config().to_dict()
  for arg in argv[1:]:
    if not arg.startswith("--config."):
      continue
    path = arg[len("--config."):].split("=", 1)[0]
    node, seen = schema, []
    for part in path.split("."):
      if ".".join(seen) in _FREE_BLOCKS:
        options = _config_file_options(argv)
        if options is not None and part not in options:
          return (f"unknown config key config.{path}; the config file's family options "
                  f"are: {', '.join(sorted(options))}")
        break
      if not isinstance(node, dict) or part not in node:
        where = f" in config.{'.'.join(seen)}" if seen else ""
        valid = ", ".join(sorted(node)) if isinstance(node, dict) else "(none: a value)"
        return f"unknown config key config.{path}; valid keys{where}: {valid}"
      node = node[part]
      seen.append(part)
  return None


_SEQUENCE_OVERRIDES: Dict[str, tuple] = {}


def _schema_value(path: str) -> Any:
  from hindsight import schema as schema_lib
  node: Any = schema_lib.get_config().to_dict()
  for part in path.split("."):
    if not isinstance(node, dict) or part not in node:
      return None
    node = node[part]
  return node


def split_sequence_overrides(argv: Sequence[str]):
  """(argv without sequence-valued overrides, {key: tuple}); the last of a
  repeated key wins."""
  rest, found = [], {}
  for arg in argv:
    if arg.startswith("--config.") and "=" in arg:
      path, raw = arg[len("--config."):].split("=", 1)
      if isinstance(_schema_value(path), (tuple, list)):
        found[path] = parse_int_sequence(path, raw)
        continue
    rest.append(arg)
  return rest, found


def config_value(flag_value):
  """The parsed ``--config`` with the sequence-valued overrides applied."""
  for path, value in _SEQUENCE_OVERRIDES.items():
    *blocks, leaf = path.split(".")
    node = flag_value
    for b in blocks:
      node = node[b]
    node[leaf] = value
  return flag_value


def _parser(argv):
  argv = [a for a in argv if a != "--verbose"]  # read by ``guarded``
  msg = unknown_override(argv)
  if not msg:
    try:
      argv, found = split_sequence_overrides(argv)
      _SEQUENCE_OVERRIDES.clear()
      _SEQUENCE_OVERRIDES.update(found)
    except ValueError as e:
      msg = str(e)
  if msg:
    print(f"FATAL Flags parsing error: {msg}", file=sys.stderr)
    sys.exit(2)
  return app.parse_flags_with_usage(argv)


def _user_errors():
  """The errors a user can cause (bad config, damaged or mismatched files, a
  non-finite stop, a workdir that cannot be written, a full disk)."""
  from hindsight.config import ConfigError
  from hindsight.io.checkpoint import CheckpointError
  from hindsight.io.dataset import DatasetError
  from hindsight.training.run import NonFiniteError
  return (ConfigError, CheckpointError, DatasetError, NonFiniteError, OSError)


def guarded(main: Callable) -> Callable:
  """``main`` with user errors printed as one line (exit 1); ``--verbose``
  (or HINDSIGHT_VERBOSE=1) shows the traceback instead."""
  def wrapped(argv):
    try:
      return main(argv)
    except _user_errors() as e:
      if "--verbose" in sys.argv or os.environ.get("HINDSIGHT_VERBOSE") == "1":
        raise
      print(f"error: {type(e).__name__}: {e}", file=sys.stderr)
      sys.exit(1)
  return wrapped


def run_main(main: Callable, start_backend: bool = True) -> None:
  """Runs an entry point with library start-up noise kept off the terminal
  (``hindsight.io.console``); ``start_backend=False`` for processes that only
  launch others and must not start JAX's backend (sweeps)."""
  from hindsight.io import console
  console.enable()
  console.import_libraries()
  if start_backend:
    console.start_backend()
  app.run(guarded(main), flags_parser=_parser)
