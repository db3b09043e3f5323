"""Config overrides written as text (``key=value``): the one parser the
command line, sweeps (``--set``, ``--grid``) and studies share.

Values are parsed as ml_collections' flags parse them: strings stay verbatim,
booleans accept true/false/1/0/yes/no, anything else is a Python literal (or
the string); sequence-valued keys take a whole sequence of integers.
"""

from __future__ import annotations

import ast
from typing import Any, List


class OverrideError(ValueError):
  """An override that cannot be applied; the message names the key."""


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
    raise OverrideError(f"{raw!r} is not a boolean")
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
      raise OverrideError(f"unknown config key {key!r}: no {part!r} in {where}; "
                       f"valid keys there: {valid}")
    if i < len(parts) - 1:
      node = node[part]
  current = node[parts[-1]]
  if hasattr(current, "keys"):
    raise OverrideError(f"config key {key!r} is a block; set one of its keys: "
                     f"{', '.join(sorted(current.keys()))}")
  try:
    node[parts[-1]] = parse_value(current, raw)
  except (TypeError, ValueError) as e:
    raise OverrideError(f"cannot set config.{key}={raw!r}: {e}") from None


def parse_int_sequence(path: str, raw: str) -> tuple:
  """``raw`` as a tuple of integers (a whole value), or ValueError naming the key."""
  text = raw.strip()
  try:
    value = ast.literal_eval(text if text else "()")
  except (ValueError, SyntaxError):
    value = None
  if isinstance(value, int) and not isinstance(value, bool):
    value = (value,)
  if not isinstance(value, (tuple, list)) or not all(
      isinstance(v, int) and not isinstance(v, bool) for v in value):
    raise ValueError(f"config.{path} = {raw!r} is not a sequence of integers; write e.g. "
                     f"--config.{path}='(256, 256)' or --config.{path}=256,256")
  return tuple(value)
