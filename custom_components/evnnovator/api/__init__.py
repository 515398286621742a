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
    REMOTE_START_STOP_CAPABLE,
    RUNNING_STATUSES,
    ChargingPeriod,
    Connector,
    Coordinates,
    Evse,
    EvseStatus,
    Location,
    Session,
    SessionStatus,
    parse_evse,
    parse_location,
    parse_session,
)
from .tariff import PriceComponent, Tariff, parse_tariff

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_REQUEST_TIMEOUT",
    "REMOTE_START_STOP_CAPABLE",
    "RUNNING_STATUSES",
    "AuthScheme",
    "ChargeDetailRecord",
    "ChargingPeriod",
    "Connector",
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
    "EvseStatus",
    "Location",
    "PriceComponent",
    "Session",
    "SessionStatus",
    "Tariff",
    "parse_base_url",
    "parse_cdr",
    "parse_evse",
    "parse_location",
    "parse_session",
    "parse_tariff",
]
