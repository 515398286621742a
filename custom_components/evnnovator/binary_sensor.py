"""Whether the driver's car is charging, and whether a limit's STOP kept failing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from homeassistant.components.binary_sensor import (
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.const import EntityCategory

from .coordinator import EvnnovatorCoordinator
from .entity import EvnnovatorEntity, EvnnovatorEntityDescription, always

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .data import EvnnovatorConfigEntry
    from .view import AccountView

# Read-only polling: the coordinator does the requests, entities only read its data.
PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class EvnnovatorBinarySensorEntityDescription(
    BinarySensorEntityDescription, EvnnovatorEntityDescription
):
    """How one binary sensor reads the account's view."""

    is_on_fn: Callable[[AccountView], bool]


CHARGING = EvnnovatorBinarySensorEntityDescription(
    key="charging",
    translation_key="charging",
    device_class=BinarySensorDeviceClass.BATTERY_CHARGING,
    # On while the latest session is ACTIVE and energy flows: the status says so, not the end
    # time; a full or paused car (idle) is not charging, though the session runs on.
    is_on_fn=lambda view: (
        view.session is not None and view.session.is_charging and view.idle_since is None
    ),
)

# On when a limit's STOP kept failing: the car may still be charging past the limit. Beside
# the repair issue, on the device, for automations ("tell me if the limit failed"); the
# integration itself knows, so it is always available.
LIMIT_STOP_FAILED = EvnnovatorBinarySensorEntityDescription(
    key="limit_stop_failed",
    translation_key="limit_stop_failed",
    device_class=BinarySensorDeviceClass.PROBLEM,
    entity_category=EntityCategory.DIAGNOSTIC,
    is_on_fn=lambda view: view.limit_failed,
    available_fn=always,
)

BINARY_SENSORS = (CHARGING, LIMIT_STOP_FAILED)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: EvnnovatorConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the charging sensor and the limit's problem sensor of the driver account."""
    coordinator = entry.runtime_data.coordinator
    async_add_entities(
        EvnnovatorBinarySensor(entry=entry, coordinator=coordinator, description=description)
        for description in BINARY_SENSORS
    )


class EvnnovatorBinarySensor(EvnnovatorEntity[EvnnovatorCoordinator], BinarySensorEntity):
    """A yes or no of the account's view."""

    entity_description: EvnnovatorBinarySensorEntityDescription

    @property
    def is_on(self) -> bool:
        """As the description reads it."""
        return self.entity_description.is_on_fn(self.view)
