"""Every call of the client over real HTTP against the simulator: paths, headers, bodies."""

import pytest

from custom_components.evnnovator.api import (
    AuthScheme,
    EvnnovatorAuthenticationError,
    EvnnovatorClient,
    EvnnovatorCommandRejectedError,
)
from evnnovator_simulator import (
    DEMO_AUTH_ID,
    DEMO_AUTH_ID_BLOCKED,
    DEMO_AUTH_ID_NEW,
    DEMO_EVSE_UID,
    DEMO_LOCATION_ID,
    Simulator,
    SimulatorSettings,
)

from .conftest import MakeClient
from .helpers import raises_exactly

ENVELOPES = pytest.mark.parametrize(
    "simulator_settings",
    [SimulatorSettings(), SimulatorSettings(command_envelope=True)],
    ids=["bare-result", "enveloped-result"],
)
NEW_TOKEN_UID = "tester-token-uid"


async def test_latest_session_over_http(sim: Simulator, client: EvnnovatorClient) -> None:
    """The demo driver's latest session is fetched with GET and parsed from the envelope."""
    expected = sim.latest_session(DEMO_AUTH_ID)
    assert expected is not None
    session = await client.get_latest_session(DEMO_AUTH_ID)
    assert session is not None
    assert (session.id, session.status, session.kwh, session.auth_id) == (
        expected["id"],
        "ACTIVE",
        expected["kwh"],
        DEMO_AUTH_ID,
    )
    assert session.raw == expected
    [request] = sim.requests
    assert (request.method, request.path, request.query, request.body, request.status) == (
        "GET",
        f"{sim.settings.prefix}/sessions/{DEMO_AUTH_ID}/latest",
        "",
        None,
        200,
    )
    assert (request.auth_scheme, request.authorized) == ("bearer", True)


@pytest.mark.parametrize("auth_id", [DEMO_AUTH_ID_NEW, "nobody-knows-me"])
async def test_no_latest_session_is_none(
    sim: Simulator, client: EvnnovatorClient, auth_id: str
) -> None:
    """A 404 (no session yet, or an unknown driver) reads as None, not as an error."""
    assert await client.get_latest_session(auth_id) is None
    assert [request.status for request in sim.requests] == [404]


@pytest.mark.parametrize(
    "simulator_settings",
    [SimulatorSettings(prefix=""), SimulatorSettings(prefix="/v2/ocpi")],
    ids=["no-prefix", "other-prefix"],
)
@pytest.mark.parametrize("suffix", ["", "/", "/  "], ids=["plain", "slash", "slash-space"])
async def test_paths_are_built_from_the_base_url(
    sim: Simulator, make_client: MakeClient, suffix: str
) -> None:
    """Every path hangs off the configured base URL, with or without a trailing slash."""
    client = make_client(base_url=f"  {sim.base_url}{suffix}")
    assert client.base_url == sim.base_url
    assert await client.get_latest_session(DEMO_AUTH_ID) is not None
    with pytest.raises(EvnnovatorCommandRejectedError):
        await client.stop_session("unknown")
    assert [request.path for request in sim.requests] == [
        f"{sim.settings.prefix}/sessions/{DEMO_AUTH_ID}/latest",
        f"{sim.settings.prefix}/commands/STOP_SESSION",
    ]


@ENVELOPES
async def test_stop_session_accepted(sim: Simulator, client: EvnnovatorClient) -> None:
    """STOP_SESSION posts the session's hex id and returns quietly when ACCEPTED."""
    session = await client.get_latest_session(DEMO_AUTH_ID)
    assert session is not None
    sim.clear_requests()
    await client.stop_session(session.id)
    [request] = sim.requests
    assert (request.method, request.path, request.body, request.status) == (
        "POST",
        f"{sim.settings.prefix}/commands/STOP_SESSION",
        {"session_id": session.id},
        200,
    )


