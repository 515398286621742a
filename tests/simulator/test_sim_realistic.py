"""The realistic operator: meter samples, rounding, jittered stops, late completion, autostop."""

from datetime import datetime, timedelta
import math

import pytest

from evnnovator_simulator import (
    DEMO_AUTH_ID,
    DEMO_AUTH_ID_NEW,
    ManualClock,
    Simulator,
    SimulatorSettings,
)
from evnnovator_simulator.render import utc_timestamp

from .conftest import SimEnv, latest_data

# 6 kW: 0.1 kWh a minute, so the expected energies are easy to read.
REALISTIC_6KW = SimulatorSettings.realistic(power_kw=6.0)


@pytest.fixture
def settings() -> SimulatorSettings:
    return REALISTIC_6KW


def now_stamp(sim_env: SimEnv) -> str:
    """The API's timestamp of the clock's current time."""
    return utc_timestamp(sim_env.clock())


def kwh_at_6kw(since: datetime, until: datetime) -> float:
    return 6.0 * (until - since).total_seconds() / 3600


async def stop(sim_env: SimEnv, session_id: str) -> None:
    reply = await sim_env.command("STOP_SESSION", {"session_id": session_id})
    assert reply.json() == {"result": "ACCEPTED"}


async def test_kwh_changes_only_at_a_sample_and_repeats_between(sim_env: SimEnv) -> None:
    start = now_stamp(sim_env)
    sim_env.sim.start_session(DEMO_AUTH_ID_NEW, status="ACTIVE")
    sim_env.clock.advance(59.999)
    data = await latest_data(sim_env)
    assert (data["status"], data["kwh"], data["total_cost"]) == ("ACTIVE", 0.0, 0.0)
    assert data["last_modified_date"] == data["end_datetime"] == start

    sim_env.clock.advance(0.001)
    data = await latest_data(sim_env)
    assert (data["kwh"], data["total_cost"]) == (0.1, 1.8)
    assert data["last_modified_date"] == data["end_datetime"] == now_stamp(sim_env)

    sim_env.clock.advance(59)
    assert await latest_data(sim_env) == data

    sim_env.clock.advance(1)
    data = await latest_data(sim_env)
    assert (data["kwh"], data["last_modified_date"]) == (0.2, now_stamp(sim_env))


@pytest.mark.parametrize("settings", [SimulatorSettings.realistic(power_kw=7.4, meter_phase=20.0)])
async def test_samples_follow_the_phase_and_round_to_the_hundredth(sim_env: SimEnv) -> None:
    start = now_stamp(sim_env)
    session_id = sim_env.sim.start_session(DEMO_AUTH_ID_NEW, status="ACTIVE")
    sim_env.clock.advance(19)
    data = await latest_data(sim_env)
    assert (data["kwh"], data["last_modified_date"]) == (0.0, start)
    sim_env.clock.advance(1)
    data = await latest_data(sim_env)
    # 7.4 kW for 20 s: 0.0411 kWh, shown as 0.04, costing 0.04 x 18.
    assert (data["kwh"], data["total_cost"]) == (0.04, 0.72)
    assert data["last_modified_date"] == now_stamp(sim_env)
    assert sim_env.sim.delivered_kwh(session_id) == pytest.approx(7.4 * 20 / 3600)
    sim_env.clock.advance(60)
    # 80 s: 0.16444 kWh.
    assert (await latest_data(sim_env))["kwh"] == 0.16


async def test_stop_completes_at_the_next_sample_with_the_true_energy(sim_env: SimEnv) -> None:
    sim = sim_env.sim
    session_id = sim.start_session(DEMO_AUTH_ID_NEW, status="ACTIVE")
    since = sim_env.clock()
    assert sim.real_stop_at(session_id) is None
    sim_env.clock.advance(100)
    await stop(sim_env, session_id)
    real_stop = sim.real_stop_at(session_id)
    assert real_stop is not None
    latency = (real_stop - sim_env.clock()).total_seconds()
    assert 5 <= latency <= 45
    completion = since + timedelta(minutes=2 if 100 + latency <= 120 else 3)

    sim_env.clock.set(completion - timedelta(microseconds=1))
    data = await latest_data(sim_env)
    assert data["status"] == "ACTIVE"
    # Still the sample before the real stop.
    last_sample = completion - timedelta(minutes=1)
    assert data["kwh"] == round(kwh_at_6kw(since, last_sample), 2)
    assert data["last_modified_date"] == utc_timestamp(last_sample)
    truth = kwh_at_6kw(since, real_stop)
    assert sim.delivered_kwh(session_id) == pytest.approx(truth)

    sim_env.clock.set(completion)
    data = await latest_data(sim_env)
    assert data["status"] == "COMPLETED"
    assert data["kwh"] == round(truth, 2)
    assert data["end_datetime"] == utc_timestamp(real_stop)
    assert data["last_modified_date"] == utc_timestamp(completion)
    sim_env.clock.advance(3600)
    assert await latest_data(sim_env) == data
    assert sim.delivered_kwh(session_id) == pytest.approx(truth)
    assert sim.real_stop_at(session_id) == real_stop


