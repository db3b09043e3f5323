"""The distribution's name and extras (pyproject.toml)."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _project():
  with open(ROOT / "pyproject.toml", "rb") as f:
    return tomllib.load(f)["project"]


def _names(reqs):
  import re
  return {re.split(r"[<>=!~\[ ;]", r, maxsplit=1)[0].lower() for r in reqs}


def test_distribution_name_is_not_the_taken_one():
  # 'hindsight' on PyPI is an unrelated project; the import name stays hindsight.
  p = _project()
  assert p["name"] == "hindsight-jax"
  assert (ROOT / "hindsight" / "__init__.py").exists()
  readme = (ROOT / "README.md").read_text()
  assert "hindsight-jax" in readme


def test_optional_features_are_extras_not_base_dependencies():
  p = _project()
  base = _names(p["dependencies"])
  extras = p["optional-dependencies"]
  for extra, pkg in (("render", "matplotlib"), ("wandb", "wandb"), ("datasets", "h5py")):
    assert pkg in _names(extras[extra]), extra
    assert pkg not in base, pkg
