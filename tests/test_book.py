"""The book of sessions: each counted once, announced once, spread over its hours."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
import json
from typing import Any

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.evnnovator.api import Session, parse_cdr, parse_session
from custom_components.evnnovator.book import (
    HOUR,
    MAX_REMEMBERED_SESSIONS,
    RETIRED_HOURS_KEPT,
    Announcement,
    Bill,
    Change,
    HourAmount,
    HourSums,
    SessionBook,
    SessionEntry,
    StopRecord,
    hour_of,
)

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
TARIFF = 18.0


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def report(
    kwh: float | None,
    *,
    session_id: str = "a",
    start: float | None = 0.0,
    end: float | None = None,
    currency: str | None = "INR",
    cost: float | None = None,
) -> Session:
    """A session's report: `kwh` at 18 a kWh, started `start` hours after T0, ended at `end`."""
    data: dict[str, Any] = {"id": session_id, "status": "ACTIVE" if end is None else "COMPLETED"}
    if kwh is not None:
        data["kwh"] = kwh
        data["total_cost"] = kwh * TARIFF if cost is None else cost
    if currency is not None:
        data["currency"] = currency
    if start is not None:
        data["start_datetime"] = at(start).isoformat()
    if end is not None:
        data["end_datetime"] = at(end).isoformat()
    return parse_session(data)


def bill_of(session_id: str, currency: str | None = "INR") -> Bill:
    return Bill(session_id, None, None, None, currency, None, None)


def restored(
    book: SessionBook,
    remember: int = MAX_REMEMBERED_SESSIONS,
    keep_retired: timedelta = RETIRED_HOURS_KEPT,
) -> SessionBook:
    """The book after a restart: only what it stored survives, through JSON."""
    stored = json.loads(json.dumps(book.as_dict()))
    return SessionBook(stored, remember=remember, keep_retired=keep_retired)


def energy_by_hour(book: SessionBook) -> dict[float, float]:
    """Energy of each hour, by its offset from T0 in hours, rounded against float noise."""
    return {(hour - T0) / HOUR: round(amount.energy, 9) for hour, amount in book.hours()}


def cost_by_hour(book: SessionBook, currency: str = "INR") -> dict[float, float]:
    return {(hour - T0) / HOUR: amount.cost[currency] for hour, amount in book.hours()}


# --- Counting and announcing (the ledger's rules) ----------------------------------------------


@dataclass
class LedgerWorld:
    """What really happens at the operator, and what the book has been shown of it."""

    book: SessionBook
    remember: int
    number: int = 0
    kwh: float = 0.0
    running: bool = True
    now: datetime = T0
    seen_max: dict[str, float] = field(default_factory=dict)
    seen_max_cost: dict[str, float] = field(default_factory=dict)
    announced: dict[str, list[Announcement]] = field(default_factory=dict)
    billed: dict[str, float] = field(default_factory=dict)

    @property
    def session_id(self) -> str:
        return f"session-{self.number}"

    def report(self) -> dict[str, Any]:
        return {
            "id": self.session_id,
            "status": "ACTIVE" if self.running else "COMPLETED",
            "kwh": round(self.kwh, 3),
            "total_cost": round(self.kwh * TARIFF, 2),
            "currency": "INR",
        }

    def apply(self, step: tuple[str, float]) -> None:
        kind, amount = step
        self.now += timedelta(minutes=7)
        if kind == "new":  # the previous session ended unseen or seen; a new one is the latest
            self.number += 1
            self.kwh, self.running = 0.0, True
        elif kind == "grow" and self.running:
            self.kwh += amount
        elif kind == "correct":  # the API lowers a value it sent
            self.kwh = max(self.kwh - amount, 0.0)
        elif kind == "finish":
            self.running = False
        elif kind == "bill" and not self.running and self.session_id in self.seen_max:
            # The CDR of the finished session: its cost with tax (or, rarely, less); taken once.
            amount = round(self.kwh * TARIFF, 2) * amount
            self.book.bill(bill_of(self.session_id), amount=amount)
            self.billed.setdefault(self.session_id, amount)
        elif kind == "restart":  # Home Assistant restarts: only what was stored survives
            self.book = restored(self.book, self.remember)
        elif kind == "observe":  # a poll that reached the API (outages are polls that did not)
            session = parse_session(self.report())
            change = self.book.observe(session, self.now)
            self.announced.setdefault(session.id, []).extend(change.announcements)
            self.seen_max[session.id] = max(self.seen_max.get(session.id, 0.0), session.kwh or 0.0)
            self.seen_max_cost[session.id] = max(
                self.seen_max_cost.get(session.id, 0.0), session.total_cost or 0.0
            )


LEDGER_STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("observe"), st.just(0.0)),
        st.tuples(st.just("observe"), st.just(0.0)),
        st.tuples(st.just("grow"), st.floats(0.001, 5)),
        st.tuples(st.just("correct"), st.floats(0.001, 0.05)),
        st.tuples(st.sampled_from(["new", "finish", "restart"]), st.just(0.0)),
        st.tuples(st.just("bill"), st.sampled_from([1.18, 1.0, 0.9])),
    ),
    max_size=120,
)


@settings(max_examples=300, deadline=None)
@given(steps=LEDGER_STEPS, remember=st.integers(1, 60))
def test_total_is_the_sum_of_sessions_and_never_decreases(
    steps: list[tuple[str, float]], remember: int
) -> None:
    """Repeats, corrections, outages and restarts: each session counts once, at its most."""
    world = LedgerWorld(SessionBook(remember=remember), remember)
    previous_total = previous_cost = 0.0
    for step in steps:
        world.apply(step)
        total = world.book.total_energy
        assert total >= previous_total - 1e-9
        assert abs(total - sum(world.seen_max.values())) < 1e-6
        # Each session at its bill once known (never below what was counted before it).
        expected_cost = sum(
            max(cost, world.billed.get(session_id, 0.0))
            for session_id, cost in world.seen_max_cost.items()
        )
        cost = world.book.total_cost("INR")
        assert abs(cost - expected_cost) < 1e-6
        assert cost >= previous_cost - 1e-9
        previous_total, previous_cost = total, cost
    for announcements in world.announced.values():
        # Started exactly once per session seen, completed at most once and after it.
        assert announcements.count(Announcement.STARTED) == 1
        assert announcements.count(Announcement.COMPLETED) <= 1
        assert announcements[0] is Announcement.STARTED


