"""Small helpers shared by the integration tests."""

from collections.abc import AsyncIterator, Callable
from datetime import timedelta
import json
from pathlib import Path

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.evnnovator.const import DEFAULT_CHARGING_INTERVAL
from custom_components.evnnovator.logbook import KEY_PREFIX, Wording
from evnnovator_simulator import DEMO_AUTH_ID, DEMO_EVSE_UID, Simulator


async def advance(hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float) -> None:
    """Move Home Assistant's and the simulator's clock on, and run what fell due."""
    freezer.tick(timedelta(seconds=seconds))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


async def polls(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    minutes: float,
    *,
    every: float = DEFAULT_CHARGING_INTERVAL,
) -> AsyncIterator[None]:
    """Let `minutes` pass, `every` seconds at a time (a poll while charging), yielding after each
    step so that the caller can check what it shows."""
    for _ in range(round(minutes * 60 / every)):
        await advance(hass, freezer, every)
        yield


async def poll_until(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    done: Callable[[HomeAssistant], bool],
    minutes: float,
    *,
    every: float = DEFAULT_CHARGING_INTERVAL,
) -> None:
    """Step the clock as `polls` does, stopping at the first step after which `done(hass)` holds;
    at most `minutes` (the caller asserts what it waited for)."""
    for _ in range(round(minutes * 60 / every)):
        await advance(hass, freezer, every)
        if done(hass):
            return


async def poll_for(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    minutes: float,
    *,
    every: float = DEFAULT_CHARGING_INTERVAL,
) -> None:
    """Let `minutes` pass, `every` seconds at a time, as the integration polls while charging."""
    await poll_until(hass, freezer, lambda _: False, minutes, every=every)


async def set_up_integration(
    hass: HomeAssistant, entry: MockConfigEntry, options: dict[str, object] | None = None
) -> MockConfigEntry:
    """Add `entry` (with `options`, where given) to Home Assistant and set the integration up."""
    entry.add_to_hass(hass)
    if options is not None:
        hass.config_entries.async_update_entry(entry, options=options)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


async def end_demo_session(
    simulator: Simulator, entry: MockConfigEntry, *, evse_uid: str = DEMO_EVSE_UID
) -> None:
    """Make the latest session a finished one on `evse_uid`, so that START is accepted."""
    simulator.start_session(DEMO_AUTH_ID, evse_uid=evse_uid, status="COMPLETED")
    await entry.runtime_data.coordinator.async_refresh()
    simulator.clear_requests()


def stored_number(value: float, unit: str, maximum: float, step: float) -> dict[str, object]:
    """What Home Assistant keeps of a number entity across a restart."""
    return {
        "native_max_value": maximum,
        "native_min_value": 0,
        "native_step": step,
        "native_unit_of_measurement": unit,
        "native_value": value,
    }


def english() -> Wording:
    """The logbook's English templates, as Home Assistant loads them."""
    common = json.loads(
        (
            Path(__file__).parent.parent / "custom_components/evnnovator/translations/en.json"
        ).read_text(encoding="utf-8")
    )["common"]
    prefix = KEY_PREFIX.rsplit(".", 1)[0] + "."
    return Wording({prefix + key: text for key, text in common.items()})
