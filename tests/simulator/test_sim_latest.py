"""The latest-session call: its envelope, the data's shape and quirks, and the auth_id segment."""

import re
from typing import Any

import pytest

from evnnovator_simulator import (
    DEMO_AUTH_ID,
    DEMO_AUTH_ID_BLOCKED,
    DEMO_AUTH_ID_NEW,
    DEMO_EVSE_UID,
    DEMO_LOCATION_ID,
    DEMO_TOKEN,
    published_sample,
)
from evnnovator_simulator.site import SECOND_EVSE_UID

from .conftest import AUTH, SimEnv

HEX32 = re.compile(r"^[0-9a-f]{32}$")


async def test_demo_session_envelope_and_data(sim_env: SimEnv) -> None:
    reply = await sim_env.latest()
    assert reply.status == 200
    assert reply.headers["Content-Type"].startswith("application/json")
    body = reply.json()
    assert body["status_code"] == 1000
    assert body["status_message"] == "Success"
    assert body["timestamp"] == "2026-11-23T08:00:00.000+00:00"
    data = body["data"]
    assert data == sim_env.sim.latest_session(DEMO_AUTH_ID)
    # The demo session has been ACTIVE for 20 minutes at 7.4 kW.
    assert data["status"] == "ACTIVE"
    assert data["kwh"] == 2.467
    assert data["total_cost"] == 44.41
    assert data["currency"] == "INR"
    assert data["created_date"] == "2026-11-23T07:40:00.000+00:00"
    assert data["start_datetime"] == "2026-11-23T07:40:00.000+00:00"
    # Quirk: end_datetime is set while ACTIVE, to the last meter value (now).
    assert data["end_datetime"] == "2026-11-23T08:00:00.000+00:00"
    assert data["last_modified_date"] == "2026-11-23T08:00:00.000+00:00"
    # Local time of the location (Asia/Kolkata, +05:30) with no zone suffix.
    assert data["charging_periods"] == [{"start_date_time": "2026-11-23T13:10:00.000"}]
    assert data["last_updated"] == "0001-01-01T00:00:00.000+00:00"


async def test_data_has_the_published_shape(sim_env: SimEnv) -> None:
    data = (await sim_env.latest()).json()["data"]
    sample = published_sample()
    assert list(data) == list(sample)
    assert data["evseId"] == DEMO_EVSE_UID.lower()
    assert data["connectorId"] == "1"
    assert HEX32.match(data["id"])
    assert data["session_id"].isdigit()
    assert data["party_id"] == "TCZ"
    assert data["country_code"] == "IN"
    assert data["location_id"] == "D5F5E912-CD27-49D5-8586-FB93CA65A134"
    assert data["cpoId"] == sample["cpoId"]
    assert data["auth_id"] == DEMO_AUTH_ID
    assert data["auth_method"] == "COMMAND"
    location = data["location"]
    assert location["id"] == DEMO_LOCATION_ID
    assert location["location_id"] == data["location_id"]
    assert location["time_zone"] == "IST"
    assert location["coordinates"] == {"latitude": 28.457523, "longitude": 77.026344}
    for key in ("type", "name", "address", "city", "postal_code", "country"):
        assert isinstance(location[key], str)
    assert [evse["uid"] for evse in location["evses"]] == [DEMO_EVSE_UID, SECOND_EVSE_UID]
    assert all(HEX32.match(evse["id"]) for evse in location["evses"])
    for key in ("created_date", "last_modified_date", "start_datetime", "end_datetime"):
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", data[key])


async def test_each_answer_has_a_fresh_location(sim_env: SimEnv) -> None:
    first = sim_env.sim.latest_session(DEMO_AUTH_ID)
    assert first is not None
    first["location"]["evses"].clear()
    second = sim_env.sim.latest_session(DEMO_AUTH_ID)
    assert second is not None
    assert len(second["location"]["evses"]) == 2


async def test_latest_session_is_none_when_nothing_is_served(sim_env: SimEnv) -> None:
    for auth_id in ("nobody", DEMO_AUTH_ID_NEW, DEMO_AUTH_ID_BLOCKED):
        assert sim_env.sim.latest_session(auth_id) is None


