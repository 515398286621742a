"""A simulator of the EVnnovator charging API, for tests and for trying the integration out.

It is an independent fake of the real server: it imports nothing from Home Assistant.
"""

from .clock import ManualClock
from .demo import (
    DEMO_AUTH_ID,
    DEMO_AUTH_ID_BLOCKED,
    DEMO_AUTH_ID_NEW,
    DEMO_TOKEN_UID,
    published_sample,
)
from .faults import FaultKind
from .operator_profile import OperatorProfile
from .records import RecordedRequest
from .settings import DEFAULT_PREFIX, DEMO_TOKEN, SimulatorSettings
from .simulator import Simulator
from .site import DEMO_EVSE_UID, DEMO_LOCATION_ID

__all__ = [
    "DEFAULT_PREFIX",
    "DEMO_AUTH_ID",
    "DEMO_AUTH_ID_BLOCKED",
    "DEMO_AUTH_ID_NEW",
    "DEMO_EVSE_UID",
    "DEMO_LOCATION_ID",
    "DEMO_TOKEN",
    "DEMO_TOKEN_UID",
    "FaultKind",
    "ManualClock",
    "OperatorProfile",
    "RecordedRequest",
    "Simulator",
    "SimulatorSettings",
    "published_sample",
]
