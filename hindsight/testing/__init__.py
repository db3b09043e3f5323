"""Test oracles: plain NumPy loop references for the jitted code (imported by
the tests and the benchmarks, never by what runs)."""
