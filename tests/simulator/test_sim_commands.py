"""START_SESSION and STOP_SESSION."""

import json
from typing import Any

import pytest

from evnnovator_simulator import (
    DEMO_AUTH_ID,
    DEMO_AUTH_ID_NEW,
    DEMO_EVSE_UID,
    DEMO_LOCATION_ID,
    DEMO_TOKEN_UID,
    SimulatorSettings,
)
from evnnovator_simulator.demo import DEMO_TOKEN_UID_BLOCKED, DEMO_TOKEN_UID_NEW
from evnnovator_simulator.site import LOCATION_UUID, SECOND_EVSE_UID

from .conftest import AUTH, SimEnv

ACCEPTED = {"result": "ACCEPTED"}
REJECTED = {"result": "REJECTED"}


def start_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "autostop_session": {"type": "ENERGY", "value": 1},
        "evse_uid": DEMO_EVSE_UID,
        "location_id": DEMO_LOCATION_ID,
        "token_uid": DEMO_TOKEN_UID_NEW,
    }
    return body | overrides


async def test_start_creates_a_pending_latest_session(sim_env: SimEnv) -> None:
    reply = await sim_env.command("START_SESSION", start_body())
    assert (reply.status, reply.json()) == (200, ACCEPTED)
    assert reply.headers["Content-Type"].startswith("application/json")
    data = (await sim_env.latest(DEMO_AUTH_ID_NEW)).json()["data"]
    assert (data["status"], data["auth_id"], data["auth_method"]) == (
        "PENDING",
        DEMO_AUTH_ID_NEW,
        "COMMAND",
    )
    # The autostop of 1 kWh is honoured: at 7.4 kW it is reached after 1/7.4 h of charging.
    sim_env.clock.advance(5 + 3600 / 7.4)
    data = (await sim_env.latest(DEMO_AUTH_ID_NEW)).json()["data"]
    assert (data["status"], data["kwh"]) == ("COMPLETED", 1.0)
    # Once it is over, the driver may start again.
    reply = await sim_env.command("START_SESSION", start_body(autostop_session=None))
    assert reply.json() == ACCEPTED


async def test_start_without_autostop_and_with_any_case_evse(sim_env: SimEnv) -> None:
    body = start_body(evse_uid=SECOND_EVSE_UID.lower())
    del body["autostop_session"]
    assert (await sim_env.command("START_SESSION", body)).json() == ACCEPTED
    sim_env.clock.advance(86400)
    data = (await sim_env.latest(DEMO_AUTH_ID_NEW)).json()["data"]
    assert data["status"] == "ACTIVE"
    assert data["evseId"] == SECOND_EVSE_UID.lower()


@pytest.mark.parametrize(
    "overrides",
    [
        {"token_uid": DEMO_TOKEN_UID},  # demo-driver-1 is already charging
        {"token_uid": "unknown-token"},
        {"token_uid": DEMO_TOKEN_UID_BLOCKED},
        {"location_id": LOCATION_UUID},  # the UUID is not the id START takes
        {"location_id": DEMO_LOCATION_ID.upper()},
        {"evse_uid": "00000000-0000-0000-0000-000000000000"},
    ],
)
async def test_start_rejected(sim_env: SimEnv, overrides: dict[str, Any]) -> None:
    reply = await sim_env.command("START_SESSION", start_body(**overrides))
    assert (reply.status, reply.json()) == (200, REJECTED)


async def test_start_rejected_while_pending(sim_env: SimEnv) -> None:
    assert (await sim_env.command("START_SESSION", start_body())).json() == ACCEPTED
    assert (await sim_env.command("START_SESSION", start_body())).json() == REJECTED


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        ["a", "list"],
        {},
        {"token_uid": DEMO_TOKEN_UID_NEW, "location_id": DEMO_LOCATION_ID},
        start_body(token_uid=123),
        start_body(autostop_session="1 kWh"),
        start_body(autostop_session={"type": "TIME", "value": 1}),
        start_body(autostop_session={"type": "ENERGY"}),
        start_body(autostop_session={"type": "ENERGY", "value": "1"}),
        start_body(autostop_session={"type": "ENERGY", "value": True}),
        start_body(autostop_session={"type": "ENERGY", "value": 0}),
        start_body(autostop_session={"type": "ENERGY", "value": -1}),
    ],
)
async def test_start_malformed_400(sim_env: SimEnv, body: Any) -> None:
    if isinstance(body, str):
        reply = await sim_env.request(
            "POST", f"{sim_env.base_url}/commands/START_SESSION", headers=AUTH, data=body
        )
    else:
        reply = await sim_env.command("START_SESSION", body)
    assert reply.status == 400
    assert reply.json()["status_code"] == 2001
    assert sim_env.sim.latest_session(DEMO_AUTH_ID_NEW) is None


async def test_start_with_nan_autostop_400(sim_env: SimEnv) -> None:
    # json.dumps writes NaN for a float nan, as some clients do.
    raw = json.dumps(start_body(autostop_session={"type": "ENERGY", "value": float("nan")}))
    assert "NaN" in raw
    reply = await sim_env.request(
        "POST",
        f"{sim_env.base_url}/commands/START_SESSION",
        headers=AUTH | {"Content-Type": "application/json"},
        data=raw,
    )
    assert reply.status == 400


async def test_stop_the_demo_session(sim_env: SimEnv) -> None:
    session_id = (await sim_env.latest(DEMO_AUTH_ID)).json()["data"]["id"]
    reply = await sim_env.command("STOP_SESSION", {"session_id": session_id})
    assert (reply.status, reply.json()) == (200, ACCEPTED)
    sim_env.clock.advance(5)
    data = (await sim_env.latest(DEMO_AUTH_ID)).json()["data"]
    assert data["status"] == "COMPLETED"
    assert (await sim_env.command("STOP_SESSION", {"session_id": session_id})).json() == REJECTED


@pytest.mark.parametrize("session_id", ["ae18c8e04f45946f0706735285a0a069", "20796751", ""])
async def test_stop_unknown_session_rejected(sim_env: SimEnv, session_id: str) -> None:
    reply = await sim_env.command("STOP_SESSION", {"session_id": session_id})
    assert (reply.status, reply.json()) == (200, REJECTED)


@pytest.mark.parametrize("body", [{}, {"session_id": 20796751}, {"id": "x"}, ["x"], None])
async def test_stop_malformed_400(sim_env: SimEnv, body: Any) -> None:
    reply = await sim_env.command("STOP_SESSION", body)
    assert reply.status == 400
    assert reply.json()["status_code"] == 2001


@pytest.mark.parametrize("settings", [SimulatorSettings(command_envelope=True)])
async def test_command_envelope_option(sim_env: SimEnv) -> None:
    session_id = (await sim_env.latest(DEMO_AUTH_ID)).json()["data"]["id"]
    body = (await sim_env.command("STOP_SESSION", {"session_id": session_id})).json()
    assert body == {
        "status_code": 1000,
        "status_message": "Success",
        "timestamp": "2026-11-23T08:00:00.000+00:00",
        "data": ACCEPTED,
    }
    body = (await sim_env.command("START_SESSION", start_body(token_uid="nobody"))).json()
    assert body["data"] == REJECTED
