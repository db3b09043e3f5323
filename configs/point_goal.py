"""PointGoal (goal reaching, reward 1[reached] − 1) with SAC, standing in for
HIPI's goal-reaching tasks, with HIPI's settings (google-research/
google-research ``hipi/train_eval.py``, ``train_eval`` defaults, L50-94;
``hipi/relabelling_replay_buffer.py``).

HIPI's rules for its goal tasks: done = dist < margin
(hipi/envs/point_env.py, ``PointGoalDistribution._evaluate``), reward and done
at the state s_t before the step (``multitask.Environment.step``;
``RelabellingReplayBuffer.get_batch`` on ``observation[:, 0]``), and the time
limit cuts episodes without done, so it bootstraps (train_eval.py L124-127;
utils.py ``DataCollector.step``). The observation carries no time.
What differs: the arena is this project's [−1, 1]² velocity-controlled point
(HIPI's is a FourRooms maze of 10 substeps with action noise), so the success
radius is this arena's ε = 0.05 rather than HIPI's 0.3 maze units; the
networks are updated between episodes (20 steps, then 20 updates) rather than
after every env step.
"""

from hindsight import schema
from hindsight.studies import paper_setups


def get_config():
  # The family's defaults: ε = 0.05 (see above), H = 20, a bootstrapped time
  # limit (HIPI: no done at the time limit), reward and done at s_t (HIPI's).
  c = schema.get_config("point_goal")
  c.env.options.terminate_on_success = True  # HIPI: done = dist < margin
  paper_setups.hipi(c, c.env.options.horizon)  # warm-up: 500 episodes of 20 steps
  c.train.iterations_per_epoch = 100   # evaluate every 2,000 env steps
  c.train.total_env_steps = 48_000
  return c
