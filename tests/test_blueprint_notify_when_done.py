"""The blueprint "notify me when the car is done": loaded by Home Assistant, run on real events."""

from pathlib import Path
import shutil

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.automation import DOMAIN as AUTOMATION_DOMAIN
from homeassistant.components.automation.helpers import async_get_blueprints
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from evnnovator_simulator import DEMO_AUTH_ID, OperatorProfile, Simulator

from .helpers import advance
from .test_device_trigger import account_device_id

BLUEPRINTS = Path(__file__).parent.parent / "blueprints"
PATH = "evnnovator/notify_when_done.yaml"
STATUS = "sensor.evnnovator_demo_driver_1_session_status"

pytestmark = pytest.mark.freeze_time("2026-11-23T08:00:00+00:00")


@pytest.fixture
def hass_config_dir(hass_tmp_config_dir: str) -> str:
    """A configuration folder holding the repository's blueprints, as after an import."""
    shutil.copytree(BLUEPRINTS, Path(hass_tmp_config_dir) / "blueprints", dirs_exist_ok=True)
    return hass_tmp_config_dir


async def use_blueprint(hass: HomeAssistant, device_id: str) -> None:
    """An automation made from the blueprint, whose action hands its variables to a test action."""
    assert await async_setup_component(
        hass,
        AUTOMATION_DOMAIN,
        {
            AUTOMATION_DOMAIN: {
                "id": "notify_when_done",
                "alias": "Notify when done",
                "use_blueprint": {
                    "path": PATH,
                    "input": {
                        "account": device_id,
                        "actions": [
                            {
                                "action": "test.automation",
                                "data": {
                                    "message": "Done at {{ energy }} kWh ({{ session_id }})",
                                },
                            }
                        ],
                    },
                },
            }
        },
    )
    await hass.async_block_till_done()
    assert hass.states.get("automation.notify_when_done").state == "on"


def notifications(service_calls: list[ServiceCall]) -> list[str]:
    return [call.data["message"] for call in service_calls if call.domain == "test"]


async def test_blueprint_loads_with_its_inputs(hass: HomeAssistant) -> None:
    assert await async_setup_component(hass, AUTOMATION_DOMAIN, {})
    blueprint = (await async_get_blueprints(hass).async_get_blueprints())[PATH]
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
    init_integration: MockConfigEntry,
) -> None:
    """A car full at 2 kWh, the session left running for an hour: one notification."""
    await use_blueprint(hass, account_device_id(hass, init_integration))
    simulator.set_operator(OperatorProfile.realistic(power_kw=7.4, car_full_kwh=2.0))
    session_id = simulator.start_session(DEMO_AUTH_ID, status="ACTIVE")
    for _ in range(60):
        await advance(hass, freezer, 30)
        assert notifications(service_calls) == []
    for _ in range(120):
        await advance(hass, freezer, 30)
    assert hass.states.get(STATUS).state == "idle"
    assert notifications(service_calls) == [f"Done at 2.0 kWh ({session_id})"]


async def test_a_session_that_ends_normally_does_not_notify(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    service_calls: list[ServiceCall],
    simulator: Simulator,
    init_integration: MockConfigEntry,
) -> None:
    """Charging until stopped: completed, never idle, nothing sent."""
    await use_blueprint(hass, account_device_id(hass, init_integration))
    for _ in range(40):
        await advance(hass, freezer, 30)
    await init_integration.runtime_data.coordinator.client.stop_session(
        simulator.latest_session(DEMO_AUTH_ID)["id"]
    )
    for _ in range(10):
        await advance(hass, freezer, 300)
    assert hass.states.get(STATUS).state == "completed"
    assert notifications(service_calls) == []
