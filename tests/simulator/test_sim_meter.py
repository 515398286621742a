"""The operator profile's arithmetic: meter samples, stop latency, energy with and without taper."""

from datetime import timedelta
import math

from hypothesis import given, strategies as st
import pytest

from evnnovator_simulator import OperatorProfile
from evnnovator_simulator.meter import (
    energy_kwh,
    last_sample,
    next_sample,
    stop_latency,
    time_to_reach,
)

MINUTE = timedelta(minutes=1)
EVERY_MINUTE = OperatorProfile(meter_interval=60.0)
TAPERED = OperatorProfile(power_kw=22.0, taper_from_kwh=30.0, taper_kwh=12.0)


def seconds(value: float) -> timedelta:
    return timedelta(seconds=value)


@pytest.mark.parametrize(
    ("elapsed", "last", "following"),
    [(0, 0, 0), (1, 0, 60), (59.999999, 0, 60), (60, 60, 60), (61, 60, 120), (3600, 3600, 3600)],
)
def test_samples_fall_on_multiples_of_the_interval(
    elapsed: float, last: float, following: float
) -> None:
    assert last_sample(EVERY_MINUTE, seconds(elapsed)) == seconds(last)
    assert next_sample(EVERY_MINUTE, seconds(elapsed)) == seconds(following)


@pytest.mark.parametrize(
    ("elapsed", "last", "following"),
    [(0, 0, 0), (5, 0, 20), (20, 20, 20), (20.5, 20, 80), (79, 20, 80), (80, 80, 80)],
)
def test_a_phase_shifts_the_samples_but_the_start_stays_one(
    elapsed: float, last: float, following: float
) -> None:
    profile = OperatorProfile(meter_interval=60.0, meter_phase=20.0)
    assert last_sample(profile, seconds(elapsed)) == seconds(last)
    assert next_sample(profile, seconds(elapsed)) == seconds(following)


def test_a_continuous_meter_samples_every_instant() -> None:
    profile = OperatorProfile()
    assert last_sample(profile, seconds(12.345)) == seconds(12.345)
    assert next_sample(profile, seconds(12.345)) == seconds(12.345)
    assert last_sample(profile, seconds(-1)) == next_sample(profile, seconds(-1)) == timedelta(0)


@given(
    elapsed_us=st.integers(min_value=-(10**8), max_value=10**11),
    interval=st.integers(min_value=1, max_value=3600),
    phase_share=st.floats(min_value=0, max_value=0.99),
)
def test_samples_are_the_grid_points_around_any_instant(
    elapsed_us: int, interval: int, phase_share: float
) -> None:
    phase = round(interval * phase_share, 3)
    profile = OperatorProfile(meter_interval=float(interval), meter_phase=phase)
    elapsed = timedelta(microseconds=elapsed_us)
    step = seconds(interval)

    def on_grid(when: timedelta) -> bool:
        return when == timedelta(0) or (
            when >= seconds(phase) and (when - seconds(phase)) % step == timedelta(0)
        )

    last = last_sample(profile, elapsed)
    following = next_sample(profile, elapsed)
    assert on_grid(last)
    assert on_grid(following)
    assert last <= max(elapsed, timedelta(0)) <= following
    assert following - last <= step


def test_stop_latency_without_jitter_is_the_delay() -> None:
    assert stop_latency(OperatorProfile(stop_delay=5.0), "any") == seconds(5)


def test_stop_latency_is_seeded_per_session() -> None:
    profile = OperatorProfile(stop_delay=5.0, stop_jitter=40.0, seed=1)
    latencies = [stop_latency(profile, f"session-{n}") for n in range(200)]
    assert all(seconds(5) <= latency <= seconds(45) for latency in latencies)
    # Reproducible, spread over the whole range, and another seed draws differently.
    assert latencies == [stop_latency(profile, f"session-{n}") for n in range(200)]
    assert min(latencies) < seconds(10)
    assert max(latencies) > seconds(40)
    other_seed = OperatorProfile(stop_delay=5.0, stop_jitter=40.0, seed=2)
    assert latencies != [stop_latency(other_seed, f"session-{n}") for n in range(200)]


@given(
    key=st.text(),
    seed=st.integers(min_value=0, max_value=2**32),
    delay=st.floats(min_value=0, max_value=100),
    jitter=st.floats(min_value=0, max_value=100),
)
def test_stop_latency_stays_within_its_bounds(
    key: str, seed: int, delay: float, jitter: float
) -> None:
    profile = OperatorProfile(stop_delay=delay, stop_jitter=jitter, seed=seed)
    latency = stop_latency(profile, key).total_seconds()
    # timedelta keeps whole microseconds.
    assert delay - 1e-6 <= latency <= delay + jitter + 1e-6


def test_energy_without_taper_grows_at_full_power() -> None:
    profile = OperatorProfile(power_kw=6.0)
    assert energy_kwh(profile, MINUTE) == pytest.approx(0.1)
    assert energy_kwh(profile, -MINUTE) == 0.0
    assert time_to_reach(profile, 0.1) == MINUTE
    assert time_to_reach(profile, 0.0) == timedelta(0)
    assert time_to_reach(OperatorProfile(power_kw=0.0), 1.0) is None
    assert energy_kwh(OperatorProfile(power_kw=0.0, taper_from_kwh=0.0), MINUTE) == 0.0


