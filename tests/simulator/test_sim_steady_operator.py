"""An operator with a stop latency of its own (`stop_spread`): one hub, one charger."""

from datetime import timedelta

from hypothesis import given, strategies as st
import pytest

from evnnovator_simulator import DEMO_AUTH_ID_NEW, OperatorProfile, SimulatorSettings, cli
from evnnovator_simulator.meter import stop_latency, typical_stop_latency

from .conftest import SimEnv

STEADY = OperatorProfile.realistic(stop_spread=3.0, seed=1)


def latencies(profile: OperatorProfile, count: int = 200) -> list[float]:
    return [stop_latency(profile, f"session-{n}").total_seconds() for n in range(count)]


def test_each_stop_is_near_the_operators_own_typical_latency() -> None:
    typical = typical_stop_latency(STEADY)
    seen = latencies(STEADY)
    assert all(abs(latency - typical) <= 3 + 1e-6 for latency in seen)
    # Spread over the whole ±3 s, and reproducible.
    assert min(seen) < typical - 2.5
    assert max(seen) > typical + 2.5
    assert seen == latencies(STEADY)


def test_operators_typical_latencies_cover_the_range() -> None:
    typicals = [
        typical_stop_latency(OperatorProfile.realistic(stop_spread=3.0, seed=n)) for n in range(200)
    ]
    # Far enough inside 5-45 s that every stop stays in it.
    assert all(8 - 1e-6 <= typical <= 42 + 1e-6 for typical in typicals)
    assert min(typicals) < 12
    assert max(typicals) > 38


def test_drawn_anew_stays_the_default() -> None:
    """Without a spread, the same draws as before: across the whole range, session by session."""
    anew = OperatorProfile.realistic(seed=1)
    assert anew.stop_spread is None
    seen = latencies(anew)
    assert max(seen) - min(seen) > 35
    assert seen != latencies(STEADY)


@given(
    key=st.text(),
    seed=st.integers(min_value=0, max_value=2**32),
    delay=st.floats(min_value=0, max_value=100),
    jitter=st.floats(min_value=0, max_value=100),
    spread=st.floats(min_value=0, max_value=100),
)
def test_a_steady_stop_stays_within_the_range_and_its_spread(
    key: str, seed: int, delay: float, jitter: float, spread: float
) -> None:
    profile = OperatorProfile(stop_delay=delay, stop_jitter=jitter, stop_spread=spread, seed=seed)
    latency = stop_latency(profile, key).total_seconds()
    # timedelta keeps whole microseconds.
    assert delay - 1e-6 <= latency <= delay + jitter + 1e-6
    assert abs(latency - typical_stop_latency(profile)) <= spread + 1e-6


def test_no_spread_without_a_range() -> None:
    """The exact operator with a spread still stops exactly stop_delay after STOP."""
    profile = OperatorProfile(stop_spread=3.0)
    assert stop_latency(profile, "any") == timedelta(seconds=5)


@pytest.mark.parametrize("spread", [-1.0, float("nan"), True, "3"])
def test_a_nonsense_spread_is_rejected(spread: object) -> None:
    with pytest.raises((TypeError, ValueError), match="stop_spread"):
        OperatorProfile(stop_spread=spread)  # type: ignore[arg-type]


def test_summary_says_the_latency_is_the_operators_own() -> None:
    assert "stop 5-45 s after STOP, at a typical latency of its own ±3 s (seed 1)" in (
        STEADY.summary()
    )


def test_command_line_flag() -> None:
    settings = cli.settings_from_args(cli.parse_args(["--stop-spread", "3"]))
    assert settings.operator == OperatorProfile.realistic(stop_spread=3.0)
    assert cli.settings_from_args(cli.parse_args([])).operator.stop_spread is None


@pytest.mark.parametrize("settings", [SimulatorSettings.realistic(power_kw=6.0)])
async def test_control_api_sets_and_clears_the_spread(sim_env: SimEnv) -> None:
    body = {"auth_id": DEMO_AUTH_ID_NEW, "stop_spread": 3}
    reply = await sim_env.control("POST", "operator", body)
    assert (reply.status, reply.json()["stop_spread"]) == (200, 3)
    assert sim_env.sim.operator(DEMO_AUTH_ID_NEW) == OperatorProfile.realistic(
        power_kw=6.0, stop_spread=3.0
    )
    # Sessions of that driver stop near one typical latency.
    stops = []
    for _ in range(5):
        session_id = sim_env.sim.start_session(DEMO_AUTH_ID_NEW, status="ACTIVE")
        reply = await sim_env.command("STOP_SESSION", {"session_id": session_id})
        assert reply.json() == {"result": "ACCEPTED"}
        real_stop = sim_env.sim.real_stop_at(session_id)
        assert real_stop is not None
        stops.append((real_stop - sim_env.clock()).total_seconds())
        sim_env.clock.advance(3600)
    assert max(stops) - min(stops) <= 6
    reply = await sim_env.control(
        "POST", "operator", {"auth_id": DEMO_AUTH_ID_NEW, "stop_spread": None}
    )
    assert reply.json()["stop_spread"] is None
    reply = await sim_env.control("POST", "operator", {"stop_spread": -3})
    assert reply.status == 400
