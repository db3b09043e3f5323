"""The two papers' shared training settings, each number cited once here.

``generalized_hindsight(c)``: Generalized Hindsight's SAC as its released
code runs it (alexlioralexli/generalized-hindsight ``launch_gher.py``, line
numbers at commit b5e44b5). ``hipi(c, horizon)``: HIPI's
(google-research/google-research ``hipi/train_eval.py``, ``train_eval``
defaults, L50-94; ``hipi/relabelling_replay_buffer.py``). The family configs
call one of them and then set what differs per family (networks, γ, batch,
updates per env step, buffer), citing the line of each.
"""


def generalized_hindsight(c):
  c.learner.actor_lr = 3e-3          # policy_lr (launch_gher.py L239)
  c.learner.critic_lr = 3e-3         # qf_lr (launch_gher.py L240)
  c.learner.alpha_lr = 3e-3          # = policy_lr (rlkit/torch/sac/sac_gher.py, SACTrainer.__init__)
  c.learner.tau = 5e-3               # soft_target_tau (launch_gher.py L180, L237)
  c.train.warmup_policy = "learner"  # warm-up paths collected with the initial policy
  #                                    (rlkit batch_rl_algorithm.py; min_num_steps_before_training, L232)
  return c


def hipi(c, horizon: int):
  c.learner.hidden_sizes = (256, 256)  # actor_fc_layers, critic_joint_fc_layers (L55-58)
  c.gamma = 0.99                       # gamma (L72)
  c.learner.actor_lr = 3e-4            # actor_learning_rate (L68)
  c.learner.critic_lr = 3e-4           # critic_learning_rate (L69)
  c.learner.alpha_lr = 3e-4            # alpha_learning_rate (L70)
  c.learner.tau = 0.005                # target_update_tau (L63)
  # target entropy −dim(A)/2: tf_agents' SacAgent._get_default_target_entropy
  # (agents/sac/sac_agent.py), as train_eval passes no target_entropy (L156-176).
  c.learner.target_entropy_scale = 0.5
  c.relabel.fraction = 1.0             # relabel_prob = 1.0 (relabelling_replay_buffer.py L67)
  c.relabel.hipi.candidates = "states"  # candidate_task_type = "states" (relabelling_replay_buffer.py L65)
  c.train.num_envs = 1                 # one environment, stepped once per train step (L289-296)
  c.train.updates_per_env_step = 1.0   # train_steps_per_iteration = 1 (L66)
  c.train.batch_size = 256             # batch_size (L67)
  c.train.buffer_transitions = 1_000_000  # replay_buffer_capacity (L61)
  c.train.warmup_episodes = -(-10_000 // horizon)  # initial_collect_steps = 10,000 (L60)
  c.train.warmup_policy = "uniform"    # RandomTFPolicy (L216-217)
  return c
