"""The session events in the logbook (Activity): named after the device, with their figures.

The messages are in the server's language, English unless it is set otherwise.
"""

import asyncio
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any
from unittest.mock import patch

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.translation import async_get_translations
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.evnnovator.const import (
    DOMAIN,
    EVENT_CHARGING_IDLE,
    EVENT_SESSION_BILLED,
    EVENT_SESSION_COMPLETED,
    EVENT_SESSION_STARTED,
)
from custom_components.evnnovator.logbook import (
    ServerLanguage,
    Wording,
    async_describe_events,
    billed_message,
    started_message,
)

DEVICE_NAME = "EVnnovator demo-driver-1"
# 183.60 INR before tax, with 18 % GST.
WITH_TAX = {"cost_with_tax": 216.65}
OVER_THE_LIMIT = {"energy_limit": 10.0, "overshoot": 0.2}
COMPLETED = {
    "config_entry_id": "entry",
    "session_id": "s-1",
    "energy": 10.2,
    "cost": 183.6,
    "currency": "INR",
    "duration": 3600.0,
    "status": "COMPLETED",
}


def account_device(hass: HomeAssistant, entry: MockConfigEntry) -> dr.DeviceEntry:
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, str(entry.unique_id)), entry.entry_id
    )
    assert device is not None
    return device


def describers(hass: HomeAssistant) -> dict[str, Callable[[Any], dict[str, str]]]:
    """What the platform registers with the logbook, by event type."""
    registered: dict[str, Callable[[Any], dict[str, str]]] = {}

    def describe_event(domain: str, event_type: str, describe: Callable[[Any], Any]) -> None:
        assert domain == DOMAIN
        registered[event_type] = describe

    async_describe_events(hass, describe_event)
    assert set(registered) == {
        EVENT_SESSION_STARTED,
        EVENT_SESSION_COMPLETED,
        EVENT_SESSION_BILLED,
        EVENT_CHARGING_IDLE,
    }
    return registered


def describe(hass: HomeAssistant, event_type: str, data: dict[str, Any]) -> dict[str, str]:
    # The logbook hands over a lazy event of which only `data` is read.
    return describers(hass)[event_type](SimpleNamespace(data=data))


@pytest.fixture(autouse=True)
async def translations_loaded(hass: HomeAssistant, translations_once: Any) -> None:
    """The server language's translations only, as Home Assistant loads them at set-up.

    The test plugin keeps one translation cache for all tests of a module: this test starts
    without the languages earlier tests loaded. The tests that describe events themselves do
    not set the integration up.
    """
    shared = translations_once.kwargs["return_value"]
    for loaded in shared.loaded.values():
        loaded.discard(DOMAIN)
    for categories in shared.cache.values():
        for by_integration in categories.values():
            by_integration.pop(DOMAIN, None)
    await async_get_translations(hass, hass.config.language, "common", [DOMAIN])


@pytest.fixture
def mock_recorder_before_hass(async_test_recorder: object) -> None:
    """Prepare the recorder before Home Assistant starts, which recorder_mock requires."""


@pytest.fixture
def device_id(hass: HomeAssistant, config_entry: MockConfigEntry) -> str:
    """The account's device, registered as set-up does, without setting the entry up."""
    config_entry.add_to_hass(hass)
    return (
        dr.async_get(hass)
        .async_get_or_create(
            config_entry_id=config_entry.entry_id,
            identifiers={(DOMAIN, str(config_entry.unique_id))},
            name=DEVICE_NAME,
        )
        .id
    )


def test_started(hass: HomeAssistant, device_id: str) -> None:
    """A start is just that: its first figures say nothing yet."""
    assert describe(hass, EVENT_SESSION_STARTED, {**COMPLETED, "device_id": device_id}) == {
        "name": DEVICE_NAME,
        "message": "started charging",
        "icon": "mdi:battery-charging",
    }


@pytest.mark.parametrize(
    ("energy", "message"),
    [
        (10.2, "stopped drawing energy at 10.2 kWh, the session still runs"),
        (None, "stopped drawing energy, the session still runs"),
    ],
)
def test_idle(hass: HomeAssistant, device_id: str, energy: float | None, message: str) -> None:
    """The car is done (or paused) while the session runs: at which energy, when known."""
    data = {**COMPLETED, "status": "ACTIVE", "energy": energy, "device_id": device_id}
    assert describe(hass, EVENT_CHARGING_IDLE, data) == {
        "name": DEVICE_NAME,
        "message": message,
        "icon": "mdi:battery-clock-outline",
    }


