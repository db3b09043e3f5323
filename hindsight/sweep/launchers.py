"""Launchers: where a grid point's command runs — local subprocesses, or
tasks of an existing Ray cluster."""

from __future__ import annotations

import importlib.util
import os
import shlex
import signal
import subprocess
import time
from typing import List, Optional

from hindsight.sweep.errors import SweepError
from hindsight.sweep.manifest import _now
from hindsight.sweep.points import Point

LAUNCHERS = ("local", "ray")


def _tail(path: str, n: int = 15) -> str:
  try:
    with open(path, errors="replace") as f:
      return "".join(f.readlines()[-n:]).strip()
  except OSError:
    return ""


def _die_with_parent():
  """Child processes get SIGTERM if the sweep process dies (Linux)."""
  try:
    import ctypes
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
  except Exception:  # pylint: disable=broad-except
    pass


def _echo(*args):
  print(*args, flush=True)


class LocalLauncher:
  """Grid points as subprocesses of this process."""

  name = "local"

  def start(self, p: Point):
    logf = open(p.log, "a")
    logf.write(f"\n=== {_now()} {shlex.join(p.command)}\n")
    logf.flush()
    proc = subprocess.Popen(p.command, stdout=logf, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent)
    return (proc, logf), f"pid {proc.pid}"

  def poll(self, handle) -> Optional[int]:
    proc, logf = handle
    rc = proc.poll()
    if rc is not None:
      logf.close()
    return rc

  def stop(self, handles) -> None:
    for proc, _ in handles:
      proc.terminate()
    deadline = time.time() + 10
    for proc, logf in handles:
      try:
        proc.wait(timeout=max(0.1, deadline - time.time()))
      except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
      logf.close()

  def close(self) -> None:
    pass


def _ray_run_point(command: List[str], log: str, cwd: str) -> int:
  """Body of the Ray task: the grid point's command on the worker, its output
  appended to the point's log (paths are shared between the nodes)."""
  os.makedirs(os.path.dirname(log), exist_ok=True)
  with open(log, "a") as logf:
    logf.write(f"\n=== {_now()} on {os.uname().nodename} (ray): {shlex.join(command)}\n")
    logf.flush()
    return subprocess.run(command, stdout=logf, stderr=subprocess.STDOUT, cwd=cwd,
                          stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent).returncode


class RayLauncher:
  """Grid points as tasks of an existing Ray cluster (``pip install -e
  '.[cluster]'``). Each task runs the point's ``python -m hindsight.train`` command
  on whichever node Ray picks, so every node needs this checkout, its Python
  environment and the sweep directory at the same paths (a shared file
  system); the manifest is written by this process only. ``num_cpus`` /
  ``num_gpus`` are the resources Ray reserves per point."""

  name = "ray"

  def __init__(self, address: str, num_cpus: float = 1.0, num_gpus: float = 0.0):
    try:
      import ray
    except ImportError:
      raise SweepError("--launcher=ray needs Ray: pip install -e '.[cluster]'") from None
    if not address:
      raise SweepError("--launcher=ray needs --ray_address=HOST:PORT of a running cluster "
                       "(`ray start --head` prints it)")
    self.ray = ray
    try:
      ray.init(address=address, log_to_driver=False, include_dashboard=False,
               ignore_reinit_error=True)
    except (ConnectionError, RuntimeError, ValueError) as e:
      raise SweepError(f"cannot connect to the Ray cluster at {address!r}: {e}") from None
    self.remote = ray.remote(num_cpus=num_cpus, num_gpus=num_gpus, max_retries=0)(
        _ray_run_point)
    self.cwd = os.getcwd()
    self.last_error = ""

  def start(self, p: Point):
    ref = self.remote.remote(p.command, p.log, self.cwd)
    return ref, f"ray task {ref.task_id().hex()[:12]}"

  def poll(self, ref) -> Optional[int]:
    ready, _ = self.ray.wait([ref], timeout=0)
    if not ready:
      return None
    try:
      return int(self.ray.get(ref))
    except self.ray.exceptions.RayError as e:  # the task died (node lost, cancelled)
      self.last_error = f"the Ray task failed: {e}"
      return -1

  def stop(self, refs) -> None:
    for ref in refs:
      self.ray.cancel(ref, force=True)

  def close(self) -> None:
    self.ray.shutdown()


def check_launcher(name: str, ray_address: str = "") -> None:
  """The launcher's flags, checked before anything is written."""
  if name not in LAUNCHERS:
    raise SweepError(f"--launcher={name!r} is not available; launchers: {', '.join(LAUNCHERS)}")
  if name == "ray":
    if importlib.util.find_spec("ray") is None:
      raise SweepError("--launcher=ray needs Ray: pip install -e '.[cluster]'")
    if not ray_address:
      raise SweepError("--launcher=ray needs --ray_address=HOST:PORT of a running cluster "
                       "(`ray start --head` prints it)")
    _probe(ray_address)


def _probe(address: str, timeout_s: float = 10.0) -> None:
  """Something listens at HOST:PORT (``ray.init`` would retry for minutes)."""
  import socket
  host, sep, port = address.replace("ray://", "").rpartition(":")
  if not sep or not port.isdigit():
    raise SweepError(f"--ray_address={address!r}: expected HOST:PORT, e.g. 127.0.0.1:6379")
  try:
    socket.create_connection((host, int(port)), timeout=timeout_s).close()
  except OSError as e:
    raise SweepError(f"cannot connect to the Ray cluster at {address!r}: {e} (is `ray start "
                     "--head` running there?)") from None


def make_launcher(name: str, ray_address: str = "", ray_num_cpus: float = 1.0,
                  ray_num_gpus: float = 0.0):
  if name == "local":
    return LocalLauncher()
  if name == "ray":
    return RayLauncher(ray_address, ray_num_cpus, ray_num_gpus)
  raise SweepError(f"--launcher={name!r} is not available; launchers: {', '.join(LAUNCHERS)}")


