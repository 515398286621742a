"""A driver's days in virtual time: sessions, limits, faults, restarts, checked against the truth.

Seeded: each run of the same days is the same. Each day has one to three sessions at random
hours (3.7, 7.4 or 22 kW) stopped by the Energy limit, the Cost limit, the Stop button, the car
(the operator's own autostop) or the driver's other app; about once an hour a
fault from the simulator's table (5xx bursts, a 429 with Retry-After, bad JSON, a glitch, an
outage of minutes to an hour and a half, a bill that is hours late);
and about twice a day Home Assistant restarts (the entry reloads), also mid-session. The
simulator's own figures are the truth the integration's totals, events, STOPs and hourly
statistics are checked against.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import pairwise
import random
from typing import TYPE_CHECKING, Any

from homeassistant.components.number import ATTR_VALUE, SERVICE_SET_VALUE
from homeassistant.components.recorder.statistics import statistics_during_period
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import Event, HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.event import async_track_utc_time_change
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.evnnovator.const import (
    DOMAIN,
    EVENT_SESSION_BILLED,
    EVENT_SESSION_COMPLETED,
    EVENT_SESSION_STARTED,
)
from evnnovator_simulator import DEMO_AUTH_ID, OperatorProfile, Simulator

from .requests import stop_requests

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from .vclock import VirtualClock

ENERGY_LIMIT = "number.evnnovator_demo_driver_1_energy_limit"
COST_LIMIT = "number.evnnovator_demo_driver_1_cost_limit"
STOP_BUTTON = "button.evnnovator_demo_driver_1_stop_charging"
TOTAL_ENERGY = "sensor.evnnovator_demo_driver_1_total_energy"
TOTAL_COST = "sensor.evnnovator_demo_driver_1_total_cost"
# The bill's GST on top of the operator's running figure (the simulator's default).
TAX = 0.18
HOUR = timedelta(hours=1)
POWERS_KW = (3.7, 7.4, 22.0)
# An hour's statistic may differ from the truth by the energy of one meter interval (a value
# seen after the hour's end is spread over the time since the last one) and the meter's rounding.
HOUR_TOLERANCE_KWH = max(POWERS_KW) * OperatorProfile.realistic().meter_interval / 3600 + 0.01

WAYS = ("energy", "cost", "button", "car", "other_app")
# Fault kinds with their injection: (kind, count, params); an outage is timed separately. Not a
# request that hangs: the loop's clock is frozen with the virtual one, so a timeout could only
# end by the clock moving on, and the clock moves only once everything due has finished
# (tests/test_timeout.py times one out in real time).
FAULTS: tuple[tuple[str, int, dict[str, Any]], ...] = (
    ("http_500", 3, {}),
    ("http_502_html", 2, {}),
    ("http_429", 1, {"retry_after": 120}),
    ("bad_json", 1, {}),
    ("data_null", 1, {}),
    ("not_found", 1, {}),
    # A bill hours late: the CDR call says "none yet" to the next six asks (hours, as the
    # billing schedule goes), then the bill comes.
    ("late_bill", 6, {}),
)


@dataclass
class Truth:
    """One session as the simulator ended it, and how it was to stop."""

    session_id: str
    way: str
    kwh: float = 0.0
    cost: float = 0.0


@dataclass
class SoakReport:
    """What happened, and what was seen."""

    days: int
    sessions: list[Truth] = field(default_factory=list)
    faults: Counter[str] = field(default_factory=Counter)
    restarts: int = 0
    requests: int = 0
    events: dict[str, Counter[str]] = field(default_factory=dict)
    shown: dict[str, float] = field(default_factory=dict)
    delivered_at: dict[datetime, float] = field(default_factory=dict)
    """The energy the days' sessions truly delivered until each clock hour."""


async def soak(
    hass: HomeAssistant,
    clock: VirtualClock,
    simulator: Simulator,
    entry: MockConfigEntry,
    *,
    days: int,
    seed: int,
    on_day: Callable[[int], Awaitable[None]] | None = None,
) -> SoakReport:
    """Live `days` of a driver's life; return what happened (the caller checks it).

    `on_day(n)` is called at the end of each day n (1 on), e.g. to measure memory.
    """
    rng = random.Random(seed)  # noqa: S311 (the same days each time)
    report = SoakReport(days=days)
    report.events = {kind: Counter() for kind in ("started", "completed", "billed")}
    for kind, event_type in (
        ("started", EVENT_SESSION_STARTED),
        ("completed", EVENT_SESSION_COMPLETED),
        ("billed", EVENT_SESSION_BILLED),
    ):

        def count(event: Event, kind: str = kind) -> None:
            report.events[kind][str(event.data["session_id"])] += 1

        hass.bus.async_listen(event_type, count)
    requests_before = len(simulator.requests)

    def note_the_hour(now: datetime) -> None:
        report.delivered_at[now] = sum(
            simulator.delivered_kwh(truth.session_id) for truth in report.sessions
        )

    stop_noting = async_track_utc_time_change(hass, note_the_hour, minute=0, second=0)
    await _live(hass, clock, simulator, entry, rng=rng, report=report, days=days, on_day=on_day)
    stop_noting()
    _take_truth(simulator, report)
    report.requests = len(simulator.requests) - requests_before
    return report


