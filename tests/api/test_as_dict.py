"""The models as plain JSON data: what get_latest_session answers and the sensors show."""

import json
from typing import Any

from custom_components.evnnovator.api import parse_evse, parse_location, parse_session

from .helpers import published_sample

LOCATION = {
    "id": "2b10508db844fada81778c8b1bce853e",
    "location_id": "D5F5E912-CD27-49D5-8586-FB93CA65A134",
    "name": "GJ | Vadodara | Charge+Zone Office2",
    "address": (
        "401, Benison Complex, Opp. Shiv Mahal Palace, Old Padra Rd, Vadodara, Gujarat 390007"
    ),
    "city": "Vadodara",
    "postal_code": "123458",
    "country": "IND",
    "time_zone": "IST",
    "latitude": 28.457523,
    "longitude": 77.026344,
}
EVSE = {"uid": "F17195C3-7028-446A-B51D-B114FCAA7416", "evse_id": "IN*TCZ*2", "status": "AVAILABLE"}


def expected_session(**changes: Any) -> dict[str, Any]:
    """The published sample as JSON data, with `changes`."""
    return {
        "id": "ae18c8e04f45946f0706735285a0a069",
        "session_id": "20796751",
        "status": "ACTIVE",
        "running": True,
        "kwh": 0.16,
        "total_cost": 2.88,
        "currency": "INR",
        "start": "2022-03-23T05:12:22+00:00",
        "end": None,
        "last_modified": "2022-03-23T05:16:12.912000+00:00",
        "connector_id": "1",
        "location": LOCATION,
        "evse": EVSE,
        # A time without offset is the location's local time (IST).
        "charging_periods": [{"start": "2022-03-23T10:45:59.647000+05:30"}],
    } | changes


def test_a_running_session_has_no_end() -> None:
    """The API sends an end time early: it is None while the session runs."""
    answer = parse_session(published_sample()).as_dict()
    assert answer == expected_session()
    assert json.loads(json.dumps(answer)) == answer


def test_an_ended_session() -> None:
    sample = published_sample()
    sample["status"] = "COMPLETED"
    assert parse_session(sample).as_dict() == expected_session(
        status="COMPLETED", running=False, end="2022-03-23T05:15:59.647000+00:00"
    )


def test_a_session_without_location() -> None:
    """No location: no EVSE either, and times without offset read as UTC."""
    sample = published_sample()
    del sample["location"]
    assert parse_session(sample).as_dict() == expected_session(
        location=None,
        evse=None,
        charging_periods=[{"start": "2022-03-23T10:45:59.647000+00:00"}],
    )


def test_a_location_without_coordinates_nor_the_sessions_evse() -> None:
    sample = published_sample()
    del sample["location"]["coordinates"]
    sample["location"]["evses"] = []
    assert parse_session(sample).as_dict() == expected_session(
        location=LOCATION | {"latitude": None, "longitude": None}, evse=None
    )


def test_a_bare_session() -> None:
    """Only an id and a status: everything else None or empty."""
    assert parse_session({"id": "s1", "status": "PENDING"}).as_dict() == {
        "id": "s1",
        "session_id": None,
        "status": "PENDING",
        "running": True,
        "kwh": None,
        "total_cost": None,
        "currency": None,
        "start": None,
        "end": None,
        "last_modified": None,
        "connector_id": None,
        "location": None,
        "evse": None,
        "charging_periods": [],
    }


def test_location_and_evse() -> None:
    """A location's dict leaves its EVSEs out; an EVSE's has its ids and raw status."""
    location = parse_location(published_sample()["location"])
    assert location.as_dict() == LOCATION
    assert [evse.as_dict() for evse in location.evses] == [EVSE]
    assert parse_location({}).as_dict() == dict.fromkeys(LOCATION)
    assert parse_evse({"uid": "u", "status": "Charging"}).as_dict() == {
        "uid": "u",
        "evse_id": None,
        "status": "Charging",
    }


def test_the_sensors_location_attributes_come_from_the_location() -> None:
    """The address and coordinates the sensors show, without what the API did not send."""
    sample = published_sample()["location"]
    del sample["postal_code"]
    del sample["coordinates"]
    keys = ("address", "city", "postal_code", "country", "latitude", "longitude")
    location = parse_location(sample)
    attributes = {k: v for k, v in location.as_dict().items() if k in keys and v is not None}
    assert attributes == {"address": LOCATION["address"], "city": "Vadodara", "country": "IND"}