@pytest.mark.parametrize(
    ("figures", "message"),
    [
        ({}, "stopped charging after 10.2 kWh (183.60 INR)"),
        ({"energy": 2.46666}, "stopped charging after 2.467 kWh (183.60 INR)"),
        ({"energy": 10.0, "cost": 180}, "stopped charging after 10 kWh (180.00 INR)"),
        ({"currency": None}, "stopped charging after 10.2 kWh (183.60)"),
        ({"cost": None, "currency": None}, "stopped charging after 10.2 kWh"),
        ({"energy": None}, "stopped charging (183.60 INR)"),
        ({"energy": None, "cost": None, "currency": None}, "stopped charging"),
        (
            {"energy_limit": 10.0, "overshoot": 0.2},
            "stopped charging after 10.2 kWh (183.60 INR), 0.2 kWh over the 10 kWh limit",
        ),
        (
            {"energy": 9.5, "energy_limit": 10.0, "overshoot": -0.5},
            "stopped charging after 9.5 kWh (183.60 INR), 0.5 kWh under the 10 kWh limit",
        ),
        (
            {"energy": 10.0001, "energy_limit": 10.0, "overshoot": 0.0001},
            "stopped charging after 10 kWh (183.60 INR), at the 10 kWh limit",
        ),
        (
            {"energy": None, "energy_limit": 7.5, "overshoot": None},
            "stopped charging (183.60 INR), with a 7.5 kWh limit",
        ),
        # What stopped it: the cost limit is not credited to the energy limit set beside it.
        (
            {
                "energy": 0.362,
                "cost": 6.52,
                "energy_limit": 0.5,
                "overshoot": -0.138,
                "cost_limit": 6.5,
                "stopped_by": "cost",
            },
            "stopped charging after 0.362 kWh (6.52 INR), stopped at the 6.50 INR cost limit",
        ),
        (
            {"energy_limit": 12.0, "overshoot": -1.8, "stopped_by": "user"},
            "stopped charging after 10.2 kWh (183.60 INR), stopped from Home Assistant",
        ),
        (
            {"energy_limit": 10.0, "overshoot": 0.2, "stopped_by": "energy"},
            "stopped charging after 10.2 kWh (183.60 INR), 0.2 kWh over the 10 kWh limit",
        ),
        # The limit's keys are there only when a limit was set, and may then be None.
        ({"energy_limit": None, "overshoot": None}, "stopped charging after 10.2 kWh (183.60 INR)"),
        # A cost limit counted with tax: the cost with tax beside it, whatever stopped it.
        (
            {
                **WITH_TAX,
                "cost_limit": 220.0,
                "cost_limit_with_tax": True,
                "stopped_by": "cost",
            },
            "stopped charging after 10.2 kWh (216.65 INR with tax), "
            "stopped at the 220.00 INR cost limit with tax",
        ),
        (
            {
                **WITH_TAX,
                "cost_limit": 300.0,
                "cost_limit_with_tax": True,
                **OVER_THE_LIMIT,
                "stopped_by": "energy",
            },
            "stopped charging after 10.2 kWh (216.65 INR with tax), 0.2 kWh over the 10 kWh limit",
        ),
        # With tax, but that figure unknown: no amount rather than one the limit did not count.
        (
            {"cost_with_tax": None, "cost_limit": 220.0, "cost_limit_with_tax": True},
            "stopped charging after 10.2 kWh",
        ),
        # A limit before tax: the cost before tax beside it, even with the cost with tax known.
        (
            {**WITH_TAX, "cost_limit": 180.0, "stopped_by": "cost"},
            "stopped charging after 10.2 kWh (183.60 INR), stopped at the 180.00 INR cost limit",
        ),
        ({**WITH_TAX}, "stopped charging after 10.2 kWh (183.60 INR)"),
    ],
)
def test_completed(
    hass: HomeAssistant, device_id: str, figures: dict[str, Any], message: str
) -> None:
    """The session's energy, cost and limit, each as far as it is known."""
    data = {**COMPLETED, "device_id": device_id, **figures}
    assert describe(hass, EVENT_SESSION_COMPLETED, data) == {
        "name": DEVICE_NAME,
        "message": message,
        "icon": "mdi:check-circle-outline",
    }


