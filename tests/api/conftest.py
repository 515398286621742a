"""Fixtures of the API client tests: a simulator on a manual clock, an HTTP session, a client."""

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
from aiohttp import web
import pytest

from custom_components.evnnovator.api import EvnnovatorClient
from evnnovator_simulator import ManualClock, Simulator, SimulatorSettings

type Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
type ServeFn = Callable[[Handler], Awaitable[str]]
type MakeClient = Callable[..., EvnnovatorClient]


@pytest.fixture
def clock() -> ManualClock:
    """The simulator's clock: it moves only when a test advances it."""
    return ManualClock()


@pytest.fixture
async def sim(
    socket_enabled: None, simulator_settings: SimulatorSettings, clock: ManualClock
) -> AsyncIterator[Simulator]:
    """The API simulator on loopback, on the manual clock."""
    simulator = Simulator(simulator_settings, clock=clock)
    await simulator.start()
    yield simulator
    await simulator.stop()


@pytest.fixture
async def http_session(socket_enabled: None) -> AsyncIterator[aiohttp.ClientSession]:
    """The caller's aiohttp session, closed after the test."""
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def make_client(http_session: aiohttp.ClientSession, sim: Simulator) -> MakeClient:
    """Build a client of the simulator; keyword arguments override the defaults."""

    def make(**options: Any) -> EvnnovatorClient:
        options.setdefault("token", sim.settings.token)
        options.setdefault("base_url", sim.base_url)
        return EvnnovatorClient(http_session, **options)

    return make


@pytest.fixture
def client(make_client: MakeClient) -> EvnnovatorClient:
    """A client of the simulator with the right token and the default options."""
    return make_client()


@pytest.fixture
async def serve(socket_enabled: None) -> AsyncIterator[ServeFn]:
    """Start a tiny aiohttp server answering every path with `handler`; return its base URL."""
    runners: list[web.AppRunner] = []

    async def start(handler: Handler) -> str:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", handler)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        runners.append(runner)
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        return f"http://127.0.0.1:{runner.addresses[0][1]}/api"

    yield start
    for runner in runners:
        await runner.cleanup()
