"""The published sample and its quirks, served by the simulator and read by the client."""

from collections.abc import Awaitable, Callable
import dataclasses
from datetime import UTC, datetime, timedelta
import logging
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from custom_components.evnnovator.api import (
    ChargingPeriod,
    Coordinates,
    EvnnovatorClient,
    EvnnovatorResponseError,
    Evse,
    Location,
    Session,
)
from custom_components.evnnovator.api.timestamps import resolve_time_zone
from evnnovator_simulator import DEMO_AUTH_ID, Simulator

from .helpers import published_sample, raises_exactly

type Fetch = Callable[[dict[str, Any]], Awaitable[Session | None]]

KOLKATA = ZoneInfo("Asia/Kolkata")
EVSE_UID = "F17195C3-7028-446A-B51D-B114FCAA7416"
SAMPLE_LOCATION = Location(
    id="2b10508db844fada81778c8b1bce853e",
    location_id="D5F5E912-CD27-49D5-8586-FB93CA65A134",
    name="GJ | Vadodara | Charge+Zone Office2",
    address="401, Benison Complex, Opp. Shiv Mahal Palace, Old Padra Rd, Vadodara, Gujarat 390007",
    city="Vadodara",
    postal_code="123458",
    country="IND",
    type="PARKING_TOP",
    time_zone_name="IST",
    time_zone=KOLKATA,
    coordinates=Coordinates(latitude=28.457523, longitude=77.026344),
    evses=(
        Evse(
            uid=EVSE_UID,
            evse_id="IN*TCZ*2",
            status="AVAILABLE",
            id="3d2542dc29da4512d061391db6a18377",
            floor_level="ONE",
        ),
    ),
)
EXPECTED = Session(
    id="ae18c8e04f45946f0706735285a0a069",
    status="ACTIVE",
    session_id="20796751",
    auth_id="demo-driver-1",
    auth_method="COMMAND",
    kwh=0.16,
    total_cost=2.88,
    currency="INR",
    start=datetime(2022, 3, 23, 5, 12, 22, tzinfo=UTC),
    end=datetime(2022, 3, 23, 5, 15, 59, 647000, tzinfo=UTC),
    created=datetime(2022, 3, 23, 5, 12, 36, 39000, tzinfo=UTC),
    last_modified=datetime(2022, 3, 23, 5, 16, 12, 912000, tzinfo=UTC),
    last_updated=None,
    evse_uid="f17195c3-7028-446a-b51d-b114fcaa7416",
    connector_id="1",
    location_id="D5F5E912-CD27-49D5-8586-FB93CA65A134",
    cpo_id="59371e3bef3cb74f510fed1e102b6737",
    party_id="TCZ",
    country_code="IN",
    location=SAMPLE_LOCATION,
    charging_periods=(ChargingPeriod(start=datetime(2022, 3, 23, 5, 15, 59, 647000, tzinfo=UTC)),),
    raw=published_sample(),
)


@pytest.fixture
def fetch(sim: Simulator, client: EvnnovatorClient) -> Fetch:
    """Serve `data` as the demo driver's latest session and read it back through the client."""

    async def fetch(data: dict[str, Any]) -> Session | None:
        sim.set_raw_latest(DEMO_AUTH_ID, data)
        return await client.get_latest_session(DEMO_AUTH_ID)

    return fetch


async def fetched(fetch: Fetch, data: dict[str, Any]) -> Session:
    """Fetch `data`, which must parse into a session."""
    session = await fetch(data)
    assert isinstance(session, Session)
    return session


def sample_with(**changes: Any) -> dict[str, Any]:
    """The published sample with top-level fields replaced (a value of ... deletes the field)."""
    data = published_sample()
    for key, value in changes.items():
        if value is ...:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def sample_with_location(**changes: Any) -> dict[str, Any]:
    """The published sample with location fields replaced (a value of ... deletes the field)."""
    data = published_sample()
    for key, value in changes.items():
        if value is ...:
            data["location"].pop(key, None)
        else:
            data["location"][key] = value
    return data


@pytest.mark.parametrize("name", [f.name for f in dataclasses.fields(Session)])
async def test_published_sample_field_by_field(fetch: Fetch, name: str) -> None:
    """Every field of the published sample reads as the documentation means it."""
    session = await fetched(fetch, published_sample())
    assert getattr(session, name) == getattr(EXPECTED, name)


