"""Whether energy flows while a session is ACTIVE: a full (or paused) car draws nothing.

Pure arithmetic, no Home Assistant, as forecast.py is. OCPI keeps a session ACTIVE while the car
sits full; only the meter tells. The rule: idle when, over the last window, the energy grew by
less than a car's standby draw (IDLE_POWER_KW) plus one meter step (rounding hides up to one).
The window is max(5 minutes, 2 meter intervals): a meter on time shows a new, higher value at
least once per interval, so while charging a window of two intervals always holds one, and the
rule trips only when a value is a whole interval late (a slow 300 s meter: 10 minutes). Five
minutes at least, so that a Wh meter's standby steps and a 2-decimal meter's rounding do not
count as charging, while the slowest real charging (1.4 kW) moves any meter 0.1 kWh in it.
Public chargers differ: until this session's own meter has shown how often its energy rises
(the operator's cadence is learned across chargers), 15 minutes, and then never less than two of
its own gaps: a slower meter than the last charger's does not trip it.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
import statistics
from typing import Any

# Below this, energy is a car's standby draw (12 V battery, electronics), not charging...
IDLE_POWER_KW = 0.2
# ...and once idle, charging again needs twice as much: a draw near the line does not flap.
RESUME_POWER_KW = 0.4
# What a meter's rounding hides (a 2-decimal kWh).
METER_STEP_KWH = 0.01
MIN_WINDOW = 300.0
WINDOW_METER_VALUES = 2
UNKNOWN_CADENCE_WINDOW = 900.0
# The session's own gaps between rises of its energy kept (the latest).
OWN_GAPS = 10


def idle_window(cadence: float | None) -> float:
    """Seconds without energy that make a session idle, for a meter value every `cadence`."""
    if cadence is None:
        return UNKNOWN_CADENCE_WINDOW
    return max(MIN_WINDOW, WINDOW_METER_VALUES * cadence)


@dataclass(frozen=True, slots=True)
class _Step:
    """A reading at which the session's energy rose (or its first)."""

    at: datetime
    kwh: float


class IdleWatch:
    """Follows the latest session's energy; says whether it is idle, and when that began."""

    def __init__(self, stored: dict[str, Any] | None = None) -> None:
        """Start from what `as_dict` returned before, or knowing nothing.

        Kept across restarts, so that an idle period is announced once; knowing nothing, no
        session is idle until a whole window shows it.
        """
        stored = stored or {}
        self._session_id: str | None = stored.get("session_id")
        self._steps = [
            _Step(datetime.fromisoformat(at), float(kwh)) for at, kwh in stored.get("steps", [])
        ]
        self._gaps: deque[float] = deque(
            (float(gap) for gap in stored.get("gaps", [])), maxlen=OWN_GAPS
        )
        """Seconds between the session's rises of energy while it charged."""
        since = stored.get("idle_since")
        self.idle_since: datetime | None = None if since is None else datetime.fromisoformat(since)
        """When the energy last flowed, while the session is idle; None while it is not."""

    def as_dict(self) -> dict[str, Any]:
        """JSON-able, to keep across restarts."""
        return {
            "session_id": self._session_id,
            "steps": [[step.at.isoformat(), step.kwh] for step in self._steps],
            "gaps": list(self._gaps),
            "idle_since": None if self.idle_since is None else self.idle_since.isoformat(),
        }

    @property
    def idle(self) -> bool:
        """Whether the latest session is ACTIVE and its car draws nothing."""
        return self.idle_since is not None

    def window(self, cadence: float | None) -> float:
        """The idle window for this session, its own meter's gaps considered."""
        if not self._gaps:
            return max(idle_window(cadence), UNKNOWN_CADENCE_WINDOW)
        own = WINDOW_METER_VALUES * statistics.median(self._gaps)
        return max(idle_window(cadence), own)

    def take(
        self,
        session_id: str | None,
        *,
        active: bool,
        kwh: float | None,
        start: datetime | None,
        at: datetime,
        now: datetime,
        cadence: float | None,
    ) -> bool:
        """Take in a reading (energy true `at`, fetched `now`); True when an idle period began.

        A session's `start` is a reading of its own: nothing was delivered before it.
        """
        if session_id != self._session_id:
            self._session_id, self._steps, self.idle_since = session_id, [], None
            self._gaps.clear()
        if not active or kwh is None:
            # Not charging (pending, stopped): energy is expected not to flow.
            self._steps, self.idle_since = [], None
            return False
        if not self._steps and start is not None and start < at:
            self._steps.append(_Step(start, 0.0))
        if not self._steps or kwh > self._steps[-1].kwh:
            if self._steps and not self.idle:
                # A gap across an idle period is the car's pause, not the meter's.
                self._gaps.append((at - self._steps[-1].at).total_seconds())
            self._steps.append(_Step(at, kwh))
        window = self.window(cadence)
        since = now - timedelta(seconds=window)
        before = [step for step in self._steps if step.at <= since]
        if not before:
            # The session is not known that far back yet: it may have drawn all along.
            return False
        # The energy at the window's start was at least the last value shown by then.
        base = before[-1]
        self._steps = [base, *self._steps[len(before) :]]
        grown = self._steps[-1].kwh - base.kwh
        power = RESUME_POWER_KW if self.idle else IDLE_POWER_KW
        idle = grown <= METER_STEP_KWH + power * window / 3600
        began = idle and not self.idle
        if not idle:
            self.idle_since = None
        elif began:
            # The first reading that showed (about) the energy it stays at.
            latest = self._steps[-1].kwh
            self.idle_since = next(
                step.at for step in self._steps if latest - step.kwh <= METER_STEP_KWH
            )
        return began
