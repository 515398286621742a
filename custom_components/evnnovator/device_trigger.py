"""Device triggers of the account's device: a charging session started, went idle, stopped.

They are event triggers on the session events, narrowed to the device, so that an automation
built in the UI needs neither the event names nor the device id in the event's data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from homeassistant.components.device_automation import DEVICE_TRIGGER_BASE_SCHEMA
from homeassistant.components.homeassistant.triggers import event as event_trigger
from homeassistant.const import (
    CONF_DEVICE_ID,
    CONF_DOMAIN,
    CONF_EVENT_DATA,
    CONF_PLATFORM,
    CONF_TYPE,
)
import probatio

from .const import DOMAIN, EVENT_CHARGING_IDLE, EVENT_SESSION_COMPLETED, EVENT_SESSION_STARTED

if TYPE_CHECKING:
    from homeassistant.core import CALLBACK_TYPE, HomeAssistant
    from homeassistant.helpers.trigger import TriggerActionType, TriggerInfo
    from homeassistant.helpers.typing import ConfigType

# Each trigger type and the event behind it; the names are in strings.json (device_automation).
TRIGGER_EVENTS: Final[dict[str, str]] = {
    "charging_started": EVENT_SESSION_STARTED,
    "charging_stopped": EVENT_SESSION_COMPLETED,
    # The car is done (or paused) while the session runs on: idle fees may start.
    "charging_idle": EVENT_CHARGING_IDLE,
}

TRIGGER_SCHEMA: Final = DEVICE_TRIGGER_BASE_SCHEMA.extend(
    {probatio.Required(CONF_TYPE): probatio.In(TRIGGER_EVENTS)}
)


async def async_get_triggers(hass: HomeAssistant, device_id: str) -> list[dict[str, Any]]:
    """Every trigger, for any device of the integration.

    Home Assistant asks only about devices of this integration's entries, and each entry has
    just the one device: its driver account.
    """
    return [
        {
            CONF_PLATFORM: "device",
            CONF_DOMAIN: DOMAIN,
            CONF_DEVICE_ID: device_id,
            CONF_TYPE: trigger_type,
        }
        for trigger_type in TRIGGER_EVENTS
    ]


async def async_attach_trigger(
    hass: HomeAssistant,
    config: ConfigType,
    action: TriggerActionType,
    trigger_info: TriggerInfo,
) -> CALLBACK_TYPE:
    """Listen for the trigger's event of this device only.

    The event trigger passes the event on, so an automation reads the session's energy, cost
    and so on from trigger.event.data.
    """
    event_config = event_trigger.TRIGGER_SCHEMA(
        {
            CONF_PLATFORM: "event",
            event_trigger.CONF_EVENT_TYPE: TRIGGER_EVENTS[config[CONF_TYPE]],
            CONF_EVENT_DATA: {CONF_DEVICE_ID: config[CONF_DEVICE_ID]},
        }
    )
    return await event_trigger.async_attach_trigger(
        hass, event_config, action, trigger_info, platform_type="device"
    )
