"""Async client of the EVnnovator charging API (OCPI style), independent of Home Assistant."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import contextlib
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from enum import StrEnum
import json
import logging
import math
from typing import Any
from urllib.parse import quote, urlencode

import aiohttp
from yarl import URL

from .cdr import ChargeDetailRecord, parse_cdr
from .exceptions import (
    EvnnovatorAuthenticationError,
    EvnnovatorCommandRejectedError,
    EvnnovatorConnectionError,
    EvnnovatorError,
    EvnnovatorRateLimitError,
    EvnnovatorResponseError,
    EvnnovatorServerError,
)
from .fields import JsonObject
from .models import Evse, Location, Session, parse_evse, parse_location, parse_session
from .plausibility import implausibility, with_possible_times
from .scrub import scrub
from .tariff import Tariff, parse_tariff

_LOGGER = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api-gateway-evnnovator.com/api/ocpi/api/v1"
DEFAULT_REQUEST_TIMEOUT = 10.0
MAX_BODY_BYTES = 1024 * 1024
OCPI_SUCCESS = 1000
# OCPI command answers that mean "no" without being malformed.
_REFUSALS = frozenset({"REJECTED", "NOT_SUPPORTED", "UNKNOWN_SESSION"})


class AuthScheme(StrEnum):
    """How the token is sent in the Authorization header."""

    TOKEN = "token"  # noqa: S105 -- a scheme name: OCPI's "Token <token>"
    BEARER = "bearer"  # "Bearer <token>"


def encode_path_segment(value: str) -> str:
    """Percent-encode `value` as exactly one path segment.

    Dot segments are encoded too: "." or ".." would otherwise move up the path.
    """
    if value.strip(".") == "":
        return value.replace(".", "%2E")
    try:
        return quote(value, safe="")
    except UnicodeEncodeError:  # lone surrogates have no UTF-8 form
        raise EvnnovatorError("path segment is not valid text") from None


def parse_base_url(value: str) -> URL:
    """Parse a base URL that every path can be appended to; raise EvnnovatorError if unusable.

    Credentials in the URL would leak into logs and reprs; a query or fragment would swallow
    the paths appended after it.
    """
    try:
        url = URL(value.strip())
    except ValueError:  # e.g. a port out of range or a broken IPv6 address
        raise EvnnovatorError("base_url is not a valid URL") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise EvnnovatorError("base_url must be an absolute http(s) URL")
    if url.user is not None or url.password is not None or url.query_string or url.fragment:
        raise EvnnovatorError("base_url must not contain credentials, a query or a fragment")
    return url


def _retry_after_seconds(header: str | None) -> float | None:
    """Seconds to wait from a Retry-After header: a number of seconds or an HTTP date."""
    if header is None:
        return None
    text = header.strip()
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        # "nan" and "inf" parse as floats but are no waiting time.
        return max(seconds, 0.0) if math.isfinite(seconds) else None
    try:
        when = parsedate_to_datetime(text)
    except TypeError, ValueError, IndexError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)


def _is_envelope(content: bytes) -> bool:
    """Whether a body is an OCPI envelope (whatever its status), not a web server's page."""
    try:
        payload = json.loads(content)
    except ValueError, RecursionError:
        return False
    return isinstance(payload, dict) and "status_code" in payload


def _envelope_data(payload: Any, call: str) -> Any:
    """Check an OCPI envelope and return its `data`."""
    if not isinstance(payload, dict):
        raise EvnnovatorResponseError(f"The answer to {call} is not a JSON object")
    code = payload.get("status_code")
    # isdecimal, not isdigit: int() refuses digits such as "²"; and too many digits for int().
    if isinstance(code, str) and code.strip().isdecimal():
        with contextlib.suppress(ValueError):
            code = int(code)
    if code != OCPI_SUCCESS:
        message = payload.get("status_message")
        detail = f": {message[:200]}" if isinstance(message, str) and message else ""
        raise EvnnovatorResponseError(
            f"The API answered {call} with status_code {str(code)[:20]}{detail}"
        )
    return payload.get("data")


