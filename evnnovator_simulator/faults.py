"""Faults a test can inject: failures and odd answers of the kinds a real gateway produces."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from aiohttp import web

from .render import (
    INVALID_PARAMETERS,
    SERVER_ERROR,
    envelope,
    error_response,
    json_response,
)
from .settings import SimulatorSettings
from .validation import finite_number

LATEST = "latest"
COMMANDS = "commands"
AREAS = (LATEST, COMMANDS)
"""What `only` may name: the latest-session path or the command paths."""

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


_DEFAULT_PARAMS: dict[FaultKind, dict[str, Any]] = {kind: {} for kind in FaultKind} | {
    FaultKind.TIMEOUT: {"seconds": 60.0},
    FaultKind.SLOW: {"seconds": 2.0},
    FaultKind.HTTP_429: {"retry_after": 30},
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
}
