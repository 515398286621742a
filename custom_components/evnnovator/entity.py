"""Base entity: every entity belongs to the driver account's device."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.update_coordinator import CoordinatorEntity, DataUpdateCoordinator

from .coordinator import EvnnovatorCoordinator
from .data import EvnnovatorConfigEntry
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


class EvnnovatorKeptValueEntity(EvnnovatorEntity):
    """An entity whose value the integration keeps itself (a limit, a total), not the API's.

    It stays available while the API is away: what it shows does not depend on the API.
    """

    def __init__(self, entry: EvnnovatorConfigEntry, description: EntityDescription) -> None:
        """Attach the entity to the account's device and its run-time parts."""
        super().__init__(entry.runtime_data.coordinator, description)
        self._runtime = entry.runtime_data

    @property
    def available(self) -> bool:
        """Always: the integration holds the value."""
        return True


class EvnnovatorSideEntity[CoordinatorT: DataUpdateCoordinator[Any]](
    CoordinatorEntity[CoordinatorT]
):
    """An entity of the account fed by one of its smaller coordinators (charger, price)."""

    _attr_has_entity_name = True

    def __init__(
        self, entry: ConfigEntry, coordinator: CoordinatorT, description: EntityDescription
    ) -> None:
        """Name the entity by its description and attach it to the account's device."""
        super().__init__(coordinator)
        self.entity_description = description
        self._attr_unique_id = f"{entry.unique_id}_{description.key}"
        self._attr_device_info = account_device_info(entry)
