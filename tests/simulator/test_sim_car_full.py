"""A car that stops drawing by itself: the session stays ACTIVE, its meter goes on, flat."""

import pytest

from evnnovator_simulator import DEMO_AUTH_ID_NEW, OperatorProfile, SimulatorSettings

from .conftest import SimEnv, latest_data

# 6 kW, a meter value a minute: 0.1 kWh a minute, full at 1 kWh (after 10 minutes).
FULL_AT_1_KWH = SimulatorSettings.realistic(power_kw=6.0, car_full_kwh=1.0)


@pytest.fixture
def settings() -> SimulatorSettings:
    return FULL_AT_1_KWH


async def test_the_meter_stops_growing_and_the_session_stays_active(sim_env: SimEnv) -> None:
    session_id = sim_env.sim.start_session(DEMO_AUTH_ID_NEW, status="ACTIVE")
    sim_env.clock.advance(9 * 60)
    data = await latest_data(sim_env)
    assert (data["status"], data["kwh"]) == ("ACTIVE", 0.9)

    sim_env.clock.advance(60)
    full = await latest_data(sim_env)
    assert (full["status"], full["kwh"]) == ("ACTIVE", 1.0)
    # An hour later: still ACTIVE, the same energy, and a new meter value every minute.
    sim_env.clock.advance(3600)
    later = await latest_data(sim_env)
    assert (later["status"], later["kwh"], later["total_cost"]) == ("ACTIVE", 1.0, 18.0)
    assert later["last_modified_date"] > full["last_modified_date"]
    assert sim_env.sim.delivered_kwh(session_id) == pytest.approx(1.0)
    # It ends as any session does, by STOP.
    assert sim_env.sim.stop_session(session_id)
    sim_env.clock.advance(120)
    ended = await latest_data(sim_env)
    assert (ended["status"], ended["kwh"]) == ("COMPLETED", 1.0)


async def test_a_paused_car_draws_again(sim_env: SimEnv) -> None:
    sim_env.sim.set_operator(
        OperatorProfile.realistic(power_kw=6.0, car_full_kwh=1.0, car_resumes_after=1200.0)
    )
    sim_env.sim.start_session(DEMO_AUTH_ID_NEW, status="ACTIVE")
    sim_env.clock.advance(29 * 60)
    assert (await latest_data(sim_env))["kwh"] == 1.0
    sim_env.clock.advance(5 * 60)
    assert (await latest_data(sim_env))["kwh"] == 1.4


async def test_an_autostop_above_a_full_car_never_ends_the_session(sim_env: SimEnv) -> None:
    session_id = sim_env.sim.start_session(DEMO_AUTH_ID_NEW, status="ACTIVE", autostop_kwh=2.0)
    sim_env.clock.advance(7200)
    assert (await latest_data(sim_env))["status"] == "ACTIVE"
    assert sim_env.sim.real_stop_at(session_id) is None


async def test_control_sets_the_car(sim_env: SimEnv) -> None:
    reply = await sim_env.control("POST", "operator", {"car_full_kwh": 5, "car_resumes_after": 60})
    assert reply.status == 200
    assert (sim_env.sim.operator().car_full_kwh, sim_env.sim.operator().car_resumes_after) == (
        5,
        60,
    )
    reply = await sim_env.control("POST", "operator", {"car_full_kwh": -5})
    assert reply.status == 400
