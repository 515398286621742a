"""Reading one JSON object of the API defensively: both naming styles, lenient types."""

from __future__ import annotations

from collections.abc import Mapping
import math
import re
from typing import TYPE_CHECKING, Any

from .exceptions import EvnnovatorResponseError
from .timestamps import TimestampOutOfRangeError, parse_timestamp

if TYPE_CHECKING:
    from datetime import datetime, tzinfo

_CAMEL_BOUNDARY = re.compile(r"_([a-z])")


def _camel_case(name: str) -> str:
    return _CAMEL_BOUNDARY.sub(lambda match: match.group(1).upper(), name)


class JsonObject:
    """One JSON object of a response, read field by field.

    Every field is looked up under its snake_case name and then its camelCase twin, as the API
    mixes both. A field that is missing or null reads as None; one of the wrong type raises
    EvnnovatorResponseError naming the field, so a bad answer never becomes a wrong value.
    A timestamp out of range reads as None and is named in `out_of_range`, shared by the
    object's children.
    """

    def __init__(self, value: Any, where: str, out_of_range: list[str] | None = None) -> None:
        """Wrap `value`, which must be a JSON object; `where` names it in error messages."""
        if not isinstance(value, Mapping):
            raise EvnnovatorResponseError(f"{where} is not a JSON object")
        self.raw: Mapping[str, Any] = value
        self._where = where
        self.out_of_range: list[str] = [] if out_of_range is None else out_of_range

    def _get(self, name: str) -> Any:
        value = self.raw.get(name)
        if value is None:
            value = self.raw.get(_camel_case(name))
        return value

    def _wrong(self, name: str, expected: str) -> EvnnovatorResponseError:
        return EvnnovatorResponseError(f"{self._where}.{name} is not {expected}")

    def text(self, name: str) -> str | None:
        """A string; ids that arrive as integers are read as their decimal text."""
        value = self._get(name)
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        raise self._wrong(name, "text")

    def required_text(self, name: str) -> str:
        """A non-empty string that must be there."""
        value = self.text(name)
        if value is None or not value.strip():
            raise EvnnovatorResponseError(f"{self._where}.{name} is missing")
        return value

    def number(self, name: str) -> float | None:
        """A finite number; numbers that arrive as strings are accepted."""
        value = self._get(name)
        if value is None:
            return None
        if isinstance(value, bool):
            raise self._wrong(name, "a number")
        if isinstance(value, int | float):
            try:
                number = float(value)
            except OverflowError:  # an integer beyond the range of floats
                number = math.inf
        elif isinstance(value, str):
            try:
                number = float(value.strip())
            except ValueError:
                raise self._wrong(name, "a number") from None
        else:
            raise self._wrong(name, "a number")
        if not math.isfinite(number):
            raise self._wrong(name, "a finite number")
        return number

    def non_negative(self, name: str) -> float | None:
        """A number that cannot be below zero, such as energy or cost."""
        number = self.number(name)
        if number is not None and number < 0:
            raise self._wrong(name, "zero or more")
        return number

    def named(self, *names: str) -> str:
        """The first of `names` (the same field in OCPI 2.1.1's and 2.2.1's words) it holds."""
        return next((name for name in names if self._get(name) is not None), names[0])

    def amount(self, name: str, *, with_tax: bool = False) -> float | None:
        """A money amount: a number (OCPI 2.1.1, excluding tax), or a Price object (2.2.1).

        Of a Price, `excl_vat`, or with `with_tax` its `incl_vat`; a number has no tax part.
        """
        value = self._get(name)
        if not isinstance(value, Mapping):
            return None if with_tax else self.non_negative(name)
        price = JsonObject(value, f"{self._where}.{name}", self.out_of_range)
        return price.non_negative("incl_vat" if with_tax else "excl_vat")

    def timestamp(self, name: str, local_zone: tzinfo) -> datetime | None:
        """An aware datetime; None for the null sentinel. Times without a zone are local."""
        value = self.text(name)
        if value is None or not value.strip():
            return None
        try:
            return parse_timestamp(value, local_zone)
        except TimestampOutOfRangeError:
            self.out_of_range.append(f"{self._where}.{name}")
            return None
        except ValueError:
            raise self._wrong(name, "a timestamp") from None

    def child(self, name: str) -> JsonObject | None:
        """A nested object."""
        value = self._get(name)
        if value is None:
            return None
        return JsonObject(value, f"{self._where}.{name}", self.out_of_range)

    def children(self, name: str) -> list[JsonObject]:
        """A list of objects; a missing list is empty."""
        value = self._get(name)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self._wrong(name, "a list")
        return [
            JsonObject(item, f"{self._where}.{name}[{index}]", self.out_of_range)
            for index, item in enumerate(value)
        ]
