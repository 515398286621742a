"""The forecast's rules, pure and fast: readings timed by the meter, rates, cadence, latency."""

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.evnnovator.api import Session, parse_session
from custom_components.evnnovator.forecast import (
    CLOCK_SKEW,
    ENERGY_LATENCY_SLACK,
    LATENCY_RANGE,
    METER_ROUNDING_KWH,
    MIN_POLL,
    PRIOR_LATENCY,
    SAMPLE_MARGIN,
    SAMPLE_RECHECK,
    TYPICAL_LATENCY,
    Limits,
    MeterReading,
    MeterTrack,
    OperatorModel,
    SentStop,
    measured_at,
    observed_latency,
    plan_stop,
    remaining_kwh,
    sent_stop,
)

START = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def session(
    kwh: float,
    *,
    modified: datetime | None,
    status: str = "ACTIVE",
    session_id: str = "s1",
    cost: float | None = None,
    end: datetime | None = None,
) -> Session:
    """A session as the API would send it, with the fields the forecast reads."""
    data = {
        "id": session_id,
        "status": status,
        "kwh": kwh,
        "total_cost": cost,
        "currency": "INR",
        "start_datetime": START.isoformat(),
        "last_modified_date": None if modified is None else modified.isoformat(),
        "end_datetime": None if end is None else end.isoformat(),
    }
    return parse_session(data)


def at(seconds: float) -> datetime:
    return START + timedelta(seconds=seconds)


def test_a_reading_is_timed_by_the_operator_when_plausible() -> None:
    fetched = at(100)
    assert measured_at(session(1.0, modified=at(60)), fetched) == (at(60), True)
    # Missing, ahead of the fetch beyond clock skew, or before the start: the fetch time.
    assert measured_at(session(1.0, modified=None), fetched) == (fetched, False)
    ahead = fetched + CLOCK_SKEW + timedelta(seconds=1)
    assert measured_at(session(1.0, modified=ahead), fetched) == (fetched, False)
    assert measured_at(session(1.0, modified=at(-5)), fetched) == (fetched, False)
    # A little ahead (clock skew): not after the fetch.
    assert measured_at(session(1.0, modified=fetched + timedelta(seconds=5)), fetched) == (
        fetched,
        True,
    )


@settings(max_examples=200, deadline=None)
@given(
    power=st.floats(min_value=1.0, max_value=150.0),
    meter=st.sampled_from([15.0, 30.0, 60.0, 90.0, 300.0]),
    poll=st.floats(min_value=5.0, max_value=60.0),
    polls=st.integers(min_value=10, max_value=60),
)
def test_rate_and_cadence_come_from_distinct_meter_values(
    power: float, meter: float, poll: float, polls: int
) -> None:
    """Polled at any pace, a meter of constant power: the rate is the power (to the rounding of
    its values), repeats change nothing, and when polls are faster than the meter its cadence is
    learned exactly."""
    track = MeterTrack(OperatorModel())
    for n in range(1, polls + 1):
        fetched = at(n * poll + 1.5)
        sample_time = (fetched - START).total_seconds() // meter * meter
        if (fetched - at(sample_time)).total_seconds() < 1:
            continue  # as fetched with the record: live, by chance (tested apart)
        kwh = round(power * sample_time / 3600, 2)
        track.observe(session(kwh, modified=at(sample_time)), fetched)
    latest = track.latest
    assert latest is not None
    rate = track.rate_kw(START)
    if rate is not None:
        # Rounding to 0.01 kWh at both ends of at least MIN_RATE_SPAN seconds of samples.
        assert rate == pytest.approx(power, abs=0.01 / (meter / 3600) + 1e-6)
    if poll < meter and polls * poll > 4 * meter:
        assert track.operator.cadence == meter


def test_a_repeated_value_is_not_a_new_sample() -> None:
    track = MeterTrack(OperatorModel())
    assert track.observe(session(1.0, modified=at(60)), at(62))
    assert not track.observe(session(1.0, modified=at(60)), at(90))
    assert track.observe(session(1.1, modified=at(120)), at(122))
    # 0.1 kWh over the 60 s between the two samples, not the 32 s between the fetches.
    assert track.rate_kw() == pytest.approx(6.0)
    assert track.operator.cadence == 60


