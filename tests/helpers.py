"""Small helpers shared by the integration tests."""

from datetime import timedelta
import json
from pathlib import Path

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.evnnovator.logbook import KEY_PREFIX, Wording
from evnnovator_simulator import DEMO_AUTH_ID, DEMO_EVSE_UID, Simulator


async def advance(hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float) -> None:
    """Move Home Assistant's and the simulator's clock on, and run what fell due."""
    freezer.tick(timedelta(seconds=seconds))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


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
