"""The config schema: every key a run understands, with its default (ARCHITECTURE 3.7).

Built from the library itself, so each default is written once:
- ``env.options`` are the fields of the chosen family's dataclass
  (``hindsight/tasks``), with the dataclass's defaults;
- ``relabel.<name>`` is the block of each registered strategy with options:
  the fields of its dataclass (``hindsight/relabel``), with their defaults;
- the keys of the run itself (seed, learner, training loop, offline data) are
  written below, once.

A config file (``configs/*.py``) starts from ``get_config(<family>)`` and
overrides only what differs, citing the source of each paper setting:

    from hindsight import schema

    def get_config():
      c = schema.get_config("point_reacher")
      c.gamma = 0.97   # discount (launch_gher.py L320)
      return c

Override any value from the command line, e.g.
  python experiments/train.py --config=configs/point_reacher.py \\
      --config.relabel.name=random --config.seed=3 --config.num_seeds=4
"""

from __future__ import annotations

import dataclasses
import importlib.util
import os
from pathlib import Path

from ml_collections import ConfigDict

DEFAULT_FAMILY = "point_reacher"

# The project checkout (configs/ lives beside hindsight/ in it).
PROJECT_ROOT = Path(__file__).resolve().parents[1]


def _fields(cls) -> dict:
  out = {}
  for f in dataclasses.fields(cls):
    if not f.init:
      continue
    if f.default is not dataclasses.MISSING:
      out[f.name] = f.default
    elif f.default_factory is not dataclasses.MISSING:  # type: ignore[misc]
      out[f.name] = f.default_factory()                 # type: ignore[misc]
    else:
      raise TypeError(f"{cls.__name__}.{f.name} has no default; every option of a "
                      "registered family or relabeler needs one (it is the schema's)")
  return out


def family_options(name: str) -> ConfigDict:
  """``env.options`` of family ``name``: its dataclass fields and defaults."""
  from hindsight import tasks
  return ConfigDict(_fields(tasks.REGISTRY.get(name)))


def relabeler_options(name: str) -> dict:
  """The ``relabel.<name>`` block: the strategy's dataclass fields and defaults."""
  from hindsight import relabel
  return _fields(relabel.REGISTRY.get(name))