def test_without_operator_times_only_a_changed_energy_is_new() -> None:
    track = MeterTrack(OperatorModel())
    assert track.observe(session(1.0, modified=None), at(30))
    assert not track.observe(session(1.0, modified=None), at(60))
    assert track.observe(session(1.2, modified=None), at(90))
    assert track.rate_kw() == pytest.approx(0.2 / (60 / 3600))
    assert track.operator.cadence is None  # fetch times say nothing of the meter


def test_a_live_record_teaches_no_cadence() -> None:
    """A record modified at every request shows the polling, not a meter."""
    track = MeterTrack(OperatorModel())
    for n in range(1, 6):
        track.observe(session(n * 0.1, modified=at(n * 30)), at(n * 30))
    assert track.operator.cadence is None
    assert track.poll_delay(at(150), 30) == 30


def test_another_session_starts_afresh() -> None:
    track = MeterTrack(OperatorModel())
    track.observe(session(1.0, modified=at(60)), at(61))
    track.observe(session(2.0, modified=at(120)), at(121))
    track.observe(session(0.1, modified=at(180), session_id="s2"), at(181))
    assert track.latest == MeterReading("s2", 0.1, None, at(180), measured=True)
    assert track.rate_kw() is None
    # One value: the average since the start, once it spans a minute.
    assert track.rate_kw(START) == pytest.approx(2.0)
    assert track.rate_kw(at(170)) is None


def test_polling_in_step_with_a_slow_meter() -> None:
    operator = OperatorModel({"meter_gaps": [300.0, 300.0]})
    track = MeterTrack(operator)
    track.observe(session(1.0, modified=at(300)), at(303))
    # Just after the next value is due, not every 30 s in between.
    assert track.poll_delay(at(303), 30) == pytest.approx(300 + SAMPLE_MARGIN - 3)
    # Overdue: look again soon, less often while it stays away.
    assert track.poll_delay(at(700), 30) == SAMPLE_RECHECK
    track.observe(session(1.0, modified=at(300)), at(700))
    assert track.poll_delay(at(700), 30) == 2 * SAMPLE_RECHECK
    # Never sooner than MIN_POLL.
    assert track.poll_delay(at(602), 30) == MIN_POLL
    # A meter faster than the set pace: the set pace.
    fast = MeterTrack(OperatorModel({"meter_gaps": [15.0]}))
    fast.observe(session(1.0, modified=at(15)), at(16))
    assert fast.poll_delay(at(16), 30) == 30


@settings(max_examples=200, deadline=None)
@given(
    latencies=st.lists(st.floats(min_value=0.0, max_value=120.0), min_size=2, max_size=10),
    actual=st.floats(min_value=0.0, max_value=1.0),
)
def test_latency_keeps_the_worst_error_to_half_the_jitter(
    latencies: list[float], actual: float
) -> None:
    """Planning with the middle of the range seen: any latency in that range is at most half
    the range away, and the typical latency's pull, which shrinks as stops are seen."""
    operator = OperatorModel()
    for latency in latencies:
        operator.learn_latency(latency)
    low, high = min(latencies), max(latencies)
    middle = (low + high) / 2
    pull = abs(middle - TYPICAL_LATENCY) / (len(latencies) + 1)
    true_latency = low + actual * (high - low)
    assert abs(true_latency - operator.latency) <= (high - low) / 2 + pull + 1e-9


@settings(max_examples=200, deadline=None)
@given(
    latency=st.floats(min_value=LATENCY_RANGE[0], max_value=LATENCY_RANGE[1]),
    power=st.floats(min_value=1.0, max_value=150.0),
    limit=st.floats(min_value=0.5, max_value=60.0),
)
def test_the_first_stop_is_never_short(latency: float, power: float, limit: float) -> None:
    """Nothing known yet: the STOP goes out the low end of the range early, so that whatever the
    operator's latency in that range, the charger stops at the limit or after it."""
    operator = OperatorModel()
    assert operator.latency == LATENCY_RANGE[0] > 0
    reading = MeterReading("s1", 0.0, None, at(600), measured=True)
    plan = plan_stop(reading, power, Limits(energy_kwh=limit), operator.latency)
    assert plan is not None
    stopped_at = plan.send_at + timedelta(seconds=latency)
    assert stopped_at >= plan.crossing_at - timedelta(microseconds=1)


