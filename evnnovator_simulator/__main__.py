"""Entry point of `python -m evnnovator_simulator`."""

from evnnovator_simulator.cli import main

raise SystemExit(main())
