"""The session ledger: every session counted once, whatever the API and Home Assistant do."""

from dataclasses import dataclass, field
import json
from typing import Any

from hypothesis import given, settings, strategies as st

from custom_components.evnnovator.api import parse_session
from custom_components.evnnovator.ledger import Announcement, SessionLedger

TARIFF = 18.0


@dataclass
class World:
    """What really happens at the operator, and what the ledger has been shown of it."""

    ledger: SessionLedger
    remember: int
    number: int = 0
    kwh: float = 0.0
    running: bool = True
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
            # The CDR of the finished session: its cost with tax (or, rarely, less).
            amount = round(self.kwh * TARIFF, 2) * amount
            self.ledger.bill(self.session_id, amount=amount, currency="INR")
            self.billed[self.session_id] = max(self.billed.get(self.session_id, 0.0), amount)
        elif kind == "restart":  # Home Assistant restarts: only what was stored survives
            stored = json.loads(json.dumps(self.ledger.as_dict()))
            self.ledger = SessionLedger(stored, remember=self.remember)
        elif kind == "observe":  # a poll that reached the API (outages are polls that did not)
            session = parse_session(self.report())
            observation = self.ledger.observe(session)
            self.announced.setdefault(session.id, []).extend(observation.announcements)
            self.seen_max[session.id] = max(self.seen_max.get(session.id, 0.0), session.kwh or 0.0)
            self.seen_max_cost[session.id] = max(
                self.seen_max_cost.get(session.id, 0.0), session.total_cost or 0.0
            )


STEPS = st.lists(
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
@given(steps=STEPS, remember=st.integers(1, 60))
def test_total_is_the_sum_of_sessions_and_never_decreases(
    steps: list[tuple[str, float]], remember: int
) -> None:
    """Repeats, corrections, outages and restarts: each session counts once, at its most."""
    world = World(SessionLedger(remember=remember), remember)
    previous_total = previous_cost = 0.0
    for step in steps:
        world.apply(step)
        total = world.ledger.total_energy
        assert total >= previous_total - 1e-9
        assert abs(total - sum(world.seen_max.values())) < 1e-6
        # Each session at its bill once known (never below what was counted before it).
        expected_cost = sum(
            max(cost, world.billed.get(session_id, 0.0))
            for session_id, cost in world.seen_max_cost.items()
        )
        cost = world.ledger.total_cost("INR")
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
    ledger = SessionLedger()
    old = parse_session({"id": "old", "status": "COMPLETED", "kwh": 4.2})
    assert ledger.observe(old, first_run=True).announcements == []
    assert ledger.total_energy == 4.2
    running = parse_session({"id": "now", "status": "ACTIVE", "kwh": 0.5})
    assert ledger.observe(running, first_run=True).announcements == [Announcement.STARTED]


def test_a_session_seen_only_after_it_ended_is_announced_whole() -> None:
    """A session that started and ended during an outage still gets both announcements."""
    ledger = SessionLedger()
    missed = parse_session({"id": "missed", "status": "COMPLETED", "kwh": 3.0})
    observation = ledger.observe(missed)
    assert observation.announcements == [Announcement.STARTED, Announcement.COMPLETED]


def test_a_change_of_currency_counts_the_session_in_its_new_currency() -> None:
    """Cost totals are kept per currency; a session's cost moves with its currency."""
    ledger = SessionLedger()
    ledger.observe(
        parse_session({"id": "a", "status": "ACTIVE", "total_cost": 5, "currency": "EUR"})
    )
    ledger.observe(
        parse_session({"id": "a", "status": "ACTIVE", "total_cost": 90, "currency": "INR"})
    )
    assert (ledger.total_cost("EUR"), ledger.total_cost("INR")) == (0.0, 90.0)


def test_a_bill_counts_with_tax_once() -> None:
    """The bill replaces the running figure; the same bill again, or another currency's, not."""
    ledger = SessionLedger()
    ledger.observe(
        parse_session({"id": "a", "status": "COMPLETED", "total_cost": 10, "currency": "INR"})
    )
    assert ledger.bill("a", amount=11.8, currency="INR")
    assert not ledger.bill("a", amount=11.8, currency="INR")
    assert not ledger.bill("a", amount=99.0, currency="EUR")
    assert not ledger.bill("unknown", amount=1.0, currency="INR")
    assert ledger.total_cost("INR") == 11.8
    ledger.observe(parse_session({"id": "b", "status": "COMPLETED", "kwh": 1}))
    assert ledger.bill("b", amount=2.0, currency="INR")
    assert ledger.total_cost("INR") == 13.8
    # A later currency of the session drops the bill of the earlier one.
    ledger.observe(
        parse_session({"id": "a", "status": "COMPLETED", "total_cost": 1, "currency": "EUR"})
    )
    assert (ledger.total_cost("EUR"), ledger.total_cost("INR")) == (1.0, 2.0)


def test_repeated_reports_change_nothing() -> None:
    """The same report twice: nothing to store, nothing to announce."""
    ledger = SessionLedger()
    report = parse_session(
        {"id": "a", "status": "ACTIVE", "kwh": 1, "total_cost": 18, "currency": "INR"}
    )
    assert ledger.observe(report).changed
    again = ledger.observe(report)
    assert (again.changed, again.announcements) == (False, [])


def test_a_retired_session_keeps_its_bill() -> None:
    """A session no longer remembered one by one counts in the total at its bill."""
    ledger = SessionLedger(remember=1)
    ledger.observe(
        parse_session({"id": "a", "status": "COMPLETED", "total_cost": 10, "currency": "INR"})
    )
    ledger.bill("a", amount=11.8, currency="INR")
    ledger.observe(
        parse_session({"id": "b", "status": "ACTIVE", "total_cost": 1, "currency": "INR"})
    )
    assert list(ledger.sessions) == ["b"]
    assert ledger.total_cost("INR") == 12.8
