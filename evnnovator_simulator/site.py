"""The one charging location the simulated operator has, as the published sample describes it."""

from collections.abc import Mapping
import copy
import math
from typing import Any
from zoneinfo import ZoneInfo

DEMO_LOCATION_ID = "2b10508db844fada81778c8b1bce853e"
"""The location's hex `id`: the `location_id` that START_SESSION takes."""

LOCATION_UUID = "D5F5E912-CD27-49D5-8586-FB93CA65A134"
"""The location's upper-case UUID: what a session's `location_id` holds."""

DEMO_EVSE_UID = "F17195C3-7028-446A-B51D-B114FCAA7416"
"""The `uid` of the sample's EVSE."""

SECOND_EVSE_UID = "8C3A1D52-6B0E-4F7A-9E21-3D5B7C9A0F14"
"""A second EVSE, so that clients cannot assume there is only one."""

TARIFF_ID = "20032"
"""The `tariff_id` of the demo EVSE's connector."""

SECOND_TARIFF_ID = "20033"
"""The `tariff_id` of the second EVSE's connector: its own price, as chargers of a site have."""

PARTY_ID = "TCZ"
COUNTRY_CODE = "IN"
CPO_ID = "59371e3bef3cb74f510fed1e102b6737"

LOCAL_TIME_ZONE = ZoneInfo("Asia/Kolkata")
"""Where the location is; the API writes some times in this zone without saying so."""

_LOCATION: dict[str, Any] = {
    "coordinates": {"latitude": 28.457523, "longitude": 77.026344},
    "evses": [
        {
            "id": "3d2542dc29da4512d061391db6a18377",
            "uid": DEMO_EVSE_UID,
            "evse_id": "IN*TCZ*2",
            "status": "AVAILABLE",
            "connectors": [],
            "floor_level": "ONE",
        },
        {
            "id": "9a41c7e07b2d4f0e8c5b16d3e2f4a871",
            "uid": SECOND_EVSE_UID,
            # Shared with the first EVSE's, as real locations do: the printed id names no EVSE.
            "evse_id": "IN*TCZ*2",
            "status": "AVAILABLE",
            "connectors": [],
            "floor_level": "ONE",
        },
    ],
    "id": DEMO_LOCATION_ID,
    "location_id": LOCATION_UUID,
    "type": "PARKING_TOP",
    "name": "GJ | Vadodara | Charge+Zone Office2",
    "address": (
        "401, Benison Complex, Opp. Shiv Mahal Palace, Old Padra Rd, Vadodara, Gujarat 390007"
    ),
    "city": "Vadodara",
    "postal_code": "123458",
    "state": "Gujarat",
    "country": "IND",
    "operator": {"name": "Charge+Zone"},
    "time_zone": "IST",
    "opening_times": {"twentyfourseven": True},
    "charging_when_closed": False,
    "publish": True,
    "party_id": PARTY_ID,
    "country_code": COUNTRY_CODE,
}

EVSE_UIDS: tuple[str, ...] = tuple(evse["uid"] for evse in _LOCATION["evses"])

# What the locations calls tell of each EVSE beyond what a session embeds: coordinates as
# strings (numbers at the location), connectors with their tariff, 0 volts and amperes for
# "unknown", and capabilities only where the operator states them.
_EVSE_DETAILS: dict[str, dict[str, Any]] = {
    DEMO_EVSE_UID: {
        "capabilities": ["REMOTE_START_STOP_CAPABLE", "RFID_READER"],
        "coordinates": {"latitude": "28.457523", "longitude": "77.026344"},
        "connectors": [
            {
                "id": "e5ca60e2b0af2747b5f2077de117e6a4",
                "standard": "IEC_62196_T2",
                "format": "SOCKET",
                "power_type": "AC_1_PHASE",
                "voltage": 230,
                "amperage": 32,
                "tariff_id": TARIFF_ID,
            }
        ],
    },
    SECOND_EVSE_UID: {
        "coordinates": {"latitude": "28.457531", "longitude": "77.026351"},
        "connectors": [
            {
                "id": "b7d2f0c94a1e3b5d6c8e9f0a1b2c3d4e",
                "standard": "IEC_60309_2_three_16",
                "format": "SOCKET",
                "power_type": "AC_1_PHASE",
                "voltage": 0,
                "amperage": 0,
                "tariff_id": SECOND_TARIFF_ID,
            }
        ],
    },
}

TARIFF_IDS: tuple[str, ...] = (TARIFF_ID, SECOND_TARIFF_ID)
"""The tariffs the location's connectors name, the demo EVSE's first."""


def evse_tariff_id(evse_uid: str) -> str:
    """The `tariff_id` of the connector of the EVSE whose canonical `uid` is `evse_uid`."""
    tariff_id: str = _EVSE_DETAILS[evse_uid]["connectors"][0]["tariff_id"]
    return tariff_id


def location_detail(statuses: dict[str, str]) -> dict[str, Any]:
    """The location as the locations calls serve it, with each EVSE's status by uid."""
    location = location_object()
    for evse in location["evses"]:
        evse.update(copy.deepcopy(_EVSE_DETAILS[evse["uid"]]))
        evse["status"] = statuses.get(evse["uid"], evse["status"])
    return location


def location_object() -> dict[str, Any]:
    """Return a fresh copy of the location object that sessions embed."""
    return copy.deepcopy(_LOCATION)


def find_evse_uid(uid: str) -> str | None:
    """Return the canonical `uid` of the location's EVSE matching `uid` case-insensitively."""
    wanted = uid.casefold()
    return next((known for known in EVSE_UIDS if known.casefold() == wanted), None)


def search_matches(
    location: dict[str, Any],
    latitude: float,
    longitude: float,
    distance_km: float,
    query: Mapping[str, str],
) -> bool:
    """Whether the search finds `location`: within the distance, with a matching EVSE."""
    coordinates = location["coordinates"]
    if _km(latitude, longitude, coordinates["latitude"], coordinates["longitude"]) > distance_km:
        return False
    power_type, status = query.get("power_type"), query.get("status")
    return any(
        (status is None or evse["status"] == status)
        and (
            power_type is None
            or any(connector["power_type"] == power_type for connector in evse["connectors"])
        )
        for evse in location["evses"]
    )


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance between two points."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))
