"""Typed, immutable models of what the EVnnovator API returns."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, tzinfo
from enum import StrEnum
from typing import Any

from .exceptions import EvnnovatorResponseError
from .fields import JsonObject
from .timestamps import resolve_time_zone


class SessionStatus(StrEnum):
    """OCPI session statuses. The API may send others; models keep those as plain text."""

    ACTIVE = "ACTIVE"
    COMPLETED = "COMPLETED"
    INVALID = "INVALID"
    PENDING = "PENDING"
    RESERVATION = "RESERVATION"


RUNNING_STATUSES = frozenset({SessionStatus.PENDING, SessionStatus.ACTIVE})


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


@dataclass(frozen=True, slots=True)
class Coordinates:
    """Where a location is."""

    latitude: float
    longitude: float

    def as_dict(self) -> dict[str, Any]:
        """The coordinates as plain JSON data."""
        return {"latitude": self.latitude, "longitude": self.longitude}


class EvseStatus(StrEnum):
    """OCPI's EVSE statuses. The API may send others; models keep those as plain text."""

    AVAILABLE = "AVAILABLE"
    BLOCKED = "BLOCKED"
    CHARGING = "CHARGING"
    INOPERATIVE = "INOPERATIVE"
    OUTOFORDER = "OUTOFORDER"
    PLANNED = "PLANNED"
    REMOVED = "REMOVED"
    RESERVED = "RESERVED"
    UNKNOWN = "UNKNOWN"


REMOTE_START_STOP_CAPABLE = "REMOTE_START_STOP_CAPABLE"


@dataclass(frozen=True, slots=True)
class Connector:
    """One connector of an EVSE; 0 volts or amperes (often sent) read as unknown."""

    id: str | None
    standard: str | None
    power_type: str | None
    voltage: float | None
    amperage: float | None
    max_power_kw: float | None
    tariff_id: str | None

    @property
    def power_kw(self) -> float | None:
        """The connector's power: as the API states it, else volts x amperes (x 3 phases)."""
        if self.max_power_kw:
            return self.max_power_kw
        if not self.voltage or not self.amperage:
            return None
        phases = 3 if self.power_type and "3_PHASE" in self.power_type.upper() else 1
        return self.voltage * self.amperage * phases / 1000


@dataclass(frozen=True, slots=True)
class Evse:
    """One charging point (EVSE) of a location."""

    uid: str | None
    evse_id: str | None
    """The printed id (e.g. IN*TCZ*1): several EVSEs of a location may share it."""
    status: str | None
    id: str | None = None
    floor_level: str | None = None
    capabilities: tuple[str, ...] | None = None
    """None when the API does not say (often): unknown, not "none"."""
    connectors: tuple[Connector, ...] = ()
    coordinates: Coordinates | None = None

    def as_dict(self) -> dict[str, Any]:
        """The EVSE's ids and status (as the API sent it) as plain JSON data.

        `uid` is the id that start_charging takes.
        """
        return {"uid": self.uid, "evse_id": self.evse_id, "status": self.status}

    @property
    def known_status(self) -> EvseStatus | None:
        """The status as one of OCPI's, or None for a value OCPI does not define."""
        try:
            return None if self.status is None else EvseStatus(self.status.strip().upper())
        except ValueError:
            return None

    @property
    def remote_start_refused(self) -> bool:
        """Whether the API says this EVSE cannot be started remotely (it lists capabilities)."""
        return self.capabilities is not None and REMOTE_START_STOP_CAPABLE not in {
            capability.upper() for capability in self.capabilities
        }