async def _live(
    hass: HomeAssistant,
    clock: VirtualClock,
    simulator: Simulator,
    entry: MockConfigEntry,
    *,
    rng: random.Random,
    report: SoakReport,
    days: int,
    on_day: Callable[[int], Awaitable[None]] | None,
) -> None:
    """The days themselves, then the time for the last session to end and its bill to come."""
    outage_until = None
    for day in range(1, days + 1):
        starts = sorted(rng.sample(range(24), rng.randint(1, 3)))
        restarts = set(rng.sample(range(24), 2))
        for hour in range(24):
            if outage_until is not None and clock.now() >= outage_until:
                simulator.clear_faults()
                outage_until = None
            if outage_until is None and rng.random() < 0.9:
                if rng.random() < 0.1:
                    simulator.inject("http_502_html", count=100_000)
                    outage_until = clock.now() + timedelta(minutes=rng.randint(5, 90))
                    report.faults["outage"] += 1
                else:
                    kind, count_, params = rng.choice(FAULTS)
                    if kind == "late_bill":
                        simulator.inject("not_found", count=count_, only="cdrs")
                    else:
                        simulator.inject(kind, count=count_, **params)
                    report.faults[kind] += 1
            if hour in starts:
                await _a_session(hass, clock, simulator, rng, report)
            if hour in restarts:
                # During an outage the set-up waits for the API (and Home Assistant retries it).
                await hass.config_entries.async_reload(entry.entry_id)
                report.restarts += 1
            await clock.run_for(rng.uniform(0.5, 1.0) * HOUR.total_seconds())
        if on_day is not None:
            await on_day(day)
    simulator.clear_faults()
    # Time for the last session to end and every bill to come.
    await clock.run_for(6 * HOUR.total_seconds())


async def _a_session(
    hass: HomeAssistant,
    clock: VirtualClock,
    simulator: Simulator,
    rng: random.Random,
    report: SoakReport,
) -> None:
    """Start a session to stop one of the WAYS, unless the last one still runs.

    A session outside Home Assistant, at a random power, with the limits set for the way it is
    to stop; the button and the other app act 10 to 40 minutes in.
    """
    _take_truth(simulator, report)
    latest = simulator.latest_session(DEMO_AUTH_ID)
    if latest is not None and latest["status"] != "COMPLETED":
        return  # still charging (a limit during an outage): the next hour will see
    power = rng.choice(POWERS_KW)
    simulator.set_operator(
        OperatorProfile.realistic(power_kw=power, seed=rng.randint(0, 10**6)), auth_id=DEMO_AUTH_ID
    )
    way = rng.choice(WAYS)
    x = round(power * rng.uniform(0.2, 1.0), 2)
    energy = x if way == "energy" else 0.0
    cost = round(x * 18.0, 0) if way == "cost" else 0.0
    for entity_id, value in ((ENERGY_LIMIT, energy), (COST_LIMIT, cost)):
        await hass.services.async_call(
            "number",
            SERVICE_SET_VALUE,
            {ATTR_ENTITY_ID: entity_id, ATTR_VALUE: value},
            blocking=True,
        )
    if way == "car":
        session_id = simulator.start_session(DEMO_AUTH_ID, autostop_kwh=x)
    else:
        session_id = simulator.start_session(DEMO_AUTH_ID)
    report.sessions.append(Truth(session_id, way))
    if way in {"button", "other_app"}:
        await clock.run_for(rng.uniform(600, 2400))
        latest = simulator.latest_session(DEMO_AUTH_ID)
        if latest is None or latest["id"] != session_id or latest["status"] == "COMPLETED":
            return
        if way == "button":
            try:
                await hass.services.async_call(
                    "button", "press", {ATTR_ENTITY_ID: STOP_BUTTON}, blocking=True
                )
            except HomeAssistantError:  # a press during a fault says why: the app stops it
                simulator.stop_session(session_id)
        else:
            simulator.stop_session(session_id)


def _take_truth(simulator: Simulator, report: SoakReport) -> None:
    """Note the simulator's final figures of the session that ended."""
    latest = simulator.latest_session(DEMO_AUTH_ID)
    if latest is None or latest["status"] != "COMPLETED":
        return
    for truth in report.sessions:
        if truth.session_id == latest["id"]:
            truth.kwh, truth.cost = float(latest["kwh"]), cost_before_tax(latest)


