"""Injected faults: each kind, `only`, `count`, order, and what faults never touch."""

import asyncio
import json
import time
from typing import Any

import aiohttp
import pytest

from evnnovator_simulator import (
    DEMO_AUTH_ID,
    DEMO_TOKEN,
    FaultKind,
    Simulator,
    SimulatorSettings,
)

from .conftest import AUTH, Reply, SimEnv

STOP_BODY = {"session_id": "ae18c8e04f45946f0706735285a0a069"}
# Where a command's result is: plain as documented, or in an envelope.
BOTH_COMMAND_SHAPES = pytest.mark.parametrize(
    ("settings", "path"),
    [
        (SimulatorSettings(), ("result",)),
        (SimulatorSettings(command_envelope=True), ("data", "result")),
    ],
)


def test_fault_kind_values() -> None:
    assert {kind.value for kind in FaultKind} == {
        "timeout",
        "slow",
        "http_500",
        "http_502_html",
        "http_429",
        "http_401",
        "http_403",
        "bad_json",
        "status_2001",
        "wrong_types",
        "oversized",
        "not_found",
        "data_null",
        "http_404_page",
        "echo_token",
        "echo_token_field",
        "absurd_kwh",
        "long_text",
        "nested_field",
        "far_future",
    }


async def test_http_500(sim_env: SimEnv) -> None:
    sim_env.sim.inject(FaultKind.HTTP_500)
    reply = await sim_env.latest()
    assert reply.status == 500
    assert reply.json()["status_code"] == 3000
    assert (await sim_env.latest()).status == 200


@pytest.mark.parametrize(("kind", "status"), [("http_502_html", 502), ("http_404_page", 404)])
async def test_web_server_pages(sim_env: SimEnv, kind: str, status: int) -> None:
    """Pages of the web server in front of the API: HTML, not the API's JSON."""
    sim_env.sim.inject(kind)
    reply = await sim_env.latest()
    assert reply.status == status
    assert reply.headers["Content-Type"].startswith("text/html")
    assert "<html>" in reply.text
    with pytest.raises(json.JSONDecodeError):
        reply.json()


@pytest.mark.parametrize(
    ("params", "header"),
    [
        ({}, "30"),
        ({"retry_after": 7}, "7"),
        ({"retry_after": "Wed, 21 Oct 2026 07:28:00 GMT"}, "Wed, 21 Oct 2026 07:28:00 GMT"),
        ({"retry_after": None}, None),
    ],
)
async def test_http_429(sim_env: SimEnv, params: dict[str, Any], header: str | None) -> None:
    sim_env.sim.inject("http_429", **params)
    reply = await sim_env.latest()
    assert reply.status == 429
    assert reply.headers.get("Retry-After") == header
    assert reply.json()["status_code"] == 2000


@pytest.mark.parametrize(("kind", "status"), [("http_401", 401), ("http_403", 403)])
async def test_http_401_and_403_despite_good_credentials(
    sim_env: SimEnv, kind: str, status: int
) -> None:
    sim_env.sim.inject(kind)
    reply = await sim_env.latest()
    assert reply.status == status
    assert reply.json()["data"] is None
    assert DEMO_TOKEN not in reply.text


async def test_bad_json(sim_env: SimEnv) -> None:
    sim_env.sim.inject("bad_json")
    reply = await sim_env.latest()
    assert reply.status == 200
    assert reply.headers["Content-Type"].startswith("application/json")
    with pytest.raises(json.JSONDecodeError):
        reply.json()


async def test_status_2001(sim_env: SimEnv) -> None:
    sim_env.sim.inject("status_2001")
    reply = await sim_env.latest()
    assert reply.status == 200
    body = reply.json()
    assert body["status_code"] == 2001
    assert body["status_message"]
    assert body["data"] is None


async def test_wrong_types_latest(sim_env: SimEnv) -> None:
    sim_env.sim.inject("wrong_types")
    body = (await sim_env.latest()).json()
    assert body["status_code"] == 1000
    data = body["data"]
    assert isinstance(data["kwh"], list)
    assert isinstance(data["status"], int)
    assert isinstance(data["id"], dict)


@BOTH_COMMAND_SHAPES
async def test_wrong_types_commands(sim_env: SimEnv, path: tuple[str, ...]) -> None:
    sim_env.sim.inject("wrong_types", only="commands")
    value = (await sim_env.command("STOP_SESSION", STOP_BODY)).json()
    for key in path:
        value = value[key]
    assert not isinstance(value, str)


async def test_oversized(sim_env: SimEnv) -> None:
    sim_env.sim.inject("oversized")
    reply = await sim_env.latest()
    assert reply.status == 200
    assert len(reply.text.encode()) > int(1.2 * 1024 * 1024)
    assert reply.json()["status_code"] == 1000


