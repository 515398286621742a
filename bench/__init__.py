"""Benchmarks of the integration against the simulator, in virtual time (scripts/bench)."""
