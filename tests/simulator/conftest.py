"""Fixtures: a simulator served on 127.0.0.1 with a manual clock, and an HTTP client for it."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
import json
from typing import Any
from urllib.parse import quote

import aiohttp
import pytest
from yarl import URL

from evnnovator_simulator import (
    DEMO_AUTH_ID,
    DEMO_AUTH_ID_NEW,
    DEMO_TOKEN,
    ManualClock,
    Simulator,
    SimulatorSettings,
)

AUTH = {"Authorization": f"Token {DEMO_TOKEN}"}


@dataclass(frozen=True)
class Reply:
    """What an HTTP request got back."""

    status: int
    headers: dict[str, str]
    text: str

    def json(self) -> Any:
        return json.loads(self.text)


@dataclass(frozen=True)
class SimEnv:
    """A running simulator, its clock and a client session."""

    sim: Simulator
    clock: ManualClock
    http: aiohttp.ClientSession
    base_url: str

    @property
    def origin(self) -> str:
        return self.base_url.removesuffix(self.sim.settings.prefix)

    async def request(
        self, method: str, url: str | URL, *, headers: dict[str, str] | None = None, **kwargs: Any
    ) -> Reply:
        """Send a request; a str url is taken as already percent-encoded."""
        target = URL(url, encoded=True) if isinstance(url, str) else url
        async with self.http.request(method, target, headers=headers, **kwargs) as resp:
            return Reply(resp.status, dict(resp.headers), await resp.text())

    async def latest(self, auth_id: str = DEMO_AUTH_ID, *, headers: dict[str, str] = AUTH) -> Reply:
        """GET the latest session of `auth_id` (percent-encoded as one segment)."""
        segment = quote(auth_id, safe="")
        return await self.request(
            "GET", f"{self.base_url}/sessions/{segment}/latest", headers=headers
        )

    async def latest_with_timeout(self, seconds: float = 0.2) -> Reply:
        """GET the demo driver's latest session, giving up after `seconds`."""
        url = f"{self.base_url}/sessions/{DEMO_AUTH_ID}/latest"
        timeout = aiohttp.ClientTimeout(total=seconds)
        return await self.request("GET", url, headers=AUTH, timeout=timeout)

    async def command(self, name: str, body: Any, *, headers: dict[str, str] = AUTH) -> Reply:
        """POST a command with a JSON body."""
        return await self.request(
            "POST", f"{self.base_url}/commands/{name}", headers=headers, json=body
        )

    async def control(self, method: str, path: str, body: Any = None) -> Reply:
        """Call the control API; `body` is sent as JSON unless None."""
        kwargs = {} if body is None else {"json": body}
        return await self.request(method, f"{self.origin}/_simulator/{path}", **kwargs)

    async def post_control(self, path: str, body: Any) -> Reply:
        """POST `body` to the control API: a str as it stands (a body that is not JSON), any
        other value as JSON."""
        if isinstance(body, str):
            return await self.request("POST", f"{self.origin}/_simulator/{path}", data=body)
        return await self.control("POST", path, body)


async def latest_data(sim_env: SimEnv, auth_id: str = DEMO_AUTH_ID_NEW) -> Any:
    """The `data` the simulator serves as the driver's latest session (200 expected)."""
    reply = await sim_env.latest(auth_id)
    assert reply.status == 200
    return reply.json()["data"]


@pytest.fixture
def settings() -> SimulatorSettings:
    """Default settings; parametrize `settings` directly to change them."""
    return SimulatorSettings()


@pytest.fixture
def clock() -> ManualClock:
    """A manual clock at its default start."""
    return ManualClock()


@pytest.fixture
async def sim_env(
    socket_enabled: None, settings: SimulatorSettings, clock: ManualClock
) -> AsyncIterator[SimEnv]:
    """Start a simulator on 127.0.0.1 with a manual clock; stop it and the client afterwards."""
    sim = Simulator(settings, clock=clock)
    base_url = await sim.start("127.0.0.1", 0)
    try:
        async with aiohttp.ClientSession() as http:
            yield SimEnv(sim, clock, http, base_url)
    finally:
        await sim.stop()
