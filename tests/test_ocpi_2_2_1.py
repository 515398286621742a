"""A gateway that speaks OCPI 2.2.1 shows exactly what its 2.1.1 shape shows.

Two simulators tell one truth on one clock, one in EVnnovator's 2.1.1 shape and one in its
hub's 2.2.1 (its session names its location only by its ids, costs are Prices, the bill counts in
kWh and hours); the same driver is set up against each. Every entity, enabled or not, must show
the same at every step of a session's life: charging, started from Home Assistant, stopped,
billed.
"""

from collections.abc import AsyncIterator
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import CONF_TOKEN
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.evnnovator.config_flow import unique_id_for
from custom_components.evnnovator.const import (
    CONF_AUTH_ID,
    CONF_AUTH_SCHEME,
    CONF_BASE_URL,
    DOMAIN,
)
from evnnovator_simulator import DEMO_AUTH_ID, DEMO_TOKEN, Simulator, SimulatorSettings
from evnnovator_simulator.dialect import OCPI_2_1_1, OCPI_2_2_1

from .helpers import advance

pytestmark = [
    pytest.mark.freeze_time("2026-11-23T08:00:00+00:00"),
    pytest.mark.usefixtures("entity_registry_enabled_by_default"),
]

OCPI_IDS_PATH = "/locations/IN/TCZ/D5F5E912-CD27-49D5-8586-FB93CA65A134"


@pytest.fixture
async def simulators(socket_enabled: None) -> AsyncIterator[dict[str, Simulator]]:
    """One simulator per dialect, started together on Home Assistant's frozen clock."""
    started = {}
    for dialect in (OCPI_2_1_1, OCPI_2_2_1):
        started[dialect] = Simulator(SimulatorSettings(dialect=dialect), clock=dt_util.utcnow)
        await started[dialect].start()
    yield started
    for simulator in started.values():
        await simulator.stop()


@pytest.fixture
async def entries(hass: HomeAssistant, simulators: dict[str, Simulator]) -> dict[str, Any]:
    """The demo driver set up against each simulator.

    An account is one driver at one gateway host, and both are on 127.0.0.1: the unique ids
    name the dialect too.
    """
    made = {}
    for dialect, simulator in simulators.items():
        entry = MockConfigEntry(
            domain=DOMAIN,
            title=f"{DEMO_AUTH_ID} {dialect}",
            unique_id=f"{unique_id_for(DEMO_AUTH_ID, simulator.base_url)} {dialect}",
            data={
                CONF_AUTH_ID: DEMO_AUTH_ID,
                CONF_TOKEN: DEMO_TOKEN,
                CONF_BASE_URL: simulator.base_url,
                CONF_AUTH_SCHEME: "token",
            },
        )
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        made[dialect] = entry
    await hass.async_block_till_done()
    return made


def shown(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, Any]:
    """Each entity's state and attributes, by its key (the unique id after the entry's)."""
    registry = er.async_get(hass)
    seen = {}
    for entity in er.async_entries_for_config_entry(registry, entry.entry_id):
        state = hass.states.get(entity.entity_id)
        key = entity.unique_id.removeprefix(f"{entry.unique_id}_")
        seen[key] = None if state is None else (state.state, dict(state.attributes))
    # The names differ by the entry's title only.
    for value in seen.values():
        if value is not None:
            value[1].pop("friendly_name", None)
    return seen


# The one figure a 2.2.1 session says itself: its cost with tax (its Price's incl_vat), which a
# 2.1.1 session's cost with tax is estimated from the latest bill for.
OWN_FIGURE = "cost_with_tax"


def assert_own_figure(old: tuple[str, dict[str, Any]], new: tuple[str, dict[str, Any]]) -> None:
    """2.2.1's cost with tax is the session's own; 2.1.1's unknown or the same to the cent."""
    assert new[1]["estimated"] is False
    if old[0] != "unknown":
        assert abs(float(old[0]) - float(new[0])) <= 0.01


def assert_the_same(hass: HomeAssistant, entries: dict[str, MockConfigEntry]) -> None:
    old, new = (shown(hass, entries[dialect]) for dialect in (OCPI_2_1_1, OCPI_2_2_1))
    assert len(old) > 20
    assert_own_figure(old.pop(OWN_FIGURE), new.pop(OWN_FIGURE))
    differences = {key: (old[key], new.get(key)) for key in old if old[key] != new.get(key)}
    assert differences == {}, differences
    assert set(new) == set(old)


async def run_for(hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: int) -> None:
    """Let time pass in steps shorter than a request's timeout, both accounts at one moment."""
    for _ in range(seconds // 5):
        await advance(hass, freezer, 5)


def paths(simulator: Simulator, part: str) -> list[str]:
    prefix = simulator.settings.prefix
    return [r.path.removeprefix(prefix) for r in simulator.requests if part in r.path]


async def test_every_entity_shows_the_same_in_both_dialects(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulators: dict[str, Simulator],
    entries: dict[str, MockConfigEntry],
) -> None:
    """Charging, a session started from Home Assistant, its stop and its bill with tax."""
    await run_for(hass, freezer, 120)
    assert_the_same(hass, entries)
    assert shown(hass, entries[OCPI_2_2_1])["energy_price"][0] == "18.0"

    for entry in entries.values():
        coordinator = entry.runtime_data.coordinator
        await coordinator.client.stop_session(coordinator.session.id)
    await run_for(hass, freezer, 120)
    assert shown(hass, entries[OCPI_2_2_1])["status"][0] == "completed"
    assert_the_same(hass, entries)

    for entry in entries.values():
        await hass.services.async_call(
            DOMAIN,
            "start_charging",
            {"config_entry_id": entry.entry_id, "energy_limit": 1.0},
            blocking=True,
            return_response=True,
        )
    await run_for(hass, freezer, 30 * 60)
    assert shown(hass, entries[OCPI_2_2_1])["status"][0] == "completed"
    assert_the_same(hass, entries)

    # The 2.2.1 session's location is asked for once, by its OCPI ids; the 2.1.1 one never.
    assert paths(simulators[OCPI_2_2_1], "/locations/IN/") == [OCPI_IDS_PATH]
    assert paths(simulators[OCPI_2_1_1], "/locations/IN/") == []
    assert [r.path for r in simulators[OCPI_2_2_1].requests if "/cdrs/" in r.path]