async def test_published_sample_zones_and_offsets(fetch: Fetch) -> None:
    """Offsets are kept, zone-less times are in the location's zone, the null sentinel is None."""
    session = await fetched(fetch, published_sample())
    assert session.start is not None
    assert session.start.utcoffset() == timedelta(0)
    period_start = session.charging_periods[0].start
    assert period_start is not None
    assert period_start.tzinfo is KOLKATA
    assert period_start.replace(tzinfo=None).isoformat() == "2022-03-23T10:45:59.647000"
    assert period_start == datetime(2022, 3, 23, 5, 15, 59, 647000, tzinfo=UTC)
    assert session.last_updated is None


async def test_published_sample_derived_state(fetch: Fetch) -> None:
    """ACTIVE with end_datetime set still runs: status, not end time, decides; EVSE is found."""
    session = await fetched(fetch, published_sample())
    assert session.end is not None
    assert session.is_running
    assert session.is_charging
    assert session.ended is None
    assert session.evse == SAMPLE_LOCATION.evses[0]
    assert session.raw == published_sample()
    assert "raw=" not in repr(session)
    assert "Benison" in repr(session)


async def test_offset_of_a_timestamp_is_kept(fetch: Fetch) -> None:
    """A timestamp with a non-zero offset keeps that offset."""
    session = await fetched(fetch, sample_with(start_datetime="2022-03-23T10:42:22.000+05:30"))
    assert session.start is not None
    assert session.start.utcoffset() == timedelta(hours=5, minutes=30)
    assert session.start == datetime(2022, 3, 23, 5, 12, 22, tzinfo=UTC)


@pytest.mark.parametrize(
    ("time_zone", "zone"),
    [
        pytest.param("IST", KOLKATA, id="IST"),
        pytest.param(" ist ", KOLKATA, id="lower-case-padded"),
        pytest.param("Europe/Berlin", ZoneInfo("Europe/Berlin"), id="iana"),
        pytest.param("CET", ZoneInfo("Europe/Berlin"), id="abbreviation"),
        pytest.param("GMT", UTC, id="GMT"),
        pytest.param(..., UTC, id="missing"),
        pytest.param("", UTC, id="empty"),
    ],
)
async def test_location_time_zone(fetch: Fetch, time_zone: Any, zone: Any) -> None:
    """Abbreviations map to IANA zones, IANA names pass, a missing zone is UTC."""
    session = await fetched(fetch, sample_with_location(time_zone=time_zone))
    assert session.location is not None
    assert session.location.time_zone == zone
    period_start = session.charging_periods[0].start
    assert period_start == datetime(2022, 3, 23, 10, 45, 59, 647000, tzinfo=zone)


@pytest.mark.parametrize(
    "time_zone",
    [
        pytest.param("XYZT", id="unknown-abbreviation"),
        pytest.param("Mars/Olympus_Mons", id="unknown-iana"),
        pytest.param("../../etc/passwd", id="path-traversal"),
        pytest.param("America", id="directory"),
        pytest.param("zone.tab", id="not-a-tzif-file"),
        pytest.param("Z" * 300, id="name-too-long"),
    ],
)
async def test_unknown_time_zone_is_utc_and_logged(
    fetch: Fetch, caplog: pytest.LogCaptureFixture, time_zone: str
) -> None:
    """An unknown or hostile zone name reads local times as UTC and says so in the debug log."""
    resolve_time_zone.cache_clear()
    caplog.set_level(logging.DEBUG, logger="custom_components.evnnovator.api")
    session = await fetched(fetch, sample_with_location(time_zone=time_zone))
    assert session.location is not None
    assert session.location.time_zone is UTC
    assert session.charging_periods[0].start == datetime(2022, 3, 23, 10, 45, 59, 647000, UTC)
    assert any(
        record.levelno == logging.DEBUG and "Unknown time zone" in record.getMessage()
        for record in caplog.records
    )


async def test_snake_case_twins_of_camel_case_fields(fetch: Fetch) -> None:
    """evse_id, cpo_id and connector_id are read like evseId, cpoId and connectorId."""
    data = published_sample()
    for camel, snake in (
        ("evseId", "evse_id"),
        ("cpoId", "cpo_id"),
        ("connectorId", "connector_id"),
    ):
        data[snake] = data.pop(camel)
    session = await fetched(fetch, data)
    assert (session.evse_uid, session.cpo_id, session.connector_id) == (
        EXPECTED.evse_uid,
        EXPECTED.cpo_id,
        EXPECTED.connector_id,
    )


