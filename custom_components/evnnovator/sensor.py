"""Sensors of the driver's latest charging session."""

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
    EntityCategory,
    UnitOfEnergy,
    UnitOfPower,
    UnitOfTime,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType
from homeassistant.util import dt as dt_util

from .api import Evse, EvseStatus, Session, SessionStatus, Tariff
from .charger import ChargerStatusCoordinator
from .data import EvnnovatorConfigEntry
from .entity import EvnnovatorEntity, EvnnovatorKeptValueEntity, EvnnovatorSideEntity
from .price import TariffCoordinator

if TYPE_CHECKING:
    from .limits import LimitController
    from .stopping import StopCommands
    from .tracker import SessionTracker

# Read-only polling: the coordinator does the requests, entities only read its data.
PARALLEL_UPDATES = 0

# OCPI's statuses, and "stopping": a STOP was accepted and the session runs on until the
# charger has stopped (from 5 s to a minute or more).
STATUS_STOPPING = "stopping"
STATUS_OPTIONS = [*(status.value.lower() for status in SessionStatus), STATUS_STOPPING]
# Below this much charging time, energy over time says more about meter lag than about power.
MIN_AVERAGING_SECONDS = 60.0
# A text too long for a state (Home Assistant refuses it) is shortened; this attribute has it all.
ATTR_FULL_TEXT = "full_text"


@dataclass(frozen=True, kw_only=True)
class EvnnovatorSensorEntityDescription(SensorEntityDescription):
    """How one sensor reads the session."""

    value_fn: Callable[[Session], StateType | datetime]
    unit_fn: Callable[[Session], str | None] | None = None
    last_reset_fn: Callable[[Session], datetime | None] | None = None
    attributes_fn: Callable[[Session], Mapping[str, Any]] | None = None
    stopping_value: str | None = None
    """The value while the charger is stopping after an accepted STOP, if it differs."""


def _status(session: Session) -> str | None:
    known = session.known_status
    return None if known is None else known.value.lower()


def _duration_minutes(session: Session) -> float | None:
    seconds = session.elapsed(dt_util.utcnow())
    return None if seconds is None else round(seconds / 60, 1)


def _average_power(session: Session) -> float | None:
    if not session.is_charging:
        return None
    now = dt_util.utcnow()
    seconds = session.elapsed(now)
    if seconds is None or seconds < MIN_AVERAGING_SECONDS:
        return None
    power = session.average_power_kw(now)
    return None if power is None else round(power, 3)


def _location_attributes(session: Session) -> Mapping[str, Any]:
    location = session.location
    if location is None:
        return {}
    attributes: dict[str, Any] = {
        "address": location.address,
        "city": location.city,
        "postal_code": location.postal_code,
        "country": location.country,
    }
    if location.coordinates is not None:
        attributes["latitude"] = location.coordinates.latitude
        attributes["longitude"] = location.coordinates.longitude
    return {key: value for key, value in attributes.items() if value is not None}


def _charger(session: Session) -> str | None:
    evse = session.evse
    if evse is not None and evse.evse_id:
        return evse.evse_id
    return session.evse_uid


def _session_start(session: Session) -> datetime | None:
    return session.start


