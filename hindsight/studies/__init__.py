"""The paper studies that ``experiments/reproduce.py`` runs and reports.

A study is a set of cells (a config file × a relabeler, with optional
relabeler options), a budget per family at each scale, and the papers' claims
the report checks against the runs. Everything ``reproduce.py`` and
``hindsight/report.py`` need to regenerate REPRODUCTION.md lives here.

Scales
------
A scale sets the env-step budget and nothing else: every learning setting
(networks, learning rates, updates per env step, batch, buffer, warm-up,
relabel share, HIPI's candidates) is the family config's, which is the
paper's (``PAPER_SETTINGS``; a test checks the configs against it and the
report prints paper vs this study per setting). One exception, stated where
it is set: at the cpu scale HIPI scores each batch in blocks of 16
transitions against their own block's candidates (``HIPI_OPTIONS``), since
the paper's B × B is 70× a SAC update on a CPU.

``cpu``: what a 2-core CPU machine finishes in hours per study, 5 seeds per
cell trained vmapped in one process. ``paper``: budgets of the order of the
papers' learning curves (10⁵ env steps on the point families, 10⁶ on
locomotion); meant for an accelerator. Budgets per family are in ``BUDGETS``.
"""

from __future__ import annotations

from ml_collections import ConfigDict

STUDIES = ("generalized_hindsight", "hipi", "her_bit_flip")
SCALES = ("cpu", "paper")

