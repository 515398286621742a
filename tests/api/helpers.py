"""Helpers of the API client tests."""

from collections.abc import Awaitable
import json
from pathlib import Path
from typing import Any

import pytest

from custom_components.evnnovator.api import EvnnovatorError

FIXTURES = Path(__file__).parent / "fixtures"


def published_sample() -> dict[str, Any]:
    """A fresh copy of the sample `data` the API documentation publishes."""
    sample: dict[str, Any] = json.loads(
        (FIXTURES / "published_sample.json").read_text(encoding="utf-8")
    )
    return sample


async def raises_exactly[E: EvnnovatorError](expected: type[E], call: Awaitable[object]) -> E:
    """Await `call`; it must raise exactly `expected`: no subclass, no other type escaping."""
    with pytest.raises(EvnnovatorError) as info:
        await call
    err = info.value
    if type(err) is not expected or not isinstance(err, expected):
        pytest.fail(f"expected {expected.__name__}, got {type(err).__name__}: {err}")
    return err
