"""A person's path through the web UI: add the integration (past an error), look at the session,
stop it, start again; what the development configuration shows."""

from datetime import UTC, datetime
import json
from pathlib import Path
import re
from typing import Any

from playwright.sync_api import Locator, Page, expect
import pytest

from evnnovator_simulator import DEMO_AUTH_ID, DEMO_TOKEN, DEMO_TOKEN_UID

from .conftest import REPO
from .home_assistant import HomeAssistantApi
from .processes import wait_until
from .simulator_api import SimulatorApi

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(400)]

TRANSLATIONS = REPO / "custom_components" / "evnnovator" / "translations"
DEVICE_NAME = f"EVnnovator {DEMO_AUTH_ID}"
ENTITY_PREFIX = "evnnovator_demo_driver_1_"
STATUS = f"sensor.{ENTITY_PREFIX}session_status"
ENERGY = f"sensor.{ENTITY_PREFIX}session_energy"
COST = f"sensor.{ENTITY_PREFIX}session_cost"
STOP_BUTTON = f"button.{ENTITY_PREFIX}stop_charging"
TOTAL_ENERGY = f"sensor.{ENTITY_PREFIX}total_energy"
STATISTIC_NAME = f"EVnnovator {DEMO_AUTH_ID} energy"
ENERGY_LIMIT = f"number.{ENTITY_PREFIX}energy_limit"
DASHBOARD = "ev-charging"
# Values are shown to two decimals (the sensors' display precision).
SHOWN_PRECISION = 0.005 + 1e-9


def test_add_integration_see_the_session_and_stop_it(
    page: Page, home_assistant: HomeAssistantApi, simulator: SimulatorApi, screenshots: Path
) -> None:
    """The whole path, with screenshots for the README and docs/ on the way."""
    add_integration(page, simulator, screenshots)
    entry = home_assistant.config_entries("evnnovator")
    assert [(e["title"], e["state"]) for e in entry] == [(DEMO_AUTH_ID, "loaded")]
    served = simulator.requests()
    assert served, "the config flow did not ask the simulator"
    assert {(r["auth_scheme"], r["authorized"]) for r in served} == {("bearer", True)}

    show_dashboard_card(page, screenshots)

    open_device_page(page)
    expect(entity_row(page, "Session status")).to_contain_text("Charging")
    expect_simulator_values(page, home_assistant, simulator)
    # An Energy limit 2 kWh ahead: the device shows when it will stop the session.
    energy = float(home_assistant.state(ENERGY)["state"])
    home_assistant.call_service(
        "number", "set_value", {"entity_id": ENERGY_LIMIT, "value": round(energy + 2, 1)}
    )
    expect(entity_row(page, "Planned stop")).to_contain_text(
        re.compile(r"in \d+ minutes", re.IGNORECASE)
    )
    screenshot(page, screenshots / "device-page.png", height=1250)

    # The actions take the account as its config entry, and this Home Assistant validates that.
    latest = call_websocket(
        page,
        {
            "type": "call_service",
            "domain": "evnnovator",
            "service": "get_latest_session",
            "service_data": {"config_entry_id": entry[0]["entry_id"]},
            "return_response": True,
        },
    )
    assert latest["response"]["session"]["id"] == simulator.latest()["id"]
    # Home Assistant serves the integration's translations, e.g. Hindi for a user who picks it.
    hindi = json.loads((TRANSLATIONS / "hi.json").read_text(encoding="utf-8"))
    served = call_websocket(
        page,
        {
            "type": "frontend/get_translations",
            "language": "hi",
            "category": "entity",
            "integration": ["evnnovator"],
        },
    )
    assert (
        served["resources"]["component.evnnovator.entity.button.stop_charging.name"]
        == hindi["entity"]["button"]["stop_charging"]["name"]
    )

    entity_row(page, "Stop charging").get_by_role("button", name="Press").click()
    session_id = simulator.latest()["id"]  # the id STOP takes
    wait_until(
        "the simulator to receive STOP",
        lambda: stop_requests(simulator) or None,
        timeout=15,
    )
    assert [r["body"] for r in stop_requests(simulator)] == [{"session_id": session_id}]
    # Accepted: the charger is stopping (5-10 s here), and the device says so.
    expect(entity_row(page, "Session status")).to_contain_text("Stopping", timeout=15_000)

    # The operator completes the session at its next meter value; the integration looks again
    # after 3, 8, 15, 30 s.
    expect(entity_row(page, "Session status")).to_contain_text("Completed", timeout=60_000)
    assert simulator.latest()["status"] == "COMPLETED"
    # Both buttons stay usable: nothing running is no reason to show them unavailable.
    expect(entity_row(page, "Stop charging").get_by_role("button", name="Press")).to_be_enabled()
    expect_simulator_values(page, home_assistant, simulator)

    show_energy_dashboard(page, home_assistant, screenshots)
    start_at_the_last_charger(page, home_assistant, simulator, session_id)
    the_configuration_loads_what_the_readme_shows(page, home_assistant)


