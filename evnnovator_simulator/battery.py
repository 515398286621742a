"""The car's battery: its state of charge from the energy the charger delivered.

The meter counts what leaves the charger; the battery stores `charging_efficiency` of it, so one
percent of a `battery_kwh` battery costs battery_kwh / 100 / efficiency kWh on the meter. Power
does not depend on the state of charge (no taper from it): the charger's curve alone says how
the energy grows, and the battery only ends it when full.
"""

import math

from .operator_profile import FULL_PERCENT, OperatorProfile

_WHOLE_PERCENT_SLACK = 1e-9
"""A percent this close below a whole one counts as it: float rounding of the closed form
(20 + 40 exactly may come out 59.999999999) must not floor to one less."""


def metered_kwh_per_percent(profile: OperatorProfile) -> float | None:
    """Return the metered energy one percent of the battery takes (None: no battery model)."""
    if profile.battery_kwh is None:
        return None
    return profile.battery_kwh / FULL_PERCENT / profile.charging_efficiency


def full_at_kwh(profile: OperatorProfile) -> float | None:
    """Return the metered energy at which the battery is full (None: no battery model)."""
    per_percent = metered_kwh_per_percent(profile)
    if per_percent is None:
        return None
    return (FULL_PERCENT - profile.battery_start_percent) * per_percent


def state_of_charge(profile: OperatorProfile, delivered_kwh: float) -> float | None:
    """Return the true, unrounded state of charge after `delivered_kwh` on the meter."""
    per_percent = metered_kwh_per_percent(profile)
    if per_percent is None:
        return None
    return min(FULL_PERCENT, profile.battery_start_percent + delivered_kwh / per_percent)


def whole_percent(percent: float) -> int:
    """Return `percent` floored to a whole percent, as chargers and cars report it."""
    return math.floor(percent + _WHOLE_PERCENT_SLACK)
