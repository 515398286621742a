"""find_chargers: nearby locations and their chargers, nearest first, from the search call."""

from homeassistant.const import ATTR_CONFIG_ENTRY_ID
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.evnnovator.api import parse_location
from custom_components.evnnovator.finder import chargers_answer
from custom_components.evnnovator.services import POWER_TYPES
from evnnovator_simulator import DEMO_EVSE_UID, DEMO_LOCATION_ID, Simulator
from evnnovator_simulator.site import SECOND_EVSE_UID

from .test_services import call

FIND = "find_chargers"
# Beside the simulator's location (28.457523, 77.026344).
NEAR = {"latitude": 28.46, "longitude": 77.03}


def search_queries(simulator: Simulator) -> list[str]:
    return [request.query for request in simulator.requests if request.path.endswith("/search")]


async def test_chargers_near_a_point(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """The ids start_charging takes, the status, the power and the price of the known tariff."""
    response = await call(hass, FIND, {ATTR_CONFIG_ENTRY_ID: init_integration.entry_id, **NEAR})
    assert response is not None
    [location] = response["locations"]
    assert isinstance(location, dict)
    assert location["id"] == DEMO_LOCATION_ID
    assert 0 < location["distance_km"] < 1
    first, second = location["evses"]
    assert first == {
        "location_id": DEMO_LOCATION_ID,
        "evse_uid": DEMO_EVSE_UID,
        "evse_id": "IN*TCZ*2",
        "status": "charging",
        "max_power_kw": pytest.approx(7.36),
        # The power_type field's casing (the API says AC_1_PHASE).
        "power_types": ["ac_1_phase"],
        "remote_start": True,
        "price_per_kwh": 18.0,
        "currency": "INR",
    }
    # Capabilities not given: remote start unknown; 0 V and 0 A: power unknown.
    assert (second["evse_uid"], second["remote_start"], second["max_power_kw"]) == (
        SECOND_EVSE_UID,
        None,
        None,
    )
    assert search_queries(simulator) == ["latitude=28.460000&longitude=77.030000&distance=5"]


async def test_only_available_and_power_type(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """Only free chargers are kept; the filters go to the API too."""
    response = await call(
        hass,
        FIND,
        {
            ATTR_CONFIG_ENTRY_ID: init_integration.entry_id,
            **NEAR,
            "distance": 2,
            "power_type": "ac_1_phase",
            "only_available": True,
        },
    )
    assert response is not None
    [location] = response["locations"]
    assert isinstance(location, dict)
    assert [evse["evse_uid"] for evse in location["evses"]] == [SECOND_EVSE_UID]
    assert search_queries(simulator) == [
        "latitude=28.460000&longitude=77.030000&distance=2&power_type=AC_1_PHASE&status=AVAILABLE"
    ]


async def test_home_is_the_default_and_far_away_is_empty(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """Without coordinates: Home Assistant's home (the test's is in California).

    Nothing found says where and how far it looked, with the filters it applied.
    """
    response = await call(hass, FIND, {ATTR_CONFIG_ENTRY_ID: init_integration.entry_id})
    assert response == {
        "locations": [],
        "searched": {
            "latitude": hass.config.latitude,
            "longitude": hass.config.longitude,
            "distance_km": 5.0,
            "power_type": None,
            "only_available": False,
        },
    }
    [query] = search_queries(simulator)
    assert query.startswith(f"latitude={hass.config.latitude:.6f}")


async def test_searched_names_the_filters_as_given(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """The search is answered as it was asked, the power type in the field's casing."""
    response = await call(
        hass,
        FIND,
        {
            ATTR_CONFIG_ENTRY_ID: init_integration.entry_id,
            **NEAR,
            "distance": "2.5",
            "power_type": "DC",
            "only_available": True,
        },
    )
    assert response is not None
    assert response["searched"] == {
        **NEAR,
        "distance_km": 2.5,
        "power_type": "dc",
        "only_available": True,
    }


async def test_a_power_type_found_is_a_filter_that_finds_it(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """The answer's power_types are values the power_type field takes, which filter by them."""
    entry_id = init_integration.entry_id
    response = await call(hass, FIND, {ATTR_CONFIG_ENTRY_ID: entry_id, **NEAR})
    assert response is not None
    [location] = response["locations"]
    assert isinstance(location, dict)
    found = {power_type for evse in location["evses"] for power_type in evse["power_types"]}
    assert found
    assert found <= set(POWER_TYPES)
    # Each finds the location again, and a type none of its chargers has finds nothing.
    for power_type in POWER_TYPES:
        filtered = await call(
            hass, FIND, {ATTR_CONFIG_ENTRY_ID: entry_id, **NEAR, "power_type": power_type}
        )
        assert filtered is not None
        expected = [DEMO_LOCATION_ID] if power_type in found else []
        assert [found_location["id"] for found_location in filtered["locations"]] == expected


async def test_a_failed_search_is_a_translated_error(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    simulator.inject("http_500")
    with pytest.raises(HomeAssistantError) as raised:
        await call(hass, FIND, {ATTR_CONFIG_ENTRY_ID: init_integration.entry_id, **NEAR})
    assert raised.value.translation_key == "server_error"


def test_nearest_first_and_without_coordinates_last() -> None:
    evse = {"uid": "u", "status": "AVAILABLE"}
    locations = [
        parse_location(
            {"id": "far", "coordinates": {"latitude": 1, "longitude": 1}, "evses": [evse]}
        ),
        parse_location({"id": "nowhere", "evses": [evse]}),
        parse_location(
            {"id": "near", "coordinates": {"latitude": 0, "longitude": 0.1}, "evses": [evse]}
        ),
        parse_location({"id": "empty", "evses": []}),
    ]
    answer = chargers_answer(locations, 0.0, 0.0, only_available=False, tariff=None)
    assert [location["id"] for location in answer] == ["near", "far", "nowhere"]
    assert answer[0]["evses"][0]["price_per_kwh"] is None
