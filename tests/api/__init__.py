"""Tests of the EVnnovator API client library against the API simulator."""
