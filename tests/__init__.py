"""Tests of the EVnnovator integration, its API client and the simulator."""

import pytest

# The shared helpers assert too: pytest's rewriting shows what their failures compared.
pytest.register_assert_rewrite("tests.helpers", "tests.blueprint_setup")
