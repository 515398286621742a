"""Every failure the simulator can inject, and the client's own checks, map to one error each."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from email.utils import format_datetime
import socket
from typing import Any

import aiohttp
import pytest

from custom_components.evnnovator.api import (
    EvnnovatorAuthenticationError,
    EvnnovatorClient,
    EvnnovatorConnectionError,
    EvnnovatorError,
    EvnnovatorRateLimitError,
    EvnnovatorResponseError,
    EvnnovatorServerError,
)
from custom_components.evnnovator.api.client import _retry_after_seconds
from evnnovator_simulator import (
    DEMO_AUTH_ID,
    DEMO_EVSE_UID,
    DEMO_LOCATION_ID,
    DEMO_TOKEN,
    DEMO_TOKEN_UID,
    Simulator,
)

from .conftest import MakeClient
from .helpers import raises_exactly

type Call = Callable[[EvnnovatorClient], Awaitable[object]]


def latest(client: EvnnovatorClient) -> Awaitable[object]:
    """Ask for the demo driver's latest session."""
    return client.get_latest_session(DEMO_AUTH_ID)


def stop(client: EvnnovatorClient) -> Awaitable[None]:
    """Ask to stop a session."""
    return client.stop_session("ae18c8e04f45946f0706735285a0a069")


def start(client: EvnnovatorClient) -> Awaitable[None]:
    """Ask to start a session for the demo driver."""
    return client.start_session(
        location_id=DEMO_LOCATION_ID, evse_uid=DEMO_EVSE_UID, token_uid=DEMO_TOKEN_UID
    )


CALLS = pytest.mark.parametrize(
    ("call", "area"), [(latest, "latest"), (stop, "commands"), (start, "commands")]
)


def assert_no_token(err: BaseException, token: str = DEMO_TOKEN) -> None:
    """The token is in neither the error nor anything chained to it."""
    seen: BaseException | None = err
    while seen is not None:
        assert token not in f"{seen} {seen!r}"
        seen = seen.__cause__ or seen.__context__


@CALLS
@pytest.mark.parametrize(
    ("kind", "params", "expected"),
    [
        pytest.param("timeout", {}, EvnnovatorConnectionError, id="timeout"),
        pytest.param("timeout", {"seconds": 0}, EvnnovatorServerError, id="gateway-504"),
        pytest.param("http_500", {}, EvnnovatorServerError, id="http_500"),
        pytest.param("http_502_html", {}, EvnnovatorServerError, id="http_502_html"),
        pytest.param("http_429", {}, EvnnovatorRateLimitError, id="http_429"),
        pytest.param("http_401", {}, EvnnovatorAuthenticationError, id="http_401"),
        pytest.param("http_403", {}, EvnnovatorAuthenticationError, id="http_403"),
        pytest.param("bad_json", {}, EvnnovatorResponseError, id="bad_json"),
        pytest.param("status_2001", {}, EvnnovatorResponseError, id="status_2001"),
        pytest.param("wrong_types", {}, EvnnovatorResponseError, id="wrong_types"),
        pytest.param("oversized", {}, EvnnovatorResponseError, id="oversized"),
    ],
)
async def test_injected_fault(
    sim: Simulator,
    make_client: MakeClient,
    *,
    call: Call,
    area: str,
    kind: str,
    params: dict[str, Any],
    expected: type[EvnnovatorError],
) -> None:
    """Each injected fault raises exactly its documented error, without the token; then recovery."""
    client = make_client(request_timeout=0.2)
    sim.inject(kind, only=area, **params)
    err = await raises_exactly(expected, call(client))
    assert_no_token(err)
    assert [(r.fault, r.authorized) for r in sim.requests] == [(kind, True)]
    assert await client.get_latest_session(DEMO_AUTH_ID) is not None


@pytest.mark.parametrize(("kind", "status"), [("http_401", 401), ("http_403", 403)])
async def test_auth_fault_keeps_status(
    sim: Simulator, client: EvnnovatorClient, kind: str, status: int
) -> None:
    """An injected 401 or 403 is told apart by the error's status."""
    sim.inject(kind)
    err = await raises_exactly(EvnnovatorAuthenticationError, latest(client))
    assert err.status == status


