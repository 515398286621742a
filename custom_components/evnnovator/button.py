"""The buttons that start and stop charging.

Start is available whenever the API answers and Stop always (also while polls fail: a car
that was charging at the last good reading must be stoppable), whatever the session does: a
button that turned unavailable at each start and end of a session would say "unavailable" in
the Activity log twice a session, and unavailable means "cannot be reached" in Home Assistant.
A press that cannot act says why, as the start_charging and stop_charging actions do.
"""

from __future__ import annotations

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import DOMAIN
from .data import EvnnovatorConfigEntry
from .entity import EvnnovatorEntity
from .services import async_start_charging

# One command at a time: a second press waits for the first answer.
PARALLEL_UPDATES = 1

START_CHARGING = ButtonEntityDescription(key="start_charging", translation_key="start_charging")
STOP_CHARGING = ButtonEntityDescription(key="stop_charging", translation_key="stop_charging")


async def async_setup_entry(
    hass: HomeAssistant,
    entry: EvnnovatorConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the start and stop buttons of the driver account."""
    coordinator = entry.runtime_data.coordinator
    async_add_entities(
        [
            EvnnovatorStartButton(coordinator, START_CHARGING),
            EvnnovatorStopButton(entry, STOP_CHARGING),
        ]
    )


class EvnnovatorStartButton(EvnnovatorEntity, ButtonEntity):
    """Starts charging where the latest session was, with the Energy limit as the autostop."""

    async def async_press(self) -> None:
        """Start as the start_charging action does without fields; refused while one runs."""
        session = self.coordinator.data
        if session is not None and session.is_running:
            raise ServiceValidationError(
                translation_domain=DOMAIN, translation_key="already_charging"
            )
        await async_start_charging(self.coordinator.config_entry)


class EvnnovatorStopButton(EvnnovatorEntity, ButtonEntity):
    """Sends STOP for the latest session; refused when it does not run or is stopping."""

    def __init__(self, entry: EvnnovatorConfigEntry, description: ButtonEntityDescription) -> None:
        """Stop through the account's one way of sending STOP."""
        super().__init__(entry.runtime_data.coordinator, description)
        self._stops = entry.runtime_data.stops

    @property
    def available(self) -> bool:
        """Always, also while polls fail: the car may be charging still, and must be stoppable."""
        return True

    async def async_press(self) -> None:
        """Stop the session; the state follows within seconds through quick refreshes."""
        await self._stops.async_stop_by_user()
