"""The control API under /_simulator."""

from typing import Any

import aiohttp
import pytest

from evnnovator_simulator import DEMO_AUTH_ID, DEMO_AUTH_ID_NEW, DEMO_TOKEN, Simulator
from tests.conftest import NEW_TOKEN

from .conftest import AUTH, SimEnv

NEW_AUTH = {"Authorization": f"Token {NEW_TOKEN}"}


async def test_inject_and_clear_faults(sim_env: SimEnv) -> None:
    reply = await sim_env.control(
        "POST", "faults", {"kind": "http_429", "count": 2, "only": "latest", "retry_after": 5}
    )
    assert reply.status == 204
    assert (await sim_env.command("STOP_SESSION", {"session_id": "x"})).status == 200
    reply = await sim_env.latest()
    assert (reply.status, reply.headers["Retry-After"]) == (429, "5")
    assert (await sim_env.control("DELETE", "faults")).status == 204
    assert (await sim_env.latest()).status == 200


async def test_inject_with_defaults(sim_env: SimEnv) -> None:
    assert (await sim_env.control("POST", "faults", {"kind": "http_500"})).status == 204
    assert (await sim_env.latest()).status == 500
    assert (await sim_env.latest()).status == 200


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        ["http_500"],
        {},
        {"kind": "nope"},
        {"kind": "http_500", "count": 0},
        {"kind": "http_500", "only": "everything"},
        {"kind": "http_500", "seconds": 3},
        {"kind": "slow", "seconds": "3"},
    ],
)
async def test_inject_invalid_400(sim_env: SimEnv, body: Any) -> None:
    reply = await sim_env.post_control("faults", body)
    assert reply.status == 400
    assert reply.json()["error"]
    assert (await sim_env.latest()).status == 200


async def test_requests_listing_and_clearing(sim_env: SimEnv) -> None:
    await sim_env.latest()
    await sim_env.command("STOP_SESSION", {"session_id": "x"})
    reply = await sim_env.control("GET", "requests")
    assert reply.status == 200
    records = reply.json()
    # Control requests are never recorded.
    assert [(r["method"], r["status"]) for r in records] == [("GET", 200), ("POST", 200)]
    assert records[0] == {
        "method": "GET",
        "path": f"/api/ocpi/api/v1/sessions/{DEMO_AUTH_ID}/latest",
        "query": "",
        "auth_scheme": "token",
        "authorized": True,
        "body": None,
        "status": 200,
        "fault": None,
        "at": "2026-11-23T08:00:00.000+00:00",
    }
    assert records[1]["body"] == {"session_id": "x"}
    assert (await sim_env.control("DELETE", "requests")).status == 204
    assert (await sim_env.control("GET", "requests")).json() == []
    assert sim_env.sim.requests == []


async def test_start_session_from_outside(sim_env: SimEnv) -> None:
    reply = await sim_env.control("POST", "sessions", {"auth_id": DEMO_AUTH_ID_NEW})
    assert reply.status == 201
    session_id = reply.json()["id"]
    data = (await sim_env.latest(DEMO_AUTH_ID_NEW)).json()["data"]
    assert (data["id"], data["status"]) == (session_id, "PENDING")

    reply = await sim_env.control(
        "POST", "sessions", {"auth_id": DEMO_AUTH_ID_NEW, "autostop_kwh": 0.5}
    )
    assert reply.status == 201
    await sim_env.control("POST", "clock/advance", {"seconds": 5 + 3600 * 0.5 / 7.4})
    data = (await sim_env.latest(DEMO_AUTH_ID_NEW)).json()["data"]
    assert (data["id"], data["status"], data["kwh"]) == (reply.json()["id"], "COMPLETED", 0.5)


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"auth_id": "nobody"}, 404),
        ({}, 400),
        ({"auth_id": 1}, 400),
        ({"auth_id": DEMO_AUTH_ID_NEW, "autostop_kwh": "1"}, 400),
        ({"auth_id": DEMO_AUTH_ID_NEW, "autostop_kwh": 0}, 400),
        ([DEMO_AUTH_ID_NEW], 400),
    ],
)
async def test_start_session_invalid(sim_env: SimEnv, body: Any, status: int) -> None:
    reply = await sim_env.control("POST", "sessions", body)
    assert reply.status == status
    assert reply.json()["error"]


