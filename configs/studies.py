"""The two paper studies that ``experiments/reproduce.py`` runs and reports.

A study is a set of cells (a config file × a relabeler, with optional
relabeler options), a budget per family at each scale, and the papers' claims
the report checks against the runs. Everything ``reproduce.py`` and
``hindsight/report.py`` need to regenerate REPRODUCTION.md lives here.

Scales
------
``cpu``: what a 2-core CPU machine finishes in hours per study: 64×64
networks, point families at 32k env steps, Brax families at 50k (after the
warm-up episodes). Every cell has 5 seeds, trained vmapped in one process.
Measured on 2 cores: a HalfCheetah cell takes ~2.3 min per 10k env steps
(5 seeds: collection, 10k updates, 25 evaluation episodes of 1,000 steps per
seed), so the Generalized Hindsight study's 8 Brax cells take ~2 h and the
HIPI study's 13 about 3 h. At 50k steps the locomotion policies are early in
learning: differences between strategies there are a statement about early
learning, not about the papers' asymptotes (use ``paper`` for those).
``ant_goal`` (sparse reward, goals 3 m away) gives no signal at this budget:
every seed of every strategy, HER included, ends at the floor of −500 with
no success, and the report leaves it out of the verdicts. It stays in the
study so that the cpu and paper scales have the same cells.

``paper``: 256×256 networks and env-step budgets of the order of the papers'
learning curves (10⁵ steps on the point families, 10⁶ on locomotion); meant
for an accelerator. The papers' exact budgets differ per figure: compare
against them before citing a number from this scale.
"""

from __future__ import annotations

from ml_collections import ConfigDict

STUDIES = ("generalized_hindsight", "hipi")
SCALES = ("cpu", "paper")

# family (config stem) -> {scale: {config key: value}}; passed to every run
# of the family as ``--config.<key>=<value>``.
BUDGETS = {
    "point_trajectory": {
        "cpu": {"train.total_env_steps": 32_000, "learner.hidden_sizes": (64, 64)},
        "paper": {"train.total_env_steps": 150_000, "learner.hidden_sizes": (256, 256)}},
    "point_reacher": {
        "cpu": {"train.total_env_steps": 32_000, "learner.hidden_sizes": (64, 64)},
        "paper": {"train.total_env_steps": 150_000, "learner.hidden_sizes": (256, 256)}},
    "point_goal": {
        "cpu": {"train.total_env_steps": 32_000, "learner.hidden_sizes": (64, 64)},
        "paper": {"train.total_env_steps": 150_000, "learner.hidden_sizes": (256, 256)}},
    "point_goal_bc": {
        "cpu": {"train.total_env_steps": 32_000, "learner.hidden_sizes": (64, 64)},
        "paper": {"train.total_env_steps": 150_000, "learner.hidden_sizes": (256, 256)}},
    "halfcheetah_multiobjective": {
        "cpu": {"train.total_env_steps": 50_000, "learner.hidden_sizes": (64, 64)},
        "paper": {"train.total_env_steps": 1_000_000, "learner.hidden_sizes": (256, 256)}},
    "ant_direction": {
        "cpu": {"train.total_env_steps": 50_000, "learner.hidden_sizes": (64, 64)},
        "paper": {"train.total_env_steps": 1_000_000, "learner.hidden_sizes": (256, 256)}},
    "reacher_goal": {
        "cpu": {"train.total_env_steps": 50_000, "learner.hidden_sizes": (64, 64)},
        "paper": {"train.total_env_steps": 300_000, "learner.hidden_sizes": (256, 256)}},
    "ant_goal": {
        "cpu": {"train.total_env_steps": 50_000, "learner.hidden_sizes": (64, 64)},
        "paper": {"train.total_env_steps": 1_000_000, "learner.hidden_sizes": (256, 256)}},
    "walker_linear": {
        "cpu": {"train.total_env_steps": 50_000, "learner.hidden_sizes": (64, 64)},
        "paper": {"train.total_env_steps": 1_000_000, "learner.hidden_sizes": (256, 256)}},
}


def _cell(family, relabeler, label=None, options=None):
  """One table cell: ``configs/<family>.py`` trained with ``relabeler``
  (``options``: extra ``relabel.*`` keys, e.g. HER's strategy)."""
  return ConfigDict(dict(family=family, config=f"configs/{family}.py", relabeler=relabeler,
                         label=label or relabeler,
                         options=[f"{k}={v}" for k, v in (options or {}).items()]))


def _claim(cid, text, kind, a, b, families):
  """``kind='better'``: label ``a`` ends higher than ``b`` (95 % bootstrap CI
  of the difference of seed means above 0); ``'not_worse'``: its CI is not
  below 0. Checked per family."""
  return ConfigDict(dict(id=cid, text=text, kind=kind, a=a, b=b, families=list(families)))