def cost_before_tax(session: dict[str, Any]) -> float:
    """A served session's cost before tax: a number (OCPI 2.1.1), or a Price's (2.2.1)."""
    cost = session["total_cost"]
    return float(cost["excl_vat"] if isinstance(cost, dict) else cost)


async def hourly_sums(
    hass: HomeAssistant, entry: MockConfigEntry, kind: str
) -> dict[datetime, float]:
    """The account's `kind` statistic (energy, cost_inr): its sum at the end of each hour."""
    await async_wait_recording_done(hass)
    statistic_id = f"{DOMAIN}:{entry.entry_id.lower()}_{kind}"
    rows = await hass.async_add_executor_job(
        statistics_during_period,
        hass,
        datetime(2026, 11, 1, tzinfo=UTC),
        None,
        {statistic_id},
        "hour",
        None,
        {"sum"},
    )
    return {
        datetime.fromtimestamp(row["start"], UTC) + HOUR: float(row["sum"])
        for row in rows[statistic_id]
    }


def worst_hour(report: SoakReport, sums: dict[datetime, float]) -> float:
    """The largest difference between an hour's energy statistic and the energy truly delivered.

    Each hour between two noted clock hours; a statistic without a row for an hour grew by
    nothing in it.
    """
    hours = sorted(report.delivered_at)
    worst = 0.0

    def sum_at(moment: datetime) -> float:
        return next((sums[end] for end in sorted(sums, reverse=True) if end <= moment), 0.0)

    for start, end in pairwise(hours):
        truth = report.delivered_at[end] - report.delivered_at[start]
        worst = max(worst, abs(sum_at(end) - sum_at(start) - truth))
    return worst


def totals_before(hass: HomeAssistant) -> dict[str, float]:
    """The totals before the days begin (the demo driver's first session)."""
    return {
        "energy_before": float(hass.states.get(TOTAL_ENERGY).state),
        "cost_before": float(hass.states.get(TOTAL_COST).state),
    }


async def failed_checks(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    simulator: Simulator,
    report: SoakReport,
    before: dict[str, float],
) -> list[str]:
    """Each check that failed, with its figures; what was shown goes in `report.shown`."""
    energy = await hourly_sums(hass, entry, "energy")
    cost = await hourly_sums(hass, entry, "cost_inr")
    shown = report.shown = before | {
        "total_energy": float(hass.states.get(TOTAL_ENERGY).state),
        "statistic_energy": energy[max(energy)],
        "total_cost": float(hass.states.get(TOTAL_COST).state),
        "statistic_cost": cost[max(cost)],
        "worst_hour_kwh": worst_hour(report, energy),
    }
    return check(report, simulator, shown)


def check(report: SoakReport, simulator: Simulator, shown: dict[str, Any]) -> list[str]:
    """Each check that failed, with its figures."""
    ids = [truth.session_id for truth in report.sessions]
    failed = [
        f"{kind} not once each: {report.events[kind]}"
        for kind in ("started", "completed", "billed")
        if any(report.events[kind][session_id] != 1 for session_id in ids)
    ]
    stops = stop_counts(simulator)
    for truth in report.sessions:
        sent = stops[truth.session_id]
        if truth.way in {"energy", "cost"} and sent != 1:
            failed.append(f"{truth.way} session {truth.session_id}: {sent} STOPs")
        if truth.way == "car" and sent:
            failed.append(f"car session {truth.session_id} got a STOP")
    energy = shown["energy_before"] + sum(truth.kwh for truth in report.sessions)
    cost = shown["cost_before"] + sum(truth.cost * (1 + TAX) for truth in report.sessions)
    for name, total, truth in (
        ("Total energy", shown["total_energy"], energy),
        ("energy statistic", shown["statistic_energy"], energy),
        ("Total cost", shown["total_cost"], cost),
        ("cost statistic", shown["statistic_cost"], cost),
    ):
        if abs(total - truth) > 0.01:
            failed.append(f"{name} {total:.4f} != {truth:.4f} (the operator's, with tax)")
    if shown["worst_hour_kwh"] > HOUR_TOLERANCE_KWH:
        failed.append(
            f"an hour's energy statistic is {shown['worst_hour_kwh']:.3f} kWh off the truth"
            f" (more than one meter interval's {HOUR_TOLERANCE_KWH:.3f} kWh)"
        )
    return failed


def stop_counts(simulator: Simulator) -> Counter[str]:
    """Accepted STOPs by session id."""
    accepted = [r for r in stop_requests(simulator) if r.status == 200 and isinstance(r.body, dict)]
    return Counter(str(r.body.get("session_id")) for r in accepted)
