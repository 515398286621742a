"""Sessions in INR on a Home Assistant in USD (onboarding's default): what a real one shows.

Its Energy validation takes the INR cost statistic without a word, with USD as with INR (the
dashboard would show ₹ amounts with $): the integration's repair issue is what says it, on the
Repairs page, until the currency is set to INR.
"""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect
import pytest

from evnnovator_simulator import DEMO_AUTH_ID, DEMO_TOKEN

from .conftest import ProcessGuard, running_simulator
from .home_assistant import HomeAssistantApi
from .processes import wait_until
from .simulator_api import SimulatorApi
from .test_ui import call_websocket

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

ISSUE_TITLE = "Charging costs in INR, Home Assistant in USD"


@pytest.fixture(scope="module")
def own_simulator(workdir: Path, process_guard: ProcessGuard) -> Iterator[SimulatorApi]:
    """A simulator of its own, so that the other tests' account and requests stay theirs."""
    with running_simulator(workdir / "currency-simulator.log", process_guard, []) as api:
        yield api


@pytest.fixture
def entry_id(home_assistant: HomeAssistantApi, own_simulator: SimulatorApi) -> Iterator[str]:
    """demo-driver-1, charging in INR, added through the config flow; removed afterwards.

    With its entities' history: the account the screenshots show later has the same entity
    ids, and its Activity would list this one's entities going unavailable.
    """
    before = home_assistant.entity_ids()
    entry = home_assistant.add_config_entry(
        "evnnovator",
        {
            "auth_id": DEMO_AUTH_ID,
            "token": DEMO_TOKEN,
            "advanced": {"base_url": own_simulator.base_url, "auth_scheme": "bearer"},
        },
    )
    try:
        yield entry["entry_id"]
    finally:
        own = sorted(home_assistant.entity_ids() - before)
        home_assistant.remove_config_entry(entry["entry_id"])
        home_assistant.call_service(
            "recorder", "purge_entities", {"entity_id": own, "keep_days": 0}
        )


def currency_issue(page: Page, entry_id: str) -> dict[str, Any] | None:
    """The integration's currency issue as the Repairs page lists it, if it is there."""
    issues = call_websocket(page, {"type": "repairs/list_issues"})["issues"]
    wanted = f"currency_mismatch_{entry_id}"
    return next((i for i in issues if (i["domain"], i["issue_id"]) == ("evnnovator", wanted)), None)


def has_sum_statistic(page: Page, statistic_id: str) -> bool | None:
    """Whether the recorder lists `statistic_id` among the statistics with a sum (None: not)."""
    listed = call_websocket(page, {"type": "recorder/list_statistic_ids", "statistic_type": "sum"})
    return any(s["statistic_id"] == statistic_id for s in listed) or None


def test_usd_against_inr_is_a_repair_issue_until_the_currency_is_inr(
    page: Page, home_assistant: HomeAssistantApi, entry_id: str
) -> None:
    page.goto("/config/repairs")
    before = call_websocket(page, {"type": "get_config"})["currency"]
    try:
        call_websocket(page, {"type": "config/core/update", "currency": "USD"})
        issue = wait_until("the currency issue", lambda: currency_issue(page, entry_id), timeout=30)
        assert issue["translation_placeholders"]["currency"] == "INR"
        assert issue["translation_placeholders"]["home_currency"] == "USD"
        expect(page.get_by_text(ISSUE_TITLE)).to_be_visible()

        # The Energy dashboard with the INR cost statistic: its validation finds nothing wrong.
        energy = f"evnnovator:{entry_id.lower()}_energy"
        cost = f"evnnovator:{entry_id.lower()}_cost_inr"
        wait_until("the cost statistic", lambda: has_sum_statistic(page, cost), timeout=30)
        grid = {"type": "grid", "stat_energy_from": energy, "stat_cost": cost}
        call_websocket(
            page,
            {"type": "energy/save_prefs", "energy_sources": [grid | {"cost_adjustment_day": 0}]},
        )
        assert call_websocket(page, {"type": "energy/validate"})["energy_sources"] == [[]]

        call_websocket(page, {"type": "config/core/update", "currency": "INR"})
        wait_until(
            "the issue to go",
            lambda: currency_issue(page, entry_id) is None or None,
            timeout=30,
        )
        assert call_websocket(page, {"type": "energy/validate"})["energy_sources"] == [[]]
        expect(page.get_by_text(ISSUE_TITLE)).to_have_count(0)
    finally:
        call_websocket(page, {"type": "energy/save_prefs", "energy_sources": []})
        call_websocket(page, {"type": "config/core/update", "currency": before})