def start_at_the_last_charger(
    page: Page, home_assistant: HomeAssistantApi, simulator: SimulatorApi, last_session: str
) -> None:
    """Start charging on the device page: the last charger, with the Energy limit as autostop."""
    (entry,) = home_assistant.config_entries("evnnovator")
    home_assistant.set_options(
        entry["entry_id"],
        {"charging_interval": 30, "idle_interval": 300, "token_uid": DEMO_TOKEN_UID},
    )
    # The options reload the entry: wait for the device page to show its entities again.
    open_device_page(page)
    expect(entity_row(page, "Session status")).to_contain_text("Completed", timeout=30_000)
    home_assistant.call_service("number", "set_value", {"entity_id": ENERGY_LIMIT, "value": 1.5})
    simulator.clear_requests()
    start = entity_row(page, "Start charging").get_by_role("button", name="Press")
    expect(start).to_be_enabled()
    start.click()
    wait_until(
        "the simulator to receive START", lambda: start_requests(simulator) or None, timeout=15
    )
    (body,) = [served["body"] for served in start_requests(simulator)]
    assert body["token_uid"] == DEMO_TOKEN_UID
    assert body["autostop_session"] == {"type": "ENERGY", "value": 1.5}
    assert simulator.latest()["id"] != last_session
    # START is followed by a refresh: the new session shows at once, pending then charging.
    expect(entity_row(page, "Session status")).to_contain_text(
        re.compile("Pending|Charging"), timeout=30_000
    )


def the_configuration_loads_what_the_readme_shows(
    page: Page, home_assistant: HomeAssistantApi
) -> None:
    """Activity (with the session events), History, Energy; automations made in the UI load."""
    panels = call_websocket(page, {"type": "get_panels"})
    assert {"logbook", "history", "energy"} <= set(panels)
    page.goto("/logbook")
    expect(page.get_by_text("started charging").first).to_be_visible(timeout=30_000)
    home_assistant.save_automation(
        "made_in_the_ui",
        {
            "alias": "Made in the UI",
            "triggers": [{"trigger": "state", "entity_id": STATUS}],
            "actions": [{"delay": {"seconds": 0}}],
        },
    )
    automations = wait_until(
        "the automation saved in the UI to be loaded",
        lambda: {e for e in home_assistant.entity_ids() if e.startswith("automation.")} or None,
        timeout=30,
    )
    assert automations == {"automation.made_in_the_ui"}


def add_integration(page: Page, simulator: SimulatorApi, screenshots: Path) -> None:
    """Settings > Devices & services > Add integration > EVnnovator, with the simulator's data."""
    page.goto("/config/integrations/dashboard")
    # The first: with no entry left by the tests before, the page shows its empty state's
    # button beside the usual one, and both open the same dialog.
    page.get_by_role("button", name="Add integration").first.click()
    page.get_by_placeholder("Search for a brand name").fill("EVnnovator")
    page.get_by_text("EVnnovator", exact=True).click()
    page.get_by_role("textbox", name="Driver id (auth_id)").fill(DEMO_AUTH_ID)
    page.get_by_role("textbox", name="API token").fill(DEMO_TOKEN)
    page.get_by_role("button", name="Advanced").click()
    base_url = page.get_by_role("textbox", name="Base URL")
    expect(base_url).to_have_value(re.compile(r"^https://"))  # the public API by default
    # Its description names it as the example, through a placeholder (no URL in translations).
    expect(page.get_by_role("link", name=base_url.input_value())).to_be_visible()
    # A base URL that would send the token in clear over the internet: its error shows in the
    # dialog, though the field is inside the Advanced section.
    base_url.fill("http://example.com/api/ocpi/api/v1")
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_text("The base URL under Advanced is not accepted")).to_be_visible()
    # The form keeps what was typed, except the token.
    page.get_by_role("textbox", name="API token").fill(DEMO_TOKEN)
    if not base_url.is_visible():
        page.get_by_role("button", name="Advanced").click()
    base_url.fill(simulator.base_url)
    screenshot(page, screenshots / "config-flow.png")
    page.get_by_role("button", name="Submit").click()
    # The last step names the device and offers an area; its button says "Finish" then.
    expect(page.get_by_role("textbox", name="Device name")).to_have_value(DEVICE_NAME)
    page.get_by_role("button", name=re.compile("finish", re.IGNORECASE)).click()
    expect(page.get_by_role("dialog")).to_have_count(0)