SENSORS: tuple[EvnnovatorSensorEntityDescription, ...] = (
    EvnnovatorSensorEntityDescription(
        key="status",
        translation_key="status",
        device_class=SensorDeviceClass.ENUM,
        options=STATUS_OPTIONS,
        value_fn=_status,
        stopping_value=STATUS_STOPPING,
    ),
    EvnnovatorSensorEntityDescription(
        key="energy",
        translation_key="energy",
        device_class=SensorDeviceClass.ENERGY,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        state_class=SensorStateClass.TOTAL,
        suggested_display_precision=2,
        value_fn=lambda session: session.kwh,
        last_reset_fn=_session_start,
    ),
    EvnnovatorSensorEntityDescription(
        key="cost",
        translation_key="cost",
        device_class=SensorDeviceClass.MONETARY,
        state_class=SensorStateClass.TOTAL,
        suggested_display_precision=2,
        # A cost without its currency would be a number of unknown meaning.
        value_fn=lambda session: session.total_cost if session.currency else None,
        unit_fn=lambda session: session.currency,
        last_reset_fn=_session_start,
        # The operator's running figure excludes tax: the bill (Last session billed cost) has it.
        attributes_fn=lambda _session: {"tax_included": False},
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
        value_fn=lambda session: session.ended,
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
        value_fn=lambda session: session.location.name if session.location else None,
        attributes_fn=_location_attributes,
    ),
    EvnnovatorSensorEntityDescription(
        key="charger",
        translation_key="charger",
        value_fn=_charger,
    ),
    EvnnovatorSensorEntityDescription(
        key="session_id",
        translation_key="session_id",
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=lambda session: session.id,
    ),
)


@dataclass(frozen=True, kw_only=True)
class EvnnovatorTotalSensorEntityDescription(SensorEntityDescription):
    """How one lifetime total reads the tracker."""

    value_fn: Callable[[SessionTracker, Session | None], float | None]
    unit_fn: Callable[[Session | None], str | None] | None = None


def _total_cost(tracker: SessionTracker, session: Session | None) -> float | None:
    if session is None or session.currency is None:
        return None
    return round(tracker.ledger.total_cost(session.currency), 2)


