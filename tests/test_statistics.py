"""Hourly statistics in the recorder: the right energy and cost in the right hours."""

from datetime import UTC, datetime, timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.recorder.statistics import (
    get_metadata,
    statistics_during_period,
)
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.evnnovator.api import EvnnovatorClient, parse_session
from custom_components.evnnovator.book import SessionBook
from custom_components.evnnovator.const import CONF_AUTH_ID, DOMAIN
from custom_components.evnnovator.statistics import HourlyStatistics
from custom_components.evnnovator.store import STORAGE_MINOR_VERSION, STORAGE_VERSION
from evnnovator_simulator import DEMO_AUTH_ID, DEMO_AUTH_ID_NEW, Simulator, SimulatorSettings

from .helpers import advance

# 6 kW: 0.1 kWh a minute, so the figures read easily; 18 INR a kWh.
POWER_KW = 6.0
TARIFF = 18.0
TOTAL_ENERGY = "sensor.evnnovator_demo_driver_1_total_energy"
DAY = datetime(2026, 11, 23, tzinfo=UTC)

pytestmark = [
    pytest.mark.freeze_time("2026-11-23T08:40:00+00:00"),
    pytest.mark.usefixtures("recorder_mock"),
]


@pytest.fixture
def mock_recorder_before_hass(async_test_recorder: object) -> None:
    """Prepare the recorder before Home Assistant starts, which recorder_mock requires."""


@pytest.fixture
def simulator_settings() -> SimulatorSettings:
    return SimulatorSettings(power_kw=POWER_KW, tariff_per_kwh=TARIFF)


def at(hour: int) -> datetime:
    return DAY + timedelta(hours=hour)


async def hourly(hass: HomeAssistant, entry: MockConfigEntry, kind: str) -> dict[int, float]:
    """The change of each hour of the account's `kind` statistic (energy, cost_inr), by hour."""
    await async_wait_recording_done(hass)
    statistic_id = f"{DOMAIN}:{entry.entry_id.lower()}_{kind}"
    rows = await hass.async_add_executor_job(
        statistics_during_period,
        hass,
        DAY,
        None,
        {statistic_id},
        "hour",
        None,
        {"change", "sum"},
    )
    return {
        datetime.fromtimestamp(row["start"], UTC).hour: round(row["change"], 4)
        for row in rows.get(statistic_id, [])
    }