def get_config(family: str = DEFAULT_FAMILY) -> ConfigDict:
  """Every key with its default, ``env`` set to ``family``."""
  from hindsight import relabel

  c = ConfigDict()
  c.seed = 0                  # seed of the first run; seed i of num_seeds uses seed + i
  c.num_seeds = 1             # seeds trained together in one process (jax.vmap)
  c.workdir = "runs"          # run directories are created under it
  c.run_name = ""             # "" → "<env>-<learner>-<relabel>-s<seed>"
  # Discount: SAC's bootstrap, and the returns that relabeling compares
  # (AIR's percentiles, advantage, HIPI's trajectory level) for every learner.
  c.gamma = 0.99

  # ---- environment / task family (options: the family dataclass's fields) ----
  c.env = ConfigDict()
  c.env.name = family
  c.env.options = family_options(family)

  # ---- learner ----  (sac | bc | dqn; BC uses hidden_sizes, actor_lr as its
  # learning rate and log_std_*)
  c.learner = ConfigDict()
  c.learner.name = "sac"
  c.learner.hidden_sizes = (256, 256)
  c.learner.actor_lr = 3e-4
  c.learner.critic_lr = 3e-4
  c.learner.alpha_lr = 3e-4
  c.learner.tau = 0.005           # Polyak rate of the target critics
  c.learner.init_alpha = 1.0      # initial entropy temperature
  c.learner.target_entropy_scale = 1.0  # target entropy = −scale · action size
  c.learner.log_std_min = -5.0
  c.learner.log_std_max = 2.0
  c.learner.reward_scale = 1.0
  # SAC: Brax's running observation normalisation (mean and std of every
  # collected observation; brax/training/agents/sac/train.py
  # normalize_observations, default False there too). Neither paper's code
  # normalises observations.
  c.learner.normalize_observations = False
  # DQN (learner.name='dqn', discrete-action families such as bit_flip) also
  # uses hidden_sizes, critic_lr (its Q-network's Adam rate), gamma, tau
  # (Polyak rate of its target network) and reward_scale from above.
  c.learner.dqn = ConfigDict(dict(
      target_update="polyak",     # polyak: τ-average every update | periodic: copy every target_period
      target_period=100,          # updates between copies when target_update='periodic'
      # updates between Polyak averagings when target_update='polyak' (1: after
      # every update; HER averages once per cycle of 40 updates,
      # baselines/her/her.py train(): policy.update_target_net() after the
      # cycle's n_batches train() calls)
      polyak_every=1,
      # > 0: clip the targets y to [−clip_return, 0], the range of returns of
      # rewards in [−1, 0] (baselines/her/ddpg.py: clip_range = (−clip_return,
      # 0) with clip_pos_returns=True; HER's clip_return = 1/(1 − γ),
      # baselines/her/experiment/config.py configure_ddpg). 0: no clipping.
      clip_return=0.0,
      huber_delta=1.0,            # Huber loss threshold on the TD error
      epsilon_start=1.0,          # ε-greedy collection: ε decays linearly from epsilon_start
      epsilon_end=0.05,           # … to epsilon_end …
      epsilon_decay_updates=10_000,  # … over this many gradient updates, then stays
  ))

  # ---- relabeling ----
  c.relabel = ConfigDict()
  c.relabel.name = "none"         # a name of hindsight.relabel.names()
  c.relabel.fraction = 0.5        # share of sampled transitions given the relabeled task
  # 'sample': every sampled batch, with the current networks (HIPI's way);
  # 'insert': once per new episode, against the recent-episode cache, storing
  # the chosen tasks beside the original (Generalized Hindsight's way);
  # 'default': the strategy's own (insert for air/advantage, sample otherwise).
  c.relabel.when = "default"
  # Options of each strategy (only the chosen one's block is used): the
  # fields of its dataclass in hindsight/relabel/<name>.py.
  for name in relabel.names():
    options = relabeler_options(name)
    if options:
      c.relabel[name] = ConfigDict(options)

  # ---- training loop ----
  c.train = ConfigDict()
  c.train.total_env_steps = 48_000
  c.train.num_envs = 8                 # episodes collected per iteration (vmapped envs)
  # Gradient steps per environment step; an iteration of num_envs × H steps
  # runs round(updates_per_env_step · num_envs · H) updates (derived, so it
  # keeps its meaning when num_envs or the horizon is overridden).
  c.train.updates_per_env_step = 1.0
  # > 0 overrides updates_per_env_step with exactly this many updates per
  # iteration, whatever n and H (HER's cycle: 40 optimisation steps after
  # every 16 episodes, openai/baselines baselines/her/experiment/config.py
  # DEFAULT_PARAMS n_batches = 40).
  c.train.updates_per_iteration = 0
  c.train.batch_size = 256
  c.train.buffer_episodes = 10_000     # capacity in episodes (used when buffer_transitions = 0)
  # Capacity in transitions, as the papers' buffers count it; > 0 overrides
  # buffer_episodes with ceil(buffer_transitions / H) episodes.
  c.train.buffer_transitions = 0
  c.train.warmup_episodes = 64         # episodes collected before learning
  c.train.warmup_policy = "uniform"    # uniform: random actions | learner: the initial policy
  c.train.iterations_per_epoch = 25    # iterations per jitted epoch; evaluate after each
  c.train.checkpoint_every_epochs = 5  # 0 disables checkpoints
  c.train.shard_seeds = True           # split the seed axis over all local devices (jax.sharding)
  c.train.tensorboard = False          # also write TensorBoard event files to <run>/tensorboard
  # Pictures of the evaluation episodes in <run>/render/ (hindsight/render.py):
  # a PNG of the trajectories per evaluation task (point families; needs the
  # 'render' extra, skipped with a note when it is missing and the key is
  # left at 'end') or an HTML rollout of the first task (Brax families).
  c.train.render = "end"               # none | end (after the last evaluation) | every
  # Weights & Biases (the 'wandb' extra): one wandb run per seed, grouped by
  # the run's name, with the config and metrics.csv's metric names.
  c.train.wandb = False
  c.train.wandb_project = "hindsight"
  c.train.wandb_entity = ""            # "" → wandb's default entity
  c.train.wandb_mode = "online"        # online | offline (no network; `wandb sync` later)
  # Proportional prioritized replay (Schaul et al. 2016, Sec. 3.3): transition i
  # is sampled with P(i) = p_i^α / Σ p^α, p_i = |δ_i| + ε, new transitions at
  # the largest priority so far; the critic loss is weighted by
  # w_i = (N P(i))^−β / max w, β annealed linearly to 1. sac and dqn.
  c.train.prioritized = False
  c.train.prioritized_alpha = 0.6      # α (Schaul et al. 2016, Sec. 4, proportional variant)
  c.train.prioritized_beta = 0.4       # β at the first update (ibid.: β0 = 0.4; cpprb's defaults too)
  c.train.prioritized_beta_updates = 0  # updates over which β reaches 1; 0: the whole run
  c.train.prioritized_eps = 1e-6       # ε in p_i = |δ_i| + ε (keeps every transition sampleable)

  # ---- offline data (experiments/make_dataset.py, experiments/offline_bc.py) ----
  c.offline = ConfigDict()
  c.offline.dataset = ""          # .npz path to write / read
  c.offline.num_episodes = 1000   # episodes to collect into a dataset
  c.offline.policy = "random"     # 'random' or a run directory (its latest checkpoint)
  c.offline.bc_steps = 5000       # BC gradient steps on the fixed dataset
  # Layout of offline.dataset (hindsight/io/formats.py documents the fields):
  # auto (read: detected; write: hindsight, or d4rl for .hdf5) | hindsight | ogbench | d4rl
  c.offline.format = "auto"
  c.offline.missing_task = "error"  # a file without tasks: error | prior (draw each episode's)
  return c


def learner_config(c) -> ConfigDict:
  """What a learner's ``init`` reads: the ``learner`` block plus ``gamma``."""
  out = ConfigDict(c.learner.to_dict() if isinstance(c.learner, ConfigDict)
                   else dict(c.learner))
  out.gamma = float(c.gamma)
  return out


def resolve_path(path: str | os.PathLike) -> Path:
  """A config file path as given (absolute, or relative to the working
  directory), else relative to the project checkout."""
  p = Path(path)
  if p.is_absolute() or p.exists():
    return p
  alt = PROJECT_ROOT / p
  return alt if alt.exists() else p


def load_module(path: str | os.PathLike):
  """Imports a config file by path (``configs/`` is not a package)."""
  p = resolve_path(path)
  if not p.is_file():
    raise FileNotFoundError(f"no config file {str(path)!r}")
  spec = importlib.util.spec_from_file_location(f"_hindsight_config_{p.stem}", p)
  module = importlib.util.module_from_spec(spec)
  spec.loader.exec_module(module)
  return module


def load(path: str | os.PathLike, *args) -> ConfigDict:
  """``get_config(*args)`` of the config file at ``path``."""
  return load_module(path).get_config(*args)
