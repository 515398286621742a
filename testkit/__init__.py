"""What the tests and the benchmark share: fixtures, virtual time, watching a session."""
