"""Brax's own SAC trainer, paced by ``benchmarks/brax_sac.py`` (do not run alone).

Runs in its own venv (Brax's trainer needs jax < 0.8; see brax_sac.py), so it
imports nothing of this project. After each training epoch Brax calls
``progress_fn``; there this worker writes one JSON line to stdout with Brax's
own ``training/sps`` (env steps of the epoch / its training wall time, which
excludes evaluation) and waits for a line on stdin before Brax goes on, so the
parent can time the project's trainer while this process is idle.

  python _brax_sac_worker.py '<json of train() keyword arguments>'
"""

import json
import sys
import time


def main():
  kw = json.loads(sys.argv[1])
  backend = kw.pop("backend")
  env_name = kw.pop("env")
  import jax
  from brax import envs
  from brax.training.agents.sac import train as sac

  env = envs.get_environment(env_name, backend=backend)
  epoch = [0]

  def progress(step, metrics):
    if "training/sps" not in metrics:
      return  # the initial evaluation, before any training
    line = {"epoch": epoch[0], "env_steps": int(step), "sps": float(metrics["training/sps"]),
            "walltime": float(metrics["training/walltime"]), "time": time.time()}
    epoch[0] += 1
    print(json.dumps(line), flush=True)
    if sys.stdin.readline().strip() != "go":
      sys.exit(0)

  print(json.dumps({"ready": True, "jax": jax.__version__}), flush=True)
  sac.train(environment=env, progress_fn=progress, **kw)
  print(json.dumps({"done": True}), flush=True)


if __name__ == "__main__":
  main()
