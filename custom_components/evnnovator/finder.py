"""The find_chargers action's answer: nearby locations and their chargers, nearest first."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from homeassistant.util.location import distance

from .api import EvseStatus

if TYPE_CHECKING:
    from .api import Evse, Location, Tariff


@dataclass(frozen=True, kw_only=True)
class ChargerSearch:
    """Where and how far find_chargers looked, answered beside what it found.

    An empty answer then says why it is empty (home is the default point, and may be far from
    the chargers the user had in mind).
    """

    latitude: float
    longitude: float
    distance_km: float
    power_type: str | None
    """In the action field's casing (`ac_1_phase`), as the answer's `power_types`."""
    only_available: bool


# The fields of a location's dict that the answer gives, in this order.
_LOCATION_KEYS = ("id", "name", "address", "city", "latitude", "longitude")


def _evse_answer(evse: Evse, location: Location, tariff: Tariff | None) -> dict[str, Any]:
    """One charger: the ids start_charging takes, its status, power and price where known."""
    powers = [power for connector in evse.connectors if (power := connector.power_kw)]
    tariff_ids = {connector.tariff_id for connector in evse.connectors}
    # A price is known only for the tariff fetched for the latest session's connector.
    price = tariff.energy_price if tariff is not None and tariff.tariff_id in tariff_ids else None
    known = evse.known_status
    return {
        "location_id": location.id,
        "evse_uid": evse.uid,
        "evse_id": evse.evse_id,
        "status": None if known is None else known.value.lower(),
        "max_power_kw": max(powers, default=None),
        # In the power_type field's casing, so that a value found can be given back as the filter.
        "power_types": sorted({c.power_type.lower() for c in evse.connectors if c.power_type}),
        "remote_start": None if evse.capabilities is None else not evse.remote_start_refused,
        "price_per_kwh": price,
        "currency": None if price is None or tariff is None else tariff.currency,
    }


def chargers_answer(
    locations: list[Location],
    latitude: float,
    longitude: float,
    *,
    only_available: bool,
    tariff: Tariff | None,
) -> list[dict[str, Any]]:
    """The locations with their chargers, nearest first; without the unavailable on request."""
    answers: list[dict[str, Any]] = []
    for location in locations:
        evses = [
            _evse_answer(evse, location, tariff)
            for evse in location.evses
            if not only_available or evse.known_status is EvseStatus.AVAILABLE
        ]
        if not evses:
            continue
        coordinates = location.coordinates
        meters = (
            None
            if coordinates is None
            else distance(latitude, longitude, coordinates.latitude, coordinates.longitude)
        )
        fields = location.as_dict()
        answers.append(
            {
                **{key: fields[key] for key in _LOCATION_KEYS},
                "distance_km": None if meters is None else round(meters / 1000, 2),
                "evses": evses,
            }
        )
    # Nearest first; a location without coordinates last.
    answers.sort(key=lambda answer: (answer["distance_km"] is None, answer["distance_km"] or 0))
    return answers


def search_answer(
    search: ChargerSearch, locations: list[Location], tariff: Tariff | None
) -> dict[str, Any]:
    """The action's whole answer: the locations found, and where and how far it searched."""
    return {
        "locations": chargers_answer(
            locations,
            search.latitude,
            search.longitude,
            only_available=search.only_available,
            tariff=tariff,
        ),
        "searched": asdict(search),
    }
