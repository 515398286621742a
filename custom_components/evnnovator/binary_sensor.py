"""Whether the driver's car is charging."""

from __future__ import annotations

from homeassistant.components.binary_sensor import BinarySensorEntity, BinarySensorEntityDescription
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.const import EntityCategory
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

LIMIT_STOP_FAILED = BinarySensorEntityDescription(
    key="limit_stop_failed",
    translation_key="limit_stop_failed",
    device_class=BinarySensorDeviceClass.PROBLEM,
    entity_category=EntityCategory.DIAGNOSTIC,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: EvnnovatorConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the charging sensor and the limit's problem sensor of the driver account."""
    coordinator = entry.runtime_data.coordinator
    async_add_entities(
        [
            EvnnovatorChargingSensor(coordinator, CHARGING),
            EvnnovatorLimitStopFailedSensor(entry, LIMIT_STOP_FAILED),
        ]
    )


class EvnnovatorChargingSensor(EvnnovatorEntity, BinarySensorEntity):
    """On while the latest session is ACTIVE: the status says so, not the end time."""

    @property
    def is_on(self) -> bool:
        """Whether energy is flowing."""
        session = self.coordinator.data
        return session is not None and session.is_charging


class EvnnovatorLimitStopFailedSensor(EvnnovatorEntity, BinarySensorEntity):
    """On when a limit's STOP kept failing: the car may still be charging past the limit.

    Beside the repair issue, on the device, for automations ("tell me if the limit failed").
    """

    def __init__(
        self, entry: EvnnovatorConfigEntry, description: BinarySensorEntityDescription
    ) -> None:
        """Read the account's limit controller."""
        super().__init__(entry.runtime_data.coordinator, description)
        self._limits = entry.runtime_data.limits

    @property
    def available(self) -> bool:
        """Always: the integration itself knows whether its STOP failed."""
        return True

    @property
    def is_on(self) -> bool:
        """Whether the running session's limit STOP was given up on."""
        return self._limits.failed
