"""What the user does in the benchmarks, in Home Assistant and around it.

Sets a helper or a limit, starts a session outside Home Assistant, and writes the automation
that presses Stop once a value reaches X.
"""

from __future__ import annotations

from typing import Any

from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component

from evnnovator_simulator import DEMO_AUTH_ID, Simulator

STOP_BUTTON = "button.evnnovator_demo_driver_1_stop_charging"
CHARGING = "binary_sensor.evnnovator_demo_driver_1_charging"
STOP_AT = "input_number.stop_at"


async def set_value(hass: HomeAssistant, domain: str, entity_id: str, value: float) -> None:
    """Set a number or an input_number, as the user does in the UI."""
    await hass.services.async_call(
        domain, "set_value", {ATTR_ENTITY_ID: entity_id, "value": value}, blocking=True
    )


def start_outside(simulator: Simulator) -> str:
    """Start the demo driver's session outside Home Assistant (an app, a card); its hex id."""
    return simulator.start_session(DEMO_AUTH_ID)


async def add_stop_automation(hass: HomeAssistant, alias: str, entity_id: str) -> None:
    """What a user writes without the limits: press Stop once `entity_id` shows STOP_AT or more.

    A template trigger (it fires when the comparison turns true), while charging.
    """
    await async_setup_component(
        hass, "input_number", {"input_number": {"stop_at": {"min": 0, "max": 200}}}
    )
    template = f"{{{{ states('{entity_id}') | float(0) >= states('{STOP_AT}') | float(0) }}}}"
    automation: dict[str, Any] = {
        "alias": alias,
        "triggers": [{"trigger": "template", "value_template": template}],
        "conditions": [{"condition": "state", "entity_id": CHARGING, "state": "on"}],
        "actions": [{"action": "button.press", "target": {"entity_id": STOP_BUTTON}}],
    }
    await async_setup_component(hass, "automation", {"automation": [automation]})
