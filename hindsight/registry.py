"""A tiny name → factory registry with errors that list the valid names."""

from __future__ import annotations

from typing import Any, Callable, Dict, List


class Registry:
  """Maps names to factories; ``make`` on an unknown name lists the known ones."""

  def __init__(self, kind: str, plural: str | None = None):
    self.kind = kind
    self.plural = plural or kind + "s"
    self._entries: Dict[str, Callable[..., Any]] = {}

  def register(self, name: str, factory: Callable[..., Any] | None = None):
    """Registers ``factory`` under ``name``; usable as a decorator."""

    def _add(f):
      if name in self._entries:
        raise ValueError(f"{self.kind} {name!r} is already registered")
      self._entries[name] = f
      return f

    return _add(factory) if factory is not None else _add

  def names(self) -> List[str]:
    return sorted(self._entries)

  def check(self, name: str) -> None:
    if name not in self._entries:
      raise ValueError(
          f"unknown {self.kind} {name!r}; known {self.plural}: "
          + ", ".join(self.names()))

  def get(self, name: str) -> Callable[..., Any]:
    self.check(name)
    return self._entries[name]

  def make(self, name: str, **options) -> Any:
    factory = self.get(name)
    try:
      return factory(**options)
    except TypeError as e:
      raise ValueError(f"bad options for {self.kind} {name!r}: {e}") from None