@pytest.mark.parametrize(
    ("bill", "message"),
    [
        (
            {"cost": 3.4, "tax": 0.52, "currency": "INR", "energy": 0.16},
            "was billed 3.40 INR with 0.52 INR tax for 0.16 kWh",
        ),
        ({"cost": None, "tax": None, "currency": None, "energy": None}, "was billed"),
    ],
)
def test_billed(hass: HomeAssistant, device_id: str, bill: dict[str, Any], message: str) -> None:
    """The bill with tax, the tax and the energy billed, as far as the CDR says them."""
    assert describe(hass, EVENT_SESSION_BILLED, {"device_id": device_id, **bill}) == {
        "name": DEVICE_NAME,
        "message": message,
        "icon": "mdi:receipt-text",
    }


def test_name_the_user_gave(hass: HomeAssistant, device_id: str) -> None:
    """A device the user renamed shows under its new name."""
    dr.async_get(hass).async_update_device(device_id, name_by_user="Garage charger")
    described = describe(hass, EVENT_SESSION_STARTED, {**COMPLETED, "device_id": device_id})
    assert described["name"] == "Garage charger"


@pytest.mark.parametrize("data", [{"device_id": "removed-device"}, {}])
def test_device_gone(hass: HomeAssistant, data: dict[str, Any]) -> None:
    """An event of a device that no longer exists (or names none) still reads well."""
    assert describe(hass, EVENT_SESSION_COMPLETED, {**COMPLETED, **data}) == {
        "name": "EVnnovator",
        "message": "stopped charging after 10.2 kWh (183.60 INR)",
        "icon": "mdi:check-circle-outline",
    }


async def test_not_a_dependency(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    """The integration sets up without the logbook; logbook.py waits for it."""
    assert "logbook" not in hass.config.components


async def test_in_the_device_logbook(
    recorder_mock: object,
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    init_integration: MockConfigEntry,
) -> None:
    """With the logbook set up, the device's Activity shows both events, described.

    The start is the real one, fired when the integration first saw the running session.
    """
    start = dt_util.utcnow().replace(year=2000)
    device = account_device(hass, init_integration)
    hass.bus.async_fire(EVENT_SESSION_COMPLETED, {**COMPLETED, "device_id": device.id})
    hass.bus.async_fire(EVENT_SESSION_COMPLETED, {**COMPLETED, "device_id": "another-device"})
    assert await async_setup_component(hass, "logbook", {})
    await async_wait_recording_done(hass)

    client = await hass_ws_client(hass)
    await client.send_json_auto_id(
        {"type": "logbook/get_events", "start_time": start.isoformat(), "device_ids": [device.id]}
    )
    response = await client.receive_json()

    assert response["success"]
    assert [
        (entry["name"], entry["message"], entry["icon"])
        for entry in response["result"]
        if entry.get("domain") == DOMAIN
    ] == [
        (DEVICE_NAME, "started charging", "mdi:battery-charging"),
        (DEVICE_NAME, "stopped charging after 10.2 kWh (183.60 INR)", "mdi:check-circle-outline"),
    ]


async def speak(hass: HomeAssistant, language: str) -> None:
    """Set the server's language, with its translations loaded as at the entry's set-up."""
    hass.config.language = language
    await async_get_translations(hass, language, "common", [DOMAIN])


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "stopped charging after 10.2 kWh (183.60 INR), 0.2 kWh over the 10 kWh limit"),
        (
            "de",
            "hat das Laden nach 10,2 kWh beendet (183,60 INR), 0,2 kWh über dem Limit von 10 kWh",
        ),
        (
            "fr",
            "a arrêté la recharge après 10,2 kWh (183,60 INR), "
            "0,2 kWh au-delà de la limite de 10 kWh",
        ),
        (
            "es",
            "ha detenido la recarga tras 10,2 kWh (183,60 INR), "
            "0,2 kWh por encima del límite de 10 kWh",
        ),
        ("nl", "is gestopt met laden na 10,2 kWh (183,60 INR), 0,2 kWh boven de limiet van 10 kWh"),
        # Hindi, as written in India, keeps the decimal point.
        ("hi", "ने 10.2 kWh के बाद चार्जिंग बंद की (183.60 INR), 10 kWh की सीमा से 0.2 kWh अधिक"),
    ],
)
async def test_completed_in_each_language(
    hass: HomeAssistant, device_id: str, language: str, message: str
) -> None:
    """Each of the six languages words the message and writes its numbers its own way."""
    await speak(hass, language)
    data = {**COMPLETED, "device_id": device_id, **OVER_THE_LIMIT}
    assert describe(hass, EVENT_SESSION_COMPLETED, data)["message"] == message