# family (config stem) -> {scale: {config key: value}}; passed to every run
# of the family as ``--config.<key>=<value>``. A scale changes the env-step
# budget and nothing else: every learning setting is the family config's,
# which is the paper's (PAPER_SETTINGS below, checked in the report).
# Measured on 2 cores at the papers' settings (5 seeds vmapped, nothing else
# running; the 'none' cell): point_reacher 37 min per 10k env steps (5
# updates per env step of [300, 300, 300] networks: 44 ms per update of the 5
# seeds), point_trajectory 4.0 min per 10k env steps (13-16 min per cell at
# 32k, measured from the study's own runs).
# point_reacher at the cpu scale: 8,000 env steps (4 epochs of 2,000 after
# the 1,000-step warm-up), ~30 min per cell and 3 h for its six cells. At
# 32,000 its cells alone would take 12 h, more than both studies' working day;
# the first-generation runs (64×64 networks, one update per env step)
# went from −4.8 at 5,000 env steps to −2.2 at 9,000 (−1.4 at 33,000), so
# 8,000 at five updates per env step is expected to pass the
# learned-at-this-budget guard (the report checks it).
BUDGETS = {
    "point_trajectory": {"cpu": {"train.total_env_steps": 32_000},
                         "paper": {"train.total_env_steps": 75_000}},  # 1000 epochs × 75 (README)
    "point_reacher": {"cpu": {"train.total_env_steps": 8_000},
                      "paper": {"train.total_env_steps": 100_000}},
    # HIPI's families at its settings (256×256, batch 256, one update per
    # env step, 10,000 uniform warm-up steps), measured with
    # benchmarks/epoch_anatomy.py on 2 cores shared with a study (load ~2,
    # 2026-12-02): point_goal 'none' 145 s and 'hipi' (blocks of 16) 549 s
    # per 2,000 env steps, so at 32,000 a 'none'-like cell is ~40 min and the
    # 'hipi' cell ~2.4 h on a shared machine (about half on an idle one). The
    # first-generation runs (64×64) show what the budgets buy: point_goal
    # 'none' took off after ~21,000 env steps (success 0.20) and ended at 0.94
    # at 33,000; reacher_goal 'none' went from success 0.42 at 11,000 to
    # 0.71 at 43,000-59,000. Smaller budgets would leave 'none' short of the
    # learned guard on point_goal; larger ones do not fit: the HIPI study at
    # these budgets is ~11 h of training on an idle 2-core machine
    # (20 cells), more than the working day the studies were meant to fit.
    "point_goal": {"cpu": {"train.total_env_steps": 32_000},
                   "paper": {"train.total_env_steps": 150_000}},
    "point_goal_bc": {"cpu": {"train.total_env_steps": 32_000},
                      "paper": {"train.total_env_steps": 150_000}},
    # GH's locomotion families train 0.1 updates per env step (launch_gher.py
    # L310, L297), so their cells cost mostly simulation and evaluation:
    # measured 41 s per 10,000-step epoch for HalfCheetah's 'none' (5 seeds,
    # benchmarks/results/epoch_anatomy-halfcheetah.md), 31 % of it the 25
    # evaluation episodes of 1,000 steps. 200,000 env steps (20,000 updates)
    # is ~14 min per 'none' cell, ~2.5-3 h for the ten cells of both families.
    # The first-generation runs at 50,000 (one update per env step, 64×64)
    # ended at or below the random policy's return on both families.
    "halfcheetah_multiobjective": {"cpu": {"train.total_env_steps": 200_000},
                                   "paper": {"train.total_env_steps": 1_000_000}},
    "ant_direction": {"cpu": {"train.total_env_steps": 200_000},
                      "paper": {"train.total_env_steps": 1_000_000}},
    # HIPI's Brax families at 50,000 env steps, as the study's runs measured
    # them (5 seeds, 2 cores, another cell beside each): reacher_goal 'none'
    # 24 min, 'hipi-uniform' 39 min, 'hipi' (blocks of 16) 91 min; ant_goal
    # 'none' 40 min, 'hipi-uniform' 31 min (310 s per 10,000-step epoch),
    # 'hipi' 2,303-2,417 s per epoch beside another cell (~1,200 s alone):
    # on Ant the block relabeling costs ~7.5x the uniform cell, so one 'hipi'
    # cell there is ~1.7 h alone. At this budget ant_goal's 'none' passes the
    # learned guard only by 9.8 over standing still (success 0.016).
    "reacher_goal": {"cpu": {"train.total_env_steps": 50_000},
                     "paper": {"train.total_env_steps": 300_000}},
    "ant_goal": {"cpu": {"train.total_env_steps": 50_000},
                 "paper": {"train.total_env_steps": 1_000_000}},
    "walker_linear": {"cpu": {"train.total_env_steps": 50_000},
                      "paper": {"train.total_env_steps": 1_000_000}},
    # HER's bit flipping (configs/bit_flip.py at n bits, family bit_flip_n<n>:
    # HER's cycle of 16 episodes, 40 updates, one target average).
    # cpu: measured with one seed of DQN + HER (future) on 2 shared cores:
    # success 0.44 after 510k env steps and 1.0 from 840k at n = 40; 0.44 after
    # 1.74M and 1.0 from 2.11M at n = 50 (~120k updates, ~10 min). Each budget
    # gives about 1.4x what that takes (n = 40, 50); below n = 40 the budgets
    # are those of the first generation of runs (results/reproduction/
    # her_bit_flip-cpu-v1: HER (future) at success 1.0 by 4k env steps at
    # n = 10, 80k at n = 30) or more. Updates per env step fall as 40 / (16 n),
    # so a cell costs its budget / (16 n) × 40 updates: 150k at n = 50.
    # paper: HER trains 50 epochs of 16 cycles × 16 episodes on each of 16
    # workers (appendix A, as this project reads it): 204,800 episodes of n steps.
    **{f"bit_flip_n{n}": {"cpu": {"train.total_env_steps": steps},
                          "paper": {"train.total_env_steps": 204_800 * n}}
       for n, steps in ((5, 20_000), (10, 40_000), (15, 100_000), (20, 200_000),
                        (30, 500_000), (40, 1_200_000), (50, 3_000_000))},
}

# The bit-flipping sizes of HER's Fig. 1 (n ∈ {5, …, 50}).
BIT_FLIP_SIZES = (5, 10, 15, 20, 30, 40, 50)


