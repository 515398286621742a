"""The blueprint "notify me when the car is done": loaded by Home Assistant, run on real events."""

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant, ServiceCall
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.evnnovator.const import DEFAULT_IDLE_INTERVAL
from evnnovator_simulator import DEMO_AUTH_ID, OperatorProfile, Simulator

from .blueprint_setup import (  # noqa: F401  (hass_config_dir: a fixture, imported to be used here)
    automation_from_blueprint,
    hass_config_dir,
    load_blueprint,
)
from .helpers import poll_for, polls
from .test_device_trigger import account_device_id

PATH = "evnnovator/notify_when_done.yaml"
STATUS = "sensor.evnnovator_demo_driver_1_session_status"

pytestmark = pytest.mark.freeze_time("2026-11-23T08:00:00+00:00")


@pytest.fixture
async def with_automation(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> MockConfigEntry:
    """The integration, and an automation made from the blueprint for its account, whose action
    hands its variables to a test action."""
    await automation_from_blueprint(
        hass,
        "Notify when done",
        PATH,
        {
            "account": account_device_id(hass, init_integration),
            "actions": [
                {
                    "action": "test.automation",
                    "data": {"message": "Done at {{ energy }} kWh ({{ session_id }})"},
                }
            ],
        },
    )
    return init_integration


def notifications(service_calls: list[ServiceCall]) -> list[str]:
    return [call.data["message"] for call in service_calls if call.domain == "test"]


async def test_blueprint_loads_with_its_inputs(hass: HomeAssistant) -> None:
    blueprint = await load_blueprint(hass, PATH)
    assert blueprint.validate() is None
    assert set(blueprint.inputs) == {"account", "actions"}
    assert blueprint.inputs["account"]["selector"]["device"]["filter"] == [
        {"integration": "evnnovator"}
    ]


async def test_notifies_once_when_the_car_is_full(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    service_calls: list[ServiceCall],
    simulator: Simulator,
    with_automation: MockConfigEntry,
) -> None:
    """A car full at 2 kWh, the session left running for an hour: one notification."""
    simulator.set_operator(OperatorProfile.realistic(power_kw=7.4, car_full_kwh=2.0))
    session_id = simulator.start_session(DEMO_AUTH_ID, status="ACTIVE")
    async for _ in polls(hass, freezer, minutes=30):
        assert notifications(service_calls) == []
    await poll_for(hass, freezer, minutes=60)
    assert hass.states.get(STATUS).state == "idle"
    assert notifications(service_calls) == [f"Done at 2.0 kWh ({session_id})"]


async def test_a_session_that_ends_normally_does_not_notify(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    service_calls: list[ServiceCall],
    simulator: Simulator,
    with_automation: MockConfigEntry,
) -> None:
    """Charging until stopped: completed, never idle, nothing sent."""
    await poll_for(hass, freezer, minutes=20)
    await with_automation.runtime_data.coordinator.client.stop_session(
        simulator.latest_session(DEMO_AUTH_ID)["id"]
    )
    await poll_for(hass, freezer, minutes=50, every=DEFAULT_IDLE_INTERVAL)
    assert hass.states.get(STATUS).state == "completed"
    assert notifications(service_calls) == []