@pytest.mark.parametrize(
    "settings", [SimulatorSettings.realistic(power_kw=6.0, completion="at_stop")]
)
async def test_completion_at_once_variant(sim_env: SimEnv) -> None:
    sim = sim_env.sim
    session_id = sim.start_session(DEMO_AUTH_ID_NEW, status="ACTIVE")
    since = sim_env.clock()
    sim_env.clock.advance(100)
    await stop(sim_env, session_id)
    real_stop = sim.real_stop_at(session_id)
    assert real_stop is not None
    sim_env.clock.set(real_stop - timedelta(microseconds=1))
    assert (await latest_data(sim_env))["status"] == "ACTIVE"
    sim_env.clock.set(real_stop)
    data = await latest_data(sim_env)
    assert data["status"] == "COMPLETED"
    assert data["kwh"] == round(kwh_at_6kw(since, real_stop), 2)
    assert data["end_datetime"] == data["last_modified_date"] == utc_timestamp(real_stop)


def test_latency_is_reproducible_and_differs_by_seed() -> None:
    def first_latency(settings: SimulatorSettings) -> float:
        sim = Simulator(settings, clock=ManualClock())
        # 1 kWh at 6 kW: reached at 600 s, a sample; the operator stops its latency later.
        session_id = sim.start_session(DEMO_AUTH_ID_NEW, autostop_kwh=1.0, status="ACTIVE")
        real_stop = sim.real_stop_at(session_id)
        assert real_stop is not None
        return (real_stop - sim.clock()).total_seconds() - 600

    same = {first_latency(REALISTIC_6KW) for _ in range(3)}
    assert len(same) == 1
    seeds = {first_latency(SimulatorSettings.realistic(power_kw=6.0, seed=n)) for n in range(20)}
    assert len(seeds) > 10
    assert all(5 <= latency <= 45 for latency in seeds | same)


async def test_latencies_of_successive_sessions_differ(sim_env: SimEnv) -> None:
    latencies = set()
    for _ in range(10):
        session_id = sim_env.sim.start_session(DEMO_AUTH_ID_NEW, status="ACTIVE")
        await stop(sim_env, session_id)
        real_stop = sim_env.sim.real_stop_at(session_id)
        assert real_stop is not None
        latencies.add((real_stop - sim_env.clock()).total_seconds())
        sim_env.clock.advance(3600)
        assert (await latest_data(sim_env))["status"] == "COMPLETED"
    assert len(latencies) == 10
    assert all(5 <= latency <= 45 for latency in latencies)


@pytest.mark.parametrize("settings", [SimulatorSettings.realistic(power_kw=7.4)])
async def test_autostop_at_sample_stops_after_the_sample_that_reached_it(sim_env: SimEnv) -> None:
    sim = sim_env.sim
    since = sim_env.clock()
    session_id = sim.start_session(DEMO_AUTH_ID_NEW, autostop_kwh=1.0, status="ACTIVE")
    # 1 kWh at 7.4 kW takes 486.5 s; the meter shows it at 540 s, then the operator reacts.
    real_stop = sim.real_stop_at(session_id)
    assert real_stop is not None
    latency = (real_stop - since).total_seconds() - 540
    assert 5 <= latency <= 45
    sim_env.clock.advance(539)
    data = await latest_data(sim_env)
    assert (data["status"], data["kwh"]) == ("ACTIVE", round(7.4 * 480 / 3600, 2))
    sim_env.clock.advance(1)
    data = await latest_data(sim_env)
    assert (data["status"], data["kwh"]) == ("ACTIVE", round(7.4 * 540 / 3600, 2))
    sim_env.clock.set(since + timedelta(seconds=600))
    data = await latest_data(sim_env)
    truth = 7.4 * (real_stop - since).total_seconds() / 3600
    assert (data["status"], data["kwh"]) == ("COMPLETED", round(truth, 2))
    assert data["kwh"] > 1.0
    assert sim.delivered_kwh(session_id) == pytest.approx(truth)


