"""hindsight: multi-task hindsight relabeling in JAX.

Subpackages follow the data flow: ``tasks`` (reward families) → ``envs``
(Brax-API environments) → ``replay`` (episode buffer) → ``relabel``
(strategies) → ``learners`` (SAC, BC) → ``training`` (the jitted loop) →
``io`` (run directories, checkpoints).
"""

__version__ = "0.1.0"
