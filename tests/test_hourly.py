"""Sessions hour by hour: readings spread over the time between them, each session counted once."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
import json

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.evnnovator.api import parse_session
from custom_components.evnnovator.hourly import HourAmount, HourlyBook, Reading, hour_of
from custom_components.evnnovator.ledger import SessionLedger

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
TARIFF = 18.0


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def reading(
    kwh: float | None,
    when: float,
    *,
    session_id: str = "a",
    start: float | None = 0.0,
    end: float | None = None,
    currency: str | None = "INR",
) -> Reading:
    return Reading(
        session_id=session_id,
        energy=kwh,
        cost=None if kwh is None else kwh * TARIFF,
        currency=currency,
        at=at(when),
        start=None if start is None else at(start),
        end=None if end is None else at(end),
    )


def energy_by_hour(book: HourlyBook) -> dict[float, float]:
    """Energy of each hour, by its offset from T0 in hours, rounded against float noise."""
    return {
        (hour - T0) / timedelta(hours=1): round(amount.energy, 9) for hour, amount in book.hours()
    }


def test_a_session_across_hours_is_spread_between_its_readings() -> None:
    """Readings at 8:30 (3 kWh) and 10:15 (10 kWh), started at 8:00."""
    book = HourlyBook()
    assert book.add(reading(3.0, 0.5)) == at(0)
    # 7 kWh over 1 h 45 min: 1 kWh per 15 minutes.
    assert book.add(reading(10.0, 2.25)) == at(0)
    assert energy_by_hour(book) == {0.0: 5.0, 1.0: 4.0, 2.0: 1.0}
    [(_, first), *_] = book.hours()
    assert first.cost == {"INR": pytest.approx(5.0 * TARIFF)}


def test_a_session_seen_only_after_it_ended_is_spread_over_its_start_to_end() -> None:
    """Home Assistant was down: the reading comes hours later, clamped to the session's end."""
    book = HourlyBook()
    book.add(reading(6.0, 9.0, start=0.5, end=2.0))
    assert energy_by_hour(book) == {0.0: 2.0, 1.0: 4.0}


def test_later_knowledge_mends_earlier_hours_only_from_the_last_reading() -> None:
    """A higher final value after the end lands in the end's hour; a repeat changes nothing."""
    book = HourlyBook()
    book.add(reading(4.0, 1.0, end=2.0))
    assert book.add(reading(4.0, 1.5, end=2.0)) is None
    assert book.add(reading(8.0, 5.0, end=2.0)) == at(1)
    assert energy_by_hour(book) == {0.0: 4.0, 1.0: 4.0}
    # The bill says a little more, known well after the end: the end's hour (ending at 10:00).
    assert book.add(reading(8.5, 6.0, end=2.0)) == at(1)
    assert energy_by_hour(book) == {0.0: 4.0, 1.0: 4.5}


def test_lower_or_older_values_change_nothing() -> None:
    """A value the API corrects downwards is never taken; an older reading adds at the last one."""
    book = HourlyBook()
    book.add(reading(5.0, 1.0))
    assert book.add(reading(4.0, 1.5)) is None
    assert book.add(reading(6.0, 0.5)) == at(0)
    assert energy_by_hour(book) == {0.0: 6.0}


def test_a_session_without_a_start_begins_at_its_first_reading() -> None:
    book = HourlyBook()
    book.add(reading(2.0, 1.25, start=None))
    book.add(reading(3.0, 1.75, start=None))
    assert energy_by_hour(book) == {1.0: 3.0}


def test_a_new_currency_takes_the_cost_out_of_the_sessions_hours() -> None:
    """As the ledger does: the session's cost counts in its new currency only."""
    book = HourlyBook()
    book.add(reading(1.0, 0.5, currency="EUR"))
    assert book.add(reading(2.0, 1.5, currency="INR")) == at(0)
    costs = [amount.cost for _, amount in book.hours()]
    assert costs == [{"INR": pytest.approx(18.0)}, {"INR": pytest.approx(18.0)}]
    # The old currency is remembered, so that its statistic is brought down too.
    assert HourlyBook(json.loads(json.dumps(book.as_dict()))).currencies == {"EUR", "INR"}