# ------------------------------------------------------ the papers' setups --
# family -> [(setting, the paper's value, source[, relative tolerance])], compared by the report
# with what the runs used (config.json). A setting is a dotted config key or
# one of the report's derived names (``warmup_steps`` = warm-up episodes × H,
# ``buffer_size`` = the buffer's capacity in transitions).
_GH = "alexlioralexli/generalized-hindsight launch_gher.py"
_GH_SAC = "rlkit/torch/sac/sac_gher.py SACTrainer.__init__ (alpha lr = policy_lr)"
_HIPI = "google-research hipi/train_eval.py train_eval"
_HIPI_BUF = "hipi/relabelling_replay_buffer.py RelabellingReplayBuffer.__init__"


def _gh(horizon, gamma, hidden, batch, updates, buffer, line_h, line_g, line_n, line_b,
        line_u, line_buf, time_limit="bootstrap", time_src=""):
  out = [("env.options.horizon", horizon, f"{_GH} max_path_length ({line_h})"),
         ("gamma", gamma, f"{_GH} discount ({line_g})"),
         ("learner.hidden_sizes", hidden, f"{_GH} hidden sizes ({line_n})"),
         ("learner.actor_lr", 3e-3, f"{_GH} policy_lr (L239)"),
         ("learner.critic_lr", 3e-3, f"{_GH} qf_lr (L240)"),
         ("learner.alpha_lr", 3e-3, _GH_SAC),
         ("learner.tau", 5e-3, f"{_GH} soft_target_tau (L180, L237)"),
         ("learner.target_entropy_scale", 1.0, "rlkit/torch/sac/sac_gher.py "
          "SACTrainer.__init__: target_entropy = −dim(A)"),
         ("learner.init_alpha", 1.0, "rlkit/torch/sac/sac_gher.py SACTrainer.__init__: "
          "log_alpha = 0"),
         ("train.batch_size", batch, f"{_GH} batch_size ({line_b})"),
         ("train.updates_per_env_step", updates, f"{_GH} num_trains_per_train_loop / "
          f"num_expl_steps_per_train_loop ({line_u})"),
         ("buffer_size", buffer, f"{_GH} replay_buffer_size ({line_buf})"),
         # GH's warm-up ends mid-path (path_collector.py collect_new_paths);
         # whole episodes here: within one episode of it.
         ("warmup_steps", 1000, f"{_GH} min_num_steps_before_training (L232)",
          horizon / 1000),
         ("train.warmup_policy", "learner", "rlkit batch_rl_algorithm.py: warm-up paths "
          "collected with the initial policy"),
         ("relabel.fraction", 0.5, "task_relabeling_replay_buffer.py add_path: each "
          "relabeled path stored beside its original, batches uniform")]
  if time_src:
    out.append(("env.options.time_limit", time_limit, time_src))
  return out


def _hipi(horizon_src, horizon, goal=True):
  out = [("env.options.horizon", horizon, horizon_src),
         ("gamma", 0.99, f"{_HIPI} gamma (L72)"),
         ("learner.hidden_sizes", (256, 256), f"{_HIPI} actor/critic fc layers (L55-58)"),
         ("learner.actor_lr", 3e-4, f"{_HIPI} actor_learning_rate (L68)"),
         ("learner.critic_lr", 3e-4, f"{_HIPI} critic_learning_rate (L69)"),
         ("learner.alpha_lr", 3e-4, f"{_HIPI} alpha_learning_rate (L70)"),
         ("learner.tau", 0.005, f"{_HIPI} target_update_tau (L63)"),
         ("learner.target_entropy_scale", 0.5, "tf_agents agents/sac/sac_agent.py "
          "SacAgent._get_default_target_entropy: −dim(A)/2 (train_eval.py passes none, "
          "L156-176)"),
         ("learner.init_alpha", 1.0, "tf_agents SacAgent initial_log_alpha = 0.0 (train_eval.py "
          "passes none)"),
         ("train.batch_size", 256, f"{_HIPI} batch_size (L67)"),
         ("train.updates_per_env_step", 1.0, f"{_HIPI} train_steps_per_iteration (L66)"),
         ("buffer_size", 1_000_000, f"{_HIPI} replay_buffer_capacity (L61)"),
         ("warmup_steps", 10_000, f"{_HIPI} initial_collect_steps (L60)"),
         ("train.warmup_policy", "uniform", f"{_HIPI} RandomTFPolicy (L216-217)"),
         ("relabel.fraction", 1.0, f"{_HIPI_BUF} relabel_prob (L67)"),
         ("relabel.hipi.critic", "first", f"{_HIPI} critic=critic_net (L186): tf_agents "
          "SacAgent's critic_network_1 (L160), called in "
          "GoalRelabellingReplayBuffer._soft_relabel"),
         ("env.options.time_limit", "bootstrap", "hipi/utils.py DataCollector.step: episodes "
          "cut without done (train_eval.py L124-127)")]
  if goal:
    out.append(("relabel.hipi.candidates", "states", f"{_HIPI_BUF} candidate_task_type (L65)"))
  else:
    out.append(("relabel.hipi.candidates", "batch", f"{_HIPI_BUF} candidate_task_type "
                "'tasks' (the walker's state_to_task is not defined: "
                "hipi/envs/dm_env.py WalkerTaskDistribution)"))
  return out


