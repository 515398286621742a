"""Faults a test can inject: failures and odd answers of the kinds a real gateway produces."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
import json
from typing import Any

from aiohttp import web

from .render import (
    INVALID_PARAMETERS,
    SERVER_ERROR,
    envelope,
    error_response,
    json_response,
    web_server_404,
)
from .settings import SimulatorSettings
from .validation import finite_number

LATEST = "latest"
COMMANDS = "commands"
CDRS = "cdrs"
SITES = "sites"
AREAS = (LATEST, COMMANDS, CDRS, SITES)
"""What `only` may name: the latest-session path, the command paths, the CDR paths, or the
site's (locations, their EVSEs, the search, tariffs)."""

OVERSIZED_BYTES = int(1.2 * 1024 * 1024)
"""Over the 1 MiB a careful client should refuse to buffer."""


class FaultKind(StrEnum):
    """The kinds of fault the simulator can inject."""

    TIMEOUT = "timeout"
    SLOW = "slow"
    HTTP_500 = "http_500"
    HTTP_502_HTML = "http_502_html"
    HTTP_429 = "http_429"
    HTTP_401 = "http_401"
    HTTP_403 = "http_403"
    BAD_JSON = "bad_json"
    STATUS_2001 = "status_2001"
    WRONG_TYPES = "wrong_types"
    OVERSIZED = "oversized"
    NOT_FOUND = "not_found"
    """The API's own 404 ("no session"), as if the driver had none for one answer."""
    DATA_NULL = "data_null"
    """HTTP 200 and status 1000, with `data` null."""
    HTTP_404_PAGE = "http_404_page"
    """A web server's 404 page, not the API's envelope (a wrong path in front of the API)."""
    ECHO_TOKEN = "echo_token"  # noqa: S105 -- a fault name
    """The token quoted back: in the status_message of a failure, or in a command's result."""
    # The normal latest session, with one field changed:
    ECHO_TOKEN_FIELD = "echo_token_field"  # noqa: S105 -- a fault name
    ABSURD_KWH = "absurd_kwh"
    LONG_TEXT = "long_text"
    NESTED_FIELD = "nested_field"
    FAR_FUTURE = "far_future"


_DEFAULT_PARAMS: dict[FaultKind, dict[str, Any]] = {kind: {} for kind in FaultKind} | {
    FaultKind.TIMEOUT: {"seconds": 60.0},
    FaultKind.SLOW: {"seconds": 2.0},
    FaultKind.HTTP_429: {"retry_after": 30},
    FaultKind.ABSURD_KWH: {"kwh": 1e308},
    FaultKind.LONG_TEXT: {"length": 300},
    FaultKind.NESTED_FIELD: {"depth": 300},
    FaultKind.FAR_FUTURE: {"field": "start_datetime", "value": "9999-12-31T23:59:59-05:00"},
}


@dataclass
class Fault:
    """A queued fault and how many more requests it applies to."""

    kind: FaultKind
    remaining: int
    only: str | None
    params: dict[str, Any]

    @property
    def delay(self) -> float:
        """Seconds to hold the request before answering."""
        return float(self.params.get("seconds", 0.0))

    def applies_to(self, area: str) -> bool:
        """Whether this fault hits a request to `area` (LATEST, COMMANDS or another API path)."""
        return self.only is None or self.only == area


class FaultQueue:
    """Faults waiting for requests, first injected first applied."""

    def __init__(self) -> None:
        """Start with no faults."""
        self._faults: list[Fault] = []

    def inject(
        self, kind: FaultKind | str, count: int = 1, *, only: str | None = None, **params: Any
    ) -> Fault:
        """Queue a fault for the next `count` matching requests; validates everything first."""
        fault_kind = FaultKind(kind)
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise ValueError("count must be an integer >= 1")
        if only is not None and only not in AREAS:
            raise ValueError(f"only must be one of {AREAS} or None")
        fault = Fault(fault_kind, count, only, _checked_params(fault_kind, params))
        self._faults.append(fault)
        return fault

    def take(self, area: str) -> Fault | None:
        """Consume one use of the first fault that applies to a request to `area`."""
        for fault in self._faults:
            if fault.applies_to(area):
                fault.remaining -= 1
                if fault.remaining == 0:
                    self._faults.remove(fault)
                return fault
        return None

    def clear(self) -> None:
        """Forget every queued fault."""
        self._faults.clear()