async def test_slow_answer_within_the_timeout(sim: Simulator, client: EvnnovatorClient) -> None:
    """A slow answer that arrives within the request timeout is simply the answer."""
    sim.inject("slow", seconds=0.05)
    assert await latest(client) is not None
    assert [request.fault for request in sim.requests] == ["slow"]


@CALLS
async def test_slow_answer_beyond_the_timeout(
    sim: Simulator, make_client: MakeClient, call: Call, area: str
) -> None:
    """An answer slower than the request timeout raises EvnnovatorConnectionError."""
    sim.inject("slow", only=area, seconds=5)
    err = await raises_exactly(EvnnovatorConnectionError, call(make_client(request_timeout=0.2)))
    assert str(err).startswith("Timed out after 0.2 s")


async def test_timeout_message(sim: Simulator, make_client: MakeClient) -> None:
    """A timeout says how long the client waited and for which call."""
    sim.inject("timeout")
    err = await raises_exactly(EvnnovatorConnectionError, latest(make_client(request_timeout=0.2)))
    assert str(err) == "Timed out after 0.2 s waiting for 127.0.0.1 (the latest session)"


@dataclass(frozen=True)
class InFuture:
    """An HTTP date some seconds after the moment the test runs."""

    seconds: float
    zone: tzinfo | None = UTC
    """None writes the date with "-0000": a UTC time without a known zone."""

    def header(self) -> str:
        """The date, written in `zone`."""
        when = datetime.now(UTC) + timedelta(seconds=self.seconds)
        if self.zone is None:
            return format_datetime(when).replace("+0000", "-0000")
        return format_datetime(when.astimezone(self.zone), usegmt=self.zone is UTC)


def header_value(value: object) -> object:
    """The header as sent: an InFuture becomes its date now."""
    return value.header() if isinstance(value, InFuture) else value


@pytest.mark.parametrize(
    ("retry_after", "expected"),
    [
        pytest.param(30, 30.0, id="seconds"),
        pytest.param(0, 0.0, id="zero"),
        pytest.param(None, None, id="no-header"),
        pytest.param("2.5", 2.5, id="fraction"),
        pytest.param("garbage", None, id="garbage"),
        pytest.param("Wed, 21 Oct 2015 07:28:00 GMT", 0.0, id="past-date"),
        pytest.param(InFuture(3600), 3600.0, id="future-date"),
    ],
)
async def test_rate_limit_retry_after(
    sim: Simulator, client: EvnnovatorClient, retry_after: object, expected: float | None
) -> None:
    """429 carries Retry-After in seconds, from a number or an HTTP date; None when unusable."""
    sim.inject("http_429", retry_after=header_value(retry_after))
    err = await raises_exactly(EvnnovatorRateLimitError, latest(client))
    if expected is None:
        assert err.retry_after is None
    else:
        assert err.retry_after == pytest.approx(expected, abs=5)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        pytest.param(None, None, id="none"),
        pytest.param("30", 30.0, id="seconds"),
        pytest.param(" 12.5 ", 12.5, id="padded-fraction"),
        pytest.param("-5", 0.0, id="negative"),
        pytest.param("nan", None, id="nan"),
        pytest.param("inf", None, id="inf"),
        pytest.param("1e999", None, id="overflow"),
        pytest.param("", None, id="empty"),
        pytest.param("soon", None, id="garbage"),
        pytest.param("Wed, 21 Oct 2015 07:28:00 GMT", 0.0, id="past-date"),
        pytest.param("Wed, 21 Oct 99999 07:28:00 GMT", None, id="year-out-of-range"),
        pytest.param("Wed, 21 Oct 2015 07:28:00 +9999", None, id="offset-out-of-range"),
        pytest.param(InFuture(120), 120.0, id="future-gmt"),
        pytest.param(InFuture(120, zone=None), 120.0, id="no-zone"),
        pytest.param(
            InFuture(60, zone=timezone(timedelta(hours=5, minutes=30))), 60.0, id="offset"
        ),
    ],
)
def test_retry_after_forms(header: str | InFuture | None, expected: float | None) -> None:
    """Retry-After: seconds (never negative), HTTP dates with or without zone; None otherwise."""
    seconds = _retry_after_seconds(header.header() if isinstance(header, InFuture) else header)
    if expected is None:
        assert seconds is None
    else:
        assert seconds == pytest.approx(expected, abs=5)


