"""HIPI: relabeling with the MaxEnt inverse-RL posterior (Eysenbach et al. 2020).

q(z | τ) ∝ p(z) exp(Σ r_z − log Z(z)). Transition level (for off-policy RL):
logits[i, j] = r(φ_i, a_i, z_j) − log π(a_i | s_i, z_j)
               + γ (1 − d_i) Q(s′_i, a′_ij, z_j),  a′_ij ~ π(· | s′_i, z_j);
trajectory level (for BC): logits[n, j] = Σ_t γ^t r(φ_nt, a_nt, z_j). The
partition function log Z(z_j) is estimated over the batch (column logsumexp);
each row then samples its new task. Candidates: the batch's own tasks
(B × B, as in the paper) or K prior samples.

Q is the first critic alone by default, as the released code scores
candidates: ``train_eval.py`` hands the buffer ``critic=critic_net`` (L186),
the network tf_agents' ``SacAgent`` keeps as ``_critic_network_1``
(``critic_network=critic_net``, L160; its twin is a copy), and
``GoalRelabellingReplayBuffer._soft_relabel`` calls it on (s′, a′ ~ π(s′, z)).
``critic='min'`` scores with min(Q1, Q2), the SAC target's value.

``uniform=True`` is the released code's ``relabel_type='random'`` baseline:
the same candidate set with constant logits (``_soft_relabel``:
``logits_vec = tf.ones_like(logits_vec)``), so each row takes a uniformly
drawn candidate (an achieved state of the batch on goal tasks, a task of the
batch with ``candidates='batch'``); no network is evaluated.
"""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp

from hindsight.relabel import core
from hindsight.relabel import returns
from hindsight.relabel.base import Relabeler

CANDIDATES = ("batch", "states", "states_released", "prior")
STATE_CANDIDATES = ("states", "states_released")
LEVELS = ("transition", "trajectory")
CRITICS = ("first", "min")