def _checked_params(kind: FaultKind, params: dict[str, Any]) -> dict[str, Any]:
    """Return the kind's defaults overridden by `params`, refusing unknown or bad values."""
    defaults = _DEFAULT_PARAMS[kind]
    unknown = sorted(set(params) - set(defaults))
    if unknown:
        raise TypeError(f"fault {kind} takes no parameter {', '.join(unknown)}")
    merged = defaults | params
    if "seconds" in merged:
        seconds = finite_number(merged["seconds"])
        if seconds is None or seconds < 0:
            raise ValueError("seconds must be a finite number >= 0")
        merged["seconds"] = seconds
    if "retry_after" in merged:
        retry_after = merged["retry_after"]
        # An int gives delta-seconds; a string is sent verbatim (an HTTP date, or garbage).
        if isinstance(retry_after, bool) or not (
            retry_after is None
            or isinstance(retry_after, str)
            or (isinstance(retry_after, int) and retry_after >= 0)
        ):
            raise ValueError("retry_after must be None, an integer >= 0 or a string")
    if "kwh" in merged and (
        isinstance(merged["kwh"], bool) or not isinstance(merged["kwh"], int | float)
    ):
        raise ValueError("kwh must be a number")
    for name in ("length", "depth"):
        if name in merged and (
            isinstance(merged[name], bool) or not isinstance(merged[name], int) or merged[name] < 1
        ):
            raise ValueError(f"{name} must be an integer >= 1")
    for name in ("field", "value"):
        if name in merged and not isinstance(merged[name], str):
            raise ValueError(f"{name} must be a string")
    return merged


type _Builder = Callable[[Fault, str, SimulatorSettings, datetime], web.Response | None]


def fault_response(
    fault: Fault, area: str, settings: SimulatorSettings, now: datetime
) -> web.Response | None:
    """Return the answer a fault gives, or None when the request is then answered normally."""
    return _BUILDERS[fault.kind](fault, area, settings, now)


def _answer_normally(_fault: Fault, _area: str, _s: SimulatorSettings, _now: datetime) -> None:
    """Slow requests get their normal answer, only late."""


def _gateway_timeout(
    _fault: Fault, _area: str, _s: SimulatorSettings, now: datetime
) -> web.Response:
    """What a gateway answers once it gives up waiting (the client should have given up first)."""
    return error_response(504, "Gateway timeout", now, code=SERVER_ERROR)


def _server_error(_fault: Fault, _area: str, _s: SimulatorSettings, now: datetime) -> web.Response:
    return error_response(500, "Internal server error", now, code=SERVER_ERROR)


def _bad_gateway_html(
    _fault: Fault, _area: str, _s: SimulatorSettings, _now: datetime
) -> web.Response:
    # Proxies in front of an API answer in HTML, not in the API's JSON.
    html = (
        "<html><head><title>502 Bad Gateway</title></head>"
        "<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>"
    )
    return web.Response(status=502, text=html, content_type="text/html")


def _too_many_requests(
    fault: Fault, _area: str, _s: SimulatorSettings, now: datetime
) -> web.Response:
    retry_after = fault.params["retry_after"]
    headers = None if retry_after is None else {"Retry-After": str(retry_after)}
    return error_response(429, "Too many requests", now, headers=headers)


def _unauthorized(_fault: Fault, _area: str, _s: SimulatorSettings, now: datetime) -> web.Response:
    return error_response(401, "Unauthorized", now)


def _forbidden(_fault: Fault, _area: str, _s: SimulatorSettings, now: datetime) -> web.Response:
    return error_response(403, "Forbidden", now)


def _bad_json(_fault: Fault, _area: str, _s: SimulatorSettings, _now: datetime) -> web.Response:
    # A body cut off mid-way, as when an upstream connection drops.
    body = '{"status_code": 1000, "status_message": "Success", "data": {"id": "ae18c8e0'
    return web.Response(status=200, text=body, content_type="application/json")


def _status_2001(_fault: Fault, _area: str, _s: SimulatorSettings, now: datetime) -> web.Response:
    # HTTP says OK while the envelope says the request failed.
    return json_response(
        envelope(None, now, code=INVALID_PARAMETERS, message="Invalid or missing parameters")
    )


def _wrong_types(
    _fault: Fault, area: str, settings: SimulatorSettings, now: datetime
) -> web.Response:
    if area == COMMANDS:
        result = {"result": ["ACCEPTED"]}
        return json_response(envelope(result, now) if settings.command_envelope else result)
    data = {
        "id": {"hex": "ae18c8e04f45946f0706735285a0a069"},
        "session_id": 20796751,
        "evseId": None,
        "status": 3,
        "kwh": [0.16],
        "total_cost": "2.88",
        "currency": 356,
        "start_datetime": 1648012342,
        "end_datetime": True,
        "created_date": ["2022-03-23T05:12:36.039+00:00"],
        "charging_periods": {"start_date_time": "2022-03-23T10:45:59.647"},
        "location": "Vadodara",
        "last_updated": {},
    }
    return json_response(envelope(data, now))