AT_THE_LIMIT_WITH_TAX = {
    **WITH_TAX,
    "cost_limit": 220.0,
    "cost_limit_with_tax": True,
    "stopped_by": "cost",
}


@pytest.mark.parametrize(
    ("language", "message"),
    [
        (
            "en",
            "stopped charging after 10.2 kWh (216.65 INR with tax), "
            "stopped at the 220.00 INR cost limit with tax",
        ),
        (
            "de",
            "hat das Laden nach 10,2 kWh beendet (216,65 INR mit Steuer), "
            "gestoppt am Kostenlimit mit Steuer von 220,00 INR",
        ),
        (
            "fr",
            "a arrêté la recharge après 10,2 kWh (216,65 INR TTC), "
            "arrêtée à la limite de coût TTC de 220,00 INR",
        ),
        (
            "es",
            "ha detenido la recarga tras 10,2 kWh (216,65 INR con impuestos), "
            "detenida en el límite de coste con impuestos de 220,00 INR",
        ),
        (
            "nl",
            "is gestopt met laden na 10,2 kWh (216,65 INR inclusief belasting), "
            "gestopt bij de kostenlimiet inclusief belasting van 220,00 INR",
        ),
        (
            "hi",
            "ने 10.2 kWh के बाद चार्जिंग बंद की (216.65 INR कर सहित), "
            "220.00 INR की कर सहित लागत सीमा पर रोकी गई",
        ),
    ],
)
async def test_the_cost_limit_with_tax_in_each_language(
    hass: HomeAssistant, device_id: str, language: str, message: str
) -> None:
    """Each language says that both the amount and the limit are with tax."""
    await speak(hass, language)
    data = {**COMPLETED, "device_id": device_id, **AT_THE_LIMIT_WITH_TAX}
    assert describe(hass, EVENT_SESSION_COMPLETED, data)["message"] == message


@pytest.mark.parametrize(
    ("event_type", "figures", "message"),
    [
        (EVENT_SESSION_STARTED, {}, "hat das Laden gestartet"),
        (
            EVENT_SESSION_COMPLETED,
            {"energy": None, "cost": None, "currency": None},
            "hat das Laden beendet",
        ),
        (
            EVENT_SESSION_COMPLETED,
            {"energy": 9.5, "energy_limit": 10.0, "overshoot": -0.5},
            "hat das Laden nach 9,5 kWh beendet (183,60 INR), 0,5 kWh unter dem Limit von 10 kWh",
        ),
        (
            EVENT_SESSION_COMPLETED,
            {"energy": 10.0001, "energy_limit": 10.0, "overshoot": 0.0001},
            "hat das Laden nach 10 kWh beendet (183,60 INR), genau am Limit von 10 kWh",
        ),
        (
            EVENT_SESSION_COMPLETED,
            {"energy": None, "energy_limit": 7.5, "overshoot": None},
            "hat das Laden beendet (183,60 INR), mit einem Limit von 7,5 kWh",
        ),
        (
            EVENT_SESSION_COMPLETED,
            {"energy": 0.362, "cost": 6.52, "cost_limit": 6.5, "stopped_by": "cost"},
            "hat das Laden nach 0,362 kWh beendet (6,52 INR), gestoppt am Kostenlimit von 6,50 INR",
        ),
        (
            EVENT_SESSION_COMPLETED,
            {"energy_limit": 12.0, "overshoot": -1.8, "stopped_by": "user"},
            "hat das Laden nach 10,2 kWh beendet (183,60 INR), aus Home Assistant gestoppt",
        ),
        (
            EVENT_SESSION_BILLED,
            {"cost": 3.4, "tax": 0.52, "currency": "INR", "energy": 0.16},
            "wurde abgerechnet: 3,40 INR inkl. 0,52 INR Steuer für 0,16 kWh",
        ),
        (
            EVENT_SESSION_BILLED,
            {"cost": None, "tax": None, "currency": None, "energy": None},
            "wurde abgerechnet",
        ),
    ],
)
async def test_german(
    hass: HomeAssistant,
    device_id: str,
    event_type: str,
    figures: dict[str, Any],
    message: str,
) -> None:
    """Every message in German, with decimal commas, on a German server."""
    await speak(hass, "de")
    data = {**COMPLETED, "device_id": device_id, **figures}
    assert describe(hass, event_type, data)["message"] == message


