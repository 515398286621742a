"""Actions: start and stop charging, and the latest session as response data."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final, cast

from homeassistant.const import ATTR_CONFIG_ENTRY_ID
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import config_validation as cv, selector, service
import probatio

from .const import CONF_TOKEN_UID, DOMAIN, MAX_ENERGY_LIMIT_KWH
from .errors import translated_errors
from .finder import chargers_answer

if TYPE_CHECKING:
    from datetime import datetime

    from homeassistant.util.json import JsonValueType

    from .api import Session
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


def _required(value: str | None, field: str, translation_key: str) -> str:
    """`value`, or a translated error that says that `field` has neither a value nor a default."""
    if not value:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key=translation_key,
            translation_placeholders={"field": field},
        )
    return value


def _charge_point(
    latest: Session | None, location_id: str | None, evse_uid: str | None
) -> tuple[str, str]:
    """The location and EVSE to start at: as given, else the last used ones.

    The last used EVSE is taken only at its own location: it never fits another one, and
    the operator would reject the pair without saying why.
    """
    last_location = latest.location.id if latest is not None and latest.location else None
    last_evse = latest.evse.uid if latest is not None and latest.evse else None
    location_id = _required(location_id or last_location, ATTR_LOCATION_ID, "no_charge_point")
    evse_uid = _required(
        evse_uid or (last_evse if location_id == last_location else None),
        ATTR_EVSE_UID,
        "no_charge_point",
    )
    return location_id, evse_uid


async def _async_start_charging(call: ServiceCall) -> ServiceResponse:
    """The start_charging action: what was given, defaults for the rest."""
    return await async_start_charging(
        _account(call),
        location_id=call.data.get(ATTR_LOCATION_ID),
        evse_uid=call.data.get(ATTR_EVSE_UID),
        token_uid=call.data.get(ATTR_TOKEN_UID),
        energy_limit=call.data.get(ATTR_ENERGY_LIMIT),
    )


async def async_start_charging(
    entry: EvnnovatorConfigEntry,
    *,
    location_id: str | None = None,
    evse_uid: str | None = None,
    token_uid: str | None = None,
    energy_limit: float | None = None,
) -> dict[str, Any]:
    """Ask the operator to start a session, stopping by itself at the energy limit if any.

    What is not given comes from the latest session (the charger), the options or else the
    gateway (the token uid) and the Energy limit entity: the action and the Start charging
    button both start here.
    """
    coordinator = entry.runtime_data.coordinator
    location_id, evse_uid = _charge_point(coordinator.data, location_id, evse_uid)
    _refuse_if_not_remote_startable(entry, evse_uid)
    # Without one given, the Energy limit entity's: the operator's stop backs up the limit's.
    energy_limit = energy_limit or entry.runtime_data.limits.energy_limit or None
    async with translated_errors(coordinator.hass, entry):
        token_uid = token_uid or await _async_token_uid(entry, location_id)
        await coordinator.client.start_session(
            location_id=location_id,
            evse_uid=evse_uid,
            token_uid=token_uid,
            autostop_kwh=energy_limit,
        )
    if energy_limit is not None:
        entry.runtime_data.limits.expect_autostop(energy_limit)
    # Look at once: the new session shows, and its status sets the pace of polling, without
    # waiting for the idle interval.
    await coordinator.async_request_refresh()
    # What was actually sent, defaults filled in. The token uid names the charging token the
    # session is billed to; it is no API credential (it can neither read nor control the
    # account), and the caller typed it or can read it in the options anyway.
    return {
        "accepted": True,
        ATTR_LOCATION_ID: location_id,
        ATTR_EVSE_UID: evse_uid,
        ATTR_TOKEN_UID: token_uid,
        ATTR_ENERGY_LIMIT: energy_limit,
    }


def _refuse_if_not_remote_startable(entry: EvnnovatorConfigEntry, evse_uid: str) -> None:
    """Refuse up front an EVSE the API lists capabilities for, without remote start."""
    evse = entry.runtime_data.charger.data
    if (
        evse is not None
        and evse.uid is not None
        and evse.uid.casefold() == evse_uid.casefold()
        and evse.remote_start_refused
    ):
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="not_remote_startable",
            translation_placeholders={"charger": evse.evse_id or evse_uid},
        )


async def _async_token_uid(entry: EvnnovatorConfigEntry, location_id: str) -> str:
    """The option's token uid; else the driver's at that location, from the gateway once."""
    if option := entry.options.get(CONF_TOKEN_UID):
        return str(option)
    tracker = entry.runtime_data.tracker
    if (known := tracker.token_uids.get(location_id)) is not None:
        return known
    client = entry.runtime_data.coordinator.client
    uid = await client.get_token_uid(entry.runtime_data.coordinator.auth_id, location_id)
    tracker.remember_token_uid(location_id, uid)
    return uid


async def _async_stop_charging(call: ServiceCall) -> ServiceResponse:
    """Stop the running session; answer with what it had delivered when STOP was accepted."""
    session = await _account(call).runtime_data.stops.async_stop_by_user()
    return {
        "session_id": session.id,
        "energy": session.kwh,
        "cost": session.total_cost,
        "currency": session.currency,
    }


async def _async_find_chargers(call: ServiceCall) -> ServiceResponse:
    """Locations near a point (default: home) with their chargers, nearest first."""
    entry = _account(call)
    latitude = call.data.get(ATTR_LATITUDE, call.hass.config.latitude)
    longitude = call.data.get(ATTR_LONGITUDE, call.hass.config.longitude)
    only_available = call.data[ATTR_ONLY_AVAILABLE]
    async with translated_errors(call.hass, entry):
        locations = await entry.runtime_data.coordinator.client.search_locations(
            latitude=latitude,
            longitude=longitude,
            distance_km=call.data[ATTR_DISTANCE],
            power_type=(call.data.get(ATTR_POWER_TYPE) or "").upper() or None,
            status="AVAILABLE" if only_available else None,
        )
    answer = chargers_answer(
        locations,
        latitude,
        longitude,
        only_available=only_available,
        tariff=entry.runtime_data.price.data,
    )
    return {"locations": cast("list[JsonValueType]", answer)}


@callback
def _get_latest_session(call: ServiceCall) -> ServiceResponse:
    """The latest session as of the last poll: no extra request, so no extra rate limit risk.

    When the last poll failed, the data may be stale: fail as the entities turn unavailable.
    """
    coordinator = _account(call).runtime_data.coordinator
    if not coordinator.last_update_success:
        raise HomeAssistantError(translation_domain=DOMAIN, translation_key="session_unavailable")
    session = coordinator.data
    return {"session": None if session is None else session_as_dict(session)}


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def session_as_dict(session: Session) -> dict[str, Any]:
    """The session as plain JSON data: times as ISO 8601 strings, None where the API had none.

    `end` is None while the session runs, whatever the API's end time says (it sends one early).
    `location.id` and `evse.uid` are the ids that start_charging takes.
    """
    location = session.location
    evse = session.evse
    coordinates = None if location is None else location.coordinates
    return {
        "id": session.id,
        "session_id": session.session_id,
        "status": session.status,
        "running": session.is_running,
        "kwh": session.kwh,
        "total_cost": session.total_cost,
        "currency": session.currency,
        "start": _iso(session.start),
        "end": _iso(session.ended),
        "last_modified": _iso(session.last_modified),
        "connector_id": session.connector_id,
        "location": None
        if location is None
        else {
            "id": location.id,
            "location_id": location.location_id,
            "name": location.name,
            "address": location.address,
            "city": location.city,
            "postal_code": location.postal_code,
            "country": location.country,
            "time_zone": location.time_zone_name,
            "latitude": None if coordinates is None else coordinates.latitude,
            "longitude": None if coordinates is None else coordinates.longitude,
        },
        "evse": None
        if evse is None
        else {"uid": evse.uid, "evse_id": evse.evse_id, "status": evse.status},
        "charging_periods": [{"start": _iso(period.start)} for period in session.charging_periods],
    }
