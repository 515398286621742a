"""The benchmark runs under pytest, with the fixtures it shares with the tests (testkit).

They give the simulator on Home Assistant's frozen clock, the config entry, and the integration
loaded from custom_components.
"""

# Imported before Home Assistant loads any integration: otherwise the test plugin's own
# `custom_components` package shadows ours.
import custom_components.evnnovator  # noqa: F401  # isort: skip

from collections.abc import Iterator
import logging
import random
import time

from homeassistant.core import HomeAssistant
import pytest

from testkit.fixtures import (  # noqa: F401  (fixtures: imported to be registered here)
    auto_enable_custom_integrations,
    config_entry,
    simulator,
    simulator_settings,
)

from .report import RESULTS, report

_STARTED = time.monotonic()
# What it loads, and its warning that a custom integration is loaded: once per benchmark.
logging.getLogger("homeassistant.loader").setLevel(logging.ERROR)


@pytest.fixture(autouse=True)
def quiet(hass: HomeAssistant) -> Iterator[None]:
    """Log only warnings, and run the loop without asyncio's debug checks.

    Debug logging of every poll and asyncio's debug mode (which reports each jump of the frozen
    clock as a slow callback) would cost more time than the integration itself.
    """
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.WARNING)
    logging.getLogger("asyncio").setLevel(logging.ERROR)
    hass.loop.set_debug(False)
    # Home Assistant spreads polls over the second at random: the same spread each time.
    random.seed(0)
    yield
    root.setLevel(level)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the tables after the run."""
    lines = report(RESULTS)
    if not lines:
        return
    terminalreporter.write_line("")
    for line in lines:
        terminalreporter.write_line(line)
    terminalreporter.write_line("")
    terminalreporter.write_line(f"Benchmark wall time: {time.monotonic() - _STARTED:.0f} s")
