"""The control API under /_simulator: lets a test or a person steer the simulator over HTTP.

It is not part of the real API: no authentication, never faulted, never recorded.
"""

import dataclasses
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .clock import ManualClock
from .gateway import CONTROL_PREFIX
from .operator_profile import OperatorProfile
from .render import json_response, utc_timestamp
from .validation import finite_number, read_json

if TYPE_CHECKING:
    from .simulator import Simulator


def control_routes(simulator: Simulator) -> list[web.RouteDef]:
    """Return the control API's routes, acting on `simulator`."""
    handlers = _ControlHandlers(simulator)
    return [
        web.post(f"{CONTROL_PREFIX}/faults", handlers.inject),
        web.delete(f"{CONTROL_PREFIX}/faults", handlers.clear_faults),
        web.get(f"{CONTROL_PREFIX}/requests", handlers.requests),
        web.delete(f"{CONTROL_PREFIX}/requests", handlers.clear_requests),
        web.post(f"{CONTROL_PREFIX}/sessions", handlers.start_session),
        web.post(f"{CONTROL_PREFIX}/clock/advance", handlers.advance_clock),
        web.get(f"{CONTROL_PREFIX}/operator", handlers.operator),
        web.post(f"{CONTROL_PREFIX}/operator", handlers.set_operator),
        web.post(f"{CONTROL_PREFIX}/token", handlers.set_token),
    ]


class _ControlHandlers:
    """Thin HTTP wrappers around the simulator's public methods."""

    def __init__(self, simulator: Simulator) -> None:
        self._simulator = simulator

    async def inject(self, request: web.Request) -> web.Response:
        """POST {"kind", "count"?, "only"?, ...params}: queue a fault."""
        body = await _json_object(request)
        if body is None:
            return _error(400, "expected a JSON object")
        kind = body.pop("kind", None)
        count = body.pop("count", 1)
        only = body.pop("only", None)
        try:
            self._simulator.inject(kind, count, only=only, **body)
        except (TypeError, ValueError) as exc:
            return _error(400, str(exc))
        return web.Response(status=204)

    async def clear_faults(self, _request: web.Request) -> web.Response:
        """DELETE: forget every queued fault."""
        self._simulator.clear_faults()
        return web.Response(status=204)

    async def requests(self, _request: web.Request) -> web.Response:
        """GET: the recorded API requests, oldest first."""
        return json_response([record.as_json() for record in self._simulator.requests])

    async def clear_requests(self, _request: web.Request) -> web.Response:
        """DELETE: forget the recorded requests."""
        self._simulator.clear_requests()
        return web.Response(status=204)

    async def start_session(self, request: web.Request) -> web.Response:
        """POST {"auth_id", "autostop_kwh"?}: start a session as from outside Home Assistant."""
        body = await _json_object(request)
        auth_id = None if body is None else body.get("auth_id")
        raw_kwh = None if body is None else body.get("autostop_kwh")
        autostop_kwh = None if raw_kwh is None else finite_number(raw_kwh)
        if not isinstance(auth_id, str) or (raw_kwh is not None and autostop_kwh is None):
            return _error(400, "expected {'auth_id': str, 'autostop_kwh'?: number}")
        try:
            session_id = self._simulator.start_session(auth_id, autostop_kwh=autostop_kwh)
        except LookupError:
            return _error(404, "unknown driver")
        except ValueError as exc:
            return _error(400, str(exc))
        return json_response({"id": session_id}, status=201)

    async def advance_clock(self, request: web.Request) -> web.Response:
        """POST {"seconds"}: move a manual clock forward."""
        clock = self._simulator.clock
        if not isinstance(clock, ManualClock):
            return _error(409, "the simulator runs on real time")
        body = await _json_object(request)
        seconds = None if body is None else finite_number(body.get("seconds"))
        if seconds is None or seconds < 0:
            return _error(400, "expected {'seconds': number >= 0}")
        return json_response({"now": utc_timestamp(clock.advance(seconds))})

    async def operator(self, request: web.Request) -> web.Response:
        """GET ?auth_id=: the operator profile new sessions (of that driver) start with."""
        try:
            profile = self._simulator.operator(request.query.get("auth_id"))
        except LookupError:
            return _error(404, "unknown driver")
        return json_response(profile.as_json())

    async def set_operator(self, request: web.Request) -> web.Response:
        """POST {"auth_id"?, "preset"?, ...profile fields}: change the operator's behaviour.

        The fields change the profile in force for that driver (or the default without auth_id),
        or the preset "realistic" or "exact" if one is given. Answers the new profile.
        """
        body = await _json_object(request)
        if body is None:
            return _error(400, "expected a JSON object")
        auth_id = body.pop("auth_id", None)
        preset = body.pop("preset", None)
        texts = all(value is None or isinstance(value, str) for value in (auth_id, preset))
        if not texts or preset not in _PRESETS:
            return _error(400, f"auth_id must be a string; preset one of {list(_PRESETS)}")
        try:
            base = _PRESETS[preset] or self._simulator.operator(auth_id)
            profile = dataclasses.replace(base, **body)
            self._simulator.set_operator(profile, auth_id=auth_id)
        except LookupError:
            return _error(404, "unknown driver")
        except (TypeError, ValueError) as exc:
            return _error(400, str(exc))
        return json_response(profile.as_json())

    async def set_token(self, request: web.Request) -> web.Response:
        """POST {"token"}: accept that API token alone from now on; the one before gets 401."""
        body = await _json_object(request)
        token = None if body is None else body.get("token")
        if not isinstance(token, str) or not token:
            return _error(400, "expected {'token': non-empty string}")
        self._simulator.set_token(token)
        return web.Response(status=204)


_PRESETS: dict[str | None, OperatorProfile | None] = {
    None: None,
    "realistic": OperatorProfile.realistic(),
    "exact": OperatorProfile(),
}
"""Profiles a POST can start from; None: the one in force."""


async def _json_object(request: web.Request) -> dict[str, Any] | None:
    """Return the JSON object in the request body, or None if the body is not one."""
    body = await read_json(request)
    return body if isinstance(body, dict) else None


def _error(status: int, message: str) -> web.Response:
    return json_response({"error": message}, status=status)
