"""The car's own battery sensor in Home Assistant, lagging behind the battery as real ones do.

Car integrations read the state of charge from the maker's cloud: the car reports it every few
minutes (here every 2 to 15, drawn anew for each update), in whole percent, and the cloud passes
it on a while later (20 to 90 s). So the sensor shows what the battery held minutes ago, floored
(or, for a car that rounds, to the nearest percent).
The truth is the simulator's: the car follows its driver's latest session, and between sessions
it is parked at what `park` says (it drove). Everything runs on Home Assistant's clock, so it
follows virtual time; seeded, so a run repeats.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
import random

from homeassistant.const import EVENT_HOMEASSISTANT_STOP, STATE_UNAVAILABLE
from homeassistant.core import CALLBACK_TYPE, Event, HassJob, HomeAssistant, State, callback
from homeassistant.helpers.event import async_call_later

from evnnovator_simulator import DEMO_AUTH_ID, Simulator
from evnnovator_simulator.battery import whole_percent

ENTITY_ID = "sensor.my_car_battery"
ATTRIBUTES = {
    "device_class": "battery",
    "unit_of_measurement": "%",
    "state_class": "measurement",
    "friendly_name": "My car battery",
}
UPDATE_INTERVAL_S = (120.0, 900.0)
"""How often the car reports its state of charge: drawn in this range for each update."""
CLOUD_DELAY_S = (20.0, 90.0)
"""How long the maker's cloud takes to pass a report on: drawn in this range for each one.
Shorter than any interval between reports, so they are shown in the order they were made."""


@dataclass(frozen=True)
class Report:
    """One state of charge the car reported, and when Home Assistant showed it."""

    sampled_at: datetime
    percent: int
    published_at: datetime
    """The state's `last_reported`: Home Assistant's own time of it."""


class CarBatterySensor:
    """Publishes `sensor.my_car_battery` from the simulator's truth, late and floored."""

    def __init__(
        self,
        hass: HomeAssistant,
        simulator: Simulator,
        *,
        seed: int | str,
        auth_id: str = DEMO_AUTH_ID,
        entity_id: str = ENTITY_ID,
        rounds: bool = False,
    ) -> None:
        """A car of `auth_id`'s; nothing shows until it is first parked.

        `rounds`: it shows the nearest whole percent, as some cars do, not the one below.
        """
        self._hass = hass
        self._simulator = simulator
        self._auth_id = auth_id
        self.entity_id = entity_id
        self._rng = random.Random(seed)  # noqa: S311 (the same reports each run)
        self._whole: Callable[[float], int] = round if rounds else whole_percent
        self._parked = 0.0
        self._parked_after: str | None = None
        """The driver's latest session when the car was parked: the car is not in it."""
        self._next_report: CALLBACK_TYPE | None = None
        self._in_the_cloud: CALLBACK_TYPE | None = None
        self.reports: list[Report] = []
        """Every report shown so far, oldest first."""
        hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, self._on_stop)

    def true_percent(self) -> float:
        """The battery's true state of charge now: in its latest session, or parked."""
        latest = self._simulator.latest_session(self._auth_id)
        if latest is not None and latest["id"] != self._parked_after:
            percent = self._simulator.battery_percent(str(latest["id"]))
            if percent is not None:
                return percent
        return self._parked

    @callback
    def park(self, percent: float) -> None:
        """The car drove and is parked at `percent` (the next session's start percent).

        Shown at once (it reported while driving); a report still in the cloud is dropped, and
        the car reports on from here.
        """
        latest = self._simulator.latest_session(self._auth_id)
        self._parked = percent
        self._parked_after = None if latest is None else str(latest["id"])
        self._drop_the_report_in_the_cloud()
        self._show(str(self._whole(percent)))
        if self._next_report is None:
            self._schedule_the_next_report()

    @callback
    def unavailable(self) -> None:
        """The car's integration loses its cloud for a while: unavailable until the next report."""
        self._show(STATE_UNAVAILABLE)

    @callback
    def jump(self, percent: int) -> None:
        """One wrong value (a glitch of the cloud), until the next report."""
        self._show(str(percent))

    @callback
    def freeze(self) -> None:
        """The car stops reporting: the sensor stays as it is (stale) until it is parked again."""
        for cancel in (self._next_report, self._in_the_cloud):
            if cancel is not None:
                cancel()
        self._next_report = self._in_the_cloud = None

    @callback
    def _on_stop(self, _event: Event) -> None:
        # Home Assistant stopping cancels no timer of ours: leave none behind.
        self.freeze()

    def _schedule_the_next_report(self) -> None:
        self._next_report = async_call_later(
            self._hass, self._rng.uniform(*UPDATE_INTERVAL_S), HassJob(self._report)
        )

    @callback
    def _report(self, now: datetime) -> None:
        """The car reports its state of charge; the cloud shows it a while later."""
        percent = self._whole(self.true_percent())

        @callback
        def show(_now: datetime) -> None:
            self._in_the_cloud = None
            state = self._show(str(percent))
            self.reports.append(Report(now, percent, state.last_reported))

        delay = self._rng.uniform(*CLOUD_DELAY_S)
        self._in_the_cloud = async_call_later(self._hass, delay, HassJob(show))
        self._schedule_the_next_report()

    def _drop_the_report_in_the_cloud(self) -> None:
        if self._in_the_cloud is not None:
            self._in_the_cloud()
            self._in_the_cloud = None

    def _show(self, value: str) -> State:
        self._hass.states.async_set(self.entity_id, value, ATTRIBUTES)
        state = self._hass.states.get(self.entity_id)
        if state is None:
            raise RuntimeError(f"{self.entity_id} was removed as it was set")
        return state
