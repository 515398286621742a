"""The blueprint "stop at an energy": loaded by Home Assistant, and pressing the real button."""

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.automation import DOMAIN as AUTOMATION_DOMAIN
from homeassistant.components.blueprint import Blueprint
from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.evnnovator.const import DOMAIN
from evnnovator_simulator import DEMO_AUTH_ID, Simulator

from .blueprint_setup import (  # noqa: F401  (hass_config_dir: a fixture, imported to be used here)
    automation_from_blueprint,
    hass_config_dir,
    load_blueprint,
)
from .helpers import advance

PATH = "evnnovator/stop_at_energy.yaml"
ENERGY = "sensor.evnnovator_demo_driver_1_session_energy"
STOP_BUTTON = "button.evnnovator_demo_driver_1_stop_charging"
STATUS = "sensor.evnnovator_demo_driver_1_session_status"
CHARGING = "binary_sensor.evnnovator_demo_driver_1_charging"

pytestmark = pytest.mark.freeze_time("2026-11-23T08:00:00+00:00")


@pytest.fixture
def expected_lingering_timers() -> bool:
    """Home Assistant's stop after the test changes the energy sensor once more, which starts the
    trigger's one-second wait: a timer left behind by the test harness, not by the blueprint."""
    return True


async def use_blueprint(hass: HomeAssistant, energy: float) -> None:
    """An automation made from the blueprint for the demo account."""
    await automation_from_blueprint(
        hass,
        "Stop at energy",
        PATH,
        {"energy_sensor": ENERGY, "stop_button": STOP_BUTTON, "energy": energy},
    )


def stops(simulator: Simulator) -> int:
    return sum(1 for r in simulator.requests if r.path.endswith("/commands/STOP_SESSION"))


def energy(hass: HomeAssistant) -> float:
    return float(hass.states.get(ENERGY).state)


async def test_blueprint_loads_with_its_inputs(hass: HomeAssistant) -> None:
    """Home Assistant's blueprint machinery reads it, with the three inputs and their filters."""
    blueprint = await load_blueprint(hass, PATH)
    assert isinstance(blueprint, Blueprint)
    assert blueprint.validate() is None
    assert blueprint.domain == AUTOMATION_DOMAIN
    inputs = blueprint.inputs
    assert set(inputs) == {"energy_sensor", "stop_button", "energy"}
    assert inputs["energy_sensor"]["selector"]["entity"]["filter"] == [
        {"integration": DOMAIN, "domain": ["sensor"], "device_class": ["energy"]}
    ]
    assert inputs["stop_button"]["selector"]["entity"]["filter"] == [
        {"integration": DOMAIN, "domain": ["button"]}
    ]
    assert inputs["energy"]["selector"]["number"]["unit_of_measurement"] == "kWh"


async def test_presses_stop_once_the_energy_is_above(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
) -> None:
    """The first poll that sees the energy above the value presses Stop; the session ends."""
    target = round(energy(hass) + 0.3, 1)
    await use_blueprint(hass, target)
    simulator.clear_requests()

    while energy(hass) <= target:
        assert stops(simulator) == 0
        await advance(hass, freezer, 30)
    # The press comes a second after the reading, once the poll's entities are all written.
    await advance(hass, freezer, 1)
    assert stops(simulator) == 1

    # The operator takes 5 s to stop; the quick refreshes in between read more energy, still
    # of the same session: nothing else is pressed.
    await advance(hass, freezer, 3)
    await advance(hass, freezer, 6)
    assert hass.states.get(STATUS).state == "completed"
    assert hass.states.get(CHARGING).state == STATE_OFF
    for _ in range(3):
        await advance(hass, freezer, 300)
    assert stops(simulator) == 1


async def test_presses_stop_for_a_session_first_seen_above(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
) -> None:
    """A session started elsewhere, first seen already above the value, after a session that
    also ended above it: the energy never crosses the value, and Stop is pressed all the same."""
    target = 0.3
    # The demo session ends at the operator (not through Home Assistant), above the value ...
    await init_integration.runtime_data.coordinator.client.stop_session(
        simulator.latest_session(DEMO_AUTH_ID)["id"]
    )
    await advance(hass, freezer, 10)
    await init_integration.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()
    assert hass.states.get(STATUS).state == "completed"
    previous = hass.states.get(ENERGY)
    assert float(previous.state) > target
    await use_blueprint(hass, target)
    # ... and the driver starts the next one from the operator's app: Home Assistant, polling at
    # the idle pace, first sees it minutes later, already above the value.
    simulator.start_session(DEMO_AUTH_ID)
    simulator.clear_requests()
    while hass.states.get(ENERGY).attributes["last_reset"] == previous.attributes["last_reset"]:
        assert stops(simulator) == 0
        await advance(hass, freezer, 30)
    assert energy(hass) > target
    assert hass.states.get(CHARGING).state == STATE_ON

    await advance(hass, freezer, 1)

    assert stops(simulator) == 1
    await advance(hass, freezer, 3)
    await advance(hass, freezer, 6)
    assert hass.states.get(STATUS).state == "completed"
    for _ in range(3):
        await advance(hass, freezer, 300)
    assert stops(simulator) == 1


async def test_leaves_a_session_that_ended_alone(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
) -> None:
    """The poll that sees the energy cross may see the session ended too: no press then."""
    before = energy(hass)
    # The session ends at the operator between two polls, 25 s after the last one ...
    freezer.tick(20)
    await init_integration.runtime_data.coordinator.client.stop_session(
        simulator.latest_session(DEMO_AUTH_ID)["id"]
    )
    freezer.tick(6)
    final = simulator.latest_session(DEMO_AUTH_ID)["kwh"]
    # ... having crossed the value, which the next poll shows with the session completed.
    await use_blueprint(hass, round((before + final) / 2, 3))
    simulator.clear_requests()
    await advance(hass, freezer, 4)
    assert energy(hass) == final
    assert hass.states.get(CHARGING).state == STATE_OFF

    await advance(hass, freezer, 1)

    # The conditions held it back: Home Assistant does not count it as triggered.
    assert hass.states.get("automation.stop_at_energy").attributes["last_triggered"] is None
    assert stops(simulator) == 0
