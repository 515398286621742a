"""Operator profiles: validation, defaults, per driver and per session, and the control API."""

from typing import Any

import pytest

from evnnovator_simulator import (
    DEMO_AUTH_ID,
    DEMO_AUTH_ID_NEW,
    ManualClock,
    OperatorProfile,
    Simulator,
    SimulatorSettings,
)

from .conftest import SimEnv

EVERY_5_MIN = OperatorProfile.realistic(power_kw=6.0, meter_interval=300.0)


def test_default_profile_is_the_exact_operator() -> None:
    profile = OperatorProfile()
    assert profile.as_json() == {
        "power_kw": 7.4,
        "stop_delay": 5.0,
        "stop_jitter": 0.0,
        "stop_spread": None,
        "seed": 0,
        "meter_interval": 0.0,
        "meter_phase": 0.0,
        "kwh_decimals": 3,
        "completion": "at_stop",
        "autostop": "exact",
        "taper_from_kwh": None,
        "taper_kwh": 10.0,
        "car_full_kwh": None,
        "car_resumes_after": None,
        "battery_kwh": None,
        "battery_start_percent": 20.0,
        "charging_efficiency": 0.9,
        "reports_soc": False,
    }
    assert SimulatorSettings().operator == profile


def test_realistic_profile() -> None:
    realistic = OperatorProfile.realistic(power_kw=22.0)
    assert realistic == OperatorProfile(
        power_kw=22.0,
        meter_interval=60.0,
        kwh_decimals=2,
        stop_delay=5.0,
        stop_jitter=40.0,
        completion="next_sample",
        autostop="at_sample",
    )
    settings = SimulatorSettings.realistic(power_kw=22.0, demo_world=False)
    assert settings.operator == realistic
    assert type(settings.operator) is OperatorProfile
    assert settings.demo_world is False
    # The old names are the operator's fields, so there is one source of each value.
    assert SimulatorSettings(stop_delay=2.0, kwh_decimals=1).operator == OperatorProfile(
        stop_delay=2.0, kwh_decimals=1
    )


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"power_kw": -1.0}, "power_kw"),
        ({"stop_jitter": float("nan")}, "stop_jitter"),
        ({"meter_interval": True}, "meter_interval"),
        ({"meter_interval": "60"}, "meter_interval"),
        ({"meter_interval": 60.0, "meter_phase": 60.0}, "meter_phase"),
        ({"meter_phase": 1.0}, "meter_phase"),
        ({"meter_interval": 1e-7}, "meter_interval"),
        ({"kwh_decimals": 2.5}, "kwh_decimals"),
        ({"kwh_decimals": -1}, "kwh_decimals"),
        ({"seed": False}, "seed"),
        ({"completion": "later"}, "completion"),
        ({"autostop": "never"}, "autostop"),
        ({"taper_from_kwh": -5.0}, "taper_from_kwh"),
        ({"taper_kwh": 0.0}, "taper_kwh"),
        ({"car_full_kwh": -1.0}, "car_full_kwh"),
        ({"car_resumes_after": float("inf")}, "car_resumes_after"),
        ({"battery_kwh": 0.0}, "battery_kwh"),
        ({"battery_kwh": -60.0}, "battery_kwh"),
        ({"battery_start_percent": 100.5}, "battery_start_percent"),
        ({"battery_start_percent": -1.0}, "battery_start_percent"),
        ({"charging_efficiency": 0.0}, "charging_efficiency"),
        ({"charging_efficiency": 1.01}, "charging_efficiency"),
        ({"charging_efficiency": None}, "charging_efficiency"),
        ({"reports_soc": "yes"}, "reports_soc"),
        ({"reports_soc": 1}, "reports_soc"),
    ],
)
def test_profile_rejects_nonsense(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises((TypeError, ValueError), match=match):
        OperatorProfile(**kwargs)
    with pytest.raises((TypeError, ValueError), match=match):
        SimulatorSettings(**kwargs)


def test_driver_profiles_and_the_default() -> None:
    sim = Simulator(SimulatorSettings(power_kw=6.0), clock=ManualClock())
    assert sim.operator() == sim.operator(DEMO_AUTH_ID_NEW) == sim.settings.operator
    sim.set_operator(EVERY_5_MIN, auth_id=DEMO_AUTH_ID_NEW)
    assert sim.operator(DEMO_AUTH_ID_NEW) == EVERY_5_MIN
    assert sim.operator(DEMO_AUTH_ID) == sim.settings.operator
    realistic = OperatorProfile.realistic()
    sim.set_operator(realistic)
    assert sim.operator(DEMO_AUTH_ID) == realistic
    assert sim.operator(DEMO_AUTH_ID_NEW) == EVERY_5_MIN
    sim.set_operator(None, auth_id=DEMO_AUTH_ID_NEW)
    assert sim.operator(DEMO_AUTH_ID_NEW) == realistic
    sim.set_operator(None)
    assert sim.operator() == sim.settings.operator
    # Settings given as a profile count as their knobs alone.
    sim.set_operator(SimulatorSettings.realistic(token="other"), auth_id=DEMO_AUTH_ID)
    assert sim.operator(DEMO_AUTH_ID) == realistic
    with pytest.raises(LookupError):
        sim.operator("nobody")
    with pytest.raises(LookupError):
        sim.set_operator(realistic, auth_id="nobody")


def test_a_session_keeps_the_profile_it_started_with() -> None:
    clock = ManualClock()
    sim = Simulator(SimulatorSettings(power_kw=6.0), clock=clock)
    sim.set_operator(EVERY_5_MIN, auth_id=DEMO_AUTH_ID_NEW)
    sampled = sim.start_session(DEMO_AUTH_ID_NEW, status="ACTIVE")
    # The demo driver's session started before any change: continuous, 3 decimals.
    sim.set_operator(OperatorProfile(power_kw=60.0), auth_id=DEMO_AUTH_ID_NEW)
    sim.set_operator(OperatorProfile(power_kw=60.0))
    clock.advance(299)
    data = sim.latest_session(DEMO_AUTH_ID_NEW)
    assert data is not None
    assert (data["id"], data["kwh"]) == (sampled, 0.0)
    clock.advance(1)
    data = sim.latest_session(DEMO_AUTH_ID_NEW)
    assert data is not None
    assert data["kwh"] == 0.5
    demo = sim.latest_session(DEMO_AUTH_ID)
    assert demo is not None
    assert demo["kwh"] == round(6.0 * (20 * 60 + 300) / 3600, 3)
    # A new session takes the driver's new profile.
    sim.start_session(DEMO_AUTH_ID_NEW, status="ACTIVE")
    clock.advance(60)
    data = sim.latest_session(DEMO_AUTH_ID_NEW)
    assert data is not None
    assert data["kwh"] == 1.0


async def test_control_get_and_set_the_default(sim_env: SimEnv) -> None:
    reply = await sim_env.control("GET", "operator")
    assert (reply.status, reply.json()) == (200, OperatorProfile().as_json())
    reply = await sim_env.control("POST", "operator", {"meter_interval": 300, "kwh_decimals": 2})
    assert reply.status == 200
    expected = OperatorProfile(meter_interval=300.0, kwh_decimals=2)
    assert reply.json() == expected.as_json()
    assert sim_env.sim.operator() == expected
    # Fields change the profile in force; a preset replaces it first.
    reply = await sim_env.control("POST", "operator", {"stop_jitter": 10})
    assert sim_env.sim.operator() == OperatorProfile(
        meter_interval=300.0, kwh_decimals=2, stop_jitter=10.0
    )
    reply = await sim_env.control("POST", "operator", {"preset": "realistic", "power_kw": 22})
    assert reply.status == 200
    assert sim_env.sim.operator() == OperatorProfile.realistic(power_kw=22.0)
    await sim_env.control("POST", "operator", {"preset": "exact"})
    assert sim_env.sim.operator() == OperatorProfile()


async def test_control_set_a_driver_profile(sim_env: SimEnv) -> None:
    body = {"auth_id": DEMO_AUTH_ID_NEW, "preset": "realistic", "meter_interval": 15}
    reply = await sim_env.control("POST", "operator", body)
    expected = OperatorProfile.realistic(meter_interval=15.0)
    assert (reply.status, reply.json()) == (200, expected.as_json())
    reply = await sim_env.control("GET", f"operator?auth_id={DEMO_AUTH_ID_NEW}")
    assert reply.json() == expected.as_json()
    assert sim_env.sim.operator(DEMO_AUTH_ID) == OperatorProfile()
    reply = await sim_env.control("POST", "sessions", {"auth_id": DEMO_AUTH_ID_NEW})
    assert reply.status == 201
    # PENDING for 5 s, then a meter value every 15 s at 7.4 kW.
    sim_env.clock.advance(19.999)
    assert (await sim_env.latest(DEMO_AUTH_ID_NEW)).json()["data"]["kwh"] == 0.0
    sim_env.clock.advance(0.001)
    assert (await sim_env.latest(DEMO_AUTH_ID_NEW)).json()["data"]["kwh"] == 0.03


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        ["meter_interval", 60],
        {"auth_id": 3},
        {"preset": "lazy"},
        {"preset": ["realistic"]},
        {"meter_interval": "60"},
        {"meter_interval": -60},
        {"kwh_decimals": 2.5},
        {"completion": "later"},
        {"unknown_knob": 1},
    ],
)
async def test_control_operator_rejects_bad_bodies(sim_env: SimEnv, body: Any) -> None:
    reply = await sim_env.post_control("operator", body)
    assert reply.status == 400
    assert reply.json()["error"]
    assert sim_env.sim.operator() == OperatorProfile()


