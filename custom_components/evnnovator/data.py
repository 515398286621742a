"""What a loaded config entry holds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntry

if TYPE_CHECKING:
    from .coordinator import EvnnovatorCoordinator
    from .limits import LimitController
    from .tracker import SessionTracker


@dataclass(kw_only=True)
class EvnnovatorRuntimeData:
    """The parts of one driver account at run time."""

    coordinator: EvnnovatorCoordinator
    tracker: SessionTracker
    limits: LimitController


type EvnnovatorConfigEntry = ConfigEntry[EvnnovatorRuntimeData]
