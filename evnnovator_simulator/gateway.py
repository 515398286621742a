"""What stands in front of the API handlers: faults, authentication and the request record."""

import asyncio
import contextlib

from aiohttp import hdrs, web
from aiohttp.typedefs import Handler, Middleware

from .auth import check_authorization
from .clock import Clock
from .faults import CDRS, COMMANDS, LATEST, SITES, FaultQueue, fault_response, patched_response
from .records import RequestLog
from .render import error_response, web_server_404
from .settings import SimulatorSettings

CONTROL_PREFIX = "/_simulator"
"""Paths of the control API, which is never faulted, authenticated or recorded."""

_OTHER = "other"


class Gateway:
    """Applies faults, then authentication, to every API request, and records the outcome."""

    def __init__(
        self, settings: SimulatorSettings, clock: Clock, faults: FaultQueue, log: RequestLog
    ) -> None:
        """Share the simulator's settings, clock, fault queue and request log."""
        self._settings = settings
        self._clock = clock
        self._faults = faults
        self._log = log
        self._released = asyncio.Event()

    def use_settings(self, settings: SimulatorSettings) -> None:
        """Check the requests from now on against `settings` (a changed token)."""
        self._settings = settings

    def reopen(self) -> None:
        """Let held requests be held again (after a restart)."""
        self._released = asyncio.Event()

    def release(self) -> None:
        """End every hold at once, so that stopping the server does not wait for them."""
        self._released.set()

    async def hold(self, seconds: float) -> None:
        """Wait `seconds`, or less if the simulator stops meanwhile."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._released.wait(), seconds)

    def middleware(self) -> Middleware:
        """Return the aiohttp middleware."""

        @web.middleware
        async def gateway(request: web.Request, handler: Handler) -> web.StreamResponse:
            return await self._handle(request, handler)

        return gateway

    def area(self, raw_path: str) -> str | None:
        """Return which part of the API a raw path is in, or None if outside the prefix."""
        api_root = f"{self._settings.prefix}/"
        if not raw_path.startswith(api_root):
            return None
        first = raw_path.removeprefix(api_root).split("/", 1)[0]
        areas = {"sessions": LATEST, "commands": COMMANDS, "cdrs": CDRS}
        return (areas | {"locations": SITES, "tariffs": SITES}).get(first, _OTHER)

    async def _handle(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        raw_path, _, query = request.raw_path.partition("?")
        if raw_path == CONTROL_PREFIX or raw_path.startswith(f"{CONTROL_PREFIX}/"):
            return await handler(request)
        at = self._clock()
        raw_body = await request.read()
        auth = check_authorization(
            request.headers.get(hdrs.AUTHORIZATION),
            self._settings.token,
            self._settings.auth_schemes,
        )

        def record(status: int, fault: str | None) -> None:
            self._log.add(
                method=request.method,
                path=raw_path,
                query=query,
                auth_scheme=auth.scheme,
                authorized=auth.authorized,
                raw_body=raw_body,
                status=status,
                fault=fault,
                at=at,
            )

        area = self.area(raw_path)
        fault = None if area is None else self._faults.take(area)
        if area is not None and fault is not None:
            faulty = fault_response(fault, area, self._settings, self._clock())
            if faulty is not None:
                # Recorded before the hold: a client that gave up must still see it was asked.
                record(faulty.status, fault.kind)
                await self.hold(fault.delay)
                return faulty
            await self.hold(fault.delay)

        if area is None:
            # Outside the API's prefix (e.g. the other documented base URL) the web server in
            # front of it answers, with its own page.
            response: web.StreamResponse = web_server_404()
        elif not auth.authorized:
            response = error_response(401, "Unauthorized", self._clock())
        else:
            try:
                response = await handler(request)
            except web.HTTPException as exc:
                # Unknown paths and methods get the API's JSON error shape, not aiohttp's text.
                response = error_response(exc.status, exc.reason, self._clock())
            if fault is not None:
                response = patched_response(fault, response, self._settings)
        record(response.status, None if fault is None else fault.kind)
        return response
