"""Energy and cost limits, end to end against the simulator: one STOP, at the right moment."""

from datetime import datetime, timedelta
import itertools

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.number import (
    ATTR_VALUE,
    DOMAIN as NUMBER_DOMAIN,
    SERVICE_SET_VALUE,
)
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from custom_components.evnnovator.const import CONF_AUTH_ID, DOMAIN, EVENT_SESSION_COMPLETED
from custom_components.evnnovator.forecast import PRIOR_LATENCY
from evnnovator_simulator import (
    DEMO_AUTH_ID,
    DEMO_AUTH_ID_NEW,
    Simulator,
    SimulatorSettings,
)
from testkit.requests import polls, stop_requests

from .helpers import advance

ENERGY_LIMIT = "number.evnnovator_demo_driver_1_energy_limit"
COST_LIMIT = "number.evnnovator_demo_driver_1_cost_limit"
STATUS = "sensor.evnnovator_demo_driver_1_session_status"
TARIFF = 18.0  # INR per kWh, the simulator's default
STOP_DELAY = 5.0  # seconds from an accepted STOP until the simulator's session completes
STEP = 1.0  # seconds per step of the clock in these tests
KWH_ROUNDING = 0.0005  # the API reports kWh with 3 decimals
# A first STOP on time (the prior latency is the exact operator's) may fall short by the rounding
# of the meter values it was planned from (the latest, and the two the rate is taken between) and
# of the final figure.
SHORT_BY_ROUNDING = 4 * KWH_ROUNDING + 1e-9
# An exact operator slower than the prior latency: the first stop overshoots, and teaches.
SLOWER = SimulatorSettings(stop_delay=15.0)

pytestmark = pytest.mark.freeze_time("2026-11-23T08:00:00+00:00")


async def set_limit(hass: HomeAssistant, entity_id: str, value: float) -> None:
    await hass.services.async_call(
        NUMBER_DOMAIN,
        SERVICE_SET_VALUE,
        {ATTR_ENTITY_ID: entity_id, ATTR_VALUE: value},
        blocking=True,
    )


def truth(simulator: Simulator) -> dict[str, object]:
    """The driver's latest session as the simulator has it now."""
    session = simulator.latest_session(DEMO_AUTH_ID)
    assert session is not None
    return session


def kwh(simulator: Simulator) -> float:
    return float(truth(simulator)["kwh"])  # type: ignore[arg-type]


def crossing(simulator: Simulator, settings: SimulatorSettings, limit_kwh: float) -> datetime:
    """When the running session delivers `limit_kwh`, at the simulator's constant power."""
    start = dt_util.parse_datetime(str(truth(simulator)["start_datetime"]))
    assert start is not None
    return start + timedelta(hours=limit_kwh / settings.power_kw)


def first_stop_at(crossed_at: datetime) -> datetime:
    """When the first STOP goes out: no latency learned yet, the prior one before the crossing."""
    return crossed_at - timedelta(seconds=PRIOR_LATENCY)


def overshoot_bound(settings: SimulatorSettings, latency: float = 0.0) -> float:
    """The most a limit may be exceeded by: what flows while the operator stops the charger
    (less the latency the integration already allows for), one step of the test's clock (a
    timer fires at the first step after it is due), and the rounding of the final figure.
    """
    seconds = max(settings.stop_delay - latency, 0.0) + STEP
    return settings.power_kw * seconds / 3600 + KWH_ROUNDING


async def run_until_completed(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    max_seconds: int = 1800,
) -> dict[str, object]:
    """Step the clock 1 s at a time until the session has completed and Home Assistant shows it."""
    for _ in range(max_seconds):
        await advance(hass, freezer, STEP)
        if truth(simulator)["status"] == "COMPLETED" and hass.states.get(STATUS).state == (
            "completed"
        ):
            return truth(simulator)
    pytest.fail(f"the session did not complete within {max_seconds} s")


def issue(hass: HomeAssistant, entry: MockConfigEntry) -> ir.IssueEntry | None:
    return ir.async_get(hass).async_get_issue(DOMAIN, f"limit_stop_failed_{entry.entry_id}")


