"""Three years of one driver's book, alone: what it holds as its retired hours fold.

A session a day (2.5 hours at 7.4 kW from a seeded hour, seen while charging and once ended)
in the book itself, no Home Assistant: its memory (tracemalloc, what book.py allocated and
still holds) and the size of its part of the Store (JSON), after 100 days, a year, two and
three, as this version keeps retired hours (a year one by one, then folded) and as before
(every one, forever).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import gc
import json
import random
import tracemalloc

from custom_components.evnnovator.api import parse_session
from custom_components.evnnovator.book import RETIRED_HOURS_KEPT, SessionBook

DAYS = 3 * 365
MEASURED_AFTER = (100, 366, 2 * 365, DAYS)
SEED = 2026
START = datetime(2026, 11, 1, tzinfo=UTC)
POWER_KW = 7.4
HOURS_CHARGING = 2.5
# Kept "forever": longer than the days measured.
FOREVER = timedelta(days=100 * 365)


def _a_session(day: int, start: datetime, *, charged: float) -> dict[str, object]:
    data: dict[str, object] = {
        "id": f"day-{day}",
        "status": "ACTIVE" if charged < HOURS_CHARGING else "COMPLETED",
        "kwh": round(POWER_KW * charged, 2),
        "total_cost": round(POWER_KW * charged * 18.0, 2),
        "currency": "INR",
        "start_datetime": start.isoformat(),
    }
    if charged >= HOURS_CHARGING:
        data["end_datetime"] = (start + timedelta(hours=charged)).isoformat()
    return data


def _live(keep_retired: timedelta) -> dict[int, tuple[int, float, float]]:
    """Per day measured: the hours in the book, its memory (KiB) and its JSON (KiB)."""
    rng = random.Random(SEED)  # noqa: S311 (the same days each time)
    measured: dict[int, tuple[int, float, float]] = {}
    gc.collect()
    tracemalloc.start()
    book = SessionBook(keep_retired=keep_retired)
    for day in range(1, DAYS + 1):
        start = START + timedelta(days=day, hours=rng.randint(0, 20), minutes=rng.randint(0, 59))
        for charged in (1.0, HOURS_CHARGING):
            session = parse_session(_a_session(day, start, charged=charged))
            book.observe(session, start + timedelta(hours=charged, minutes=1))
        if day in MEASURED_AFTER:
            gc.collect()
            snapshot = tracemalloc.take_snapshot().filter_traces(
                [tracemalloc.Filter(inclusive=True, filename_pattern="*evnnovator/book.py")]
            )
            memory = sum(stat.size for stat in snapshot.statistics("filename")) / 1024
            stored = len(json.dumps(book.as_dict())) / 1024
            measured[day] = (len(book.hours()), memory, stored)
    tracemalloc.stop()
    return measured


def bench_years_of_a_book() -> None:
    """Print the table: each day measured, kept a year and kept forever."""
    folding, keeping = _live(RETIRED_HOURS_KEPT), _live(FOREVER)
    print(f"\n\nThree years of a book, a session a day ({HOURS_CHARGING} h at {POWER_KW} kW)\n")
    print("| After | Hours in the book | The book's memory | Its Store (JSON) |")
    print("|---|---|---|---|")
    for day in MEASURED_AFTER:
        (hours, memory, stored), (all_hours, all_memory, all_stored) = folding[day], keeping[day]
        print(
            f"| {day} days | {hours} ({all_hours} kept forever) | {memory:.0f} KiB"
            f" ({all_memory:.0f}) | {stored:.0f} KiB ({all_stored:.0f}) |"
        )
