"""Train one config (all of its seeds in one process); the same as
``python -m hindsight.train``.

  python experiments/train.py --config=configs/point_reacher.py \
      --config.relabel.name=random --config.seed=1 --config.num_seeds=4
"""

from hindsight.train import entry

if __name__ == "__main__":
  entry()
