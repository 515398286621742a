"""Stop at X kWh: how far past X the session ends, three ways, at four charging powers.

Each scenario runs 20 sessions one after the other in one Home Assistant (as a user's would:
what the integration learns from one stop serves the next), each started at a random moment
relative to the poll schedule and with a random X (seeded: every scenario sees the same
sessions). The overshoot is the energy of the COMPLETED session, as the simulator reports it,
less X.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
import random

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.evnnovator.const import (
    CONF_CHARGING_INTERVAL,
    CONF_IDLE_INTERVAL,
    DEFAULT_IDLE_INTERVAL,
    DOMAIN,
)
from evnnovator_simulator import DEMO_AUTH_ID, DEMO_TOKEN_UID, Simulator, SimulatorSettings

from .report import POWERS_KW, RESULTS, RUNS, SCENARIOS
from .session import SessionWatch, set_up, stop_the_demo_session
from .vclock import VirtualClock

STOP_BUTTON = "button.evnnovator_demo_driver_1_stop_charging"
CHARGING = "binary_sensor.evnnovator_demo_driver_1_charging"
ENERGY = "sensor.evnnovator_demo_driver_1_session_energy"
ENERGY_LIMIT = "number.evnnovator_demo_driver_1_energy_limit"
STOP_AT = "input_number.stop_at"
# X is what the session delivers in this many minutes: long enough for the idle poll (300 s)
# to have found the session before it is reached, as in real use.
X_MINUTES = (10.0, 30.0)
# The most one run may take in virtual time.
RUN_LIMIT_SECONDS = 3 * 3600

pytestmark = pytest.mark.freeze_time("2026-11-23T08:00:00+00:00")

# Stop the car when the energy reaches the helper's value: the baseline a user writes today.
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


async def _automation_baseline(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """60 s polling while charging, and an automation that presses Stop at X."""
    await set_up(
        hass, entry, {CONF_CHARGING_INTERVAL: 60, CONF_IDLE_INTERVAL: DEFAULT_IDLE_INTERVAL}
    )


async def _set_value(hass: HomeAssistant, domain: str, entity_id: str, value: float) -> None:
    await hass.services.async_call(
        domain, "set_value", {ATTR_ENTITY_ID: entity_id, "value": value}, blocking=True
    )


@pytest.mark.parametrize(
    "simulator_settings",
    [SimulatorSettings(power_kw=power) for power in POWERS_KW],
    ids=[f"{power:g}kW" for power in POWERS_KW],
)
@pytest.mark.parametrize("scenario", list(SCENARIOS))
async def bench_overshoot(  # noqa: PLR0917 (pytest fixtures)
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    simulator_settings: SimulatorSettings,
    config_entry: MockConfigEntry,
    scenario: str,
) -> None:
    """20 sessions stopped at X; the overshoot of each goes into the results."""
    power = simulator_settings.power_kw
    clock = VirtualClock(hass, freezer)
    if scenario == "automation":
        await _automation_baseline(hass, config_entry)
    else:
        await set_up(hass, config_entry)
    await stop_the_demo_session(clock, simulator, config_entry)

    arm: Callable[[float], Awaitable[None]]
    start: Callable[[float], Awaitable[str]]
    if scenario == "automation":
        await async_setup_component(
            hass, "input_number", {"input_number": {"stop_at": {"min": 0, "max": 200}}}
        )
        await async_setup_component(hass, "automation", {"automation": [AUTOMATION]})

        async def arm(x: float) -> None:
            await _set_value(hass, "input_number", STOP_AT, x)

    elif scenario == "energy_limit":

        async def arm(x: float) -> None:
            await _set_value(hass, "number", ENERGY_LIMIT, x)

    else:

        async def arm(x: float) -> None:
            return

    if scenario == "autostop" and hass.services.has_service(DOMAIN, "start_charging"):

        async def start(x: float) -> str:
            await hass.services.async_call(
                DOMAIN,
                "start_charging",
                {"energy_limit": x, "token_uid": DEMO_TOKEN_UID},
                blocking=True,
            )
            return str(simulator.latest_session(DEMO_AUTH_ID)["id"])  # type: ignore[index]

    elif scenario == "autostop":  # before the action existed: as the operator would do it

        async def start(x: float) -> str:
            return simulator.start_session(DEMO_AUTH_ID, autostop_kwh=x)

    else:  # started outside Home Assistant (an app, a card)

        async def start(x: float) -> str:
            return simulator.start_session(DEMO_AUTH_ID)

    # Seeded: the same sessions each time, and for every scenario.
    rng = random.Random(f"overshoot-{power}")  # noqa: S311
    overshoot: list[float] = []
    stops: list[int] = []
    for _ in range(RUNS):
        phase = rng.uniform(0, DEFAULT_IDLE_INTERVAL)
        x = round(power * rng.uniform(*X_MINUTES) / 60, 1)
        await clock.run_for(phase)
        await arm(x)
        before = len(simulator.requests)
        watch = SessionWatch(config_entry, simulator, await start(x))
        await clock.run_until(
            clock.now() + timedelta(seconds=RUN_LIMIT_SECONDS), stop_when=watch.completed_and_shown
        )
        if not watch.completed_and_shown():
            raise RuntimeError(f"{scenario} at {power} kW: the session did not complete")
        overshoot.append(watch.final_kwh() - x)
        stops.append(
            sum(1 for r in simulator.requests[before:] if r.path.endswith("/STOP_SESSION"))
        )
    RESULTS.overshoot[scenario, power] = overshoot
    RESULTS.stops[scenario, power] = stops
