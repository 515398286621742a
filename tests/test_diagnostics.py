"""Diagnostics: useful for a bug report, with nothing secret or personal in them."""

import json

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion
from syrupy.filters import props

from evnnovator_simulator import DEMO_AUTH_ID, DEMO_TOKEN, Simulator


@pytest.mark.freeze_time("2026-11-23T08:00:00+00:00")
async def test_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    snapshot: SnapshotAssertion,
) -> None:
    """The entry and the raw latest session, with token, driver id and whereabouts redacted."""
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, init_integration)
    # The simulator's port changes from run to run.
    assert diagnostics == snapshot(exclude=props("base_url"))
    assert diagnostics["entry"]["data"]["base_url"] == simulator.base_url

    text = json.dumps(diagnostics)
    location = simulator.latest_session(DEMO_AUTH_ID)["location"]
    for secret in (
        DEMO_TOKEN,
        DEMO_AUTH_ID,
        location["address"],
        str(location["coordinates"]["latitude"]),
    ):
        assert secret not in text
    # What a bug report needs is still there.
    assert diagnostics["latest_session"]["status"] == "ACTIVE"
    assert diagnostics["latest_session"]["location"]["time_zone"] == "IST"


async def test_diagnostics_redact_the_charging_token(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    init_integration: MockConfigEntry,
) -> None:
    """The charging token's uid from the options is left out; the intervals stay."""
    hass.config_entries.async_update_entry(
        init_integration, options={"charging_interval": 20, "token_uid": "aGyJYcVTJDYXykvp"}
    )
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, init_integration)
    assert diagnostics["entry"]["options"] == {
        "charging_interval": 20,
        "token_uid": "**REDACTED**",
    }