@dataclass(frozen=True, slots=True)
class Location:
    """The charging location of a session."""

    id: str | None
    location_id: str | None
    name: str | None
    address: str | None
    city: str | None
    postal_code: str | None
    country: str | None
    type: str | None
    time_zone_name: str | None
    time_zone: tzinfo
    coordinates: Coordinates | None
    evses: tuple[Evse, ...]

    def as_dict(self) -> dict[str, Any]:
        """The location as plain JSON data, without its EVSEs; None where the API had none.

        `time_zone` is the name the API sent; `id` is the id that start_charging takes.
        """
        coordinates = self.coordinates
        return {
            "id": self.id,
            "location_id": self.location_id,
            "name": self.name,
            "address": self.address,
            "city": self.city,
            "postal_code": self.postal_code,
            "country": self.country,
            "time_zone": self.time_zone_name,
            "latitude": None if coordinates is None else coordinates.latitude,
            "longitude": None if coordinates is None else coordinates.longitude,
        }


@dataclass(frozen=True, slots=True)
class ChargingPeriod:
    """A period of a session with one set of charging conditions."""

    start: datetime | None
    state_of_charge: float | None = None
    """The car's battery in percent, where the charger reports it (OCPI's STATE_OF_CHARGE
    dimension; rare, "only available at some DC chargers")."""

    def as_dict(self) -> dict[str, Any]:
        """The period as plain JSON data: its start as an ISO 8601 string, the battery if known."""
        data: dict[str, Any] = {"start": _iso(self.start)}
        if self.state_of_charge is not None:
            data["state_of_charge"] = self.state_of_charge
        return data


@dataclass(frozen=True, slots=True)
class Session:
    """A driver's charging session, as the latest-session call returns it."""

    id: str
    status: str
    session_id: str | None
    auth_id: str | None
    auth_method: str | None
    kwh: float | None
    total_cost: float | None
    currency: str | None
    start: datetime | None
    end: datetime | None
    created: datetime | None
    last_modified: datetime | None
    last_updated: datetime | None
    evse_uid: str | None
    connector_id: str | None
    location_id: str | None
    cpo_id: str | None
    party_id: str | None
    country_code: str | None
    location: Location | None
    charging_periods: tuple[ChargingPeriod, ...]
    raw: dict[str, Any] = field(repr=False, compare=False, hash=False)
    out_of_range: tuple[str, ...] = field(default=(), compare=False, hash=False)
    """Fields whose timestamp was too far off to be true: they read as None."""
    total_cost_with_tax: float | None = None
    """The running cost with tax, where the session says it (a 2.2.1 Price's `incl_vat`)."""

    def as_dict(self) -> dict[str, Any]:
        """The session as plain JSON data: times as ISO 8601 strings, None where the API had none.

        `end` is None while the session runs, whatever the API's end time says (it sends one
        early). `evse` is the EVSE the session runs on, None when the location does not list it.
        """
        location = self.location
        evse = self.evse
        return {
            "id": self.id,
            "session_id": self.session_id,
            "status": self.status,
            "running": self.is_running,
            "kwh": self.kwh,
            "total_cost": self.total_cost,
            "currency": self.currency,
            "start": _iso(self.start),
            "end": _iso(self.ended),
            "last_modified": _iso(self.last_modified),
            "connector_id": self.connector_id,
            "location": None if location is None else location.as_dict(),
            "evse": None if evse is None else evse.as_dict(),
            "charging_periods": [period.as_dict() for period in self.charging_periods],
        }

    @property
    def state_of_charge(self) -> float | None:
        """The battery in percent at the latest meter value, where the charger reports it."""
        return next(
            (
                period.state_of_charge
                for period in reversed(self.charging_periods)
                if period.state_of_charge is not None
            ),
            None,
        )

    @property
    def known_status(self) -> SessionStatus | None:
        """The status as one of OCPI's, or None for a value OCPI does not define."""
        try:
            return SessionStatus(self.status.upper())
        except ValueError:
            return None

    @property
    def is_running(self) -> bool:
        """Whether the session is pending or charging: the status says so, not the end time."""
        return self.known_status in RUNNING_STATUSES

    @property
    def is_charging(self) -> bool:
        """Whether energy is flowing."""
        return self.known_status is SessionStatus.ACTIVE

    def elapsed(self, now: datetime) -> float | None:
        """Seconds the session has run: until `now` while it runs, until its end once it ended.

        None without a start, or for an ended session whose end the API did not send: a guess
        would be a wrong value.
        """
        if self.start is None:
            return None
        until = now if self.is_running else self.end
        if until is None:
            return None
        return max((until - self.start).total_seconds(), 0.0)

    def average_power_kw(self, now: datetime) -> float | None:
        """The session's energy over the time it has run, in kW."""
        seconds = self.elapsed(now)
        if self.kwh is None or not seconds:
            return None
        return self.kwh / (seconds / 3600)

    @property
    def ended(self) -> datetime | None:
        """The end of a finished session; None while it runs, whatever end_datetime says."""
        return None if self.is_running else self.end

    @property
    def location_ids(self) -> tuple[str, str, str] | None:
        """The OCPI ids of its location (country, party, id): all a 2.2.1 session says of it."""
        if not self.country_code or not self.party_id or not self.location_id:
            return None
        return self.country_code, self.party_id, self.location_id

    def placed_at(self, location: Location) -> Session:
        """The same session with its location embedded, as a 2.1.1 session comes."""
        return replace(self, location=location)

    @property
    def charger_ids(self) -> tuple[str, str] | None:
        """The location's and the EVSE's hex ids, which the EVSE call takes; None unknown."""
        evse = self.evse
        location = self.location
        if location is None or not location.id or evse is None or not evse.id:
            return None
        return location.id, evse.id

    @property
    def evse(self) -> Evse | None:
        """The EVSE the session runs on: the API names it by a differently cased uid."""
        if self.location is None or self.evse_uid is None:
            return None
        wanted = self.evse_uid.casefold()
        for evse in self.location.evses:
            if evse.uid is not None and evse.uid.casefold() == wanted:
                return evse
        return None