@pytest.mark.parametrize(
    "simulator_settings",
    [SimulatorSettings(power_kw=7.4), SimulatorSettings(power_kw=22.0)],
    ids=["7.4kW", "22kW"],
)
async def test_energy_limit_stops_once_before_the_poll_would_see_it(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    simulator_settings: SimulatorSettings,
    init_integration: MockConfigEntry,
) -> None:
    """One STOP at the predicted crossing; the overshoot is what flows while the charger stops."""
    limit = round(kwh(simulator) + 0.5, 1)
    crossed_at = crossing(simulator, simulator_settings, limit)
    session_id = truth(simulator)["id"]
    await set_limit(hass, ENERGY_LIMIT, limit)

    final = await run_until_completed(hass, freezer, simulator)

    [stop] = stop_requests(simulator)
    assert stop.body == {"session_id": session_id}
    assert stop.status == 200
    # Sent the prior latency before the crossing (the first stop knows no latency yet), within
    # one step of the clock; no poll had seen the limit crossed: the STOP came from the
    # prediction, not from a reading.
    assert abs((stop.at - first_stop_at(crossed_at)).total_seconds()) <= STEP
    assert all(poll.at < crossed_at for poll in polls(simulator) if poll.at < stop.at)
    overshoot = float(final["kwh"]) - limit  # type: ignore[arg-type]
    assert -SHORT_BY_ROUNDING <= overshoot <= overshoot_bound(simulator_settings, PRIOR_LATENCY)
    if simulator_settings.power_kw == 7.4:
        assert overshoot <= 0.02
    # A record that changes at every request shows no meter cadence: it polled at the set pace.
    before_stop = [poll for poll in polls(simulator) if poll.at <= stop.at]
    span = (stop.at - before_stop[0].at).total_seconds()
    assert len(before_stop) <= span // 30 + 2


@pytest.mark.parametrize(
    ("energy_margin", "cost_margin", "first"),
    [(1.0, 0.5, "cost"), (0.5, 1.0, "energy")],
    ids=["cost-first", "energy-first"],
)
async def test_the_first_limit_reached_wins(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    simulator_settings: SimulatorSettings,
    init_integration: MockConfigEntry,
    energy_margin: float,
    cost_margin: float,
    first: str,
) -> None:
    """With both limits set, the session stops at the one it reaches first, once."""
    now = truth(simulator)
    energy_limit = round(float(now["kwh"]) + energy_margin, 1)  # type: ignore[arg-type]
    cost_limit = round(float(now["total_cost"]) + cost_margin * TARIFF)  # type: ignore[arg-type]
    await set_limit(hass, ENERGY_LIMIT, energy_limit)
    await set_limit(hass, COST_LIMIT, cost_limit)

    final = await run_until_completed(hass, freezer, simulator)

    assert len(stop_requests(simulator)) == 1
    bound = overshoot_bound(simulator_settings)
    if first == "cost":
        cost_over = float(final["total_cost"]) - cost_limit  # type: ignore[arg-type]
        assert 0 <= cost_over <= bound * TARIFF + 0.01
        assert float(final["kwh"]) < energy_limit  # type: ignore[arg-type]
    else:
        energy_over = float(final["kwh"]) - energy_limit  # type: ignore[arg-type]
        assert -SHORT_BY_ROUNDING <= energy_over <= bound
        assert float(final["total_cost"]) < cost_limit  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("entity_id", "below"),
    [(ENERGY_LIMIT, 0.0), (ENERGY_LIMIT, 1.0), (COST_LIMIT, 0.0), (COST_LIMIT, 10.0)],
    ids=["energy-at", "energy-below", "cost-at", "cost-below"],
)
async def test_a_limit_already_reached_stops_at_once(
    hass: HomeAssistant,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    entity_id: str,
    below: float,
) -> None:
    """Setting a limit at or below what the session has delivered sends STOP right away."""
    session = init_integration.runtime_data.coordinator.session
    known = session.kwh if entity_id == ENERGY_LIMIT else session.total_cost
    await set_limit(hass, entity_id, known - below)
    await hass.async_block_till_done()
    [stop] = stop_requests(simulator)
    assert stop.body == {"session_id": session.id}


async def test_off_sends_nothing(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
) -> None:
    """0 is off: a limit turned off before it is reached cancels its STOP."""
    limit = round(kwh(simulator) + 0.2, 1)
    await set_limit(hass, ENERGY_LIMIT, limit)
    await set_limit(hass, COST_LIMIT, 0)
    await advance(hass, freezer, 20)
    await set_limit(hass, ENERGY_LIMIT, 0)
    for _ in range(300):
        await advance(hass, freezer, STEP)
    assert kwh(simulator) > limit + 0.3
    assert stop_requests(simulator) == []
    assert truth(simulator)["status"] == "ACTIVE"