STEADY_JITTER = 3.0


@settings(max_examples=300, deadline=None)
@given(
    typical=st.floats(min_value=LATENCY_RANGE[0], max_value=LATENCY_RANGE[1]),
    jitters=st.lists(
        st.floats(min_value=-STEADY_JITTER, max_value=STEADY_JITTER), min_size=1, max_size=12
    ),
)
def test_a_steady_operator_is_planned_within_its_jitter(
    typical: float, jitters: list[float]
) -> None:
    """An operator stopping at its own typical latency, give or take a little: from its first
    stop on, the plan is within that little of the typical latency (the typical 20 s of a hub
    barely pulls), and after one stop it is that stop."""
    operator = OperatorModel()
    for jitter in jitters:
        operator.learn_latency(typical + jitter)
        assert abs(operator.latency - typical) <= STEADY_JITTER + 1e-9
    one = OperatorModel()
    one.learn_latency(typical + jitters[0])
    assert one.latency == typical + jitters[0]


@settings(max_examples=200, deadline=None)
@given(
    inner=st.lists(st.floats(min_value=LATENCY_RANGE[0], max_value=LATENCY_RANGE[1]), max_size=8),
)
def test_a_jittery_operator_is_planned_at_the_middle_of_its_range(inner: list[float]) -> None:
    """Latencies drawn anew across the whole range: planned at its middle, leaning on the typical
    latency as much as one more stop would weigh."""
    operator = OperatorModel()
    latencies = [LATENCY_RANGE[0], *inner, LATENCY_RANGE[1]]
    for latency in latencies:
        operator.learn_latency(latency)
    middle = sum(LATENCY_RANGE) / 2
    count = len(latencies)
    assert operator.latency_spread_share == 1
    assert operator.latency == pytest.approx((count * middle + TYPICAL_LATENCY) / (count + 1))


def test_the_typical_latency_pulls_as_far_as_the_spread_says() -> None:
    """Between steady and drawn anew: the wider the spread seen, the more the typical latency
    pulls the plan from the middle; a range-wide spread pulls as one more stop (as before)."""
    middle = 30.0
    pulls = []
    for spread in (0.0, 6.0, 20.0, 40.0):
        operator = OperatorModel()
        operator.learn_latency(middle - spread / 2)
        operator.learn_latency(middle + spread / 2)
        pulls.append(middle - operator.latency)
    assert pulls[0] == 0
    assert 0 < pulls[1] < 0.2 < pulls[2] < pulls[3]
    assert pulls[3] == pytest.approx((middle - TYPICAL_LATENCY) / 3)


def test_operator_model_survives_a_restart_and_ignores_garbage() -> None:
    operator = OperatorModel()
    assert operator.latency == PRIOR_LATENCY
    assert operator.latency_spread_share == 0
    assert not operator.latency_learned
    operator.learn_latency(12.0)
    operator.learn_latency(500.0)  # capped: a lost command, not a latency
    assert not operator.learn_gap(2.0)
    assert operator.learn_gap(60.0)
    again = OperatorModel(operator.as_dict())
    assert (
        again.as_dict()
        == operator.as_dict()
        == {
            "meter_gaps": [60.0],
            "stop_latencies": [12.0, 120.0],
        }
    )
    assert again.latency == (2 * 66.0 + TYPICAL_LATENCY) / 3
    broken = OperatorModel({"meter_gaps": "x", "stop_latencies": [1.0, "y", None]})
    assert broken.as_dict() == {"meter_gaps": [], "stop_latencies": [1.0]}