PAPER_SETTINGS = {
    "point_reacher": _gh(20, 0.97, (300, 300, 300), 256, 5.0, 2000, "L319", "L320",
                         "L258, L263", "L227", "100 per 20 steps: L231, L321-322", "L324",
                         "terminal", "rlkit/envs/point_reacher_env.py PointReacherEnv.step: "
                         "done = t >= horizon"),
    "point_trajectory": _gh(15, 0.90, (400, 300), 128, 100 / 75, 100_000, "L233", "L236",
                            "L288-289", "L287", "100 per 75 steps: L230-231", "L245",
                            "terminal", "rlkit/envs/point_robot_new.py PointEnv.step: "
                            "done = t >= horizon") + [
        ("env.options.reward_state", "current", "rlkit/torch/multitask/pointmass_rewards.py "
         "calculate_path_reward on path['observations']")],
    "halfcheetah_multiobjective": _gh(1000, 0.99, (256, 256), 256, 0.1, 1_000_000, "L308",
                                      "L309", "L315-316", "L227", "100 per 1000 steps: "
                                      "L310", "L314"),
    "ant_direction": _gh(1000, 0.99, (256, 256), 256, 0.1, 1_000_000, "L295", "L296",
                         "L302-303", "L227", "100 per 1000 steps: L297", "L301"),
    "point_goal": _hipi(f"{_HIPI} max_episode_steps (L89; the 2D navigation task uses 75 "
                        "in its maze)", 20) + [
        ("env.options.terminate_on_success", True, "hipi/envs/point_env.py "
         "PointGoalDistribution._evaluate: dones = dist < at_goal_dist"),
        ("env.options.reward_state", "current", "hipi/envs/multitask.py Environment.step: "
         "reward and done at s_t")],
    "reacher_goal": _hipi(f"{_HIPI} max_episode_steps (L89)", 100) + [
        ("env.options.terminate_on_success", True, "hipi/envs/dm_env.py "
         "ReacherTaskDistribution._evaluate: dones = dist < margin")],
    "ant_goal": _hipi(f"{_HIPI} max_episode_steps (L89)", 100),
    "walker_linear": _hipi(f"{_HIPI} max_episode_steps = 100 (README, walker)", 100,
                           goal=False),
    "point_goal_bc": [
        ("relabel.fraction", 1.0, "HIPI-BC (paper, Alg. 2) imitates relabeled data only"),
        ("relabel.hipi.level", "trajectory", "HIPI paper, Sec. 5 (no released BC code)")],
}

