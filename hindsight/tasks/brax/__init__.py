"""Multi-task reward families on Brax physics (the papers' harder domains).

One file per robot (``halfcheetah``, ``ant``, ``walker``, ``reacher``), with
the shared glue, ``BraxFamily``, in ``base``.

Each family here is a ``TaskFamily`` (ARCHITECTURE 3.1) whose environment is a
Brax ``PipelineEnv`` wrapped by ``hindsight.envs.brax_env.BraxTaskEnv``. The
family owns everything task-specific about the simulator:

- ``brax_name`` / ``brax_kwargs()``: which Brax environment to build, with the
  physics ``backend`` (a field, so ``config.env.options.backend`` selects it);
  ``sys_replace()``: changes to the built system (e.g. the physics timestep);
- ``observe(brax_env, pipeline_state)``: the policy's observation. It never
  contains the task (the task is appended by the learner), so a relabeled task
  is never contradicted by the observation;
- ``features(prev_pipeline_state, action, next_pipeline_state)``: the per-step
  reward features stored in the buffer, from which ``reward`` recomputes the
  reward of any task without the simulator;
- ``terminated(pipeline_state)``: early termination by the physics (time
  limits are the environment's business and are recorded apart, as
  truncation; ``terminate_on_success`` is applied by the environment);
- ``prepare(brax_env, pipeline_state, task)``: optional per-task change of the
  initial physical state (the Reacher's target marker).

Which state a reward is of follows each paper's released code:

- Generalized Hindsight's envs report their reward terms after the physics
  step (``env_info`` of ``step``, rlkit/samplers/rollout_functions.py,
  ``multitask_rollout_with_relabeler``), so its families' features are of the
  next state s_{t+1};
- HIPI evaluates the reward and ``done`` of the state *before* the step
  (hipi/envs/multitask.py, ``Environment.step``: ``evaluate([self._state],
  ...)`` is called before ``self._dynamics.step``; its relabeling buffer does
  the same with ``experience.observation[:, 0]``, hipi/relabelling_replay_buffer.py,
  ``RelabellingReplayBuffer.get_batch``), so its families' features are of s_t.
  Their achieved goals are then HIPI's ``state_to_task(states)``, which is
  what HIPI's ``candidate_task_type='states'`` and HER relabel with. These
  families have the option ``reward_state`` ('current': s_t, the default;
  'next': s_{t+1}).

``dt`` (seconds per environment step) is a class constant: the environment
checks on construction that the Brax environment steps exactly that long.
The action is clipped to [−1, 1] (the actuators' control range) before it is
used, so ‖a‖² features are those of the applied control (the papers' policies
are tanh-squashed, so their actions are in range too).

Every family lists, in ``PAPER_DIFFERENCES``, what its Brax version cannot
match (one self-contained sentence each; the report prints them).
"""

from hindsight.tasks.brax.ant import AntDirection, AntGoal
from hindsight.tasks.brax.base import BACKENDS, BraxFamily
from hindsight.tasks.brax.halfcheetah import HalfCheetahMultiObjective
from hindsight.tasks.brax.reacher import ReacherGoal, ReacherMultiObjective
from hindsight.tasks.brax.walker import WalkerLinear
