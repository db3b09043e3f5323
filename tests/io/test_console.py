"""A quiet terminal (hindsight/io/console.py): library start-up output kept
off the terminal of the command-line tools and in the run's log, and the
progress bar."""

import io
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from hindsight.io import console

ROOT = Path(__file__).resolve().parents[2]
NOISE = ("Failed to import warp", "Failed to import mujoco_warp", "settotalmass",
         "not actively being maintained", "Unable to initialize backend")


class _Tty(io.StringIO):
  def isatty(self):
    return True


def test_progress_bar_text_and_eta():
  p = console.Progress(16, stream=_Tty(), width=8)
  p.update(4, 65.0)
  # 4/16 of 8 cells = 2 filled
  assert p.text() == "[##······] 4/16 epochs · ETA 1 min 05 s"
  assert p.stream.getvalue() == "\r\x1b[2K[##······] 4/16 epochs · ETA 1 min 05 s"
  p.update(16, 0.0)
  assert p.text() == "[########] 16/16 epochs · ETA 0 s"
  assert console.format_duration(3725) == "1 h 02 min"


def test_no_bar_when_the_stream_is_not_a_terminal():
  out = io.StringIO()
  p = console.Progress(4, stream=out)
  p.update(2, 10.0)
  assert out.getvalue() == ""


def test_echo_prints_lines_above_the_bar():
  tty = _Tty()
  bar = console.Progress(3, stream=tty, width=3)
  console._PROGRESS = bar
  try:
    bar.update(1, 5.0)
    console.echo("epoch 1/3", stream=tty)
  finally:
    console._PROGRESS = None
  # bar, cleared, the line, the bar again
  assert tty.getvalue() == ("\r\x1b[2K[#··] 1/3 epochs · ETA 5 s" + "\r\x1b[2K"
                            + "epoch 1/3\n" + "\r\x1b[2K[#··] 1/3 epochs · ETA 5 s")


def test_captured_is_a_no_op_for_library_users(capfd):
  assert not console.enabled()
  with console.captured("x"):
    print("shown")
    os.write(2, b"shown at fd level\n")
  out, err = capfd.readouterr()
  assert "shown" in out and "shown at fd level" in err
  assert not console._PENDING


_SCRIPT = textwrap.dedent("""
    import logging, os, sys
    from hindsight.cli import run_main

    def main(argv):
      from hindsight.io import console
      with console.attach_log(os.environ["LOG"]):
        logging.getLogger("jax._src.xla_bridge").warning(
            "Unable to initialize backend 'tpu': (a stand-in for the real one)")
        if os.environ.get("BRAX") == "1":
          from hindsight import envs
          envs.make("halfcheetah_multiobjective")
        print("the run's own line")
        print("and one on stderr", file=sys.stderr)
    run_main(main)
""")


def _run_script(tmp_path, brax):
  log = tmp_path / "log.txt"
  env = dict(os.environ, LOG=str(log), BRAX="1" if brax else "0", JAX_PLATFORMS="cpu",
             PYTHONPATH=str(ROOT))
  proc = subprocess.run([sys.executable, "-c", _SCRIPT], cwd=ROOT, env=env,
                        capture_output=True, text=True, timeout=300)
  assert proc.returncode == 0, proc.stderr
  return proc, log.read_text()


def _warp_missing():
  import importlib.util
  return importlib.util.find_spec("warp") is None


def test_cli_keeps_import_and_backend_noise_in_the_log(tmp_path):
  proc, log = _run_script(tmp_path, brax=False)
  terminal = proc.stdout + proc.stderr
  assert "the run's own line" in proc.stdout and "and one on stderr" in proc.stderr
  for noise in NOISE:
    assert noise not in terminal, noise
  assert "Unable to initialize backend 'tpu'" in log
  if _warp_missing():   # mujoco.mjx prints this at import when warp is absent
    assert "Failed to import warp" in log and "Failed to import mujoco_warp" in log


@pytest.mark.brax
@pytest.mark.slow  # a Brax subprocess; the point-family run stays in the default suite
def test_cli_keeps_brax_model_warnings_in_the_log(tmp_path):
  proc, log = _run_script(tmp_path, brax=True)
  terminal = proc.stdout + proc.stderr
  for noise in NOISE:
    assert noise not in terminal, noise
  assert "settotalmass" in log                      # MuJoCo, at half_cheetah.xml's load
  assert "not actively being maintained" in log     # Brax's warning
  assert "library output (building Brax's halfcheetah)" in log
