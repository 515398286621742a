"""A newcomer's second walk, in a real Home Assistant and browser: a session's own limit.

A session started with `evnnovator.start_charging` and `energy_limit: 0.5` while the Energy
limit entity says 4 kWh is planned, stopped and reported against its own 0.5 kWh; and the
Planned stop sensor, which moves at every meter value, leaves the Activity to the session's
news (issue 20, items 2 and 3).
"""

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
import re
from typing import Any

from playwright.sync_api import Page, expect
import pytest

from evnnovator_simulator import DEMO_AUTH_ID_NEW
from evnnovator_simulator.site import DEMO_EVSE_UID, DEMO_LOCATION_ID

from .conftest import ProcessGuard, new_driver_account, running_simulator
from .home_assistant import HomeAssistantApi
from .processes import wait_until
from .simulator_api import SimulatorApi

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

ENTITY_PREFIX = "evnnovator_demo_driver_new_"
ENERGY_LIMIT = f"number.{ENTITY_PREFIX}energy_limit"
PLANNED_STOP = f"sensor.{ENTITY_PREFIX}planned_stop"
STATUS = f"sensor.{ENTITY_PREFIX}session_status"
DEVICE_NAME = f"EVnnovator {DEMO_AUTH_ID_NEW}"
SESSION_LIMIT_KWH = 0.5


@pytest.fixture(scope="module")
def fast_simulator(workdir: Path, process_guard: ProcessGuard) -> Iterator[SimulatorApi]:
    """A simulator of its own at DC power, so that 0.5 kWh take half a minute.

    A meter value every 5 s, the autostop noticed at a meter value (as real operators do), a
    stop 1 s after STOP.
    """
    operator = ["--power-kw", "60", "--pending-delay", "1", "--meter-interval", "5"]
    operator += ["--kwh-decimals", "3", "--stop-delay", "1", "--stop-jitter", "0"]
    operator += ["--autostop", "at_sample"]
    with running_simulator(workdir / "fast-simulator.log", process_guard, operator) as api:
        yield api


@pytest.fixture
def account(home_assistant: HomeAssistantApi, fast_simulator: SimulatorApi) -> Iterator[str]:
    """The driver without a session, added through the config flow; its entry id."""
    with new_driver_account(
        home_assistant,
        fast_simulator,
        lambda: home_assistant.states().get(ENERGY_LIMIT) not in {None, "unavailable"},
    ) as entry:
        yield entry["entry_id"]


def test_a_session_started_with_its_own_limit_is_stopped_and_told_at_it(
    page: Page, home_assistant: HomeAssistantApi, fast_simulator: SimulatorApi, account: str
) -> None:
    """Planned for 0.5 kWh, one STOP of ours near it, the Activity names 0.5 kWh, not 4."""
    home_assistant.call_service("number", "set_value", {"entity_id": ENERGY_LIMIT, "value": 4})
    since = datetime.now(UTC)
    fast_simulator.clear_requests()
    home_assistant.call_service(
        "evnnovator",
        "start_charging",
        {
            "config_entry_id": account,
            "location_id": DEMO_LOCATION_ID,
            "evse_uid": DEMO_EVSE_UID,
            "energy_limit": SESSION_LIMIT_KWH,
        },
    )

    def planned_stop() -> dict[str, Any] | None:
        state = home_assistant.state(PLANNED_STOP)
        return None if state["state"] == "unknown" else state

    planned = wait_until("the planned stop", planned_stop, timeout=60)
    assert planned["attributes"]["limit"] == "energy"
    # At 60 kW, 0.5 kWh take 30 s: planned for the Energy limit's 4 kWh it would be 4 minutes off.
    started = datetime.fromisoformat(fast_simulator.latest(DEMO_AUTH_ID_NEW)["start_datetime"])
    seconds_planned = (datetime.fromisoformat(planned["state"]) - started).total_seconds()
    assert seconds_planned < 90

    wait_until(
        "the session to end",
        lambda: home_assistant.state(STATUS)["state"] == "completed" or None,
        timeout=120,
        interval=1,
    )
    stops = [r for r in fast_simulator.requests() if r["path"].endswith("/STOP_SESSION")]
    assert len(stops) == 1, "our own STOP, for the session's own limit"
    assert float(fast_simulator.latest(DEMO_AUTH_ID_NEW)["kwh"]) < 1.0

    entries = home_assistant.logbook(since)
    stopped = [e for e in entries if "stopped charging after" in e.get("message", "")]
    assert len(stopped) == 1
    assert f"the {SESSION_LIMIT_KWH:g} kWh limit" in stopped[0]["message"]
    assert "4 kWh" not in stopped[0]["message"]
    # The forecast moved at every meter value: never more than a few Activity entries.
    planned_entries = [e for e in entries if e.get("entity_id") == PLANNED_STOP]
    assert len(planned_entries) <= 3

    # What the user reads: the Activity page.
    page.goto("/logbook")
    expect(page.get_by_text(re.compile(rf"{SESSION_LIMIT_KWH:g} kWh limit")).first).to_be_visible()
