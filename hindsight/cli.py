"""Shared command-line plumbing for the ``experiments/`` entry points.

``run_main(main)`` checks every ``--config.<key>`` override against the schema
of ``configs/base.py`` before absl parses the flags, so an unknown key is a
one-line usage error that lists the valid keys (ml_collections would otherwise
fail inside flag parsing with a traceback).
"""

from __future__ import annotations

import sys
from typing import Callable, Sequence

from absl import app

from hindsight.config import _FREE_BLOCKS


def _config_file_options(argv) -> dict | None:
  """env.options of the ``--config=<file>`` named on the command line."""
  import importlib.util
  path = next((a.split("=", 1)[1] for a in argv[1:] if a.startswith("--config=")), None)
  if path is None:
    return None
  try:
    spec = importlib.util.spec_from_file_location("_hindsight_cli_config", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.get_config().env.options.to_dict()
  except Exception:  # the flag parser reports unreadable files itself
    return None


def unknown_override(argv: Sequence[str]) -> str | None:
  """The error message for the first unknown ``--config.*`` key, if any."""
  from configs import base
  schema = base.get_config().to_dict()
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


def _parser(argv):
  msg = unknown_override(argv)
  if msg:
    print(f"FATAL Flags parsing error: {msg}", file=sys.stderr)
    sys.exit(2)
  return app.parse_flags_with_usage(argv)


def run_main(main: Callable) -> None:
  app.run(main, flags_parser=_parser)
