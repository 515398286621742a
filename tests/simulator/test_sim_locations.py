"""The locations calls: EVSE statuses that follow the sessions, the published quirks."""

import pytest

from evnnovator_simulator import DEMO_AUTH_ID, DEMO_EVSE_UID, DEMO_LOCATION_ID, SimulatorSettings
from evnnovator_simulator.site import SECOND_EVSE_UID, SECOND_TARIFF_ID, TARIFF_ID

from .conftest import AUTH, SimEnv


async def get(sim_env: SimEnv, path: str) -> tuple[int, object]:
    reply = await sim_env.request("GET", f"{sim_env.base_url}{path}", headers=AUTH)
    return reply.status, reply.json()["data"]


async def test_the_location_and_its_evses(sim_env: SimEnv) -> None:
    """Shared evse_id texts, coordinates as strings at the EVSE, capabilities on one only."""
    status, location = await get(sim_env, f"/locations/{DEMO_LOCATION_ID}")
    assert status == 200
    assert isinstance(location, dict)
    first, second = location["evses"]
    assert first["evse_id"] == second["evse_id"] == "IN*TCZ*2"
    assert isinstance(location["coordinates"]["latitude"], float)
    assert isinstance(first["coordinates"]["latitude"], str)
    assert "REMOTE_START_STOP_CAPABLE" in first["capabilities"]
    assert "capabilities" not in second
    assert second["connectors"][0]["voltage"] == 0
    # The demo driver charges on the first one.
    assert (first["status"], second["status"]) == ("CHARGING", "AVAILABLE")


async def test_one_evse_by_its_hex_id(sim_env: SimEnv) -> None:
    status, evse = await get(
        sim_env, f"/locations/{DEMO_LOCATION_ID}/evse/3d2542dc29da4512d061391db6a18377"
    )
    assert status == 200
    assert isinstance(evse, dict)
    assert evse["uid"] == DEMO_EVSE_UID
    sim_env.sim.set_evse_status(DEMO_EVSE_UID, "OUTOFORDER")
    _, evse = await get(
        sim_env, f"/locations/{DEMO_LOCATION_ID}/evse/3d2542dc29da4512d061391db6a18377"
    )
    assert isinstance(evse, dict)
    assert evse["status"] == "OUTOFORDER"
    # Not by its uid, and not at another location.
    assert (await get(sim_env, f"/locations/{DEMO_LOCATION_ID}/evse/{DEMO_EVSE_UID}"))[0] == 404
    assert (await get(sim_env, "/locations/0000/evse/3d2542dc29da4512d061391db6a18377"))[0] == 404
    assert (await get(sim_env, "/locations/0000"))[0] == 404


async def test_the_whitelist_uid(sim_env: SimEnv) -> None:
    """The driver's token uid at the location; 404 elsewhere or for an unknown driver."""
    status, data = await get(
        sim_env, f"/whitelist/driver/{DEMO_AUTH_ID}/location/{DEMO_LOCATION_ID}"
    )
    assert status == 200
    assert data == {"uid": "aGyJYcVTJDYXykvp"}
    assert (await get(sim_env, f"/whitelist/driver/nobody/location/{DEMO_LOCATION_ID}"))[0] == 404
    assert (await get(sim_env, f"/whitelist/driver/{DEMO_AUTH_ID}/location/0000"))[0] == 404
    blocked = f"/whitelist/driver/demo-driver-blocked/location/{DEMO_LOCATION_ID}"
    assert (await get(sim_env, blocked))[0] == 403


async def test_the_search(sim_env: SimEnv) -> None:
    """Within the distance, with an EVSE of that power type and status; a page of locations."""
    near = "/locations/search?latitude=28.46&longitude=77.03"
    status, page = await get(sim_env, near)
    assert status == 200
    assert isinstance(page, dict)
    assert [location["id"] for location in page["content"]] == [DEMO_LOCATION_ID]
    assert (await get(sim_env, f"{near}&distance=0.01"))[1]["content"] == []  # type: ignore[index]
    assert (await get(sim_env, f"{near}&power_type=DC"))[1]["content"] == []  # type: ignore[index]
    found = await get(sim_env, f"{near}&status=OUTOFORDER")
    assert found[1]["content"] == []  # type: ignore[index]
    assert (await get(sim_env, "/locations/search?latitude=north"))[0] == 400


