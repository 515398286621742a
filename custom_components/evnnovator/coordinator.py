"""Polls the driver's latest charging session."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from .api import (
    EvnnovatorAuthenticationError,
    EvnnovatorClient,
    EvnnovatorError,
    EvnnovatorRateLimitError,
    Session,
)
from .const import (
    CONF_AUTH_ID,
    CONF_CHARGING_INTERVAL,
    CONF_IDLE_INTERVAL,
    DEFAULT_CHARGING_INTERVAL,
    DEFAULT_IDLE_INTERVAL,
    DOMAIN,
    LOGGER,
    STOP_REFRESH_DELAYS,
)
from .errors import translated_error, translation_key_for
from .forecast import measured_at
from .glitches import MissingSessionFilter

if TYPE_CHECKING:
    from .forecast import MeterTrack

# Without a Retry-After header, wait this long after a 429 before asking again.
DEFAULT_RATE_LIMIT_BACKOFF = 60.0
# A 429 is a slower reading, not a failure: the last reading stands for this long, then the
# entities turn unavailable until the API answers again.
RATE_LIMIT_KEEPS_READING = timedelta(minutes=10)


class EvnnovatorCoordinator(DataUpdateCoordinator[Session | None]):
    """Keeps the driver's latest session (None before their first one).

    `last_fetch` is when it was fetched; `meter` when its energy was true.
    """

    config_entry: ConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        client: EvnnovatorClient,
        meter: MeterTrack,
    ) -> None:
        """Set up polling at the idle pace; the first answer sets the real pace."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=DOMAIN,
            update_interval=timedelta(
                seconds=entry.options.get(CONF_IDLE_INTERVAL, DEFAULT_IDLE_INTERVAL)
            ),
        )
        self.client = client
        self.meter = meter
        self.auth_id: str = entry.data[CONF_AUTH_ID]
        self._rate_limited_until: datetime | None = None
        self._stop_refreshes: list[CALLBACK_TYPE] = []
        self._reported_statuses: set[str] = set()
        self._missing_session = MissingSessionFilter()
        self._fetched_at: datetime | None = None
        self.fetches = 0
        """How many answers were fetched: a 429 keeps the last one, and says so by not counting."""
        self._rate_limit_reported = False

    @property
    def charging_interval(self) -> timedelta:
        """How often to poll while a session is pending or charging."""
        seconds = self.config_entry.options.get(CONF_CHARGING_INTERVAL, DEFAULT_CHARGING_INTERVAL)
        return timedelta(seconds=seconds)

    @property
    def idle_interval(self) -> timedelta:
        """How often to poll while nothing runs."""
        seconds = self.config_entry.options.get(CONF_IDLE_INTERVAL, DEFAULT_IDLE_INTERVAL)
        return timedelta(seconds=seconds)

    async def _async_update_data(self) -> Session | None:
        """Fetch the latest session; failures never become values."""
        if self._rate_limited_until is not None:
            remaining = (self._rate_limited_until - dt_util.utcnow()).total_seconds()
            if remaining > 0:
                return self._last_reading_while_rate_limited(remaining)
            self._rate_limited_until = None
        try:
            session = await self.client.get_latest_session(self.auth_id)
        except EvnnovatorAuthenticationError as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key=translation_key_for(err)
            ) from err
        except EvnnovatorRateLimitError as err:
            wait = err.retry_after if err.retry_after is not None else DEFAULT_RATE_LIMIT_BACKOFF
            self._rate_limited_until = dt_util.utcnow() + timedelta(seconds=wait)
            return self._last_reading_while_rate_limited(wait, err)
        except EvnnovatorError as err:
            raise translated_error(err, UpdateFailed) from err
        if self._missing_session.is_glitch(self.data, session):
            # A failed update keeps the last session, its polling pace and its planned STOP.
            raise UpdateFailed(translation_domain=DOMAIN, translation_key="session_missing")
        fetched_at = self._fetched_at = dt_util.utcnow()
        self.fetches += 1
        if self._rate_limit_reported:
            self._rate_limit_reported = False
            LOGGER.info("The EVnnovator API answers at the usual pace again")
        self._note_unknown_status(session)
        if session is not None:
            self.meter.observe(session, fetched_at)
        self.update_interval = self._pace(session, fetched_at)
        if session is None or not session.is_running:
            self._cancel_stop_refreshes()
        return session

    def _last_reading_while_rate_limited(
        self, wait: float, err: EvnnovatorRateLimitError | None = None
    ) -> Session | None:
        """Keep the last reading until the API takes requests again, if it is recent enough.

        Neither a failure nor a new reading: the entities stay as they were (the account's
        listener sees no new fetch), and the next poll comes after the wait.
        """
        fetched_at = self._fetched_at
        if fetched_at is None or dt_util.utcnow() - fetched_at > RATE_LIMIT_KEEPS_READING:
            raise UpdateFailed(
                translation_domain=DOMAIN, translation_key="rate_limited", retry_after=wait
            ) from err
        if err is not None and not self._rate_limit_reported:
            self._rate_limit_reported = True
            LOGGER.warning(
                "The EVnnovator API asked to slow down (HTTP 429): the next poll in %.0f s; "
                "the entities keep the last reading meanwhile",
                wait,
            )
        self.update_interval = timedelta(seconds=wait)
        return self.data

    def _pace(self, session: Session | None, now: datetime) -> timedelta:
        """Idle, or while charging in step with the operator's meter."""
        if session is None or not session.is_running:
            return self.idle_interval
        interval = self.charging_interval.total_seconds()
        if not session.is_charging:
            return self.charging_interval
        return timedelta(seconds=self.meter.poll_delay(now, interval))

    @property
    def reading_time(self) -> datetime:
        """When the latest session's energy and cost were true (see forecast.measured_at)."""
        if self.data is None:
            return self.last_fetch
        return measured_at(self.data, self.last_fetch)[0]

    @property
    def last_fetch(self) -> datetime:
        """When the data was last fetched successfully (before the first fetch: now)."""
        return self._fetched_at or dt_util.utcnow()

    def _note_unknown_status(self, session: Session | None) -> None:
        """Say once per value when the API sends a status that OCPI does not define."""
        if session is None or session.known_status is not None:
            return
        status = session.status.upper()
        if status not in self._reported_statuses:
            self._reported_statuses.add(status)
            LOGGER.warning(
                "The API reported session status %r, which this integration does not know; "
                "the status sensor shows it as unknown",
                session.status,
            )

    @callback
    def schedule_stop_refreshes(self) -> None:
        """After an accepted STOP, look quickly and then less so until the session has stopped."""
        self._cancel_stop_refreshes()
        self._stop_refreshes = [
            async_call_later(self.hass, delay, self._async_stop_refresh)
            for delay in STOP_REFRESH_DELAYS
        ]

    @property
    def next_poll_at(self) -> datetime:
        """When the regular polling will next ask (approximately: HA spreads it over a second)."""
        interval = self.update_interval or self.idle_interval
        return self.last_fetch + interval

    async def _async_stop_refresh(self, _now: datetime) -> None:
        await self.async_refresh()

    @callback
    def _cancel_stop_refreshes(self) -> None:
        for cancel in self._stop_refreshes:
            cancel()
        self._stop_refreshes = []

    async def async_shutdown(self) -> None:
        """Cancel pending refreshes along with the regular polling."""
        self._cancel_stop_refreshes()
        await super().async_shutdown()
