"""Property tests: whatever JSON arrives, parsing returns a result or a response error."""

import math
from typing import Any

from hypothesis import HealthCheck, example, given, settings, strategies as st
import pytest

from custom_components.evnnovator.api import EvnnovatorResponseError, Session, parse_session
from custom_components.evnnovator.api.client import _envelope_data

from .helpers import published_sample

FAST = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**400), max_value=10**400)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20)
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
timestamps = st.one_of(
    st.datetimes().map(lambda moment: moment.isoformat()),
    st.datetimes(timezones=st.timezones()).map(lambda moment: moment.isoformat()),
    st.sampled_from(["0001-01-01T00:00:00.000+00:00", "2022-03-23T10:45:59.647", "2022-13-45"]),
)
numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.floats().map(str),
    st.sampled_from(["0.16", " 7 ", "nan", "-inf", "1e999", "", "abc"]),
)
zone_names = st.one_of(
    st.sampled_from(["IST", "ist", "UTC", "Europe/Berlin", "Mars/Base", "../etc", "Z" * 300]),
    st.text(max_size=40),
)
# The API's field names with values that are mostly of the right kind, sometimes not.
fuzzy = {
    "text": st.one_of(st.text(max_size=12), st.integers(), json_values),
    "number": st.one_of(numbers, json_values),
    "time": st.one_of(timestamps, json_values),
    "zone": st.one_of(zone_names, json_values),
}


def fields(kinds: dict[str, str], **nested: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Dicts holding any subset of the named fields, each with a value of its fuzzy kind."""
    optional = {name: fuzzy[kind] for name, kind in kinds.items()} | nested
    return st.fixed_dictionaries({}, optional=optional) | json_values


evses = st.lists(
    fields(
        {"uid": "text", "evse_id": "text", "status": "text", "id": "text", "floor_level": "text"}
    ),
    max_size=3,
)
coordinates = fields({"latitude": "number", "longitude": "number"})
locations = fields(
    {
        "id": "text",
        "location_id": "text",
        "name": "text",
        "address": "text",
        "city": "text",
        "postal_code": "text",
        "country": "text",
        "type": "text",
        "time_zone": "zone",
    },
    coordinates=coordinates,
    evses=evses,
)
periods = st.lists(fields({"start_date_time": "time"}), max_size=3)
sessions = fields(
    {
        "id": "text",
        "status": "text",
        "session_id": "text",
        "auth_id": "text",
        "auth_method": "text",
        "kwh": "number",
        "total_cost": "number",
        "currency": "text",
        "start_datetime": "time",
        "end_datetime": "time",
        "created_date": "time",
        "last_modified_date": "time",
        "last_updated": "time",
        "evse_id": "text",
        "evseId": "text",
        "connector_id": "text",
        "connectorId": "text",
        "location_id": "text",
        "cpo_id": "text",
        "cpoId": "text",
        "party_id": "text",
        "country_code": "text",
    },
    location=locations,
    charging_periods=periods,
)


def assert_parses_or_refuses(value: Any) -> None:
    """parse_session returns a sound Session or raises EvnnovatorResponseError, nothing else."""
    try:
        session = parse_session(value)
    except EvnnovatorResponseError:
        return
    assert isinstance(session, Session)
    assert session.raw == value
    assert session.id.strip()
    assert session.status == session.status.strip()
    assert session.status
    for number in (session.kwh, session.total_cost):
        assert number is None or (math.isfinite(number) and number >= 0)
    for moment in (session.start, session.end, session.created, session.last_modified):
        assert moment is None or moment.tzinfo is not None
    assert session.ended is None or not session.is_running
    assert isinstance(session.is_charging, bool)
    assert session.evse is None or session.location is not None


@FAST
@given(json_values)
def test_arbitrary_json(value: Any) -> None:
    """Any JSON value at all: a Session or EvnnovatorResponseError."""
    assert_parses_or_refuses(value)


@FAST
@given(sessions)
@example(published_sample())
@example({"id": "x", "status": "ACTIVE", "kwh": 10**400})
@example({"id": "x", "status": "ACTIVE", "location": {"time_zone": "Z" * 300}})
def test_session_shaped_json(value: Any) -> None:
    """Objects built around the real field names: a Session or EvnnovatorResponseError."""
    assert_parses_or_refuses(value)


status_codes = st.one_of(
    st.sampled_from(
        [
            1000,
            "1000",
            " 1000 ",
            1000.0,
            "\u0661\u0660\u0660\u0660",
            "²",
            "1" * 5000,
            True,
            2001,
            None,
        ]
    ),
    json_values,
)
envelopes = st.one_of(
    st.fixed_dictionaries(
        {},
        optional={"status_code": status_codes, "status_message": json_values, "data": json_values},
    ),
    json_values,
)


def is_success(code: Any) -> bool:
    """Whether an envelope's status_code means success (1000, possibly written as text)."""
    if isinstance(code, str) and code.strip().isdecimal():
        try:
            code = int(code)
        except ValueError:
            return False
    return bool(code == 1000)


@FAST
@given(envelopes)
def test_envelope_handling(payload: Any) -> None:
    """_envelope_data returns `data` exactly for a successful envelope, else a response error."""
    if isinstance(payload, dict) and is_success(payload.get("status_code")):
        assert _envelope_data(payload, "the test call") is payload.get("data")
    else:
        with pytest.raises(EvnnovatorResponseError) as info:
            _envelope_data(payload, "the test call")
        assert len(str(info.value)) < 300