@pytest.mark.parametrize("settings", [SimulatorSettings.realistic(power_kw=7.4, autostop="exact")])
async def test_autostop_exact_stops_at_the_energy_and_completes_at_the_next_sample(
    sim_env: SimEnv,
) -> None:
    sim = sim_env.sim
    since = sim_env.clock()
    session_id = sim.start_session(DEMO_AUTH_ID_NEW, autostop_kwh=1.0, status="ACTIVE")
    assert sim.real_stop_at(session_id) == since + timedelta(hours=1 / 7.4)
    sim_env.clock.advance(539)
    assert (await latest_data(sim_env))["status"] == "ACTIVE"
    assert sim.delivered_kwh(session_id) == 1.0
    sim_env.clock.advance(1)
    data = await latest_data(sim_env)
    assert (data["status"], data["kwh"]) == ("COMPLETED", 1.0)
    assert data["end_datetime"] == utc_timestamp(since + timedelta(hours=1 / 7.4))
    assert data["last_modified_date"] == now_stamp(sim_env)


@pytest.mark.parametrize(
    "settings", [SimulatorSettings.realistic(power_kw=6.0, taper_from_kwh=0.5, taper_kwh=1.0)]
)
async def test_taper_slows_the_samples_and_an_unreachable_autostop_never_fires(
    sim_env: SimEnv,
) -> None:
    session_id = sim_env.sim.start_session(DEMO_AUTH_ID_NEW, autostop_kwh=2.0, status="ACTIVE")
    sim_env.clock.advance(300)
    assert (await latest_data(sim_env))["kwh"] == 0.5
    sim_env.clock.advance(300)
    # Past 0.5 kWh the power decays with tau = 1 kWh / 6 kW = 10 min: 0.5 + 1 - e^-0.5.
    assert (await latest_data(sim_env))["kwh"] == 0.89
    sim_env.clock.advance(3000)
    data = await latest_data(sim_env)
    assert (data["status"], data["kwh"]) == ("ACTIVE", 1.5)
    assert sim_env.sim.delivered_kwh(session_id) == pytest.approx(1.5 - math.exp(-5.5))
    sim_env.clock.advance(86400)
    assert (await latest_data(sim_env))["status"] == "ACTIVE"
    assert sim_env.sim.real_stop_at(session_id) is None


async def test_a_stop_while_pending_completes_at_the_first_sample(sim_env: SimEnv) -> None:
    sim = sim_env.sim
    session_id = sim.start_session(DEMO_AUTH_ID_NEW)
    since = sim_env.clock() + timedelta(seconds=5)
    await stop(sim_env, session_id)
    real_stop = sim.real_stop_at(session_id)
    assert real_stop is not None
    sim_env.clock.set(since + timedelta(seconds=59))
    data = await latest_data(sim_env)
    assert (data["status"], data["kwh"]) == ("ACTIVE", 0.0)
    sim_env.clock.set(since + timedelta(seconds=60))
    data = await latest_data(sim_env)
    assert (data["status"], data["kwh"]) == ("COMPLETED", round(kwh_at_6kw(since, real_stop), 2))


async def test_a_superseded_session_completes_at_once(sim_env: SimEnv) -> None:
    sim = sim_env.sim
    old = sim.start_session(DEMO_AUTH_ID_NEW, status="ACTIVE")
    sim_env.clock.advance(90)
    await stop(sim_env, old)
    sim_env.clock.advance(1)
    new = sim.start_session(DEMO_AUTH_ID_NEW)
    assert sim.real_stop_at(old) == sim_env.clock()
    assert sim.delivered_kwh(old) == pytest.approx(6.0 * 91 / 3600)
    assert (await sim_env.command("STOP_SESSION", {"session_id": old})).json() == {
        "result": "REJECTED"
    }
    assert (await latest_data(sim_env))["id"] == new


def test_truth_of_unknown_and_frozen_sessions() -> None:
    sim = Simulator(REALISTIC_6KW)
    with pytest.raises(LookupError):
        sim.delivered_kwh("nope")
    with pytest.raises(LookupError):
        sim.real_stop_at("nope")
    frozen = sim.start_session(DEMO_AUTH_ID_NEW, status="INVALID", autostop_kwh=0.1)
    assert sim.delivered_kwh(frozen) == 0.0
    assert sim.real_stop_at(frozen) is None


async def test_the_demo_session_is_sampled_too(sim_env: SimEnv) -> None:
    data = await latest_data(sim_env, DEMO_AUTH_ID)
    # Charging for 20 minutes at 6 kW: exactly on a sample.
    assert (data["status"], data["kwh"], data["last_modified_date"]) == (
        "ACTIVE",
        2.0,
        now_stamp(sim_env),
    )
    sim_env.clock.advance(30)
    assert (await latest_data(sim_env, DEMO_AUTH_ID))["kwh"] == 2.0