@pytest.mark.parametrize(("first", "then"), [(0.3, 0.8), (1.0, 0.4)], ids=["raised", "lowered"])
async def test_a_changed_limit_reschedules(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    simulator_settings: SimulatorSettings,
    init_integration: MockConfigEntry,
    first: float,
    then: float,
) -> None:
    """Changing the limit while charging moves the STOP to the new limit's moment."""
    start_kwh = kwh(simulator)
    await set_limit(hass, ENERGY_LIMIT, round(start_kwh + first, 1))
    for _ in range(60):
        await advance(hass, freezer, STEP)
    limit = round(start_kwh + then, 1)
    await set_limit(hass, ENERGY_LIMIT, limit)

    final = await run_until_completed(hass, freezer, simulator)

    assert len(stop_requests(simulator)) == 1
    overshoot = float(final["kwh"]) - limit  # type: ignore[arg-type]
    assert 0 <= overshoot <= overshoot_bound(simulator_settings)


@pytest.mark.parametrize("simulator_settings", [SLOWER])
async def test_learned_latency_shrinks_the_next_overshoot(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    simulator_settings: SimulatorSettings,
    init_integration: MockConfigEntry,
) -> None:
    """The first stop teaches how long the operator takes; the next STOP goes out that early."""
    operator = init_integration.runtime_data.data.operator
    assert operator.latency == PRIOR_LATENCY
    first_limit = round(kwh(simulator) + 0.5, 1)
    await set_limit(hass, ENERGY_LIMIT, first_limit)
    first = float((await run_until_completed(hass, freezer, simulator))["kwh"]) - first_limit  # type: ignore[arg-type]
    [learned] = operator.as_dict()["stop_latencies"]
    assert learned == pytest.approx(simulator_settings.stop_delay, abs=STEP)
    planned = operator.latency

    # A second session, started elsewhere; the idle poll finds it.
    simulator.start_session(DEMO_AUTH_ID)
    second_limit = 1.5
    await set_limit(hass, ENERGY_LIMIT, second_limit)
    second = float((await run_until_completed(hass, freezer, simulator))["kwh"]) - second_limit  # type: ignore[arg-type]

    assert len(stop_requests(simulator)) == 2
    # Sent earlier: by what was learned, the one stop seen trusted (it was as steady as can be).
    assert second < first
    early = planned - simulator_settings.stop_delay
    assert -second <= simulator_settings.power_kw * (early + STEP) / 3600 + KWH_ROUNDING


async def test_no_second_stop_after_a_restart(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
) -> None:
    """The accepted STOP is remembered: a reload before the session has ended sends no other."""
    limit = round(kwh(simulator) - 0.1, 1)
    await set_limit(hass, ENERGY_LIMIT, limit)
    await hass.async_block_till_done()
    assert len(stop_requests(simulator)) == 1

    assert await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    # The limit is still in force, and the session still charges: only the record prevents it.
    assert init_integration.runtime_data.limits.energy_limit == limit
    assert init_integration.runtime_data.coordinator.session.is_charging

    await run_until_completed(hass, freezer, simulator)
    assert len(stop_requests(simulator)) == 1


@pytest.mark.parametrize("fault", ["http_500", "http_429"])
async def test_transient_failures_are_retried(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    fault: str,
) -> None:
    """Two failures: sent again after 5 and 15 s (after a 429: not before its Retry-After); the
    third is accepted, and nothing is raised."""
    simulator.inject(fault, count=2, only="commands")
    await set_limit(hass, ENERGY_LIMIT, round(kwh(simulator) - 0.1, 1))
    await hass.async_block_till_done()
    await run_until_completed(hass, freezer, simulator)

    stops = stop_requests(simulator)
    assert [stop.status for stop in stops] == [500 if fault == "http_500" else 429] * 2 + [200]
    gaps = [(later.at - earlier.at).total_seconds() for earlier, later in itertools.pairwise(stops)]
    if fault == "http_429":
        wait = 30  # the simulator's Retry-After
        expected = [max(5, wait), max(15, wait)]
    else:
        expected = [5, 15]
    assert gaps == [pytest.approx(delay, abs=STEP) for delay in expected]
    assert issue(hass, init_integration) is None


