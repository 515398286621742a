"""An auth_id never changes the path, and the token stays in the Authorization header only."""

import pytest

from custom_components.evnnovator.api import EvnnovatorClient, EvnnovatorCommandRejectedError
from custom_components.evnnovator.api.client import encode_path_segment
from evnnovator_simulator import (
    DEMO_AUTH_ID,
    DEMO_EVSE_UID,
    DEMO_LOCATION_ID,
    DEMO_TOKEN,
    DEMO_TOKEN_UID,
    Simulator,
)

from .conftest import MakeClient

REDACTED = "<redacted>"


@pytest.mark.parametrize(
    ("auth_id", "segment"),
    [
        pytest.param("a/../b?x#y", "a%2F..%2Fb%3Fx%23y", id="slash-dots-query-fragment"),
        pytest.param("..", "%2E%2E", id="dot-dot"),
        pytest.param(".", "%2E", id="dot"),
        pytest.param("...", "%2E%2E%2E", id="three-dots"),
        pytest.param("%2e%2e", "%252e%252e", id="already-encoded-dots"),
        pytest.param("../latest", "..%2Flatest", id="dot-dot-slash"),
        pytest.param("a b+c&d=e;f", "a%20b%2Bc%26d%3De%3Bf", id="reserved"),
        pytest.param("ドライバー", "%E3%83%89%E3%83%A9%E3%82%A4%E3%83%90%E3%83%BC", id="unicode"),
        pytest.param("a\\b", "a%5Cb", id="backslash"),
    ],
)
async def test_auth_id_is_one_path_segment(
    sim: Simulator, client: EvnnovatorClient, auth_id: str, segment: str
) -> None:
    """Any auth_id reaches the API percent-encoded as exactly one segment, and round-trips."""
    sim.add_driver(auth_id, token_uid="odd-driver-token-uid")
    sim.start_session(auth_id)
    session = await client.get_latest_session(auth_id)
    assert session is not None
    assert session.auth_id == auth_id
    [request] = sim.requests
    assert request.path == f"{sim.settings.prefix}/sessions/{segment}/latest"
    assert request.query == ""
    assert encode_path_segment(auth_id) == segment


async def test_traversing_auth_id_of_an_unknown_driver(
    sim: Simulator, client: EvnnovatorClient
) -> None:
    """An auth_id that tries to climb the path is just an unknown driver (404 -> None)."""
    assert await client.get_latest_session(f"../../sessions/{DEMO_AUTH_ID}") is None
    [request] = sim.requests
    assert request.path == (
        f"{sim.settings.prefix}/sessions/..%2F..%2Fsessions%2F{DEMO_AUTH_ID}/latest"
    )
    assert request.status == 404


@pytest.mark.parametrize("auth_scheme", ["token", "bearer"])
def test_repr_hides_the_token(make_client: MakeClient, auth_scheme: str) -> None:
    """repr(client) names the base URL and scheme, never the token."""
    client = make_client(auth_scheme=auth_scheme)
    text = repr(client)
    assert DEMO_TOKEN not in text
    assert client.base_url in text
    assert auth_scheme in text


async def test_token_only_in_the_header(sim: Simulator, client: EvnnovatorClient) -> None:
    """No request puts the token in its path, query or body (the simulator would redact it)."""
    session = await client.get_latest_session(DEMO_AUTH_ID)
    assert session is not None
    with pytest.raises(EvnnovatorCommandRejectedError):
        await client.start_session(
            location_id=DEMO_LOCATION_ID, evse_uid=DEMO_EVSE_UID, token_uid=DEMO_TOKEN_UID
        )
    await client.stop_session(session.id)
    assert len(sim.requests) == 3
    for request in sim.requests:
        assert request.authorized
        recorded = f"{request.path} {request.query} {request.body}"
        assert DEMO_TOKEN not in recorded
        assert REDACTED not in recorded
