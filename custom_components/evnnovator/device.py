"""The device that stands for one driver account."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Final

from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo

from .const import CONF_AUTH_ID, DOMAIN

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry
    from homeassistant.core import HomeAssistant


# The device is a service (the driver's account at the gateway), whose version is unknown: its
# software is this integration, the version to name in a bug report. Read once, at import.
INTEGRATION_VERSION: Final[str] = json.loads(
    (Path(__file__).parent / "manifest.json").read_text(encoding="utf-8")
)["version"]
# Where the account is configured: the integration's own page in Home Assistant (its options,
# reconfigure and re-authentication). The gateway has no page for drivers that is documented.
CONFIGURATION_URL: Final = f"homeassistant://config/integrations/integration/{DOMAIN}"


def account_device_info(entry: ConfigEntry) -> DeviceInfo:
    """How the account's device is described, by the entities and at set-up alike."""
    return DeviceInfo(
        identifiers={(DOMAIN, str(entry.unique_id))},
        entry_type=DeviceEntryType.SERVICE,
        manufacturer="EVnnovator",
        model="Driver account",
        name=f"EVnnovator {entry.data[CONF_AUTH_ID]}",
        sw_version=INTEGRATION_VERSION,
        configuration_url=CONFIGURATION_URL,
    )


def async_register_account_device(hass: HomeAssistant, entry: ConfigEntry) -> str:
    """Create (or find) the account's device before its entities exist; return its id.

    Events name the device, and the first session can be seen before any entity is set up.
    """
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id, **account_device_info(entry)
    )
    return device.id