_HER_A = "Andrychowicz et al. 2017, appendix A (bit-flipping)"
_BASELINES = "openai/baselines baselines/her"
_HER_SETTINGS = [
    ("learner.name", "dqn", f"{_HER_A}: DQN"),
    ("learner.hidden_sizes", (256,), f"{_HER_A}: one hidden layer of 256 units"),
    ("learner.critic_lr", 1e-3, f"{_HER_A}: Adam, learning rate 0.001"),
    ("gamma", 0.98, f"{_HER_A}: discount 0.98"),
    ("learner.tau", 0.05, f"{_HER_A}: target network Polyak decay 0.95"),
    ("train.batch_size", 128, f"{_HER_A}: minibatches of 128"),
    ("train.num_envs", 16, f"{_HER_A}: 16 episodes per cycle"),
    ("train.updates_per_iteration", 40, f"{_HER_A}; {_BASELINES}/experiment/config.py "
     "n_batches: 40 updates per cycle"),
    ("learner.dqn.polyak_every", 40, f"{_BASELINES}/her.py train(): the target averaged "
     "once per cycle"),
    ("learner.dqn.clip_return", 50.0, f"{_BASELINES}/experiment/config.py configure_ddpg: "
     "targets clipped to [−1/(1 − γ), 0]"),
    ("relabel.fraction", 0.8, "HER Sec. 4.5: k = 4 replayed goals per real one (4/5)"),
    ("env.options.max_steps", 0, f"{_HER_A}: episodes of n steps"),
    ("env.options.terminate_on_success", True, f"{_HER_A}: success = the goal reached at "
     "any step"),
]
PAPER_SETTINGS.update({f"bit_flip_n{n}": _HER_SETTINGS for n in BIT_FLIP_SIZES})


# What the setup cannot match, per family, beside the Brax families' own
# PAPER_DIFFERENCES (added by get_config).
NOTES = {
    "point_reacher": [
        "Evaluation: 25 fixed prior tasks, one deterministic episode each (the released "
        "code evaluates 50 episodes on fresh prior tasks per epoch, launch_gher.py L323).",
        "GH stores each relabeled path beside its original in its 2,000 slots, so its "
        "relabeling runs hold ~1,000 distinct transitions: this study's relabeling cells "
        "set `train.buffer_transitions=1000`."],
    "point_trajectory": [
        "Evaluation: 25 fixed prior tasks (the released code: 333 episodes on fresh prior "
        "tasks per epoch, launch_gher.py L229)."],
    "point_goal": [
        "Arena: the [−1, 1]² velocity-controlled point of this project, not HIPI's "
        "FourRooms maze (10 substeps, action noise 1.0); success radius ε = 0.05 of this "
        "arena instead of HIPI's 0.3 maze units.",
        "Networks are updated between episodes (20 steps, then 20 updates), not after "
        "every env step."],
    "point_goal_bc": [
        "HIPI's released code has no BC: the trajectory-level posterior (Σ_t r under each "
        "candidate, column-normalised) follows the paper; candidates are the goals "
        "achieved at a uniform step of each sampled episode."],
    **{f"bit_flip_n{n}": [
        "HER trains several workers in parallel (MPI, gradients averaged); here one "
        "process runs HER's cycle: 16 episodes, then 40 updates and one Polyak average of "
        "the target network (decay 0.95), targets clipped to [−50, 0].",
        "ε-greedy exploration decays from 0.5 to 0.05 over 5,000 updates (this project's "
        "schedule; HER's DQN exploration is not in its released code).",
        "Evaluation: one greedy episode on each of 25 fixed goals from random starts.",
        "The budget fixes the number of iterations (total_env_steps / (16 n) iterations "
        "of 16 episodes, as HER counts epochs of episodes); an episode that reaches its "
        "goal ends there, so a strategy that succeeds spends fewer env steps than the "
        "budget (the tables' env steps column)."]
       for n in BIT_FLIP_SIZES},
}


def _cell(family, relabeler, label=None, options=None, config=None):
  """One table cell: ``configs/<family>.py`` (or ``config``) trained with
  ``relabeler`` (``options``: extra config keys, e.g. HER's strategy)."""
  return ConfigDict(dict(family=family, config=config or f"configs/{family}.py",
                         relabeler=relabeler,
                         label=label or relabeler,
                         options=[f"{k}={v}" for k, v in (options or {}).items()]))


