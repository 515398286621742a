"""Answers the simulator cannot give, from a tiny aiohttp server: each maps to one error."""

from collections.abc import Awaitable, Callable
import gzip
import json
from typing import Any

import aiohttp
from aiohttp import web
import pytest

from custom_components.evnnovator.api import (
    EvnnovatorClient,
    EvnnovatorCommandRejectedError,
    EvnnovatorConnectionError,
    EvnnovatorError,
    EvnnovatorResponseError,
    EvnnovatorServerError,
    Session,
)

from .conftest import Handler, ServeFn
from .helpers import published_sample, raises_exactly

TOKEN = "tiny-server-token-5b1e"
MIB = 1024 * 1024

type Call = Callable[[EvnnovatorClient], Awaitable[object]]
type ClientFor = Callable[[Handler], Awaitable[EvnnovatorClient]]


def latest(client: EvnnovatorClient) -> Awaitable[Session | None]:
    """Ask for the latest session of a driver."""
    return client.get_latest_session("driver")


def stop(client: EvnnovatorClient) -> Awaitable[None]:
    """Ask to stop a session."""
    return client.stop_session("ae18c8e04f45946f0706735285a0a069")


def start(client: EvnnovatorClient) -> Awaitable[None]:
    """Ask to start a session."""
    return client.start_session(location_id="loc", evse_uid="evse", token_uid="tok")


def answer(
    status: int = 200, *, body: Any = None, raw: bytes | None = None, **headers: str
) -> Handler:
    """A handler answering every request with `status` and a JSON `body` (or `raw` bytes)."""

    async def handle(_request: web.Request) -> web.StreamResponse:
        data = json.dumps(body).encode() if raw is None else raw
        return web.Response(status=status, body=data, headers=headers)

    return handle


def envelope(data: Any, code: Any = 1000, message: Any = "Success") -> dict[str, Any]:
    """An OCPI-style envelope."""
    return {"status_code": code, "status_message": message, "data": data}


async def chunked_oversized(request: web.Request) -> web.StreamResponse:
    """Stream more than 1 MiB without a Content-Length."""
    response = web.StreamResponse()
    response.enable_chunked_encoding()
    await response.prepare(request)
    for _ in range(20):
        await response.write(b" " * (64 * 1024))
    await response.write_eof()
    return response


async def gzip_bomb(_request: web.Request) -> web.StreamResponse:
    """A small gzip body that inflates to 2 MiB of JSON whitespace."""
    body = gzip.compress(b"{" + b" " * (2 * MIB) + b"}")
    return web.Response(body=body, headers={"Content-Encoding": "gzip"})


async def cut_off(request: web.Request) -> web.StreamResponse:
    """Promise 1000 bytes, send 10, then drop the connection."""
    response = web.StreamResponse(headers={"Content-Length": "1000"})
    await response.prepare(request)
    await response.write(b'{"status_')
    assert request.transport is not None
    request.transport.close()
    return response


@pytest.fixture
def client_for(serve: ServeFn, http_session: aiohttp.ClientSession) -> ClientFor:
    """Serve `handler` on a tiny server and return a client of it."""

    async def make(handler: Handler) -> EvnnovatorClient:
        return EvnnovatorClient(http_session, token=TOKEN, base_url=await serve(handler))

    return make


@pytest.mark.parametrize(
    ("handler", "has_session"),
    [
        pytest.param(answer(body=envelope(None)), False, id="data-null"),
        pytest.param(answer(body={"status_code": 1000}), False, id="data-missing"),
        pytest.param(answer(body=envelope(published_sample(), "1000")), True, id="code-text"),
        pytest.param(answer(body=envelope(published_sample(), " 1000 ")), True, id="code-pad"),
        pytest.param(answer(body=envelope(published_sample(), 1000.0)), True, id="code-float"),
        pytest.param(
            answer(body=envelope(published_sample(), "\u0661\u0660\u0660\u0660")),
            True,
            id="code-arabic-digits",
        ),
    ],
)
async def test_latest_envelope_variants(
    client_for: ClientFor, handler: Handler, has_session: bool
) -> None:
    """`data: null` is no session; a success code written as text or float is still success."""
    result = await latest(await client_for(handler))
    if has_session:
        assert isinstance(result, Session)
        assert result.raw == published_sample()
    else:
        assert result is None