async def test_persistent_failure_raises_a_repair_issue_until_a_stop_succeeds(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """After 3 retries a repair issue says the car may still charge and the limit keeps trying;
    the success a minute later removes it."""
    simulator.inject("http_500", count=4, only="commands")
    limit = round(kwh(simulator) - 0.1, 1)
    await set_limit(hass, ENERGY_LIMIT, limit)
    await hass.async_block_till_done()
    for _ in range(5 + 15 + 30):
        await advance(hass, freezer, STEP)
    stops = stop_requests(simulator)
    assert [stop.status for stop in stops] == [500] * 4
    gaps = [(later.at - earlier.at).total_seconds() for earlier, later in itertools.pairwise(stops)]
    assert gaps == [pytest.approx(delay, abs=STEP) for delay in (5, 15, 30)]
    found = issue_registry.async_get_issue(DOMAIN, f"limit_stop_failed_{init_integration.entry_id}")
    assert found is not None
    assert found.severity is ir.IssueSeverity.ERROR
    assert found.translation_key == "limit_stop_failed"
    # It names the limit, in numbers and units any language reads.
    assert found.translation_placeholders["limit"] == f"{limit:g} kWh"

    # The limit keeps trying while the car charges past it: a minute on, the API takes it.
    for _ in range(60):
        await advance(hass, freezer, STEP)
    await run_until_completed(hass, freezer, simulator)
    stops = stop_requests(simulator)
    assert [stop.status for stop in stops] == [500] * 4 + [200]
    assert (stops[-1].at - stops[-2].at).total_seconds() == pytest.approx(60, abs=STEP)
    assert issue(hass, init_integration) is None


async def test_rejected_means_it_had_ended(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
) -> None:
    """REJECTED: the session had ended by itself; no retry, no repair issue."""
    coordinator = init_integration.runtime_data.coordinator
    await coordinator.client.stop_session(str(truth(simulator)["id"]))
    freezer.tick(10)  # the session completes at the operator; Home Assistant has not polled yet
    simulator.clear_requests()

    await set_limit(hass, ENERGY_LIMIT, round(coordinator.session.kwh - 0.1, 1))
    await run_until_completed(hass, freezer, simulator)
    for _ in range(60):
        await advance(hass, freezer, STEP)

    assert [stop.status for stop in stop_requests(simulator)] == [200]
    assert issue(hass, init_integration) is None


async def test_refused_credentials_start_reauth_and_raise_an_issue(
    hass: HomeAssistant,
    simulator: Simulator,
    init_integration: MockConfigEntry,
) -> None:
    """A 401 on the limit's STOP: re-authentication, and a repair issue that it did not stop."""
    simulator.inject("http_401", only="commands")
    await set_limit(hass, ENERGY_LIMIT, round(kwh(simulator) - 0.1, 1))
    await hass.async_block_till_done()

    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]
    assert issue(hass, init_integration) is not None
    assert [stop.status for stop in stop_requests(simulator)] == [401]


@pytest.mark.parametrize("simulator_settings", [SLOWER])
async def test_completion_event_tells_the_limit_and_overshoot(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
) -> None:
    """The completion event says which energy limit stopped the session, and by how much."""
    completed = async_capture_events(hass, EVENT_SESSION_COMPLETED)
    limit = round(kwh(simulator) + 0.3, 1)
    await set_limit(hass, ENERGY_LIMIT, limit)
    final = await run_until_completed(hass, freezer, simulator)

    [event] = completed
    assert event.data["energy_limit"] == limit
    assert event.data["energy"] == final["kwh"]
    assert event.data["overshoot"] == round(float(final["kwh"]) - limit, 4)  # type: ignore[arg-type]
    assert event.data["overshoot"] > 0


async def test_a_failed_poll_keeps_the_planned_stop(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    simulator_settings: SimulatorSettings,
    init_integration: MockConfigEntry,
) -> None:
    """A poll that fails shortly before the moment changes nothing about when STOP goes out."""
    limit = round(kwh(simulator) + 0.5, 1)
    crossed_at = crossing(simulator, simulator_settings, limit)
    await set_limit(hass, ENERGY_LIMIT, limit)
    # Every poll from 40 s before the crossing on fails.
    while dt_util.utcnow() < crossed_at - timedelta(seconds=40):
        await advance(hass, freezer, STEP)
    simulator.inject("http_500", count=100, only="latest")

    final = await run_until_completed_despite_polls(hass, freezer, simulator)

    [stop] = stop_requests(simulator)
    assert abs((stop.at - first_stop_at(crossed_at)).total_seconds()) <= STEP
    assert float(final["kwh"]) - limit <= overshoot_bound(simulator_settings)  # type: ignore[arg-type]


