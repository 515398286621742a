"""Sensors of the driver account: its latest session, lifetime totals, bill, charger and price."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import (
    MAX_LENGTH_STATE_STATE,
    PERCENTAGE,
    EntityCategory,
    UnitOfEnergy,
    UnitOfPower,
    UnitOfTime,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util

from .api import EvseStatus, Session, SessionStatus
from .data import EvnnovatorConfigEntry
from .entity import EvnnovatorEntity, EvnnovatorEntityDescription, always

if TYPE_CHECKING:
    from .account import Account
    from .view import AccountView

# Read-only polling: the coordinator does the requests, entities only read its data.
PARALLEL_UPDATES = 0

# OCPI's statuses, and two of a running session's: "stopping", a STOP was accepted and the
# session runs on until the charger has stopped (from 5 s to a minute or more); "idle", the
# session is ACTIVE but its car draws nothing (full or paused), which OCPI does not tell apart.
STATUS_STOPPING = "stopping"
STATUS_IDLE = "idle"
STATUS_OPTIONS = [
    *(status.value.lower() for status in SessionStatus),
    STATUS_STOPPING,
    STATUS_IDLE,
]
# Below this much charging time, energy over time says more about meter lag than about power.
MIN_AVERAGING_SECONDS = 60.0
# A text too long for a state (Home Assistant refuses it) is shortened; this attribute has it all.
ATTR_FULL_TEXT = "full_text"


def _main(account: Account) -> DataUpdateCoordinator[Any]:
    return account.coordinator


@dataclass(frozen=True, kw_only=True)
class EvnnovatorSensorEntityDescription(SensorEntityDescription, EvnnovatorEntityDescription):
    """How one sensor reads the account's view."""

    value_fn: Callable[[AccountView], StateType | datetime]
    unit_fn: Callable[[AccountView], str | None] | None = None
    last_reset_fn: Callable[[AccountView], datetime | None] | None = None
    attributes_fn: Callable[[AccountView], Mapping[str, Any] | None] | None = None
    coordinator_fn: Callable[[Account], DataUpdateCoordinator[Any]] = _main
    """The coordinator whose updates the sensor follows (the session's, the charger's, the
    price's)."""
    refresh_when_added: bool = False
    """Ask its coordinator at once rather than an interval later (the charger's status)."""


type SessionValue = Callable[[Session], StateType | datetime]


def _of_session(value_fn: SessionValue) -> Callable[[AccountView], StateType | datetime]:
    """A value of the latest session; unknown while the driver has none."""
    return lambda view: None if view.session is None else value_fn(view.session)


def _status(view: AccountView) -> str | None:
    if view.session is None:
        return None
    if view.stopping:
        return STATUS_STOPPING
    if view.idle_since is not None:
        return STATUS_IDLE
    known = view.session.known_status
    return None if known is None else known.value.lower()


def _duration_minutes(view: AccountView) -> float | None:
    """The minutes until the reading was true, as the energy counts them.

    Not until now: a poll after the session's real end would count minutes that its end then
    takes back.
    """
    if view.session is None:
        return None
    seconds = view.session.elapsed(view.measured_at or dt_util.utcnow())
    return None if seconds is None else round(seconds / 60, 1)


def _average_power(view: AccountView) -> float | None:
    """The energy over the time until it was true: a kept reading (a 429) keeps its average."""
    session = view.session
    if session is None or not session.is_charging:
        return None
    at = view.measured_at or dt_util.utcnow()
    seconds = session.elapsed(at)
    if seconds is None or seconds < MIN_AVERAGING_SECONDS:
        return None
    power = session.average_power_kw(at)
    return None if power is None else round(power, 3)


# The location's fields that describe where it is, as attributes of the Location sensor.
_PLACE = ("address", "city", "postal_code", "country", "latitude", "longitude")


def _location_attributes(view: AccountView) -> Mapping[str, Any] | None:
    if view.session is None:
        return None
    location = view.session.location
    if location is None:
        return {}
    return {
        key: value
        for key, value in location.as_dict().items()
        if key in _PLACE and value is not None
    }


def _charger(session: Session) -> str | None:
    evse = session.evse
    if evse is not None and evse.evse_id:
        return evse.evse_id
    return session.evse_uid


