"""Setting the integration up for a benchmark, and watching one session to its end."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from evnnovator_simulator import DEMO_AUTH_ID, Simulator

from .vclock import VirtualClock


async def set_up(
    hass: HomeAssistant, entry: MockConfigEntry, options: dict[str, Any] | None = None
) -> None:
    """Add the demo driver's entry (with `options`) and load the integration."""
    entry.add_to_hass(hass)
    if options:
        hass.config_entries.async_update_entry(entry, options=options)
    if not await hass.config_entries.async_setup(entry.entry_id):
        raise RuntimeError("the integration did not set up")
    await hass.async_block_till_done()


async def stop_the_demo_session(
    clock: VirtualClock, simulator: Simulator, entry: MockConfigEntry
) -> None:
    """End the session the simulator's demo driver starts with, and let the integration see it."""
    coordinator = entry.runtime_data.coordinator
    latest = simulator.latest_session(DEMO_AUTH_ID)
    if latest is None:
        return
    await coordinator.client.stop_session(str(latest["id"]))
    await clock.run_until(
        clock.now() + timedelta(minutes=10),
        stop_when=lambda: coordinator.session is not None and not coordinator.session.is_running,
    )
    if coordinator.session is None or coordinator.session.is_running:
        raise RuntimeError("the demo session did not end")


async def after_the_demo_session(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    entry: MockConfigEntry,
    options: dict[str, Any] | None = None,
) -> VirtualClock:
    """The integration set up (with `options`) and the demo driver's first session ended.

    Returns a clock to go on with.
    """
    clock = VirtualClock(hass, freezer)
    await set_up(hass, entry, options)
    await stop_the_demo_session(clock, simulator, entry)
    return clock


class SessionWatch:
    """One session of the demo driver, as the simulator and the integration see it."""

    def __init__(self, entry: MockConfigEntry, simulator: Simulator, session_id: str) -> None:
        """Watch the session `session_id`."""
        self._coordinator = entry.runtime_data.coordinator
        self._simulator = simulator
        self.session_id = session_id

    def _truth(self) -> dict[str, Any]:
        latest = self._simulator.latest_session(DEMO_AUTH_ID)
        if latest is None or latest["id"] != self.session_id:
            raise RuntimeError("another session replaced the one watched")
        return latest

    def completed(self) -> bool:
        """Whether the session has completed at the simulator."""
        return bool(self._truth()["status"] == "COMPLETED")

    def shown(self) -> bool:
        """Whether the integration has seen this session."""
        data = self._coordinator.session
        return data is not None and data.id == self.session_id

    def shown_completed(self) -> bool:
        """Whether the integration shows this session as ended."""
        data = self._coordinator.session
        return self.shown() and data is not None and not data.is_running

    def completed_and_shown(self) -> bool:
        """Whether it completed and the integration shows it so."""
        return self.completed() and self.shown_completed()

    async def run_to_its_end(self, clock: VirtualClock, limit_seconds: float) -> None:
        """Let time pass until the session completed and shows so; RuntimeError after the limit."""
        await clock.run_until(
            clock.now() + timedelta(seconds=limit_seconds), stop_when=self.completed_and_shown
        )
        if not self.completed_and_shown():
            raise RuntimeError(f"session {self.session_id} did not complete in {limit_seconds} s")

    def final_kwh(self) -> float:
        """The energy the session delivered (as the API reports it: 3 decimals)."""
        return float(self._truth()["kwh"])

    def truth(self) -> dict[str, Any]:
        """The session as the simulator serves it now."""
        return self._truth()
