"""The actions, end to end against the simulator over loopback."""

from datetime import timedelta
import json
from pathlib import Path
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import ATTR_CONFIG_ENTRY_ID, ATTR_DEVICE_ID
from homeassistant.core import Context, HomeAssistant, ServiceResponse
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.script import Script
from homeassistant.helpers.service import async_get_all_descriptions
from homeassistant.setup import async_setup_component
import probatio
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
import yaml

from custom_components.evnnovator.config_flow import unique_id_for
from custom_components.evnnovator.const import (
    CONF_AUTH_ID,
    CONF_BASE_URL,
    CONF_TOKEN_UID,
    DOMAIN,
)
from custom_components.evnnovator.services import (
    ACCOUNT_SCHEMA,
    FIND_CHARGERS_SCHEMA,
    START_CHARGING_SCHEMA,
)
from evnnovator_simulator import (
    DEMO_AUTH_ID,
    DEMO_AUTH_ID_NEW,
    DEMO_EVSE_UID,
    DEMO_LOCATION_ID,
    DEMO_TOKEN_UID,
    Simulator,
)
from evnnovator_simulator.site import SECOND_EVSE_UID

from .helpers import advance, end_demo_session

INTEGRATION = Path(__file__).parent.parent / "custom_components" / "evnnovator"
STATUS = "sensor.evnnovator_demo_driver_1_session_status"
ENERGY = "sensor.evnnovator_demo_driver_1_session_energy"
START = "start_charging"
STOP = "stop_charging"
LATEST = "get_latest_session"
FIND = "find_chargers"
ACTIONS = (START, STOP, LATEST, FIND)

pytestmark = pytest.mark.freeze_time("2026-11-23T08:00:00+00:00")


# --- Helpers -------------------------------------------------------------------------------------


async def call(hass: HomeAssistant, action: str, data: dict[str, Any]) -> ServiceResponse:
    """Run an action to its end and return its response."""
    return await hass.services.async_call(DOMAIN, action, data, blocking=True, return_response=True)


def on(entry: MockConfigEntry, **fields: Any) -> dict[str, Any]:
    """An action's data for the account of `entry`, with `fields`."""
    return {ATTR_CONFIG_ENTRY_ID: entry.entry_id, **fields}


def commands(simulator: Simulator) -> list[tuple[str, str, Any]]:
    """The commands the simulator received: method, path after the prefix, body."""
    return [
        (request.method, request.path.removeprefix(simulator.settings.prefix), request.body)
        for request in simulator.requests
        if "/commands/" in request.path
    ]


async def add_new_driver(hass: HomeAssistant, demo: MockConfigEntry) -> MockConfigEntry:
    """Set up another account like `demo`, of a driver without any session yet."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=DEMO_AUTH_ID_NEW,
        unique_id=unique_id_for(DEMO_AUTH_ID_NEW, demo.data[CONF_BASE_URL]),
        data={**demo.data, CONF_AUTH_ID: DEMO_AUTH_ID_NEW},
    )
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    return entry


# --- start_charging ------------------------------------------------------------------------------


async def test_start_with_every_field(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """What is given is sent as given (over the option), with the energy as the exact stop."""
    await end_demo_session(simulator, init_integration)
    hass.config_entries.async_update_entry(
        init_integration, options={CONF_TOKEN_UID: "an-older-token-uid"}
    )

    response = await call(
        hass,
        START,
        {
            ATTR_CONFIG_ENTRY_ID: init_integration.entry_id,
            "location_id": DEMO_LOCATION_ID,
            "evse_uid": SECOND_EVSE_UID,
            "token_uid": DEMO_TOKEN_UID,
            "energy_limit": 5,
        },
    )

    assert response == {
        "accepted": True,
        "location_id": DEMO_LOCATION_ID,
        "evse_uid": SECOND_EVSE_UID,
        "token_uid": DEMO_TOKEN_UID,
        "energy_limit": 5.0,
    }
    assert commands(simulator) == [
        (
            "POST",
            "/commands/START_SESSION",
            {
                "location_id": DEMO_LOCATION_ID,
                "evse_uid": SECOND_EVSE_UID,
                "token_uid": DEMO_TOKEN_UID,
                "autostop_session": {"type": "ENERGY", "value": 5.0},
            },
        )
    ]
    [start] = [r for r in simulator.requests if r.method == "POST"]
    assert start.auth_scheme == "token"
    assert start.authorized
    # Refreshed at once: the new session shows, and polling is at the charging pace.
    await hass.async_block_till_done()
    coordinator = init_integration.runtime_data.coordinator
    assert coordinator.session is not None
    assert coordinator.session.status == "PENDING"
    assert coordinator.update_interval == timedelta(seconds=30)
    assert hass.states.get(STATUS).state == "pending"


async def test_start_defaults_to_last_charger_and_option(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """Without fields: the latest session's location and EVSE, the token of the options."""
    await end_demo_session(simulator, init_integration, evse_uid=SECOND_EVSE_UID)
    hass.config_entries.async_update_entry(
        init_integration, options={CONF_TOKEN_UID: DEMO_TOKEN_UID}
    )

    # Empty text counts as not given, e.g. from a template that renders nothing.
    response = await call(
        hass,
        START,
        {ATTR_CONFIG_ENTRY_ID: init_integration.entry_id, "location_id": " ", "evse_uid": ""},
    )

    body = {
        "location_id": DEMO_LOCATION_ID,
        "evse_uid": SECOND_EVSE_UID,
        "token_uid": DEMO_TOKEN_UID,
    }
    assert response == {"accepted": True, **body, "energy_limit": None}
    # No energy limit: no autostop at all.
    assert commands(simulator) == [("POST", "/commands/START_SESSION", body)]


