"""Episode buffer: init/add/sample invariants, wrap-around, no cross-episode leakage."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from hindsight import replay

T = 5
SPEC = replay.EpisodeSpec(obs_size=3, action_size=2, feature_dim=2, task_dim=2, horizon=T)

# Jitted once per module: eager dispatch of many small ops is slow on a busy CPU.
add = jax.jit(replay.add)
sample = jax.jit(replay.sample, static_argnums=2)
recent_indices = jax.jit(replay.recent_indices, static_argnums=1)


def make_episodes(ids, lengths=None):
  """Episodes whose every field encodes (episode id, step): value id·100 + t,
  so a sampled transition tells which episode and step it came from."""
  ids = np.asarray(ids)
  n = len(ids)
  lengths = np.full(n, T) if lengths is None else np.asarray(lengths)
  t = np.arange(T + 1)
  code = (ids[:, None] * 100 + t[None, :]).astype(np.float32)  # [N, T + 1]
  mask = (t[None, :T] < lengths[:, None]).astype(np.float32)
  terminal = np.zeros((n, T), np.float32)
  terminal[np.arange(n), lengths - 1] = (ids % 2 == 1)  # odd ids terminate
  return replay.Episodes(
      obs=np.repeat(code[:, :, None], SPEC.obs_size, 2),
      action=np.repeat(code[:, :T, None], SPEC.action_size, 2),
      features=np.repeat(code[:, :T, None], SPEC.feature_dim, 2),
      mask=mask, terminal=terminal,
      task=np.repeat(ids[:, None].astype(np.float32), SPEC.task_dim, 1))


def test_init():
  state = replay.init(SPEC, 4)
  assert state.capacity == 4
  assert state.data.obs.shape == (4, T + 1, 3)
  assert state.data.action.shape == (4, T, 2)
  assert state.data.features.shape == (4, T, 2)
  assert state.data.mask.shape == (4, T)
  assert state.data.terminal.shape == (4, T)
  assert state.data.task.shape == (4, 2)
  assert int(state.size) == int(state.insert_pos) == int(state.num_added) == 0
  np.testing.assert_array_equal(state.length, np.zeros(4))
  assert state.extras == {}
  with pytest.raises(ValueError, match="capacity"):
    replay.init(SPEC, 0)


def test_add_stores_episodes_masks_and_lengths():
  state = add(replay.init(SPEC, 4), make_episodes([7, 8, 9], lengths=[5, 2, 3]))
  assert int(state.size) == 3 and int(state.insert_pos) == 3 and int(state.num_added) == 3
  np.testing.assert_array_equal(state.length, [5, 2, 3, 0])
  np.testing.assert_array_equal(state.data.task[:, 0], [7, 8, 9, 0])
  np.testing.assert_array_equal(state.data.mask[1], [1, 1, 0, 0, 0])
  np.testing.assert_array_equal(state.data.obs[2, :, 0], [900, 901, 902, 903, 904, 905])
  np.testing.assert_array_equal(state.data.mask[3], np.zeros(T))  # untouched slot


def test_wrap_around_overwrites_the_oldest():
  state = replay.init(SPEC, 4)
  state = add(state, make_episodes([0, 1, 2]))
  # slots ← 3, 0, 1 (wrapping): episodes 0 and 1 are overwritten, 2 survives.
  state = add(state, make_episodes([3, 4, 5], lengths=[1, 2, 3]))
  np.testing.assert_array_equal(state.data.task[:, 0], [4, 5, 2, 3])
  np.testing.assert_array_equal(state.length, [2, 3, 5, 1])
  assert int(state.insert_pos) == 2 and int(state.size) == 4 and int(state.num_added) == 6
  # slots ← 2, 3: now only the last four episodes remain.
  state = add(state, make_episodes([6, 7]))
  np.testing.assert_array_equal(state.data.task[:, 0], [4, 5, 6, 7])
  np.testing.assert_array_equal(state.length, [2, 3, 5, 5])
  assert int(state.insert_pos) == 0 and int(state.size) == 4 and int(state.num_added) == 8
  # every field of a slot comes from the same episode
  for slot, ep in enumerate([4, 5, 6, 7]):
    np.testing.assert_array_equal(state.data.obs[slot, :, 0], ep * 100 + np.arange(T + 1))
    np.testing.assert_array_equal(state.data.features[slot, :, 1], ep * 100 + np.arange(T))


def test_add_more_than_capacity_raises():
  with pytest.raises(ValueError, match="capacity"):
    replay.add(replay.init(SPEC, 2), make_episodes([0, 1, 2]))


def test_add_wrong_shape_raises():
  bad = replay.empty_episodes(SPEC._replace(horizon=T + 1), 1)
  with pytest.raises(AssertionError):
    replay.add(replay.init(SPEC, 2), bad)


N_SAMPLE = 2048  # one sample size for the whole module: one compile per buffer layout


@pytest.fixture(scope="module")
def wrapped():
  """A buffer that has wrapped, its episode lengths, and a sampled batch."""
  state, lengths = _wrapped_buffer()
  return state, lengths, jax.device_get(sample(state, jax.random.PRNGKey(0), N_SAMPLE))


@pytest.fixture(scope="module")
def partial():
  """Capacity 8 holding 2 episodes."""
  return add(replay.init(SPEC, 8), make_episodes([3, 4], lengths=[2, 4]))


def _wrapped_buffer():
  """Capacity 6; 11 episodes added in 3 adds with early-ending masks."""
  state = replay.init(SPEC, 6, extras_spec={"z": (2,), "s": ()})
  lengths = {i: 1 + i % T for i in range(11)}
  for ids in ([0, 1, 2, 3], [4, 5, 6], [7, 8, 9, 10]):
    extras = {"z": np.stack([np.asarray(ids) * 10.0, -np.asarray(ids)], 1).astype(np.float32),
              "s": np.asarray(ids, np.float32) + 0.5}
    state = add(state, make_episodes(ids, [lengths[i] for i in ids]), extras)
  return state, lengths


def test_sample_no_cross_episode_leakage(wrapped):
  state, lengths, b = wrapped
  # 11 episodes through 6 slots: 5, 6, …, 10 remain; insert_pos = 11 mod 6 = 5.
  np.testing.assert_array_equal(np.sort(state.data.task[:, 0]), [5, 6, 7, 8, 9, 10])
  assert int(state.insert_pos) == 5 and int(state.size) == 6
  ep_id = b.task[:, 0].astype(int)
  t = b.t
  assert set(ep_id) == {5, 6, 7, 8, 9, 10}  # all live episodes, no stale ones
  code = ep_id * 100 + t
  np.testing.assert_array_equal(b.task, np.repeat(ep_id[:, None], 2, 1))
  np.testing.assert_array_equal(b.obs, np.repeat(code[:, None], 3, 1))
  np.testing.assert_array_equal(b.next_obs, np.repeat(code[:, None] + 1, 3, 1))  # step t + 1
  np.testing.assert_array_equal(b.action, np.repeat(code[:, None], 2, 1))
  np.testing.assert_array_equal(b.features, np.repeat(code[:, None], 2, 1))
  np.testing.assert_array_equal(b.first_obs, np.repeat(ep_id[:, None] * 100, 3, 1))
  steps = np.arange(T)
  np.testing.assert_array_equal(b.ep_features[..., 0], ep_id[:, None] * 100 + steps)
  np.testing.assert_array_equal(b.ep_action[..., 1], ep_id[:, None] * 100 + steps)
  length = np.asarray([lengths[i] for i in ep_id])
  np.testing.assert_array_equal(b.ep_mask, (steps[None] < length[:, None]).astype(np.float32))
  # the slot reported is the slot holding that episode
  np.testing.assert_array_equal(np.asarray(state.data.task)[b.episode, 0], ep_id)
  # terminal flag: only at the last valid step of odd episodes
  np.testing.assert_array_equal(b.terminal, ((ep_id % 2 == 1) & (t == length - 1)))
  # extras are the transition's own episode's
  np.testing.assert_array_equal(b.extras["z"], np.stack([ep_id * 10.0, -ep_id], 1))
  np.testing.assert_array_equal(b.extras["s"], ep_id + 0.5)


def test_sampled_step_is_valid(wrapped):
  _, lengths, b = wrapped
  ep_id = b.task[:, 0].astype(int)
  length = np.asarray([lengths[i] for i in ep_id])
  assert np.all(b.t >= 0) and np.all(b.t < length)
  assert np.all(b.ep_mask[np.arange(len(ep_id)), b.t] == 1)
  # every valid step of every episode gets sampled
  seen = set(zip(ep_id, b.t))
  assert seen == {(i, s) for i in range(5, 11) for s in range(lengths[i])}


def test_sample_features_are_valid_steps_of_live_episodes(wrapped):
  """HER's buffer-wide step: features of a valid step of a live episode."""
  state, lengths, _ = wrapped
  f = np.asarray(replay.sample_features(state, jax.random.PRNGKey(7), N_SAMPLE))
  rid, rt = np.divmod(f[:, 0].astype(int), 100)
  np.testing.assert_array_equal(f[:, 0], f[:, 1])
  assert set(rid) == {5, 6, 7, 8, 9, 10}
  assert np.all(rt < np.asarray([lengths[i] for i in rid]))