def _parse_connector(data: JsonObject) -> Connector:
    watts = data.non_negative("max_electric_power")
    return Connector(
        id=data.text("id"),
        standard=data.text("standard"),
        power_type=data.text("power_type"),
        voltage=data.non_negative(data.named("voltage", "max_voltage")),
        amperage=data.non_negative(data.named("amperage", "max_amperage")),
        max_power_kw=None if watts is None else watts / 1000,
        tariff_id=data.text("tariff_id") or _first_text(data, "tariff_ids"),
    )


def _first_text(data: JsonObject, name: str) -> str | None:
    """The first text of a list of texts (OCPI 2.2.1's `tariff_ids`)."""
    values = data.raw.get(name)
    if values is None:
        return None
    if not isinstance(values, list) or not all(isinstance(item, str) for item in values):
        raise EvnnovatorResponseError(f"{name} is not a list of texts")
    return values[0] if values else None


def _parse_evse(data: JsonObject) -> Evse:
    capabilities = data.raw.get("capabilities")
    if capabilities is not None and not (
        isinstance(capabilities, list) and all(isinstance(item, str) for item in capabilities)
    ):
        raise EvnnovatorResponseError("evse.capabilities is not a list of texts")
    return Evse(
        uid=data.text("uid"),
        evse_id=data.text("evse_id"),
        status=data.text("status"),
        id=data.text("id"),
        floor_level=data.text("floor_level"),
        capabilities=None if capabilities is None else tuple(capabilities),
        connectors=tuple(_parse_connector(item) for item in data.children("connectors")),
        # Numbers at the location, strings at the EVSE: the reader takes both.
        coordinates=_parse_coordinates(data.child("coordinates")),
    )


def parse_evse(value: Any) -> Evse:
    """Build an Evse from the `data` of an EVSE answer; raises EvnnovatorResponseError."""
    return _parse_evse(JsonObject(value, "evse"))


