"""Write a dataset of episodes from a uniform-random policy or a trained run.

  python experiments/make_dataset.py --config=configs/point_goal_bc.py \
      --config.offline.dataset=data/point_goal_random.npz --config.offline.num_episodes=2000
  # from a run's latest checkpoint (its config is read from the run directory):
  python experiments/make_dataset.py --config=configs/point_goal.py \
      --config.offline.policy=runs/point_goal-sac-her-s0 --config.offline.dataset=data/pg.npz
"""

import os

import jax
from absl import app
from ml_collections import ConfigDict, config_flags

_CONFIG = config_flags.DEFINE_config_file("config", "configs/point_goal_bc.py",
                                          "Path to a configs/*.py file.", lock_config=True)


def _config():
  from hindsight.cli import config_value
  return config_value(_CONFIG.value)


def main(argv):
  del argv
  from hindsight import config as config_lib
  from hindsight.io import checkpoint, dataset, files
  from hindsight.training import Trainer
  c = _config()
  if not c.offline.dataset:
    raise app.UsageError("set --config.offline.dataset=<path.npz>")
  try:
    policy_src = c.offline.policy
    if policy_src != "random":
      cfg_path = os.path.join(policy_src, "config.json")
      if not os.path.exists(cfg_path):
        raise app.UsageError(f"--config.offline.policy: {policy_src} is not a run directory "
                             "(no config.json); use 'random' or a run directory")
      run_cfg = ConfigDict(files.read_json(cfg_path))
      run_cfg.learner.hidden_sizes = tuple(run_cfg.learner.hidden_sizes)
      trainer = Trainer(run_cfg)
      if not checkpoint.list_checkpoints(policy_src):
        raise app.UsageError(f"{policy_src} has no checkpoint")
      template = jax.eval_shape(jax.vmap(trainer.init), trainer.seed_keys())
      try:
        _, rs, skipped = checkpoint.restore_latest(policy_src, template)
      except checkpoint.CheckpointError as e:
        raise app.UsageError(str(e)) from None
      for path, why in skipped:
        print(f"skipped checkpoint {path}: {why}")
      if rs is None:
        raise app.UsageError(f"{policy_src}: no checkpoint can be read ("
                             + "; ".join(why for _, why in skipped) + ")")
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
  dataset.save(c.offline.dataset, jax.device_get(eps), trainer.family.name,
               dict(trainer.config.env.options), trainer.spec,
               meta={"policy": policy_src, "seed": int(c.seed)})
  print(f"wrote {n} episodes of {trainer.family.name} to {c.offline.dataset} "
        f"(mean return {float(rewards.sum(1).mean()):.3f})")


if __name__ == "__main__":
  from hindsight.cli import run_main
  run_main(main)
