"""core.py against hand-computed numbers (rlax style)."""

import math

import jax.numpy as jnp
import numpy as np
import pytest

from hindsight.relabel import core


def test_discounted_returns_masks_early_termination():
  rewards = jnp.array([[1.0, 2.0, 3.0], [1.0, 1.0, 1.0]])
  mask = jnp.array([[1.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
  # row 0: 1 + 0.5·2 = 2 (step 2 masked); row 1: 1
  np.testing.assert_allclose(core.discounted_returns(rewards, mask, 0.5), [2.0, 1.0])
  # γ = 1, no mask: plain sums 6 and 3
  np.testing.assert_allclose(core.discounted_returns(rewards, jnp.ones_like(mask), 1.0),
                             [6.0, 3.0])


def test_discounted_feature_sums():
  feats = jnp.array([[[1.0, 0.0], [0.0, 2.0], [5.0, 5.0]]])  # [1, 3, 2]
  mask = jnp.array([[1.0, 1.0, 0.0]])
  # Σ γ^t φ_t = (1, 0) + 0.5·(0, 2) = (1, 1)
  np.testing.assert_allclose(core.discounted_feature_sums(feats, mask, 0.5), [[1.0, 1.0]])


def test_percentile_ranks_midrank_with_ties():
  r = jnp.array([[3.0], [1.0], [2.0], [2.0]])
  # 3: 3 below → 3/3;  1: 0/3;  each 2: (1 below + ½·1 equal) / 3 = 0.5
  np.testing.assert_allclose(core.percentile_ranks(r)[:, 0], [1.0, 0.0, 0.5, 0.5])


def test_percentile_ranks_all_equal_and_single_episode():
  np.testing.assert_allclose(core.percentile_ranks(jnp.full((3, 2), 5.0)), 0.5)
  np.testing.assert_allclose(core.percentile_ranks(jnp.array([[7.0, -1.0]])), [[0.5, 0.5]])


def test_percentile_ranks_columns_independent():
  r = jnp.array([[1.0, 10.0], [2.0, 0.0], [3.0, 5.0]])
  np.testing.assert_allclose(core.percentile_ranks(r),
                             [[0.0, 1.0], [0.5, 0.0], [1.0, 0.5]])


def test_percentile_ranks_valid_mask_excludes_rows():
  r = jnp.array([[3.0], [1.0], [2.0], [100.0]])
  valid = jnp.array([True, True, True, False])
  # among the 3 valid rows: 3 → 2/2, 1 → 0, 2 → 1/2; the invalid row → 0
  np.testing.assert_allclose(core.percentile_ranks(r, valid)[:, 0], [1.0, 0.0, 0.5, 0.0])
  # one valid row: 0.5 as for N = 1
  one = jnp.array([True, False, False, False])
  np.testing.assert_allclose(core.percentile_ranks(r, one)[:, 0], [0.5, 0.0, 0.0, 0.0])


def test_top_m_orders_by_score_then_tie_break_then_index():
  scores = jnp.array([[1.0, 3.0, 3.0, 2.0]])
  np.testing.assert_array_equal(core.top_m(scores, 3), [[1, 2, 3]])
  tie = jnp.array([[0.0, 0.0, 1.0, 0.0]])
  np.testing.assert_array_equal(core.top_m(scores, 3, tie), [[2, 1, 3]])
  np.testing.assert_array_equal(core.top_m(scores, 1), [[1]])
  np.testing.assert_array_equal(core.top_m(jnp.zeros((2, 3)), 3), [[0, 1, 2], [0, 1, 2]])


def test_top_m_rejects_bad_m():
  with pytest.raises(ValueError, match="1 <= m <= K"):
    core.top_m(jnp.zeros((2, 3)), 4)
  with pytest.raises(ValueError, match="1 <= m <= K"):
    core.top_m(jnp.zeros((2, 3)), 0)


def test_hipi_log_posterior_normalized_columns():
  logits = jnp.log(jnp.array([[1.0, 2.0], [3.0, 1.0]]))
  # columns: exp-col0 = (1, 3)/4, exp-col1 = (2, 1)/3
  # row 0 ∝ (1/4, 2/3) → (3/11, 8/11); row 1 ∝ (3/4, 1/3) → (9/13, 4/13)
  q = jnp.exp(core.hipi_log_posterior(logits, True, 1.0))
  np.testing.assert_allclose(q, [[3 / 11, 8 / 11], [9 / 13, 4 / 13]], rtol=1e-6)


def test_hipi_log_posterior_unnormalized_and_temperature():
  logits = jnp.log(jnp.array([[1.0, 2.0], [3.0, 1.0]]))
  q = jnp.exp(core.hipi_log_posterior(logits, False, 1.0))
  np.testing.assert_allclose(q, [[1 / 3, 2 / 3], [3 / 4, 1 / 4]], rtol=1e-6)
  # temperature 2: row 0 ∝ (1, √2)
  q2 = jnp.exp(core.hipi_log_posterior(logits, False, 2.0))
  s = 1 + math.sqrt(2)
  np.testing.assert_allclose(q2[0], [1 / s, math.sqrt(2) / s], rtol=1e-6)