def _session_start(view: AccountView) -> datetime | None:
    """When the session began: its creation, which stays.

    OCPI's start moves from the creation (PENDING) to the moment it charges (ACTIVE), which
    would read as a second start.
    """
    if view.session is None:
        return None
    return view.session.created or view.session.start


def _session_currency(view: AccountView) -> str | None:
    return None if view.session is None else view.session.currency


def _charging_power(view: AccountView) -> float | None:
    """KW between the latest distinct meter values; 0 while nothing charges."""
    if view.session is None or not view.session.is_charging:
        return 0.0
    return None if view.rate_kw is None else round(view.rate_kw, 3)


def _planned_stop_attributes(view: AccountView) -> Mapping[str, Any] | None:
    """Which limit, and when its STOP goes out (earlier by the operator's stop latency).

    For the cost limit, whether it counts with tax: with the option, once a ratio is known. While
    the Battery limit is set, what it plans with (or why it waits: see battery.BatteryStatus).
    """
    plan, armed = view.plan, view.armed
    attributes: dict[str, Any] = {}
    if plan is not None and armed is not None:
        attributes |= {"limit": armed.limit, "stop_command_at": plan.send_at}
        if armed.limit == "cost":
            attributes["tax_included"] = view.plan_tax_ratio is not None
    if view.battery_status is not None:
        attributes["battery_status"] = view.battery_status.value
    return attributes or None


def _cost_with_tax_attributes(view: AccountView) -> Mapping[str, Any] | None:
    """Whether the amount is an estimate, and the tax ratio it was estimated with."""
    cost = view.cost_with_tax
    if cost is None:
        return None
    if cost.tax_ratio is None:
        return {"estimated": False}
    return {"estimated": True, "tax_ratio": round(cost.tax_ratio, 4)}


def _billed_cost(view: AccountView) -> float | None:
    bill = view.bill
    return None if bill is None or not bill.currency else bill.cost


def _bill_attributes(view: AccountView) -> Mapping[str, Any] | None:
    """The amount before tax, the tax, the billed energy (kWh) and duration (minutes)."""
    bill = view.bill
    if bill is None:
        return None
    return {
        "cost_before_tax": bill.cost_before_tax,
        "tax": bill.tax,
        "energy": bill.energy,
        "duration": bill.duration,
        "session_id": bill.session_id,
    }


def _charger_status(view: AccountView) -> str | None:
    """OCPI's status in lower case; unknown for one OCPI does not define."""
    known = None if view.evse is None else view.evse.known_status
    return None if known is None else known.value.lower()


def _charger_attributes(view: AccountView) -> Mapping[str, Any] | None:
    """The charger's printed id and its capabilities (None: the API does not say)."""
    evse = view.evse
    if evse is None:
        return None
    capabilities = None if evse.capabilities is None else list(evse.capabilities)
    return {"evse_id": evse.evse_id, "capabilities": capabilities}


def _energy_price(view: AccountView) -> float | None:
    """The price that applies now (a tariff's time-of-day and kWh bands chosen)."""
    tariff = view.tariff
    if tariff is None or not tariff.currency:
        return None
    return tariff.energy_price_for(view.session, dt_util.utcnow())


def _energy_price_unit(view: AccountView) -> str | None:
    """In `<currency>/kWh`, as the Energy dashboard takes a price entity."""
    tariff = view.tariff
    return None if tariff is None or not tariff.currency else f"{tariff.currency}/kWh"


def _tariff_attributes(view: AccountView) -> Mapping[str, Any] | None:
    """The tariff's id and its other components (per hour, flat), all before tax."""
    tariff = view.tariff
    if tariff is None:
        return None
    return {
        "tariff_id": tariff.tariff_id,
        "tax_included": False,
        "other_components": [
            {"type": part.type, "price": part.price, "step_size": part.step_size}
            for part in tariff.other_components
        ],
    }


