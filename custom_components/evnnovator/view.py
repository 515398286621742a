"""What the entities show: one frozen view of the account, made from its parts when read.

Entities never reach into the account's parts: every value they show is a function of this
view, so that what a sensor says and what the account decided cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import datetime

    from .api import Evse, Session, Tariff
    from .battery import BatteryStatus
    from .book import Bill, CostWithTax
    from .forecast import Limits, StopPlan


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountView:
    """The account as its entities show it."""

    online: bool
    """Whether the latest poll succeeded (or kept its reading through a 429)."""
    session: Session | None
    """The driver's latest session (None before their first one)."""
    measured_at: datetime | None
    """When the session's energy was true (a 429 keeps the reading, and so this moment)."""
    rate_kw: float | None
    """The charging power between the latest distinct meter values of `session`; None unknown."""
    stopping: bool
    """A STOP was accepted and the session runs on until the charger has stopped."""
    idle_since: datetime | None
    """When energy last flowed, while the session is ACTIVE but its car draws nothing (full or
    paused, see idle.py); None otherwise."""
    plan: StopPlan | None
    """The STOP a limit planned for the running session."""
    armed: StopPlan | None
    """What will stop the running session, as shown: the plan, steady to the minute."""
    limit_failed: bool
    """A limit's STOP of the running session kept failing."""
    limits: Limits
    """The limits in force (0 is off)."""
    plan_tax_ratio: float | None
    """The tax ratio the planned cost limit counts with; None: before tax."""
    battery: float | None
    """The latest session's battery in percent: the charger's or the car's value, carried on
    by the meter between them once kWh per percent is known; None while nothing tells it."""
    battery_status: BatteryStatus | None
    """What the Battery limit plans with, while it is set and the session charges."""
    total_energy: float
    """kWh of every session seen, each once."""
    total_cost: float | None
    """The cost of every session seen in the currency of the latest one; None without one."""
    bill: Bill | None
    """The latest bill taken in."""
    cost_with_tax: CostWithTax | None
    """What `session` costs with tax (see `SessionBook.cost_with_tax`); None while not known."""
    evse: Evse | None
    """The latest session's charger as its status poll last read it."""
    tariff: Tariff | None
    """The tariff of the latest session's connector."""