def test_taper_starts_at_its_energy_and_never_reaches_its_asymptote() -> None:
    knee = time_to_reach(TAPERED, 30.0)
    assert knee == timedelta(hours=30 / 22)
    assert energy_kwh(TAPERED, knee) == pytest.approx(30.0)
    # Just past the knee the power is still about 22 kW, then it falls.
    first = energy_kwh(TAPERED, knee + MINUTE) - energy_kwh(TAPERED, knee)
    assert first == pytest.approx(22 / 60, rel=0.02)
    later = energy_kwh(TAPERED, knee + 61 * MINUTE) - energy_kwh(TAPERED, knee + 60 * MINUTE)
    assert later < first / 2
    assert energy_kwh(TAPERED, timedelta(days=1)) == pytest.approx(42.0)
    assert energy_kwh(TAPERED, timedelta(days=1)) <= 42.0
    assert time_to_reach(TAPERED, 42.0) is None
    assert time_to_reach(TAPERED, 50.0) is None


@given(
    power=st.floats(min_value=0.5, max_value=350),
    knee=st.floats(min_value=0, max_value=100),
    tail=st.floats(min_value=0.1, max_value=100),
    first_s=st.floats(min_value=0, max_value=10 * 86400),
    more_s=st.floats(min_value=0, max_value=86400),
)
def test_tapered_energy_is_monotone(
    power: float, knee: float, tail: float, first_s: float, more_s: float
) -> None:
    profile = OperatorProfile(power_kw=power, taper_from_kwh=knee, taper_kwh=tail)
    earlier = energy_kwh(profile, seconds(first_s))
    later = energy_kwh(profile, seconds(first_s + more_s))
    assert 0 <= earlier <= later <= knee + tail


@given(
    power=st.floats(min_value=0.5, max_value=350),
    knee=st.floats(min_value=0, max_value=100),
    tail=st.floats(min_value=0.1, max_value=100),
    share=st.floats(min_value=0, max_value=0.999),
)
def test_time_to_reach_inverts_energy(power: float, knee: float, tail: float, share: float) -> None:
    profile = OperatorProfile(power_kw=power, taper_from_kwh=knee, taper_kwh=tail)
    target = (knee + tail) * share
    reach = time_to_reach(profile, target)
    assert reach is not None
    # timedelta keeps whole microseconds: allow that much energy at full power.
    assert math.isclose(energy_kwh(profile, reach), target, rel_tol=1e-9, abs_tol=power * 1e-9)


FULL_AT_2 = OperatorProfile(power_kw=6.0, car_full_kwh=2.0)
PAUSED = OperatorProfile(power_kw=6.0, car_full_kwh=2.0, car_resumes_after=600.0)


def test_a_full_car_stops_drawing_at_its_energy() -> None:
    """20 minutes at 6 kW make 2 kWh; from then on the energy stays, and more is never reached."""
    assert energy_kwh(FULL_AT_2, 10 * MINUTE) == pytest.approx(1.0)
    assert energy_kwh(FULL_AT_2, 20 * MINUTE) == pytest.approx(2.0)
    assert energy_kwh(FULL_AT_2, timedelta(days=1)) == pytest.approx(2.0)
    assert time_to_reach(FULL_AT_2, 1.5) == 15 * MINUTE
    assert time_to_reach(FULL_AT_2, 2.0) == 20 * MINUTE
    assert time_to_reach(FULL_AT_2, 2.01) is None


def test_a_paused_car_draws_again_where_it_left_off() -> None:
    assert energy_kwh(PAUSED, 25 * MINUTE) == pytest.approx(2.0)
    assert energy_kwh(PAUSED, 30 * MINUTE) == pytest.approx(2.0)
    assert energy_kwh(PAUSED, 40 * MINUTE) == pytest.approx(3.0)
    assert time_to_reach(PAUSED, 3.0) == 40 * MINUTE
    assert time_to_reach(PAUSED, 1.0) == 10 * MINUTE


def test_a_car_full_beyond_the_taper_never_stops_drawing() -> None:
    """The taper tends to 42 kWh: a car full at 50 kWh is never reached, the curve is as ever."""
    profile = OperatorProfile(power_kw=22.0, taper_from_kwh=30.0, taper_kwh=12.0, car_full_kwh=50)
    day = timedelta(days=1)
    assert energy_kwh(profile, day) == energy_kwh(TAPERED, day)
    assert time_to_reach(profile, 41.0) == time_to_reach(TAPERED, 41.0)


@given(
    power=st.floats(min_value=0.5, max_value=350),
    full=st.floats(min_value=0.01, max_value=100),
    pause=st.one_of(st.none(), st.floats(min_value=0, max_value=86400)),
    first_s=st.floats(min_value=0, max_value=10 * 86400),
    more_s=st.floats(min_value=0, max_value=86400),
)
def test_energy_with_a_car_stop_is_monotone_and_never_above_it_while_paused(
    power: float, full: float, pause: float | None, first_s: float, more_s: float
) -> None:
    profile = OperatorProfile(power_kw=power, car_full_kwh=full, car_resumes_after=pause)
    earlier = energy_kwh(profile, seconds(first_s))
    later = energy_kwh(profile, seconds(first_s + more_s))
    assert 0 <= earlier <= later
    if pause is None:
        assert later <= full * (1 + 1e-9)
