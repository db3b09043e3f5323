"""Relabeling strategies behind one interface: ``relabel(key, batch, ctx) -> f32[B, D]``.

``make(name, **options)`` builds one; ``names()`` lists them. Adding a strategy:
a frozen dataclass subclassing ``base.Relabeler`` in its own file, registered
below; its dataclass fields are its ``relabel.<name>`` config block
(``hindsight.schema``), with their defaults.
"""

from hindsight.registry import Registry
from hindsight.relabel import core
from hindsight.relabel.base import Relabeler, RelabelContext, mix_tasks, task_changed
from hindsight.relabel.advantage import AdvantageRelabel
from hindsight.relabel.air import AIR
from hindsight.relabel.her import HER
from hindsight.relabel.hipi import HIPI
from hindsight.relabel.simple import NoRelabel, RandomRelabel

REGISTRY = Registry("relabeler")
REGISTRY.register("none", NoRelabel)
REGISTRY.register("random", RandomRelabel)
REGISTRY.register("her", HER)
REGISTRY.register("air", AIR)
REGISTRY.register("advantage", AdvantageRelabel)
REGISTRY.register("hipi", HIPI)


def make(name: str, **options) -> Relabeler:
  return REGISTRY.make(name, **options)


def names():
  return REGISTRY.names()


__all__ = ["Relabeler", "RelabelContext", "core", "make", "mix_tasks", "names",
           "task_changed"]