def _claim(cid, text, kind, a, b, families):
  """``kind='better'``: label ``a`` ends higher than ``b`` (95 % bootstrap CI
  of the difference of seed means above 0); ``'not_worse'``: its CI is not
  below 0. Checked per family."""
  return ConfigDict(dict(id=cid, text=text, kind=kind, a=a, b=b, families=list(families)))


# What each study's earlier runs (results/reproduction/<study>-cpu-v1/, the
# report's appendix) did differently, and whether they were judged with the
# random-policy guard.
def _v1_fidelity(what: str) -> dict:
  return dict(v1_setup=f"time limits that bootstrapped where the released code ended the "
                       f"episode, {what}, other learning settings; judged without the "
                       "random-policy guard",
              v1_report="results/reproduction/REPRODUCTION-v1.md", v1_guarded=False)


def _generalized_hindsight() -> ConfigDict:
  fams = ["point_trajectory", "point_reacher", "halfcheetah_multiobjective", "ant_direction"]
  cells = []
  for f in fams:
    # GH's buffer holds each relabeled path beside its original in the same
    # slots (NOTES): on PointReacher's 2,000-slot buffer that halves what a
    # relabeling run keeps.
    small = {"train.buffer_transitions": 1000} if f == "point_reacher" else {}
    cells.append(_cell(f, "none"))
    # GH's random baseline: one prior task per episode, drawn at insertion
    # (rlkit/torch/multitask/rewards.py get_latents_and_rewards with
    # n_sampled_latents = 1; README "Random relabeling").
    cells.append(_cell(f, "random", options={"relabel.when": "insert", **small}))
    for r in ("advantage", "air"):
      cells.append(_cell(f, r, options=small or None))
    # Not GH's baseline: a fresh prior task for every sampled transition.
    cells.append(_cell(f, "random", "random-per-sample", options=small or None))
    if f == "point_reacher":  # HER applies to the goal part of this reward only
      cells.append(_cell(f, "her", "her", {"relabel.her.strategy": "future", **small}))
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
      families=fams, cells=cells, claims=claims,
      **_v1_fidelity("a random baseline with a fresh prior task per sampled transition")))


# HIPI's candidates at each scale: the paper's (the batch's achieved states on
# goal families, its tasks on the walker; family configs) at relabel fraction
# 1. The paper scores every transition against the whole batch, B × B = 65,536
# critic evaluations per update at B = 256: measured on 2 cores (point_goal,
# 256×256 networks) a relabel-and-update step took 469 ms against 6.7 ms for
# the SAC update alone (70×). The cpu scale scores the batch in blocks of 16
# transitions, each against its own block's 16 candidates (B × 16
# evaluations): 17 ms per step (block 32: 26 ms), so relabeling costs ~2 SAC
# updates and the candidates stay the batch's own achieved states or tasks.
HIPI_OPTIONS = {
    "cpu": {"relabel.hipi.block_size": 16},
    "paper": {},
}


def _hipi(scale: str) -> ConfigDict:
  goal = ["point_goal", "reacher_goal", "ant_goal"]
  fams = goal + ["walker_linear"]
  cells = []
  for f in fams:
    cells.append(_cell(f, "none"))
    # HIPI's random baseline as released: relabel_type='random' draws each
    # transition's task uniformly from the same candidates HIPI scores (the
    # batch's achieved states on goal tasks, its tasks on the walker;
    # hipi/relabelling_replay_buffer.py _soft_relabel, logits = ones), over
    # the whole batch.
    cells.append(_cell(f, "hipi", "random", {"relabel.hipi.uniform": True}))
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
      _claim("hipi-random", "HIPI beats relabeling with a random candidate (the released "
             "code's random baseline: a uniformly drawn achieved goal of the batch on goal "
             "reaching, a task of the batch on the walker).", "better", "hipi", "random",
             fams),
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
      families=fams + ["point_goal_bc"], cells=cells, claims=claims,
      **_v1_fidelity("candidates drawn from the task prior")))


