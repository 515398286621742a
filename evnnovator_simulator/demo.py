"""The demo drivers, and the sample session the API documentation publishes."""

import copy
from datetime import datetime, timedelta
from typing import Any

from .sessions import ACTIVE
from .site import DEMO_EVSE_UID
from .world import World

DEMO_AUTH_ID = "demo-driver-1"
"""Whitelisted, with an ACTIVE session."""

DEMO_AUTH_ID_NEW = "demo-driver-new"
"""Whitelisted, no session yet: its latest session is a 404."""

DEMO_AUTH_ID_BLOCKED = "demo-driver-blocked"
"""Not whitelisted: its latest session is a 403."""

DEMO_TOKEN_UID = "aGyJYcVTJDYXykvp"  # noqa: S105 (a public demo id, not a secret)
"""demo-driver-1's charging token, the `token_uid` START_SESSION takes."""

# Public demo ids, not secrets.
DEMO_TOKEN_UID_NEW = "nEwDrIvErToKeN02"  # noqa: S105
DEMO_TOKEN_UID_BLOCKED = "bLoCkEdToKeNu1d3"  # noqa: S105

DEMO_SESSION_AGE = timedelta(minutes=20)
"""How long demo-driver-1 has been charging when the simulator starts."""


def populate_demo_world(world: World, now: datetime) -> None:
    """Add the three demo drivers, demo-driver-1 charging since DEMO_SESSION_AGE ago."""
    world.add_driver(DEMO_AUTH_ID, token_uid=DEMO_TOKEN_UID)
    world.add_driver(DEMO_AUTH_ID_NEW, token_uid=DEMO_TOKEN_UID_NEW)
    world.add_driver(DEMO_AUTH_ID_BLOCKED, token_uid=DEMO_TOKEN_UID_BLOCKED, whitelisted=False)
    world.start_session(
        DEMO_AUTH_ID, now=now - DEMO_SESSION_AGE, evse_uid=DEMO_EVSE_UID, status=ACTIVE
    )


# Verbatim from the API documentation (which shortens the location), hence no shared constants.
_PUBLISHED_SAMPLE: dict[str, Any] = {
    "evseId": "f17195c3-7028-446a-b51d-b114fcaa7416",
    "connectorId": "1",
    "id": "ae18c8e04f45946f0706735285a0a069",
    "created_date": "2022-03-23T05:12:36.039+00:00",
    "last_modified_date": "2022-03-23T05:16:12.912+00:00",
    "party_id": "TCZ",
    "country_code": "IN",
    "location_id": "D5F5E912-CD27-49D5-8586-FB93CA65A134",
    "session_id": "20796751",
    "cpoId": "59371e3bef3cb74f510fed1e102b6737",
    "start_datetime": "2022-03-23T05:12:22.000+00:00",
    "end_datetime": "2022-03-23T05:15:59.647+00:00",
    "kwh": 0.16,
    "auth_id": "demo-driver-1",
    "auth_method": "COMMAND",
    "location": {
        "coordinates": {"latitude": 28.457523, "longitude": 77.026344},
        "evses": [
            {
                "id": "3d2542dc29da4512d061391db6a18377",
                "uid": "F17195C3-7028-446A-B51D-B114FCAA7416",
                "evse_id": "IN*TCZ*2",
                "status": "AVAILABLE",
                "connectors": [],
                "floor_level": "ONE",
            }
        ],
        "id": "2b10508db844fada81778c8b1bce853e",
        "location_id": "D5F5E912-CD27-49D5-8586-FB93CA65A134",
        "type": "PARKING_TOP",
        "name": "GJ | Vadodara | Charge+Zone Office2",
        "address": (
            "401, Benison Complex, Opp. Shiv Mahal Palace, Old Padra Rd, Vadodara, Gujarat 390007"
        ),
        "city": "Vadodara",
        "postal_code": "123458",
        "country": "IND",
        "time_zone": "IST",
        "charging_when_closed": False,
        "publish": True,
    },
    "currency": "INR",
    "charging_periods": [{"start_date_time": "2022-03-23T10:45:59.647"}],
    "total_cost": 2.88,
    "status": "ACTIVE",
    "last_updated": "0001-01-01T00:00:00.000+00:00",
}


def published_sample() -> dict[str, Any]:
    """Return a copy of the sample `data` from the API documentation, for `set_raw_latest`."""
    return copy.deepcopy(_PUBLISHED_SAMPLE)