def test_first_run_keeps_old_sessions_quiet() -> None:
    """At the first start, a session that ended before is counted but not announced."""
    book = SessionBook()
    old = parse_session({"id": "old", "status": "COMPLETED", "kwh": 4.2})
    assert book.observe(old, T0, first_run=True).announcements == ()
    assert book.total_energy == 4.2
    running = parse_session({"id": "now", "status": "ACTIVE", "kwh": 0.5})
    assert book.observe(running, T0, first_run=True).announcements == (Announcement.STARTED,)


def test_a_session_seen_only_after_it_ended_is_announced_whole() -> None:
    """A session that started and ended during an outage still gets both announcements."""
    book = SessionBook()
    missed = parse_session({"id": "missed", "status": "COMPLETED", "kwh": 3.0})
    change = book.observe(missed, T0)
    assert change.announcements == (Announcement.STARTED, Announcement.COMPLETED)


def test_a_change_of_currency_counts_the_session_in_its_new_currency() -> None:
    """Cost totals are kept per currency; a session's cost moves with its currency."""
    book = SessionBook()
    book.observe(
        parse_session({"id": "a", "status": "ACTIVE", "total_cost": 5, "currency": "EUR"}), T0
    )
    book.observe(
        parse_session({"id": "a", "status": "ACTIVE", "total_cost": 90, "currency": "INR"}), T0
    )
    assert (book.total_cost("EUR"), book.total_cost("INR")) == (0.0, 90.0)


def test_a_bill_counts_with_tax_once() -> None:
    """The bill replaces the running figure; the same bill again, or another currency's, not."""
    book = SessionBook()
    book.observe(
        parse_session({"id": "a", "status": "COMPLETED", "total_cost": 10, "currency": "INR"}), T0
    )
    assert book.bill(bill_of("a"), amount=11.8).changed
    assert book.bill(bill_of("a"), amount=11.8) == Change(book.entry("a"))
    assert book.bill(bill_of("a", "EUR"), amount=99.0) == Change(book.entry("a"))
    assert book.bill(bill_of("unknown"), amount=1.0) == Change(None)
    assert book.total_cost("INR") == 11.8
    book.observe(parse_session({"id": "b", "status": "COMPLETED", "kwh": 1}), T0)
    assert book.bill(bill_of("b"), amount=2.0).changed
    assert book.total_cost("INR") == 13.8
    # A later currency of the session drops the bill of the earlier one.
    change = book.observe(
        parse_session({"id": "a", "status": "COMPLETED", "total_cost": 1, "currency": "EUR"}), T0
    )
    assert (book.total_cost("EUR"), book.total_cost("INR")) == (1.0, 2.0)
    assert change.entry is not None
    assert change.entry.billed_cost is None


def test_a_bill_in_another_currency_or_lower_does_not_count() -> None:
    """What `bill` of a fresh session does with a bill it cannot compare, or one below the
    running figure (kept as the session's billed cost, never lowering the total)."""
    book = SessionBook()
    for session_id in ("eur", "lower", "negative"):
        book.observe(
            parse_session(
                {"id": session_id, "status": "COMPLETED", "total_cost": 10, "currency": "INR"}
            ),
            T0,
        )
    change = book.bill(bill_of("eur", "EUR"), amount=99.0)
    assert (change.changed, change.first_changed_hour) == (True, None)
    assert change.entry is not None
    assert (change.entry.billed_cost, change.entry.bill_announced) == (None, True)
    lower = book.bill(bill_of("lower"), amount=9.0)
    assert lower.entry is not None
    assert (lower.first_changed_hour, lower.entry.billed_cost, lower.entry.cost) == (None, 9.0, 10)
    negative = book.bill(bill_of("negative"), amount=-1.0)
    assert negative.entry is not None
    assert negative.entry.billed_cost is None
    assert book.total_cost("INR") == 30.0
    assert book.total_cost("EUR") == 0.0


def test_a_bill_without_an_amount_is_announced_but_counts_nothing() -> None:
    book = SessionBook()
    book.observe(report(1.0, end=0.5), at(0.5))
    bill = Bill("a", None, None, None, "INR", 1.0, 30.0)
    change = book.bill(bill, amount=None)
    assert change == Change(book.entry("a"), changed=True)
    assert book.last_bill == bill
    assert book.total_cost("INR") == 18.0


def test_repeated_reports_change_nothing() -> None:
    """The same report twice: nothing to store, nothing to announce."""
    book = SessionBook()
    session = parse_session(
        {"id": "a", "status": "ACTIVE", "kwh": 1, "total_cost": 18, "currency": "INR"}
    )
    assert book.observe(session, T0).changed
    again = book.observe(session, T0)
    assert (again.changed, again.announcements, again.first_changed_hour) == (False, (), None)


def test_a_retired_session_keeps_its_bill() -> None:
    """A session no longer remembered one by one counts in the total at its bill."""
    book = SessionBook(remember=1)
    book.observe(
        parse_session({"id": "a", "status": "COMPLETED", "total_cost": 10, "currency": "INR"}), T0
    )
    book.bill(bill_of("a"), amount=11.8)
    book.observe(
        parse_session({"id": "b", "status": "ACTIVE", "total_cost": 1, "currency": "INR"}), T0
    )
    assert list(book.sessions) == ["b"]
    assert book.total_cost("INR") == 12.8


# --- Hour by hour (the hourly book's rules) -----------------------------------------------------


def test_a_session_across_hours_is_spread_between_its_readings() -> None:
    """Readings at 8:30 (3 kWh) and 10:15 (10 kWh), started at 8:00."""
    book = SessionBook()
    assert book.observe(report(3.0), at(0.5)).first_changed_hour == at(0)
    # 7 kWh over 1 h 45 min: 1 kWh per 15 minutes.
    assert book.observe(report(10.0), at(2.25)).first_changed_hour == at(0)
    assert energy_by_hour(book) == {0.0: 5.0, 1.0: 4.0, 2.0: 1.0}
    [(_, first), *_] = book.hours()
    assert first.cost == {"INR": pytest.approx(5.0 * TARIFF)}


def test_a_session_seen_only_after_it_ended_is_spread_over_its_start_to_end() -> None:
    """Home Assistant was down: the reading comes hours later, clamped to the session's end."""
    book = SessionBook()
    book.observe(report(6.0, start=0.5, end=2.0), at(9.0))
    assert energy_by_hour(book) == {0.0: 2.0, 1.0: 4.0}