async def test_clock_advance(sim_env: SimEnv) -> None:
    reply = await sim_env.control("POST", "clock/advance", {"seconds": 90})
    assert (reply.status, reply.json()) == (200, {"now": "2026-11-23T08:01:30.000+00:00"})
    assert sim_env.clock().isoformat() == "2026-11-23T08:01:30+00:00"
    data = (await sim_env.latest()).json()["data"]
    assert data["end_datetime"] == "2026-11-23T08:01:30.000+00:00"


@pytest.mark.parametrize("body", [{}, {"seconds": -1}, {"seconds": "1"}, {"seconds": True}, [1]])
async def test_clock_advance_invalid(sim_env: SimEnv, body: Any) -> None:
    reply = await sim_env.control("POST", "clock/advance", body)
    assert reply.status == 400
    assert sim_env.clock().isoformat() == "2026-11-23T08:00:00+00:00"


async def test_clock_advance_needs_a_manual_clock(socket_enabled: None) -> None:
    sim = Simulator()
    base_url = await sim.start()
    origin = base_url.removesuffix(sim.settings.prefix)
    try:
        async with (
            aiohttp.ClientSession() as http,
            http.post(f"{origin}/_simulator/clock/advance", json={"seconds": 1}) as resp,
        ):
            assert resp.status == 409
            assert (await resp.json())["error"]
    finally:
        await sim.stop()


# --- The token ------------------------------------------------------------------------------


async def test_token_changed_over_http(sim_env: SimEnv) -> None:
    """After the change the old token is refused like any wrong one, and the new one works."""
    assert (await sim_env.control("POST", "token", {"token": NEW_TOKEN})).status == 204

    assert (await sim_env.latest(headers=AUTH)).status == 401
    assert (await sim_env.latest(headers=NEW_AUTH)).status == 200
    bearer = await sim_env.latest(headers={"Authorization": f"Bearer {NEW_TOKEN}"})
    assert bearer.status == 200
    assert sim_env.sim.settings.token == NEW_TOKEN
    assert [(r.authorized, r.status) for r in sim_env.sim.requests] == [
        (False, 401),
        (True, 200),
        (True, 200),
    ]


@pytest.mark.parametrize("body", ["not json", {}, {"token": ""}, {"token": 5}, [NEW_TOKEN]])
async def test_token_change_invalid_400(sim_env: SimEnv, body: Any) -> None:
    """A body without a token changes nothing."""
    reply = await sim_env.post_control("token", body)
    assert reply.status == 400
    assert reply.json()["error"]
    assert (await sim_env.latest(headers=AUTH)).status == 200
    assert sim_env.sim.settings.token == DEMO_TOKEN


async def test_set_token_in_python(sim_env: SimEnv) -> None:
    """The Python method does the same; an empty token is refused and changes nothing."""
    with pytest.raises(ValueError, match="token"):
        sim_env.sim.set_token("")
    assert (await sim_env.latest(headers=AUTH)).status == 200

    sim_env.sim.set_token(NEW_TOKEN)

    assert (await sim_env.latest(headers=AUTH)).status == 401
    assert (await sim_env.latest(headers=NEW_AUTH)).status == 200


async def test_every_token_ever_accepted_stays_secret(sim_env: SimEnv) -> None:
    """The records scrub the old token and the new one; a fault echoes the one now in force."""
    sim_env.sim.set_token(NEW_TOKEN)
    url = f"{sim_env.base_url}/sessions/{DEMO_AUTH_ID}/latest"
    await sim_env.request("GET", f"{url}?old={DEMO_TOKEN}&new={NEW_TOKEN}", headers=NEW_AUTH)
    sim_env.sim.inject("echo_token")
    echoed = (await sim_env.latest(headers=NEW_AUTH)).json()["status_message"]

    assert sim_env.sim.requests[0].query == "old=<redacted>&new=<redacted>"
    listing = (await sim_env.control("GET", "requests")).text
    assert DEMO_TOKEN not in listing
    assert NEW_TOKEN not in listing
    assert NEW_TOKEN in echoed
    assert DEMO_TOKEN not in echoed
