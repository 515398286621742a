"""The car's battery: its true state of charge, a full car, and the charger's SoC reports."""

from dataclasses import replace
from typing import Any

import pytest

from evnnovator_simulator import (
    DEMO_AUTH_ID_NEW,
    ManualClock,
    OperatorProfile,
    Simulator,
    SimulatorSettings,
)
from evnnovator_simulator.battery import whole_percent
from evnnovator_simulator.dialect import OCPI_2_2_1
from evnnovator_simulator.render import utc_timestamp

from .conftest import SimEnv

# 6 kW, a meter value a minute: 0.1 kWh a minute. A 60 kWh battery storing 90 % of it gains
# 1.5 % per metered kWh: 0.15 % a minute, from 20 %.
CAR = OperatorProfile.realistic(power_kw=6.0, battery_kwh=60.0, charging_efficiency=0.9)
# 10 kWh storing 80 %, from 40 %: full after 60 % x 10 / 0.8 = 7.5 kWh, 75 minutes at 6 kW.
SMALL_CAR = OperatorProfile.realistic(
    power_kw=6.0, battery_kwh=10.0, battery_start_percent=40.0, charging_efficiency=0.8
)


def simulator(profile: OperatorProfile, *, dialect: str = "2.1.1") -> tuple[Simulator, ManualClock]:
    clock = ManualClock()
    sim = Simulator(SimulatorSettings(dialect=dialect), clock=clock)
    sim.set_operator(profile, auth_id=DEMO_AUTH_ID_NEW)
    return sim, clock


def latest(sim: Simulator) -> dict[str, Any]:
    data = sim.latest_session(DEMO_AUTH_ID_NEW)
    assert data is not None
    return data


def test_the_state_of_charge_follows_the_energy_truly_delivered() -> None:
    sim, clock = simulator(CAR)
    session_id = sim.start_session(DEMO_AUTH_ID_NEW)
    start = clock()
    # PENDING for 5 s: nothing drawn yet.
    assert sim.battery_percent(session_id) == 20.0
    clock.advance(5 + 30 * 60 + 30)
    # 30.5 minutes of drawing: 3.05 kWh, 20 + 3.05 x 1.5 % (between two meter values: the truth).
    assert sim.battery_percent(session_id) == pytest.approx(24.575)
    assert sim.battery_percent(session_id, at=start) == 20.0
    assert sim.battery_percent(session_id, at=clock()) == sim.battery_percent(session_id)
    assert sim.stop_session(session_id)
    clock.advance(3600)
    # Once stopped it stays at what was delivered until the real stop.
    final = 20.0 + sim.delivered_kwh(session_id) * 1.5
    assert sim.battery_percent(session_id) == pytest.approx(final)
    assert 24.575 < final < 24.575 + 0.15


def test_a_full_battery_stops_the_car_drawing_and_the_session_stays_active() -> None:
    sim, clock = simulator(SMALL_CAR)
    session_id = sim.start_session(DEMO_AUTH_ID_NEW, status="ACTIVE", autostop_kwh=8.0)
    clock.advance(74 * 60)
    assert sim.battery_percent(session_id) == pytest.approx(40.0 + 7.4 / 7.5 * 60.0)
    assert latest(sim)["kwh"] == 7.4
    clock.advance(5 * 3600)
    assert (latest(sim)["status"], latest(sim)["kwh"]) == ("ACTIVE", 7.5)
    assert sim.delivered_kwh(session_id) == pytest.approx(7.5)
    assert sim.battery_percent(session_id) == 100.0
    # An autostop above what a full battery takes never ends the session.
    assert sim.real_stop_at(session_id) is None


def test_without_a_battery_model_there_is_no_state_of_charge() -> None:
    sim, clock = simulator(OperatorProfile.realistic(reports_soc=True))
    session_id = sim.start_session(DEMO_AUTH_ID_NEW, status="ACTIVE")
    clock.advance(600)
    assert sim.battery_percent(session_id) is None
    assert latest(sim)["charging_periods"] == [{"start_date_time": "2026-11-23T13:30:00.000"}]
    with pytest.raises(LookupError):
        sim.battery_percent("no-such-session")


