"""Authentication, then the 403 and 404 answers."""

import pytest

from evnnovator_simulator import DEMO_AUTH_ID, DEMO_AUTH_ID_BLOCKED, DEMO_AUTH_ID_NEW, DEMO_TOKEN

from .conftest import AUTH, SimEnv


@pytest.mark.parametrize("scheme", ["Token", "token", "TOKEN", "Bearer", "bearer", "BeArEr"])
async def test_token_and_bearer_schemes_accepted(sim_env: SimEnv, scheme: str) -> None:
    reply = await sim_env.latest(headers={"Authorization": f"{scheme} {DEMO_TOKEN}"})
    assert reply.status == 200
    assert sim_env.sim.requests[-1].auth_scheme == scheme.lower()


@pytest.mark.parametrize(
    ("headers", "scheme"),
    [
        ({}, None),
        ({"Authorization": "Token wrong-token"}, "token"),
        ({"Authorization": f"Bearer {DEMO_TOKEN}x"}, "bearer"),
        ({"Authorization": "Token"}, "token"),
        ({"Authorization": f"Basic {DEMO_TOKEN}"}, "other"),
        ({"Authorization": DEMO_TOKEN}, "other"),
    ],
)
async def test_missing_or_wrong_credentials_401(
    sim_env: SimEnv, headers: dict[str, str], scheme: str | None
) -> None:
    reply = await sim_env.latest(headers=headers)
    assert reply.status == 401
    body = reply.json()
    assert body["status_code"] == 2000
    assert body["data"] is None
    assert DEMO_TOKEN not in reply.text
    record = sim_env.sim.requests[-1]
    assert (record.auth_scheme, record.authorized, record.status) == (scheme, False, 401)


@pytest.mark.parametrize(
    "auth_id", [DEMO_AUTH_ID_BLOCKED, "nobody", DEMO_AUTH_ID_NEW, DEMO_AUTH_ID]
)
async def test_auth_is_checked_before_anything_else(sim_env: SimEnv, auth_id: str) -> None:
    assert (await sim_env.latest(auth_id, headers={})).status == 401
    reply = await sim_env.request("GET", f"{sim_env.base_url}/nowhere")
    assert reply.status == 401
    reply = await sim_env.command("STOP_SESSION", "not an object", headers={})
    assert reply.status == 401


async def test_driver_not_whitelisted_403(sim_env: SimEnv) -> None:
    reply = await sim_env.latest(DEMO_AUTH_ID_BLOCKED)
    assert reply.status == 403
    assert reply.json()["status_code"] == 2000
    assert reply.json()["status_message"]


@pytest.mark.parametrize("auth_id", ["unknown-driver", DEMO_AUTH_ID_NEW, ""])
async def test_unknown_driver_or_no_session_404(sim_env: SimEnv, auth_id: str) -> None:
    reply = await sim_env.latest(auth_id)
    assert reply.status == 404
    assert reply.json()["status_code"] == 2000
    assert reply.json()["data"] is None


async def test_unknown_paths_and_methods_get_json_errors(sim_env: SimEnv) -> None:
    reply = await sim_env.request("GET", f"{sim_env.base_url}/locations", headers=AUTH)
    assert (reply.status, reply.json()["status_code"]) == (404, 2000)
    reply = await sim_env.request("GET", f"{sim_env.base_url}/commands/STOP_SESSION", headers=AUTH)
    assert (reply.status, reply.json()["status_code"]) == (405, 2000)
    # Outside the prefix there is no API either, but the same JSON shape.
    reply = await sim_env.request("GET", f"{sim_env.origin}/api/v1/sessions/x/latest", headers=AUTH)
    assert reply.status == 404
