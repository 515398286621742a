"""No scheme to choose: Bearer first, the other scheme once on a 401, the one that works kept."""

from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_TOKEN
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.evnnovator.const import CONF_AUTH_SCHEME, CONF_BASE_URL, DOMAIN
from evnnovator_simulator import DEMO_TOKEN, Simulator, SimulatorSettings

from .test_config_flow import add_entry, defaults, latest_requests, user_input

TOKEN_ONLY = SimulatorSettings(auth_schemes=("token",))
BEARER_ONLY = SimulatorSettings(auth_schemes=("bearer",))


async def test_bearer_is_the_default(hass: HomeAssistant) -> None:
    """The scheme the gateway documents is the one the form proposes."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert defaults(result["data_schema"])["advanced"][CONF_AUTH_SCHEME] == "bearer"


@pytest.mark.parametrize(
    ("simulator_settings", "asked", "stored", "tried"),
    [
        (TOKEN_ONLY, "bearer", "token", ["bearer", "token"]),
        (BEARER_ONLY, "token", "bearer", ["token", "bearer"]),
        (SimulatorSettings(), "bearer", "bearer", ["bearer"]),
    ],
    ids=["token-gateway", "bearer-gateway", "both"],
)
async def test_user_step_keeps_the_scheme_that_works(
    hass: HomeAssistant, simulator: Simulator, asked: str, stored: str, tried: list[str]
) -> None:
    """A 401 with the scheme asked for: the other one once; the entry stores the one that works."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input(simulator.base_url, auth_scheme=asked)
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_AUTH_SCHEME] == stored
    assert [request.auth_scheme for request in latest_requests(simulator)][: len(tried)] == tried


@pytest.mark.parametrize("simulator_settings", [TOKEN_ONLY])
async def test_a_wrong_token_is_refused_with_either_scheme(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """Each scheme once, then the form's error: no loop of retries."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        user_input(simulator.base_url, token="wrong-token-123", auth_scheme="bearer"),
    )
    assert result["errors"] == {"base": "invalid_auth"}
    assert [request.auth_scheme for request in latest_requests(simulator)] == ["bearer", "token"]


@pytest.mark.parametrize("simulator_settings", [BEARER_ONLY])
async def test_reauth_and_reconfigure_switch_the_scheme(
    hass: HomeAssistant, simulator: Simulator, config_entry: MockConfigEntry
) -> None:
    """An entry stored with Token on a gateway that takes Bearer alone ends with Bearer."""
    entry = add_entry(hass, config_entry, auth_scheme="token")
    result = await entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_TOKEN: DEMO_TOKEN}
    )
    assert result["reason"] == "reauth_successful"
    assert entry.data[CONF_AUTH_SCHEME] == "bearer"

    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_BASE_URL: simulator.base_url, CONF_AUTH_SCHEME: "token"}
    )
    assert result["reason"] == "reconfigure_successful"
    assert entry.data[CONF_AUTH_SCHEME] == "bearer"
    await hass.async_block_till_done()
