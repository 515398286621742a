"""Sessions evolve lazily with the clock: pending, active, autostop, stop delay."""

import pytest

from evnnovator_simulator import (
    DEMO_AUTH_ID,
    DEMO_AUTH_ID_NEW,
    DEMO_EVSE_UID,
    Simulator,
    SimulatorSettings,
)
from evnnovator_simulator.site import SECOND_EVSE_UID

from .conftest import SimEnv, latest_data

# 6 kW: 0.1 kWh a minute, so the expected energies are easy to read.
SIX_KW = SimulatorSettings(power_kw=6.0)


@pytest.fixture
def settings() -> SimulatorSettings:
    return SIX_KW


async def test_pending_then_active_then_autostop(sim_env: SimEnv) -> None:
    session_id = sim_env.sim.start_session(DEMO_AUTH_ID_NEW, autostop_kwh=1.0)
    data = await latest_data(sim_env)
    assert data["id"] == session_id
    assert data["status"] == "PENDING"
    assert data["kwh"] == 0.0
    assert data["total_cost"] == 0.0
    assert data["end_datetime"] is None
    assert data["charging_periods"] == []
    assert data["start_datetime"] == data["created_date"] == "2026-11-23T08:00:00.000+00:00"

    sim_env.clock.advance(4.999)
    assert (await latest_data(sim_env))["status"] == "PENDING"

    sim_env.clock.advance(0.001)
    data = await latest_data(sim_env)
    assert data["status"] == "ACTIVE"
    assert data["kwh"] == 0.0
    assert data["start_datetime"] == "2026-11-23T08:00:05.000+00:00"
    assert data["end_datetime"] == "2026-11-23T08:00:05.000+00:00"
    assert data["charging_periods"] == [{"start_date_time": "2026-11-23T13:30:05.000"}]

    sim_env.clock.advance(300)
    data = await latest_data(sim_env)
    assert (data["status"], data["kwh"], data["total_cost"]) == ("ACTIVE", 0.5, 9.0)
    assert data["end_datetime"] == "2026-11-23T08:05:05.000+00:00"

    sim_env.clock.advance(299)
    data = await latest_data(sim_env)
    assert (data["status"], data["kwh"]) == ("ACTIVE", 0.998)

    sim_env.clock.advance(1)
    data = await latest_data(sim_env)
    assert (data["status"], data["kwh"], data["total_cost"]) == ("COMPLETED", 1.0, 18.0)
    assert data["end_datetime"] == "2026-11-23T08:10:05.000+00:00"

    sim_env.clock.advance(3600)
    later = await latest_data(sim_env)
    assert later["kwh"] == 1.0
    assert later["end_datetime"] == data["end_datetime"]
    assert later["last_modified_date"] == data["end_datetime"]


async def test_autostop_is_exact_even_at_an_awkward_power(sim_env: SimEnv) -> None:
    sim_env.sim.start_session(DEMO_AUTH_ID_NEW, autostop_kwh=1.2345, status="ACTIVE")
    sim_env.clock.advance(1.2345 / 6.0 * 3600)
    data = await latest_data(sim_env)
    assert data["status"] == "COMPLETED"
    assert data["kwh"] == round(1.2345, 3)


async def test_stop_takes_effect_after_the_stop_delay(sim_env: SimEnv) -> None:
    session_id = sim_env.sim.start_session(DEMO_AUTH_ID_NEW, status="ACTIVE")
    sim_env.clock.advance(60)
    assert (await sim_env.command("STOP_SESSION", {"session_id": session_id})).json() == {
        "result": "ACCEPTED"
    }
    data = await latest_data(sim_env)
    assert (data["status"], data["kwh"]) == ("ACTIVE", 0.1)

    sim_env.clock.advance(2)
    # A second STOP is accepted and does not postpone the first.
    reply = await sim_env.command("STOP_SESSION", {"session_id": session_id})
    assert reply.json() == {"result": "ACCEPTED"}
    data = await latest_data(sim_env)
    assert data["status"] == "ACTIVE"
    assert data["kwh"] == round(6.0 * 62 / 3600, 3)

    sim_env.clock.advance(3)
    data = await latest_data(sim_env)
    assert data["status"] == "COMPLETED"
    assert data["kwh"] == round(6.0 * 65 / 3600, 3)
    assert data["end_datetime"] == "2026-11-23T08:01:05.000+00:00"

    sim_env.clock.advance(60)
    assert (await latest_data(sim_env))["kwh"] == data["kwh"]
    reply = await sim_env.command("STOP_SESSION", {"session_id": session_id})
    assert reply.json() == {"result": "REJECTED"}


