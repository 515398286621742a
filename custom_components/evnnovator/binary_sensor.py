"""Whether the driver's car is charging."""

from __future__ import annotations

from homeassistant.components.binary_sensor import BinarySensorEntity, BinarySensorEntityDescription
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .data import EvnnovatorConfigEntry
from .entity import EvnnovatorEntity

# Read-only polling: the coordinator does the requests, entities only read its data.
PARALLEL_UPDATES = 0

CHARGING = BinarySensorEntityDescription(
    key="charging",
    translation_key="charging",
    device_class=BinarySensorDeviceClass.BATTERY_CHARGING,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: EvnnovatorConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the charging sensor of the driver account."""
    async_add_entities([EvnnovatorChargingSensor(entry.runtime_data.coordinator, CHARGING)])


class EvnnovatorChargingSensor(EvnnovatorEntity, BinarySensorEntity):
    """On while the latest session is ACTIVE: the status says so, not the end time."""

    @property
    def is_on(self) -> bool:
        """Whether energy is flowing."""
        session = self.coordinator.data
        return session is not None and session.is_charging