@pytest.mark.parametrize(
    ("snake", "camel", "expected"),
    [
        pytest.param("snake", "camel", "snake", id="snake-wins"),
        pytest.param(None, "camel", "camel", id="null-snake-falls-back"),
        pytest.param(..., "camel", "camel", id="camel-only"),
    ],
)
async def test_snake_case_is_looked_up_first(
    fetch: Fetch, snake: Any, camel: str, expected: str
) -> None:
    """When both spellings are there, snake_case wins; a null snake_case falls back to camelCase."""
    data = sample_with(cpoId=camel, cpo_id=snake)
    session = await fetched(fetch, data)
    assert session.cpo_id == expected


@pytest.mark.parametrize(
    ("changes", "attribute", "expected"),
    [
        pytest.param({"kwh": "0.16"}, "kwh", 0.16, id="kwh-string"),
        pytest.param({"kwh": " 7 "}, "kwh", 7.0, id="kwh-padded-string"),
        pytest.param({"kwh": 3}, "kwh", 3.0, id="kwh-int"),
        pytest.param({"kwh": ...}, "kwh", None, id="kwh-missing"),
        pytest.param({"total_cost": "2.88"}, "total_cost", 2.88, id="cost-string"),
        pytest.param({"session_id": 20796751}, "session_id", "20796751", id="int-session-id"),
        pytest.param({"connectorId": 1}, "connector_id", "1", id="int-connector-id"),
        pytest.param({"id": 123}, "id", "123", id="int-id"),
        pytest.param({"status": " COMPLETED "}, "status", "COMPLETED", id="status-stripped"),
        pytest.param({"status": "SUSPENDED_EV"}, "status", "SUSPENDED_EV", id="unknown-status"),
        pytest.param({"location": ...}, "location", None, id="no-location"),
        pytest.param({"location": None}, "location", None, id="null-location"),
        pytest.param({"charging_periods": ...}, "charging_periods", (), id="no-periods"),
        pytest.param({"end_datetime": None}, "end", None, id="null-end"),
        pytest.param({"end_datetime": " "}, "end", None, id="blank-end"),
        pytest.param({"created_date": "0001-01-01T00:00:00"}, "created", None, id="null-no-zone"),
    ],
)
async def test_lenient_values(
    fetch: Fetch, changes: dict[str, Any], attribute: str, expected: object
) -> None:
    """Numbers as strings, integer ids, missing parts and unknown statuses are read, not refused."""
    session = await fetched(fetch, sample_with(**changes))
    assert getattr(session, attribute) == expected


async def test_no_location_reads_local_times_as_utc(fetch: Fetch) -> None:
    """Without a location, zone-less times are read as UTC and no EVSE can be found."""
    session = await fetched(fetch, sample_with(location=...))
    assert session.evse is None
    assert session.charging_periods[0].start == datetime(2022, 3, 23, 10, 45, 59, 647000, UTC)


@pytest.mark.parametrize(
    ("changes", "coordinates"),
    [
        pytest.param({"coordinates": ...}, None, id="missing"),
        pytest.param({"coordinates": {"latitude": 28.4}}, None, id="no-longitude"),
        pytest.param({"coordinates": {"longitude": 77.0}}, None, id="no-latitude"),
        pytest.param(
            {"coordinates": {"latitude": "28.5", "longitude": "77"}},
            Coordinates(28.5, 77.0),
            id="strings",
        ),
    ],
)
async def test_coordinates(fetch: Fetch, changes: dict[str, Any], coordinates: object) -> None:
    """Coordinates are read only when both halves are there."""
    session = await fetched(fetch, sample_with_location(**changes))
    assert session.location is not None
    assert session.location.coordinates == coordinates


@pytest.mark.parametrize("evses", [..., None, []], ids=["missing", "null", "empty"])
async def test_location_without_evses(fetch: Fetch, evses: Any) -> None:
    """A location without EVSEs has none, and the session's EVSE is then unknown."""
    session = await fetched(fetch, sample_with_location(evses=evses))
    assert session.location is not None
    assert session.location.evses == ()
    assert session.evse is None


