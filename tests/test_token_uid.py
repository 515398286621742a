"""No token uid to type: start_charging asks the gateway for it once per location."""

from homeassistant.const import ATTR_CONFIG_ENTRY_ID
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.evnnovator.const import CONF_TOKEN_UID
from evnnovator_simulator import DEMO_LOCATION_ID, DEMO_TOKEN_UID, Simulator

from .helpers import end_demo_session
from .test_services import START, call
from .test_tracker import reload

pytestmark = pytest.mark.freeze_time("2026-11-23T08:00:00+00:00")
WHITELIST_PATH = f"/whitelist/driver/demo-driver-1/location/{DEMO_LOCATION_ID}"


def whitelist_requests(simulator: Simulator) -> list[str]:
    return [request.path for request in simulator.requests if "/whitelist/" in request.path]


def start_bodies(simulator: Simulator) -> list[object]:
    return [
        request.body for request in simulator.requests if request.path.endswith("START_SESSION")
    ]


async def test_the_gateway_gives_the_uid_once(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """Without a uid or option: asked at the location, used, remembered across restarts."""
    await end_demo_session(simulator, init_integration)
    response = await call(hass, START, {ATTR_CONFIG_ENTRY_ID: init_integration.entry_id})
    assert response is not None
    assert response["token_uid"] == DEMO_TOKEN_UID
    assert [
        path.removeprefix(simulator.settings.prefix) for path in whitelist_requests(simulator)
    ] == [WHITELIST_PATH]
    [body] = start_bodies(simulator)
    assert isinstance(body, dict)
    assert body["token_uid"] == DEMO_TOKEN_UID

    await reload(hass, init_integration)
    await end_demo_session(simulator, init_integration)
    response = await call(hass, START, {ATTR_CONFIG_ENTRY_ID: init_integration.entry_id})
    assert response is not None
    assert response["token_uid"] == DEMO_TOKEN_UID
    assert whitelist_requests(simulator) == []


async def test_the_option_overrides_the_gateway(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    await end_demo_session(simulator, init_integration)
    hass.config_entries.async_update_entry(init_integration, options={CONF_TOKEN_UID: "mine"})
    await hass.async_block_till_done()
    await end_demo_session(simulator, init_integration)
    with pytest.raises(HomeAssistantError):  # the simulator knows no token "mine"
        await call(hass, START, {ATTR_CONFIG_ENTRY_ID: init_integration.entry_id})
    assert whitelist_requests(simulator) == []
    [body] = start_bodies(simulator)
    assert isinstance(body, dict)
    assert body["token_uid"] == "mine"


@pytest.mark.parametrize("fault", ["http_500", "data_null", "http_403"])
async def test_a_failed_lookup_starts_nothing(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry, fault: str
) -> None:
    """A translated error, no START, and nothing remembered: the next start asks again."""
    await end_demo_session(simulator, init_integration)
    # The location, asked for the charger's capabilities, then the whitelist fail alike.
    simulator.inject(fault, count=2)
    with pytest.raises(HomeAssistantError) as raised:
        await call(hass, START, {ATTR_CONFIG_ENTRY_ID: init_integration.entry_id})
    assert raised.value.translation_key is not None
    assert start_bodies(simulator) == []
    assert init_integration.runtime_data.data.token_uids == {}