def connector_tariffs(location: object) -> dict[str, list[str]]:
    """The tariff ids of each EVSE's connectors, by EVSE uid."""
    assert isinstance(location, dict)
    return {
        evse["uid"]: [connector["tariff_id"] for connector in evse["connectors"]]
        for evse in location["evses"]
    }


async def test_each_evse_names_its_own_tariff(sim_env: SimEnv) -> None:
    """The location, one EVSE and the search all show each connector's own tariff id."""
    own = {DEMO_EVSE_UID: [TARIFF_ID], SECOND_EVSE_UID: [SECOND_TARIFF_ID]}
    assert (TARIFF_ID, SECOND_TARIFF_ID) == ("20032", "20033")
    _, location = await get(sim_env, f"/locations/{DEMO_LOCATION_ID}")
    assert connector_tariffs(location) == own
    _, page = await get(sim_env, "/locations/search?latitude=28.46&longitude=77.03")
    assert isinstance(page, dict)
    [found] = page["content"]
    assert connector_tariffs(found) == own
    _, evse = await get(
        sim_env, f"/locations/{DEMO_LOCATION_ID}/evse/9a41c7e07b2d4f0e8c5b16d3e2f4a871"
    )
    assert connector_tariffs({"evses": [evse]}) == {SECOND_EVSE_UID: [SECOND_TARIFF_ID]}


def energy_price(tariff: object) -> str:
    assert isinstance(tariff, dict)
    [element] = tariff["elements"]
    [component] = element["price_components"]
    assert (component["type"], component["step_size"]) == ("ENERGY", 1)
    price = component["price"]
    assert isinstance(price, str)
    return price


async def test_each_tariff_is_served_with_its_own_price(sim_env: SimEnv) -> None:
    """The demo EVSE's tariff at 18/kWh as before, the second EVSE's at 24; 404 for others."""
    status, first = await get(sim_env, f"/tariffs/location/{DEMO_LOCATION_ID}/{TARIFF_ID}")
    assert status == 200
    assert isinstance(first, dict)
    assert (first["tariff_id"], first["currency"], energy_price(first)) == (
        TARIFF_ID,
        "INR",
        "18.00",
    )
    status, second = await get(sim_env, f"/tariffs/location/{DEMO_LOCATION_ID}/{SECOND_TARIFF_ID}")
    assert status == 200
    assert isinstance(second, dict)
    assert second.keys() == first.keys()
    assert (second["tariff_id"], second["currency"], energy_price(second)) == (
        SECOND_TARIFF_ID,
        "INR",
        "24.00",
    )
    assert len(second["id"]) == 32
    assert second["id"] != first["id"]
    for path in [
        f"/tariffs/location/{DEMO_LOCATION_ID}/20034",
        f"/tariffs/location/0000/{SECOND_TARIFF_ID}",
    ]:
        assert (await get(sim_env, path))[0] == 404


@pytest.mark.parametrize(
    "settings", [SimulatorSettings(tariff_per_kwh=10.0, second_tariff_per_kwh=12.5)]
)
async def test_the_tariff_prices_follow_the_settings(sim_env: SimEnv) -> None:
    prices = [
        energy_price((await get(sim_env, f"/tariffs/location/{DEMO_LOCATION_ID}/{tariff}"))[1])
        for tariff in (TARIFF_ID, SECOND_TARIFF_ID)
    ]
    assert prices == ["10.00", "12.50"]


def test_a_gateway_takes_at_least_one_known_scheme() -> None:
    for schemes in [(), ("basic",)]:
        with pytest.raises(ValueError, match="auth_schemes"):
            SimulatorSettings(auth_schemes=schemes)


async def test_faults_reach_the_sites_calls(sim_env: SimEnv) -> None:
    """`only: sites` aims a fault at the location, EVSE and tariff calls alone."""
    sim_env.sim.inject("http_500", count=2, only="sites")
    assert (await sim_env.latest()).status == 200
    location = f"{sim_env.base_url}/locations/{DEMO_LOCATION_ID}"
    assert (await sim_env.request("GET", location, headers=AUTH)).status == 500
    tariff = f"{sim_env.base_url}/tariffs/location/{DEMO_LOCATION_ID}/{TARIFF_ID}"
    assert (await sim_env.request("GET", tariff, headers=AUTH)).status == 500
    assert (await sim_env.request("GET", tariff, headers=AUTH)).status == 200
