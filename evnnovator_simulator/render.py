"""The JSON the API answers: envelopes, session data, command results, error bodies."""

from datetime import UTC, datetime
import hashlib
import json
from typing import Any

from aiohttp import web

from . import dialect
from .battery import state_of_charge, whole_percent
from .sessions import SessionView
from .settings import SimulatorSettings
from .site import (
    COUNTRY_CODE,
    CPO_ID,
    LOCAL_TIME_ZONE,
    LOCATION_UUID,
    PARTY_ID,
    SECOND_TARIFF_ID,
    TARIFF_ID,
    evse_tariff_id,
    location_object,
)

SUCCESS = 1000
CLIENT_ERROR = 2000
INVALID_PARAMETERS = 2001
SERVER_ERROR = 3000
NULL_TIMESTAMP = "0001-01-01T00:00:00.000+00:00"
"""The API's way of saying "no time" (the sample's `last_updated`)."""


def utc_timestamp(when: datetime) -> str:
    """Format as the API does: UTC, milliseconds, `+00:00` offset."""
    return when.astimezone(UTC).isoformat(timespec="milliseconds")


def local_timestamp(when: datetime) -> str:
    """Format in the location's local time with no zone suffix, as `charging_periods` does."""
    return when.astimezone(LOCAL_TIME_ZONE).replace(tzinfo=None).isoformat(timespec="milliseconds")


def envelope(data: Any, now: datetime, *, code: int = SUCCESS, message: str = "Success") -> Any:
    """Wrap `data` in the OCPI-style envelope."""
    return {
        "status_code": code,
        "status_message": message,
        "timestamp": utc_timestamp(now),
        "data": data,
    }


