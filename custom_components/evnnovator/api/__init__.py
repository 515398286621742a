"""A small async client of the EVnnovator charging API.

It depends only on aiohttp and the standard library, so it can be published on its own.
"""

from .cdr import ChargeDetailRecord, parse_cdr
from .client import (
    DEFAULT_BASE_URL,
    DEFAULT_REQUEST_TIMEOUT,
    AuthScheme,
    EvnnovatorClient,
    parse_base_url,
)
from .exceptions import (
    EvnnovatorAuthenticationError,
    EvnnovatorCommandRejectedError,
    EvnnovatorConnectionError,
    EvnnovatorError,
    EvnnovatorRateLimitError,
    EvnnovatorResponseError,
    EvnnovatorServerError,
)
from .models import (
    RUNNING_STATUSES,
    ChargingPeriod,
    Coordinates,
    Evse,
    Location,
    Session,
    SessionStatus,
    parse_session,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_REQUEST_TIMEOUT",
    "RUNNING_STATUSES",
    "AuthScheme",
    "ChargeDetailRecord",
    "ChargingPeriod",
    "Coordinates",
    "EvnnovatorAuthenticationError",
    "EvnnovatorClient",
    "EvnnovatorCommandRejectedError",
    "EvnnovatorConnectionError",
    "EvnnovatorError",
    "EvnnovatorRateLimitError",
    "EvnnovatorResponseError",
    "EvnnovatorServerError",
    "Evse",
    "Location",
    "Session",
    "SessionStatus",
    "parse_base_url",
    "parse_cdr",
    "parse_session",
]