@ENVELOPES
async def test_stop_session_rejected(sim: Simulator, client: EvnnovatorClient) -> None:
    """STOP_SESSION answered REJECTED raises EvnnovatorCommandRejectedError naming the command."""
    err = await raises_exactly(
        EvnnovatorCommandRejectedError, client.stop_session("0123456789abcdef")
    )
    assert err.command == "STOP_SESSION"
    assert "REJECTED" in str(err)


@ENVELOPES
@pytest.mark.parametrize(
    ("autostop_kwh", "autostop_body"),
    [
        pytest.param(None, {}, id="no-autostop"),
        pytest.param(1, {"autostop_session": {"type": "ENERGY", "value": 1}}, id="autostop-1"),
        pytest.param(
            2.5, {"autostop_session": {"type": "ENERGY", "value": 2.5}}, id="autostop-2.5"
        ),
    ],
)
async def test_start_session_body(
    sim: Simulator,
    client: EvnnovatorClient,
    autostop_kwh: float | None,
    autostop_body: dict[str, object],
) -> None:
    """START_SESSION posts exactly the documented body; autostop_session only when asked for."""
    sim.add_driver("tester", token_uid=NEW_TOKEN_UID)
    await client.start_session(
        location_id=DEMO_LOCATION_ID,
        evse_uid=DEMO_EVSE_UID,
        token_uid=NEW_TOKEN_UID,
        autostop_kwh=autostop_kwh,
    )
    [request] = sim.requests
    assert (request.method, request.path, request.status) == (
        "POST",
        f"{sim.settings.prefix}/commands/START_SESSION",
        200,
    )
    assert (
        request.body
        == {
            "location_id": DEMO_LOCATION_ID,
            "evse_uid": DEMO_EVSE_UID,
            "token_uid": NEW_TOKEN_UID,
        }
        | autostop_body
    )
    latest = sim.latest_session("tester")
    assert latest is not None
    assert latest["status"] == "PENDING"


@pytest.mark.parametrize(
    ("options", "scheme"),
    [
        pytest.param({}, "bearer", id="default"),
        pytest.param({"auth_scheme": "token"}, "token", id="token"),
        pytest.param({"auth_scheme": "bearer"}, "bearer", id="bearer"),
        pytest.param({"auth_scheme": "Bearer"}, "bearer", id="bearer-capitalised"),
        pytest.param({"auth_scheme": AuthScheme.BEARER}, "bearer", id="bearer-enum"),
    ],
)
async def test_authorization_scheme(
    sim: Simulator, make_client: MakeClient, options: dict[str, str], scheme: str
) -> None:
    """The token goes in `Authorization: Bearer <t>` by default (as the gateway documents)."""
    client = make_client(**options)
    assert client.auth_scheme == scheme
    await client.get_latest_session(DEMO_AUTH_ID)
    with pytest.raises(EvnnovatorCommandRejectedError):  # REJECTED, but authorized
        await client.stop_session("unknown-session")
    assert [(r.auth_scheme, r.authorized) for r in sim.requests] == [(scheme, True)] * 2


async def test_wrong_token_is_401(sim: Simulator, make_client: MakeClient) -> None:
    """A token the API does not know raises EvnnovatorAuthenticationError with status 401."""
    client = make_client(token="wrong-token-123")
    err = await raises_exactly(
        EvnnovatorAuthenticationError, client.get_latest_session(DEMO_AUTH_ID)
    )
    assert err.status == 401
    [request] = sim.requests
    assert (request.auth_scheme, request.authorized, request.status) == ("bearer", False, 401)


async def test_blocked_driver_is_403(client: EvnnovatorClient) -> None:
    """A driver the operator has not whitelisted raises EvnnovatorAuthenticationError, 403."""
    err = await raises_exactly(
        EvnnovatorAuthenticationError, client.get_latest_session(DEMO_AUTH_ID_BLOCKED)
    )
    assert err.status == 403