class EvnnovatorClient:
    """Talks to one EVnnovator API gateway on behalf of one API token.

    The aiohttp session is the caller's: the client never creates or closes one.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        *,
        token: str,
        base_url: str = DEFAULT_BASE_URL,
        # The gateway's own pages document Bearer; OCPI's Token is the other choice.
        auth_scheme: AuthScheme | str = AuthScheme.BEARER,
        request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        """Set up the client; raises EvnnovatorError for a base URL or scheme it cannot use.

        `clock` tells the current time (aware), which bounds the energy a session can have
        delivered; the system's by default.
        """
        try:
            scheme = AuthScheme(str(auth_scheme).lower())
        except ValueError:
            raise EvnnovatorError("auth_scheme must be 'token' or 'bearer'") from None
        url = parse_base_url(base_url)
        if not token:
            raise EvnnovatorError("token must not be empty")
        if not token.isprintable():
            # A line break or NUL would break the Authorization header (aiohttp: ValueError).
            raise EvnnovatorError("token must not contain control characters")
        self._session = session
        self._base_url = str(url).rstrip("/")
        self._host = url.host
        self._authorization = f"{'Token' if scheme is AuthScheme.TOKEN else 'Bearer'} {token}"
        self._timeout = request_timeout
        self._token = token
        self._clock = clock or (lambda: datetime.now(UTC))
        self._reported_out_of_range: set[str] = set()
        self.auth_scheme = scheme

    def __repr__(self) -> str:
        """Describe the client without its token."""
        return f"EvnnovatorClient(base_url={self._base_url!r}, auth_scheme={self.auth_scheme!r})"

    @property
    def base_url(self) -> str:
        """The base URL every path is built from, without a trailing slash."""
        return self._base_url

    async def get_latest_session(self, auth_id: str) -> Session | None:
        """Return the driver's latest session, or None when the API has none (404).

        Raises EvnnovatorResponseError for a session whose readings cannot be true.
        """
        if not auth_id:
            raise EvnnovatorError("auth_id must not be empty")
        call = "the latest session"
        payload = await self._request(
            "GET", f"/sessions/{encode_path_segment(auth_id)}/latest", call=call, missing_ok=True
        )
        if payload is None:
            return None
        data = _envelope_data(payload, call)
        if data is None:
            return None
        now = self._clock()
        session = with_possible_times(parse_session(data), now)
        if (reason := implausibility(session, now)) is not None:
            raise EvnnovatorResponseError(f"Refused the latest session: {reason}")
        self._report_out_of_range(session)
        return session

    async def get_session_cdr(self, session: Session) -> ChargeDetailRecord | None:
        """Return the bill (CDR) of a finished session, or None while the operator has none (404).

        The CDR is named by the session's numeric `session_id`, not the hex `id`; its units
        are checked against the session.
        """
        if not session.session_id:
            raise EvnnovatorError("the session has no session_id to ask its CDR by")
        call = "the session's CDR"
        path = f"/cdrs/session/{encode_path_segment(session.session_id)}"
        data = await self._get_data(path, call, missing_ok=True)
        return None if data is None else parse_cdr(data, session)

    async def get_location(self, location_id: str) -> Location | None:
        """Return a location with its EVSEs (their capabilities too); None if the API has none."""
        if not location_id:
            raise EvnnovatorError("location_id must not be empty")
        path = f"/locations/{encode_path_segment(location_id)}"
        data = await self._get_data(path, "the location", missing_ok=True)
        return None if data is None else parse_location(data)

    async def get_location_by_ocpi_ids(
        self, country_code: str, party_id: str, location_id: str
    ) -> Location | None:
        """Return a location by its operator's country and party and its OCPI id (a uuid).

        How a 2.2.1 session names its location, which it does not embed. None if the API has none.
        """
        if not country_code or not party_id or not location_id:
            raise EvnnovatorError("country_code, party_id and location_id must not be empty")
        path = "/locations/" + "/".join(
            encode_path_segment(part) for part in (country_code, party_id, location_id)
        )
        data = await self._get_data(path, "the location", missing_ok=True)
        return None if data is None else parse_location(data)

    async def get_evse(self, location_id: str, evse_id: str) -> Evse | None:
        """Return one EVSE by its location's and its own hex `id`; None if the API has none."""
        if not location_id or not evse_id:
            raise EvnnovatorError("location_id and evse_id must not be empty")
        call = "the charger"
        path = f"/locations/{encode_path_segment(location_id)}/evse/{encode_path_segment(evse_id)}"
        data = await self._get_data(path, call, missing_ok=True)
        return None if data is None else parse_evse(data)

    async def get_tariff(self, location_id: str, tariff_id: str) -> Tariff | None:
        """Return a connector's tariff at a location (its hex `id`); None if the API has none."""
        if not location_id or not tariff_id:
            raise EvnnovatorError("location_id and tariff_id must not be empty")
        path = (
            f"/tariffs/location/{encode_path_segment(location_id)}/{encode_path_segment(tariff_id)}"
        )
        data = await self._get_data(path, "the tariff", missing_ok=True)
        return None if data is None else parse_tariff(data)

    async def search_locations(
        self,
        *,
        latitude: float,
        longitude: float,
        distance_km: float,
        power_type: str | None = None,
        status: str | None = None,
    ) -> list[Location]:
        """Return the locations near a point, with their EVSEs, as the API pages them.

        The unit of `distance` is not documented: assumed kilometres.
        """
        query: dict[str, str] = {
            "latitude": f"{latitude:.6f}",
            "longitude": f"{longitude:.6f}",
            "distance": f"{distance_km:g}",
        }
        if power_type:
            query["power_type"] = power_type
        if status:
            query["status"] = status
        data = await self._get_data(f"/locations/search?{urlencode(query)}", "the search")
        page = JsonObject(data if data is not None else {}, "search")
        return [parse_location(item.raw) for item in page.children("content")]

    async def get_token_uid(self, auth_id: str, location_id: str) -> str:
        """Return the driver's charging token uid at a location's operator (what START takes).

        `location_id` is the location's hex `id`. The gateway whitelists the driver there
        first if needed.
        """
        if not auth_id or not location_id:
            raise EvnnovatorError("auth_id and location_id must not be empty")
        call = "the driver's token uid"
        path = (
            f"/whitelist/driver/{encode_path_segment(auth_id)}"
            f"/location/{encode_path_segment(location_id)}"
        )
        data = await self._get_data(path, call)
        uid = JsonObject(data, "whitelist").text("uid") if isinstance(data, dict) else None
        if uid is None or not uid.strip() or not uid.isprintable():
            raise EvnnovatorResponseError(f"The answer to {call} has no uid")
        return uid.strip()

    async def _get_data(self, path: str, call: str, *, missing_ok: bool = False) -> Any:
        """GET `path` and return the envelope's `data` (None for an allowed 404)."""
        payload = await self._request("GET", path, call=call, missing_ok=missing_ok)
        return None if payload is None else _envelope_data(payload, call)

    def _report_out_of_range(self, session: Session) -> None:
        """Say once per field that a timestamp was too far off to be true."""
        for name in session.out_of_range:
            if name not in self._reported_out_of_range:
                self._reported_out_of_range.add(name)
                _LOGGER.warning(
                    "The API sent %s out of the range a session's times can have; "
                    "it is read as unknown",
                    name,
                )

    async def stop_session(self, session_id: str) -> None:
        """Ask the operator to stop a session; ACCEPTED only means the request was taken."""
        await self._command("STOP_SESSION", {"session_id": session_id})

    async def start_session(
        self,
        *,
        location_id: str,
        evse_uid: str,
        token_uid: str,
        autostop_kwh: float | None = None,
    ) -> None:
        """Ask the operator to start a session, stopping by itself at `autostop_kwh` if given."""
        body: dict[str, Any] = {
            "location_id": location_id,
            "evse_uid": evse_uid,
            "token_uid": token_uid,
        }
        if autostop_kwh is not None:
            if not math.isfinite(autostop_kwh) or autostop_kwh <= 0:
                raise EvnnovatorError("autostop_kwh must be a positive number of kWh")
            body["autostop_session"] = {"type": "ENERGY", "value": autostop_kwh}
        await self._command("START_SESSION", body)

    async def _command(self, command: str, body: dict[str, Any]) -> None:
        call = f"the {command} command"
        payload = await self._request("POST", f"/commands/{command}", call=call, body=body)
        # The reference shows a bare {"result": ...}; accept the OCPI envelope around it too.
        if isinstance(payload, dict) and "result" not in payload:
            payload = _envelope_data(payload, call)
        result = payload.get("result") if isinstance(payload, dict) else None
        if not isinstance(result, str):
            raise EvnnovatorResponseError(f"The answer to {call} has no result")
        verdict = result.strip().upper()
        if verdict in _REFUSALS:
            raise EvnnovatorCommandRejectedError(
                f"The operator answered {command} with {verdict}", command=command
            )
        if verdict != "ACCEPTED":
            raise EvnnovatorResponseError(f"The answer to {call} is {result[:40]!r}")

    async def _request(
        self,
        method: str,
        path: str,
        *,
        call: str,
        body: dict[str, Any] | None = None,
        missing_ok: bool = False,
    ) -> Any:
        """Send one request and return its parsed JSON (None for a 404 where that is allowed)."""
        url = URL(self._base_url + path, encoded=True)
        headers = {"Authorization": self._authorization, "Accept": "application/json"}
        try:
            async with (
                asyncio.timeout(self._timeout),
                self._session.request(
                    method, url, json=body, headers=headers, allow_redirects=False
                ) as response,
            ):
                status = response.status
                retry_after = response.headers.get("Retry-After")
                content = await self._read_body(response, call)
        except TimeoutError:
            raise EvnnovatorConnectionError(
                f"Timed out after {self._timeout:g} s waiting for {self._host} ({call})"
            ) from None
        except aiohttp.ClientError as err:
            raise EvnnovatorConnectionError(
                f"Could not reach {self._host} ({call}): {type(err).__name__}"
            ) from None

        if status in (401, 403):
            reason = "rejected the API token" if status == 401 else "does not allow this driver"
            raise EvnnovatorAuthenticationError(
                f"{self._host} {reason} (HTTP {status})", status=status
            )
        if status == 404 and missing_ok:
            # The API's "nothing here" comes in its envelope; any other 404 is a web server's
            # page, typically for a wrong base URL.
            if not _is_envelope(content):
                raise EvnnovatorResponseError(
                    f"{self._host} answered {call} with a 404 page that is not the API's"
                )
            return None
        if status == 429:
            raise EvnnovatorRateLimitError(
                f"{self._host} asked to slow down (HTTP 429)",
                retry_after=_retry_after_seconds(retry_after),
            )
        if status >= 500:
            raise EvnnovatorServerError(f"{self._host} failed with HTTP {status} ({call})")
        if not 200 <= status < 300:
            raise EvnnovatorResponseError(f"{self._host} answered {call} with HTTP {status}")
        try:
            parsed = json.loads(content)
        except ValueError, RecursionError:
            raise EvnnovatorResponseError(f"The answer to {call} is not JSON") from None
        # Whatever the API quotes back (a message, a field) reaches errors, logs and
        # diagnostics from here: none of it may carry the token.
        return scrub(parsed, (self._token,))

    async def _read_body(self, response: aiohttp.ClientResponse, call: str) -> bytes:
        """Read at most MAX_BODY_BYTES: a larger answer is an error, not a memory hazard."""
        too_large = EvnnovatorResponseError(f"The answer to {call} is larger than 1 MiB")
        if (response.content_length or 0) > MAX_BODY_BYTES:
            raise too_large
        content = bytearray()
        async for chunk in response.content.iter_chunked(64 * 1024):
            content += chunk
            if len(content) > MAX_BODY_BYTES:
                raise too_large
        return bytes(content)