@pytest.mark.parametrize(
    "handler",
    [
        pytest.param(answer(body={"result": "ACCEPTED"}), id="bare"),
        pytest.param(answer(body={"result": " accepted "}), id="lower-case-padded"),
        pytest.param(answer(body=envelope({"result": "ACCEPTED"})), id="enveloped"),
        pytest.param(answer(body=envelope({"result": "ACCEPTED"}, "1000")), id="code-text"),
    ],
)
@pytest.mark.parametrize("call", [stop, start])
async def test_command_accepted_variants(
    client_for: ClientFor, handler: Handler, call: Call
) -> None:
    """ACCEPTED is understood bare, enveloped, and in any case or padding."""
    assert await call(await client_for(handler)) is None


@pytest.mark.parametrize(
    ("handler", "expected"),
    [
        pytest.param(answer(418, body={}), EvnnovatorResponseError, id="418"),
        pytest.param(answer(400, body=envelope(None, 2001)), EvnnovatorResponseError, id="400"),
        pytest.param(answer(204, raw=b""), EvnnovatorResponseError, id="204-empty"),
        pytest.param(
            answer(302, raw=b"", Location="http://127.0.0.1:1/elsewhere"),
            EvnnovatorResponseError,
            id="redirect",
        ),
        pytest.param(answer(304, raw=b""), EvnnovatorResponseError, id="not-modified"),
        pytest.param(answer(503, body={}), EvnnovatorServerError, id="503"),
        pytest.param(answer(599, raw=b"?"), EvnnovatorServerError, id="599"),
        pytest.param(answer(raw=b""), EvnnovatorResponseError, id="empty-200"),
        pytest.param(answer(raw=b"\xff\xfe\x00"), EvnnovatorResponseError, id="not-utf8"),
        pytest.param(answer(raw=b"<html>OK</html>"), EvnnovatorResponseError, id="html-200"),
        pytest.param(answer(raw=b"[" * 100_000), EvnnovatorResponseError, id="too-deep"),
        pytest.param(answer(raw=b"NaN"), EvnnovatorResponseError, id="nan-json"),
        pytest.param(chunked_oversized, EvnnovatorResponseError, id="chunked-over-1mib"),
        pytest.param(gzip_bomb, EvnnovatorResponseError, id="gzip-over-1mib"),
        pytest.param(cut_off, EvnnovatorConnectionError, id="connection-dropped"),
    ],
)
@pytest.mark.parametrize("call", [latest, stop, start])
async def test_http_level_oddities(
    client_for: ClientFor, handler: Handler, expected: type[EvnnovatorError], call: Call
) -> None:
    """Statuses, redirects and bodies of any call map to exactly one documented error."""
    err = await raises_exactly(expected, call(await client_for(handler)))
    assert TOKEN not in f"{err} {err!r}"


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        pytest.param([], "is not a JSON object", id="list"),
        pytest.param("Success", "is not a JSON object", id="string"),
        pytest.param({"data": published_sample()}, "status_code None", id="no-code"),
        pytest.param(envelope(None, 2001, "Invalid or missing parameters"), ": Invalid", id="2001"),
        pytest.param(envelope(None, 3000, ""), "status_code 3000", id="3000-no-message"),
        pytest.param(envelope(None, 3001, ["x"]), "status_code 3001", id="3001-odd-message"),
        pytest.param(envelope(published_sample(), "²"), "status_code ²", id="superscript-code"),
        pytest.param(envelope(published_sample(), "1" * 5000), "status_code 111", id="huge-code"),
        pytest.param(envelope(published_sample(), code=True), "status_code True", id="bool-code"),
        pytest.param(envelope("ae18c8e0"), "session is not a JSON object", id="data-string"),
    ],
)
async def test_latest_envelope_errors(client_for: ClientFor, body: Any, detail: str) -> None:
    """A latest-session answer that is not a successful envelope is a response error."""
    err = await raises_exactly(EvnnovatorResponseError, latest(await client_for(answer(body=body))))
    assert detail in str(err)
    assert len(str(err)) < 300


