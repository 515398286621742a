"""Energy price: the tariff of the latest session's connector, fetched rarely."""

from datetime import UTC, datetime
import logging

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.evnnovator.api import (
    Connector,
    EvnnovatorError,
    Evse,
    parse_session,
    parse_tariff,
)
from custom_components.evnnovator.price import PRICE_REFRESH, connector_tariff_id
from evnnovator_simulator import DEMO_AUTH_ID, Simulator

from .helpers import advance

ENERGY_PRICE = "sensor.evnnovator_demo_driver_1_energy_price"

pytestmark = pytest.mark.freeze_time("2026-11-23T08:00:00+00:00")


def price_requests(simulator: Simulator) -> list[str]:
    return [
        request.path.removeprefix(simulator.settings.prefix)
        for request in simulator.requests
        if "/tariffs/" in request.path or "/locations/" in request.path
    ]


async def test_the_price_and_when_it_is_asked(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
) -> None:
    """At set-up, every 6 hours, and at a new session: the EVSE (for its tariff), the tariff."""
    state = hass.states.get(ENERGY_PRICE)
    assert float(state.state) == 18.0
    assert state.attributes["unit_of_measurement"] == "INR/kWh"
    assert state.attributes["tariff_id"] == "20032"
    assert state.attributes["tax_included"] is False
    assert price_requests(simulator) == [
        "/locations/2b10508db844fada81778c8b1bce853e/evse/3d2542dc29da4512d061391db6a18377",
        "/tariffs/location/2b10508db844fada81778c8b1bce853e/20032",
    ]
    simulator.clear_requests()
    await advance(hass, freezer, PRICE_REFRESH.total_seconds() - 60)
    assert price_requests(simulator) == []
    await advance(hass, freezer, 61)
    assert len(price_requests(simulator)) == 2

    simulator.clear_requests()
    simulator.start_session(DEMO_AUTH_ID)
    await init_integration.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()
    assert len(price_requests(simulator)) == 2

    simulator.inject("http_500", count=2, only=None)
    await init_integration.runtime_data.price.async_refresh()
    await hass.async_block_till_done()
    assert hass.states.get(ENERGY_PRICE).state == STATE_UNAVAILABLE


async def test_a_charger_the_api_does_not_know_has_no_price(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
) -> None:
    """The EVSE call answers 404: no tariff to ask for, the price is unknown."""
    raw = simulator.latest_session(DEMO_AUTH_ID)
    assert raw is not None
    raw["id"] = "another-session"
    raw["location"]["evses"][0]["id"] = "not-served"
    simulator.set_raw_latest(DEMO_AUTH_ID, raw)
    await init_integration.runtime_data.coordinator.async_refresh()
    await advance(hass, freezer, 11)  # past the refresh's debounce after the one at set-up
    assert hass.states.get(ENERGY_PRICE).state == "unknown"


