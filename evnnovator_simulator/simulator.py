"""The simulator: a fake EVnnovator API server that tests and people can steer."""

import dataclasses
from datetime import datetime
from typing import Any

from aiohttp import web
from yarl import URL

from .api import ApiHandlers
from .app import build_app
from .battery import state_of_charge
from .clock import Clock, system_clock
from .control import control_routes
from .demo import populate_demo_world
from .faults import FaultKind, FaultQueue
from .gateway import Gateway
from .operator_profile import OperatorProfile
from .records import RecordedRequest, RequestLog
from .render import latest_data
from .sessions import PENDING, delivered_kwh, plan_ending
from .settings import SimulatorSettings
from .site import DEMO_EVSE_UID
from .world import World

_SHUTDOWN_TIMEOUT = 5.0
"""Seconds `stop` waits for requests still being answered; held ones are released at once."""


class Simulator:
    """A fake of the EVnnovator charging API, served by aiohttp.

    Every state is computed from `clock` when asked, with no background task, so a ManualClock
    gives exact results.
    """

    def __init__(
        self, settings: SimulatorSettings | None = None, *, clock: Clock | None = None
    ) -> None:
        """Create the simulator (and the demo drivers unless the settings say otherwise)."""
        self.settings = settings or SimulatorSettings()
        self.clock: Clock = clock or system_clock
        self._world = World(self.settings)
        self._faults = FaultQueue()
        self._log = RequestLog(self.settings.token)
        self._gateway = Gateway(self.settings, self.clock, self._faults, self._log)
        if self.settings.demo_world:
            populate_demo_world(self._world, self.clock())
        self.app: web.Application = build_app(
            self._gateway,
            ApiHandlers(self.settings, self.clock, self._world),
            control_routes(self),
        )
        self._runner: web.AppRunner | None = None
        self._base_url: str | None = None

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve on `host`:`port` (0: any free port) and return the API's base URL."""
        if self._runner is not None:
            raise RuntimeError("the simulator is already running")
        self._gateway.reopen()
        runner = web.AppRunner(self.app, access_log=None, shutdown_timeout=_SHUTDOWN_TIMEOUT)
        await runner.setup()
        self._runner = runner
        site = web.TCPSite(runner, host, port)
        await site.start()
        bound_port = runner.addresses[0][1]
        url = URL.build(scheme="http", host=host, port=bound_port, path=self.settings.prefix)
        self._base_url = str(url)
        return self._base_url

    @property
    def base_url(self) -> str:
        """The API's base URL, e.g. `http://127.0.0.1:8080/api/ocpi/api/v1`."""
        if self._base_url is None:
            raise RuntimeError("the simulator is not running")
        return self._base_url

    async def stop(self) -> None:
        """Stop serving: release held requests, close connections and the listening socket."""
        if self._runner is None:
            return
        self._gateway.release()
        await self._runner.cleanup()
        self._runner = None
        self._base_url = None

    def set_token(self, token: str) -> None:
        """Accept `token` alone from now on, as when the API token is changed at the gateway.

        A client still sending the one before is refused (401), as with any wrong token; the
        request record goes on scrubbing every token ever accepted. ValueError for an empty one.
        """
        self.settings = dataclasses.replace(self.settings, token=token)
        self._log.redact_also(token)
        # Only the gateway reads the token (to check it, or to echo it in a fault): the API
        # handlers keep the settings they were built with.
        self._gateway.use_settings(self.settings)

    def add_driver(self, auth_id: str, *, token_uid: str, whitelisted: bool = True) -> None:
        """Register a driver; auth ids and token uids must be unique (ValueError otherwise)."""
        self._world.add_driver(auth_id, token_uid=token_uid, whitelisted=whitelisted)

    def start_session(
        self,
        auth_id: str,
        *,
        autostop_kwh: float | None = None,
        evse_uid: str = DEMO_EVSE_UID,
        status: str = PENDING,
    ) -> str:
        """Start a session as if the driver had used another app; return its hex `id`.

        A session the driver still runs ends now. Raises LookupError for an unknown driver and
        ValueError for an unknown EVSE or an autostop_kwh <= 0.
        """
        now = self.clock()
        return self._world.start_session(
            auth_id, now=now, evse_uid=evse_uid, autostop_kwh=autostop_kwh, status=status
        ).id

    def stop_session(self, session_id: str) -> bool:
        """Stop a session as the driver's other app would, past the API and its faults.

        Returns whether the operator took the STOP (as STOP_SESSION would answer).
        """
        return self._world.command_stop(session_id, self.clock())

    def set_evse_status(self, evse_uid: str, status: str | None) -> None:
        """Make an EVSE show `status` whatever runs on it (None: follow its sessions again)."""
        if status is None:
            self._world.evse_status_overrides.pop(evse_uid, None)
        else:
            self._world.evse_status_overrides[evse_uid] = status

    def set_raw_latest(self, auth_id: str, data: dict[str, Any] | None) -> None:
        """Serve exactly `data` as the driver's latest session from now on (None: normal again)."""
        self._world.set_raw_latest(auth_id, data)

    def latest_session(self, auth_id: str) -> dict[str, Any] | None:
        """Return the `data` the API would serve now for the driver, or None if it serves none."""
        try:
            found = self._world.latest(auth_id, self.clock())
        except LookupError:
            return None
        return latest_data(found, self.settings)

    def operator(self, auth_id: str | None = None) -> OperatorProfile:
        """Return the operator profile a new session of `auth_id` (None: any driver) starts with.

        Raises LookupError for an unknown driver.
        """
        return self._world.default_profile if auth_id is None else self._world.profile_for(auth_id)

    def set_operator(self, profile: OperatorProfile | None, *, auth_id: str | None = None) -> None:
        """Make new sessions of `auth_id` (None: of every driver without its own) use `profile`.

        None goes back to the default (for a driver) or to the settings' (for the default).
        Sessions already started keep the profile they started with. Raises LookupError for an
        unknown driver.
        """
        if profile is not None:
            # The knobs alone, even from a SimulatorSettings, so that profiles compare equal.
            profile = OperatorProfile(**profile.as_json())
        if auth_id is not None:
            self._world.driver(auth_id).profile = profile
        else:
            self._world.default_profile = profile or self.settings.operator

    def delivered_kwh(self, session_id: str) -> float:
        """Return the energy session `session_id` (hex `id`) truly delivered until now.

        The truth the API's samples lag behind: unrounded, counted up to now or, once charging
        has really stopped, up to the real stop. Raises LookupError for an unknown session.
        """
        return delivered_kwh(self._world.session(session_id), self.clock())

    def battery_percent(self, session_id: str, at: datetime | None = None) -> float | None:
        """Return the true state of charge of session `session_id`'s car at `at` (None: now).

        Unrounded, from the energy truly delivered by then (as `delivered_kwh` counts it): the
        truth a charger's or car's report lags behind. None if the session's operator has no
        battery model. Raises LookupError for an unknown session.
        """
        session = self._world.session(session_id)
        when = self.clock() if at is None else at
        return state_of_charge(session.profile, delivered_kwh(session, when))

    def real_stop_at(self, session_id: str) -> datetime | None:
        """Return when session `session_id` really stops (stopped) charging, as planned so far.

        None while nothing ends it yet. A planned stop may lie in the future and may still move
        earlier (a STOP before an autostop). Raises LookupError for an unknown session.
        """
        ending = plan_ending(self._world.session(session_id))
        return None if ending is None else ending.real_stop

    def inject(
        self, kind: FaultKind | str, count: int = 1, *, only: str | None = None, **params: Any
    ) -> None:
        """Make the next `count` API requests (only "latest", "commands", or any) fail as `kind`.

        Parameters: `seconds` for timeout and slow, `retry_after` for http_429.
        """
        self._faults.inject(kind, count, only=only, **params)

    def clear_faults(self) -> None:
        """Forget every queued fault."""
        self._faults.clear()

    @property
    def requests(self) -> list[RecordedRequest]:
        """The API requests received so far, oldest first (control requests excluded)."""
        return self._log.entries

    def clear_requests(self) -> None:
        """Forget the recorded requests."""
        self._log.clear()
