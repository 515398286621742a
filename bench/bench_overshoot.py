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
from datetime import timedelta
import random
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
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
from testkit.vclock import VirtualClock
from testkit.watch import SessionWatch, set_up, stop_the_demo_session

from .report import ANEW_CELLS, MAIN_CELLS, RESULTS, SESSIONS, Cell, Run

STOP_BUTTON = "button.evnnovator_demo_driver_1_stop_charging"
CHARGING = "binary_sensor.evnnovator_demo_driver_1_charging"
ENERGY = "sensor.evnnovator_demo_driver_1_session_energy"
ENERGY_LIMIT = "number.evnnovator_demo_driver_1_energy_limit"
STOP_AT = "input_number.stop_at"
# X is what the session delivers in this many minutes at full power: long enough for the idle
# poll (300 s) and a few slow meter values to come before it is reached, as in real use.
X_MINUTES = (12.0, 30.0)
# With a taper, the power falls from this share of X on, to 60 % of full power at X.
TAPER_FROM_SHARE = 0.6
# The most one session may take in virtual time.
RUN_LIMIT_SECONDS = 4 * 3600

pytestmark = pytest.mark.freeze_time("2026-11-23T08:00:00+00:00")

# Stop the car when the energy reaches the helper's value: what a user writes without us.
AUTOMATION = {
    "alias": "Stop the car at X kWh",
    "triggers": [
        {
            "trigger": "template",
            "value_template": (
                f"{{{{ states('{ENERGY}') | float(0) >= states('{STOP_AT}') | float(0) }}}}"
            ),
        }
    ],
    "conditions": [{"condition": "state", "entity_id": CHARGING, "state": "on"}],
    "actions": [{"action": "button.press", "target": {"entity_id": STOP_BUTTON}}],
}


async def _set_value(hass: HomeAssistant, domain: str, entity_id: str, value: float) -> None:
    await hass.services.async_call(
        domain, "set_value", {ATTR_ENTITY_ID: entity_id, "value": value}, blocking=True
    )


@dataclass(frozen=True)
class Scenario:
    """How a user stops at X: what is set before the session, and how it starts."""

    arm: Callable[[HomeAssistant, float], Awaitable[None]]
    start: Callable[[HomeAssistant, MockConfigEntry, Simulator, float], Awaitable[str]]


async def _arm_automation(hass: HomeAssistant, x: float) -> None:
    await _set_value(hass, "input_number", STOP_AT, x)


async def _arm_energy_limit(hass: HomeAssistant, x: float) -> None:
    await _set_value(hass, "number", ENERGY_LIMIT, x)


async def _arm_nothing(_hass: HomeAssistant, _x: float) -> None:
    return


async def _start_outside(
    _hass: HomeAssistant, _entry: MockConfigEntry, simulator: Simulator, _x: float
) -> str:
    """Started outside Home Assistant (an app, a card)."""
    return simulator.start_session(DEMO_AUTH_ID)


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


def _operator(cell: Cell) -> dict[str, Any]:
    """The cell's operator knobs, on top of the realistic operator's."""
    return {
        "power_kw": cell.power_kw,
        "meter_interval": cell.meter_s,
        "seed": cell.seed,
        "stop_spread": cell.stop_spread,
    }


def _settings(cell: Cell) -> SimulatorSettings:
    return SimulatorSettings.realistic(**_operator(cell))


def _tapering(cell: Cell, x: float) -> OperatorProfile:
    """The cell's operator, with a battery that tapers the power before X."""
    return OperatorProfile.realistic(
        **_operator(cell), taper_from_kwh=x * TAPER_FROM_SHARE, taper_kwh=x
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
    clock = VirtualClock(hass, freezer)
    await set_up(hass, config_entry)
    await stop_the_demo_session(clock, simulator, config_entry)
    if scenario == "automation":
        await async_setup_component(
            hass, "input_number", {"input_number": {"stop_at": {"min": 0, "max": 200}}}
        )
        await async_setup_component(hass, "automation", {"automation": [AUTOMATION]})
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
        watch = SessionWatch(config_entry, simulator, session_id)
        await clock.run_until(
            clock.now() + timedelta(seconds=RUN_LIMIT_SECONDS),
            stop_when=watch.completed_and_shown,
        )
        if not watch.completed_and_shown():
            raise RuntimeError(f"{scenario} {cell.label}: the session did not complete")
        runs.append(
            Run(
                error_kwh=simulator.delivered_kwh(session_id) - x,
                stops=len(stop_requests(simulator)) - stops_before,
                polls=len(polls(simulator)) - polls_before,
            )
        )
    RESULTS.runs[scenario, cell] = runs