async def run_until_completed_despite_polls(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, simulator: Simulator
) -> dict[str, object]:
    for _ in range(120):
        await advance(hass, freezer, STEP)
        if truth(simulator)["status"] == "COMPLETED":
            return truth(simulator)
    pytest.fail("the session did not complete")


@pytest.mark.parametrize("then", [-0.05, 0.004], ids=["due-now", "due-in-2s"])
async def test_a_stop_in_flight_is_not_sent_twice(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    then: float,
) -> None:
    """An update while the STOP is on its way may find it due again: it goes out once."""
    known = init_integration.runtime_data.coordinator.session.kwh
    await set_limit(hass, ENERGY_LIMIT, known - 0.1)  # STOP on its way ...
    await set_limit(hass, ENERGY_LIMIT, known + then)  # ... and due again, now or in 2 s
    for _ in range(30):
        await advance(hass, freezer, STEP)
    assert len(stop_requests(simulator)) == 1


async def test_no_session_yet(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    config_entry: MockConfigEntry,
) -> None:
    """A driver without any session: the limits can be set and wait; nothing is sent."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=DEMO_AUTH_ID_NEW,
        data={**config_entry.data, CONF_AUTH_ID: DEMO_AUTH_ID_NEW},
    )
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.runtime_data.coordinator.session is None

    await set_limit(hass, "number.evnnovator_demo_driver_new_energy_limit", 5)
    await set_limit(hass, "number.evnnovator_demo_driver_new_cost_limit", 100)
    await advance(hass, freezer, 301)
    # Without a session there is no currency for the cost limit yet.
    cost_limit = hass.states.get("number.evnnovator_demo_driver_new_cost_limit")
    assert cost_limit.state == "100.0"
    assert "unit_of_measurement" not in cost_limit.attributes
    assert stop_requests(simulator) == []


def odd_session(simulator: Simulator, **changes: object) -> dict[str, object]:
    """The running session as the API shows it now, with some of its fields changed."""
    return truth(simulator) | changes


@pytest.mark.parametrize(
    "changes",
    [
        {"kwh": None},  # no energy: neither the rate nor the price can be known
        {"kwh": 0.0, "total_cost": 0.0},  # just started: no power to predict from yet
        {"kwh": 3.0, "total_cost": 54.0},  # energy that does not grow (a paused car)
    ],
    ids=["no-energy", "nothing-yet", "not-growing"],
)
async def test_odd_readings_send_nothing_early(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    changes: dict[str, object],
) -> None:
    """Readings that predict nothing (or nothing soon) send no STOP before the limit."""
    simulator.set_raw_latest(DEMO_AUTH_ID, odd_session(simulator, **changes))
    await advance(hass, freezer, 31)
    await set_limit(hass, ENERGY_LIMIT, 10)
    await set_limit(hass, COST_LIMIT, 1000)
    for _ in range(3):
        await advance(hass, freezer, 31)
    assert hass.states.get(STATUS).state == "active"
    assert stop_requests(simulator) == []


async def test_a_stop_without_a_known_end_learns_from_the_energy(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
) -> None:
    """The API says the session completed but not when: the energy delivered after the STOP,
    at the measured rate, tells how long the charger took."""
    await set_limit(hass, ENERGY_LIMIT, round(kwh(simulator) - 0.1, 1))
    await hass.async_block_till_done()
    assert len(stop_requests(simulator)) == 1
    freezer.tick(STOP_DELAY)
    simulator.set_raw_latest(
        DEMO_AUTH_ID, odd_session(simulator, status="COMPLETED", end_datetime=None)
    )
    await run_until_completed(hass, freezer, simulator)
    [learned] = init_integration.runtime_data.data.operator.as_dict()["stop_latencies"]
    assert learned == pytest.approx(STOP_DELAY, abs=STEP)


async def test_a_stop_timer_after_the_session_ended_sends_nothing(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
) -> None:
    """Should a planned STOP fall due when the session no longer charges, it is not sent."""
    await init_integration.runtime_data.coordinator.client.stop_session(str(truth(simulator)["id"]))
    await run_until_completed(hass, freezer, simulator)
    simulator.clear_requests()
    # Updates cancel a planned STOP once the session has ended; the timer checks again anyway.
    await init_integration.runtime_data.limits._async_stop_due(dt_util.utcnow())
    assert stop_requests(simulator) == []