def test_a_cost_whose_currency_comes_late_counts_from_then() -> None:
    """Energy first without a currency: its cost counts once the currency is known."""
    book = HourlyBook()
    book.add(reading(1.0, 0.5, currency=None))
    assert book.add(reading(1.0, 0.75)) == at(0)
    [(_, amount)] = book.hours()
    assert amount == HourAmount(energy=1.0, cost={"INR": pytest.approx(18.0)})


def test_what_is_kept_survives_a_restart_and_retired_sessions_stay_in_their_hours() -> None:
    book = HourlyBook(remember=1)
    book.add(reading(3.0, 0.5, session_id="a"))
    book.add(reading(2.0, 3.5, session_id="b", start=3.0))
    restored = HourlyBook(json.loads(json.dumps(book.as_dict())), remember=1)
    assert list(restored.sessions) == ["b"]
    assert energy_by_hour(restored) == {0.0: 3.0, 3.0: 2.0}
    assert restored.first_mendable_hour == at(3)
    restored.add(reading(4.0, 4.5, session_id="b", start=3.0))
    assert energy_by_hour(restored) == {0.0: 3.0, 3.0: 3.0, 4.0: 1.0}


def test_an_opening_amount_lands_in_its_hour() -> None:
    book = HourlyBook()
    book.add_opening(at(1.5), 12.0, {"INR": 200.0, "EUR": 0.0})
    assert book.hours() == [(at(1), HourAmount(energy=12.0, cost={"INR": 200.0}))]
    assert book.first_mendable_hour is None
    book.add_opening(at(5), 1e-12, {"INR": -1e-12})
    assert len(book.hours()) == 1


@dataclass
class World:
    """What happens at the operator over time, what the ledger and the book were shown of it."""

    ledger: SessionLedger
    book: HourlyBook
    remember: int
    now: datetime = T0
    number: int = 0
    kwh: float = 0.0
    start: datetime = T0
    end: datetime | None = None
    last_seen: dict[str, datetime] = field(default_factory=dict)

    def report(self) -> dict[str, object]:
        data: dict[str, object] = {
            "id": f"session-{self.number}",
            "status": "ACTIVE" if self.end is None else "COMPLETED",
            "kwh": round(self.kwh, 3),
            "total_cost": round(self.kwh * TARIFF, 2),
            "currency": "INR",
            "start_datetime": self.start.isoformat(),
        }
        if self.end is not None:
            data["end_datetime"] = self.end.isoformat()
        return data

    def apply(self, step: tuple[str, float]) -> None:
        kind, amount = step
        if kind == "wait":  # time passes; polls in it failed or did not happen (an outage)
            self.now += timedelta(minutes=amount)
            if self.end is None:
                self.kwh += amount * 0.1
        elif kind == "new":
            self.number += 1
            self.kwh, self.start, self.end = 0.0, self.now, None
        elif kind == "correct":
            self.kwh = max(self.kwh - amount, 0.0)
        elif kind == "finish" and self.end is None:
            self.end = self.now
        elif kind == "bill" and self.end is not None:  # the billed amount: a little more
            self.kwh += amount
        elif kind == "cdr" and self.end is not None:  # the bill with tax: both restate the cost
            session_id, billed = f"session-{self.number}", round(self.kwh * TARIFF * amount, 2)
            self.ledger.bill(session_id, amount=billed, currency="INR")
            self.book.bill(session_id, billed, "INR")
        elif kind == "restart":
            self.ledger = SessionLedger(
                json.loads(json.dumps(self.ledger.as_dict())), remember=self.remember
            )
            self.book = HourlyBook(
                json.loads(json.dumps(self.book.as_dict())), remember=self.remember
            )
        elif kind == "observe":
            self.observe()

    def observe(self) -> None:
        session = parse_session(self.report())
        self.ledger.observe(session)
        before = dict(self.book.hours())
        changed = self.book.add(
            Reading(
                session.id,
                session.kwh,
                session.total_cost,
                session.currency,
                self.now,
                start=session.start,
                end=session.ended,
            )
        )
        after = dict(self.book.hours())
        # Hours before the one it names are untouched: re-importing from there is enough.
        for hour, amount in after.items():
            if changed is None or hour < changed:
                assert before.get(hour) == amount
        self.last_seen[session.id] = self.now


STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("observe"), st.just(0.0)),
        st.tuples(st.just("wait"), st.floats(0.5, 200)),
        st.tuples(st.just("correct"), st.floats(0.001, 0.05)),
        st.tuples(st.just("bill"), st.floats(0.001, 0.5)),
        st.tuples(st.just("cdr"), st.floats(0.9, 1.3)),
        st.tuples(st.sampled_from(["new", "finish", "restart"]), st.just(0.0)),
    ),
    max_size=80,
)


@settings(max_examples=300, deadline=None)
@given(steps=STEPS, remember=st.integers(1, 60))
def test_hours_are_never_negative_and_add_up_to_the_ledger(
    steps: list[tuple[str, float]], remember: int
) -> None:
    """Readings, outages, restarts, corrections, late values and bills with tax: the hours sum
    to the ledger's totals."""
    world = World(SessionLedger(remember=remember), HourlyBook(remember=remember), remember)
    for step in steps:
        world.apply(step)
        hours = world.book.hours()
        assert all(amount.energy >= 0 for _, amount in hours)
        assert all(cost >= 0 for _, amount in hours for cost in amount.cost.values())
        assert sum(amount.energy for _, amount in hours) == pytest.approx(
            world.ledger.total_energy, abs=1e-6
        )
        assert sum(amount.cost.get("INR", 0.0) for _, amount in hours) == pytest.approx(
            world.ledger.total_cost("INR"), abs=1e-6
        )
        # Nothing lands after the latest reading: energy is never booked ahead of time.
        if hours:
            assert hours[-1][0] <= hour_of(max(world.last_seen.values()))


def test_a_bill_restates_the_sessions_cost_in_its_hours() -> None:
    """18% GST on 5 + 4 + 1 kWh at 18/kWh: each hour keeps its share of the billed amount."""
    book = HourlyBook()
    book.add(reading(3.0, 0.5))
    book.add(reading(10.0, 2.25, end=2.25))
    billed = 10.0 * TARIFF * 1.18
    assert book.bill("a", billed, "INR") == at(0)
    costs = {(hour - T0) / timedelta(hours=1): amount.cost["INR"] for hour, amount in book.hours()}
    assert costs == {
        0.0: pytest.approx(5 * TARIFF * 1.18),
        1.0: pytest.approx(4 * TARIFF * 1.18),
        2.0: pytest.approx(1 * TARIFF * 1.18),
    }
    # Never lower, never in another currency, never for a session not followed.
    assert book.bill("a", billed - 1, "INR") is None
    assert book.bill("a", billed + 1, "EUR") is None
    assert book.bill("unknown", billed, "INR") is None
    # A later, higher value before tax changes nothing: the bill is already more.
    assert book.add(reading(10.0, 3.0, end=2.25)) is None


def test_a_bill_without_costs_in_the_hours_goes_by_energy_or_to_the_last_hour() -> None:
    book = HourlyBook()
    book.add(reading(2.0, 1.5, currency=None))
    assert book.bill("a", 40.0, "INR") == at(0)
    costs = {(hour - T0) / timedelta(hours=1): amount.cost["INR"] for hour, amount in book.hours()}
    assert costs == {0.0: pytest.approx(40 * 2 / 3), 1.0: pytest.approx(40 / 3)}
    empty = HourlyBook()
    empty.add(reading(0.0, 1.5, currency=None))
    assert empty.bill("a", 5.0, None) is None  # no currency known anywhere
    assert empty.bill("a", 5.0, "INR") == at(0)
    [(hour, amount)] = empty.hours()
    assert (hour, amount.cost) == (at(0), {"INR": 5.0})