@pytest.mark.parametrize(
    ("status", "running", "charging"),
    [
        ("ACTIVE", True, True),
        ("active", True, True),
        ("PENDING", True, False),
        ("COMPLETED", False, False),
        ("INVALID", False, False),
        ("RESERVATION", False, False),
        ("SUSPENDED_EV", False, False),
    ],
)
async def test_status_decides_running_and_ended(
    fetch: Fetch, status: str, running: bool, charging: bool
) -> None:
    """is_running, is_charging and ended follow the status; ended is end_datetime only when done."""
    session = await fetched(fetch, sample_with(status=status))
    assert session.is_running is running
    assert session.is_charging is charging
    assert session.ended == (None if running else EXPECTED.end)


@pytest.mark.parametrize(
    ("evse_id", "evses", "found"),
    [
        pytest.param(EVSE_UID.lower(), None, 0, id="lower-case-session-id"),
        pytest.param(EVSE_UID, None, 0, id="same-case"),
        pytest.param("00000000-0000-0000-0000-000000000000", None, None, id="no-match"),
        # OCPI 2.1.1 names the session's EVSE by embedding it alone in the location.
        pytest.param(..., None, 0, id="no-evse-id-one-embedded"),
        pytest.param(..., [{"uid": "a"}, {"uid": EVSE_UID}], None, id="no-evse-id-two-embedded"),
        pytest.param(
            EVSE_UID.lower(),
            [{"evse_id": "IN*TCZ*1"}, {"uid": "other"}, {"uid": EVSE_UID}],
            2,
            id="skips-evses-without-uid",
        ),
    ],
)
async def test_evse_matched_case_insensitively(
    fetch: Fetch, evse_id: Any, evses: Any, found: int | None
) -> None:
    """The session's evseId finds the location's EVSE by uid, whatever the case."""
    data = sample_with(evseId=evse_id)
    if evses is not None:
        data["location"]["evses"] = evses
    session = await fetched(fetch, data)
    assert session.location is not None
    expected = None if found is None else session.location.evses[found]
    assert session.evse is expected


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"id": ...}, id="no-id"),
        pytest.param({"id": "  "}, id="blank-id"),
        pytest.param({"id": 1.5}, id="float-id"),
        pytest.param({"id": True}, id="bool-id"),
        pytest.param({"status": ...}, id="no-status"),
        pytest.param({"status": ["ACTIVE"]}, id="list-status"),
        pytest.param({"kwh": -0.5}, id="negative-kwh"),
        pytest.param({"kwh": "lots"}, id="text-kwh"),
        pytest.param({"kwh": "NaN"}, id="nan-kwh"),
        pytest.param({"kwh": "1e999"}, id="infinite-kwh"),
        pytest.param({"kwh": 10**400}, id="huge-int-kwh"),
        pytest.param({"kwh": True}, id="bool-kwh"),
        pytest.param({"kwh": [0.16]}, id="list-kwh"),
        pytest.param({"total_cost": -1}, id="negative-cost"),
        pytest.param({"start_datetime": "yesterday"}, id="text-timestamp"),
        pytest.param({"start_datetime": 1648012342}, id="epoch-timestamp"),
        pytest.param({"location": "Vadodara"}, id="text-location"),
        pytest.param({"charging_periods": {"start_date_time": "x"}}, id="periods-not-a-list"),
        pytest.param({"charging_periods": ["2022-03-23"]}, id="period-not-an-object"),
    ],
)
async def test_wrong_types_are_response_errors(fetch: Fetch, changes: dict[str, Any]) -> None:
    """A session with a missing id/status or a field of the wrong type is refused as a whole."""
    await raises_exactly(EvnnovatorResponseError, fetch(sample_with(**changes)))


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"evses": "F17195C3"}, id="evses-not-a-list"),
        pytest.param({"evses": ["F17195C3"]}, id="evse-not-an-object"),
        pytest.param({"coordinates": [28.4, 77.0]}, id="coordinates-not-an-object"),
        pytest.param({"coordinates": {"latitude": "north", "longitude": 1}}, id="text-latitude"),
        pytest.param({"time_zone": 5.5}, id="numeric-zone"),
    ],
)
async def test_wrong_location_types_are_response_errors(
    fetch: Fetch, changes: dict[str, Any]
) -> None:
    """A location field of the wrong type makes the session a response error."""
    await raises_exactly(EvnnovatorResponseError, fetch(sample_with_location(**changes)))