async def test_control_operator_unknown_driver(sim_env: SimEnv) -> None:
    assert (await sim_env.control("GET", "operator?auth_id=nobody")).status == 404
    reply = await sim_env.control("POST", "operator", {"auth_id": "nobody", "stop_jitter": 1})
    assert reply.status == 404


@pytest.mark.parametrize(
    ("profile", "summary"),
    [
        (
            OperatorProfile(),
            "7.4 kW, continuous meter, kwh to 3 decimals, stop 5 s after STOP,"
            " COMPLETED at the stop, autostop exact",
        ),
        (
            OperatorProfile.realistic(meter_phase=5.0, taper_from_kwh=30.0, taper_kwh=12.0),
            "7.4 kW tapering from 30 kWh towards 42 kWh, meter every 60 s (+5 s), kwh to 2"
            " decimals, stop 5-45 s after STOP (seed 0), COMPLETED at the next meter value,"
            " autostop seen at a meter value",
        ),
        (
            OperatorProfile(power_kw=50.0, car_full_kwh=30.0, car_resumes_after=600.0),
            "50 kW, the car stops drawing at 30 kWh and draws again 600 s later, continuous"
            " meter, kwh to 3 decimals, stop 5 s after STOP, COMPLETED at the stop, autostop"
            " exact",
        ),
        (
            OperatorProfile.realistic(
                power_kw=50.0, battery_kwh=77.0, charging_efficiency=0.95, reports_soc=True
            ),
            "50 kW, a 77 kWh battery from 20 % (95 % of the energy stored), the charger reports"
            " its state of charge, meter every 60 s, kwh to 2 decimals, stop 5-45 s after STOP"
            " (seed 0), COMPLETED at the next meter value, autostop seen at a meter value",
        ),
    ],
)
def test_summary_for_people(profile: OperatorProfile, summary: str) -> None:
    assert profile.summary() == summary
