"""Every key a run understands, with its default. Family configs start here.

Override any value from the command line, e.g.
  python experiments/train.py --config=configs/point_reacher.py \
      --config.relabel.name=random --config.seed=3 --config.num_seeds=4
"""

from ml_collections import ConfigDict


def get_config() -> ConfigDict:
  c = ConfigDict()
  c.seed = 0                  # seed of the first run; seed i of num_seeds uses seed + i
  c.num_seeds = 1             # seeds trained together in one process (jax.vmap)
  c.workdir = "runs"          # run directories are created under it
  c.run_name = ""             # "" → "<env>-<learner>-<relabel>-s<seed>"

  # ---- environment / task family (options are the family's fields) ----
  c.env = ConfigDict()
  c.env.name = "point_reacher"
  c.env.options = ConfigDict(dict(
      reward_type="dense",    # 'dense': 0.2 − d;  'sparse': s·exp(−d²/0.08²)
      sparse_scale=1.0,       # s of the sparse variant
      horizon=20,             # H (Generalized Hindsight: 20)
      time_limit="terminal",  # terminal (t/H observed, H ends the task) | bootstrap
      eval_seed=0,            # seed of the fixed evaluation task set
      num_eval_tasks=25,
  ))

  # ---- learner ----  (sac | bc; BC uses hidden_sizes, actor_lr as its
  # learning rate and log_std_*; gamma also discounts relabeling returns)
  c.learner = ConfigDict()
  c.learner.name = "sac"
  c.learner.hidden_sizes = (256, 256)
  c.learner.actor_lr = 3e-4
  c.learner.critic_lr = 3e-4
  c.learner.alpha_lr = 3e-4
  c.learner.gamma = 0.99
  c.learner.tau = 0.005           # Polyak rate of the target critics
  c.learner.init_alpha = 1.0      # initial entropy temperature
  c.learner.target_entropy_scale = 1.0  # target entropy = −scale · action size
  c.learner.log_std_min = -5.0
  c.learner.log_std_max = 2.0
  c.learner.reward_scale = 1.0

  # ---- relabeling ----
  c.relabel = ConfigDict()
  c.relabel.name = "none"         # none | random | her | air | advantage | hipi
  c.relabel.fraction = 0.5        # share of sampled transitions given the relabeled task
  # 'sample': every sampled batch, with the current networks (HIPI's way);
  # 'insert': once per new episode, against the recent-episode cache, storing
  # the chosen tasks beside the original (Generalized Hindsight's way);
  # 'default': the strategy's own (insert for air/advantage, sample otherwise).
  c.relabel.when = "default"
  # Options of each strategy (only the chosen one's block is used).
  c.relabel.her = ConfigDict(dict(
      strategy="future",          # final | future | episode | random
  ))
  c.relabel.air = ConfigDict(dict(
      num_candidates=100,         # K candidate tasks (own tasks ≤ K/2, rest from the prior)
      m=1,                        # tasks kept per episode (top-m percentiles)
      cache_size=500,             # recent episodes ranked against (paper: 500)
      tie_break="advantage",      # advantage | return | none
  ))
  c.relabel.advantage = ConfigDict(dict(
      num_candidates=100,
      m=1,
  ))
  c.relabel.hipi = ConfigDict(dict(
      # batch: the B batch tasks (B × B); states: the batch's achieved goals
      # (goal families); states_released: the released code's mixed form
      # (logits over commanded tasks, achieved goal assigned); prior: K samples
      candidates="batch",
      num_candidates=256,         # K when candidates='prior'
      temperature=1.0,
      normalize_columns=True,     # subtract the batch estimate of log Z(z)
      level="transition",         # transition (RL) | trajectory (BC)
      block_size=0,               # S > 0: B/S blocks of S, each scored against itself
  ))

  # ---- training loop ----
  c.train = ConfigDict()
  c.train.total_env_steps = 48_000
  c.train.num_envs = 8                 # episodes collected per iteration (vmapped envs)
  # Gradient steps per environment step; an iteration of num_envs × H steps
  # runs round(updates_per_env_step · num_envs · H) updates (derived, so it
  # keeps its meaning when num_envs or the horizon is overridden).
  c.train.updates_per_env_step = 1.0
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