async def test_a_language_without_translations_is_english(
    hass: HomeAssistant, device_id: str
) -> None:
    """Italian (no it.json) reads English, numbers included, not English words with commas."""
    await speak(hass, "it")
    data = {**COMPLETED, "device_id": device_id, **OVER_THE_LIMIT}
    assert describe(hass, EVENT_SESSION_COMPLETED, data)["message"] == (
        "stopped charging after 10.2 kWh (183.60 INR), 0.2 kWh over the 10 kWh limit"
    )


def test_without_translations() -> None:
    """Translation files Home Assistant could not read: each message says which it is."""
    wording = Wording({})
    assert started_message(wording, {}) == "started"
    assert billed_message(wording, {"cost": 3.4, "currency": "INR", "energy": 0.16}) == (
        "billed_amount billed_energy"
    )
    assert wording.amount(3.4, "INR") == "3.40 INR"


async def test_follows_the_server_language(hass: HomeAssistant, device_id: str) -> None:
    """Set to German in Settings > System > General, the next message is German: no restart."""
    describe_started = describers(hass)[EVENT_SESSION_STARTED]
    event = SimpleNamespace(data={"device_id": device_id})
    assert describe_started(event)["message"] == "started charging"

    await hass.config.async_update(language="de")
    await hass.async_block_till_done()
    assert describe_started(event)["message"] == "hat das Laden gestartet"

    await hass.config.async_update(language="en")
    await hass.async_block_till_done()
    assert describe_started(event)["message"] == "started charging"


async def test_loads_a_language_not_yet_loaded(hass: HomeAssistant, device_id: str) -> None:
    """A language Home Assistant has not loaded for the integration is loaded when needed.

    As when the language was changed before the logbook was set up, so before it listened.
    """
    hass.config.language = "de"
    describe_started = describers(hass)[EVENT_SESSION_STARTED]
    await hass.async_block_till_done()
    event = SimpleNamespace(data={"device_id": device_id})
    assert describe_started(event)["message"] == "hat das Laden gestartet"


async def test_a_load_overtaken_by_a_newer_language(hass: HomeAssistant) -> None:
    """Changed twice in a row, the first language's slower load does not win.

    The test plugin reads translation files at once: the gate holds the German load back.
    """
    server_language = ServerLanguage(hass)
    files_read = asyncio.Event()

    async def slow_load(*args: Any) -> dict[str, str]:
        await files_read.wait()
        return await async_get_translations(*args)

    hass.config.language = "de"
    with patch("custom_components.evnnovator.logbook.async_get_translations", slow_load):
        loading_german = hass.async_create_task(server_language.async_load())
        hass.config.language = "fr"
        files_read.set()
        await loading_german
    assert server_language.wording.text("started") == "started charging"
    await server_language.async_load()
    assert server_language.wording.text("started") == "a démarré la recharge"


async def test_in_the_device_logbook_in_german(
    recorder_mock: object,
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    init_integration: MockConfigEntry,
) -> None:
    """What the Activity panel receives, read from the recorder, once the server is German.

    Entries recorded in English before the change read German too: they are worded when read.
    """
    start = dt_util.utcnow().replace(year=2000)
    device = account_device(hass, init_integration)
    hass.bus.async_fire(EVENT_SESSION_COMPLETED, {**COMPLETED, "device_id": device.id})
    assert await async_setup_component(hass, "logbook", {})
    await async_wait_recording_done(hass)
    await hass.config.async_update(language="de")
    await hass.async_block_till_done()

    client = await hass_ws_client(hass)
    await client.send_json_auto_id(
        {"type": "logbook/get_events", "start_time": start.isoformat(), "device_ids": [device.id]}
    )
    response = await client.receive_json()

    assert response["success"]
    assert [entry["message"] for entry in response["result"] if entry.get("domain") == DOMAIN] == [
        "hat das Laden gestartet",
        "hat das Laden nach 10,2 kWh beendet (183,60 INR)",
    ]
