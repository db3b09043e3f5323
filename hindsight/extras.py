"""Optional dependencies (pyproject extras), imported where a feature needs
them, with a one-line message naming the extra when one is missing."""

from __future__ import annotations

import importlib
import importlib.util

from hindsight.config import ConfigError

DISTRIBUTION = "hindsight-jax"


class MissingExtraError(ConfigError):
  """A feature needs an optional dependency that is not installed."""


def available(module: str) -> bool:
  return importlib.util.find_spec(module) is not None


def require(module: str, extra: str, feature: str):
  """``import module``, or ``MissingExtraError`` saying which extra to install."""
  try:
    return importlib.import_module(module)
  except ImportError:
    raise MissingExtraError(
        f"{feature} needs {module.split('.')[0]}, which is not installed: "
        f"pip install '{DISTRIBUTION}[{extra}]' (or pip install {module.split('.')[0]})"
    ) from None
