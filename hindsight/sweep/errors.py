"""The sweep's own error."""


class SweepError(Exception):
  """A sweep that cannot start; the message says why."""


class Interrupted(Exception):
  """SIGTERM while runs are in flight."""