def _her_bit_flip() -> ConfigDict:
  """HER's bit-flipping result (Andrychowicz et al. 2017, Fig. 1): DQN alone
  stops reaching the goal beyond ~15 bits, DQN + HER reaches it up to n = 50.
  One family per n: configs/bit_flip.py with env.options.n = n."""
  fams = [f"bit_flip_n{n}" for n in BIT_FLIP_SIZES]
  cells = []
  for n, f in zip(BIT_FLIP_SIZES, fams):
    bits = {"env.options.n": n}
    cells.append(_cell(f, "none", "dqn", bits, config="configs/bit_flip.py"))
    for strategy in ("future", "final"):   # HER's k = 4 future, and final
      cells.append(_cell(f, "her", f"her-{strategy}",
                         {"relabel.her.strategy": strategy, **bits},
                         config="configs/bit_flip.py"))
  large = [f"bit_flip_n{n}" for n in BIT_FLIP_SIZES if n >= 20]
  claims = [
      _claim("her-future", "Beyond ~15 bits DQN + HER (future) reaches the goal more often "
             "than DQN alone.", "better", "her-future", "dqn", large),
      _claim("her-final", "Beyond ~15 bits DQN + HER (final) reaches the goal more often "
             "than DQN alone.", "better", "her-final", "dqn", large),
      _claim("her-small", "On few bits DQN alone is not worse than DQN + HER (future).",
             "not_worse", "dqn", "her-future", ["bit_flip_n5"]),
  ]
  return ConfigDict(dict(
      name="her_bit_flip",
      title="HER: Hindsight Experience Replay, bit flipping (Andrychowicz et al., "
            "NeurIPS 2017)",
      families=fams, cells=cells, claims=claims, metric="eval_success_mean",
      # The report's figure of the final success rate against n (HER Fig. 1).
      axis=dict(key="n", name="bits n", values=dict(zip(fams, BIT_FLIP_SIZES))),
      v1_setup="0.25 updates per env step with the target network averaged after every "
               "update and unclipped targets, where HER makes 40 updates and one target "
               "average per cycle of 16 episodes and clips the targets to [−50, 0]; "
               "10⁶ env steps at n = 50; judged with the random-policy guard",
      v1_report="results/reproduction/REPRODUCTION-her-v1.md", v1_guarded=True))


def get_config(study: str = "generalized_hindsight", scale: str = "cpu") -> ConfigDict:
  """The study ``study`` at ``scale``, with its budget per family."""
  if study not in STUDIES:
    raise ValueError(f"unknown study {study!r}; studies: {', '.join(STUDIES)}")
  if scale not in SCALES:
    raise ValueError(f"unknown scale {scale!r}; scales: {', '.join(SCALES)}")
  c = {"generalized_hindsight": _generalized_hindsight, "her_bit_flip": _her_bit_flip,
       "hipi": lambda: _hipi(scale)}[study]()
  c.scale = scale
  c.num_seeds = 5
  # What tables, curves and claims compare (HER's: the success rate).
  c.metric = c.get("metric", "eval_return_mean")
  c.alpha = 0.05                  # 95 % intervals
  c.n_boot = 2000                 # bootstrap resamples
  # ["key=value", ...] per family: the same strings sweep.py's --set takes.
  c.budgets = ConfigDict({f: [f"{k}={v}".replace(" ", "") for k, v in BUDGETS[f][scale].items()]
                          for f in c.families})
  c.paper_settings = {f: [list(s) for s in PAPER_SETTINGS.get(f, [])] for f in c.families}
  c.differences = {f: list(NOTES.get(f, [])) + _family_differences(family_config(c, f))
                   for f in c.families}
  return c


def family_config(study, family: str) -> str:
  """The config file of ``family``'s cells (``configs/<stem>.py``)."""
  return next(c.config for c in study.cells if c.family == family)


def _family_differences(path: str):
  """The family's own PAPER_DIFFERENCES (Brax families: what the simulator
  cannot match), found from the config file's env name."""
  from hindsight import schema, tasks
  name = schema.load(path).env.name
  return list(getattr(tasks.REGISTRY.get(name), "PAPER_DIFFERENCES", ()))
