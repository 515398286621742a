"""Three days of a driver's life at once, in virtual time: nothing lost, nothing twice.

The month runs in the benchmark (`scripts/bench -k soak`); this is its short version.
"""

import logging

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from evnnovator_simulator import Simulator, SimulatorSettings
from evnnovator_simulator.dialect import DIALECTS
from testkit.soak import failed_checks, soak, totals_before
from testkit.vclock import VirtualClock
from testkit.watch import set_up, stop_the_demo_session

pytestmark = [
    pytest.mark.freeze_time("2026-11-23T08:00:00+00:00"),
    pytest.mark.usefixtures("recorder_mock"),
]


@pytest.fixture
def mock_recorder_before_hass(async_test_recorder: object) -> None:
    """Prepare the recorder before Home Assistant starts, which recorder_mock requires."""


@pytest.fixture(params=DIALECTS)
def simulator_settings(request: pytest.FixtureRequest) -> SimulatorSettings:
    """The realistic operator, speaking EVnnovator's 2.1.1 shape or its hub's 2.2.1."""
    return SimulatorSettings.realistic(seed=11, dialect=request.param)


async def test_three_days_of_a_drivers_life(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    config_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Sessions stopped five ways, a fault about every hour, two restarts a day: every session
    counted once at the operator's figure, started and completed once, one STOP per limited
    session and none for the car's own; the statistics add up to the total; no traceback."""
    clock = VirtualClock(hass, freezer)
    await set_up(hass, config_entry)
    await stop_the_demo_session(clock, simulator, config_entry)
    await clock.run_for(3600)  # the demo session's bill
    before = totals_before(hass)
    caplog.set_level(logging.INFO)
    report = await soak(hass, clock, simulator, config_entry, days=3, seed=5)
    assert len(report.sessions) >= 3
    assert await failed_checks(hass, config_entry, simulator, report, before) == []
    assert not [record for record in caplog.records if record.exc_info]
