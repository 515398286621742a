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
    async_add_entities([EvnnovatorStopButton(entry, STOP_CHARGING)])


class EvnnovatorStopButton(EvnnovatorEntity, ButtonEntity):
    """Sends STOP for the latest session; usable while it runs and no STOP is on its way."""

    def __init__(self, entry: EvnnovatorConfigEntry, description: ButtonEntityDescription) -> None:
        """Stop through the account's one way of sending STOP."""
        super().__init__(entry.runtime_data.coordinator, description)
        self._stops = entry.runtime_data.stops

    @property
    def available(self) -> bool:
        """A session that ran at the last good reading can be stopped, even while polls fail."""
        return self._stops.can_stop()

    async def async_press(self) -> None:
        """Stop the session; the state follows within seconds through quick refreshes."""
        await self._stops.async_stop_by_user()
