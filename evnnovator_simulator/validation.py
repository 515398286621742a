"""Reading and checking input that arrives in JSON bodies or keyword arguments."""

import json
import math
from typing import Any

from aiohttp import web


async def read_json(request: web.Request) -> Any:
    """Return the request's parsed JSON body, or None if it is empty or not JSON."""
    try:
        return json.loads(await request.read())
    except ValueError:
        return None


def finite_number(value: Any) -> float | None:
    """Return `value` as a float if it is a finite int or float (booleans are not), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)
