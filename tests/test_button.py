"""The start and stop buttons, end to end against the simulator."""

from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.button import DOMAIN as BUTTON_DOMAIN, SERVICE_PRESS
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.const import (
    ATTR_ENTITY_ID,
    STATE_OFF,
    STATE_ON,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.translation import async_get_translations
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion

from custom_components.evnnovator.config_flow import unique_id_for
from custom_components.evnnovator.const import CONF_AUTH_ID, CONF_TOKEN_UID, DOMAIN
from evnnovator_simulator import (
    DEMO_AUTH_ID,
    DEMO_AUTH_ID_NEW,
    DEMO_LOCATION_ID,
    DEMO_TOKEN_UID,
    Simulator,
)
from evnnovator_simulator.site import SECOND_EVSE_UID

from .helpers import advance, end_demo_session
from .test_translations import LANGUAGES

STOP_BUTTON = "button.evnnovator_demo_driver_1_stop_charging"
START_BUTTON = "button.evnnovator_demo_driver_1_start_charging"
STATUS = "sensor.evnnovator_demo_driver_1_session_status"
CHARGING = "binary_sensor.evnnovator_demo_driver_1_charging"
CHARGER_STATUS = "sensor.evnnovator_demo_driver_1_charger_status"

pytestmark = pytest.mark.freeze_time("2026-11-23T08:00:00+00:00")


async def press(hass: HomeAssistant, button: str) -> None:
    await hass.services.async_call(
        BUTTON_DOMAIN, SERVICE_PRESS, {ATTR_ENTITY_ID: button}, blocking=True
    )


async def press_stop(hass: HomeAssistant) -> None:
    await press(hass, STOP_BUTTON)


def stop_requests(simulator: Simulator) -> list[object]:
    return [r for r in simulator.requests if r.path.endswith("/commands/STOP_SESSION")]


def latest_requests(simulator: Simulator) -> int:
    return sum(1 for r in simulator.requests if r.path.endswith("/latest"))


@pytest.mark.parametrize("entity_id", [START_BUTTON, STOP_BUTTON])
async def test_button_entities(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    entity_id: str,
) -> None:
    """Both buttons as registered and shown: available (never pressed) while a session runs."""
    assert entity_registry.async_get(entity_id) == snapshot(name="entry")
    assert hass.states.get(entity_id) == snapshot(name="state")


async def test_stop_end_to_end(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
) -> None:
    """One STOP with the session's id, then quick refreshes until it shows as completed."""
    session_id = simulator.latest_session(DEMO_AUTH_ID)["id"]
    assert hass.states.get(STOP_BUTTON).state != STATE_UNAVAILABLE
    assert hass.states.get(CHARGING).state == STATE_ON
    simulator.clear_requests()

    await press_stop(hass)

    [stop] = stop_requests(simulator)
    assert stop.method == "POST"
    assert stop.body == {"session_id": session_id}
    assert stop.auth_scheme == "token"
    assert stop.authorized

    # The operator takes 5 s to stop: the refresh after 3 s still sees it charging, which the
    # status shows as stopping (a STOP was accepted), and a second press sends nothing ...
    await advance(hass, freezer, 4)
    assert hass.states.get(STATUS).state == "stopping"
    assert hass.states.get(CHARGING).state == STATE_ON
    with pytest.raises(HomeAssistantError) as raised:
        await press_stop(hass)
    assert raised.value.translation_key == "already_stopping"
    assert len(stop_requests(simulator)) == 1
    # ... and the one after 8 s sees it completed, without waiting for the 30 s poll.
    await advance(hass, freezer, 5)
    assert hass.states.get(STATUS).state == "completed"
    assert hass.states.get(CHARGING).state == STATE_OFF
    # Still available: nothing to stop is no reason to show "unavailable" (nor to log it).
    assert hass.states.get(STOP_BUTTON).state != STATE_UNAVAILABLE

    # Once it has stopped, the quick refreshes end and polling falls back to the idle pace.
    polls = latest_requests(simulator)
    for _ in range(4):
        await advance(hass, freezer, 60)
    assert latest_requests(simulator) == polls
    await advance(hass, freezer, 70)
    assert latest_requests(simulator) == polls + 1
    assert len(stop_requests(simulator)) == 1


async def test_stop_rejected(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
) -> None:
    """The session ended before Home Assistant noticed: REJECTED becomes a clear error."""
    client = init_integration.runtime_data.coordinator.client
    await client.stop_session(simulator.latest_session(DEMO_AUTH_ID)["id"])
    freezer.tick(10)  # the simulator completes the session; Home Assistant has not polled yet

    with pytest.raises(HomeAssistantError) as raised:
        await press_stop(hass)
    assert raised.value.translation_key == "command_rejected"
    assert "REJECTED" in str(raised.value)


async def test_stop_unauthorized_starts_reauth(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """A 401 on STOP asks the user for a new token."""
    simulator.inject("http_401", only="commands")
    with pytest.raises(HomeAssistantError) as raised:
        await press_stop(hass)
    assert raised.value.translation_key == "authentication_failed"
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]


async def test_stop_when_api_fails(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """A 5xx on STOP is a translated error and leaves the entities as they were."""
    simulator.inject("http_500", only="commands")
    with pytest.raises(HomeAssistantError) as raised:
        await press_stop(hass)
    assert raised.value.translation_key == "server_error"
    assert hass.states.get(STATUS).state == "active"


async def test_nothing_to_stop(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
) -> None:
    """Asking to stop when no session runs says so; no command is sent."""
    await press_stop(hass)
    await advance(hass, freezer, 4)
    await advance(hass, freezer, 5)
    simulator.clear_requests()
    assert hass.states.get(STOP_BUTTON).state != STATE_UNAVAILABLE
    with pytest.raises(HomeAssistantError) as raised:
        await press_stop(hass)
    assert raised.value.translation_key == "not_charging"
    assert stop_requests(simulator) == []


# --- Start ---------------------------------------------------------------------------------------


def start_requests(simulator: Simulator) -> list[Any]:
    return [r for r in simulator.requests if r.path.endswith("/commands/START_SESSION")]


async def test_start_at_the_last_charger_with_the_energy_limit(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
) -> None:
    """Start sends what start_charging without fields sends: the last charger, the token of the
    options and the Energy limit as the operator's autostop; the new session then shows."""
    await end_demo_session(simulator, init_integration, evse_uid=SECOND_EVSE_UID)
    hass.config_entries.async_update_entry(
        init_integration, options={CONF_TOKEN_UID: DEMO_TOKEN_UID}
    )
    init_integration.runtime_data.limits.set_limits(energy=2.5)
    assert hass.states.get(START_BUTTON).state == STATE_UNKNOWN  # available, never pressed

    await press(hass, START_BUTTON)

    [start] = start_requests(simulator)
    assert start.body == {
        "location_id": DEMO_LOCATION_ID,
        "evse_uid": SECOND_EVSE_UID,
        "token_uid": DEMO_TOKEN_UID,
        "autostop_session": {"type": "ENERGY", "value": 2.5},
    }
    # The refresh right after START shows the new session.
    assert init_integration.runtime_data.coordinator.session.evse_uid == SECOND_EVSE_UID.lower()
    await advance(hass, freezer, 30)
    assert hass.states.get(STATUS).state == "active"
    # A running session leaves the button available; a press says why it does nothing.
    assert hass.states.get(START_BUTTON).state != STATE_UNAVAILABLE
    simulator.clear_requests()
    with pytest.raises(ServiceValidationError) as raised:
        await press(hass, START_BUTTON)
    assert raised.value.translation_key == "already_charging"
    assert start_requests(simulator) == []


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_charger_status_follows_our_own_start_and_stop(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
) -> None:
    """After Start and after Stop, Charger status changes within seconds, not a poll later."""
    await end_demo_session(simulator, init_integration)
    hass.config_entries.async_update_entry(
        init_integration, options={CONF_TOKEN_UID: DEMO_TOKEN_UID}
    )
    await advance(hass, freezer, 11)  # Home Assistant's debounce of a refresh asked for
    assert hass.states.get(CHARGER_STATUS).state == "available"

    await press(hass, START_BUTTON)
    await advance(hass, freezer, 11)
    assert hass.states.get(CHARGER_STATUS).state == "charging"

    await press_stop(hass)
    await advance(hass, freezer, 11)
    assert hass.states.get(STATUS).state == "completed"
    assert hass.states.get(CHARGER_STATUS).state == "available"


@pytest.mark.parametrize(
    ("options", "translation_key"),
    [
        pytest.param({CONF_TOKEN_UID: DEMO_TOKEN_UID}, "no_charge_point", id="no_charger_known"),
    ],
)
async def test_start_without_what_it_needs(
    hass: HomeAssistant,
    simulator: Simulator,
    config_entry: MockConfigEntry,
    options: dict[str, str],
    translation_key: str,
) -> None:
    """A driver without any session (no charger known) or without a token uid: a clear error."""
    auth_id = DEMO_AUTH_ID_NEW if translation_key == "no_charge_point" else DEMO_AUTH_ID
    button = await set_up_driver(hass, simulator, config_entry, auth_id, options)

    with pytest.raises(ServiceValidationError) as raised:
        await press(hass, button)

    assert raised.value.translation_key == translation_key
    assert start_requests(simulator) == []


async def set_up_driver(
    hass: HomeAssistant,
    simulator: Simulator,
    config_entry: MockConfigEntry,
    auth_id: str,
    options: dict[str, str],
) -> str:
    """Set up the entry for `auth_id` (the demo driver with a finished session); its Start."""
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        config_entry,
        unique_id=unique_id_for(auth_id, simulator.base_url),
        data={**config_entry.data, CONF_AUTH_ID: auth_id},
        options=options,
    )
    if auth_id == DEMO_AUTH_ID:
        simulator.start_session(DEMO_AUTH_ID, status="COMPLETED")
    await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    simulator.clear_requests()
    return f"button.evnnovator_{auth_id.replace('-', '_')}_start_charging"


async def test_start_without_a_session_points_to_find_chargers(
    hass: HomeAssistant, simulator: Simulator, config_entry: MockConfigEntry
) -> None:
    """A driver who never charged is told how to find a charger and start there once."""
    button = await set_up_driver(
        hass, simulator, config_entry, DEMO_AUTH_ID_NEW, {CONF_TOKEN_UID: DEMO_TOKEN_UID}
    )

    with pytest.raises(ServiceValidationError) as raised:
        await press(hass, button)

    message = str(raised.value)
    for named in ("evnnovator.find_chargers", "evnnovator.start_charging", "evse_uid"):
        assert named in message
    assert message.startswith("Not known where to start: no location_id was given")


@pytest.mark.parametrize("language", ["en", *sorted(LANGUAGES)])
async def test_no_charge_point_names_find_chargers_in_every_language(
    hass: HomeAssistant, init_integration: MockConfigEntry, language: str
) -> None:
    """Each language's message names both actions by id and by that language's name."""
    exceptions = await async_get_translations(hass, language, "exceptions", [DOMAIN])
    services = await async_get_translations(hass, language, "services", [DOMAIN])
    message = exceptions[f"component.{DOMAIN}.exceptions.no_charge_point.message"]
    for named in (
        "evnnovator.find_chargers",
        "evnnovator.start_charging",
        "location_id",
        "evse_uid",
        services[f"component.{DOMAIN}.services.find_chargers.name"],
        services[f"component.{DOMAIN}.services.start_charging.name"],
    ):
        assert named in message