def test_later_knowledge_mends_earlier_hours_only_from_the_last_reading() -> None:
    """A higher final value after the end lands in the end's hour; a repeat changes nothing."""
    book = SessionBook()
    book.observe(report(4.0, end=2.0), at(1.0))
    assert book.observe(report(4.0, end=2.0), at(1.5)).first_changed_hour is None
    assert book.observe(report(8.0, end=2.0), at(5.0)).first_changed_hour == at(1)
    assert energy_by_hour(book) == {0.0: 4.0, 1.0: 4.0}
    # The bill says a little more, known well after the end: the end's hour (ending at 10:00).
    assert book.observe(report(8.5, end=2.0), at(6.0)).first_changed_hour == at(1)
    assert energy_by_hour(book) == {0.0: 4.0, 1.0: 4.5}


def test_lower_or_older_values_change_nothing() -> None:
    """A value the API corrects downwards is never taken; an older reading adds at the last one."""
    book = SessionBook()
    book.observe(report(5.0), at(1.0))
    assert book.observe(report(4.0), at(1.5)).first_changed_hour is None
    assert book.observe(report(6.0), at(0.5)).first_changed_hour == at(0)
    assert energy_by_hour(book) == {0.0: 6.0}


def test_a_session_without_a_start_begins_at_its_first_reading() -> None:
    book = SessionBook()
    book.observe(report(2.0, start=None), at(1.25))
    book.observe(report(3.0, start=None), at(1.75))
    assert energy_by_hour(book) == {1.0: 3.0}


def test_a_new_currency_takes_the_cost_out_of_the_sessions_hours() -> None:
    """The session's cost counts in its new currency only."""
    book = SessionBook()
    book.observe(report(1.0, currency="EUR"), at(0.5))
    assert book.observe(report(2.0, currency="INR"), at(1.5)).first_changed_hour == at(0)
    costs = [amount.cost for _, amount in book.hours()]
    assert costs == [{"INR": pytest.approx(18.0)}, {"INR": pytest.approx(18.0)}]
    # The old currency is remembered, so that its statistic is brought down too.
    assert restored(book).currencies == {"EUR", "INR"}


def test_a_cost_whose_currency_comes_late_counts_from_then() -> None:
    """Energy first without a currency: its cost counts once the currency is known."""
    book = SessionBook()
    book.observe(report(1.0, currency=None), at(0.5))
    assert book.observe(report(1.0), at(0.75)).first_changed_hour == at(0)
    [(_, amount)] = book.hours()
    assert amount == HourAmount(energy=1.0, cost={"INR": pytest.approx(18.0)})


def test_what_is_kept_survives_a_restart_and_retired_sessions_stay_in_their_hours() -> None:
    book = SessionBook(remember=1)
    book.observe(report(3.0, session_id="a"), at(0.5))
    book.observe(report(2.0, session_id="b", start=3.0), at(3.5))
    again = restored(book, remember=1)
    assert again == book
    assert list(again.sessions) == ["b"]
    assert energy_by_hour(again) == {0.0: 3.0, 3.0: 2.0}
    assert again.first_mendable_hour == at(3)
    again.observe(report(4.0, session_id="b", start=3.0), at(4.5))
    assert energy_by_hour(again) == {0.0: 3.0, 3.0: 3.0, 4.0: 1.0}


def test_an_opening_amount_lands_in_its_hour() -> None:
    book = SessionBook()
    book.add_opening(at(1.5), 12.0, {"INR": 200.0, "EUR": 0.0})
    assert book.hours() == [(at(1), HourAmount(energy=12.0, cost={"INR": 200.0}))]
    assert book.first_mendable_hour is None
    book.add_opening(at(5), 1e-12, {"INR": -1e-12})
    assert len(book.hours()) == 1
    assert book.currencies == {"INR"}


@dataclass
class HourlyWorld:
    """What happens at the operator over time, and what the book was shown of it."""

    book: SessionBook
    remember: int
    keep_retired: timedelta = RETIRED_HOURS_KEPT
    now: datetime = T0
    number: int = 0
    kwh: float = 0.0
    start: datetime = T0
    end: datetime | None = None
    last_seen: dict[str, datetime] = field(default_factory=dict)
    seen_max: dict[str, float] = field(default_factory=dict)
    seen_max_cost: dict[str, float] = field(default_factory=dict)
    billed: dict[str, float] = field(default_factory=dict)
    changed_from: datetime | None = None
    """The first hour the latest step changed: the statistics import from there."""

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
        self.changed_from = None
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
        elif kind == "cdr" and self.end is not None:  # the bill with tax restates the cost
            session_id, billed = f"session-{self.number}", round(self.kwh * TARIFF * amount, 2)
            before = self.book.sums(None)
            change = self.book.bill(bill_of(session_id), amount=billed)
            self.untouched_before(before, change.first_changed_hour)
            self.changed_from = change.first_changed_hour
            if session_id in self.last_seen:
                self.billed.setdefault(session_id, billed)
        elif kind == "restart":
            self.book = restored(self.book, self.remember, self.keep_retired)
        elif kind == "observe":
            self.observe()

    def observe(self) -> None:
        session = parse_session(self.report())
        before = self.book.sums(None)
        change = self.book.observe(session, self.now)
        self.untouched_before(before, change.first_changed_hour)
        self.changed_from = change.first_changed_hour
        self.last_seen[session.id] = self.now
        self.seen_max[session.id] = max(self.seen_max.get(session.id, 0.0), session.kwh or 0.0)
        self.seen_max_cost[session.id] = max(
            self.seen_max_cost.get(session.id, 0.0), session.total_cost or 0.0
        )

    def untouched_before(self, before: list[HourSums], changed: datetime | None) -> None:
        """Hours before the one a change names keep their sums: re-importing from there is
        enough. (An hour may go, folded into a later one, whose sum stays the same.)"""
        earlier = {row.hour: row for row in before}
        for row in self.book.sums(None):
            if changed is None or row.hour < changed:
                assert earlier.get(row.hour) == row