async def test_raw_latest_is_served_verbatim(sim_env: SimEnv) -> None:
    sample = published_sample()
    sim_env.sim.set_raw_latest(DEMO_AUTH_ID, sample)
    sample["status"] = "mutated after the call"
    body = (await sim_env.latest()).json()
    assert body["status_code"] == 1000
    assert body["data"] == published_sample()
    assert body["data"]["charging_periods"] == [{"start_date_time": "2022-03-23T10:45:59.647"}]
    assert sim_env.sim.latest_session(DEMO_AUTH_ID) == published_sample()

    sim_env.sim.set_raw_latest(DEMO_AUTH_ID, None)
    assert (await sim_env.latest()).json()["data"]["created_date"].startswith("2026-11-23")


async def test_raw_latest_odd_data_and_other_drivers(sim_env: SimEnv) -> None:
    odd: dict[str, Any] = {"status": "SOMETHING_NEW", "kwh": None, "extra": [1, {"x": None}]}
    sim_env.sim.set_raw_latest(DEMO_AUTH_ID_NEW, odd)
    assert (await sim_env.latest(DEMO_AUTH_ID_NEW)).json()["data"] == odd
    # The whitelist still applies.
    sim_env.sim.set_raw_latest(DEMO_AUTH_ID_BLOCKED, odd)
    assert (await sim_env.latest(DEMO_AUTH_ID_BLOCKED)).status == 403
    with pytest.raises(LookupError):
        sim_env.sim.set_raw_latest("nobody", odd)


@pytest.mark.parametrize(
    "auth_id", ["a/../b?x#y", "a/b", "..", "name with spaces+plus", "fahrer-\u00e4\u00df", "%41"]
)
async def test_auth_id_is_one_encoded_segment(sim_env: SimEnv, auth_id: str) -> None:
    sim_env.sim.add_driver(auth_id, token_uid=f"uid-{auth_id}")
    session_id = sim_env.sim.start_session(auth_id)
    reply = await sim_env.latest(auth_id)
    assert reply.status == 200
    assert reply.json()["data"]["auth_id"] == auth_id
    assert reply.json()["data"]["id"] == session_id


async def test_encoded_path_is_decoded_from_the_raw_path(sim_env: SimEnv) -> None:
    sim_env.sim.add_driver("a/../b?x#y", token_uid="odd")
    sim_env.sim.start_session("a/../b?x#y")
    raw = f"{sim_env.base_url}/sessions/a%2F..%2Fb%3Fx%23y/latest"
    reply = await sim_env.request("GET", raw, headers=AUTH)
    assert reply.status == 200
    assert reply.json()["data"]["auth_id"] == "a/../b?x#y"
    assert sim_env.sim.requests[-1].path == "/api/ocpi/api/v1/sessions/a%2F..%2Fb%3Fx%23y/latest"


@pytest.mark.parametrize(
    "tail",
    [
        "sessions/a/b/latest",  # a real "/" is not part of the auth_id
        f"sessions/{DEMO_AUTH_ID}/latest/",
        f"sessions/{DEMO_AUTH_ID}/latest/extra",
        f"sessions/{DEMO_AUTH_ID}",
        f"sessions/{DEMO_AUTH_ID}/oldest",
        f"session%73/{DEMO_AUTH_ID}/latest",  # decodes to the route, but the raw path differs
    ],
)
async def test_paths_that_must_not_match(sim_env: SimEnv, tail: str) -> None:
    sim_env.sim.add_driver("a/b", token_uid="slash")
    sim_env.sim.start_session("a/b")
    reply = await sim_env.request("GET", f"{sim_env.base_url}/{tail}", headers=AUTH)
    assert reply.status == 404
    assert reply.json()["data"] is None


async def test_query_string_is_not_part_of_the_auth_id(sim_env: SimEnv) -> None:
    url = f"{sim_env.base_url}/sessions/{DEMO_AUTH_ID}/latest?x=1"
    reply = await sim_env.request("GET", url, headers=AUTH)
    assert reply.status == 200
    record = sim_env.sim.requests[-1]
    assert (record.path, record.query) == (
        f"/api/ocpi/api/v1/sessions/{DEMO_AUTH_ID}/latest",
        "x=1",
    )


async def test_error_bodies_never_echo_the_token(sim_env: SimEnv) -> None:
    for auth_id in (DEMO_TOKEN, DEMO_AUTH_ID_BLOCKED, DEMO_AUTH_ID_NEW):
        reply = await sim_env.latest(auth_id)
        assert DEMO_TOKEN not in reply.text
