"""The account's Store: version 2, and the files of version 1 read with nothing lost."""

from datetime import datetime, timedelta
import json
from pathlib import Path
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import UnsupportedStorageVersionError
import pytest

from custom_components.evnnovator.api import parse_session
from custom_components.evnnovator.book import Bill, HourAmount, SessionBook, StopRecord
from custom_components.evnnovator.const import DOMAIN
from custom_components.evnnovator.forecast import OperatorModel
from custom_components.evnnovator.store import (
    STORAGE_MINOR_VERSION,
    STORAGE_VERSION,
    AccountData,
    AccountStore,
)

RELEASE = Path(__file__).parent / "fixtures" / "storage" / "release_880c4c6"
ENTRY_ID = "01M83PPH008WVF092R1R6A04C7"  # the entry whose files the release wrote
SESSIONS = f"{DOMAIN}.{ENTRY_ID}.sessions"
HOURLY = f"{DOMAIN}.{ENTRY_ID}.hourly"
# The Total energy and Total cost sensors of the release at the dump (see the README there).
TOTAL_ENERGY = "16.084"
TOTAL_COST = "315.52"


def release_file(name: str) -> dict[str, Any]:
    stored: dict[str, Any] = json.loads((RELEASE / f"{name}.json").read_text())
    return stored


def hours_of(stored: dict[str, Any]) -> dict[datetime, HourAmount]:
    return {
        datetime.fromisoformat(hour): HourAmount.from_list(amount)
        for hour, amount in stored.items()
    }


