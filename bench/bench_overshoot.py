"""Stop at X kWh against a realistic operator: how far from X the session ends, three ways.

The operator sends a meter value every M seconds (rounded to 0.01 kWh) and stops some seconds
after an accepted STOP, as real ones do: at a typical latency of its own (seeded, 5-45 s) give
or take STOP_SPREAD, as one hub and one charger do; in the variant, drawn anew for each session
across 5-45 s (the Energy limit alone). Each cell runs SESSIONS
sessions one after the other in one Home Assistant, as a user's would: what the integration
learns from one stop serves the next. Each starts at a random moment relative to the poll
schedule, with a random X (seeded: every scenario sees the same sessions). The error is the
energy the session truly delivered (the simulator's own, unrounded) less X.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
import random

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.evnnovator.const import DEFAULT_IDLE_INTERVAL, DOMAIN
from evnnovator_simulator import (
    DEMO_AUTH_ID,
    DEMO_TOKEN_UID,
    OperatorProfile,
    Simulator,
    SimulatorSettings,
)
from testkit.requests import polls, stop_requests
from testkit.watch import SessionWatch, after_the_demo_session

from .report import ANEW_CELLS, MAIN_CELLS, RESULTS, SESSIONS, Cell, Run
from .user import STOP_AT, add_stop_automation, set_value, start_outside

ENERGY = "sensor.evnnovator_demo_driver_1_session_energy"
ENERGY_LIMIT = "number.evnnovator_demo_driver_1_energy_limit"
# X is what the session delivers in this many minutes at full power: long enough for the idle
# poll (300 s) and a few slow meter values to come before it is reached, as in real use.
X_MINUTES = (12.0, 30.0)
# With a taper, the power falls from this share of X on, to 60 % of full power at X.
TAPER_FROM_SHARE = 0.6
# The most one session may take in virtual time.
RUN_LIMIT_SECONDS = 4 * 3600

pytestmark = pytest.mark.freeze_time("2026-11-23T08:00:00+00:00")


@dataclass(frozen=True)
class Scenario:
    """How a user stops at X: what is set before the session, and how it starts."""

    arm: Callable[[HomeAssistant, float], Awaitable[None]]
    start: Callable[[HomeAssistant, MockConfigEntry, Simulator, float], Awaitable[str]]


async def _arm_automation(hass: HomeAssistant, x: float) -> None:
    await set_value(hass, "input_number", STOP_AT, x)


async def _arm_energy_limit(hass: HomeAssistant, x: float) -> None:
    await set_value(hass, "number", ENERGY_LIMIT, x)


async def _arm_nothing(_hass: HomeAssistant, _x: float) -> None:
    return


async def _start_outside(
    _hass: HomeAssistant, _entry: MockConfigEntry, simulator: Simulator, _x: float
) -> str:
    return start_outside(simulator)


async def _start_with_autostop(
    hass: HomeAssistant, entry: MockConfigEntry, simulator: Simulator, x: float
) -> str:
    await hass.services.async_call(
        DOMAIN,
        "start_charging",
        {"config_entry_id": entry.entry_id, "energy_limit": x, "token_uid": DEMO_TOKEN_UID},
        blocking=True,
    )
    latest = simulator.latest_session(DEMO_AUTH_ID)
    if latest is None:
        raise RuntimeError("no session after START")
    return str(latest["id"])


SCENARIOS = {
    "automation": Scenario(_arm_automation, _start_outside),
    "energy_limit": Scenario(_arm_energy_limit, _start_outside),
    "autostop": Scenario(_arm_nothing, _start_with_autostop),
}


def _settings(cell: Cell) -> SimulatorSettings:
    return SimulatorSettings.realistic(**cell.operator())


def _tapering(cell: Cell, x: float) -> OperatorProfile:
    """The cell's operator, with a battery that tapers the power before X."""
    return OperatorProfile.realistic(
        **cell.operator(), taper_from_kwh=x * TAPER_FROM_SHARE, taper_kwh=x
    )


# Every scenario on the main matrix; the variant's drawn-anew latencies, the Energy limit alone.
RUNS = [(cell, scenario) for cell in MAIN_CELLS for scenario in SCENARIOS] + [
    (cell, "energy_limit") for cell in ANEW_CELLS
]


@pytest.mark.parametrize(
    ("cell", "scenario", "simulator_settings"),
    [(cell, scenario, _settings(cell)) for cell, scenario in RUNS],
    ids=[f"{scenario}-{cell.label}" for cell, scenario in RUNS],
)
async def bench_overshoot(  # noqa: PLR0917 (pytest fixtures)
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    config_entry: MockConfigEntry,
    cell: Cell,
    scenario: str,
) -> None:
    """SESSIONS sessions stopped at X; each one's error, STOPs and requests go into the results."""
    # Home Assistant draws each coordinator's poll phase (a random microsecond) from the global
    # generator: seeded for each run, so that its figures do not depend on the runs before it.
    random.seed(f"phase-{scenario}-{cell.label}")
    clock = await after_the_demo_session(hass, freezer, simulator, config_entry)
    if scenario == "automation":
        await add_stop_automation(hass, "Stop the car at X kWh", ENERGY)
    how = SCENARIOS[scenario]

    rng = random.Random(f"overshoot-{cell.label}")  # noqa: S311 (the same sessions each time)
    runs: list[Run] = []
    for _ in range(SESSIONS):
        await clock.run_for(rng.uniform(0, DEFAULT_IDLE_INTERVAL))
        x = round(cell.power_kw * rng.uniform(*X_MINUTES) / 60, 2)
        if cell.taper:
            simulator.set_operator(_tapering(cell, x), auth_id=DEMO_AUTH_ID)
        await how.arm(hass, x)
        stops_before, polls_before = len(stop_requests(simulator)), len(polls(simulator))
        session_id = await how.start(hass, config_entry, simulator, x)
        await SessionWatch(config_entry, simulator, session_id).run_to_its_end(
            clock, RUN_LIMIT_SECONDS
        )
        runs.append(
            Run(
                error_kwh=simulator.delivered_kwh(session_id) - x,
                stops=len(stop_requests(simulator)) - stops_before,
                polls=len(polls(simulator)) - polls_before,
            )
        )
    RESULTS.runs[scenario, cell] = runs