async def test_start_with_energy_limit_stops_at_that_energy(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
) -> None:
    """The session stops at exactly its energy limit; polling follows it. The limit is the
    session's own: besides the operator's autostop, one STOP of ours is planned for it."""
    await end_demo_session(simulator, init_integration)
    await call(hass, START, on(init_integration, token_uid=DEMO_TOKEN_UID, energy_limit=1.5))
    coordinator = init_integration.runtime_data.coordinator

    # 1.5 kWh at 7.4 kW take about 730 s, after 5 s pending: follow the polls until it ends.
    for _ in range(40):
        await advance(hass, freezer, 30)
        assert coordinator.session is not None
        if not coordinator.session.is_running:
            break
    assert coordinator.session.status == "COMPLETED"
    assert coordinator.session.kwh == 1.5
    assert hass.states.get(ENERGY).state == "1.5"
    assert [path for _, path, _ in commands(simulator)] == [
        "/commands/START_SESSION",
        "/commands/STOP_SESSION",
    ]


async def test_start_takes_the_energy_limit_entity(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """With the Energy limit entity set and no energy_limit given, the operator stops there."""
    await end_demo_session(simulator, init_integration)
    init_integration.runtime_data.limits.set_limits(energy=7.5)

    response = await call(hass, START, on(init_integration, token_uid=DEMO_TOKEN_UID))

    assert response["energy_limit"] == 7.5
    [(_, _, body)] = commands(simulator)
    assert body["autostop_session"] == {"type": "ENERGY", "value": 7.5}


async def test_with_the_energy_limit_set_our_stop_goes_first(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
) -> None:
    """Started with the Energy limit set: the operator's autostop is the backup; the limit's own
    STOP, planned from the meter, goes out once, and the session ends at the limit."""
    await end_demo_session(simulator, init_integration)
    limits = init_integration.runtime_data.limits
    limits.set_limits(energy=1.0)
    await call(hass, START, on(init_integration, token_uid=DEMO_TOKEN_UID))
    coordinator = init_integration.runtime_data.coordinator

    # 1 kWh at 7.4 kW take about 490 s; step through it as the polls and timers come due.
    for _ in range(200):
        await advance(hass, freezer, 5)
        if coordinator.session is not None and not coordinator.session.is_running:
            break
    assert coordinator.session is not None
    assert coordinator.session.status == "COMPLETED"
    assert coordinator.session.kwh == pytest.approx(1.0, abs=0.02)
    paths = [path for _, path, _ in commands(simulator)]
    assert paths[0] == "/commands/START_SESSION"
    assert paths.count("/commands/STOP_SESSION") <= 1


async def test_start_rejected_while_charging(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """The demo driver is charging already: the operator rejects START, and the user is told."""
    simulator.clear_requests()
    with pytest.raises(HomeAssistantError) as raised:
        await call(hass, START, on(init_integration, token_uid=DEMO_TOKEN_UID))
    assert raised.value.translation_key == "command_rejected"
    assert "REJECTED" in str(raised.value)
    assert [path for _, path, _ in commands(simulator)] == ["/commands/START_SESSION"]


async def test_start_unauthorized_starts_reauth(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """A 401 on START asks the user for a new token."""
    await end_demo_session(simulator, init_integration)
    simulator.inject("http_401", only="commands")
    with pytest.raises(HomeAssistantError) as raised:
        await call(hass, START, on(init_integration, token_uid=DEMO_TOKEN_UID))
    assert raised.value.translation_key == "authentication_failed"
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]


async def test_start_without_any_session(
    hass: HomeAssistant, simulator: Simulator, config_entry: MockConfigEntry
) -> None:
    """A driver who never charged has no last charger to default to."""
    entry = await add_new_driver(hass, config_entry)
    with pytest.raises(ServiceValidationError) as raised:
        await call(hass, START, {ATTR_CONFIG_ENTRY_ID: entry.entry_id, "token_uid": "x"})
    assert raised.value.translation_key == "no_charge_point"
    assert raised.value.translation_placeholders == {"field": "location_id"}
    assert commands(simulator) == []


@pytest.mark.parametrize(
    ("action", "data", "translation_key", "field"),
    [
        pytest.param(
            START,
            {"location_id": "0123456789abcdef0123456789abcdef", "token_uid": DEMO_TOKEN_UID},
            "no_charge_point",
            # The last EVSE is no default at another location: it can't be there.
            "evse_uid",
            id="start_elsewhere_without_evse",
        ),
        pytest.param(STOP, {}, "not_charging", None, id="stop_when_nothing_runs"),
    ],
)
async def test_refused_before_sending(
    hass: HomeAssistant,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    action: str,
    data: dict[str, Any],
    translation_key: str,
    field: str | None,
) -> None:
    """What can't work is refused with a translated error that names the field; nothing is sent."""
    await end_demo_session(simulator, init_integration)
    with pytest.raises(HomeAssistantError) as raised:
        await call(hass, action, on(init_integration, **data))
    assert raised.value.translation_key == translation_key
    if field is not None:
        assert isinstance(raised.value, ServiceValidationError)
        assert raised.value.translation_placeholders == {"field": field}
    assert commands(simulator) == []


@pytest.mark.parametrize("energy_limit", [0, -1, 200.1, "nan", "inf", "lots"])
async def test_start_refuses_unusable_energy_limits(
    hass: HomeAssistant,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    energy_limit: object,
) -> None:
    """An energy limit must be a number of kWh above 0 and at most 200."""
    simulator.clear_requests()
    with pytest.raises(probatio.Invalid):
        await call(
            hass, START, on(init_integration, token_uid=DEMO_TOKEN_UID, energy_limit=energy_limit)
        )
    assert commands(simulator) == []


# --- stop_charging -------------------------------------------------------------------------------


async def test_stop(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """STOP with the running session's id; the answer is the session when it was stopped."""
    session = init_integration.runtime_data.coordinator.session
    assert session is not None
    assert session.kwh
    simulator.clear_requests()

    response = await call(hass, STOP, {ATTR_CONFIG_ENTRY_ID: init_integration.entry_id})

    assert response == {
        "session_id": session.id,
        "energy": session.kwh,
        "cost": session.total_cost,
        "currency": "INR",
    }
    assert commands(simulator) == [("POST", "/commands/STOP_SESSION", {"session_id": session.id})]


async def test_stop_rejected(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """The session ended before Home Assistant saw it: REJECTED is a translated error."""
    running = init_integration.runtime_data.coordinator.session
    assert running is not None
    # Another app starts a new session, which ends this one; Home Assistant has not polled yet.
    simulator.start_session(DEMO_AUTH_ID)
    simulator.clear_requests()
    with pytest.raises(HomeAssistantError) as raised:
        await call(hass, STOP, on(init_integration))
    assert raised.value.translation_key == "command_rejected"
    assert commands(simulator) == [("POST", "/commands/STOP_SESSION", {"session_id": running.id})]


# --- get_latest_session --------------------------------------------------------------------------


async def test_get_latest_session(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """The session as plain JSON data, with the ids that start_charging takes."""
    raw = simulator.latest_session(DEMO_AUTH_ID)
    assert raw is not None
    simulator.clear_requests()

    response = await call(hass, LATEST, {ATTR_CONFIG_ENTRY_ID: init_integration.entry_id})

    assert response == {
        "session": {
            "id": raw["id"],
            "session_id": raw["session_id"],
            "status": "ACTIVE",
            "running": True,
            "kwh": raw["kwh"],
            "total_cost": raw["total_cost"],
            "currency": "INR",
            "start": "2026-11-23T07:40:00+00:00",
            # The API already sends an end time while it charges: not one to show.
            "end": None,
            "last_modified": "2026-11-23T08:00:00+00:00",
            "connector_id": "1",
            "location": {
                "id": DEMO_LOCATION_ID,
                "location_id": "D5F5E912-CD27-49D5-8586-FB93CA65A134",
                "name": "GJ | Vadodara | Charge+Zone Office2",
                "address": (
                    "401, Benison Complex, Opp. Shiv Mahal Palace, Old Padra Rd, Vadodara, "
                    "Gujarat 390007"
                ),
                "city": "Vadodara",
                "postal_code": "123458",
                "country": "IND",
                "time_zone": "IST",
                "latitude": 28.457523,
                "longitude": 77.026344,
            },
            "evse": {"uid": DEMO_EVSE_UID, "evse_id": "IN*TCZ*2", "status": "AVAILABLE"},
            "charging_periods": [{"start": "2026-11-23T13:10:00+05:30"}],
        }
    }
    # Plain JSON indeed, and answered from the last poll without a request.
    assert json.loads(json.dumps(response)) == response
    assert simulator.requests == []


async def test_get_latest_session_without_any(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    """A driver who never charged: the session is null."""
    entry = await add_new_driver(hass, config_entry)
    assert await call(hass, LATEST, {ATTR_CONFIG_ENTRY_ID: entry.entry_id}) == {"session": None}


async def test_get_latest_session_while_the_api_fails(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
) -> None:
    """After a failed poll the last session may be stale: an error, as the entities turn
    unavailable; the next good poll brings it back."""
    simulator.inject("http_500", only="latest")
    await advance(hass, freezer, 30)
    with pytest.raises(HomeAssistantError) as raised:
        await call(hass, LATEST, on(init_integration))
    assert raised.value.translation_key == "session_unavailable"

    await advance(hass, freezer, 30)
    response = await call(hass, LATEST, on(init_integration))
    assert response is not None
    assert response["session"]["status"] == "ACTIVE"


# --- Which account -------------------------------------------------------------------------------


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize(
    "data",
    [
        pytest.param({}, id="nothing"),
        pytest.param({"device": True}, id="device_instead"),
        pytest.param({"device": True, "entry": True}, id="device_as_well"),
    ],
)
async def test_account_is_always_its_entry(
    hass: HomeAssistant,
    device_registry: dr.DeviceRegistry,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    action: str,
    data: dict[str, bool],
) -> None:
    """The account is required even when it is the only one, and only as its config entry."""
    [device] = dr.async_entries_for_config_entry(device_registry, init_integration.entry_id)
    given: dict[str, Any] = {"token_uid": DEMO_TOKEN_UID} if action == START else {}
    if data.get("device"):
        given[ATTR_DEVICE_ID] = device.id
    if data.get("entry"):
        given[ATTR_CONFIG_ENTRY_ID] = init_integration.entry_id
    simulator.clear_requests()
    with pytest.raises(probatio.Invalid):
        await call(hass, action, given)
    assert commands(simulator) == []


async def test_account_from_a_template(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The actions page's template finds the account from one of its entities, in a script."""
    sequence = cv.SCRIPT_SCHEMA(
        [
            {
                "action": f"{DOMAIN}.{LATEST}",
                "data": {
                    ATTR_CONFIG_ENTRY_ID: "{{ config_entry_id('binary_sensor."
                    "evnnovator_demo_driver_1_charging') }}"
                },
                "response_variable": "latest",
            },
            {"stop": "done", "response_variable": "latest"},
        ]
    )
    result = await Script(hass, sequence, "test", DOMAIN).async_run(context=Context())
    assert result is not None
    assert result.service_response is not None
    assert result.service_response["session"]["status"] == "ACTIVE"


@pytest.mark.parametrize("action", ACTIONS)
async def test_account_not_loaded(
    hass: HomeAssistant, init_integration: MockConfigEntry, action: str
) -> None:
    """An account that is not loaded can't act; Home Assistant's translated error says so."""
    await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.async_block_till_done()
    with pytest.raises(ServiceValidationError) as raised:
        await call(hass, action, {ATTR_CONFIG_ENTRY_ID: init_integration.entry_id})
    assert raised.value.translation_key == "service_config_entry_not_loaded"


@pytest.mark.parametrize("action", ACTIONS)
async def test_account_of_another_integration(
    hass: HomeAssistant, init_integration: MockConfigEntry, action: str
) -> None:
    """An entry of another integration is refused with a translated error."""
    other = MockConfigEntry(domain="demo", title="Other")
    other.add_to_hass(hass)
    with pytest.raises(ServiceValidationError) as raised:
        await call(hass, action, {ATTR_CONFIG_ENTRY_ID: other.entry_id})
    assert raised.value.translation_key == "service_config_entry_wrong_domain"


@pytest.mark.parametrize("action", ACTIONS)
async def test_account_unknown(
    hass: HomeAssistant, init_integration: MockConfigEntry, action: str
) -> None:
    """An id that names no entry is refused with a translated error."""
    with pytest.raises(ServiceValidationError) as raised:
        await call(hass, action, {ATTR_CONFIG_ENTRY_ID: "no-such-entry"})
    assert raised.value.translation_key == "service_config_entry_not_found"


async def test_account_chosen_among_several(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """With two accounts, each call acts on the one it names."""
    new = await add_new_driver(hass, init_integration)
    response = await call(hass, LATEST, on(init_integration))
    assert response is not None
    assert response["session"] is not None
    assert await call(hass, LATEST, on(new)) == {"session": None}


async def test_actions_exist_without_any_account(hass: HomeAssistant) -> None:
    """The actions are registered with the integration, not with an entry."""
    assert await async_setup_component(hass, DOMAIN, {})
    for action in ACTIONS:
        assert hass.services.has_service(DOMAIN, action)
    with pytest.raises(ServiceValidationError) as raised:
        await call(hass, LATEST, {ATTR_CONFIG_ENTRY_ID: "no-such-entry"})
    assert raised.value.translation_key == "service_config_entry_not_found"


# --- Descriptions --------------------------------------------------------------------------------


async def test_actions_are_described(hass: HomeAssistant) -> None:
    """services.yaml, strings.json and icons.json describe each action and field the code has."""
    assert await async_setup_component(hass, DOMAIN, {})
    schemas = {
        START: START_CHARGING_SCHEMA,
        STOP: ACCOUNT_SCHEMA,
        LATEST: ACCOUNT_SCHEMA,
        FIND: FIND_CHARGERS_SCHEMA,
    }
    described = (await async_get_all_descriptions(hass))[DOMAIN]
    yaml_fields = yaml.safe_load((INTEGRATION / "services.yaml").read_text())
    strings = json.loads((INTEGRATION / "strings.json").read_text())["services"]
    icons = json.loads((INTEGRATION / "icons.json").read_text())["services"]
    assert set(described) == set(schemas) == set(strings) == set(icons)
    for action, schema in schemas.items():
        fields = {str(key) for key in schema.schema}
        assert set(yaml_fields[action]["fields"]) == fields, action
        assert set(strings[action]["fields"]) == fields, action
        assert strings[action]["name"]
        assert strings[action]["description"]
        for field in strings[action]["fields"].values():
            assert field["name"], action
            assert field["description"], action
        assert icons[action]["service"].startswith("mdi:")