async def test_the_client_refuses_an_empty_id_and_reads_404_as_none(
    simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    client = init_integration.runtime_data.coordinator.client
    with pytest.raises(EvnnovatorError):
        await client.get_tariff("", "20032")
    assert await client.get_tariff("2b10508db844fada81778c8b1bce853e", "unknown") is None


def test_the_published_tariff() -> None:
    """Prices as strings; the energy one is the state, the others attributes."""
    tariff = parse_tariff(
        {
            "id": "1088ba4b3e40b408d3c1845cdd1e4710",
            "tariff_id": "20032",
            "currency": "INR",
            "elements": [
                {
                    "price_components": [
                        {"type": "ENERGY", "price": "12.00", "step_size": 1},
                        {"type": "PARKING_TIME", "price": "30", "step_size": 60},
                        {"type": "FLAT", "price": None},
                    ]
                }
            ],
        }
    )
    assert tariff.energy_price == 12.0
    assert [(part.type, part.price) for part in tariff.other_components] == [("PARKING_TIME", 30.0)]
    assert parse_tariff({"elements": []}).energy_price is None


def test_the_connector_of_the_session() -> None:
    """By its id where it matches, else the first connector that names a tariff."""
    connectors = (
        Connector("a", None, None, None, None, None, None),
        Connector("b", None, None, None, None, None, "t-b"),
        Connector("c", None, None, None, None, None, "t-c"),
    )
    evse = Evse(uid="u", evse_id=None, status=None, connectors=connectors)
    assert connector_tariff_id(evse, "c") == "t-c"
    assert connector_tariff_id(evse, "1") == "t-b"
    assert connector_tariff_id(None, "1") is None
    assert connector_tariff_id(Evse(uid="u", evse_id=None, status=None), "1") is None


async def test_a_gateway_without_the_tariff_call_warns_once(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A gateway that does not serve the site's calls (a web server's 404 page): the price turns
    unavailable with one WARNING, never an ERROR; the session's own entities are untouched; an
    INFO line when it recovers."""
    caplog.clear()
    simulator.inject("http_404_page", count=2, only="sites")
    await init_integration.runtime_data.price.async_refresh()
    await advance(hass, freezer, PRICE_REFRESH.total_seconds())
    assert hass.states.get(ENERGY_PRICE).state == STATE_UNAVAILABLE
    assert hass.states.get("sensor.evnnovator_demo_driver_1_session_energy").state != (
        STATE_UNAVAILABLE
    )
    ours = [r for r in caplog.records if r.name.startswith("custom_components.evnnovator")]
    assert [r.levelname for r in ours if r.levelno >= logging.WARNING] == ["WARNING"]
    await advance(hass, freezer, PRICE_REFRESH.total_seconds())
    assert hass.states.get(ENERGY_PRICE).state == "18.0"
    assert any("recovered" in r.getMessage() and r.levelname == "INFO" for r in caplog.records)


def _element(price: float, **restrictions: object) -> dict[str, object]:
    element: dict[str, object] = {
        "price_components": [{"type": "ENERGY", "price": f"{price:.2f}", "step_size": 1}]
    }
    if restrictions:
        element["restrictions"] = restrictions
    return element


def test_the_price_that_applies_is_the_first_element_whose_restrictions_hold() -> None:
    """OCPI's "first kWh free", an off-peak night (past midnight) and a weekend price."""
    first_kwh_free = parse_tariff({"elements": [_element(0.0, max_kwh=1.0), _element(0.20)]})
    noon = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # a Monday, in the location's time
    assert first_kwh_free.energy_price_at(noon, kwh=0.5) == 0.0
    assert first_kwh_free.energy_price_at(noon, kwh=1.5) == 0.20
    nights_and_weekends = parse_tariff(
        {
            "elements": [
                _element(0.15, start_time="23:00", end_time="07:00"),
                _element(0.18, day_of_week=["SATURDAY", "SUNDAY"]),
                _element(0.25, start_time="07:00", end_time="23:00", min_duration=3600),
                _element(0.30),
            ]
        }
    )
    assert nights_and_weekends.energy_price_at(datetime(2026, 11, 23, 23, 30, tzinfo=UTC)) == 0.15
    assert nights_and_weekends.energy_price_at(datetime(2026, 11, 24, 6, 59, tzinfo=UTC)) == 0.15
    assert nights_and_weekends.energy_price_at(datetime(2026, 11, 28, 12, 0, tzinfo=UTC)) == 0.18
    assert nights_and_weekends.energy_price_at(noon) == 0.30
    assert nights_and_weekends.energy_price_at(noon, seconds=4000) == 0.25
    # Every element restricted away: the first energy price still names one.
    only_at_night = parse_tariff(
        {"elements": [_element(0.15, start_time="23:00", end_time="07:00")]}
    )
    assert only_at_night.energy_price_at(noon) == 0.15


def test_the_price_for_a_session_goes_by_its_location_time_energy_and_duration() -> None:
    """In the location's own time (IST here), with the session's kWh so far."""
    tariff = parse_tariff(
        {
            "elements": [
                _element(0.0, max_kwh=1.0),
                _element(12.0, start_time="22:00"),
                _element(18.0),
            ]
        }
    )
    session = parse_session(
        {
            "id": "s",
            "status": "ACTIVE",
            "kwh": 2.0,
            "start_datetime": "2026-11-23T16:00:00+00:00",
            "location": {"time_zone": "Asia/Kolkata"},
        }
    )
    # 16:45 UTC is 22:15 in Kolkata: the night price, past the free first kWh.
    assert tariff.energy_price_for(session, datetime(2026, 11, 23, 16, 45, tzinfo=UTC)) == 12.0
    assert tariff.energy_price_for(session, datetime(2026, 11, 23, 16, 15, tzinfo=UTC)) == 18.0
    assert tariff.energy_price_for(None, datetime(2026, 11, 23, 16, 15, tzinfo=UTC)) == 0.0
