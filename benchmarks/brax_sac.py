"""The project's SAC trainer against Brax's own (brax.training.agents.sac), side by side.

  python benchmarks/brax_sac.py                 # 3 interleaved rounds of 48k env steps per side
  python benchmarks/brax_sac.py --reps 5 --steps 32000

Brax's trainer calls ``jax.device_put_replicated``, which jax 0.10 (the
version this project pins) removed; it runs on jax < 0.8, so it runs here in
a venv of its own, as a subprocess (``benchmarks/_brax_sac_worker.py``).
Create that venv once:

  python3 -m venv /work/venvs/brax-sac
  /work/venvs/brax-sac/bin/pip install brax 'jax<0.8' 'jaxlib<0.8'

(``--brax_python`` names its interpreter; default
``/work/venvs/brax-sac/bin/python``.)

Both trainers run Brax's HalfCheetah on the ``spring`` backend at Brax's SAC
settings: 16 envs, batch 256, 256×256 networks, 2 gradient steps per 16 env
steps, γ = 0.99, learning rate 3e-4 (Brax's α learning rate is fixed at 3e-4:
brax/training/agents/sac/train.py, ``alpha_optimizer``), τ = 0.005, a 10⁶
transition buffer, episodes of 1000 steps. Brax normalises observations
(``normalize_observations=True``, running mean/std updated on every collected
step); so does the project's side (``learner.normalize_observations=True``:
the same running statistics, folded in once per collected batch of episodes).
The project's side is ``configs/halfcheetah_multiobjective.py`` with
``relabel.name=none`` and those settings: one iteration = 16 episodes of 1000
steps, then 2000 updates (the same 2 updates per 16 env steps, in larger
blocks); Brax's = one env step of the 16 envs, then 2 updates.

Timed: Brax's own ``training/sps`` of each training epoch (env steps / the
epoch's training wall time; evaluation is outside it), and for the project the
jitted epoch (``Trainer.epoch``) alone, evaluation excluded; both epochs are
``--steps`` env steps. The first epoch of each side compiles and is not
counted. Rounds alternate: Brax's epoch, then the project's, while the other
process waits idle (the worker blocks in Brax's ``progress_fn``), ``--reps``
times; the ratio is per round (project / Brax), reported as median [min, max].
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

import jax
import numpy as np

from _common import machine_info, write_targets  # benchmarks/_common.py

HERE = os.path.dirname(os.path.abspath(__file__))
BRAX_PYTHON = "/work/venvs/brax-sac/bin/python"
NUM_ENVS = 16
HORIZON = 1000
UPDATES_PER_ACTOR_STEP = 2  # grad_updates_per_step: per env step of the 16 envs


def brax_kwargs(args):
  """Keyword arguments of brax.training.agents.sac.train."""
  steps_per_epoch = args.steps
  epochs = args.reps + 1                       # the first compiles
  return dict(
      env="halfcheetah", backend="spring",
      num_timesteps=args.prefill + epochs * steps_per_epoch,
      num_evals=epochs + 1,                    # one before training, one per epoch
      episode_length=HORIZON, num_envs=NUM_ENVS, num_eval_envs=args.brax_eval_envs,
      learning_rate=3e-4, discounting=0.99, batch_size=256, normalize_observations=True,
      reward_scaling=1.0, tau=0.005, min_replay_size=args.prefill,
      max_replay_size=1_000_000, grad_updates_per_step=UPDATES_PER_ACTOR_STEP,
      deterministic_eval=True, seed=args.seed)


def project_config(args):
  from hindsight import schema
  halfcheetah_multiobjective = schema.load_module("configs/halfcheetah_multiobjective.py")
  from hindsight import config as config_lib
  c = halfcheetah_multiobjective.get_config()
  c.relabel.name = "none"
  c.env.options.backend = "spring"
  c.env.options.horizon = HORIZON
  c.seed = args.seed
  c.num_seeds = 1
  c.learner.hidden_sizes = (256, 256)
  c.learner.update(dict(actor_lr=3e-4, critic_lr=3e-4, alpha_lr=3e-4, gamma=0.99, tau=0.005,
                        reward_scale=1.0, normalize_observations=True))
  if args.steps % (NUM_ENVS * HORIZON):
    raise SystemExit(f"--steps must be a multiple of {NUM_ENVS * HORIZON} (16 episodes of "
                     f"{HORIZON} steps per iteration), got {args.steps}")
  c.train.update(dict(num_envs=NUM_ENVS, batch_size=256, buffer_transitions=1_000_000,
                      updates_per_env_step=UPDATES_PER_ACTOR_STEP / NUM_ENVS,
                      iterations_per_epoch=args.steps // (NUM_ENVS * HORIZON),
                      warmup_episodes=max(1, args.prefill // HORIZON),
                      warmup_policy="learner", shard_seeds=False, checkpoint_every_epochs=0))
  return config_lib.validate(c)


class BraxWorker:
  def __init__(self, python, kwargs, log_path):
    worker = os.path.join(HERE, "_brax_sac_worker.py")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    self.log = open(log_path, "w")
    self.p = subprocess.Popen([python, worker, json.dumps(kwargs)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=self.log, text=True, env=env)

  def read(self):
    while True:
      line = self.p.stdout.readline()
      if not line:
        raise RuntimeError(f"Brax's trainer stopped (exit {self.p.wait()}); see {self.log.name}")
      if line.startswith("{"):
        return json.loads(line)

  def go(self):
    self.p.stdin.write("go\n")
    self.p.stdin.flush()
    return self.read()

  def close(self):
    try:
      self.p.stdin.write("go\n" * 4)
      self.p.stdin.close()
    except (BrokenPipeError, OSError):
      pass
    try:
      self.p.wait(timeout=600)
    except subprocess.TimeoutExpired:
      self.p.kill()
    self.log.close()


def main(argv=None):
  p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
  p.add_argument("--brax_python", default=BRAX_PYTHON)
  p.add_argument("--reps", type=int, default=3)
  p.add_argument("--steps", type=int, default=48_000, help="env steps per timed epoch, each side")
  p.add_argument("--prefill", type=int, default=8_000, help="env steps before training")
  p.add_argument("--brax_eval_envs", type=int, default=16)
  p.add_argument("--seed", type=int, default=0)
  p.add_argument("--out", default=os.path.join(HERE, "results", "brax_sac.md"))
  args = p.parse_args(argv)
  if not os.path.exists(args.brax_python):
    raise SystemExit(f"no {args.brax_python}: create Brax's venv first (see "
                     "benchmarks/brax_sac.py's docstring), or pass --brax_python")
  command = " ".join(["python", "benchmarks/brax_sac.py",
                      *(argv if argv is not None else sys.argv[1:])])
  t0 = time.time()
  log = lambda msg: print(f"[{time.time() - t0:7.1f}s] {msg}", file=sys.stderr, flush=True)
  info = machine_info()
  os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
  c = project_config(args)      # validated before anything starts
  kw = brax_kwargs(args)
  worker = BraxWorker(args.brax_python, kw, "/tmp/brax_sac_worker.log")
  try:
    hello = worker.read()
    log(f"Brax worker up (jax {hello['jax']}); compiling and running its first epoch")
    first = worker.read()
    log(f"Brax first epoch (compile included): {first['sps']:.0f} env steps/s")

    from hindsight.training import Trainer
    tr = Trainer(c)
    init, epoch, _ = tr.jitted()
    rs = init(tr.seed_keys())
    jax.block_until_ready(rs)
    t = time.perf_counter()
    rs, _ = epoch(rs)
    jax.block_until_ready(rs)
    log(f"project first epoch (compile included): {time.perf_counter() - t:.1f}s")
    steps = tr.steps_per_epoch
    brax_sps, ours_sps = [], []
    for i in range(args.reps):
      b = worker.go()
      brax_sps.append(b["sps"])
      t = time.perf_counter()
      rs, m = epoch(rs)
      jax.block_until_ready(rs)
      ours_sps.append(steps / (time.perf_counter() - t))
      log(f"round {i + 1}: Brax {brax_sps[-1]:.0f}, project {ours_sps[-1]:.0f} env steps/s "
          f"({ours_sps[-1] / brax_sps[-1]:.2f}×)")
  finally:
    worker.close()
  ratio = np.asarray(ours_sps) / np.asarray(brax_sps)
  med = lambda v: float(np.median(v))
  lines = [
      "# Against Brax's own SAC trainer", "",
      f"Generated by `{command}`; do not edit by hand. Settings and what is timed: "
      "`benchmarks/brax_sac.py`'s docstring. Brax's trainer in its own venv "
      f"(jax {hello['jax']}), this project's on jax {jax.__version__}, alternating "
      f"epochs of {steps:,} env steps, {args.reps} rounds.", "", *info, "",
      "| trainer | training env steps / s (median) | [min, max] | per round |",
      "|---|---:|---:|---|",
      f"| Brax `brax.training.agents.sac` (its `training/sps`) | {med(brax_sps):,.0f} | "
      f"[{min(brax_sps):,.0f}, {max(brax_sps):,.0f}] | "
      f"{', '.join(f'{v:,.0f}' for v in brax_sps)} |",
      f"| this project (`Trainer.epoch`, relabel none) | {med(ours_sps):,.0f} | "
      f"[{min(ours_sps):,.0f}, {max(ours_sps):,.0f}] | "
      f"{', '.join(f'{v:,.0f}' for v in ours_sps)} |", "",
      f"Ratio project / Brax, per round: **{med(ratio):.2f}×** median "
      f"[{ratio.min():.2f}, {ratio.max():.2f}] (target ≥ 1.5×: "
      f"{'met' if med(ratio) >= 1.5 else 'not met'}).", "",
      "Both normalise observations with running statistics (Brax after every env step "
      "of the 16 envs, this project after each batch of 16 episodes). Differences that "
      "remain: Brax interleaves 1 env step of the 16 "
      "envs with 2 updates, this project collects 16 episodes and then runs 2000 updates; "
      "this project's env is the HalfCheetah multi-objective family (Brax's physics plus "
      "its reward features).", ""]
  text = "\n".join(lines)
  print(text)
  if args.out:
    with open(args.out, "w") as f:
      f.write(text)
    log(f"wrote {args.out}")
  write_targets(args.out, [(
      "training throughput ≥ 1.5× Brax's SAC trainer at its settings",
      f"{med(ratio):.2f}× [{ratio.min():.2f}, {ratio.max():.2f}]", bool(med(ratio) >= 1.5))])


if __name__ == "__main__":
  main()