def test_a_battery_alone_reports_nothing() -> None:
    sim, clock = simulator(CAR)
    sim.start_session(DEMO_AUTH_ID_NEW, status="ACTIVE")
    clock.advance(600)
    # The published sample's period: no dimensions at all.
    assert latest(sim)["charging_periods"] == [{"start_date_time": "2026-11-23T13:30:00.000"}]
    sim, clock = simulator(CAR, dialect=OCPI_2_2_1)
    sim.start_session(DEMO_AUTH_ID_NEW, status="ACTIVE")
    start = utc_timestamp(clock())
    clock.advance(600)
    assert latest(sim)["charging_periods"] == [{"start_date_time": start, "dimensions": []}]


def soc(volume: int) -> list[dict[str, Any]]:
    return [{"type": "STATE_OF_CHARGE", "volume": volume}]


def test_the_charger_reports_the_whole_percent_at_the_last_meter_value() -> None:
    sim, clock = simulator(replace(CAR, reports_soc=True))
    session_id = sim.start_session(DEMO_AUTH_ID_NEW, status="ACTIVE")
    clock.advance(31 * 60 + 45)
    # The last meter value, at 31 minutes: 3.1 kWh, 24.65 %, floored; the truth is on at 24.7625.
    assert latest(sim)["charging_periods"] == [
        {"start_date_time": "2026-11-23T13:30:00.000", "dimensions": soc(24)}
    ]
    assert sim.battery_percent(session_id) == pytest.approx(24.7625)
    clock.advance(2 * 60 + 15)
    # 34 minutes: 3.4 kWh, 25.1 %.
    assert latest(sim)["charging_periods"][0]["dimensions"] == soc(25)


def test_the_completed_session_reports_its_final_state_of_charge() -> None:
    sim, clock = simulator(replace(SMALL_CAR, reports_soc=True))
    session_id = sim.start_session(DEMO_AUTH_ID_NEW, status="ACTIVE")
    clock.advance(3 * 3600)
    assert latest(sim)["charging_periods"][0]["dimensions"] == soc(100)
    assert sim.stop_session(session_id)
    clock.advance(120)
    data = latest(sim)
    assert (data["status"], data["charging_periods"][0]["dimensions"]) == ("COMPLETED", soc(100))


def test_2_2_1_reports_the_same_state_of_charge_in_its_periods() -> None:
    sim, clock = simulator(replace(CAR, reports_soc=True), dialect=OCPI_2_2_1)
    sim.start_session(DEMO_AUTH_ID_NEW, status="ACTIVE")
    start = utc_timestamp(clock())
    clock.advance(31 * 60 + 45)
    assert latest(sim)["charging_periods"] == [{"start_date_time": start, "dimensions": soc(24)}]


def test_a_pending_session_has_no_period_and_no_state_of_charge() -> None:
    sim, _clock = simulator(replace(CAR, reports_soc=True))
    session_id = sim.start_session(DEMO_AUTH_ID_NEW)
    assert latest(sim)["charging_periods"] == []
    assert sim.battery_percent(session_id) == 20.0


@pytest.mark.parametrize(
    ("percent", "whole"), [(59.999999999999, 60), (59.99, 59), (60.0, 60), (0.4, 0)]
)
def test_whole_percent_floors_but_not_float_rounding(percent: float, whole: int) -> None:
    assert whole_percent(percent) == whole


async def test_control_sets_the_battery(sim_env: SimEnv) -> None:
    body = {"battery_kwh": 77, "charging_efficiency": 0.95, "reports_soc": True}
    reply = await sim_env.control("POST", "operator", body)
    assert reply.status == 200
    assert (reply.json()["battery_kwh"], reply.json()["reports_soc"]) == (77, True)
    reply = await sim_env.control("POST", "operator", {"reports_soc": "yes"})
    assert reply.status == 400
    assert sim_env.sim.operator().reports_soc is True
