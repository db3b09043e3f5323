"""Reads a wandb offline run file (``run-<id>.wandb``) for the tests: W&B's
record log (a 7-byte header ``:W&B`` + magic + version, then LevelDB-log
chunks in 32 KiB blocks, each a protobuf ``Record``)."""

import json
import struct

BLOCK = 32768
_FULL, _FIRST, _MIDDLE, _LAST = 1, 2, 3, 4


def records(path):
  from wandb.proto import wandb_internal_pb2 as pb
  data = open(path, "rb").read()
  if data[:4] != b":W&B":
    raise ValueError(f"{path} is not a wandb run file")
  pos, chunks, pending = 7, [], b""
  while pos + 7 <= len(data):
    left = BLOCK - pos % BLOCK
    if left < 7:           # a block's tail too short for a header is padding
      pos += left
      continue
    _, length, kind = struct.unpack("<IHB", data[pos:pos + 7])
    chunk = data[pos + 7:pos + 7 + length]
    pos += 7 + length
    if kind == _FULL:
      chunks.append(chunk)
    elif kind == _FIRST:
      pending = chunk
    elif kind == _MIDDLE:
      pending += chunk
    elif kind == _LAST:
      chunks.append(pending + chunk)
      pending = b""
    elif kind == 0 and length == 0:
      pos += left - 7      # zero padding to the end of the block
  return [pb.Record.FromString(c) for c in chunks]


def _key(item):
  return item.key or "/".join(item.nested_key)


def summary(path):
  """(config dict, history rows [dict], run name, group) of an offline run."""
  config, history, name, group = {}, [], None, None
  for r in records(path):
    kind = r.WhichOneof("record_type")
    if kind == "run":
      name, group = r.run.display_name, r.run.run_group
      for it in r.run.config.update:
        config[_key(it)] = json.loads(it.value_json)
    elif kind == "config":
      for it in r.config.update:
        config[_key(it)] = json.loads(it.value_json)
    elif kind == "history":
      history.append({_key(it): json.loads(it.value_json) for it in r.history.item})
  return config, history, name, group