HOURLY_STEPS = st.lists(
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
@given(steps=HOURLY_STEPS, remember=st.integers(1, 60))
def test_hours_are_never_negative_and_add_up_to_the_totals(
    steps: list[tuple[str, float]], remember: int
) -> None:
    """Readings, outages, restarts, corrections, late values and bills with tax: the hours sum
    to the totals of each session counted once at its most (its bill when higher), and each
    entry's hours to its own figures."""
    world = HourlyWorld(SessionBook(remember=remember), remember)
    for step in steps:
        world.apply(step)
        hours = world.book.hours()
        assert all(amount.energy >= 0 for _, amount in hours)
        assert all(cost >= 0 for _, amount in hours for cost in amount.cost.values())
        assert sum(amount.energy for _, amount in hours) == pytest.approx(
            sum(world.seen_max.values()), abs=1e-6
        )
        assert world.book.total_energy == pytest.approx(sum(world.seen_max.values()), abs=1e-6)
        expected_cost = sum(
            max(cost, world.billed.get(session_id, 0.0))
            for session_id, cost in world.seen_max_cost.items()
        )
        assert sum(amount.cost.get("INR", 0.0) for _, amount in hours) == pytest.approx(
            expected_cost, abs=1e-6
        )
        assert world.book.total_cost("INR") == pytest.approx(expected_cost, abs=1e-6)
        for entry in world.book.sessions.values():
            assert entry.energy == pytest.approx(
                sum(amount.energy for amount in entry.hours.values()), abs=1e-6
            )
            assert entry.counted_cost == pytest.approx(
                sum(amount.cost.get("INR", 0.0) for amount in entry.hours.values()), abs=1e-6
            )
        # Nothing lands after the latest reading: energy is never booked ahead of time.
        if hours:
            assert hours[-1][0] <= hour_of(max(world.last_seen.values()))


# Session after session, each seen while it charges over hours and after it ended, between
# outages and restarts: the oldest retire, and their hours age.
_IN_A_SESSION = st.lists(
    st.one_of(
        st.tuples(st.just("wait"), st.floats(10, 200)),
        st.tuples(st.sampled_from(["observe", "observe", "restart"]), st.just(0.0)),
    ),
    max_size=6,
)
_AFTER_IT = st.lists(
    st.one_of(
        st.tuples(st.just("bill"), st.floats(0.001, 0.5)),
        st.tuples(st.just("cdr"), st.floats(0.9, 1.3)),
        st.tuples(st.sampled_from(["observe", "restart"]), st.just(0.0)),
    ),
    max_size=3,
)
FOLDING_STEPS = st.lists(
    st.tuples(_IN_A_SESSION, _AFTER_IT, st.floats(0, 600)).map(
        lambda session: [
            ("new", 0.0),
            ("observe", 0.0),
            *session[0],
            ("finish", 0.0),
            *session[1],
            ("wait", session[2]),
        ]
    ),
    min_size=2,
    max_size=10,
).map(lambda sessions: [step for session in sessions for step in session])


@settings(max_examples=300, deadline=None)
@given(
    steps=FOLDING_STEPS,
    remember=st.integers(1, 4),
    keep_retired=st.sampled_from([timedelta(hours=3), timedelta(0)]),
)
def test_folding_changes_no_sum_the_statistics_can_import_again(
    steps: list[tuple[str, float]], remember: int, keep_retired: timedelta
) -> None:
    """Side by side with a book that folds nothing: the same changes, the same totals to the
    last bit, and the same sums from every hour the statistics import from (the hour a change
    names; after a restart, the first mendable hour); never more hours."""
    book = SessionBook(remember=remember, keep_retired=keep_retired)
    folding = HourlyWorld(book, remember, keep_retired)
    keeping = HourlyWorld(SessionBook(remember=remember), remember)
    for step in steps:
        folding.apply(step)
        keeping.apply(step)
        assert folding.changed_from == keeping.changed_from
        assert kept_totals(folding.book) == kept_totals(keeping.book)
        mendable = folding.book.first_mendable_hour
        assert mendable == keeping.book.first_mendable_hour
        for since in (folding.changed_from, mendable):
            if since is not None:
                assert folding.book.sums(since) == keeping.book.sums(since)
        assert len(folding.book.hours()) <= len(keeping.book.hours())


def a_session_a_month(book: SessionBook, months: int) -> list[Change]:
    """Month after month, a session of 3 hours at 2.5 kWh an hour, seen charging and ended."""
    changes = []
    for month in range(months):
        start = month * 30 * 24 + 0.5
        changes.append(
            book.observe(report(2.5, session_id=f"m{month}", start=start), at(start + 1))
        )
        ended = report(7.5, session_id=f"m{month}", start=start, end=start + 3)
        changes.append(book.observe(ended, at(start + 3.1)))
    return changes


def test_retired_hours_older_than_a_year_fold_into_the_latest_of_them() -> None:
    """15 months of sessions, 2 remembered: the hours retired more than 366 days before the
    latest session are one, which carries them all; every sum from it on is what it was, and
    so are the totals, to the last bit."""
    book = SessionBook(remember=2)
    keeping = SessionBook(remember=2, keep_retired=timedelta(days=100_000))
    changes = a_session_a_month(book, 15)
    assert changes == a_session_a_month(keeping, 15)
    assert kept_totals(book) == kept_totals(keeping)
    assert book.total_energy == pytest.approx(15 * 7.5)
    # The last session, 420 days in, retired the 13th: hours before day 54 were folded then,
    # those of the first two sessions.
    folded = datetime.fromisoformat(book.as_dict()["folded"])
    retiring = at(14 * 30 * 24 + 0.5 + 1)
    assert folded == max(
        hour for hour, _ in keeping.hours() if hour < retiring - RETIRED_HOURS_KEPT
    )
    assert [hour for hour, _ in book.hours() if hour <= folded] == [folded]
    assert len(book.hours()) == len(keeping.hours()) - 2 * 4 + 1  # 2 sessions' hours in one
    for since in (folded, book.first_mendable_hour, changes[-1].first_changed_hour):
        assert book.sums(since) == keeping.sums(since)
    [(_, carried)] = [(hour, amount) for hour, amount in book.hours() if hour == folded]
    assert carried.energy == pytest.approx(2 * 7.5)
    assert carried.cost == {"INR": pytest.approx(2 * 135.0)}
    again = restored(book, remember=2)
    assert again == book
    assert again.hours() == book.hours()


def test_nothing_lands_before_the_folded_hour() -> None:
    """A session first seen after it began before the folded hour (an API showing an old
    session as the latest): its amounts go after it, where the statistics import them."""
    book = SessionBook(remember=2)
    a_session_a_month(book, 15)
    folded = datetime.fromisoformat(book.as_dict()["folded"])
    old_start = (folded - T0) / HOUR - 48
    change = book.observe(report(3.0, session_id="old", start=old_start, end=old_start + 1), at(0))
    assert change.first_changed_hour == folded
    entry = book.entry("old")
    assert entry is not None
    assert min(entry.hours) == folded
    assert entry.at == folded + HOUR
    book.add_opening(folded - 5 * HOUR, 1.0, {})
    assert min(hour for hour, _ in book.hours()) == folded
    assert book.total_energy == pytest.approx(15 * 7.5 + 3.0 + 1.0)


def test_nothing_folds_while_a_ledger_waits_for_its_hours() -> None:
    """`place` opens before the first hour, and the statistics import every hour from there."""
    book = a_book(remember=1, keep_retired=timedelta(0), ledger=3.0)
    book.add_opening(at(0), 1.0, {})
    for number in (1, 2, 3):
        use(book, "observe", number, 12.0, "INR")
    assert book.as_dict()["folded"] is None
    change = book.place(None, at(20))
    assert change.first_changed_hour == min(hour for hour, _ in book.hours()) == at(-1)
    use(book, "observe", 4, 12.0, "INR")
    assert book.as_dict()["folded"] is not None


def test_a_bill_restates_the_sessions_cost_in_its_hours() -> None:
    """18% GST on 5 + 4 + 1 kWh at 18/kWh: each hour keeps its share of the billed amount."""
    book = SessionBook()
    book.observe(report(3.0), at(0.5))
    book.observe(report(10.0, end=2.25), at(2.25))
    billed = 10.0 * TARIFF * 1.18
    change = book.bill(bill_of("a"), amount=billed)
    assert change.first_changed_hour == at(0)
    assert cost_by_hour(book) == {
        0.0: pytest.approx(5 * TARIFF * 1.18),
        1.0: pytest.approx(4 * TARIFF * 1.18),
        2.0: pytest.approx(1 * TARIFF * 1.18),
    }
    assert change.entry is not None
    assert (change.entry.billed_cost, change.entry.counted_cost) == (billed, billed)
    # A later, higher value before tax changes nothing: the bill is already more.
    assert book.observe(report(10.0, end=2.25), at(3.0)).first_changed_hour is None
    # Never lower, never in another currency, never for a session not followed.
    for session_id, amount, currency in (("lower", 10 * TARIFF - 1, "INR"), ("eur", 999, "EUR")):
        other = SessionBook()
        other.observe(report(10.0, session_id=session_id, end=2.25), at(2.25))
        before = other.hours()
        assert other.bill(bill_of(session_id, currency), amount=amount).first_changed_hour is None
        assert other.hours() == before
    assert book.bill(bill_of("unknown"), amount=billed) == Change(None)


def test_a_bill_without_costs_in_the_hours_goes_by_energy_or_to_the_last_hour() -> None:
    book = SessionBook()
    book.observe(report(2.0, currency=None), at(1.5))
    assert book.bill(bill_of("a"), amount=40.0).first_changed_hour == at(0)
    assert cost_by_hour(book) == {0.0: pytest.approx(40 * 2 / 3), 1.0: pytest.approx(40 / 3)}
    nowhere = SessionBook()
    nowhere.observe(report(0.0, currency=None), at(1.5))
    change = nowhere.bill(bill_of("a", None), amount=5.0)  # no currency known anywhere
    assert change.first_changed_hour is None
    assert change.entry is not None
    assert change.entry.billed_cost == 5.0
    empty = SessionBook()
    empty.observe(report(0.0, currency=None), at(1.5))
    assert empty.bill(bill_of("a"), amount=5.0).first_changed_hour == at(0)
    [(hour, amount)] = empty.hours()
    assert (hour, amount.cost) == (at(0), {"INR": 5.0})


# --- The totals: added up once per change, never stale -----------------------------------------

CURRENCIES = ("INR", "EUR")
# Every public door of the book that may change something, each tried in every state below.
DOORS = (
    "observe",
    "bill",
    "give_up_bill",
    "mark_stop_sent",
    "note_stop_failing",
    "note_limits",
    "note_autostop",
    "add_opening",
    "place",
)
# The rest only read (or build a book anew).
READERS = {
    "entry",
    "tax_ratio",
    "cost_with_tax",
    "total_energy",
    "total_cost",
    "currencies",
    "hours",
    "sums",
    "first_mendable_hour",
    "needs_placing",
    "as_dict",
    "from_release_1",
}


def added_up_afresh(book: SessionBook) -> tuple[float, dict[str, float]]:
    """The totals from the hours, by a book that has kept nothing yet (after a restart)."""
    fresh = SessionBook(json.loads(json.dumps(book.as_dict())))
    return kept_totals(fresh)


def kept_totals(book: SessionBook) -> tuple[float, dict[str, float]]:
    return book.total_energy, {currency: book.total_cost(currency) for currency in CURRENCIES}


def use(book: SessionBook, door: str, number: int, amount: float, currency: str | None) -> None:
    """Go through one door of the book with what the draw gave: session `number`, `amount`.

    Session n starts 3n hours in, and is seen up to 4 hours later."""
    session_id = f"s{number}"
    ended = amount > 10
    start = 3 * number
    session = report(
        amount,
        session_id=session_id,
        start=start,
        end=start + 2 if ended else None,
        currency=currency,
    )
    match door:
        case "observe":
            book.observe(session, at(start + amount / 5), first_run=number == 0)
        case "bill":
            book.bill(bill_of(session_id, currency), amount=amount * 20 if amount > 1 else None)
        case "give_up_bill":
            book.give_up_bill(session_id)
        case "mark_stop_sent":
            book.mark_stop_sent(session_id, "user")
        case "note_stop_failing":
            book.note_stop_failing(session_id, failing=ended)
        case "note_limits":
            book.note_limits(session_id, energy=amount, cost=None, battery=None)
        case "note_autostop":
            book.note_autostop(session_id, amount)
        case "add_opening":
            book.add_opening(at(-number), amount, {currency: amount * TARIFF} if currency else {})
        case "place":
            book.place(session if ended else None, at(number + 1))


BOOK_STEPS = st.lists(
    st.tuples(
        st.sampled_from((*DOORS, "restart")),
        # Few sessions, so that the doors meet the same ones often.
        st.integers(0, 3),
        st.one_of(st.sampled_from([0.0, 2.0, 5.0, 12.0]), st.floats(0, 20)),
        st.sampled_from([*CURRENCIES, None]),
    ),
    max_size=60,
)


def a_book(
    *,
    remember: int = MAX_REMEMBERED_SESSIONS,
    keep_retired: timedelta = RETIRED_HOURS_KEPT,
    ledger: float | None = None,
) -> SessionBook:
    """Empty, or as a first release's ledger left it: session 1's 2 kWh and `ledger` kWh of
    older sessions, to be put in hours (`place`)."""
    if ledger is None:
        return SessionBook(remember=remember, keep_retired=keep_retired)
    stored = {"sessions": {"s1": ledger_record(energy=2.0, cost=36.0)}, "retired_energy": ledger}
    book = SessionBook.from_release_1(stored, None, remember=remember)
    # As the Store brings it back after the migration, kept for as long as asked.
    return restored(book, remember, keep_retired)


def test_every_public_door_of_the_book_is_tried_or_only_reads() -> None:
    """A new door must join DOORS (and so the test below) or say that it only reads."""
    public = {name for name in vars(SessionBook) if not name.startswith("_")}
    assert public == set(DOORS) | READERS


@settings(max_examples=300, deadline=None)
@given(
    steps=BOOK_STEPS,
    remember=st.integers(1, 4),
    keep_retired=st.sampled_from([RETIRED_HOURS_KEPT, timedelta(0)]),
    ledger=st.sampled_from([None, 0.0, 3.0]),
)
def test_the_kept_totals_are_those_of_the_hours_after_every_door(
    steps: list[tuple[str, int, float, str | None]],
    remember: int,
    keep_retired: timedelta,
    ledger: float | None,
) -> None:
    """Whatever changed, through whichever door, in whatever order, folded or not: the totals
    the book kept equal the sums of its hours then, exactly, and the statistics' last sums are
    the totals."""
    book = a_book(remember=remember, keep_retired=keep_retired, ledger=ledger)
    for door, number, amount, currency in steps:
        kept_totals(book)  # what the book keeps now, which the door may have to forget
        if door == "restart":
            book = restored(book, remember, keep_retired)
        else:
            use(book, door, number, amount, currency)
        energy, cost = kept_totals(book)
        assert (energy, cost) == added_up_afresh(book)
        hours = book.hours()
        assert energy == pytest.approx(sum(amount.energy for _, amount in hours), abs=1e-9)
        for currency_ in CURRENCIES:
            assert cost[currency_] == pytest.approx(
                sum(amount.cost.get(currency_, 0.0) for _, amount in hours), abs=1e-9
            )
        sums = book.sums(None)
        if sums:
            assert (sums[-1].energy, sums[-1].cost.get("INR", 0.0)) == (
                book.total_energy,
                book.total_cost("INR"),
            )


@pytest.mark.parametrize(
    ("ledger", "before", "door"),
    [
        (None, [("observe", 0, 5.0, "INR")], ("observe", 0, 6.0, "INR")),
        # A new currency without a cost yet: the old currency's cost leaves the hours.
        (None, [("observe", 0, 5.0, "INR")], ("observe", 0, 0.0, "EUR")),
        (None, [("observe", 0, 12.0, "INR")], ("bill", 0, 12.0, "INR")),
        (None, [("observe", 0, 5.0, "INR")], ("add_opening", 1, 3.0, "INR")),
        # The ledger's session 1 in its hours, nothing older to open with.
        (0.0, [], ("place", 1, 12.0, "INR")),
        (3.0, [], ("place", 1, 12.0, "INR")),
    ],
    ids=["reading", "new currency", "bill", "opening", "placing", "placing with an opening"],
)
def test_each_door_that_changes_the_hours_forgets_the_totals(
    ledger: float | None,
    before: list[tuple[str, int, float, str | None]],
    door: tuple[str, int, float, str | None],
) -> None:
    book = a_book(ledger=ledger)
    for step in before:
        use(book, *step)
    kept = kept_totals(book)
    use(book, *door)
    assert kept_totals(book) != kept
    assert kept_totals(book) == added_up_afresh(book)


def test_the_totals_are_added_up_once_per_change(monkeypatch: pytest.MonkeyPatch) -> None:
    """A poll reads them for each entity; the statistics' import adds them up on the way."""
    book = SessionBook()
    book.observe(report(1.0), at(0.5))
    merged: list[SessionBook] = []
    hours = SessionBook.hours

    def counted(self: SessionBook) -> list[tuple[datetime, HourAmount]]:
        merged.append(self)
        return hours(self)

    monkeypatch.setattr(SessionBook, "hours", counted)
    rows = book.sums(at(0))  # the import after the change
    for _ in range(3):  # each entity of each poll
        assert (book.total_energy, book.total_cost("INR")) == (1.0, 18.0)
    assert len(merged) == 1
    assert rows == [(at(0), 1.0, {"INR": 18.0})]
    book.observe(report(1.0), at(0.75))  # the same value again: nothing to add up
    book.note_limits("a", energy=5.0, cost=None)
    assert book.total_energy == 1.0
    assert len(merged) == 1
    book.observe(report(2.0), at(1.0))
    assert (book.total_energy, book.total_energy, book.total_cost("INR")) == (2.0, 2.0, 36.0)
    assert len(merged) == 2


# --- The typed doors, the bill, what is kept ---------------------------------------------------


def test_the_doors_change_an_entry_and_say_whether_they_did() -> None:
    book = SessionBook()
    book.observe(report(1.0), at(0.5))
    assert book.note_limits("a", energy=5.0, cost=None)
    assert not book.note_limits("a", energy=5.0, cost=None)
    assert book.note_limits("a", energy=None, cost=100.0)
    assert book.note_autostop("a", 12.0)
    assert not book.note_autostop("a", 12.0)
    assert book.mark_stop_sent("a", "energy")
    assert not book.mark_stop_sent("a", "energy")
    assert book.mark_stop_sent("a", "user")
    assert book.give_up_bill("a")
    assert not book.give_up_bill("a")
    for door in (
        lambda: book.note_limits("unknown", energy=1.0, cost=1.0),
        lambda: book.note_autostop("unknown", 1.0),
        lambda: book.mark_stop_sent("unknown", "user"),
        lambda: book.give_up_bill("unknown"),
    ):
        assert not door()
    entry = book.entry("a")
    assert entry is not None
    assert (entry.energy_limit, entry.cost_limit, entry.autostop) == (None, 100.0, 12.0)
    assert entry.stop == StopRecord(sent=True, by="user")
    # A bill given up on is never taken in afterwards.
    assert book.bill(bill_of("a"), amount=99.0) == Change(entry)
    assert book.last_bill is None
    assert book.entry("unknown") is None


def test_the_bill_is_what_the_tracker_kept_as_last_bill() -> None:
    """Rounded to the cent, kWh to 3 decimals, minutes to 1; the session's currency if the CDR
    has none; and back from its dict."""
    session = parse_session(
        {
            "id": "hex",
            "status": "COMPLETED",
            "kwh": 8.027,
            "total_cost": 144.49,
            "currency": "INR",
            "start_datetime": at(0).isoformat(),
            "end_datetime": at(65 / 60).isoformat(),
        }
    )
    cdr = parse_cdr(
        {
            "id": "cdr-1",
            "total_cost": 144.49,
            "total_cost_incl_vat": 170.49819999999997,
            "total_energy": 8027.4,
            "total_time": 65.1234,
        },
        session,
    )
    bill = Bill.of(session, cdr)
    assert bill.as_dict() == {
        "session_id": "hex",
        "cost": 170.5,
        "cost_before_tax": 144.49,
        "tax": 26.01,
        "currency": "INR",
        "energy": 8.027,
        "duration": 65.1,
    }
    assert Bill.from_dict(json.loads(json.dumps(bill.as_dict()))) == bill
    empty = Bill.of(session, parse_cdr({"id": "nothing"}, session))
    assert empty.as_dict() == {
        "session_id": "hex",
        "cost": None,
        "cost_before_tax": None,
        "tax": None,
        "currency": "INR",
        "energy": None,
        "duration": None,
    }


def test_everything_survives_a_round_trip_through_json() -> None:
    book = SessionBook(remember=2)
    book.observe(report(3.0, session_id="a", end=0.5), at(0.5))
    book.bill(Bill("a", 63.72, 54.0, 9.72, "INR", 3.0, 30.0), amount=63.72)
    book.observe(report(1.0, session_id="b", start=1.0, currency="EUR"), at(1.5))
    book.observe(report(2.0, session_id="c", start=2.0), at(2.5))
    book.note_limits("c", energy=4.0, cost=90.0)
    book.note_autostop("c", 5.0)
    book.mark_stop_sent("c", "cost")
    book.add_opening(at(-3), 1.0, {"USD": 2.0})
    again = restored(book, remember=2)
    assert again == book
    assert again.sessions == book.sessions
    assert again.last_bill == book.last_bill
    assert again.hours() == book.hours()
    assert again.currencies == {"EUR", "INR", "USD"}
    assert again.first_mendable_hour == book.first_mendable_hour == at(1)
    assert again != restored(book)  # keeps another number of entries
    assert again != book.as_dict()
    assert SessionBook() == SessionBook(None)
    # The sessions' hours and the retired ones: a retired session keeps its bill.
    assert again.total_cost("INR") == pytest.approx(63.72 + 36.0)
    assert again.total_energy == pytest.approx(7.0)


def test_an_entry_from_a_later_minor_version_reads_what_it_knows() -> None:
    stored = SessionEntry(energy=1.0, at=T0).as_dict() | {"something_new": True}
    del stored["stop"]
    assert SessionEntry.from_dict(stored) == SessionEntry(energy=1.0, at=T0)


# --- From version 1: the ledger and the hourly book --------------------------------------------


def ledger_record(**fields: Any) -> dict[str, Any]:
    return {"energy": 0.0, "cost": 0.0, "currency": "INR"} | fields


def test_a_ledger_without_hours_is_placed_as_the_first_start_backfilled() -> None:
    """As tests/test_statistics.py::test_backfill_from_the_ledger_at_the_first_start: 30 kWh of
    older sessions open the hours in the hour before the running session's (8:20 to 8:40)."""
    running = report(1.5, session_id="running", start=20 / 60)
    book = SessionBook.from_release_1(
        {
            "sessions": {
                "older": ledger_record(energy=30.0, cost=540.0),
                "running": ledger_record(energy=1.5, cost=27.0),
            },
            "retired_energy": 0.0,
            "retired_cost": {},
        },
        None,
    )
    assert book.needs_placing
    assert restored(book).needs_placing
    change = book.place(running, at(40 / 60))
    assert not book.needs_placing
    assert change.changed
    assert change.first_changed_hour == at(-1)
    assert change.entry is book.entry("running")
    # The API shows 2 kWh now: 1.5 known before, 0.5 more.
    book.observe(report(2.0, session_id="running", start=20 / 60), at(40 / 60))
    assert energy_by_hour(book) == {-1.0: 30.0, 0.0: 2.0}
    assert cost_by_hour(book) == {-1.0: 540.0, 0.0: pytest.approx(36.0)}
    assert book.currencies == {"INR"}
    assert book.total_energy == pytest.approx(32.0)
    assert book.place(running, at(1)) == Change(None)


def test_placing_without_the_latest_opens_the_hour_before_the_reading() -> None:
    """The latest session unknown to the ledger (or none): everything opens the hour before,
    the sessions the ledger had retired too."""
    ledger = {
        "sessions": {
            "a": ledger_record(energy=2.0, cost=36.0),
            "nothing": ledger_record(),
            "b": ledger_record(energy=1.0, cost=20.0, currency="EUR"),
            "c": ledger_record(energy=3.0, cost=0.0, currency=None),
        },
        "retired_energy": 10.0,
        "retired_cost": {"INR": 180.0, "USD": 0.0},
    }
    book = SessionBook.from_release_1(ledger, None)
    book.place(None, at(2.5))
    [(hour, opening)] = book.hours()
    assert (hour, opening) == (at(1), HourAmount(16.0, {"INR": 216.0, "EUR": 20.0}))
    assert book.currencies == {"INR", "EUR"}
    b = book.entry("b")
    assert b is not None
    assert b.hours == {at(1): HourAmount(1.0, {"EUR": 20.0})}
    assert b.at is None
    assert book.first_mendable_hour is None
    # Seen again (its bill, or more energy): what it adds is spread from its start.
    assert book.observe(report(1.5, session_id="b", currency="EUR"), at(1.0)).changed
    assert energy_by_hour(book) == {0.0: 0.5, 1.0: 16.0}
    assert book.total_cost("EUR") == pytest.approx(27.0)

    # Retired before it was placed (a reading came first): it is not lost.
    early = SessionBook.from_release_1(ledger, None, remember=1)
    early.observe(report(1.0, session_id="new", start=None), at(0.2))
    assert list(early.sessions) == ["new"]
    early.place(None, at(2.5))
    assert energy_by_hour(early) == {-1.0: 16.0, 0.0: 1.0}


def test_placing_a_latest_session_with_nothing_or_without_a_currency() -> None:
    empty = SessionBook.from_release_1({"sessions": {"a": ledger_record()}}, None)
    change = empty.place(report(0.0, start=0.25), at(0.5))
    assert (change.first_changed_hour, empty.hours()) == (None, [])
    entry = empty.entry("a")
    assert entry is not None
    assert entry.at == at(0.25)  # what comes next is spread from its start
    no_currency = SessionBook.from_release_1(
        {"sessions": {"a": ledger_record(energy=2.0, currency=None)}}, None
    )
    no_currency.place(report(2.0, currency=None), at(0.5))
    assert no_currency.hours() == [(at(0), HourAmount(2.0, {}))]
    assert no_currency.currencies == set()


def test_a_bill_of_a_session_known_only_from_the_ledger() -> None:
    """Its amounts have no hour of their own: the bill goes to the latest retired hour."""
    book = SessionBook.from_release_1(
        {"sessions": {"old": ledger_record(), "older": ledger_record()}},
        {"sessions": {}, "retired": {at(-5).isoformat(): [1.0, {"INR": 18.0}]}},
    )
    assert book.bill(bill_of("old"), amount=50.0).first_changed_hour == at(-5)
    assert book.total_cost("INR") == 68.0
    nowhere = SessionBook.from_release_1({"sessions": {"old": ledger_record()}}, {"sessions": {}})
    change = nowhere.bill(bill_of("old"), amount=50.0)
    assert (change.first_changed_hour, nowhere.total_cost("INR")) == (None, 0.0)


def test_the_ledger_and_the_hourly_book_merge_into_one_entry_each() -> None:
    """Flags from the ledger, hours from the hourly book; a session the ledger let go of
    retires into plain hours; one the hourly book never followed takes its share of the
    opening hour; a STOP of the first versions (limit_stop_sent) is a STOP sent."""
    ledger = {
        "sessions": {
            "older": ledger_record(energy=30.0, cost=540.0, started_announced=True),
            "followed": ledger_record(
                energy=3.0,
                cost=54.0,
                billed_cost=63.72,
                bill_announced=True,
                limit_stop_sent=True,
                energy_limit=3.0,
                started_announced=True,
                completed_announced=True,
            ),
            "short": ledger_record(energy=2.0, cost=36.0, stop_sent=True, stopped_by="user"),
        },
        "retired_energy": 5.0,
        "retired_cost": {"INR": 90.0},
        "operator": {"meter_gaps": [60.0], "stop_latencies": []},
        "last_bill": {"session_id": "followed", "cost": 63.72},
        "token_uids": {},
    }
    hourly = {
        "sessions": {
            "let-go": {
                "at": at(-0.5).isoformat(),
                "energy": 1.0,
                "cost": 18.0,
                "currency": "INR",
                "hours": {at(-1).isoformat(): [1.0, {"INR": 18.0}]},
            },
            "followed": {
                "at": at(1.5).isoformat(),
                "energy": 3.0,
                "cost": 63.72,
                "currency": "INR",
                "hours": {
                    at(0).isoformat(): [2.0, {"INR": 42.48}],
                    at(1).isoformat(): [1.0, {"INR": 21.24}],
                },
            },
            "short": {  # the hourly book saw less than the ledger counted
                "at": at(3.5).isoformat(),
                "energy": 1.5,
                "cost": 27.0,
                "currency": "INR",
                "hours": {at(3).isoformat(): [1.5, {"INR": 27.0}]},
            },
        },
        "retired": {at(-2).isoformat(): [35.0, {"INR": 630.0}]},
        "currencies": ["INR"],
    }
    book = SessionBook.from_release_1(ledger, hourly)
    assert not book.needs_placing
    assert list(book.sessions) == ["older", "followed", "short"]
    followed = book.entry("followed")
    assert followed == SessionEntry(
        energy=3.0,
        cost=63.72,
        currency="INR",
        at=at(1.5),
        hours={at(0): HourAmount(2.0, {"INR": 42.48}), at(1): HourAmount(1.0, {"INR": 21.24})},
        billed_cost=63.72,
        started_announced=True,
        completed_announced=True,
        bill_announced=True,
        energy_limit=3.0,
        stop=StopRecord(sent=True, by=None),
    )
    older = book.entry("older")
    assert older is not None
    assert older.hours == {at(-2): HourAmount(30.0, {"INR": 540.0})}
    assert older.at is None
    short = book.entry("short")
    assert short is not None
    assert short.stop == StopRecord(sent=True, by="user")
    assert short.hours == {at(3): HourAmount(2.0, {"INR": 36.0})}
    assert energy_by_hour(book) == {-2.0: 35.0, -1.0: 1.0, 0.0: 2.0, 1.0: 1.0, 3.0: 2.0}
    assert book.total_energy == pytest.approx(41.0)
    assert book.total_cost("INR") == pytest.approx(630 + 18 + 63.72 + 36)
    assert book.last_bill == Bill("followed", 63.72, None, None, None, None, None)
    assert book.first_mendable_hour == at(1)
    assert restored(book) == book


def test_a_ledger_session_the_hourly_book_has_no_hour_for_waits_for_placing() -> None:
    book = SessionBook.from_release_1(
        {"sessions": {"old": ledger_record(energy=1.0, cost=18.0), "none": ledger_record()}},
        {"sessions": {}, "retired": {}, "currencies": []},
    )
    assert book.needs_placing
    book.place(None, at(2.5))
    assert book.hours() == [(at(1), HourAmount(1.0, {"INR": 18.0}))]


def test_an_opening_smaller_than_the_ledger_says_never_goes_below_nothing() -> None:
    book = SessionBook.from_release_1(
        {
            "sessions": {
                "a": ledger_record(energy=3.0, cost=54.0),
                "b": ledger_record(energy=3.0, cost=54.0),
            }
        },
        {"sessions": {}, "retired": {at(-1).isoformat(): [4.0, {"INR": 72.0}]}},
    )
    assert book.hours() == [(at(-1), HourAmount(6.0, {"INR": 108.0}))]
    assert book.total_energy == 6.0