def call_websocket(page: Page, message: dict[str, Any]) -> Any:
    """Send a command over the frontend's own websocket connection and return its result."""
    page.wait_for_function("() => document.querySelector('home-assistant')?.hass?.connected")
    return page.evaluate(
        "message => document.querySelector('home-assistant').hass.callWS(message)", message
    )


def open_device_page(page: Page) -> None:
    """Open the device's page (Settings > Devices & services > Devices > the device)."""
    devices = call_websocket(page, {"type": "config/device_registry/list"})
    (device_id,) = [device["id"] for device in devices if device["name"] == DEVICE_NAME]
    page.goto(f"/config/devices/device/{device_id}")
    expect(page.get_by_text(DEVICE_NAME).first).to_be_visible()


def show_dashboard_card(page: Page, screenshots: Path) -> None:
    """Make a dashboard with an entities card of the session and the stop button; screenshot it."""
    card = {
        "type": "entities",
        "title": "Charging",
        "entities": [
            {"entity": STATUS, "name": "Status"},
            {"entity": ENERGY, "name": "Energy"},
            {"entity": COST, "name": "Cost"},
            {"entity": STOP_BUTTON, "name": "Stop charging"},
        ],
    }
    call_websocket(
        page,
        {
            "type": "lovelace/dashboards/create",
            "url_path": DASHBOARD,
            "title": "EV charging",
            "icon": "mdi:ev-station",
            "mode": "storage",
            "show_in_sidebar": True,
            "require_admin": False,
        },
    )
    call_websocket(
        page,
        {
            "type": "lovelace/config/save",
            "url_path": DASHBOARD,
            "config": {"views": [{"title": "Charging", "cards": [card]}]},
        },
    )
    page.goto(f"/{DASHBOARD}/0")
    shown = page.locator("hui-entities-card")
    expect(entity_row(shown, "Status")).to_contain_text("Charging")
    expect(entity_row(shown, "Stop charging").get_by_role("button", name="Press")).to_be_enabled()
    box = shown.bounding_box()
    assert box is not None
    margin = 6  # of the dashboard's background around the card (8 would show the toolbar's edge)
    page.screenshot(
        path=screenshots / "dashboard-card.png",
        animations="disabled",
        clip={
            "x": box["x"] - margin,
            "y": box["y"] - margin,
            "width": box["width"] + 2 * margin,
            "height": box["height"] + 2 * margin,
        },
    )


def entity_row(scope: Page | Locator, name: str) -> Locator:
    """The row of the entity called `name` in a card.

    Its inner text is the state as shown (the name is in its shadow DOM); Playwright's text
    expectations see both. Found by the name exactly (its `.info` holds it as its title):
    "Session cost" is not "Session cost with tax".
    """
    page = scope if isinstance(scope, Page) else scope.page
    named = page.locator(f'.info[title="{name}"]')
    return scope.locator("hui-generic-entity-row").filter(has=named)


def shown_number(row: Locator) -> float:
    """The number in a row's state, such as 2.76 in "2.76 kWh" or 49.72 in "₹49.72"."""
    text = row.inner_text()
    found = re.search(r"\d[\d,]*(?:\.\d+)?", text)
    assert found, f"no number in {text!r}"
    return float(found.group().replace(",", ""))


