"""The bill of each finished session (its CDR): sensor, event, total cost, across restarts."""

import logging

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import HomeAssistant
from homeassistant.util.async_ import get_scheduled_timer_handles
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from custom_components.evnnovator.api import parse_cdr, parse_session
from custom_components.evnnovator.billing import BILL_ATTEMPTS_AT
from custom_components.evnnovator.const import EVENT_SESSION_BILLED
from evnnovator_simulator import DEMO_AUTH_ID, Simulator
from evnnovator_simulator.faults import FaultKind

from .helpers import advance
from .test_tracker import finish_session, reload

BILLED_COST = "sensor.evnnovator_demo_driver_1_last_session_billed_cost"
SESSION_COST = "sensor.evnnovator_demo_driver_1_session_cost"
TOTAL_COST = "sensor.evnnovator_demo_driver_1_total_cost"

# Every fault kind that answers otherwise than normally (the patching kinds change a session,
# and a timeout would hold the test for the client's timeout).
ANSWERING_FAULTS = [
    kind
    for kind in FaultKind
    if kind
    not in {
        FaultKind.TIMEOUT,
        FaultKind.SLOW,
        FaultKind.ECHO_TOKEN_FIELD,
        FaultKind.ABSURD_KWH,
        FaultKind.LONG_TEXT,
        FaultKind.NESTED_FIELD,
        FaultKind.FAR_FUTURE,
    }
]

pytestmark = pytest.mark.freeze_time("2026-11-23T08:00:00+00:00")


async def through_the_days(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, hours: float
) -> None:
    """Let `hours` pass: a minute at a time for the first two hours, then an hour at a time."""
    for _ in range(120):
        await advance(hass, freezer, 60)
    for _ in range(max(round(hours) - 2, 0)):
        await advance(hass, freezer, 3600)


def cdr_requests(simulator: Simulator) -> list[str]:
    """The paths of the CDR requests the simulator received."""
    return [request.path for request in simulator.requests if "/cdrs/" in request.path]


async def test_the_bill_is_fetched_once_with_tax(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
) -> None:
    """Half a minute after the end the CDR exists: sensor, event and total show it with tax."""
    billed = async_capture_events(hass, EVENT_SESSION_BILLED)
    assert hass.states.get(BILLED_COST).state == "unknown"
    assert hass.states.get(SESSION_COST).attributes["tax_included"] is False
    session = await finish_session(hass, freezer, init_integration, simulator)
    assert session["status"] == "COMPLETED"
    assert cdr_requests(simulator) == []
    await advance(hass, freezer, BILL_ATTEMPTS_AT[0])

    # By the numeric session_id, not the hex id that STOP takes.
    assert cdr_requests(simulator) == [f"/api/ocpi/api/v1/cdrs/session/{session['session_id']}"]
    cost = session["total_cost"]
    with_tax = round(cost * 1.18, 2)
    state = hass.states.get(BILLED_COST)
    assert float(state.state) == with_tax
    assert state.attributes["unit_of_measurement"] == "INR"
    # The simulator sends Wh and minutes, as the published sample: read as kWh and minutes.
    assert state.attributes["energy"] == pytest.approx(session["kwh"], abs=1e-3)
    assert 20 < state.attributes["duration"] < 21
    assert state.attributes["cost_before_tax"] == cost
    assert state.attributes["tax"] == round(with_tax - cost, 2)
    assert float(hass.states.get(TOTAL_COST).state) == with_tax
    assert [event.data["cost"] for event in billed] == [with_tax]
    assert billed[0].data["session_id"] == session["id"]
    assert billed[0].data["config_entry_id"] == init_integration.entry_id

    # Nothing more is asked, and a restart neither asks again nor announces again.
    await advance(hass, freezer, 3600)
    await reload(hass, init_integration)
    await advance(hass, freezer, 3600)
    assert len(cdr_requests(simulator)) == 1
    assert len(billed) == 1
    assert float(hass.states.get(BILLED_COST).state) == with_tax
    assert float(hass.states.get(TOTAL_COST).state) == with_tax


async def test_a_failed_attempt_is_retried_on_the_schedule(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
) -> None:
    """A 404 (not made yet) or a failure is asked again later, not at once."""
    billed = async_capture_events(hass, EVENT_SESSION_BILLED)
    await finish_session(hass, freezer, init_integration, simulator)
    simulator.inject("not_found", only="cdrs")
    simulator.inject("http_500", only="cdrs")
    await advance(hass, freezer, BILL_ATTEMPTS_AT[0])
    await advance(hass, freezer, BILL_ATTEMPTS_AT[1] - BILL_ATTEMPTS_AT[0])
    assert billed == []
    await advance(hass, freezer, BILL_ATTEMPTS_AT[2] - BILL_ATTEMPTS_AT[1])
    assert len(billed) == 1
    assert len(cdr_requests(simulator)) == 3


