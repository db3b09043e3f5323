"""Multi-objective PointReacher with SAC, as Generalized Hindsight's released
code runs it (alexlioralexli/generalized-hindsight, ``launch_gher.py``,
variant for ``--env pointreacherobs``; line numbers at commit b5e44b5).

Every setting below is the paper's; the cpu scale of the studies changes only
the env-step budget. Settings that differ, and why:
- evaluation: 25 fixed prior tasks, one deterministic episode each (the
  released code evaluates 50 episodes on fresh prior tasks per epoch, L323), so
  that curves of different runs are comparable;
- one episode is collected per iteration and the networks are updated between
  episodes, as the released loop does (20 env steps, then 100 updates, L321);
- GH stores each relabeled path beside its original in the same 2,000 slots
  (task_relabeling_replay_buffer.py, MultiTaskReplayBuffer.add_path), so a
  relabeling run's buffer holds ~1,000 distinct transitions: the studies set
  ``train.buffer_transitions=1000`` on this family's relabeling cells.
"""

from hindsight import schema
from hindsight.studies import paper_setups


def get_config():
  # The family's defaults are the paper's: H = 20 (L319, L325), done = t >= H
  # stored as terminal (rlkit/envs/point_reacher_env.py, PointReacherEnv.step).
  c = schema.get_config("point_reacher")
  c.learner.hidden_sizes = (300, 300, 300)  # qf/policy hidden sizes (L258, L263)
  paper_setups.generalized_hindsight(c)  # lr 3e-3, τ 5e-3, warm-up with the initial policy
  c.gamma = 0.97                           # discount (L320)
  c.train.batch_size = 256                 # batch_size (L227)
  c.train.num_envs = 1                     # one 20-step path per train loop (L321)
  c.train.updates_per_env_step = 5.0       # 100 trains per 20-step loop (L231, --ngradsteps L177)
  c.train.buffer_transitions = 2000        # replay_buffer_size (L324)
  c.train.warmup_episodes = 50             # min_num_steps_before_training = 1000 (L232)
  c.train.iterations_per_epoch = 100       # evaluate every 2,000 env steps
  c.train.total_env_steps = 48_000
  return c
