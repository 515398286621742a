"""How the logbook (Activity) shows the session events.

Home Assistant loads this platform only once the logbook is set up, so the integration does
not depend on it. The events carry the device's id, so they also show on the device's page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from homeassistant.components.logbook.const import (
    LOGBOOK_ENTRY_ICON,
    LOGBOOK_ENTRY_MESSAGE,
    LOGBOOK_ENTRY_NAME,
)
from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import callback
from homeassistant.helpers import device_registry as dr

from .const import DOMAIN, EVENT_SESSION_BILLED, EVENT_SESSION_COMPLETED, EVENT_SESSION_STARTED

if TYPE_CHECKING:
    from homeassistant.components.logbook.models import LazyEventPartialState
    from homeassistant.core import HomeAssistant

type Describe = Callable[[LazyEventPartialState], dict[str, str]]

STARTED_ICON = "mdi:battery-charging"
COMPLETED_ICON = "mdi:check-circle-outline"
BILLED_ICON = "mdi:receipt-text"
# The name when the device is gone (the entry was removed after the event was recorded).
FALLBACK_NAME = "EVnnovator"


@callback
def async_describe_events(
    hass: HomeAssistant, async_describe_event: Callable[[str, str, Describe], None]
) -> None:
    """Describe the session events, named after the account's device."""

    def describing(message: Callable[[Mapping[str, Any]], str], icon: str) -> Describe:
        @callback
        def describe(event: LazyEventPartialState) -> dict[str, str]:
            return {
                LOGBOOK_ENTRY_NAME: _device_name(hass, event.data.get(ATTR_DEVICE_ID, "")),
                LOGBOOK_ENTRY_MESSAGE: message(event.data),
                # Without one, an event's entry has no icon at all (it has no entity to take
                # one from): those of the Session status sensor's charging and completed states.
                LOGBOOK_ENTRY_ICON: icon,
            }

        return describe

    async_describe_event(DOMAIN, EVENT_SESSION_STARTED, describing(started_message, STARTED_ICON))
    async_describe_event(
        DOMAIN, EVENT_SESSION_COMPLETED, describing(completed_message, COMPLETED_ICON)
    )
    async_describe_event(DOMAIN, EVENT_SESSION_BILLED, describing(billed_message, BILLED_ICON))


def started_message(data: Mapping[str, Any]) -> str:
    """The start says nothing more: its figures are those of the session's first minutes."""
    return "started charging"


def completed_message(data: Mapping[str, Any]) -> str:
    """E.g. "stopped charging after 10.2 kWh (183.60 INR), 0.2 kWh over the 10 kWh limit".

    Says what stopped it when a STOP from Home Assistant did: the cost limit, the energy limit
    or a person. A figure the API did not report (None) is left out.
    """
    message = "stopped charging"
    if (energy := data.get("energy")) is not None:
        message += f" after {_kwh(energy)} kWh"
    currency = data.get("currency")
    if (cost := data.get("cost")) is not None:
        message += f" ({_amount(cost, currency)})"
    stopped_by = data.get("stopped_by")
    if stopped_by == "cost" and (cost_limit := data.get("cost_limit")) is not None:
        message += f", stopped at the {_amount(cost_limit, currency)} cost limit"
    elif stopped_by == "user":
        message += ", stopped from Home Assistant"
    elif (limit := data.get("energy_limit")) is not None:
        message += f", {_against_limit(data.get('overshoot'), limit)}"
    return message


def billed_message(data: Mapping[str, Any]) -> str:
    """E.g. "was billed 3.40 INR with 0.52 INR tax for 0.16 kWh"; unknown figures left out."""
    currency = data.get("currency")
    cost = data.get("cost")
    message = "was billed" if cost is None else f"was billed {_amount(cost, currency)}"
    if (tax := data.get("tax")) is not None:
        message += f" with {_amount(tax, currency)} tax"
    if (energy := data.get("energy")) is not None:
        message += f" for {_kwh(energy)} kWh"
    return message


def _amount(value: float, currency: str | None) -> str:
    return f"{value:.2f} {currency}" if currency else f"{value:.2f}"


def _against_limit(overshoot: float | None, limit: float) -> str:
    """Where the session stopped relative to its energy limit."""
    limit_text = f"{_kwh(limit)} kWh limit"
    if overshoot is None:
        return f"with a {limit_text}"
    # Compared as shown, so that 0.0001 kWh over reads "at the limit", not "0 kWh over".
    shown = round(overshoot, 3)
    if shown > 0:
        return f"{_kwh(shown)} kWh over the {limit_text}"
    if shown < 0:
        return f"{_kwh(-shown)} kWh under the {limit_text}"
    return f"at the {limit_text}"


def _kwh(value: float) -> str:
    """Energy to the Wh, without trailing zeros: 10.2, 2.467, 10."""
    return f"{value:.3f}".rstrip("0").rstrip(".")


def _device_name(hass: HomeAssistant, device_id: str) -> str:
    """The device's name as the user sees it: the one they gave it, if any."""
    if (device := dr.async_get(hass).async_get(device_id)) is None:
        return FALLBACK_NAME
    return device.name_by_user or device.name or FALLBACK_NAME
