"""Base entity: every entity belongs to the driver account's device."""

from __future__ import annotations

from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .coordinator import EvnnovatorCoordinator
from .device import account_device_info


class EvnnovatorEntity(CoordinatorEntity[EvnnovatorCoordinator]):
    """An entity of one driver account."""

    _attr_has_entity_name = True

    def __init__(self, coordinator: EvnnovatorCoordinator, description: EntityDescription) -> None:
        """Name the entity by its description and attach it to the account's device."""
        super().__init__(coordinator)
        entry = coordinator.config_entry
        self.entity_description = description
        self._attr_unique_id = f"{entry.unique_id}_{description.key}"
        self._attr_device_info = account_device_info(entry)