async def test_not_found_once(sim_env: SimEnv) -> None:
    sim_env.sim.inject("not_found", only="latest")
    reply = await sim_env.latest()
    assert (reply.status, reply.json()["data"]) == (404, None)
    assert reply.json()["status_code"] == 2000
    assert (await sim_env.latest()).json()["data"]["id"]


async def test_data_null_once(sim_env: SimEnv) -> None:
    sim_env.sim.inject("data_null")
    reply = await sim_env.latest()
    assert (reply.status, reply.json()["status_code"], reply.json()["data"]) == (200, 1000, None)
    assert (await sim_env.latest()).json()["data"]["id"]


async def test_outside_the_prefix_a_web_server_page_answers(sim_env: SimEnv) -> None:
    """The other documented base URL, on a gateway that serves the first: no JSON at all."""
    reply = await sim_env.request(
        "GET", f"{sim_env.origin}/api/v1/sessions/{DEMO_AUTH_ID}/latest", headers=AUTH
    )
    assert reply.status == 404
    assert reply.headers["Content-Type"].startswith("text/html")


@BOTH_COMMAND_SHAPES
async def test_echo_token_in_command_result(sim_env: SimEnv, path: tuple[str, ...]) -> None:
    sim_env.sim.inject("echo_token", only="commands")
    value = (await sim_env.command("STOP_SESSION", STOP_BODY)).json()
    for key in path:
        value = value[key]
    assert DEMO_TOKEN in value


async def test_echo_token_in_status_message(sim_env: SimEnv) -> None:
    sim_env.sim.inject("echo_token")
    body = (await sim_env.latest()).json()
    assert body["status_code"] == 2001
    assert DEMO_TOKEN in body["status_message"]


async def test_echo_token_in_a_session_field(sim_env: SimEnv) -> None:
    sim_env.sim.inject("echo_token_field")
    data = (await sim_env.latest()).json()["data"]
    assert DEMO_TOKEN in data["gateway_note"]
    assert data["id"]


async def test_absurd_kwh(sim_env: SimEnv) -> None:
    sim_env.sim.inject("absurd_kwh")
    assert (await sim_env.latest()).json()["data"]["kwh"] == 1e308
    sim_env.sim.inject("absurd_kwh", kwh=-3)
    assert (await sim_env.latest()).json()["data"]["kwh"] == -3
    assert (await sim_env.latest()).json()["data"]["kwh"] < 100


async def test_long_text(sim_env: SimEnv) -> None:
    sim_env.sim.inject("long_text", length=1000)
    name = (await sim_env.latest()).json()["data"]["location"]["name"]
    assert len(name) == 1000
    assert name.startswith("GJ | ")


async def test_nested_field(sim_env: SimEnv) -> None:
    sim_env.sim.inject("nested_field", depth=50)
    value = (await sim_env.latest()).json()["data"]["vendor_extension"]
    depth = 1
    while "more" in value:
        value, depth = value["more"], depth + 1
    assert (depth, value) == (50, {"leaf": "end"})


async def test_far_future(sim_env: SimEnv) -> None:
    sim_env.sim.inject("far_future", field="end_datetime")
    data = (await sim_env.latest()).json()["data"]
    assert data["end_datetime"] == "9999-12-31T23:59:59-05:00"


async def test_a_patching_fault_leaves_other_answers_alone(sim_env: SimEnv) -> None:
    sim_env.sim.inject("absurd_kwh", count=2)
    assert (await sim_env.command("STOP_SESSION", STOP_BODY)).json() == {"result": "REJECTED"}
    reply = await sim_env.latest("nobody")
    assert (reply.status, reply.json()["data"]) == (404, None)


async def test_slow_then_normal_answer(sim_env: SimEnv) -> None:
    sim_env.sim.inject("slow", seconds=0.05)
    started = time.monotonic()
    reply = await sim_env.latest()
    assert time.monotonic() - started >= 0.05
    assert reply.status == 200
    assert reply.json()["data"]["auth_id"] == DEMO_AUTH_ID
    record = sim_env.sim.requests[-1]
    assert (record.fault, record.status) == ("slow", 200)


async def test_slow_unauthorized_still_401(sim_env: SimEnv) -> None:
    sim_env.sim.inject("slow", seconds=0)
    assert (await sim_env.latest(headers={})).status == 401
    assert sim_env.sim.requests[-1].fault == "slow"


async def test_timeout_makes_the_client_give_up(sim_env: SimEnv) -> None:
    sim_env.sim.inject("timeout")
    with pytest.raises(TimeoutError):
        await sim_env.latest_with_timeout()
    record = sim_env.sim.requests[-1]
    assert (record.fault, record.status) == ("timeout", 504)
    started = time.monotonic()
    await sim_env.sim.stop()
    assert time.monotonic() - started < 2