async def test_connection_refused(http_session: aiohttp.ClientSession) -> None:
    """A port nobody listens on raises EvnnovatorConnectionError."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = EvnnovatorClient(http_session, token=DEMO_TOKEN, base_url=f"http://127.0.0.1:{port}")
    err = await raises_exactly(EvnnovatorConnectionError, latest(client))
    assert "Could not reach 127.0.0.1" in str(err)
    assert_no_token(err)


async def test_stopped_simulator_is_unreachable(sim: Simulator, client: EvnnovatorClient) -> None:
    """Once the API is gone, every call raises EvnnovatorConnectionError."""
    await sim.stop()
    for call in (latest, stop, start):
        assert_no_token(await raises_exactly(EvnnovatorConnectionError, call(client)))


@pytest.mark.parametrize(
    "options",
    [
        pytest.param({"auth_scheme": "basic"}, id="unknown-scheme"),
        pytest.param({"auth_scheme": ""}, id="empty-scheme"),
        pytest.param({"base_url": "ftp://api.example.com/v1"}, id="ftp"),
        pytest.param({"base_url": "api.example.com/v1"}, id="relative"),
        pytest.param({"base_url": "http:///v1"}, id="no-host"),
        pytest.param({"base_url": ""}, id="empty-url"),
        pytest.param({"base_url": "http://api.example.com:99999/v1"}, id="port-out-of-range"),
        pytest.param({"base_url": "http://api.example.com:https/v1"}, id="port-not-a-number"),
        pytest.param({"base_url": "http://[::1/v1"}, id="broken-ipv6"),
        pytest.param({"base_url": "https://user:secret@api.example.com/v1"}, id="credentials"),
        pytest.param({"base_url": "https://api.example.com/v1?x=1"}, id="query"),
        pytest.param({"base_url": "https://api.example.com/v1#top"}, id="fragment"),
        pytest.param({"token": ""}, id="empty-token"),
        pytest.param({"token": f"{DEMO_TOKEN}\r\nX-Injected: 1"}, id="token-line-break"),
        pytest.param({"token": f"{DEMO_TOKEN}\x00"}, id="token-nul"),
    ],
)
def test_constructor_refuses(http_session: aiohttp.ClientSession, options: dict[str, Any]) -> None:
    """Options the client cannot use raise exactly EvnnovatorError, without the token."""
    arguments = {"token": DEMO_TOKEN, "base_url": "https://api.example.com/v1"} | options
    with pytest.raises(EvnnovatorError) as info:
        EvnnovatorClient(http_session, **arguments)
    assert type(info.value) is EvnnovatorError
    assert_no_token(info.value)


@pytest.mark.parametrize("auth_id", ["", "\ud800"], ids=["empty", "lone-surrogate"])
async def test_unusable_auth_id(sim: Simulator, client: EvnnovatorClient, auth_id: str) -> None:
    """An empty or unencodable auth_id raises EvnnovatorError before any request is sent."""
    await raises_exactly(EvnnovatorError, client.get_latest_session(auth_id))
    assert sim.requests == []


@pytest.mark.parametrize("autostop_kwh", [0, -1.5, float("nan"), float("inf")])
async def test_unusable_autostop(
    sim: Simulator, client: EvnnovatorClient, autostop_kwh: float
) -> None:
    """An autostop that is not a positive number of kWh raises before any request is sent."""
    await raises_exactly(
        EvnnovatorError,
        client.start_session(
            location_id=DEMO_LOCATION_ID,
            evse_uid=DEMO_EVSE_UID,
            token_uid=DEMO_TOKEN_UID,
            autostop_kwh=autostop_kwh,
        ),
    )
    assert sim.requests == []