@settings(max_examples=200, deadline=None)
@given(
    power=st.floats(min_value=1.0, max_value=150.0),
    kwh=st.floats(min_value=0.0, max_value=50.0),
    limit=st.floats(min_value=0.1, max_value=60.0),
    latency=st.floats(min_value=0.0, max_value=120.0),
)
def test_the_stop_is_planned_from_the_meter_values_own_time(
    power: float, kwh: float, limit: float, latency: float
) -> None:
    reading = MeterReading("s1", kwh, None, at(600), measured=True)
    plan = plan_stop(reading, power, Limits(energy_kwh=limit), latency)
    assert plan is not None
    assert plan.limit == "energy"
    if kwh >= limit:
        assert plan.send_at == plan.crossing_at == reading.at
    else:
        hours = (plan.crossing_at - reading.at).total_seconds() / 3600
        assert kwh + power * hours == pytest.approx(limit, rel=1e-6)
        assert (plan.crossing_at - plan.send_at).total_seconds() == pytest.approx(latency, abs=1e-5)


def test_the_first_limit_reached_is_planned() -> None:
    reading = MeterReading("s1", 1.0, 18.0, at(600), measured=True)
    assert remaining_kwh(reading, Limits()) is None
    assert plan_stop(reading, 7.4, Limits(), 0) is None
    # 27 INR at 18 INR/kWh is 1.5 kWh: before the 2 kWh energy limit.
    assert remaining_kwh(reading, Limits(energy_kwh=2.0, cost=27.0)) == (0.5, "cost")
    assert remaining_kwh(reading, Limits(energy_kwh=1.2, cost=27.0)) == pytest.approx(
        (0.2, "energy")
    )
    assert remaining_kwh(reading, Limits(cost=10.0)) == (0.0, "cost")
    # No rate yet, and not reached: nothing to plan.
    assert plan_stop(reading, None, Limits(energy_kwh=2.0), 0) is None


def test_the_latency_from_the_end_and_from_the_energy() -> None:
    """The end measures it, unless the operator's end is when it closed the record (later):
    then the energy delivered after the STOP tells it, within the meter's rounding."""
    sent = SentStop(at(600), kwh=1.0, rate_kw=7.2)  # 0.002 kWh a second
    # The charger stopped 20 s after STOP, having delivered 0.04 kWh more; the end says so.
    stopped = session(1.04, modified=at(640), status="COMPLETED", end=at(620))
    assert observed_latency(sent, stopped) == pytest.approx(20)
    # The end is when the record closed, 40 s later: the energy's 20 s (plus its slack) stand.
    closed = session(1.04, modified=at(660), status="COMPLETED", end=at(660))
    slack = METER_ROUNDING_KWH / 7.2 * 3600 + ENERGY_LATENCY_SLACK
    assert observed_latency(sent, closed) == pytest.approx(20 + slack)
    # Without an end, the energy alone; without a rate, the end alone; neither: nothing.
    assert observed_latency(sent, session(1.04, modified=at(640), status="COMPLETED")) == (
        pytest.approx(20)
    )
    assert observed_latency(SentStop(at(600), None, None), stopped) == pytest.approx(20)
    unknown = session(1.04, modified=at(640), status="COMPLETED")
    assert observed_latency(SentStop(at(600), None, None), unknown) is None
    # Ended before the STOP could act: nothing to learn.
    early = session(1.0, modified=at(590), status="COMPLETED", end=at(590))
    assert observed_latency(sent, early) is None


def test_the_energy_at_the_stop_is_extrapolated_from_the_meter() -> None:
    track = MeterTrack(OperatorModel())
    running = session(1.0, modified=at(600))
    assert sent_stop(track, running, at(630)) == SentStop(at(630), None, None)
    track.observe(running, at(601))
    stop = sent_stop(track, running, at(630))
    # One value: the average since the start (6 kW), 30 s on.
    assert stop.rate_kw == pytest.approx(6.0)
    assert stop.kwh == pytest.approx(1.05)


def test_the_tariff_prices_the_cost_limit_until_the_session_shows_its_own() -> None:
    """Before any energy the session has no cost/kWh of its own: the tariff's price stands in."""
    start = MeterReading("s1", 0.0, 0.0, at(60), measured=True)
    assert remaining_kwh(start, Limits(cost=36.0)) is None
    assert remaining_kwh(start, Limits(cost=36.0, price_per_kwh=18.0)) == (2.0, "cost")
    # Once the session's own ratio is known, it is the one used (here 20/kWh, not 18).
    later = MeterReading("s1", 1.0, 20.0, at(600), measured=True)
    assert remaining_kwh(later, Limits(cost=40.0, price_per_kwh=18.0)) == (1.0, "cost")