@dataclasses.dataclass(frozen=True)
class HIPI(Relabeler):
  candidates: str = "batch"      # batch | states | states_released | prior (see above)
  num_candidates: int = 256      # K for 'prior'
  temperature: float = 1.0
  normalize_columns: bool = True
  level: str = "transition"      # 'trajectory': summed episode rewards (HIPI-BC)
  block_size: int = 0            # S: score in blocks of S transitions (0: whole batch)
  # Q in the logits: 'first' = Q1, as the released code (module docstring);
  # 'min' = min(Q1, Q2).
  critic: str = "first"
  uniform: bool = False          # the released relabel_type='random' (module docstring)

  name = "hipi"

  @property
  def supports_insert(self):
    """Trajectory level needs no networks, so episodes can be relabeled once."""
    return self.level == "trajectory"

  def __post_init__(self):
    if self.candidates not in CANDIDATES:
      raise ValueError(f"hipi candidates must be one of {CANDIDATES}, got {self.candidates!r}")
    if self.level not in LEVELS:
      raise ValueError(f"hipi level must be one of {LEVELS}, got {self.level!r}")
    if self.num_candidates < 1:
      raise ValueError(f"hipi num_candidates must be >= 1, got {self.num_candidates}")
    if not self.temperature > 0:
      raise ValueError(f"hipi temperature must be > 0, got {self.temperature}")
    if self.critic not in CRITICS:
      raise ValueError(f"hipi critic must be one of {CRITICS}, got {self.critic!r}")
    if self.block_size < 0:
      raise ValueError(f"hipi block_size must be >= 0 (0: the whole batch), got "
                       f"{self.block_size}")
    if self.candidates == "states_released" and self.level == "trajectory":
      raise ValueError("hipi candidates='states_released' is the released code's "
                       "transition-level quirk; use 'states' at level='trajectory'")

  def check_family(self, family):
    super().check_family(family)
    if self.candidates in STATE_CANDIDATES and not (family.is_goal_family
                                                     or family.has_goal_part):
      raise ValueError(f"hipi candidates={self.candidates!r} uses achieved states as goals "
                       f"and needs a goal family; {family.name!r} has no goal part "
                       f"(valid here: 'batch', 'prior')")

  def check_batch_size(self, batch_size: int):
    """Blocks must tile the batch."""
    if self.candidates != "prior" and self.block_size and batch_size % self.block_size:
      raise ValueError(f"hipi block_size {self.block_size} must divide the batch size "
                       f"{batch_size}")

  @property
  def needs_values(self):
    return self.level == "transition" and not self.uniform

  def achieved_tasks(self, key, batch, family):
    """The goal each row achieved, as a task: at the transition's own step
    (transition level) or at a uniform valid step of its episode (trajectory
    level). f32[B, D]."""
    if self.level == "trajectory":
      length = jnp.maximum(jnp.sum(batch.ep_mask > 0, axis=1).astype(jnp.int32), 1)
      t = jnp.minimum((jax.random.uniform(key, length.shape) * length).astype(jnp.int32),
                      length - 1)
      feats = batch.ep_features[jnp.arange(t.shape[0]), t]
    else:
      feats = batch.features
    return family.with_goal(batch.task, family.achieved_goal(feats)).astype(jnp.float32)

  def candidate_sets(self, key, batch, family):
    """(scored f32[K, D], assigned f32[K, D]): the tasks the logits are
    computed over, and the task index j assigns (they differ only for
    'states_released')."""
    if self.candidates == "batch":
      return batch.task, batch.task
    if self.candidates == "prior":
      c = family.sample(key, self.num_candidates).astype(jnp.float32)
      return c, c
    achieved = self.achieved_tasks(key, batch, family)
    if self.candidates == "states":
      return achieved, achieved
    return batch.task, achieved  # 'states_released'

  def logits(self, key, batch, ctx, cands):
    """f32[B, K] unnormalised log-posterior terms."""
    fam = ctx.family
    if self.level == "trajectory":
      return returns.batch_returns(fam, ctx.gamma, batch, cands)
    b, k = batch.task.shape[0], cands.shape[0]
    rew = fam.reward(batch.features[:, None, :], batch.action[:, None, :], cands[None])
    fns = ctx.fns
    q_name = "q_first" if self.critic == "first" else "q"
    if "q_pairs" in fns:
      # The learner's pairwise forms: the first layer's observation and task
      # halves computed once per row and per candidate (learners/pairwise.py).
      logp = fns["log_prob_pairs"](batch.obs, batch.action, cands)
      next_a = fns["sample_action_pairs"](key, batch.next_obs, cands)
      q_next = fns[f"{q_name}_pairs"](batch.next_obs, next_a, cands)
    else:
      tile = lambda x: jnp.broadcast_to(x[:, None, :], (b, k, x.shape[-1])).reshape(b * k, -1)
      task = jnp.broadcast_to(cands[None], (b, k, cands.shape[-1])).reshape(b * k, -1)
      obs, act, nobs = tile(batch.obs), tile(batch.action), tile(batch.next_obs)
      logp = fns["log_prob"](obs, act, task).reshape(b, k)
      next_a = fns["sample_action"](key, nobs, task)
      q_next = fns[q_name](nobs, next_a, task).reshape(b, k)
    # The bootstrap stops where the candidate's episode would end: at the
    # stored termination, or, with termination at success, where φ reaches it.
    done = jnp.broadcast_to(batch.terminal[:, None], (b, k))
    if fam.terminate_on_success:
      done = jnp.maximum(done, fam.success(batch.features[:, None, :], cands[None])
                         .astype(jnp.float32))
    return rew - logp + ctx.gamma * (1.0 - done) * q_next

  def _relabel_block(self, key, batch, ctx):
    k_c, k_l, k_s = jax.random.split(key, 3)
    scored, assigned = self.candidate_sets(k_c, batch, ctx.family)
    if self.uniform:
      b, k = batch.task.shape[0], scored.shape[0]
      logq = jnp.full((b, k), -jnp.log(float(k)))
    else:
      logits = jax.lax.stop_gradient(self.logits(k_l, batch, ctx, scored))
      logq = core.hipi_log_posterior(logits, self.normalize_columns, self.temperature)
    idx = jax.random.categorical(k_s, logq, axis=1)
    entropy = -jnp.sum(jnp.exp(logq) * logq, axis=1)
    info = {"hipi_posterior_entropy": jnp.mean(entropy),
            "hipi_max_prob": jnp.mean(jnp.exp(jnp.max(logq, axis=1)))}
    if self.candidates != "prior":
      info["hipi_kept_own"] = jnp.mean((idx == jnp.arange(idx.shape[0])).astype(jnp.float32))
    return assigned[idx], info

  def relabel_with_info(self, key, batch, ctx):
    b = batch.task.shape[0]
    s = self.block_size
    if self.candidates == "prior" or not s or s >= b:
      return self._relabel_block(key, batch, ctx)
    self.check_batch_size(b)
    if ctx.fns is not None:
      # Small blocks (S × S pairs each) stay tiled: vmapped over the blocks the
      # pairwise networks measured 0.83x the tiled ones at S = 16
      # (benchmarks/hipi_cost.py); they pay at the paper's B × B (1.29x).
      ctx = dataclasses.replace(ctx, fns={k: v for k, v in ctx.fns.items()
                                          if not k.endswith("_pairs")})
    # [B, ...] → [B/S, S, ...]: each block is scored against its own rows.
    blocks = jax.tree.map(lambda x: x.reshape(b // s, s, *x.shape[1:]), batch)
    keys = jax.random.split(key, b // s)
    # vmap, not a sequential map: the B·S critic evaluations run as one batch.
    tasks, info = jax.vmap(lambda k, blk: self._relabel_block(k, blk, ctx))(keys, blocks)
    return tasks.reshape(b, -1), jax.tree.map(jnp.mean, info)
