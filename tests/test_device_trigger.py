"""Device triggers: charging started and stopped, for the account's device only."""

import json
from pathlib import Path
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.automation import DOMAIN as AUTOMATION_DOMAIN
from homeassistant.components.device_automation import DeviceAutomationType
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
import probatio
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_get_device_automations,
)

from custom_components.evnnovator.const import (
    DOMAIN,
    EVENT_CHARGING_IDLE,
    EVENT_SESSION_COMPLETED,
    EVENT_SESSION_STARTED,
)
from custom_components.evnnovator.device_trigger import TRIGGER_EVENTS, TRIGGER_SCHEMA
from evnnovator_simulator import DEMO_AUTH_ID, Simulator

from .helpers import advance

STRINGS = Path(__file__).parent.parent / "custom_components" / "evnnovator" / "strings.json"
TRIGGERS = [
    ("charging_started", EVENT_SESSION_STARTED),
    ("charging_stopped", EVENT_SESSION_COMPLETED),
    ("charging_idle", EVENT_CHARGING_IDLE),
]

pytestmark = pytest.mark.freeze_time("2026-11-23T08:00:00+00:00")


def account_device_id(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, str(entry.unique_id)), entry.entry_id
    )
    assert device is not None
    return device.id


async def set_up_automation(hass: HomeAssistant, device_id: str, trigger_type: str) -> None:
    """An automation on the device trigger that hands the event's data to test.automation."""
    assert await async_setup_component(
        hass,
        AUTOMATION_DOMAIN,
        {
            AUTOMATION_DOMAIN: {
                "triggers": {
                    "trigger": "device",
                    "domain": DOMAIN,
                    "device_id": device_id,
                    "type": trigger_type,
                },
                "actions": {
                    "action": "test.automation",
                    "data": {
                        "session_id": "{{ trigger.event.data.session_id }}",
                        "energy": "{{ trigger.event.data.energy }}",
                    },
                },
            }
        },
    )


def event_data(device_id: str, session_id: str = "s-1") -> dict[str, Any]:
    """The data of a session event, as the contract describes it."""
    return {
        "device_id": device_id,
        "config_entry_id": "entry",
        "session_id": session_id,
        "energy": 10.2,
        "cost": 183.6,
        "currency": "INR",
        "duration": 3600.0,
        "status": "COMPLETED",
    }


async def test_both_triggers_are_listed(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The account's device offers both triggers (beside those of its entities' domains)."""
    device_id = account_device_id(hass, init_integration)
    triggers = await async_get_device_automations(hass, DeviceAutomationType.TRIGGER, device_id)
    assert sorted(
        (
            {key: value for key, value in trigger.items() if key != "metadata"}
            for trigger in triggers
            if trigger["domain"] == DOMAIN
        ),
        key=lambda trigger: trigger["type"],
    ) == [
        {"platform": "device", "domain": DOMAIN, "device_id": device_id, "type": trigger_type}
        for trigger_type, _ in sorted(TRIGGERS)
    ]


def test_every_trigger_type_has_a_name() -> None:
    """strings.json names exactly the trigger types there are."""
    names = json.loads(STRINGS.read_text(encoding="utf-8"))["device_automation"]["trigger_type"]
    assert set(names) == set(TRIGGER_EVENTS)
    assert all(names.values())


def test_unknown_trigger_type_is_refused() -> None:
    """A type that is not one of the two does not validate."""
    base = {"platform": "device", "domain": DOMAIN, "device_id": "abc"}
    assert TRIGGER_SCHEMA({**base, "type": "charging_started"})["type"] == "charging_started"
    with pytest.raises(probatio.Invalid):
        TRIGGER_SCHEMA({**base, "type": "charging_paused"})


@pytest.mark.parametrize(("trigger_type", "event_type"), TRIGGERS)
async def test_trigger_fires_on_its_event_for_its_device(
    hass: HomeAssistant,
    service_calls: list[ServiceCall],
    init_integration: MockConfigEntry,
    trigger_type: str,
    event_type: str,
) -> None:
    """Only the trigger's own event, with the account's device id, runs the automation."""
    device_id = account_device_id(hass, init_integration)
    await set_up_automation(hass, device_id, trigger_type)
    hass.bus.async_fire(event_type, event_data("another-device"))
    for other_event in (other for _, other in TRIGGERS if other != event_type):
        hass.bus.async_fire(other_event, event_data(device_id))
    await hass.async_block_till_done()
    assert [call for call in service_calls if call.domain == "test"] == []

    hass.bus.async_fire(event_type, event_data(device_id, session_id="s-42"))
    await hass.async_block_till_done()
    [call] = [call for call in service_calls if call.domain == "test"]
    assert call.data == {"session_id": "s-42", "energy": 10.2}


async def test_stopped_trigger_end_to_end(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    service_calls: list[ServiceCall],
    simulator: Simulator,
    init_integration: MockConfigEntry,
) -> None:
    """A session the operator ends runs the charging_stopped automation, with its figures."""
    await set_up_automation(hass, account_device_id(hass, init_integration), "charging_stopped")
    session_id = simulator.latest_session(DEMO_AUTH_ID)["id"]
    await init_integration.runtime_data.coordinator.client.stop_session(session_id)
    await advance(hass, freezer, 31)

    [call] = [call for call in service_calls if call.domain == "test"]
    assert call.data == {
        "session_id": session_id,
        "energy": simulator.latest_session(DEMO_AUTH_ID)["kwh"],
    }
