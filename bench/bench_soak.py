"""A month of a driver's life in one Home Assistant, in virtual time: nothing lost, nothing twice.

Thirty seeded days of testkit.soak: sessions stopped five ways, a fault about every hour, two
restarts a day. Printed: what happened (sessions, faults by kind, restarts, requests a day),
each check with its figure, and the memory the integration holds (tracemalloc) after day 5 and
after the last day.
"""

from __future__ import annotations

import gc
import logging
import tracemalloc
from unittest.mock import Mock

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.evnnovator.book import MAX_REMEMBERED_SESSIONS
from evnnovator_simulator import Simulator, SimulatorSettings
from testkit.soak import HOUR_TOLERANCE_KWH, failed_checks, soak, totals_before
from testkit.watch import after_the_demo_session

DAYS = 30
SEED = 2026
INTEGRATION = "custom_components/evnnovator"

pytestmark = [
    pytest.mark.freeze_time("2026-11-01T08:00:00+00:00"),
    pytest.mark.usefixtures("recorder_mock"),
]


@pytest.fixture
def mock_recorder_before_hass(async_test_recorder: object) -> None:
    """Prepare the recorder before Home Assistant starts, which recorder_mock requires."""


@pytest.fixture
def simulator_settings() -> SimulatorSettings:
    """The realistic operator, seeded for the month."""
    return SimulatorSettings.realistic(seed=SEED)


def _integration_kib() -> float:
    """What the integration's own code has allocated and still holds."""
    snapshot = tracemalloc.take_snapshot().filter_traces(
        [tracemalloc.Filter(inclusive=True, filename_pattern=f"*{INTEGRATION}*")]
    )
    return sum(stat.size for stat in snapshot.statistics("filename")) / 1024


def _forget_the_harness_calls() -> None:
    """Let go of the test harness's record of every Store load and write, Store included.

    A disk keeps nothing of them, and each restart makes a new Store.
    """
    for name in ("_async_load", "_async_write_data", "async_remove"):
        patched = getattr(Store, name)
        calls = getattr(patched, "mock", patched)  # an autospec'd function keeps its calls here
        if isinstance(calls, Mock):
            calls.reset_mock()


async def bench_a_month(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    config_entry: MockConfigEntry,
) -> None:
    """Thirty days; print the month's table."""
    clock = await after_the_demo_session(hass, freezer, simulator, config_entry)
    await clock.run_for(3600)
    before = totals_before(hass)
    memory: dict[int, float] = {}
    book_size: dict[int, str] = {}
    # The recorder's SQL at INFO would cost more time than the month itself.
    logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
    tracemalloc.start()

    async def on_day(day: int) -> None:
        _forget_the_harness_calls()
        if day in {5, DAYS}:
            # In virtual time the recorder's thread lags behind the days: the hours queued for
            # it (rows the integration made) are its memory until it writes them.
            await async_wait_recording_done(hass)
            gc.collect()
            memory[day] = _integration_kib()
            book = config_entry.runtime_data.data.book
            book_size[day] = f"{len(book.sessions)} sessions, {len(book.hours())} hours"

    # pytest's log capture keeps every record, with its exception and that one's frames: a
    # month of faults would read as the integration's memory. The month logs to nowhere.
    root = logging.getLogger()
    handlers, root.handlers = root.handlers, [logging.NullHandler()]
    try:
        report = await soak(
            hass, clock, simulator, config_entry, days=DAYS, seed=SEED, on_day=on_day
        )
    finally:
        tracemalloc.stop()
        root.handlers = handlers
    failed = await failed_checks(hass, config_entry, simulator, report, before)
    ways: dict[str, int] = {}
    for truth in report.sessions:
        ways[truth.way] = ways.get(truth.way, 0) + 1
    shown = report.shown
    rows = [
        ("Days", f"{report.days}"),
        ("Sessions (by how they stop)", f"{len(report.sessions)}: {ways}"),
        ("Faults (by kind)", f"{sum(report.faults.values())}: {dict(report.faults)}"),
        ("Restarts", f"{report.restarts}"),
        ("Requests a day", f"{report.requests / report.days:.0f}"),
        (
            "Total energy / its statistic",
            f"{shown['total_energy']:.2f} / {shown['statistic_energy']:.2f} kWh",
        ),
        (
            "Total cost / its statistic (with tax)",
            f"{shown['total_cost']:.2f} / {shown['statistic_cost']:.2f} INR",
        ),
        (
            "Worst clock hour: energy statistic vs energy delivered",
            f"{shown['worst_hour_kwh']:.3f} kWh (one meter interval: {HOUR_TOLERANCE_KWH:.3f})",
        ),
        (
            "Started, completed, billed once each; one STOP per limit; none for the car",
            "all held" if not failed else "; ".join(failed),
        ),
        (
            "Integration's memory after day 5 / day 30 (tracemalloc)",
            f"{memory.get(5, 0):.0f} / {memory.get(DAYS, 0):.0f} KiB",
        ),
        (
            f"The book after day 5 / day 30 (it remembers {MAX_REMEMBERED_SESSIONS} sessions)",
            f"{book_size.get(5)} / {book_size.get(DAYS)}",
        ),
    ]
    print(f"\n\nA month of a driver's life (testkit.soak, seed {SEED})\n")
    print("| | |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")
    if failed:
        raise RuntimeError(f"the month's checks failed: {failed}")
