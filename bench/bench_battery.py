"""Stop at X % battery against the realistic operator: how far from X the battery ends, three ways.

The operator of the main matrix (a meter value every 60 s, rounded to 0.01 kWh; the charger stops
at a typical latency of its own, 5-45 s, give or take STOP_SPREAD) charges a car with a battery:
a capacity, and charging losses (report.AC_CAR, report.DC_CAR); its power does not fall as the
battery fills. The car's own sensor in Home Assistant (testkit/car.py) reports the state of
charge every 2-15 minutes, floored, 20-90 s late. Each cell runs SESSIONS sessions one after the
other in one Home Assistant, as a user's would, each started outside Home Assistant from a
random state of charge to a random X (seeded: every scenario sees the same sessions). The error
is the car's true final state of charge (the simulator's own, unrounded) less X.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
import random
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.evnnovator.const import DEFAULT_IDLE_INTERVAL
from evnnovator_simulator import DEMO_AUTH_ID, OperatorProfile, Simulator, SimulatorSettings
from testkit.car import ENTITY_ID as CAR_SENSOR, CarBatterySensor
from testkit.requests import polls, stop_requests
from testkit.watch import SessionWatch, after_the_demo_session

from .report import BATTERY_CELLS, RESULTS, SESSIONS, BatteryCell, BatteryRun
from .user import STOP_AT, add_stop_automation, set_value, start_outside

BATTERY_LIMIT = "number.evnnovator_demo_driver_1_battery_limit"
# Each session starts from a state of charge in this range, and stops at a whole X in this one.
START_PERCENT = (10.0, 50.0)
X_PERCENT = (60, 90)
# The most one session may take in virtual time: 10 to 100 % at 7.4 kW is 8.1 hours.
RUN_LIMIT_SECONDS = 12 * 3600

pytestmark = pytest.mark.freeze_time("2026-11-23T08:00:00+00:00")


async def _arm_automation(hass: HomeAssistant, x: float) -> None:
    await set_value(hass, "input_number", STOP_AT, x)


async def _arm_battery_limit(hass: HomeAssistant, x: float) -> None:
    await set_value(hass, "number", BATTERY_LIMIT, x)


@dataclass(frozen=True)
class Scenario:
    """How a user stops at X %: the integration's options, the charger, what is set before."""

    arm: Callable[[HomeAssistant, float], Awaitable[None]]
    options: dict[str, Any] = field(default_factory=dict)
    reports_soc: bool = False
    """The charger reports the state of charge in the session's charging periods."""


SCENARIOS = {
    "automation": Scenario(_arm_automation),
    "battery_limit_car": Scenario(_arm_battery_limit, options={"battery_sensor": CAR_SENSOR}),
    "battery_limit_soc": Scenario(_arm_battery_limit, reports_soc=True),
}


def _operator(cell: BatteryCell, scenario: str) -> dict[str, Any]:
    """The cell's operator knobs and car, on top of the realistic operator's."""
    return cell.operator.operator() | {
        "battery_kwh": cell.car.battery_kwh,
        "charging_efficiency": cell.car.efficiency,
        "reports_soc": SCENARIOS[scenario].reports_soc,
    }


def _taper(cell: BatteryCell, start: float) -> dict[str, float]:
    """The operator's taper for a session from `start` %, if the cell's power falls.

    From the cell's percent on, tending to what would fill the battery half as much again.
    """
    if cell.taper_from_percent is None:
        return {}
    car = cell.car
    return {
        "taper_from_kwh": car.metered_kwh(max(cell.taper_from_percent - start, 0.0)),
        "taper_kwh": car.metered_kwh(100 - cell.taper_from_percent) * 1.5,
    }


RUNS = [(cell, scenario) for cell in BATTERY_CELLS for scenario in SCENARIOS]


@pytest.mark.parametrize(
    ("cell", "scenario", "simulator_settings"),
    [
        (cell, scenario, SimulatorSettings.realistic(**_operator(cell, scenario)))
        for cell, scenario in RUNS
    ],
    ids=[f"{scenario}-{cell.label}" for cell, scenario in RUNS],
)
async def bench_battery(  # noqa: PLR0917 (pytest fixtures)
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    config_entry: MockConfigEntry,
    cell: BatteryCell,
    scenario: str,
) -> None:
    """SESSIONS sessions stopped at X %; each one's error, STOPs and polls go into the results."""
    # Home Assistant draws each coordinator's poll phase from the global generator (see
    # bench_overshoot): seeded for each run.
    random.seed(f"phase-{scenario}-{cell.label}")
    how = SCENARIOS[scenario]
    car = CarBatterySensor(hass, simulator, seed=f"car-{cell.label}", rounds=cell.sensor_rounds)
    # The car's sensor exists before the integration, which may be told to read it, sets up.
    car.park(START_PERCENT[0])
    clock = await after_the_demo_session(hass, freezer, simulator, config_entry, how.options)
    if scenario == "automation":
        await add_stop_automation(hass, "Stop the car at X %", CAR_SENSOR)

    rng = random.Random(f"battery-{cell.label}")  # noqa: S311 (the same sessions each time)
    runs: list[BatteryRun] = []
    for _ in range(SESSIONS):
        await clock.run_for(rng.uniform(0, DEFAULT_IDLE_INTERVAL))
        start = round(rng.uniform(*START_PERCENT), 1)
        x = float(rng.randint(*X_PERCENT))
        # The car drove: it comes to the charger at `start`, which the session starts from.
        profile = OperatorProfile.realistic(
            **_operator(cell, scenario), **_taper(cell, start), battery_start_percent=start
        )
        simulator.set_operator(profile, auth_id=DEMO_AUTH_ID)
        car.park(start)
        await how.arm(hass, x)
        stops_before, polls_before = len(stop_requests(simulator)), len(polls(simulator))
        session_id = start_outside(simulator)
        await SessionWatch(config_entry, simulator, session_id).run_to_its_end(
            clock, RUN_LIMIT_SECONDS
        )
        final = simulator.battery_percent(session_id)
        if final is None:
            raise RuntimeError("the session's car has no battery")
        runs.append(
            BatteryRun(
                error_percent=final - x,
                error_kwh=cell.car.metered_kwh(final - x),
                stops=len(stop_requests(simulator)) - stops_before,
                polls=len(polls(simulator)) - polls_before,
            )
        )
    RESULTS.battery[scenario, cell] = runs