async def test_no_bill_within_two_days_is_given_up(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """After two days of 404s: a log line, the operator's figure stays, and no more requests."""
    billed = async_capture_events(hass, EVENT_SESSION_BILLED)
    session = await finish_session(hass, freezer, init_integration, simulator)
    simulator.inject("not_found", count=len(BILL_ATTEMPTS_AT), only="cdrs")
    with caplog.at_level(logging.WARNING):
        await through_the_days(hass, freezer, 50)
    assert "No bill (CDR) for session" in caplog.text
    assert len(cdr_requests(simulator)) == len(BILL_ATTEMPTS_AT)
    await reload(hass, init_integration)
    await advance(hass, freezer, 3600)
    assert len(cdr_requests(simulator)) == len(BILL_ATTEMPTS_AT)
    assert billed == []
    assert float(hass.states.get(TOTAL_COST).state) == session["total_cost"]
    assert hass.states.get(BILLED_COST).state == "unknown"


async def test_a_bill_three_hours_late_is_taken_in(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
) -> None:
    """OCPI's CDRs may come hours after the end: asked for ever less often, it is still taken."""
    billed = async_capture_events(hass, EVENT_SESSION_BILLED)
    session = await finish_session(hass, freezer, init_integration, simulator)
    late = [at for at in BILL_ATTEMPTS_AT if at < 3 * 3600]
    simulator.inject("not_found", count=len(late), only="cdrs")
    await through_the_days(hass, freezer, 4)
    assert [event.data["session_id"] for event in billed] == [session["id"]]
    assert len(cdr_requests(simulator)) == len(late) + 1
    assert float(hass.states.get(TOTAL_COST).state) == round(session["total_cost"] * 1.18, 2)


async def test_a_failure_is_never_the_last_attempt(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
) -> None:
    """404s for two days, then the last attempt fails (a 500, and once more): asked again an
    hour later each time, the bill comes."""
    billed = async_capture_events(hass, EVENT_SESSION_BILLED)
    await finish_session(hass, freezer, init_integration, simulator)
    simulator.inject("not_found", count=len(BILL_ATTEMPTS_AT) - 1, only="cdrs")
    simulator.inject("http_500", count=2, only="cdrs")
    await through_the_days(hass, freezer, 51)
    assert len(billed) == 1
    assert len(cdr_requests(simulator)) == len(BILL_ATTEMPTS_AT) + 2


async def test_an_awaited_bill_survives_a_restart(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
) -> None:
    """Home Assistant restarts while the bill is awaited: the schedule goes on where it was."""
    billed = async_capture_events(hass, EVENT_SESSION_BILLED)
    session = await finish_session(hass, freezer, init_integration, simulator)
    simulator.inject("not_found", count=3, only="cdrs")
    for _ in range(4):  # 35, 60 and 120 s after the end: not made yet
        await advance(hass, freezer, 50)
    assert len(cdr_requests(simulator)) == 3
    await reload(hass, init_integration)
    # Another session began meanwhile: the older bill is still asked for, at 300 s.
    simulator.start_session(DEMO_AUTH_ID)
    for _ in range(3):
        await advance(hass, freezer, 60)
    assert [event.data["session_id"] for event in billed] == [session["id"]]
    assert len(cdr_requests(simulator)) == 4


async def test_a_new_session_while_waiting_still_gets_the_older_bill(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
) -> None:
    """Each ended session's bill is asked for on its own schedule, and counted in its own."""
    billed = async_capture_events(hass, EVENT_SESSION_BILLED)
    older = await finish_session(hass, freezer, init_integration, simulator)
    simulator.start_session(DEMO_AUTH_ID, status="COMPLETED")
    await init_integration.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()
    await advance(hass, freezer, BILL_ATTEMPTS_AT[0])
    newest = simulator.latest_session(DEMO_AUTH_ID)
    assert sorted(event.data["session_id"] for event in billed) == sorted(
        [older["id"], newest["id"]]
    )


async def test_the_tracker_takes_each_bill_once(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
) -> None:
    """A second bill of the same session, or one of an unknown session, changes nothing; a
    bill without any amount is announced, but the total keeps the operator's figure."""
    billed = async_capture_events(hass, EVENT_SESSION_BILLED)
    account = init_integration.runtime_data
    raw = await finish_session(hass, freezer, init_integration, simulator)
    session = init_integration.runtime_data.coordinator.session
    assert session is not None
    account.take_bill(session, parse_cdr({"id": "no-amounts"}, session))
    account.take_bill(session, parse_cdr({"id": "again", "total_cost_incl_vat": 999}, session))
    account.take_bill(
        parse_session({"id": "unknown", "status": "COMPLETED"}),
        parse_cdr({"id": "x", "total_cost_incl_vat": 1}),
    )
    await hass.async_block_till_done()
    assert [event.data["cost"] for event in billed] == [None]
    assert account.data.book.total_cost("INR") == raw["total_cost"]


@pytest.mark.parametrize("kind", ANSWERING_FAULTS)
async def test_every_fault_on_the_bill_is_one_more_attempt(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    kind: str,
) -> None:
    """Whatever the CDR call answers, nothing is counted from it; the next attempt gets the bill."""
    billed = async_capture_events(hass, EVENT_SESSION_BILLED)
    session = await finish_session(hass, freezer, init_integration, simulator)
    simulator.inject(kind, only="cdrs")
    await advance(hass, freezer, BILL_ATTEMPTS_AT[0])
    assert billed == []
    assert float(hass.states.get(TOTAL_COST).state) == session["total_cost"]
    await advance(hass, freezer, BILL_ATTEMPTS_AT[1] - BILL_ATTEMPTS_AT[0])
    assert len(billed) == 1
    assert init_integration.state.value == "loaded"


async def test_no_timer_outlives_home_assistant(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
) -> None:
    """Home Assistant stops (without unloading the entry) while a bill is awaited: none of the
    integration's timers is left scheduled."""
    await finish_session(hass, freezer, init_integration, simulator)

    def ours() -> list[object]:
        return [
            handle
            for handle in get_scheduled_timer_handles(hass.loop)
            if "SessionBilling" in repr(getattr(handle, "_args", ())) and not handle.cancelled()
        ]

    assert ours()  # the bill's first attempt
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
    await hass.async_block_till_done()
    assert ours() == []
