"""Actions: start and stop charging, find chargers, and the latest session as response data.

The handlers only read their fields: what a command does is the control room's (control.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from homeassistant.const import ATTR_CONFIG_ENTRY_ID
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import config_validation as cv, selector, service
import probatio

from .const import CONF_TOKEN_UID, DOMAIN, MAX_ENERGY_LIMIT_KWH
from .control import StartRequest
from .errors import translated_errors
from .finder import ChargerSearch, search_answer

if TYPE_CHECKING:
    from .data import EvnnovatorConfigEntry

SERVICE_START_CHARGING: Final = "start_charging"
SERVICE_STOP_CHARGING: Final = "stop_charging"
SERVICE_GET_LATEST_SESSION: Final = "get_latest_session"
SERVICE_FIND_CHARGERS: Final = "find_chargers"

ATTR_LOCATION_ID: Final = "location_id"
ATTR_EVSE_UID: Final = "evse_uid"
ATTR_TOKEN_UID: Final = CONF_TOKEN_UID
ATTR_ENERGY_LIMIT: Final = "energy_limit"
ATTR_LATITUDE: Final = "latitude"
ATTR_LONGITUDE: Final = "longitude"
ATTR_DISTANCE: Final = "distance"
ATTR_POWER_TYPE: Final = "power_type"
ATTR_ONLY_AVAILABLE: Final = "only_available"
# OCPI's power types, in lower case as the UI's options must be.
POWER_TYPES: Final = ("ac_1_phase", "ac_3_phase", "dc")
DEFAULT_SEARCH_KM: Final = 5.0

# Text that may be left empty: an empty value (e.g. a template that renders nothing) means
# "not given", so that the default applies.
_OPTIONAL_TEXT: Final = probatio.All(cv.string, str.strip)

# The account an action is for, always named by its config entry (Home Assistant's rule for
# actions that act on an account: required, no default, no device standing in for it).
ACCOUNT_SCHEMA: Final = probatio.Schema(
    {
        probatio.Required(ATTR_CONFIG_ENTRY_ID): selector.ConfigEntrySelector(
            {"integration": DOMAIN}
        ),
    }
)
START_CHARGING_SCHEMA: Final = ACCOUNT_SCHEMA.extend(
    {
        probatio.Optional(ATTR_LOCATION_ID): _OPTIONAL_TEXT,
        probatio.Optional(ATTR_EVSE_UID): _OPTIONAL_TEXT,
        probatio.Optional(ATTR_TOKEN_UID): _OPTIONAL_TEXT,
        probatio.Optional(ATTR_ENERGY_LIMIT): probatio.All(
            probatio.Coerce(float),
            # The upper bound also refuses infinity; NaN fails both comparisons.
            probatio.Range(min=0, min_included=False, max=MAX_ENERGY_LIMIT_KWH),
        ),
    }
)

FIND_CHARGERS_SCHEMA: Final = ACCOUNT_SCHEMA.extend(
    {
        probatio.Inclusive(ATTR_LATITUDE, "coordinates"): cv.latitude,
        probatio.Inclusive(ATTR_LONGITUDE, "coordinates"): cv.longitude,
        probatio.Optional(ATTR_DISTANCE, default=DEFAULT_SEARCH_KM): probatio.All(
            probatio.Coerce(float), probatio.Range(min=0.1, max=100)
        ),
        probatio.Optional(ATTR_POWER_TYPE): probatio.All(
            cv.string, str.lower, probatio.In(POWER_TYPES)
        ),
        probatio.Optional(ATTR_ONLY_AVAILABLE, default=False): cv.boolean,
    }
)


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the actions once for the integration, whether or not an account is loaded."""
    hass.services.async_register(
        DOMAIN,
        SERVICE_START_CHARGING,
        _async_start_charging,
        schema=START_CHARGING_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_STOP_CHARGING,
        _async_stop_charging,
        schema=ACCOUNT_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_FIND_CHARGERS,
        _async_find_chargers,
        schema=FIND_CHARGERS_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_GET_LATEST_SESSION,
        _get_latest_session,
        schema=ACCOUNT_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )


@callback
def _account(call: ServiceCall) -> EvnnovatorConfigEntry:
    """The loaded entry the call names.

    Home Assistant's helper raises its own translated ServiceValidationErrors for an unknown
    id, an entry of another integration and an entry that is not loaded.
    """
    entry: EvnnovatorConfigEntry = service.async_get_config_entry(
        call.hass, DOMAIN, call.data[ATTR_CONFIG_ENTRY_ID]
    )
    return entry


async def _async_start_charging(call: ServiceCall) -> ServiceResponse:
    """The start_charging action: what was given, defaults for the rest (see control.py)."""
    return await _account(call).runtime_data.control.async_start(
        StartRequest(
            location_id=call.data.get(ATTR_LOCATION_ID),
            evse_uid=call.data.get(ATTR_EVSE_UID),
            token_uid=call.data.get(ATTR_TOKEN_UID),
            energy_limit=call.data.get(ATTR_ENERGY_LIMIT),
        )
    )


async def _async_stop_charging(call: ServiceCall) -> ServiceResponse:
    """Stop the running session; answer with what it had delivered when STOP was accepted."""
    session = await _account(call).runtime_data.control.async_stop_by_user()
    return {
        "session_id": session.id,
        "energy": session.kwh,
        "cost": session.total_cost,
        "currency": session.currency,
    }


async def _async_find_chargers(call: ServiceCall) -> ServiceResponse:
    """Locations near a point (default: home) with their chargers, nearest first."""
    entry = _account(call)
    search = ChargerSearch(
        latitude=call.data.get(ATTR_LATITUDE, call.hass.config.latitude),
        longitude=call.data.get(ATTR_LONGITUDE, call.hass.config.longitude),
        distance_km=call.data[ATTR_DISTANCE],
        power_type=call.data.get(ATTR_POWER_TYPE),
        only_available=call.data[ATTR_ONLY_AVAILABLE],
    )
    async with translated_errors(call.hass, entry):
        locations = await entry.runtime_data.coordinator.client.search_locations(
            latitude=search.latitude,
            longitude=search.longitude,
            distance_km=search.distance_km,
            # OCPI's own casing, as the API takes it.
            power_type=None if search.power_type is None else search.power_type.upper(),
            status="AVAILABLE" if search.only_available else None,
        )
    return search_answer(search, locations, entry.runtime_data.price.data)


@callback
def _get_latest_session(call: ServiceCall) -> ServiceResponse:
    """The latest session as of the last poll: no extra request, so no extra rate limit risk.

    When the last poll failed, the data may be stale: fail as the entities turn unavailable.
    """
    coordinator = _account(call).runtime_data.coordinator
    if not coordinator.last_update_success:
        raise HomeAssistantError(translation_domain=DOMAIN, translation_key="session_unavailable")
    session = coordinator.session
    return {"session": None if session is None else session.as_dict()}
