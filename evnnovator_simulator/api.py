"""Handlers of the documented API calls."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import unquote

from aiohttp import web

from .clock import Clock
from .render import (
    INVALID_PARAMETERS,
    cdr_data,
    command_response,
    envelope,
    error_response,
    evse_data,
    json_response,
    latest_data,
    location_data,
    tariff_data,
)
from .settings import SimulatorSettings
from .site import (
    COUNTRY_CODE,
    DEMO_LOCATION_ID,
    LOCATION_UUID,
    PARTY_ID,
    TARIFF_IDS,
    location_detail,
    search_matches,
)
from .validation import finite_number, read_json
from .world import DriverBlockedError, NoSessionError, UnknownDriverError, World


def auth_id_from_raw_path(raw_path: str, prefix: str) -> str | None:
    """Return the decoded auth_id of `{prefix}/sessions/{auth_id}/latest`, or None.

    The raw path is split before decoding, so an encoded `/`, `?` or `#` stays inside the auth_id
    and a path with an extra real `/` does not match.
    """
    base = f"{prefix}/sessions/"
    segments = raw_path.partition("?")[0].removeprefix(base).split("/")
    if not raw_path.startswith(base) or len(segments) != 2 or segments[1] != "latest":
        return None
    return unquote(segments[0])


_START_KEYS = ("token_uid", "location_id", "evse_uid")


@dataclass(frozen=True)
class StartRequest:
    """A well-formed START_SESSION body."""

    token_uid: str
    location_id: str
    evse_uid: str
    autostop_kwh: float | None


def parse_start(body: Any) -> StartRequest | None:
    """Return the START_SESSION request in `body`, or None if it is malformed."""
    if not isinstance(body, dict):
        return None
    ids = [value for key in _START_KEYS if isinstance(value := body.get(key), str)]
    if len(ids) != len(_START_KEYS):
        return None
    autostop = body.get("autostop_session")
    kwh = None if autostop is None else _autostop_kwh(autostop)
    if autostop is not None and kwh is None:
        return None
    token_uid, location_id, evse_uid = ids
    return StartRequest(token_uid, location_id, evse_uid, kwh)


def _autostop_kwh(autostop: Any) -> float | None:
    """Return the energy limit of an `autostop_session` object, or None if it is malformed."""
    if not isinstance(autostop, dict) or autostop.get("type") != "ENERGY":
        return None
    value = finite_number(autostop.get("value"))
    return value if value is not None and value > 0 else None


class ApiHandlers:
    """The API's route handlers; faults and authentication are applied before them."""

    def __init__(self, settings: SimulatorSettings, clock: Clock, world: World) -> None:
        """Serve `world` as seen at `clock`'s time."""
        self._settings = settings
        self._clock = clock
        self._world = world

    def routes(self) -> list[web.RouteDef]:
        """Return the API's routes under the configured prefix."""
        prefix = self._settings.prefix
        return [
            # Any tail: the handler reads the auth_id from the raw path itself.
            web.get(f"{prefix}/sessions/{{tail:.*}}", self.latest),
            web.get(f"{prefix}/cdrs/session/{{number}}", self.session_cdr),
            # Before the location by id, which would take "search" for an id.
            web.get(f"{prefix}/locations/search", self.search),
            web.get(f"{prefix}/locations/{{location_id}}", self.location),
            web.get(f"{prefix}/tariffs/location/{{location_id}}/{{tariff_id}}", self.tariff),
            web.get(f"{prefix}/locations/{{location_id}}/evse/{{evse_id}}", self.evse),
            web.get(
                f"{prefix}/locations/{{country_code}}/{{party_id}}/{{location_id}}",
                self.location_by_ocpi_ids,
            ),
            web.get(
                f"{prefix}/whitelist/driver/{{auth_id}}/location/{{location_id}}", self.token_uid
            ),
            web.post(f"{prefix}/commands/STOP_SESSION", self.stop_session),
            web.post(f"{prefix}/commands/START_SESSION", self.start_session),
        ]

    async def latest(self, request: web.Request) -> web.Response:
        """GET the latest session of a driver."""
        now = self._clock()
        auth_id = auth_id_from_raw_path(request.raw_path, self._settings.prefix)
        if auth_id is None:
            return error_response(404, "Not found", now)
        try:
            found = self._world.latest(auth_id, now)
        except DriverBlockedError:
            return error_response(403, "Driver is not whitelisted", now)
        except UnknownDriverError:
            return error_response(404, "Unknown driver", now)
        except NoSessionError:
            return error_response(404, "No session for this driver", now)
        return json_response(envelope(latest_data(found, self._settings), now))

    async def session_cdr(self, request: web.Request) -> web.Response:
        """GET the CDR of a session by its numeric session_id: 404 until the operator made it."""
        now = self._clock()
        found = self._world.cdr(request.match_info["number"], now)
        if found is None:
            return error_response(404, "No CDR for this session", now)
        view, created = found
        return json_response(envelope(cdr_data(view, created, self._settings), now))

    async def search(self, request: web.Request) -> web.Response:
        """GET the locations within `distance` km of a point, as a page (`data.content`)."""
        now = self._clock()
        try:
            latitude = float(request.query["latitude"])
            longitude = float(request.query["longitude"])
            distance = float(request.query.get("distance", "10"))
        except KeyError, ValueError:
            return _bad_request(now)
        location = location_detail(self._world.evse_statuses(now))
        content = []
        if search_matches(location, latitude, longitude, distance, request.query):
            content.append(location_data(location, self._settings))
        page = {"content": content, "totalElements": len(content), "number": 0, "size": 20}
        return json_response(envelope(page, now))

    async def location(self, request: web.Request) -> web.Response:
        """GET a location with all its EVSEs, by its hex id."""
        now = self._clock()
        if request.match_info["location_id"] != DEMO_LOCATION_ID:
            return error_response(404, "Unknown location", now)
        return self._location(now)

    async def location_by_ocpi_ids(self, request: web.Request) -> web.Response:
        """GET a location with all its EVSEs, by its operator's country and party and its uuid."""
        now = self._clock()
        ids = (
            request.match_info["country_code"],
            request.match_info["party_id"],
            request.match_info["location_id"].upper(),
        )
        if ids != (COUNTRY_CODE, PARTY_ID, LOCATION_UUID):
            return error_response(404, "Unknown location", now)
        return self._location(now)

    def _location(self, now: datetime) -> web.Response:
        location = location_detail(self._world.evse_statuses(now))
        return json_response(envelope(location_data(location, self._settings), now))

    async def tariff(self, request: web.Request) -> web.Response:
        """GET a connector's tariff at a location: the price as a string, before tax."""
        now = self._clock()
        tariff_id = request.match_info["tariff_id"]
        if request.match_info["location_id"] != DEMO_LOCATION_ID or tariff_id not in TARIFF_IDS:
            return error_response(404, "Unknown tariff", now)
        return json_response(envelope(tariff_data(self._settings, tariff_id), now))

    async def evse(self, request: web.Request) -> web.Response:
        """GET one EVSE by its location's and its own hex id (not its uid or evse_id)."""
        now = self._clock()
        location = location_detail(self._world.evse_statuses(now))
        found = [evse for evse in location["evses"] if evse["id"] == request.match_info["evse_id"]]
        if request.match_info["location_id"] != DEMO_LOCATION_ID or not found:
            return error_response(404, "Unknown EVSE", now)
        return json_response(envelope(evse_data(found[0], self._settings), now))

    async def token_uid(self, request: web.Request) -> web.Response:
        """GET the driver's token uid at a location (404: unknown driver or location)."""
        now = self._clock()
        try:
            uid = self._world.token_uid(
                request.match_info["auth_id"], request.match_info["location_id"]
            )
        except DriverBlockedError:
            return error_response(403, "Driver is not whitelisted", now)
        except LookupError:
            return error_response(404, "Unknown driver or location", now)
        return json_response(envelope({"uid": uid}, now))

    async def stop_session(self, request: web.Request) -> web.Response:
        """POST STOP_SESSION."""
        now = self._clock()
        body = await read_json(request)
        session_id = body.get("session_id") if isinstance(body, dict) else None
        if not isinstance(session_id, str):
            return _bad_request(now)
        return command_response(self._world.command_stop(session_id, now), now, self._settings)

    async def start_session(self, request: web.Request) -> web.Response:
        """POST START_SESSION."""
        now = self._clock()
        start = parse_start(await read_json(request))
        if start is None:
            return _bad_request(now)
        accepted = self._world.command_start(
            token_uid=start.token_uid,
            location_id=start.location_id,
            evse_uid=start.evse_uid,
            autostop_kwh=start.autostop_kwh,
            now=now,
        )
        return command_response(accepted, now, self._settings)


def _bad_request(now: datetime) -> web.Response:
    return error_response(400, "Invalid or missing parameters", now, code=INVALID_PARAMETERS)