def test_sample_partially_filled_buffer_only_reads_filled_slots(partial):
  b = jax.device_get(sample(partial, jax.random.PRNGKey(2), N_SAMPLE))
  assert set(b.task[:, 0].astype(int)) == {3, 4}
  assert set(b.episode) == {0, 1}
  f = replay.sample_features(partial, jax.random.PRNGKey(3), N_SAMPLE)
  assert set(np.asarray(f)[:, 0].astype(int) // 100) == {3, 4}


def test_sample_shapes(wrapped):
  b, B = wrapped[2], N_SAMPLE
  assert b.obs.shape == b.next_obs.shape == b.first_obs.shape == (B, 3)
  assert b.action.shape == (B, 2) and b.features.shape == (B, 2)
  assert b.task.shape == (B, 2) and b.terminal.shape == (B,)
  assert b.t.shape == b.episode.shape == (B,)
  assert b.ep_features.shape == (B, T, 2) and b.ep_action.shape == (B, T, 2)
  assert b.ep_mask.shape == (B, T)
  assert b.extras["z"].shape == (B, 2) and b.extras["s"].shape == (B,)


def test_recent_indices():
  state = replay.init(SPEC, 4)
  state = add(state, make_episodes([0, 1]))  # slots 0, 1
  idx, valid = recent_indices(state, 3)
  # newest first: slot 1, slot 0, then slot (0 − 3) mod 4 = 3, not yet filled
  np.testing.assert_array_equal(idx, [1, 0, 3])
  np.testing.assert_array_equal(valid, [True, True, False])
  state = add(state, make_episodes([2, 3, 4, 5]))  # slots 2, 3, 0, 1; insert_pos 2
  idx, valid = recent_indices(state, 3)
  np.testing.assert_array_equal(idx, [1, 0, 3])
  np.testing.assert_array_equal(valid, [True, True, True])
  np.testing.assert_array_equal(state.data.task[idx, 0], [5, 4, 3])
  idx, valid = recent_indices(state, 4)
  np.testing.assert_array_equal(state.data.task[idx, 0], [5, 4, 3, 2])


def test_extras_must_match_the_buffer():
  state = replay.init(SPEC, 4, extras_spec={"z": (2,)})
  assert state.extras["z"].shape == (4, 2)
  with pytest.raises(ValueError, match="extras"):
    replay.add(state, make_episodes([0]))
  with pytest.raises(ValueError, match="extras"):
    replay.add(state, make_episodes([0]), {"z": np.zeros((1, 2)), "w": np.zeros((1,))})
  state = add(state, make_episodes([0, 1]), {"z": np.asarray([[1.0, 2.0], [3.0, 4.0]])})
  np.testing.assert_array_equal(state.extras["z"], [[1, 2], [3, 4], [0, 0], [0, 0]])


def test_add_and_sample_are_pure(partial):
  state = replay.init(SPEC, 8)
  new = add(state, make_episodes([3, 4], lengths=[2, 4]))
  assert int(state.size) == 0 and int(new.size) == 2  # the old state is unchanged
  a = sample(partial, jax.random.PRNGKey(5), N_SAMPLE)
  b = sample(partial, jax.random.PRNGKey(5), N_SAMPLE)
  np.testing.assert_array_equal(a.t, b.t)
  np.testing.assert_array_equal(a.episode, b.episode)
  c = sample(partial, jax.random.PRNGKey(6), N_SAMPLE)
  assert not np.array_equal(a.t, c.t)


def test_sampling_is_uniform_over_valid_transitions():
  # Slots with 1, 3 and 0 (empty) valid steps: the 4 transitions are equally
  # likely, so episode 1 is drawn 3/4 of the time (uniform episodes: 1/2), and
  # every (episode, step) is a valid one.
  from hindsight.replay.buffer import uniform_transitions
  length = jnp.asarray([1, 3, 0], jnp.int32)
  ep, t = uniform_transitions(length, jax.random.PRNGKey(0), 40_000)
  ep, t = np.asarray(ep), np.asarray(t)
  pairs = set(zip(ep.tolist(), t.tolist()))
  assert pairs == {(0, 0), (1, 0), (1, 1), (1, 2)}
  for pair in pairs:
    share = np.mean((ep == pair[0]) & (t == pair[1]))
    assert abs(share - 0.25) < 0.01, (pair, share)


def test_sampling_window_keeps_to_the_newest_episodes():
  # 6 slots, 5 episodes added (task = its index); a window of 2 samples only
  # episodes 3 and 4, in proportion to their lengths (2 and 1 steps).
  spec = replay.EpisodeSpec(obs_size=1, action_size=1, feature_dim=1, task_dim=1, horizon=2)
  buf = replay.init(spec, 6)
  eps = replay.empty_episodes(spec, 5)
  mask = jnp.asarray([[1, 1], [1, 0], [1, 1], [1, 1], [1, 0]], jnp.float32)
  buf = replay.add(buf, eps.replace(mask=mask, task=jnp.arange(5.0)[:, None]))
  b = replay.sample(buf, jax.random.PRNGKey(0), 30_000, recent=2)
  task = np.asarray(b.task[:, 0])
  assert set(task.tolist()) == {3.0, 4.0}
  assert abs(np.mean(task == 3.0) - 2 / 3) < 0.01