async def set_up(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Start the integration (again): only what it stored before survives."""
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


async def shut_down(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Home Assistant goes down: nothing polls until set_up."""
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()


async def stop_at_the_operator(client: EvnnovatorClient, simulator: Simulator) -> None:
    """The driver stops the session (from any app); it ends 5 s later."""
    await client.stop_session(simulator.latest_session(DEMO_AUTH_ID)["id"])


async def test_a_session_across_hours_and_a_restart(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    config_entry: MockConfigEntry,
) -> None:
    """Charging since 8:20; Home Assistant is down from 9:10 to 10:20; stopped at 10:20.

    Each hour gets what the meter delivered in it, whatever hours Home Assistant saw.
    """
    config_entry.add_to_hass(hass)
    await set_up(hass, config_entry)
    for _ in range(3):  # polls at 8:50, 9:00 and 9:10
        await advance(hass, freezer, 600)
    assert await hourly(hass, config_entry, "energy") == {8: 4.0, 9: 1.0}

    await shut_down(hass, config_entry)
    freezer.tick(timedelta(minutes=70))
    await set_up(hass, config_entry)
    # The 7 kWh charged while down are spread over 9:10 to 10:20: hour 9 is mended.
    assert await hourly(hass, config_entry, "energy") == {8: 4.0, 9: 6.0, 10: 2.0}

    await stop_at_the_operator(config_entry.runtime_data.coordinator.client, simulator)
    await advance(hass, freezer, 31)
    assert simulator.latest_session(DEMO_AUTH_ID)["status"] == "COMPLETED"
    energy = await hourly(hass, config_entry, "energy")
    assert energy == {8: 4.0, 9: 6.0, 10: 2.008}
    assert sum(energy.values()) == pytest.approx(float(hass.states.get(TOTAL_ENERGY).state))
    # The API rounds the cost to 0.01: 216.14 INR in all.
    assert await hourly(hass, config_entry, "cost_inr") == {8: 72.0, 9: 108.0, 10: 36.14}

    # Another restart with nothing new imports nothing twice.
    await shut_down(hass, config_entry)
    await set_up(hass, config_entry)
    assert await hourly(hass, config_entry, "energy") == energy


async def test_a_session_seen_only_after_it_ended(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    config_entry: MockConfigEntry,
) -> None:
    """While Home Assistant is down, a session runs from 9:30:05 to 11:00:05 (9 kWh).

    Seen at 12:00, ended: it is spread over its own start to end, not put in the hour it was seen.
    """
    config_entry.add_to_hass(hass)
    await set_up(hass, config_entry)
    # Another app of the driver's, still there while Home Assistant is down.
    client = config_entry.runtime_data.coordinator.client
    await stop_at_the_operator(client, simulator)
    await advance(hass, freezer, 31)
    await shut_down(hass, config_entry)

    freezer.move_to(at(9) + timedelta(minutes=30))
    simulator.start_session(DEMO_AUTH_ID)  # charges 5 s after the request
    freezer.move_to(at(11))
    await stop_at_the_operator(client, simulator)
    freezer.move_to(at(12))
    await set_up(hass, config_entry)

    energy = await hourly(hass, config_entry, "energy")
    # 9:30:05-10:00 is 29 min 55 s, 11:00-11:00:05 five seconds, at 0.1 kWh a minute.
    assert energy == {8: 2.008, 9: 2.9917, 10: 6.0, 11: 0.0083}
    assert sum(energy.values()) == pytest.approx(float(hass.states.get(TOTAL_ENERGY).state))


async def test_backfill_from_the_ledger_at_the_first_start(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    simulator: Simulator,
    config_entry: MockConfigEntry,
) -> None:
    """An earlier version counted 30 kWh of older sessions and 1.5 kWh of the running one.

    The ledger kept no hours: the older sessions open the statistics in the hour before the
    running session's; the running one is spread over its own hours.
    """
    config_entry.add_to_hass(hass)
    running = simulator.latest_session(DEMO_AUTH_ID)
    hass_storage[f"{DOMAIN}.{config_entry.entry_id}.sessions"] = {
        "version": 1,
        "key": f"{DOMAIN}.{config_entry.entry_id}.sessions",
        "data": {
            "sessions": {
                "older": {"energy": 30.0, "cost": 540.0, "currency": "INR"},
                running["id"]: {"energy": 1.5, "cost": 27.0, "currency": "INR"},
            },
            "retired_energy": 0.0,
            "retired_cost": {},
        },
    }
    await set_up(hass, config_entry)

    # The running session: 8:20 to 8:40, 2 kWh (1.5 known before, 0.5 seen now).
    assert await hourly(hass, config_entry, "energy") == {7: 30.0, 8: 2.0}
    assert await hourly(hass, config_entry, "cost_inr") == {7: 540.0, 8: 36.0}
    assert float(hass.states.get(TOTAL_ENERGY).state) == pytest.approx(32.0)
    metadata = await hass.async_add_executor_job(
        lambda: get_metadata(hass, statistic_source=DOMAIN)
    )
    assert {
        statistic_id: (meta["unit_of_measurement"], meta["unit_class"], meta["has_sum"])
        for statistic_id, (_, meta) in metadata.items()
    } == {
        f"{DOMAIN}:{config_entry.entry_id.lower()}_energy": ("kWh", "energy", True),
        f"{DOMAIN}:{config_entry.entry_id.lower()}_cost_inr": ("INR", None, True),
    }


async def test_a_restart_reimports_only_what_can_still_change(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    simulator: Simulator,
    config_entry: MockConfigEntry,
) -> None:
    """Hours of sessions no longer followed were imported when they changed: not again."""
    book = SessionBook()
    book.add_opening(at(7), 30.0, {"INR": 540.0})
    # A driver without a session, so that the restart itself brings nothing new.
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=DEMO_AUTH_ID_NEW,
        data={**config_entry.data, CONF_AUTH_ID: DEMO_AUTH_ID_NEW},
    )
    entry.add_to_hass(hass)
    key = f"{DOMAIN}.{entry.entry_id}.sessions"
    hass_storage[key] = {
        "version": STORAGE_VERSION,
        "minor_version": STORAGE_MINOR_VERSION,
        "key": key,
        "data": {"book": book.as_dict(), "operator": {}, "token_uids": {}},
    }
    await set_up(hass, entry)
    assert entry.runtime_data.data.book.hours() == book.hours()
    assert await hourly(hass, entry, "energy") == {}


async def test_a_cost_that_changes_currency_leaves_the_old_currencys_statistic(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    """As in the Total cost: the session's cost counts in its new currency only."""
    statistics = HourlyStatistics(hass, config_entry)
    book = SessionBook()
    for kwh, cost, currency, seen in ((1.0, 5.0, "EUR", 8.5), (2.0, 36.0, "INR", 9.5)):
        session = parse_session(
            {
                "id": "a",
                "status": "ACTIVE",
                "kwh": kwh,
                "total_cost": cost,
                "currency": currency,
                "start_datetime": at(8).isoformat(),
            }
        )
        change = book.observe(session, DAY + timedelta(hours=seen))
        statistics.import_hours(book, change.first_changed_hour)
    assert await hourly(hass, config_entry, "energy") == {8: 1.5, 9: 0.5}
    assert await hourly(hass, config_entry, "cost_eur") == {8: 0.0, 9: 0.0}
    assert await hourly(hass, config_entry, "cost_inr") == {8: 18.0, 9: 18.0}


async def test_the_bill_restates_the_cost_hours_with_tax(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    config_entry: MockConfigEntry,
) -> None:
    """Once the bill (CDR, 18% GST) has come, the cost hours add up to it, as Total cost does."""
    config_entry.add_to_hass(hass)
    await set_up(hass, config_entry)
    await advance(hass, freezer, 600)  # 8:50
    await stop_at_the_operator(config_entry.runtime_data.coordinator.client, simulator)
    await advance(hass, freezer, 31)
    before_tax = await hourly(hass, config_entry, "cost_inr")
    for _ in range(4):  # the CDR is made some seconds after the end; asked for 35 s later
        await advance(hass, freezer, 31)
    total_cost = float(hass.states.get("sensor.evnnovator_demo_driver_1_total_cost").state)
    with_tax = await hourly(hass, config_entry, "cost_inr")
    assert sum(with_tax.values()) == pytest.approx(total_cost, abs=0.01)
    assert sum(with_tax.values()) == pytest.approx(sum(before_tax.values()) * 1.18, abs=0.01)
    # Each hour keeps its share.
    assert with_tax == {
        hour: pytest.approx(cost * 1.18, abs=0.01) for hour, cost in before_tax.items()
    }