TOTALS: tuple[EvnnovatorTotalSensorEntityDescription, ...] = (
    EvnnovatorTotalSensorEntityDescription(
        key="total_energy",
        translation_key="total_energy",
        device_class=SensorDeviceClass.ENERGY,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        state_class=SensorStateClass.TOTAL_INCREASING,
        suggested_display_precision=2,
        value_fn=lambda tracker, _session: round(tracker.ledger.total_energy, 4),
    ),
    EvnnovatorTotalSensorEntityDescription(
        key="total_cost",
        translation_key="total_cost",
        device_class=SensorDeviceClass.MONETARY,
        state_class=SensorStateClass.TOTAL,
        suggested_display_precision=2,
        value_fn=_total_cost,
        # The total of the currency the driver charges in now.
        unit_fn=lambda session: None if session is None else session.currency,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: EvnnovatorConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the session sensors of the driver account."""
    coordinator = entry.runtime_data.coordinator
    async_add_entities(EvnnovatorSensor(coordinator, description) for description in SENSORS)
    async_add_entities(EvnnovatorTotalSensor(entry, description) for description in TOTALS)
    async_add_entities(
        [
            EvnnovatorChargingPowerSensor(coordinator, CHARGING_POWER),
            EvnnovatorPlannedStopSensor(coordinator, PLANNED_STOP),
            EvnnovatorBillSensor(entry, BILLED_COST),
            EvnnovatorChargerStatusSensor(entry, entry.runtime_data.charger, CHARGER_STATUS),
            EvnnovatorEnergyPriceSensor(entry, entry.runtime_data.price, ENERGY_PRICE),
        ]
    )


CHARGING_POWER = SensorEntityDescription(
    key="charging_power",
    translation_key="charging_power",
    device_class=SensorDeviceClass.POWER,
    native_unit_of_measurement=UnitOfPower.KILO_WATT,
    state_class=SensorStateClass.MEASUREMENT,
    suggested_display_precision=2,
)

PLANNED_STOP = SensorEntityDescription(
    key="planned_stop",
    translation_key="planned_stop",
    device_class=SensorDeviceClass.TIMESTAMP,
)


BILLED_COST = SensorEntityDescription(
    key="billed_cost",
    translation_key="billed_cost",
    device_class=SensorDeviceClass.MONETARY,
    suggested_display_precision=2,
)


CHARGER_STATUS = SensorEntityDescription(
    key="charger_status",
    translation_key="charger_status",
    device_class=SensorDeviceClass.ENUM,
    options=[status.value.lower() for status in EvseStatus],
    # Each poll is one more request: on when an automation needs it (see the README).
    entity_registry_enabled_default=False,
)


ENERGY_PRICE = SensorEntityDescription(
    key="energy_price",
    translation_key="energy_price",
    suggested_display_precision=2,
)


class EvnnovatorSensor(EvnnovatorEntity, SensorEntity):
    """A value of the latest session; unknown while the driver has none."""

    entity_description: EvnnovatorSensorEntityDescription

    def _value(self) -> StateType | datetime:
        session = self.coordinator.data
        if session is None:
            return None
        stopping_value = self.entity_description.stopping_value
        if stopping_value is not None and self._stops.stopping(session):
            return stopping_value
        return self.entity_description.value_fn(session)

    @property
    def _stops(self) -> StopCommands:
        entry: EvnnovatorConfigEntry = self.coordinator.config_entry
        return entry.runtime_data.stops

    @property
    def native_value(self) -> StateType | datetime:
        """The value the description reads from the session; a text shortened to fit a state."""
        value = self._value()
        if isinstance(value, str) and len(value) > MAX_LENGTH_STATE_STATE:
            return value[: MAX_LENGTH_STATE_STATE - 1] + "…"
        return value

    @property
    def native_unit_of_measurement(self) -> str | None:
        """The session's own unit where it has one (the currency), else the fixed one."""
        session = self.coordinator.data
        if self.entity_description.unit_fn is not None and session is not None:
            return self.entity_description.unit_fn(session)
        return super().native_unit_of_measurement

    @property
    def last_reset(self) -> datetime | None:
        """The session's start: every session counts from zero."""
        session = self.coordinator.data
        if self.entity_description.last_reset_fn is None or session is None:
            return None
        return self.entity_description.last_reset_fn(session)

    @property
    def extra_state_attributes(self) -> Mapping[str, Any] | None:
        """Attributes for the sensors that describe more than one value or a shortened text."""
        session = self.coordinator.data
        attributes: dict[str, Any] = {}
        if self.entity_description.attributes_fn is not None and session is not None:
            attributes.update(self.entity_description.attributes_fn(session))
        value = self._value()
        if isinstance(value, str) and len(value) > MAX_LENGTH_STATE_STATE:
            attributes[ATTR_FULL_TEXT] = value
        return attributes or None


class EvnnovatorTotalSensor(EvnnovatorKeptValueEntity, SensorEntity):
    """A lifetime total: every session counted once, kept across restarts and outages.

    It stays true while the API is away: it only misses what it has not seen yet.
    """

    entity_description: EvnnovatorTotalSensorEntityDescription

    @property
    def native_value(self) -> float | None:
        """The total the tracker keeps."""
        return self.entity_description.value_fn(self._runtime.tracker, self.coordinator.data)

    @property
    def native_unit_of_measurement(self) -> str | None:
        """The currency of the driver's sessions for the cost; kWh for the energy."""
        if self.entity_description.unit_fn is not None:
            return self.entity_description.unit_fn(self.coordinator.data)
        return super().native_unit_of_measurement


class EvnnovatorChargingPowerSensor(EvnnovatorEntity, SensorEntity):
    """The power flowing now, between the latest distinct meter values; 0 while none flows.

    Unavailable while a session charges but its meter has not shown two values yet: a guess
    would be a wrong value.
    """

    @property
    def available(self) -> bool:
        """Known: nothing charges, or the meter has shown the rate."""
        return super().available and self.native_value is not None

    @property
    def native_value(self) -> float | None:
        """kW, from the meter values of the running session."""
        session = self.coordinator.data
        if session is None or not session.is_charging:
            return 0.0
        meter = self.coordinator.meter
        latest = meter.latest
        if latest is None or latest.session_id != session.id:
            return None
        rate = meter.rate_kw(session.start)
        return None if rate is None else round(rate, 3)


class EvnnovatorPlannedStopSensor(EvnnovatorEntity, SensorEntity):
    """When the running session will be stopped: its limit's (or autostop's) predicted moment.

    Unknown while none is set or the rate is not known yet, and once a STOP was sent.
    """

    @property
    def _limits(self) -> LimitController:
        entry: EvnnovatorConfigEntry = self.coordinator.config_entry
        return entry.runtime_data.limits

    @property
    def native_value(self) -> datetime | None:
        """The predicted moment the first limit is reached."""
        armed = self._limits.armed
        return None if armed is None else armed.crossing_at

    @property
    def extra_state_attributes(self) -> Mapping[str, Any] | None:
        """Which limit, and when its STOP goes out (earlier by the operator's stop latency).

        The operator's autostop sends none: the operator stops by itself.
        """
        armed = self._limits.armed
        if armed is None:
            return None
        if armed is not self._limits.plan:
            return {"limit": armed.limit}
        return {"limit": armed.limit, "stop_command_at": armed.send_at}


class EvnnovatorBillSensor(EvnnovatorKeptValueEntity, SensorEntity):
    """What the latest billed session cost, tax included, from its charge detail record.

    Kept across restarts and while the API is away: a bill does not change.
    """

    @property
    def _bill(self) -> Mapping[str, Any]:
        return self._runtime.tracker.last_bill or {}

    @property
    def native_value(self) -> float | None:
        """The amount with tax."""
        return self._bill.get("cost") if self._bill.get("currency") else None

    @property
    def native_unit_of_measurement(self) -> str | None:
        """The bill's currency."""
        currency: str | None = self._bill.get("currency")
        return currency

    @property
    def extra_state_attributes(self) -> Mapping[str, Any] | None:
        """The amount before tax, the tax, the billed energy (kWh) and duration (minutes)."""
        bill = self._bill
        if not bill:
            return None
        names = ("cost_before_tax", "tax", "energy", "duration", "session_id")
        return {name: bill.get(name) for name in names}


class EvnnovatorChargerStatusSensor(EvnnovatorSideEntity[ChargerStatusCoordinator], SensorEntity):
    """The status of the latest session's charger (EVSE), which says whether it is free."""

    async def async_added_to_hass(self) -> None:
        """Ask at once rather than an idle interval later."""
        await super().async_added_to_hass()
        await self.coordinator.async_request_refresh()

    @property
    def _evse(self) -> Evse | None:
        evse: Evse | None = self.coordinator.data
        return evse

    @property
    def native_value(self) -> str | None:
        """OCPI's status in lower case; unknown for one OCPI does not define."""
        evse = self._evse
        known = None if evse is None else evse.known_status
        return None if known is None else known.value.lower()

    @property
    def extra_state_attributes(self) -> Mapping[str, Any] | None:
        """The charger's printed id and its capabilities (None: the API does not say)."""
        evse = self._evse
        if evse is None:
            return None
        capabilities = None if evse.capabilities is None else list(evse.capabilities)
        return {"evse_id": evse.evse_id, "capabilities": capabilities}


class EvnnovatorEnergyPriceSensor(EvnnovatorSideEntity[TariffCoordinator], SensorEntity):
    """The price per kWh before tax at the latest session's connector, from its tariff.

    In `<currency>/kWh`, as the Energy dashboard takes a price entity.
    """

    @property
    def _tariff(self) -> Tariff | None:
        tariff: Tariff | None = self.coordinator.data
        return tariff

    @property
    def native_value(self) -> float | None:
        """The energy price before tax."""
        tariff = self._tariff
        return None if tariff is None or not tariff.currency else tariff.energy_price

    @property
    def native_unit_of_measurement(self) -> str | None:
        """The tariff's currency per kWh."""
        tariff = self._tariff
        return None if tariff is None or not tariff.currency else f"{tariff.currency}/kWh"

    @property
    def extra_state_attributes(self) -> Mapping[str, Any] | None:
        """The tariff's id and its other components (per hour, flat), all before tax."""
        tariff = self._tariff
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