SENSORS: tuple[EvnnovatorSensorEntityDescription, ...] = (
    EvnnovatorSensorEntityDescription(
        key="status",
        translation_key="status",
        device_class=SensorDeviceClass.ENUM,
        options=STATUS_OPTIONS,
        value_fn=_status,
    ),
    EvnnovatorSensorEntityDescription(
        key="energy",
        translation_key="energy",
        device_class=SensorDeviceClass.ENERGY,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        state_class=SensorStateClass.TOTAL,
        suggested_display_precision=2,
        value_fn=_of_session(lambda session: session.kwh),
        last_reset_fn=_session_start,
    ),
    EvnnovatorSensorEntityDescription(
        key="cost",
        translation_key="cost",
        device_class=SensorDeviceClass.MONETARY,
        state_class=SensorStateClass.TOTAL,
        suggested_display_precision=2,
        # A cost without its currency would be a number of unknown meaning.
        value_fn=_of_session(lambda session: session.total_cost if session.currency else None),
        unit_fn=_session_currency,
        last_reset_fn=_session_start,
        # The operator's running figure excludes tax: the bill (Last session billed cost) has it.
        attributes_fn=lambda view: None if view.session is None else {"tax_included": False},
    ),
    # The cost with tax before the bill: the session's own figure where it says one, else its
    # bill's once billed, else the running cost times the tax ratio the latest bill showed.
    EvnnovatorSensorEntityDescription(
        key="cost_with_tax",
        translation_key="cost_with_tax",
        device_class=SensorDeviceClass.MONETARY,
        state_class=SensorStateClass.TOTAL,
        suggested_display_precision=2,
        value_fn=lambda view: None if (cost := view.cost_with_tax) is None else cost.amount,
        unit_fn=_session_currency,
        last_reset_fn=_session_start,
        attributes_fn=_cost_with_tax_attributes,
    ),
    EvnnovatorSensorEntityDescription(
        key="started",
        translation_key="started",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=_session_start,
    ),
    EvnnovatorSensorEntityDescription(
        key="ended",
        translation_key="ended",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=_of_session(lambda session: session.ended),
    ),
    EvnnovatorSensorEntityDescription(
        key="duration",
        translation_key="duration",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.MINUTES,
        suggested_display_precision=0,
        value_fn=_duration_minutes,
    ),
    EvnnovatorSensorEntityDescription(
        key="average_power",
        translation_key="average_power",
        device_class=SensorDeviceClass.POWER,
        native_unit_of_measurement=UnitOfPower.KILO_WATT,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=2,
        value_fn=_average_power,
    ),
    EvnnovatorSensorEntityDescription(
        key="location",
        translation_key="location",
        value_fn=_of_session(lambda session: session.location.name if session.location else None),
        attributes_fn=_location_attributes,
    ),
    EvnnovatorSensorEntityDescription(
        key="charger",
        translation_key="charger",
        value_fn=_of_session(_charger),
    ),
    EvnnovatorSensorEntityDescription(
        key="session_id",
        translation_key="session_id",
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=_of_session(lambda session: session.id),
    ),
    # Lifetime totals: every session counted once, kept across restarts and outages. They stay
    # true while the API is away: they only miss what they have not seen yet.
    EvnnovatorSensorEntityDescription(
        key="total_energy",
        translation_key="total_energy",
        device_class=SensorDeviceClass.ENERGY,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        state_class=SensorStateClass.TOTAL_INCREASING,
        suggested_display_precision=2,
        # Unknown before the first session, as Total cost (which has no currency until then).
        value_fn=lambda view: (
            None if view.session is None and not view.total_energy else round(view.total_energy, 4)
        ),
        available_fn=always,
    ),
    EvnnovatorSensorEntityDescription(
        key="total_cost",
        translation_key="total_cost",
        device_class=SensorDeviceClass.MONETARY,
        state_class=SensorStateClass.TOTAL,
        suggested_display_precision=2,
        value_fn=lambda view: None if view.total_cost is None else round(view.total_cost, 2),
        # The total of the currency the driver charges in now.
        unit_fn=_session_currency,
        available_fn=always,
    ),
    # The power flowing now; unknown (not unavailable: the API answers) while a session charges
    # but its meter has not shown the rate yet: a guess would be a wrong value.
    EvnnovatorSensorEntityDescription(
        key="charging_power",
        translation_key="charging_power",
        device_class=SensorDeviceClass.POWER,
        native_unit_of_measurement=UnitOfPower.KILO_WATT,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=2,
        value_fn=_charging_power,
    ),
    # When the running session will be stopped: the predicted moment of the first limit (the
    # Energy, Cost or Battery limit, or the energy the session was started with);
    # unknown while none is set or the rate is not known yet, and once a STOP was sent.
    EvnnovatorSensorEntityDescription(
        key="planned_stop",
        translation_key="planned_stop",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda view: None if view.armed is None else view.armed.crossing_at,
        attributes_fn=_planned_stop_attributes,
    ),
    # The car's battery as the Battery limit sees it: the charger's or the car sensor's value,
    # carried on by the meter in between; unknown while nothing tells it.
    EvnnovatorSensorEntityDescription(
        key="battery",
        translation_key="battery",
        device_class=SensorDeviceClass.BATTERY,
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
        value_fn=lambda view: None if view.battery is None else round(view.battery, 1),
    ),
    # What the latest billed session cost, tax included, from its charge detail record; kept
    # across restarts and while the API is away: a bill does not change.
    EvnnovatorSensorEntityDescription(
        key="billed_cost",
        translation_key="billed_cost",
        device_class=SensorDeviceClass.MONETARY,
        suggested_display_precision=2,
        value_fn=_billed_cost,
        unit_fn=lambda view: None if view.bill is None else view.bill.currency,
        attributes_fn=_bill_attributes,
        available_fn=always,
    ),
    EvnnovatorSensorEntityDescription(
        key="charger_status",
        translation_key="charger_status",
        device_class=SensorDeviceClass.ENUM,
        options=[status.value.lower() for status in EvseStatus],
        # Each poll is one more request: on when an automation needs it (see docs/entities.md).
        entity_registry_enabled_default=False,
        value_fn=_charger_status,
        attributes_fn=_charger_attributes,
        coordinator_fn=lambda account: account.charger,
        refresh_when_added=True,
    ),
    EvnnovatorSensorEntityDescription(
        key="energy_price",
        translation_key="energy_price",
        suggested_display_precision=2,
        value_fn=_energy_price,
        unit_fn=_energy_price_unit,
        attributes_fn=_tariff_attributes,
        coordinator_fn=lambda account: account.price,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: EvnnovatorConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the sensors of the driver account."""
    async_add_entities(
        EvnnovatorSensor(
            entry=entry,
            coordinator=description.coordinator_fn(entry.runtime_data),
            description=description,
        )
        for description in SENSORS
    )


class EvnnovatorSensor(EvnnovatorEntity[DataUpdateCoordinator[Any]], SensorEntity):
    """A value of the account's view, as its description reads it."""

    entity_description: EvnnovatorSensorEntityDescription

    async def async_added_to_hass(self) -> None:
        """Follow the coordinator; ask it at once where the description says so."""
        await super().async_added_to_hass()
        if self.entity_description.refresh_when_added:
            await self.coordinator.async_request_refresh()

    @property
    def native_value(self) -> StateType | datetime:
        """The value the description reads; a text shortened to fit a state."""
        value = self.entity_description.value_fn(self.view)
        if isinstance(value, str) and len(value) > MAX_LENGTH_STATE_STATE:
            return value[: MAX_LENGTH_STATE_STATE - 1] + "…"
        return value

    @property
    def native_unit_of_measurement(self) -> str | None:
        """The view's own unit where it has one (a currency), else the fixed one."""
        if self.entity_description.unit_fn is not None:
            return self.entity_description.unit_fn(self.view)
        return super().native_unit_of_measurement

    @property
    def last_reset(self) -> datetime | None:
        """The session's start: every session counts from zero."""
        if self.entity_description.last_reset_fn is None:
            return None
        return self.entity_description.last_reset_fn(self.view)

    @property
    def extra_state_attributes(self) -> Mapping[str, Any] | None:
        """What the description adds, and the whole of a shortened text."""
        view = self.view
        attributes: dict[str, Any] = {}
        if self.entity_description.attributes_fn is not None:
            attributes.update(self.entity_description.attributes_fn(view) or {})
        value = self.entity_description.value_fn(view)
        if isinstance(value, str) and len(value) > MAX_LENGTH_STATE_STATE:
            attributes[ATTR_FULL_TEXT] = value
        return attributes or None
