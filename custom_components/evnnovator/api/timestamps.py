"""Time zones and timestamps in the shapes the EVnnovator API sends them."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from functools import lru_cache
import logging
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_LOGGER = logging.getLogger(__name__)

# Abbreviations seen in OCPI feeds instead of IANA names. Where one is ambiguous (IST is also Irish
# and Israel Standard Time), the reading that matches the gateway's Indian operators wins.
_ABBREVIATIONS: dict[str, str] = {
    "IST": "Asia/Kolkata",
    "UTC": "UTC",
    "GMT": "UTC",
    "Z": "UTC",
    "BST": "Europe/London",
    "WET": "Europe/Lisbon",
    "WEST": "Europe/Lisbon",
    "CET": "Europe/Berlin",
    "CEST": "Europe/Berlin",
    "EET": "Europe/Athens",
    "EEST": "Europe/Athens",
    "MSK": "Europe/Moscow",
    "GST": "Asia/Dubai",
    "PKT": "Asia/Karachi",
    "NPT": "Asia/Kathmandu",
    "SGT": "Asia/Singapore",
    "HKT": "Asia/Hong_Kong",
    "JST": "Asia/Tokyo",
    "KST": "Asia/Seoul",
    "AEST": "Australia/Sydney",
    "AEDT": "Australia/Sydney",
    "NZST": "Pacific/Auckland",
    "EST": "America/New_York",
    "EDT": "America/New_York",
    "CST": "America/Chicago",
    "CDT": "America/Chicago",
    "MST": "America/Denver",
    "MDT": "America/Denver",
    "PST": "America/Los_Angeles",
    "PDT": "America/Los_Angeles",
}

# The API's way of saying "no time": year 1 (0001-01-01T00:00:00...).
_NULL_YEAR = 1
# No charging session happens outside these years: a time beyond them is unknown, not a value
# (and near year 9999 converting it to UTC overflows).
_EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
_LATEST = datetime(2200, 1, 1, tzinfo=UTC)


class TimestampOutOfRangeError(ValueError):
    """A well-formed timestamp too far in the past or the future to be a session's."""


@lru_cache(maxsize=64)
def resolve_time_zone(name: str | None) -> tzinfo:
    """Return the zone for an IANA name or a known abbreviation; UTC for anything else."""
    if not name:
        return UTC
    key = name.strip()
    if (mapped := _ABBREVIATIONS.get(key.upper())) is not None:
        return UTC if mapped == "UTC" else ZoneInfo(mapped)
    try:
        return ZoneInfo(key)
    except ZoneInfoNotFoundError, ValueError, OSError:  # OSError: e.g. a name too long for a file
        _LOGGER.debug("Unknown time zone %r, reading local times as UTC", key)
        return UTC


def parse_timestamp(value: str, local_zone: tzinfo) -> datetime | None:
    """Parse an API timestamp into an aware datetime, or None for the null sentinel.

    Timestamps with an offset keep it; those without one are in the location's local time.
    Raises ValueError for text that is not an ISO 8601 timestamp, TimestampOutOfRangeError for
    one outside the years a session can have.
    """
    parsed = datetime.fromisoformat(value.strip())
    if parsed.year == _NULL_YEAR:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=local_zone)
    try:
        in_utc = parsed.astimezone(UTC)
    except OverflowError:
        raise TimestampOutOfRangeError(value) from None
    if not _EARLIEST <= in_utc < _LATEST:
        raise TimestampOutOfRangeError(value)
    return parsed