def _parse_coordinates(data: JsonObject | None) -> Coordinates | None:
    if data is None:
        return None
    latitude = data.number("latitude")
    longitude = data.number("longitude")
    if latitude is None or longitude is None:
        return None
    return Coordinates(latitude=latitude, longitude=longitude)


def _parse_location(data: JsonObject) -> Location:
    zone_name = data.text("time_zone")
    return Location(
        id=data.text("id"),
        location_id=data.text("location_id"),
        name=data.text("name"),
        address=data.text("address"),
        city=data.text("city"),
        postal_code=data.text("postal_code"),
        country=data.text("country"),
        type=data.text("type"),
        time_zone_name=zone_name,
        time_zone=resolve_time_zone(zone_name),
        coordinates=_parse_coordinates(data.child("coordinates")),
        evses=tuple(_parse_evse(evse) for evse in data.children("evses")),
    )


def parse_location(value: Any) -> Location:
    """Build a Location from a locations answer's object; raises EvnnovatorResponseError."""
    return _parse_location(JsonObject(value, "location"))


def _only_evse_uid(location: Location | None) -> str | None:
    """OCPI 2.1.1 names the session's EVSE by embedding only it in the location."""
    if location is None or len(location.evses) != 1:
        return None
    return location.evses[0].uid


def parse_session(value: Any) -> Session:
    """Build a Session from the `data` of a latest-session answer.

    Raises EvnnovatorResponseError when the object lacks an id or status, or a field has the
    wrong type; anything merely missing reads as None.
    """
    data = JsonObject(value, "session")
    location_data = data.child("location")
    location = None if location_data is None else _parse_location(location_data)
    # OCPI: a time without a zone is UTC. The one exception seen: EVnnovator's charging
    # periods, whose start is the location's local time.
    zone = UTC if location is None else location.time_zone
    token = data.child("cdr_token")
    return Session(
        id=data.required_text("id"),
        status=data.required_text("status").strip(),
        session_id=data.text("session_id"),
        auth_id=data.text("auth_id") or (None if token is None else token.text("uid")),
        auth_method=data.text("auth_method"),
        kwh=data.non_negative("kwh"),
        total_cost=data.amount("total_cost"),
        currency=data.text("currency"),
        start=data.timestamp(data.named("start_datetime", "start_date_time"), UTC),
        end=data.timestamp(data.named("end_datetime", "end_date_time"), UTC),
        created=data.timestamp("created_date", UTC),
        last_modified=data.timestamp("last_modified_date", UTC),
        last_updated=data.timestamp("last_updated", UTC),
        evse_uid=data.text(data.named("evse_id", "evse_uid")) or _only_evse_uid(location),
        connector_id=data.text("connector_id"),
        location_id=data.text("location_id"),
        cpo_id=data.text("cpo_id"),
        party_id=data.text("party_id"),
        country_code=data.text("country_code"),
        location=location,
        charging_periods=tuple(
            ChargingPeriod(
                start=period.timestamp("start_date_time", zone),
                state_of_charge=_state_of_charge(period),
            )
            for period in data.children("charging_periods")
        ),
        raw=dict(data.raw),
        out_of_range=tuple(data.out_of_range),
        total_cost_with_tax=data.amount("total_cost", with_tax=True),
    )


STATE_OF_CHARGE = "STATE_OF_CHARGE"


def _state_of_charge(period: JsonObject) -> float | None:
    """The period's STATE_OF_CHARGE volume in percent; None without one or for nonsense.

    Lenient: an odd dimension (a battery beyond 0-100 %, a volume that is no number) must not
    make the whole session unreadable, only its battery unknown.
    """
    try:
        dimensions = period.children("dimensions")
        for dimension in dimensions:
            kind = dimension.text("type")
            if kind is not None and kind.upper() == STATE_OF_CHARGE:
                volume = dimension.number("volume")
                return volume if volume is not None and 0 <= volume <= 100 else None
    except EvnnovatorResponseError:
        return None
    return None