async def test_stop_while_pending_can_end_before_charging(sim_env: SimEnv) -> None:
    session_id = sim_env.sim.start_session(DEMO_AUTH_ID_NEW)
    sim_env.clock.advance(1)
    await sim_env.command("STOP_SESSION", {"session_id": session_id})
    data = await latest_data(sim_env)
    assert data["status"] == "PENDING"
    assert data["last_modified_date"] == "2026-11-23T08:00:01.000+00:00"
    sim_env.clock.advance(4.5)
    data = await latest_data(sim_env)
    assert data["status"] == "ACTIVE"
    sim_env.clock.advance(0.5)
    data = await latest_data(sim_env)
    assert (data["status"], data["kwh"]) == ("COMPLETED", round(6.0 / 3600, 3))
    assert data["charging_periods"] == [{"start_date_time": "2026-11-23T13:30:05.000"}]


@pytest.mark.parametrize("settings", [SimulatorSettings(power_kw=6.0, stop_delay=2.0)])
async def test_stop_effective_before_charging_delivers_nothing(sim_env: SimEnv) -> None:
    session_id = sim_env.sim.start_session(DEMO_AUTH_ID_NEW)
    await sim_env.command("STOP_SESSION", {"session_id": session_id})
    sim_env.clock.advance(2)
    data = await latest_data(sim_env)
    assert (data["status"], data["kwh"], data["charging_periods"]) == ("COMPLETED", 0.0, [])
    assert data["start_datetime"] == data["created_date"]
    assert data["end_datetime"] == "2026-11-23T08:00:02.000+00:00"


async def test_outside_start_supersedes_a_running_session(sim_env: SimEnv) -> None:
    old = (await latest_data(sim_env, DEMO_AUTH_ID))["id"]
    new = sim_env.sim.start_session(DEMO_AUTH_ID, evse_uid=SECOND_EVSE_UID.lower())
    assert new != old
    data = await latest_data(sim_env, DEMO_AUTH_ID)
    assert (data["id"], data["status"]) == (new, "PENDING")
    assert data["evseId"] == SECOND_EVSE_UID.lower()
    assert int(data["session_id"]) > 0
    # The superseded session is over and can no longer be stopped.
    assert (await sim_env.command("STOP_SESSION", {"session_id": old})).json() == {
        "result": "REJECTED"
    }


@pytest.mark.parametrize("status", ["INVALID", "RESERVATION", "SOMETHING_NEW", "COMPLETED"])
async def test_other_statuses_stay_frozen(sim_env: SimEnv, status: str) -> None:
    session_id = sim_env.sim.start_session(DEMO_AUTH_ID_NEW, status=status, autostop_kwh=0.1)
    sim_env.clock.advance(3600)
    data = await latest_data(sim_env)
    assert (data["status"], data["kwh"], data["end_datetime"]) == (status, 0.0, None)
    assert data["charging_periods"] == []
    assert data["last_modified_date"] == data["created_date"]
    reply = await sim_env.command("STOP_SESSION", {"session_id": session_id})
    assert reply.json() == {"result": "REJECTED"}


@pytest.mark.parametrize(
    "settings", [SimulatorSettings(power_kw=0.0, kwh_decimals=1, tariff_per_kwh=0.0)]
)
async def test_zero_power_never_reaches_autostop(sim_env: SimEnv) -> None:
    sim_env.sim.start_session(DEMO_AUTH_ID_NEW, autostop_kwh=1.0, status="ACTIVE")
    sim_env.clock.advance(86400)
    data = await latest_data(sim_env)
    assert (data["status"], data["kwh"], data["total_cost"]) == ("ACTIVE", 0.0, 0.0)


@pytest.mark.parametrize("settings", [SimulatorSettings(kwh_decimals=1, tariff_per_kwh=10.0)])
async def test_kwh_rounding_and_cost_follow_settings(sim_env: SimEnv) -> None:
    data = await latest_data(sim_env, DEMO_AUTH_ID)
    assert (data["kwh"], data["total_cost"]) == (2.5, 25.0)


def test_start_session_validation() -> None:
    sim = Simulator(SIX_KW)
    with pytest.raises(LookupError):
        sim.start_session("nobody")
    with pytest.raises(ValueError, match="EVSE"):
        sim.start_session(DEMO_AUTH_ID_NEW, evse_uid="nope")
    with pytest.raises(ValueError, match="autostop"):
        sim.start_session(DEMO_AUTH_ID_NEW, autostop_kwh=0)
    with pytest.raises(ValueError, match="status"):
        sim.start_session(DEMO_AUTH_ID_NEW, status="")
    assert sim.start_session(DEMO_AUTH_ID_NEW, evse_uid=DEMO_EVSE_UID.lower())


def test_add_driver_refuses_duplicates() -> None:
    sim = Simulator()
    with pytest.raises(ValueError, match="exists"):
        sim.add_driver(DEMO_AUTH_ID, token_uid="fresh")
    with pytest.raises(ValueError, match="token_uid"):
        sim.add_driver("fresh", token_uid="aGyJYcVTJDYXykvp")
    sim.add_driver("fresh", token_uid="fresh", whitelisted=False)
    sim.start_session("fresh")
    assert sim.latest_session("fresh") is None
