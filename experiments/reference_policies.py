"""Write the trivial policies' evaluations into run directories that lack them.

  python experiments/reference_policies.py --runs=results/reproduction/hipi-cpu
  python experiments/reference_policies.py --runs=runs/point_goal-sac-her-s0,runs/other

Every run writes ``random_policy.json`` (uniform-random actions) and, on
continuous-action families, ``zero_policy.json`` (every action 0) when it
starts: the references of the report's 'learned at this budget' guard
(``hindsight.training.run.reference_policies``). Runs made before one of them
existed, or by an older checkout, get it here: ``--runs`` names run
directories or directories of runs (a sweep's or a study's), and each run's
trainer is rebuilt from its ``config.json`` (no checkpoint needed) and
evaluated with the same keys a new run uses. Existing files are kept.
"""

import os

from absl import app, flags

_RUNS = flags.DEFINE_list("runs", None, "Run directories, or directories holding runs.")


def run_dirs(paths):
  """The run directories (holding config.json) named by or directly under ``paths``."""
  out = []
  for p in paths:
    if os.path.exists(os.path.join(p, "config.json")):
      out.append(p)
    elif os.path.isdir(p):
      out.extend(sorted(os.path.join(p, d) for d in os.listdir(p)
                        if os.path.exists(os.path.join(p, d, "config.json"))))
    else:
      raise app.UsageError(f"--runs: {p} is neither a run directory nor a directory")
  return out


def main(argv):
  del argv
  if not _RUNS.value:
    raise app.UsageError("set --runs=<run directory or directory of runs>[,...]")
  from hindsight.training.restore import run_config
  from hindsight.training.run import reference_policies
  from hindsight.training.trainer import Trainer
  dirs = run_dirs(_RUNS.value)
  if not dirs:
    raise app.UsageError(f"no run directory (with config.json) in {', '.join(_RUNS.value)}")
  trainers = {}
  for d in dirs:
    c = run_config(d)
    # The references depend on the environment, the seed and the number of
    # seeds only (not the learner or the relabeler): runs that share them
    # share a trainer, so a study's family compiles its evaluation once.
    key = (c.env.to_json(), int(c.seed), int(c.num_seeds))
    if key not in trainers:
      trainers[key] = Trainer(c)
    written = reference_policies(trainers[key], d, c)
    print(f"{d}: {'wrote ' + ', '.join(written) if written else 'nothing to write'}")


if __name__ == "__main__":
  from hindsight.cli import run_main
  run_main(main)
