"""The session sensors, against the simulator."""

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_UNKNOWN, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, snapshot_platform
from syrupy.assertion import SnapshotAssertion

from evnnovator_simulator import DEMO_AUTH_ID, Simulator

from .helpers import advance

pytestmark = [
    pytest.mark.freeze_time("2026-11-23T08:00:00+00:00"),
    pytest.mark.usefixtures("entity_registry_enabled_by_default"),
]


@pytest.fixture
def platforms() -> list[Platform]:
    """Load the sensor platform alone, as snapshot_platform needs."""
    return [Platform.SENSOR]


async def test_active_session(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """Every sensor of a session that is charging."""
    await snapshot_platform(hass, entity_registry, snapshot, init_integration.entry_id)


async def test_completed_session(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """Every sensor of a session that has ended: stopped through the API, seen at the next poll."""
    session_id = simulator.latest_session(DEMO_AUTH_ID)["id"]
    await init_integration.runtime_data.coordinator.client.stop_session(session_id)
    await advance(hass, freezer, 60)
    assert hass.states.get("sensor.evnnovator_demo_driver_1_session_status").state == "completed"
    await snapshot_platform(hass, entity_registry, snapshot, init_integration.entry_id)


async def test_no_session_yet(
    hass: HomeAssistant, simulator: Simulator, config_entry: MockConfigEntry
) -> None:
    """A driver without sessions: the sensors are there, and unknown rather than zero."""
    simulator.set_raw_latest(DEMO_AUTH_ID, None)
    simulator.add_driver("driver-without-sessions", token_uid="TOKEN2")
    entry = MockConfigEntry(
        domain=config_entry.domain,
        unique_id="driver-without-sessions@127.0.0.1",
        data={**config_entry.data, "auth_id": "driver-without-sessions"},
    )
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    energy = hass.states.get("sensor.evnnovator_driver_without_sessions_session_energy")
    assert energy is not None
    assert energy.state == STATE_UNKNOWN
    status = hass.states.get("sensor.evnnovator_driver_without_sessions_session_status")
    assert status is not None
    assert status.state == STATE_UNKNOWN
    # Both totals alike: nothing counted yet is not 0.00 kWh beside an unknown cost.
    for total in ("total_energy", "total_cost"):
        state = hass.states.get(f"sensor.evnnovator_driver_without_sessions_{total}")
        assert state is not None
        assert state.state == STATE_UNKNOWN


async def test_unknown_status_is_unknown_and_logged_once(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A status OCPI does not define shows as unknown, the rest stays right, one warning."""
    data = dict(simulator.latest_session(DEMO_AUTH_ID))
    data["status"] = "SUSPENDEDEV"
    data["kwh"] = "4.5"  # a number that arrives as text
    simulator.set_raw_latest(DEMO_AUTH_ID, data)
    for _ in range(3):
        await advance(hass, freezer, 300)
    assert hass.states.get("sensor.evnnovator_demo_driver_1_session_status").state == STATE_UNKNOWN
    assert hass.states.get("sensor.evnnovator_demo_driver_1_session_energy").state == "4.5"
    assert caplog.text.count("'SUSPENDEDEV'") == 1


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(
            {"id": "s1", "status": "COMPLETED"},
            {
                "session_energy": STATE_UNKNOWN,
                "session_cost": STATE_UNKNOWN,
                "session_duration": STATE_UNKNOWN,
                "average_charging_power": STATE_UNKNOWN,
                "charging_location": STATE_UNKNOWN,
                "charger": STATE_UNKNOWN,
            },
            id="bare-session",
        ),
        pytest.param(
            {
                "id": "s2",
                "status": "COMPLETED",
                "start_datetime": "2026-11-23T07:00:00+00:00",
                "kwh": 3,
                "total_cost": 54,
                "evseId": "not-at-this-location",
                "location": {"name": "Depot", "evses": []},
            },
            {
                "session_energy": "3.0",
                # A cost without its currency is a number of unknown meaning.
                "session_cost": STATE_UNKNOWN,
                # Completed, but the API sent no end: no duration rather than a guess.
                "session_duration": STATE_UNKNOWN,
                "charging_location": "Depot",
                # The EVSE is not among the location's: its uid is the best name there is.
                "charger": "not-at-this-location",
            },
            id="partial-session",
        ),
        pytest.param(
            {
                "id": "s3",
                "status": "ACTIVE",
                "start_datetime": "2026-11-23T08:00:01+00:00",
                "kwh": 0.05,
            },
            # Half a minute of charging says more about meter lag than about power.
            {"average_charging_power": STATE_UNKNOWN, "session_duration": "0.5"},
            id="just-started",
        ),
    ],
)
async def test_sessions_with_missing_parts(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    data: dict[str, object],
    expected: dict[str, str],
) -> None:
    """Parts the API leaves out make their sensors unknown, never zero or a guess."""
    simulator.set_raw_latest(DEMO_AUTH_ID, data)
    await advance(hass, freezer, 31)
    shown = {
        key: hass.states.get(f"sensor.evnnovator_demo_driver_1_{key}").state for key in expected
    }
    assert shown == expected
    location = hass.states.get("sensor.evnnovator_demo_driver_1_charging_location")
    assert "latitude" not in location.attributes
