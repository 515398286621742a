"""The bookkeeping of sessions: each counted once in the totals, each announced once.

Pure data, no Home Assistant: the tracker feeds it what the API reports and acts on what it
answers. The rule for energy: a session counts with the most energy it ever reported, so that a
value corrected downwards, repeated, or seen again after a restart never lowers or doubles the
total (a total_increasing sensor must never go down).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .api import Session

# Sessions remembered one by one; older ones live on only in the totals.
MAX_REMEMBERED_SESSIONS = 50


class Announcement(StrEnum):
    """What the ledger says is due for a session."""

    STARTED = "started"
    COMPLETED = "completed"


@dataclass
class SessionRecord:
    """What is known of one session, and what has been done about it."""

    energy: float = 0.0
    """The most energy (kWh) the API reported."""
    cost: float = 0.0
    currency: str | None = None
    started_announced: bool = False
    completed_announced: bool = False
    energy_limit: float | None = None
    """The energy limit in force while the session charged, if any."""
    cost_limit: float | None = None
    """The cost limit in force while the session charged, if any."""
    stop_sent: bool = False
    """A STOP was accepted: it must not be sent again, even after a restart."""
    stopped_by: str | None = None
    """Who sent that STOP: "energy" or "cost" (a limit) or "user"."""
    autostop: float | None = None
    """The energy (kWh) at which the operator was asked to stop the session by itself."""
    billed_cost: float | None = None
    """What the session's bill (CDR) says the driver pays, tax included; None until known."""
    bill_announced: bool = False
    """The bill was announced (evnnovator_session_billed), or given up on: never again."""

    @property
    def counted_cost(self) -> float:
        """The cost this session adds to the total: its bill once known.

        Never less than the operator's running figure counted before it, so that the total
        never decreases.
        """
        if self.billed_cost is None:
            return self.cost
        return max(self.cost, self.billed_cost)

    @classmethod
    def from_stored(cls, stored: dict[str, Any]) -> SessionRecord:
        """A record as kept by this or an earlier version (which only knew the limit's STOP)."""
        known = {name: stored[name] for name in cls.__dataclass_fields__ if name in stored}
        if stored.get("limit_stop_sent"):
            known["stop_sent"] = True
        return cls(**known)


@dataclass
class Observation:
    """What taking in one report changed."""

    record: SessionRecord
    announcements: list[Announcement] = field(default_factory=list)
    changed: bool = False


class SessionLedger:
    """Records of the sessions seen, and the totals of all of them."""

    def __init__(
        self, stored: dict[str, Any] | None = None, *, remember: int = MAX_REMEMBERED_SESSIONS
    ) -> None:
        """Start empty, or from what `as_dict` returned before; keep `remember` records."""
        stored = stored or {}
        self._remember_count = remember
        self.sessions: dict[str, SessionRecord] = {
            session_id: SessionRecord.from_stored(record)
            for session_id, record in stored.get("sessions", {}).items()
        }
        self._retired_energy: float = stored.get("retired_energy", 0.0)
        self._retired_cost: dict[str, float] = dict(stored.get("retired_cost", {}))

    def as_dict(self) -> dict[str, Any]:
        """Everything, as JSON-able data to keep across restarts."""
        return {
            "sessions": {key: asdict(record) for key, record in self.sessions.items()},
            "retired_energy": self._retired_energy,
            "retired_cost": self._retired_cost,
        }

    @property
    def total_energy(self) -> float:
        """Energy (kWh) of every session seen, each counted once at the most it reported."""
        return self._retired_energy + sum(record.energy for record in self.sessions.values())

    @property
    def currencies(self) -> set[str]:
        """Every currency in which a cost was counted."""
        remembered = {record.currency for record in self.sessions.values() if record.currency}
        return remembered | set(self._retired_cost)

    def total_cost(self, currency: str) -> float:
        """The cost of every session seen that was charged in `currency`."""
        remembered = sum(
            record.counted_cost for record in self.sessions.values() if record.currency == currency
        )
        return self._retired_cost.get(currency, 0.0) + remembered

    def observe(self, session: Session, *, first_run: bool = False) -> Observation:
        """Take in one report of a session; say which announcements are now due.

        On the very first run the latest session may be old news: it is announced only if it
        still runs.
        """
        known = self.sessions.get(session.id)
        record = known if known is not None else self._remember(session.id)
        observation = Observation(record=record, changed=known is None)
        if first_run and not session.is_running and not record.started_announced:
            record.started_announced = record.completed_announced = True
        if session.kwh is not None and session.kwh > record.energy:
            record.energy = session.kwh
            observation.changed = True
        if session.total_cost is not None and session.currency is not None:
            if session.currency != record.currency:
                record.currency, record.cost = session.currency, 0.0
                record.billed_cost = None
                observation.changed = True
            if session.total_cost > record.cost:
                record.cost = session.total_cost
                observation.changed = True
        if not record.started_announced:
            record.started_announced = observation.changed = True
            observation.announcements.append(Announcement.STARTED)
        if not session.is_running and not record.completed_announced:
            record.completed_announced = observation.changed = True
            observation.announcements.append(Announcement.COMPLETED)
        return observation

    def bill(self, session_id: str, *, amount: float, currency: str | None) -> bool:
        """Take in a session's bill (tax included); return whether it changed anything.

        A bill counts only in the currency the session's cost was counted in (or sets it,
        if none was): a bill in another currency cannot replace a figure it cannot be
        compared with. A corrected bill counts when it is higher: the total never decreases.
        """
        record = self.sessions.get(session_id)
        if record is None or amount < 0:
            return False
        if record.currency is None and currency is not None:
            record.currency = currency
        elif currency is not None and currency != record.currency:
            return False
        if record.billed_cost is not None and amount <= record.billed_cost:
            return False
        record.billed_cost = amount
        return True

    def _remember(self, session_id: str) -> SessionRecord:
        record = self.sessions[session_id] = SessionRecord()
        while len(self.sessions) > self._remember_count:
            oldest = self.sessions.pop(next(iter(self.sessions)))
            self._retired_energy += oldest.energy
            if oldest.currency is not None:
                self._retired_cost[oldest.currency] = (
                    self._retired_cost.get(oldest.currency, 0.0) + oldest.counted_cost
                )
        return record
