"""The button that stops the running charging session."""

from __future__ import annotations

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .data import EvnnovatorConfigEntry
from .entity import EvnnovatorEntity

# One command at a time: a second press waits for the first answer.
PARALLEL_UPDATES = 1

STOP_CHARGING = ButtonEntityDescription(key="stop_charging", translation_key="stop_charging")


async def async_setup_entry(
    hass: HomeAssistant,
    entry: EvnnovatorConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the stop button of the driver account."""
    async_add_entities([EvnnovatorStopButton(entry.runtime_data.coordinator, STOP_CHARGING)])


class EvnnovatorStopButton(EvnnovatorEntity, ButtonEntity):
    """Sends STOP for the latest session; usable only while it is pending or charging."""

    @property
    def available(self) -> bool:
        """Only a running session can be stopped."""
        session = self.coordinator.data
        return super().available and session is not None and session.is_running

    async def async_press(self) -> None:
        """Stop the session; the state follows within seconds through quick refreshes."""
        await self.coordinator.async_stop_charging()
