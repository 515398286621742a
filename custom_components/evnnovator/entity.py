"""The base of every entity: it belongs to the driver account's device and reads its view."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.update_coordinator import CoordinatorEntity, DataUpdateCoordinator

from .device import account_device_info

if TYPE_CHECKING:
    from .data import EvnnovatorConfigEntry
    from .view import AccountView


def always(_view: AccountView) -> bool:
    """Available whatever the API does: the integration itself holds the value."""
    return True


@dataclass(frozen=True, kw_only=True)
class EvnnovatorEntityDescription(EntityDescription):
    """What every entity's description adds: when it is available, from the view.

    None: while its coordinator's last update succeeded.
    """

    available_fn: Callable[[AccountView], bool] | None = None


class EvnnovatorEntity[CoordinatorT: DataUpdateCoordinator[Any]](CoordinatorEntity[CoordinatorT]):
    """An entity of one driver account, updated by `coordinator`, showing the account's view."""

    _attr_has_entity_name = True
    entity_description: EvnnovatorEntityDescription

    def __init__(
        self,
        *,
        entry: EvnnovatorConfigEntry,
        coordinator: CoordinatorT,
        description: EvnnovatorEntityDescription,
    ) -> None:
        """Name the entity by its description and attach it to the account's device."""
        super().__init__(coordinator)
        self.entity_description = description
        self._account = entry.runtime_data
        self._attr_unique_id = f"{entry.unique_id}_{description.key}"
        self._attr_device_info = account_device_info(entry)

    @property
    def view(self) -> AccountView:
        """The account as it is now."""
        return self._account.view

    @property
    def available(self) -> bool:
        """As the description says, else while the coordinator's last update succeeded."""
        available_fn = self.entity_description.available_fn
        if available_fn is None:
            return super().available
        return available_fn(self.view)
