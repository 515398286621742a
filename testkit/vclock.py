"""Virtual time for the benchmark, exact to the microsecond.

Home Assistant's clock (and so the simulator's) jumps from one due timer to the next, and each
timer runs at exactly the moment it was due.

Stepping a frozen clock by whole seconds would run a timer up to a second late (or, with
`async_fire_time_changed`, up to half a second early); jumping to the timer itself is both exact
and faster. Nothing in Home Assistant or the simulator happens between two timers, so the
state seen at any instant in between is the state after the last one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
import math

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from homeassistant.util.async_ import get_scheduled_timer_handles
from pytest_homeassistant_custom_component.common import async_fire_time_changed_exact

SECOND = timedelta(seconds=1)
# A timer is run once the clock is this close to it (float rounding of the loop's time).
_EPSILON = timedelta(microseconds=1)
# Steps at one instant before concluding that a timer keeps re-arming itself for "now".
_MAX_STEPS_AT_ONE_INSTANT = 1000


class VirtualClock:
    """Moves Home Assistant's frozen clock on, running every timer when it falls due."""

    def __init__(self, hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
        """Drive `hass` through `freezer` (the simulator reads the same clock)."""
        self._hass = hass
        self._freezer = freezer

    @staticmethod
    def now() -> datetime:
        """The virtual time."""
        return dt_util.utcnow()

    def _next_due(self) -> timedelta | None:
        """Time until the earliest pending timer (0 if one is due), None if there is none."""
        loop = self._hass.loop
        whens = [h.when() for h in get_scheduled_timer_handles(loop) if not h.cancelled()]
        if not whens:
            return None
        seconds = max(min(whens) - loop.time(), 0.0)
        return timedelta(microseconds=math.ceil(seconds * 1_000_000))

    async def settle(self) -> None:
        """Run what is due now, and everything it starts, to the end."""
        async_fire_time_changed_exact(self._hass, self.now() + _EPSILON)
        await self._hass.async_block_till_done(wait_background_tasks=True)

    async def run_until(
        self,
        until: datetime,
        *,
        stop_when: Callable[[], bool] | None = None,
        each_second: Callable[[datetime], None] | None = None,
        after_timers: Callable[[datetime], None] | None = None,
    ) -> None:
        """Move on to `until` (or until `stop_when()` holds after a timer has run).

        `each_second` is called at every whole virtual second, `after_timers` after each instant
        at which timers ran (with what they started finished).
        """
        steps_here, last = 0, self.now()
        while (now := self.now()) < until:
            due = self._next_due()
            timer_at = None if due is None else now + due
            target = until if timer_at is None else min(until, timer_at)
            if each_second is not None:
                next_second = now.replace(microsecond=0) + SECOND
                if next_second < target:
                    self._freezer.move_to(next_second)
                    each_second(next_second)
                    continue
            if target > now:
                self._freezer.move_to(target)
            if target == timer_at:
                await self.settle()
                if after_timers is not None:
                    after_timers(target)
                if stop_when is not None and stop_when():
                    return
            if each_second is not None and target.microsecond == 0:
                each_second(target)
            steps_here = steps_here + 1 if target == last else 0
            last = target
            if steps_here > _MAX_STEPS_AT_ONE_INSTANT:
                raise RuntimeError(f"timers keep falling due at {target} without end")

    async def run_for(self, seconds: float) -> None:
        """Move on by `seconds`, running the timers that fall due on the way."""
        await self.run_until(self.now() + timedelta(seconds=seconds))