def _not_found(_fault: Fault, _area: str, _s: SimulatorSettings, now: datetime) -> web.Response:
    return error_response(404, "No session for this driver", now)


def _data_null(_fault: Fault, _area: str, _s: SimulatorSettings, now: datetime) -> web.Response:
    return json_response(envelope(None, now))


def _page_not_found(
    _fault: Fault, _area: str, _s: SimulatorSettings, _now: datetime
) -> web.Response:
    return web_server_404()


def _echo_token(
    _fault: Fault, area: str, settings: SimulatorSettings, now: datetime
) -> web.Response:
    # A careless gateway quoting the credential back: a client must never pass it on.
    if area == COMMANDS:
        result = {"result": f"Token {settings.token} may not send this command"}
        return json_response(envelope(result, now) if settings.command_envelope else result)
    message = f"Invalid or missing parameters for token {settings.token}"
    return json_response(envelope(None, now, code=INVALID_PARAMETERS, message=message))


def _oversized(_fault: Fault, _area: str, _s: SimulatorSettings, now: datetime) -> web.Response:
    return json_response(envelope({"padding": "x" * OVERSIZED_BYTES}, now))


_BUILDERS: dict[FaultKind, _Builder] = {
    FaultKind.TIMEOUT: _gateway_timeout,
    FaultKind.SLOW: _answer_normally,
    FaultKind.HTTP_500: _server_error,
    FaultKind.HTTP_502_HTML: _bad_gateway_html,
    FaultKind.HTTP_429: _too_many_requests,
    FaultKind.HTTP_401: _unauthorized,
    FaultKind.HTTP_403: _forbidden,
    FaultKind.BAD_JSON: _bad_json,
    FaultKind.STATUS_2001: _status_2001,
    FaultKind.WRONG_TYPES: _wrong_types,
    FaultKind.OVERSIZED: _oversized,
    FaultKind.NOT_FOUND: _not_found,
    FaultKind.DATA_NULL: _data_null,
    FaultKind.HTTP_404_PAGE: _page_not_found,
    FaultKind.ECHO_TOKEN: _echo_token,
    FaultKind.ECHO_TOKEN_FIELD: _answer_normally,
    FaultKind.ABSURD_KWH: _answer_normally,
    FaultKind.LONG_TEXT: _answer_normally,
    FaultKind.NESTED_FIELD: _answer_normally,
    FaultKind.FAR_FUTURE: _answer_normally,
}


type _Patch = Callable[[Fault, dict[str, Any], SimulatorSettings], None]


def _echo_token_field(_fault: Fault, data: dict[str, Any], settings: SimulatorSettings) -> None:
    data["gateway_note"] = f"requested with token {settings.token}"


def _absurd_kwh(fault: Fault, data: dict[str, Any], _s: SimulatorSettings) -> None:
    data["kwh"] = fault.params["kwh"]


def _long_text(fault: Fault, data: dict[str, Any], _s: SimulatorSettings) -> None:
    location = data["location"]
    repeated = f"{location['name']} | " * fault.params["length"]
    location["name"] = repeated[: fault.params["length"]]


def _nested_field(fault: Fault, data: dict[str, Any], _s: SimulatorSettings) -> None:
    nested: dict[str, Any] = {"leaf": "end"}
    for _ in range(fault.params["depth"] - 1):
        nested = {"more": nested}
    data["vendor_extension"] = nested


def _far_future(fault: Fault, data: dict[str, Any], _s: SimulatorSettings) -> None:
    data[fault.params["field"]] = fault.params["value"]


_PATCHES: dict[FaultKind, _Patch] = {
    FaultKind.ECHO_TOKEN_FIELD: _echo_token_field,
    FaultKind.ABSURD_KWH: _absurd_kwh,
    FaultKind.LONG_TEXT: _long_text,
    FaultKind.NESTED_FIELD: _nested_field,
    FaultKind.FAR_FUTURE: _far_future,
}


def patched_response(
    fault: Fault, response: web.StreamResponse, settings: SimulatorSettings
) -> web.StreamResponse:
    """The normal answer with the field a patching fault changes; others pass unchanged.

    Only a successful latest-session answer carries a session to change.
    """
    patch = _PATCHES.get(fault.kind)
    if patch is None or not isinstance(response, web.Response) or response.status != 200:
        return response
    body = json.loads(response.text or "null")
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, dict) or "kwh" not in data:
        return response
    patch(fault, data, settings)
    return json_response(body)
