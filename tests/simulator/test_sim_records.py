"""The request record: what it holds, and that the token never gets into it or the log."""

import logging

import pytest

from evnnovator_simulator import DEMO_AUTH_ID, DEMO_TOKEN, RecordedRequest

from .conftest import AUTH, SimEnv


async def test_record_fields(sim_env: SimEnv) -> None:
    sim_env.clock.advance(12)
    await sim_env.request(
        "POST",
        f"{sim_env.base_url}/commands/STOP_SESSION?dry=1&x=%20",
        headers={"Authorization": f"Bearer {DEMO_TOKEN}"},
        json={"session_id": "abc"},
    )
    [record] = sim_env.sim.requests
    assert isinstance(record, RecordedRequest)
    assert record.method == "POST"
    assert record.path == "/api/ocpi/api/v1/commands/STOP_SESSION"
    assert record.query == "dry=1&x=%20"
    assert record.auth_scheme == "bearer"
    assert record.authorized is True
    assert record.body == {"session_id": "abc"}
    assert record.status == 200
    assert record.fault is None
    assert record.at.isoformat() == "2026-11-23T08:00:12+00:00"
    with pytest.raises(AttributeError):
        record.status = 500  # type: ignore[misc]


async def test_non_json_body_is_recorded_as_none(sim_env: SimEnv) -> None:
    for data in (b"not json", b"\xff\xfe", b""):
        await sim_env.request(
            "POST", f"{sim_env.base_url}/commands/STOP_SESSION", headers=AUTH, data=data
        )
    assert [record.body for record in sim_env.sim.requests] == [None, None, None]
    assert [record.status for record in sim_env.sim.requests] == [400, 400, 400]


async def test_token_never_recorded_or_logged(
    sim_env: SimEnv, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    # Clients that misplace the token: in the path, the query, the body.
    await sim_env.latest(DEMO_TOKEN)
    await sim_env.request(
        "GET", f"{sim_env.base_url}/sessions/{DEMO_AUTH_ID}/latest?token={DEMO_TOKEN}", headers=AUTH
    )
    await sim_env.command("STOP_SESSION", {"session_id": DEMO_TOKEN, "token": DEMO_TOKEN})
    await sim_env.latest(headers={"Authorization": f"Token {DEMO_TOKEN}-wrong"})
    sim_env.sim.inject("http_500")
    await sim_env.latest()

    records = sim_env.sim.requests
    assert len(records) == 5
    assert DEMO_TOKEN not in repr(records)
    assert DEMO_TOKEN not in (await sim_env.control("GET", "requests")).text
    assert DEMO_TOKEN not in caplog.text
    assert "<redacted>" in records[0].path
    assert records[1].query == "token=<redacted>"
    assert records[2].body == {"session_id": "<redacted>", "token": "<redacted>"}
    assert records[4].fault == "http_500"
    assert "/latest" in caplog.text


async def test_requests_is_a_copy(sim_env: SimEnv) -> None:
    await sim_env.latest()
    sim_env.sim.requests.clear()
    assert len(sim_env.sim.requests) == 1
    sim_env.sim.clear_requests()
    assert sim_env.sim.requests == []