def _generalized_hindsight() -> ConfigDict:
  fams = ["point_trajectory", "point_reacher", "halfcheetah_multiobjective", "ant_direction"]
  cells = []
  for f in fams:
    for r in ("none", "random", "advantage", "air"):
      cells.append(_cell(f, r))
    if f == "point_reacher":  # HER applies to the goal part of this reward only
      cells.append(_cell(f, "her", "her", {"relabel.her.strategy": "future"}))
  claims = [
      _claim("gh-air", "Approximate IRL relabeling (AIR) learns better than no relabeling "
             "on every multi-task family.", "better", "air", "none", fams),
      _claim("gh-advantage", "Advantage relabeling learns better than no relabeling.",
             "better", "advantage", "none", fams),
      _claim("gh-random", "Choosing the task matters: AIR beats relabeling with random "
             "tasks from the prior.", "better", "air", "random", fams),
      _claim("gh-advantage-random", "Advantage relabeling beats random relabeling.",
             "better", "advantage", "random", fams),
      _claim("gh-her", "On the multi-objective reacher, where HER can only relabel the "
             "goal part of the reward, AIR beats HER.", "better", "air", "her",
             ["point_reacher"]),
  ]
  return ConfigDict(dict(
      name="generalized_hindsight",
      title="Generalized Hindsight (Li, Pinto, Abbeel, NeurIPS 2020)",
      families=fams, cells=cells, claims=claims))


# HIPI's candidates at each scale. The paper scores every transition of a
# batch against the batch's B tasks (B × B critic evaluations per update);
# at B = 256 that makes an update ~60× slower than plain SAC on a CPU
# (BENCHMARKS.md), so the CPU scale scores against K = 16 tasks from the prior.
HIPI_OPTIONS = {
    "cpu": {"relabel.hipi.candidates": "prior", "relabel.hipi.num_candidates": 16},
    "paper": {},
}


def _hipi(scale: str) -> ConfigDict:
  goal = ["point_goal", "reacher_goal", "ant_goal"]
  fams = goal + ["walker_linear"]
  cells = []
  for f in fams:
    for r in ("none", "random"):
      cells.append(_cell(f, r))
    cells.append(_cell(f, "hipi", options=HIPI_OPTIONS[scale]))
    if f in goal:
      for s in ("final", "future"):
        cells.append(_cell(f, "her", f"her-{s}", {"relabel.her.strategy": s}))
  # HIPI-BC vs BC: the same BC learner, with and without HIPI relabeling.
  cells.append(_cell("point_goal_bc", "none", "bc"))
  cells.append(_cell("point_goal_bc", "hipi", "hipi-bc"))
  claims = [
      _claim("hipi-none", "HIPI relabeling learns better than no relabeling, on goal "
             "reaching and on linear rewards.", "better", "hipi", "none", fams),
      _claim("hipi-random", "HIPI beats relabeling with random tasks from the prior.",
             "better", "hipi", "random", fams),
      _claim("hipi-her-final", "On goal reaching, HIPI is at least as good as HER "
             "(final).", "not_worse", "hipi", "her-final", goal),
      _claim("hipi-her-future", "On goal reaching, HIPI is at least as good as HER "
             "(future).", "not_worse", "hipi", "her-future", goal),
      _claim("hipi-bc", "Behavior cloning on HIPI-relabeled data (HIPI-BC) learns goal "
             "reaching better than plain behavior cloning.", "better", "hipi-bc", "bc",
             ["point_goal_bc"]),
  ]
  return ConfigDict(dict(
      name="hipi",
      title="HIPI: Rewriting History with Inverse RL (Eysenbach, Geng, Levine, "
            "Salakhutdinov, NeurIPS 2020)",
      families=fams + ["point_goal_bc"], cells=cells, claims=claims))


def get_config(study: str = "generalized_hindsight", scale: str = "cpu") -> ConfigDict:
  """The study ``study`` at ``scale``, with its budget per family."""
  if study not in STUDIES:
    raise ValueError(f"unknown study {study!r}; studies: {', '.join(STUDIES)}")
  if scale not in SCALES:
    raise ValueError(f"unknown scale {scale!r}; scales: {', '.join(SCALES)}")
  c = _generalized_hindsight() if study == "generalized_hindsight" else _hipi(scale)
  c.scale = scale
  c.num_seeds = 5
  c.metric = "eval_return_mean"   # what tables, curves and claims compare
  c.alpha = 0.05                  # 95 % intervals
  c.n_boot = 2000                 # bootstrap resamples
  # ["key=value", ...] per family: the same strings sweep.py's --set takes.
  c.budgets = ConfigDict({f: [f"{k}={v}".replace(" ", "") for k, v in BUDGETS[f][scale].items()]
                          for f in c.families})
  return c
