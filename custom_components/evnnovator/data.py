"""What a loaded config entry holds."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntry

if TYPE_CHECKING:
    from .account import Account

type EvnnovatorConfigEntry = ConfigEntry[Account]
