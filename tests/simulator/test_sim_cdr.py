"""The CDR of a session: 404 until some seconds after its end, then the sample's quirks."""

import pytest

from evnnovator_simulator import DEMO_AUTH_ID, DEMO_AUTH_ID_NEW, DEMO_EVSE_UID
from evnnovator_simulator.site import SECOND_EVSE_UID, SECOND_TARIFF_ID, TARIFF_ID

from .conftest import AUTH, SimEnv, latest_data


async def cdr(sim_env: SimEnv, number: str) -> tuple[int, object]:
    reply = await sim_env.request("GET", f"{sim_env.base_url}/cdrs/session/{number}", headers=AUTH)
    return reply.status, reply.json()["data"]


async def test_the_cdr_comes_some_seconds_after_the_end(sim_env: SimEnv) -> None:
    """Running: 404. Completed: 404 for cdr_delay seconds, then the bill with tax and Wh."""
    session = (await sim_env.latest()).json()["data"]
    number = session["session_id"]
    assert await cdr(sim_env, number) == (404, None)
    await sim_env.command("STOP_SESSION", {"session_id": session["id"]})
    sim_env.clock.advance(5)
    ended = (await sim_env.latest()).json()["data"]
    assert ended["status"] == "COMPLETED"
    assert (await cdr(sim_env, number))[0] == 404
    sim_env.clock.advance(sim_env.sim.settings.cdr_delay)
    status, data = await cdr(sim_env, number)
    assert status == 200
    assert isinstance(data, dict)
    assert data["cdr_id"] == number
    assert data["auth_id"] == DEMO_AUTH_ID
    assert data["total_cost"] == ended["total_cost"]
    assert data["total_cost_incl_vat"] == pytest.approx(ended["total_cost"] * 1.18)
    assert data["total_energy"] == pytest.approx(ended["kwh"] * 1000)
    assert data["total_time"] == pytest.approx(20 + 5 / 60)
    assert data["tariffs"][0]["elements"][0]["price_components"][0]["price"] == "18.00"
    assert data["location"]["id"] == ended["location_id"]
    assert data["location"]["coordinates"] == {}


async def test_an_unknown_session_has_no_cdr(sim_env: SimEnv) -> None:
    assert await cdr(sim_env, "1") == (404, None)


async def test_faults_reach_the_cdr_path(sim_env: SimEnv) -> None:
    """`only: cdrs` aims a fault at the CDR calls alone."""
    sim_env.sim.inject("http_500", only="cdrs")
    assert (await sim_env.latest()).status == 200
    assert (await cdr(sim_env, "20796751"))[0] == 500


@pytest.mark.parametrize(
    ("evse_uid", "tariff_id", "price"),
    [(DEMO_EVSE_UID, TARIFF_ID, 18.0), (SECOND_EVSE_UID, SECOND_TARIFF_ID, 24.0)],
)
async def test_a_session_costs_the_price_of_its_evse(
    sim_env: SimEnv, evse_uid: str, tariff_id: str, price: float
) -> None:
    """The running total_cost and the CDR use the tariff of the EVSE the session runs at."""
    sim_env.sim.start_session(DEMO_AUTH_ID_NEW, evse_uid=evse_uid.lower(), status="ACTIVE")
    sim_env.clock.advance(600)
    running = await latest_data(sim_env)
    assert running["evseId"] == evse_uid.lower()
    assert running["kwh"] == 1.233  # 10 minutes at 7.4 kW
    assert running["total_cost"] == round(1.233 * price, 2)
    await sim_env.command("STOP_SESSION", {"session_id": running["id"]})
    sim_env.clock.advance(5)
    ended = await latest_data(sim_env)
    assert ended["status"] == "COMPLETED"
    assert ended["total_cost"] == round(ended["kwh"] * price, 2)
    sim_env.clock.advance(sim_env.sim.settings.cdr_delay)
    status, data = await cdr(sim_env, ended["session_id"])
    assert status == 200
    assert isinstance(data, dict)
    assert data["total_cost"] == ended["total_cost"]
    assert data["total_cost_incl_vat"] == pytest.approx(ended["total_cost"] * 1.18)
    [tariff] = data["tariffs"]
    assert (tariff["id"], tariff["tariff_id"]) == (tariff_id, tariff_id)
    assert tariff["elements"][0]["price_components"][0]["price"] == f"{price:.2f}"