async def test_404_of_a_command_is_an_error(client_for: ClientFor) -> None:
    """Only the latest-session call reads 404 as "nothing"; for a command it is an error."""
    await raises_exactly(EvnnovatorResponseError, stop(await client_for(answer(404, body={}))))


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param({"result": "MAYBE"}, EvnnovatorResponseError, id="unknown-result"),
        pytest.param({"result": None}, EvnnovatorResponseError, id="null-result"),
        pytest.param({"result": ["ACCEPTED"]}, EvnnovatorResponseError, id="list-result"),
        pytest.param({}, EvnnovatorResponseError, id="empty-object"),
        pytest.param(envelope(None), EvnnovatorResponseError, id="enveloped-no-data"),
        pytest.param(
            envelope({"outcome": "OK"}), EvnnovatorResponseError, id="enveloped-no-result"
        ),
        pytest.param(envelope(None, 2001), EvnnovatorResponseError, id="enveloped-2001"),
        pytest.param(["ACCEPTED"], EvnnovatorResponseError, id="list"),
        pytest.param("ACCEPTED", EvnnovatorResponseError, id="string"),
        pytest.param({"result": "REJECTED"}, EvnnovatorCommandRejectedError, id="rejected"),
        pytest.param({"result": "rejected"}, EvnnovatorCommandRejectedError, id="rejected-lower"),
        pytest.param(
            {"result": "NOT_SUPPORTED"}, EvnnovatorCommandRejectedError, id="not-supported"
        ),
        pytest.param(
            envelope({"result": "UNKNOWN_SESSION"}),
            EvnnovatorCommandRejectedError,
            id="unknown-session-enveloped",
        ),
    ],
)
@pytest.mark.parametrize("call", [stop, start])
async def test_command_answer_errors(
    client_for: ClientFor, body: Any, expected: type[EvnnovatorError], call: Call
) -> None:
    """A command answer other than ACCEPTED is a refusal or a response error, nothing else."""
    await raises_exactly(expected, call(await client_for(answer(body=body))))


async def test_redirect_is_not_followed(client_for: ClientFor, serve: ServeFn) -> None:
    """A redirect is an error and the token is not carried to the redirect's target."""
    seen: list[str] = []

    async def target(request: web.Request) -> web.Response:
        seen.append(request.path)
        return web.json_response(envelope(None))

    target_url = await serve(target)
    client = await client_for(answer(307, raw=b"", Location=f"{target_url}/trap"))
    await raises_exactly(EvnnovatorResponseError, latest(client))
    assert seen == []


@pytest.mark.parametrize(
    ("scheme", "header"),
    [("token", f"Token {TOKEN}"), ("bearer", f"Bearer {TOKEN}")],
)
@pytest.mark.parametrize(
    ("call", "method", "content_type"),
    [(latest, "GET", None), (stop, "POST", "application/json")],
    ids=["latest", "stop"],
)
async def test_headers_as_sent(
    serve: ServeFn,
    http_session: aiohttp.ClientSession,
    *,
    scheme: str,
    header: str,
    call: Call,
    method: str,
    content_type: str | None,
) -> None:
    """The exact Authorization header, Accept: application/json, and JSON bodies on POST."""
    seen: list[web.Request] = []

    async def record(request: web.Request) -> web.Response:
        seen.append(request)
        return web.json_response({"result": "ACCEPTED"} if method == "POST" else envelope(None))

    base_url = await serve(record)
    client = EvnnovatorClient(http_session, token=TOKEN, base_url=base_url, auth_scheme=scheme)
    await call(client)
    [request] = seen
    assert request.method == method
    assert request.headers["Authorization"] == header
    assert request.headers["Accept"] == "application/json"
    assert request.headers.get("Content-Type") == content_type