def json_response(
    body: Any, *, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    """Serialize `body` as an application/json response."""
    return web.json_response(body, status=status, headers=headers, dumps=json.dumps)


def error_response(
    status: int,
    message: str,
    now: datetime,
    *,
    code: int = CLIENT_ERROR,
    headers: dict[str, str] | None = None,
) -> web.Response:
    """Return a small error envelope; `message` must never contain a credential."""
    body = envelope(None, now, code=code, message=message)
    return json_response(body, status=status, headers=headers)


def web_server_404() -> web.Response:
    """What a web server in front of the API answers for a path it does not serve: no JSON."""
    html = (
        "<html><head><title>404 Not Found</title></head>"
        "<body><center><h1>404 Not Found</h1></center><hr><center>nginx</center></body></html>"
    )
    return web.Response(status=404, text=html, content_type="text/html")


def command_response(accepted: bool, now: datetime, settings: SimulatorSettings) -> web.Response:
    """Answer a command, plainly as the documentation shows or, if configured, enveloped."""
    result = {"result": "ACCEPTED" if accepted else "REJECTED"}
    return json_response(envelope(result, now) if settings.command_envelope else result)


def session_data(view: SessionView, settings: SimulatorSettings) -> dict[str, Any]:
    """Return a session's `data`, with the shape and quirks of the published sample."""
    session = view.session
    kwh = round(view.kwh, session.profile.kwh_decimals)
    periods = []
    if view.charging_since is not None:
        periods.append(
            {"start_date_time": local_timestamp(view.charging_since)} | _dimensions(view)
        )
    data = {
        "evseId": session.evse_uid.lower(),
        "connectorId": "1",
        "id": session.id,
        "created_date": utc_timestamp(session.requested_at),
        "last_modified_date": utc_timestamp(view.last_modified),
        "party_id": PARTY_ID,
        "country_code": COUNTRY_CODE,
        "location_id": LOCATION_UUID,
        "session_id": session.session_id,
        "cpoId": CPO_ID,
        # OCPI: the moment the session became ACTIVE, or its creation while still PENDING.
        "start_datetime": utc_timestamp(view.charging_since or session.requested_at),
        "end_datetime": None if view.end is None else utc_timestamp(view.end),
        "kwh": kwh,
        "auth_id": session.auth_id,
        "auth_method": "COMMAND",
        "location": location_object(),
        "currency": settings.currency,
        "charging_periods": periods,
        "total_cost": round(kwh * session_price(view, settings), 2),
        "status": view.status,
        "last_updated": NULL_TIMESTAMP,
    }
    if settings.dialect == dialect.OCPI_2_2_1:
        return dialect.session(data, settings.tax_rate, _period_starts(view.charging_since))
    return data


def _dimensions(view: SessionView) -> dict[str, Any]:
    """The period's dimensions: the state of charge if the charger reports it, else none.

    The published sample's period has no `dimensions` at all, so none is written without one.
    """
    profile = view.session.profile
    percent = state_of_charge(profile, view.kwh)
    if not profile.reports_soc or percent is None:
        return {}
    # At the last meter value, as the record's `kwh`: both are true at `last_modified_date`.
    return {"dimensions": [{"type": "STATE_OF_CHARGE", "volume": whole_percent(percent)}]}


def _period_starts(start: datetime | None) -> list[str]:
    """The charging periods' starts in UTC, as 2.2.1 writes them."""
    return [] if start is None else [utc_timestamp(start)]


def tariff_price(tariff_id: str, settings: SimulatorSettings) -> float:
    """The energy price per kWh, before tax, of one of the location's tariffs."""
    prices = {TARIFF_ID: settings.tariff_per_kwh, SECOND_TARIFF_ID: settings.second_tariff_per_kwh}
    return prices[tariff_id]


def session_price(view: SessionView, settings: SimulatorSettings) -> float:
    """The energy price of the tariff of the EVSE the session runs at."""
    return tariff_price(evse_tariff_id(view.session.evse_uid), settings)


def tariff_data(settings: SimulatorSettings, tariff_id: str = TARIFF_ID) -> dict[str, Any]:
    """A connector's tariff: the energy price as a string, before tax, as published."""
    price = tariff_price(tariff_id, settings)
    data = {
        "id": hashlib.sha256(f"tariff:{tariff_id}".encode()).hexdigest()[:32],
        "tariff_id": tariff_id,
        "currency": settings.currency,
        "elements": [
            {"price_components": [{"type": "ENERGY", "price": f"{price:.2f}", "step_size": 1}]}
        ],
    }
    if settings.dialect == dialect.OCPI_2_2_1:
        return dialect.tariff(data, settings.tax_rate)
    return data


def location_data(location: dict[str, Any], settings: SimulatorSettings) -> dict[str, Any]:
    """A location with its EVSEs as the locations calls serve it, in the settings' dialect."""
    return dialect.location(location) if settings.dialect == dialect.OCPI_2_2_1 else location


def evse_data(evse: dict[str, Any], settings: SimulatorSettings) -> dict[str, Any]:
    """One EVSE as the EVSE call serves it, in the settings' dialect."""
    return dialect.evse(evse) if settings.dialect == dialect.OCPI_2_2_1 else evse


def cdr_data(view: SessionView, created: datetime, settings: SimulatorSettings) -> dict[str, Any]:
    """Return a CDR's `data` with the published sample's quirks.

    `total_cost` without tax beside `total_cost_incl_vat` with it, unrounded; `total_energy` in
    Wh and `total_time` in minutes (OCPI says kWh and hours); the location named by its
    upper-case UUID, with empty coordinates.
    """
    session = view.session
    kwh = round(view.kwh, session.profile.kwh_decimals)
    cost = round(kwh * session_price(view, settings), 2)
    tariff_id = evse_tariff_id(session.evse_uid)
    start = view.charging_since or session.requested_at
    stop = view.end or start
    location = location_object()
    location["id"] = LOCATION_UUID
    location["coordinates"] = {}
    data = {
        "id": hashlib.sha256(f"cdr:{session.id}".encode()).hexdigest()[:32],
        "cdr_id": session.session_id,
        "created_date": utc_timestamp(created),
        "start_date_time": utc_timestamp(start),
        "stop_date_time": utc_timestamp(stop),
        "auth_id": session.auth_id,
        "currency": settings.currency,
        "location": location,
        "tariffs": [tariff_data(settings, tariff_id) | {"id": tariff_id}],
        "charging_periods": [{"start_date_time": local_timestamp(start)}],
        "total_cost": cost,
        "total_cost_incl_vat": cost * (1 + settings.tax_rate),
        "total_energy": kwh * 1000,
        "total_time": (stop - start).total_seconds() / 60,
    }
    if settings.dialect == dialect.OCPI_2_2_1:
        return dialect.cdr(data, session.id, settings.tax_rate, _period_starts(start))
    return data


def latest_data(found: SessionView | dict[str, Any], settings: SimulatorSettings) -> dict[str, Any]:
    """Return the latest-session `data`: a raw override as given, or the rendered session."""
    return found if isinstance(found, dict) else session_data(found, settings)
