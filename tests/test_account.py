"""The account's order: each reading decided once, inside the poll, in one written order.

Each test here is a hidden order of the earlier design that was a bug: the limits planned before
they were restored, the cost limit priced at the last charger's tariff, the meter teaching a
model that was never saved.
"""

from datetime import timedelta
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.number import ATTR_VALUE, SERVICE_SET_VALUE
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant, State
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    mock_restore_cache_with_extra_data,
)

from custom_components.evnnovator.book import SessionBook
from custom_components.evnnovator.const import DOMAIN
from custom_components.evnnovator.forecast import Limits, plan_stop
from evnnovator_simulator import DEMO_AUTH_ID, Simulator, SimulatorSettings
from evnnovator_simulator.site import SECOND_EVSE_UID

from .helpers import advance, stored_number

ENERGY_LIMIT = "number.evnnovator_demo_driver_1_energy_limit"
COST_LIMIT = "number.evnnovator_demo_driver_1_cost_limit"
PLANNED_STOP = "sensor.evnnovator_demo_driver_1_planned_stop"

pytestmark = pytest.mark.freeze_time("2026-11-23T08:00:00+00:00")


@pytest.fixture
def simulator_settings() -> SimulatorSettings:
    """A realistic operator (a meter value a minute); the demo charger at 18 INR/kWh, the
    second at 24 INR/kWh."""
    return SimulatorSettings.realistic(
        power_kw=7.4, meter_interval=60, seed=3, tariff_per_kwh=18.0, second_tariff_per_kwh=24.0
    )


async def test_a_restart_mid_session_never_notes_the_limits_as_off(
    hass: HomeAssistant, simulator: Simulator, config_entry: MockConfigEntry
) -> None:
    """The first reading after a restart comes before the number entities restore the limits.

    The session charging with a 10 kWh limit keeps it in its book entry all along: the limits
    plan only once restored (before, the first plan wrote "no limit" into the running session's
    record, and its completion could say it had none), and the plan shows at once.
    """
    mock_restore_cache_with_extra_data(
        hass, [(State(ENERGY_LIMIT, "10.0"), stored_number(10.0, "kWh", 200, 0.1))]
    )
    noted: list[tuple[float | None, float | None]] = []
    note_limits = SessionBook.note_limits

    def spy(book: SessionBook, session_id: str, *, energy: Any, cost: Any, **more: Any) -> bool:
        noted.append((energy, cost))
        return note_limits(book, session_id, energy=energy, cost=cost, **more)

    with patch.object(SessionBook, "note_limits", spy):
        config_entry.add_to_hass(hass)
        await hass.config_entries.async_setup(config_entry.entry_id)
        await hass.async_block_till_done()
    session_id = str(simulator.latest_session(DEMO_AUTH_ID)["id"])
    entry = config_entry.runtime_data.data.book.entry(session_id)
    assert entry is not None
    assert entry.energy_limit == 10.0
    assert noted
    assert all(energy == 10.0 for energy, _ in noted), noted
    # Planned as soon as the limits are restored, not a poll later.
    planned = hass.states.get(PLANNED_STOP)
    assert planned.state not in ("unknown", "unavailable")
    assert planned.attributes["limit"] == "energy"


async def test_the_cost_limit_at_a_new_charger_is_priced_at_its_tariff(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
) -> None:
    """A session at another charger that shows no cost yet: its tariff prices the cost limit.

    Before, the limits planned before the price followed the session: the last charger's
    tariff (18/kWh) priced the limit until the next poll.
    """
    account = init_integration.runtime_data
    assert account.price.energy_price("INR") == 18.0
    await hass.services.async_call(
        "number", SERVICE_SET_VALUE, {ATTR_ENTITY_ID: COST_LIMIT, ATTR_VALUE: 500}, blocking=True
    )
    simulator.start_session(DEMO_AUTH_ID, evse_uid=SECOND_EVSE_UID, status="ACTIVE")
    # Ten minutes on, before any poll: an operator that shows no running cost, so that only
    # the tariff can price the limit.
    freezer.tick(timedelta(minutes=10))
    latest = simulator.latest_session(DEMO_AUTH_ID)
    assert latest is not None
    simulator.set_raw_latest(DEMO_AUTH_ID, latest | {"total_cost": 0})
    await account.coordinator.async_refresh()
    await hass.async_block_till_done()
    session = account.coordinator.session
    assert session is not None
    assert session.evse_uid == SECOND_EVSE_UID.lower()
    assert account.price.energy_price("INR") == 24.0
    latest = account.meter.latest
    assert latest is not None
    expected = plan_stop(
        latest,
        account.meter.rate_kw(session.start),
        Limits(cost=500, price_per_kwh=24.0),
        account.data.operator.latency,
    )
    assert expected is not None
    assert account.limits.plan == expected


async def test_the_meter_teaches_the_model_that_is_kept(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
    simulator: Simulator,
    init_integration: MockConfigEntry,
) -> None:
    """The cadence the meter shows is learned into the operator model the Store writes.

    Before, the meter track was handed the tracker's model before the tracker loaded its own:
    built the other way round, what it learned went into a model never saved.
    """
    account = init_integration.runtime_data
    assert account.meter.operator is account.data.operator
    for _ in range(4):
        await advance(hass, freezer, 31)
    learned = account.data.operator.as_dict()
    assert learned["meter_gaps"]
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    stored = hass_storage[f"{DOMAIN}.{init_integration.entry_id}.sessions"]["data"]
    assert stored["operator"] == learned


async def test_the_planned_stop_moves_only_by_the_minute(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
) -> None:
    """Each meter value sharpens the forecast by seconds: the moment shown (each change is an
    entry in the Activity) stays until it moves by a minute, while the STOP's own time follows
    every value."""
    session_id = str(simulator.latest_session(DEMO_AUTH_ID)["id"])
    limit = round(simulator.delivered_kwh(session_id) + 2.0, 2)  # about 16 minutes away
    await hass.services.async_call(
        "number",
        SERVICE_SET_VALUE,
        {ATTR_ENTITY_ID: ENERGY_LIMIT, ATTR_VALUE: limit},
        blocking=True,
    )
    shown: list[str] = []
    sends: list[str] = []
    for _ in range(20):  # ten minutes
        await advance(hass, freezer, 30)
        state = hass.states.get(PLANNED_STOP)
        if not shown or shown[-1] != state.state:
            shown.append(state.state)
        if not sends or sends[-1] != state.attributes["stop_command_at"]:
            sends.append(state.attributes["stop_command_at"])
    assert len(sends) > len(shown)
    assert len(shown) <= 2, shown
    assert all(dt_util.parse_datetime(moment) is not None for moment in shown)
