"""The cost statistic's currency against Home Assistant's: what the Energy dashboard checks, and
the repair issue that shows what it does not."""

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.energy import data as energy_data
from homeassistant.components.energy.validate import async_validate
from homeassistant.components.recorder.statistics import get_metadata
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.evnnovator.const import CONF_AUTH_ID, DOMAIN
from evnnovator_simulator import DEMO_AUTH_ID_NEW, Simulator
from evnnovator_simulator.site import SECOND_EVSE_UID

from .helpers import advance

pytestmark = pytest.mark.freeze_time("2026-11-23T08:40:00+00:00")


@pytest.fixture
def mock_recorder_before_hass(async_test_recorder: object) -> None:
    """Prepare the recorder before Home Assistant starts, which recorder_mock requires."""


def currency_issue(hass: HomeAssistant, entry: MockConfigEntry) -> ir.IssueEntry | None:
    return ir.async_get(hass).async_get_issue(DOMAIN, f"currency_mismatch_{entry.entry_id}")


async def set_currency(hass: HomeAssistant, currency: str) -> None:
    """Change Home Assistant's currency as Settings > System > General does."""
    await hass.config.async_update(currency=currency)
    await hass.async_block_till_done()


async def set_up(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


@pytest.mark.usefixtures("recorder_mock", "simulator")
async def test_the_energy_validation_takes_the_cost_statistic_in_any_currency(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    """Our statistics pass the Energy dashboard's validation, and it never compares currencies.

    With USD, the INR cost statistic is as valid as with INR: nothing in the dashboard warns,
    which is why the integration raises its own repair issue. Should a later Home Assistant
    compare a cost statistic's unit with its currency, this fails: the unit is then checked for
    being what it compares (INR, the ISO code), and the issue's text revisited.
    """
    await set_currency(hass, "USD")
    await set_up(hass, config_entry)
    await async_wait_recording_done(hass)
    statistics = config_entry.runtime_data.statistics
    energy = statistics.energy_statistic_id
    cost = statistics.cost_statistic_id("INR")
    metadata = await hass.async_add_executor_job(get_metadata, hass)
    assert metadata[cost][1]["unit_of_measurement"] == "INR"
    manager = await energy_data.async_get_manager(hass)
    await manager.async_update(
        {
            "energy_sources": [
                {
                    "type": "grid",
                    "stat_energy_from": energy,
                    "stat_cost": cost,
                    "cost_adjustment_day": 0,
                }
            ],
            "device_consumption": [{"stat_consumption": energy}],
        }
    )
    clean = {"energy_sources": [[]], "device_consumption": [[]], "device_consumption_water": []}
    assert (await async_validate(hass)).as_dict() == clean
    await set_currency(hass, "INR")
    assert (await async_validate(hass)).as_dict() == clean
    # A statistic that does not exist is reported: the validation did look at ours.
    await manager.async_update(
        {"device_consumption": [{"stat_consumption": statistics.cost_statistic_id("EUR")}]}
    )
    issues = (await async_validate(hass)).as_dict()["device_consumption"]
    assert [issue["type"] for issue in issues[0]] == ["statistics_not_defined"]


@pytest.mark.usefixtures("recorder_mock", "simulator")
async def test_a_repair_issue_while_home_assistants_currency_is_not_the_cost_statistics(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    """Onboarding's USD with sessions in INR: an issue naming both and the statistic; it goes
    when the currency is set to INR, comes back with another, and goes with the entry."""
    await set_currency(hass, "USD")
    await set_up(hass, config_entry)
    issue = currency_issue(hass, config_entry)
    assert issue is not None
    assert issue.severity is ir.IssueSeverity.WARNING
    assert not issue.is_fixable
    assert issue.learn_more_url == "homeassistant://config/general"
    assert issue.translation_key == "currency_mismatch"
    assert issue.translation_placeholders == {
        "account": "demo-driver-1",
        "currency": "INR",
        "home_currency": "USD",
        "statistic": "EVnnovator demo-driver-1 cost",
        "statistic_id": f"evnnovator:{config_entry.entry_id.lower()}_cost_inr",
    }

    await set_currency(hass, "INR")
    assert currency_issue(hass, config_entry) is None

    await set_currency(hass, "EUR")
    issue = currency_issue(hass, config_entry)
    assert issue is not None
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["home_currency"] == "EUR"

    assert await hass.config_entries.async_unload(config_entry.entry_id)
    assert currency_issue(hass, config_entry) is None


@pytest.mark.usefixtures("recorder_mock")
async def test_no_issue_before_the_first_cost_and_one_with_it(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    config_entry: MockConfigEntry,
) -> None:
    """A driver without a session has no cost statistic to mistake; their first session's
    currency raises the issue at the poll that sees it."""
    await set_currency(hass, "USD")
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=DEMO_AUTH_ID_NEW,
        data={**config_entry.data, CONF_AUTH_ID: DEMO_AUTH_ID_NEW},
    )
    await set_up(hass, entry)
    assert currency_issue(hass, entry) is None

    simulator.start_session(DEMO_AUTH_ID_NEW, evse_uid=SECOND_EVSE_UID)
    for _ in range(3):  # a poll sees it pending; charging 5 s later, it has a cost
        await advance(hass, freezer, 600)
    assert entry.runtime_data.data.book.currencies == {"INR"}
    issue = currency_issue(hass, entry)
    assert issue is not None
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["currency"] == "INR"


@pytest.mark.usefixtures("simulator")
async def test_no_issue_without_the_recorder(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    """Without the recorder there are no statistics and no Energy dashboard to warn about."""
    await set_currency(hass, "USD")
    await set_up(hass, config_entry)
    assert config_entry.runtime_data.data.book.currencies == {"INR"}
    assert currency_issue(hass, config_entry) is None
