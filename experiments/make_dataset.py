"""Write a dataset of episodes from a uniform-random policy or a trained run.

  python experiments/make_dataset.py --config=configs/point_goal_bc.py \
      --config.offline.dataset=data/point_goal_random.npz --config.offline.num_episodes=2000
  # from a run's latest checkpoint (its config is read from the run directory):
  python experiments/make_dataset.py --config=configs/point_goal.py \
      --config.offline.policy=runs/point_goal-sac-her-s0 --config.offline.dataset=data/pg.npz
  # in OGBench's or D4RL's layout (hindsight/io/formats.py; .hdf5 needs the 'datasets' extra):
  python experiments/make_dataset.py --config=configs/point_goal_bc.py \
      --config.offline.dataset=data/pg_ogbench.npz --config.offline.format=ogbench
  python experiments/make_dataset.py --config=configs/point_goal_bc.py \
      --config.offline.dataset=data/pg_d4rl.hdf5
"""

import jax
from absl import app
from ml_collections import config_flags

_CONFIG = config_flags.DEFINE_config_file("config", "configs/point_goal_bc.py",
                                          "Path to a configs/*.py file.", lock_config=True)


def _config():
  from hindsight.cli import config_value
  return config_value(_CONFIG.value)


def main(argv):
  del argv
  from hindsight import config as config_lib
  from hindsight.io import checkpoint, dataset, formats
  from hindsight.training import Trainer
  from hindsight.training.restore import load_run
  c = _config()
  if not c.offline.dataset:
    raise app.UsageError("set --config.offline.dataset=<path.npz>")
  layout = c.offline.format
  if layout == "auto":
    layout = "d4rl" if c.offline.dataset.endswith((".hdf5", ".h5")) else "hindsight"
  try:
    policy_src = c.offline.policy
    if policy_src != "random":
      try:
        trainer, rs, _ = load_run(policy_src)
      except (config_lib.ConfigError, checkpoint.CheckpointError) as e:
        raise app.UsageError(f"--config.offline.policy: {e}; use 'random' or a run "
                             "directory") from None
      learner = jax.tree.map(lambda x: x[0], rs.learner)  # the first seed's policy
      policy = trainer.learner_policy(learner, False)
    else:
      trainer = Trainer(c)
      policy = trainer.random_policy
  except config_lib.ConfigError as e:
    raise app.UsageError(str(e)) from None
  n = int(c.offline.num_episodes)
  eps, rewards = jax.jit(lambda k: trainer.rollout(policy, k, n=n))(
      jax.random.PRNGKey(int(c.seed)))
  eps = jax.device_get(eps)
  if layout == "hindsight":
    dataset.save(c.offline.dataset, eps, trainer.family.name,
                 dict(trainer.config.env.options), trainer.spec,
                 meta={"policy": policy_src, "seed": int(c.seed)})
  else:
    formats.export(c.offline.dataset, eps, trainer.family, layout)
  print(f"wrote {n} episodes of {trainer.family.name} to {c.offline.dataset} ({layout} "
        f"layout; mean return {float(rewards.sum(1).mean()):.3f})")


if __name__ == "__main__":
  from hindsight.cli import run_main
  run_main(main)
