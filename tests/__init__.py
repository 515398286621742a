"""Tests of the EVnnovator integration, its API client and the simulator."""