async def test_timeout_held_request_ends_when_the_server_stops(sim_env: SimEnv) -> None:
    sim_env.sim.inject("timeout", seconds=60)
    waiting = asyncio.ensure_future(sim_env.latest())
    # The record is the only sign that the server now holds the request.
    while not sim_env.sim.requests:  # noqa: ASYNC110
        await asyncio.sleep(0.01)
    started = time.monotonic()
    await sim_env.sim.stop()
    try:
        reply: Reply | BaseException = await waiting
    except aiohttp.ClientError as exc:
        reply = exc
    assert time.monotonic() - started < 2
    assert not isinstance(reply, Reply) or reply.status == 504


async def test_short_timeout_answers_504(sim_env: SimEnv) -> None:
    sim_env.sim.inject("timeout", seconds=0.01)
    reply = await sim_env.latest()
    assert reply.status == 504
    assert reply.json()["status_code"] == 3000


async def test_faults_come_before_auth(sim_env: SimEnv) -> None:
    sim_env.sim.inject("http_500")
    assert (await sim_env.latest(headers={})).status == 500
    record = sim_env.sim.requests[-1]
    assert (record.authorized, record.fault, record.status) == (False, "http_500", 500)


async def test_count_and_order(sim_env: SimEnv) -> None:
    sim_env.sim.inject("http_500", count=2)
    sim_env.sim.inject("http_403")
    statuses = [(await sim_env.latest()).status for _ in range(4)]
    assert statuses == [500, 500, 403, 200]


async def test_only_latest(sim_env: SimEnv) -> None:
    sim_env.sim.inject("http_500", only="latest")
    assert (await sim_env.command("STOP_SESSION", STOP_BODY)).status == 200
    assert (await sim_env.request("GET", f"{sim_env.base_url}/other", headers=AUTH)).status == 404
    assert (await sim_env.latest()).status == 500
    assert (await sim_env.latest()).status == 200


async def test_only_commands(sim_env: SimEnv) -> None:
    sim_env.sim.inject("http_502_html", count=2, only="commands")
    sim_env.sim.inject("http_429")
    # The later, unrestricted fault applies to the latest call first.
    assert (await sim_env.latest()).status == 429
    assert (await sim_env.latest()).status == 200
    assert (await sim_env.command("STOP_SESSION", STOP_BODY)).status == 502
    assert (await sim_env.command("START_SESSION", {})).status == 502
    assert (await sim_env.command("STOP_SESSION", STOP_BODY)).status == 200


async def test_any_api_path_is_faulted_but_nothing_else(sim_env: SimEnv) -> None:
    sim_env.sim.inject("http_500", count=2)
    # Outside the prefix and on the control API: not faulted.
    assert (await sim_env.request("GET", f"{sim_env.origin}/elsewhere", headers=AUTH)).status == 404
    assert (await sim_env.control("GET", "requests")).status == 200
    assert (await sim_env.request("GET", f"{sim_env.base_url}/other", headers=AUTH)).status == 500
    assert (await sim_env.latest()).status == 500
    assert (await sim_env.latest()).status == 200


async def test_clear_faults(sim_env: SimEnv) -> None:
    sim_env.sim.inject("http_500", count=5)
    sim_env.sim.clear_faults()
    assert (await sim_env.latest()).status == 200


@pytest.mark.parametrize(
    ("args", "kwargs", "error"),
    [
        (("nope",), {}, ValueError),
        (("http_500", 0), {}, ValueError),
        (("http_500", True), {}, ValueError),
        (("http_500", 1.5), {}, ValueError),
        (("http_500",), {"only": "sessions"}, ValueError),
        (("http_500",), {"seconds": 1}, TypeError),
        (("slow",), {"retry_after": 1}, TypeError),
        (("slow",), {"seconds": -1}, ValueError),
        (("timeout",), {"seconds": "60"}, ValueError),
        (("timeout",), {"seconds": float("inf")}, ValueError),
        (("http_429",), {"retry_after": -1}, ValueError),
        (("http_429",), {"retry_after": True}, ValueError),
        (("http_429",), {"retry_after": 1.5}, ValueError),
        (("absurd_kwh",), {"kwh": "big"}, ValueError),
        (("long_text",), {"length": 0}, ValueError),
        (("nested_field",), {"depth": True}, ValueError),
        (("far_future",), {"value": 9999}, ValueError),
    ],
)
def test_inject_validation(
    args: tuple[Any, ...], kwargs: dict[str, Any], error: type[Exception]
) -> None:
    sim = Simulator()
    with pytest.raises(error):
        sim.inject(*args, **kwargs)
