"""Settings validation, clocks and the simulator's lifecycle."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from evnnovator_simulator import (
    DEFAULT_PREFIX,
    DEMO_AUTH_ID,
    DEMO_TOKEN,
    ManualClock,
    Simulator,
    SimulatorSettings,
)
from evnnovator_simulator.clock import system_clock


def test_settings_defaults() -> None:
    settings = SimulatorSettings()
    assert settings.token == DEMO_TOKEN
    assert settings.prefix == DEFAULT_PREFIX == "/api/ocpi/api/v1"
    assert settings.power_kw == 7.4
    assert settings.tariff_per_kwh == 18.0
    assert settings.currency == "INR"
    assert settings.pending_delay == 5.0
    assert settings.stop_delay == 5.0
    assert settings.kwh_decimals == 3
    assert settings.demo_world is True
    assert settings.command_envelope is False


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"token": ""}, "token"),
        ({"prefix": "api"}, "prefix"),
        ({"prefix": "/api/"}, "prefix"),
        ({"power_kw": -1.0}, "power_kw"),
        ({"tariff_per_kwh": float("nan")}, "tariff_per_kwh"),
        ({"pending_delay": float("inf")}, "pending_delay"),
        ({"stop_delay": -0.1}, "stop_delay"),
        ({"kwh_decimals": -1}, "kwh_decimals"),
    ],
)
def test_settings_reject_nonsense(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        SimulatorSettings(**kwargs)  # type: ignore[arg-type]


def test_the_second_tariff_price_is_a_setting() -> None:
    assert SimulatorSettings().second_tariff_per_kwh == 24.0
    assert SimulatorSettings(second_tariff_per_kwh=30.0).second_tariff_per_kwh == 30.0
    for nonsense in (-1.0, float("nan")):
        with pytest.raises(ValueError, match="second_tariff_per_kwh"):
            SimulatorSettings(second_tariff_per_kwh=nonsense)


def test_settings_accept_empty_prefix() -> None:
    assert SimulatorSettings(prefix="").prefix == ""


def test_manual_clock() -> None:
    clock = ManualClock()
    assert clock() == datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    assert clock.advance(90.5) == datetime(2026, 11, 23, 8, 1, 30, 500000, tzinfo=UTC)
    assert clock() == datetime(2026, 11, 23, 8, 1, 30, 500000, tzinfo=UTC)
    india = timezone(timedelta(hours=5, minutes=30))
    clock.set(datetime(2030, 1, 1, 5, 30, tzinfo=india))
    assert clock() == datetime(2030, 1, 1, tzinfo=UTC)
    assert clock().tzinfo is UTC
    with pytest.raises(ValueError, match="forward"):
        clock.advance(-1)
    with pytest.raises(ValueError, match="aware"):
        clock.set(datetime(2030, 1, 1))  # noqa: DTZ001 (the point: naive is refused)


def test_manual_clock_custom_start() -> None:
    start = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert ManualClock(start)() == start


def test_system_clock_is_aware_utc() -> None:
    assert system_clock().tzinfo is UTC
    assert Simulator().clock is system_clock


def test_simulator_without_demo_world() -> None:
    sim = Simulator(SimulatorSettings(demo_world=False), clock=ManualClock())
    assert sim.latest_session(DEMO_AUTH_ID) is None
    with pytest.raises(LookupError):
        sim.start_session(DEMO_AUTH_ID)


def test_base_url_needs_a_running_server() -> None:
    with pytest.raises(RuntimeError):
        _ = Simulator().base_url


async def test_start_twice_refused_and_stop_idempotent(socket_enabled: None) -> None:
    sim = Simulator(SimulatorSettings(prefix="/x"), clock=ManualClock())
    await sim.stop()  # never started: nothing to do
    base_url = await sim.start()
    assert base_url.startswith("http://127.0.0.1:")
    assert base_url.endswith("/x")
    assert sim.base_url == base_url
    with pytest.raises(RuntimeError):
        await sim.start()
    await sim.stop()
    await sim.stop()
    with pytest.raises(RuntimeError):
        _ = sim.base_url