def expect_simulator_values(
    page: Page, home_assistant: HomeAssistantApi, simulator: SimulatorApi
) -> None:
    """The page shows the energy and cost the simulator serves, to the shown precision.

    While the session charges they grow between two polls, so the page must show a value from
    between the simulator's answer before an update of the entities and its answer after the page
    showed it.
    """
    before = simulator.latest()
    home_assistant.call_service("homeassistant", "update_entity", {"entity_id": [ENERGY, COST]})
    seen: list[tuple[float, float, dict[str, object]]] = []

    def shows_simulator_values() -> bool | None:
        energy = shown_number(entity_row(page, "Session energy"))
        cost = shown_number(entity_row(page, "Session cost"))
        after = simulator.latest()
        seen.append((energy, cost, after))
        in_range = (
            float(before[key]) - SHOWN_PRECISION <= shown <= float(after[key]) + SHOWN_PRECISION
            for key, shown in (("kwh", energy), ("total_cost", cost))
        )
        return all(in_range) or None

    try:
        wait_until("the simulator's values", shows_simulator_values, timeout=30, interval=1)
    except TimeoutError:
        pytest.fail(f"page shows {seen[-1][:2]}; the simulator {before} then {seen[-1][2]}")
    expect(entity_row(page, "Session energy")).to_contain_text("kWh")
    expect(entity_row(page, "Session cost")).to_contain_text("₹")  # INR, as the page writes it


def show_energy_dashboard(page: Page, home_assistant: HomeAssistantApi, screenshots: Path) -> None:
    """Add the hourly statistics to the Energy dashboard as the docs say; screenshot both pages.

    The grid's consumption with its cost, and the car as an individual device; Home Assistant's
    currency set to the session's, which the cost picker needs.
    """
    (entry,) = home_assistant.config_entries("evnnovator")
    energy = f"evnnovator:{entry['entry_id'].lower()}_energy"
    cost = f"evnnovator:{entry['entry_id'].lower()}_cost_inr"
    total = float(home_assistant.state(TOTAL_ENERGY)["state"])

    def imported_total() -> float | None:
        # The sum of the newest hour: the statistics add up to the Total energy sensor.
        rows = call_websocket(
            page,
            {
                "type": "recorder/statistics_during_period",
                "start_time": "2000-01-01T00:00:00+00:00",
                "statistic_ids": [energy],
                "period": "hour",
                "types": ["sum"],
            },
        ).get(energy)
        return rows[-1]["sum"] if rows and abs(rows[-1]["sum"] - total) < 1e-6 else None

    wait_until("the hourly statistics in the recorder", imported_total, timeout=30, interval=1)
    call_websocket(page, {"type": "config/core/update", "currency": "INR"})
    call_websocket(
        page,
        {
            "type": "energy/save_prefs",
            "energy_sources": [
                {
                    "type": "grid",
                    "stat_energy_from": energy,
                    "stat_cost": cost,
                    "cost_adjustment_day": 0,
                }
            ],
            "device_consumption": [{"stat_consumption": energy}],
        },
    )
    page.goto("/config/energy")
    expect(page.get_by_text(STATISTIC_NAME).first).to_be_visible()
    screenshot(page, screenshots / "energy-config.png", height=1400)
    page.goto("/energy")
    expect(page.locator("hui-energy-usage-graph-card")).to_be_visible()
    if datetime.now(UTC).hour == 0:
        # Before 1:00 the dashboard opens on yesterday (today has no whole hour yet); Home
        # Assistant and the browser both run on UTC here.
        page.get_by_role("button", name="Next", exact=True).first.click()
    expect(page.get_by_text("There is no data for this period")).to_have_count(0)
    expect(page.get_by_text(STATISTIC_NAME).first).to_be_visible()
    # The charts animate in after their data arrives.
    page.wait_for_timeout(3000)
    screenshot(page, screenshots / "energy-dashboard.png", height=1100)


def command_requests(simulator: SimulatorApi, command: str) -> list[dict[str, Any]]:
    """The `command` (STOP_SESSION, START_SESSION) requests the simulator received."""
    return [
        served
        for served in simulator.requests()
        if served["method"] == "POST" and served["path"].endswith(f"/commands/{command}")
    ]


def stop_requests(simulator: SimulatorApi) -> list[dict[str, Any]]:
    """The STOP_SESSION commands the simulator received."""
    return command_requests(simulator, "STOP_SESSION")


def start_requests(simulator: SimulatorApi) -> list[dict[str, Any]]:
    """The START_SESSION commands the simulator received."""
    return command_requests(simulator, "START_SESSION")


def screenshot(page: Page, path: Path, *, height: int | None = None) -> None:
    """Save the page as `path`, in a taller window if `height` is given."""
    viewport = page.viewport_size
    assert viewport is not None
    if height is not None:
        page.set_viewport_size({"width": viewport["width"], "height": height})
    page.screenshot(path=path, animations="disabled")
    page.set_viewport_size(viewport)
