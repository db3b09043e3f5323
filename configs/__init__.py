"""Experiment configs: each file's ``get_config()`` returns an ml_collections
ConfigDict holding every hyperparameter of a run. ``base.py`` defines every key;
the per-family files start from it and set what differs."""
