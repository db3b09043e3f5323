"""The notebooks run top to bottom (nbclient): compare_relabelers on the tiny
sweep of tests/conftest.py, relabeling_explained on its own."""

from pathlib import Path

import pytest

from tests.conftest import start_tiny_sweep, stop_tiny_sweep

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("matplotlib")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"


# The background work starts only when a selected test uses it.
BACKGROUND_FIXTURES = ("tiny_sweep",)


def start_background():
  """Called by tests/conftest.py when collection finishes."""
  start_tiny_sweep()


def stop_background():
  stop_tiny_sweep()


def execute(name, monkeypatch, **env):
  """Runs a notebook in a fresh kernel (its folder as working directory);
  returns the executed notebook. A failing cell raises with its traceback."""
  monkeypatch.setenv("JAX_PLATFORMS", "cpu")
  monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
  for k, v in env.items():
    monkeypatch.setenv(k, v)
  nb = nbformat.read(str(NOTEBOOKS / name), as_version=4)
  nbformat.validate(nb)
  client = nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                                   resources={"metadata": {"path": str(NOTEBOOKS)}})
  client.execute()
  return nb


def outputs(nb, kind):
  """All outputs of code cells: 'text' (streams and text/plain), 'markdown',
  'png'."""
  found = []
  for cell in nb.cells:
    for out in cell.get("outputs", []):
      if kind == "text" and out.get("output_type") == "stream":
        found.append(out["text"])
      data = out.get("data", {})
      if kind == "markdown" and "text/markdown" in data:
        found.append(data["text/markdown"])
      if kind == "png" and "image/png" in data:
        found.append(data["image/png"])
      if kind == "text" and "text/plain" in data:
        found.append(data["text/plain"])
  return found


def test_notebooks_are_stored_without_outputs():
  for path in NOTEBOOKS.glob("*.ipynb"):
    nb = nbformat.read(str(path), as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
      if cell.cell_type == "code":
        assert not cell.outputs and cell.execution_count is None, path.name


def test_compare_relabelers(tiny_sweep, monkeypatch):
  sweep_dir = tiny_sweep["sweep_dir"]
  nb = execute("compare_relabelers.ipynb", monkeypatch, HINDSIGHT_SWEEP_DIR=sweep_dir)
  text = "".join(outputs(nb, "text"))
  assert "6 runs in" in text
  # one figure of curves per family, and one trajectory picture per family
  # (each run draws its last evaluation: train.render='end')
  assert len(outputs(nb, "png")) == 4
  assert "2 trajectory picture(s)" in text
  for family in ("point_reacher", "point_goal"):
    png = Path(sweep_dir) / "figures" / f"{family}.png"
    assert png.exists() and png.stat().st_size > 10_000
  tables = "".join(outputs(nb, "markdown"))
  assert "### point_goal" in tables and "### point_reacher" in tables
  for label in ("her", "none", "random"):
    assert f"| {label} | 2 |" in tables
  assert "IQM [95% CI]" in tables and "env steps to" in tables


def test_relabeling_explained(monkeypatch, tmp_path):
  nb = execute("relabeling_explained.ipynb", monkeypatch, HINDSIGHT_FIG_DIR=str(tmp_path))
  text = "".join(outputs(nb, "text"))
  for name in ("random", "air (tie_break=return)", "advantage (untrained critic)",
               "hipi (trajectory level)"):
    assert f"== {name}" in text
  assert "percentile" in text and "q(z'|tau)" in text and "R - V(s0, z')" in text
  assert len(outputs(nb, "png")) == 2
  assert (tmp_path / "relabeling_explained.png").exists()
  assert (tmp_path / "hipi_posterior.png").exists()
