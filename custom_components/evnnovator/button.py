"""The buttons that start and stop charging.

Start is available whenever the API answers and Stop always (also while polls fail: a car
that was charging at the last good reading must be stoppable), whatever the session does: a
button that turned unavailable at each start and end of a session would say "unavailable" in
the Activity log twice a session, and unavailable means "cannot be reached" in Home Assistant.
A press that cannot act says why, as the start_charging and stop_charging actions do.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription

from .coordinator import EvnnovatorCoordinator
from .entity import EvnnovatorEntity, EvnnovatorEntityDescription, always

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .control import ChargingControl
    from .data import EvnnovatorConfigEntry

# One command at a time: a second press waits for the first answer.
PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class EvnnovatorButtonEntityDescription(ButtonEntityDescription, EvnnovatorEntityDescription):
    """What one button asks of the control room."""

    press_fn: Callable[[ChargingControl], Awaitable[Any]]


# Starts where the latest session was, with the Energy limit as the autostop; refused while
# a session runs.
START_CHARGING = EvnnovatorButtonEntityDescription(
    key="start_charging",
    translation_key="start_charging",
    press_fn=lambda control: control.async_start_idle(),
)
# Sends STOP for the latest session; refused when it does not run or is stopping. The state
# follows within seconds through quick refreshes.
STOP_CHARGING = EvnnovatorButtonEntityDescription(
    key="stop_charging",
    translation_key="stop_charging",
    press_fn=lambda control: control.async_stop_by_user(),
    available_fn=always,
)

BUTTONS = (START_CHARGING, STOP_CHARGING)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: EvnnovatorConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the start and stop buttons of the driver account."""
    coordinator = entry.runtime_data.coordinator
    async_add_entities(
        EvnnovatorButton(entry=entry, coordinator=coordinator, description=description)
        for description in BUTTONS
    )


class EvnnovatorButton(EvnnovatorEntity[EvnnovatorCoordinator], ButtonEntity):
    """A command of the account, sent by the control room."""

    entity_description: EvnnovatorButtonEntityDescription

    async def async_press(self) -> None:
        """Ask the control room as the description says."""
        await self.entity_description.press_fn(self._account.control)
