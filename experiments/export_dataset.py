"""Write one of this project's datasets in OGBench's or D4RL's layout.

  python experiments/export_dataset.py --dataset=data/pg_random.npz \
      --out=data/pg_random_ogbench.npz --layout=ogbench
  python experiments/export_dataset.py --dataset=data/pg_random.npz \
      --out=data/pg_random_d4rl.hdf5 --layout=d4rl      # .hdf5: the 'datasets' extra

The fields and how they map to episodes: hindsight/io/formats.py (and the
README). experiments/make_dataset.py writes these layouts directly too
(--config.offline.format).
"""

from absl import app, flags

_DATASET = flags.DEFINE_string("dataset", None, "This project's dataset (.npz with a header).")
_OUT = flags.DEFINE_string("out", None, "Output path (.npz; .hdf5 for D4RL's HDF5).")
_LAYOUT = flags.DEFINE_enum("layout", "ogbench", ["ogbench", "d4rl"], "Layout to write.")


def main(argv):
  del argv
  from hindsight.io import formats
  if not _DATASET.value or not _OUT.value:
    raise app.UsageError("set --dataset=<this project's .npz> and --out=<path>")
  header = formats.convert(_DATASET.value, _OUT.value, _LAYOUT.value)
  print(f"wrote {header['num_episodes']} {header['family']} episodes to {_OUT.value} "
        f"({_LAYOUT.value} layout)")


if __name__ == "__main__":
  from hindsight.cli import run_main
  run_main(main)