@pytest.fixture
def release(hass_storage: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The release's two files, where Home Assistant keeps them."""
    sessions, hourly = release_file("sessions"), release_file("hourly")
    assert (sessions["key"], hourly["key"]) == (SESSIONS, HOURLY)
    hass_storage[SESSIONS] = json.loads(json.dumps(sessions))
    hass_storage[HOURLY] = json.loads(json.dumps(hourly))
    return sessions["data"], hourly["data"]


async def test_the_release_files_load_with_nothing_lost(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    release: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    ledger, hourly = release
    data = await AccountStore(hass, ENTRY_ID).async_load_account()

    assert not data.first_run
    book = data.book
    assert list(book.sessions) == list(ledger["sessions"])
    for session_id, record in ledger["sessions"].items():
        entry = book.entry(session_id)
        assert entry is not None
        curve = hourly["sessions"][session_id]
        assert (entry.energy, entry.currency) == (record["energy"], record["currency"])
        assert entry.counted_cost == max(record["cost"], record["billed_cost"] or 0.0)
        assert entry.cost == curve["cost"]
        assert entry.billed_cost == record["billed_cost"]
        assert (entry.started_announced, entry.completed_announced, entry.bill_announced) == (
            record["started_announced"],
            record["completed_announced"],
            record["bill_announced"],
        )
        assert (entry.energy_limit, entry.cost_limit, entry.autostop) == (
            record["energy_limit"],
            record["cost_limit"],
            record["autostop"],
        )
        assert entry.stop == StopRecord(sent=record["stop_sent"], by=record["stopped_by"])
        assert entry.at == datetime.fromisoformat(curve["at"])
        assert entry.hours == hours_of(curve["hours"])
    # What the release's statistics held, hour by hour.
    expected = hours_of(hourly["retired"])
    for curve in hourly["sessions"].values():
        for hour, amount in hours_of(curve["hours"]).items():
            expected.setdefault(hour, HourAmount()).merge(amount)
    assert dict(book.hours()) == expected
    assert book.currencies == set(hourly["currencies"]) == {"INR"}
    assert book.first_mendable_hour is not None
    # The totals read exactly as the release's sensors did.
    assert str(round(book.total_energy, 4)) == TOTAL_ENERGY
    assert str(round(book.total_cost("INR"), 2)) == TOTAL_COST
    assert book.last_bill == Bill.from_dict(ledger["last_bill"])
    assert book.last_bill is not None
    assert book.last_bill.as_dict() == ledger["last_bill"]
    assert data.token_uids == ledger["token_uids"]
    assert data.operator.as_dict() == ledger["operator"]
    assert data.operator.cadence == 60.0
    assert data.operator.latency_learned
    assert not book.needs_placing

    # Kept at once as version 2; the hourly file goes, its hours being in the book.
    saved = hass_storage[SESSIONS]
    assert (saved["version"], saved["minor_version"]) == (STORAGE_VERSION, STORAGE_MINOR_VERSION)
    assert saved["data"] == AccountStore.as_stored(data)
    assert HOURLY not in hass_storage
    again = await AccountStore(hass, ENTRY_ID).async_load_account()
    assert again.book == book
    assert (again.operator.as_dict(), again.token_uids, again.first_run) == (
        data.operator.as_dict(),
        data.token_uids,
        False,
    )


async def test_nothing_stored_is_a_first_run(hass: HomeAssistant) -> None:
    data = await AccountStore(hass, ENTRY_ID).async_load_account()
    assert data.first_run
    assert data.book == SessionBook()
    assert (data.token_uids, data.operator.as_dict()) == (
        {},
        {"meter_gaps": [], "stop_latencies": []},
    )


async def test_a_ledger_from_before_the_statistics_needs_placing(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    """No hourly file: the ledger's amounts wait for `place`; an old STOP flag still counts."""
    hass_storage[SESSIONS] = {
        "version": 1,
        "key": SESSIONS,
        "data": {
            "sessions": {
                "older": {"energy": 30.0, "cost": 540.0, "currency": "INR", "unknown": 1},
                "running": {
                    "energy": 1.5,
                    "cost": 27.0,
                    "currency": "INR",
                    "limit_stop_sent": True,
                },
            },
            "retired_energy": 0.0,
            "retired_cost": {},
        },
    }
    data = await AccountStore(hass, ENTRY_ID).async_load_account()
    assert data.book.needs_placing
    running = data.book.entry("running")
    assert running is not None
    assert running.stop == StopRecord(sent=True, by=None)
    assert (data.token_uids, data.book.last_bill) == ({}, None)
    assert hass_storage[SESSIONS]["version"] == STORAGE_VERSION
    assert SessionBook(hass_storage[SESSIONS]["data"]["book"]).needs_placing


async def test_a_later_minor_version_loads_unchanged(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    """What a later 2.x added is left alone; what this version knows reads as written."""
    book = SessionBook()
    book.add_opening(datetime.fromisoformat("2026-11-23T07:00:00+00:00"), 3.0, {"INR": 54.0})
    operator = OperatorModel({"meter_gaps": [30.0], "stop_latencies": [4.0]})
    account = AccountData(book=book, operator=operator, token_uids={"x": "y"}, first_run=False)
    stored = AccountStore.as_stored(account) | {"added_later": [1, 2]}
    hass_storage[SESSIONS] = {
        "version": STORAGE_VERSION,
        "minor_version": STORAGE_MINOR_VERSION + 1,
        "key": SESSIONS,
        "data": json.loads(json.dumps(stored)),
    }
    data = await AccountStore(hass, ENTRY_ID).async_load_account()
    assert data.book == book
    assert data.token_uids == {"x": "y"}
    assert data.operator.as_dict() == operator.as_dict()
    # Home Assistant writes it back as this version's minor, its data as it was.
    assert hass_storage[SESSIONS]["minor_version"] == STORAGE_MINOR_VERSION
    assert hass_storage[SESSIONS]["data"] == stored


async def test_a_later_minor_version_saved_again_is_this_version(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    """After a downgrade, this release's next save writes all it read, as its own minor version:
    the later release then brings the file forward from that version instead of trusting it to
    hold what only that release writes."""
    book = SessionBook()
    book.add_opening(datetime.fromisoformat("2026-11-23T07:00:00+00:00"), 3.0, {"INR": 54.0})
    account = AccountData(
        book=book,
        operator=OperatorModel({"meter_gaps": [30.0], "stop_latencies": [4.0]}),
        token_uids={"x": "y"},
        first_run=False,
        pending_bills={"s": {"asked": 1}},
    )
    known = json.loads(json.dumps(AccountStore.as_stored(account)))
    hass_storage[SESSIONS] = {
        "version": STORAGE_VERSION,
        "minor_version": STORAGE_MINOR_VERSION + 1,
        "key": SESSIONS,
        "data": known | {"added_later": [1, 2]},
    }
    store = AccountStore(hass, ENTRY_ID)
    data = await store.async_load_account()

    await store.async_save(AccountStore.as_stored(data))

    saved = hass_storage[SESSIONS]
    assert (saved["version"], saved["minor_version"]) == (STORAGE_VERSION, STORAGE_MINOR_VERSION)
    assert saved["data"] == known


async def test_a_later_major_version_is_refused(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    hass_storage[SESSIONS] = {
        "version": 3,
        "minor_version": 1,
        "key": SESSIONS,
        "data": {"something": "else"},
    }
    with pytest.raises(UnsupportedStorageVersionError):
        await AccountStore(hass, ENTRY_ID).async_load_account()
    assert hass_storage[SESSIONS]["data"] == {"something": "else"}


async def test_an_earlier_minor_version_loads(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    """A 2.1 file (before a stop record said whether a limit's STOP kept failing) reads as
    written, every stop as not failing."""
    entry = {"energy": 2.0, "cost": 36.0, "currency": "INR", "at": "2026-11-23T08:00:00+00:00"}
    entry |= {"hours": {"2026-11-23T07:00:00+00:00": [2.0, {"INR": 36.0}]}}
    entry |= {"stop": {"sent": True, "by": "energy"}}
    stored = {
        "book": {"sessions": {"a": entry}, "retired": {}, "currencies": ["INR"]},
        "operator": {"meter_gaps": [], "stop_latencies": [12.0]},
        "token_uids": {},
    }
    hass_storage[SESSIONS] = {"version": 2, "minor_version": 1, "key": SESSIONS, "data": stored}
    data = await AccountStore(hass, ENTRY_ID).async_load_account()
    a = data.book.entry("a")
    assert a is not None
    assert a.stop == StopRecord(sent=True, by="energy", failing=False)
    assert data.book.total_energy == 2.0
    assert data.book.total_cost("INR") == 36.0
    assert hass_storage[SESSIONS]["minor_version"] == STORAGE_MINOR_VERSION


def a_folded_book() -> SessionBook:
    """Three sessions of 2 kWh, 5 hours apart, one remembered, retired hours kept no time."""
    book = SessionBook(remember=1, keep_retired=timedelta(0))
    for number in range(3):
        start = datetime.fromisoformat("2026-11-23T08:30:00+00:00") + timedelta(hours=5 * number)
        session = parse_session(
            {
                "id": f"s{number}",
                "status": "COMPLETED",
                "kwh": 2.0,
                "total_cost": 36.0,
                "currency": "INR",
                "start_datetime": start.isoformat(),
                "end_datetime": (start + timedelta(hours=1)).isoformat(),
            }
        )
        book.observe(session, start + timedelta(hours=1))
    return book


async def test_a_folded_book_reads_the_same_in_the_release_before(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    """Minor 5 adds the book's folded hour. The release before (minor 4) reads the file as it
    is, its book what it knows: to it the folded hour is one more retired hour, with the same
    totals and sums. Its next save leaves the key out; this release reads that file with no
    folded hour, which its next fold makes again."""
    book = a_folded_book()
    stored = json.loads(
        json.dumps(AccountStore.as_stored(AccountData(book, OperatorModel(), {}, first_run=False)))
    )
    folded = stored["book"].pop("folded")
    assert folded == "2026-11-23T14:00:00+00:00"
    assert list(stored["book"]["retired"]) == [folded]  # the first two sessions, 8:30 to 14:30
    hass_storage[SESSIONS] = {"version": 2, "minor_version": 4, "key": SESSIONS, "data": stored}
    data = await AccountStore(hass, ENTRY_ID).async_load_account()
    assert data.book.as_dict()["folded"] is None
    assert data.book.hours() == book.hours()
    assert (data.book.total_energy, data.book.total_cost("INR")) == (6.0, 108.0)
    assert data.book.sums(None) == book.sums(None)
    assert hass_storage[SESSIONS]["minor_version"] == STORAGE_MINOR_VERSION
