"""Constants of the EVnnovator integration."""

from __future__ import annotations

import logging
from typing import Final

DOMAIN: Final = "evnnovator"
LOGGER = logging.getLogger(__package__)


class _OptionalCallFailures(logging.Filter):
    """A failing optional call (the charger's status, the price) is a warning, not an error.

    Home Assistant's coordinator says "Error fetching ... data" once when its calls start
    failing (and "recovered" at INFO): for what only a side sensor shows, that is a WARNING.
    Real errors (tracebacks) keep their level.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.ERROR and str(record.msg).startswith("Error fetching"):
            record.levelno, record.levelname = (
                logging.WARNING,
                logging.getLevelName(logging.WARNING),
            )
        return True


OPTIONAL_LOGGER = logging.getLogger(f"{__package__}.optional")
"""The logger of the side coordinators, whose calls a gateway may not serve."""
OPTIONAL_LOGGER.addFilter(_OptionalCallFailures())

CONF_AUTH_ID: Final = "auth_id"
CONF_BASE_URL: Final = "base_url"
CONF_AUTH_SCHEME: Final = "auth_scheme"
CONF_ADVANCED: Final = "advanced"
CONF_CHARGING_INTERVAL: Final = "charging_interval"
CONF_IDLE_INTERVAL: Final = "idle_interval"
# The uid of the driver's charging token (RFID card or app), which START_SESSION names.
CONF_TOKEN_UID: Final = "token_uid"  # noqa: S105 -- an option key, not a secret
# Whether the Cost limit is an amount with tax (off: before tax, as the session's running cost).
CONF_COST_LIMIT_WITH_TAX: Final = "cost_limit_with_tax"
# The car's own battery sensor (an entity id), which the Battery limit follows.
CONF_BATTERY_SENSOR: Final = "battery_sensor"

# Seconds one API request may take before it counts as failed.
REQUEST_TIMEOUT: Final = 10.0

# Polling: often enough while a session runs to follow its energy, rarely when nothing happens.
DEFAULT_CHARGING_INTERVAL: Final = 30
DEFAULT_IDLE_INTERVAL: Final = 300
CHARGING_INTERVAL_RANGE: Final = (10, 300)
IDLE_INTERVAL_RANGE: Final = (60, 3600)
# After an accepted STOP the session's status changes a little later: look again soon, then less so.
STOP_REFRESH_DELAYS: Final = (3.0, 8.0, 15.0, 30.0)
# The most energy a START may ask the operator to deliver: the energy limit's bound, far above
# any car's battery; a bound also keeps out infinity.
MAX_ENERGY_LIMIT_KWH: Final = 200.0

# Events, fired once per session (their data: see docs/automations.md, "Events").
EVENT_SESSION_STARTED: Final = "evnnovator_session_started"
EVENT_SESSION_COMPLETED: Final = "evnnovator_session_completed"
EVENT_SESSION_BILLED: Final = "evnnovator_session_billed"
# Fired once per idle period: the session runs on, but its car stopped drawing (full or paused).
EVENT_CHARGING_IDLE: Final = "evnnovator_charging_idle"
