"""Tests of the EVnnovator API simulator."""
