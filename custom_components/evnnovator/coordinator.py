"""Polls the driver's latest charging session, and hands each new reading to the account."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Protocol

from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from .api import (
    EvnnovatorAuthenticationError,
    EvnnovatorError,
    EvnnovatorRateLimitError,
)
from .backoff import Backoff
from .const import CONF_AUTH_ID, CONF_IDLE_INTERVAL, DEFAULT_IDLE_INTERVAL, DOMAIN, LOGGER
from .errors import translated_error, translation_key_for
from .forecast import Reading
from .glitches import MissingSessionFilter
from .sites import SiteDirectory

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry
    from homeassistant.core import HomeAssistant

    from .api import EvnnovatorClient, Session

# Without a Retry-After header, wait this long after a 429 before asking again.
DEFAULT_RATE_LIMIT_BACKOFF = 60.0
# A 429 is a slower reading, not a failure: the last reading stands for this long, then the
# entities turn unavailable until the API answers again.
RATE_LIMIT_KEEPS_READING = timedelta(minutes=10)


class ReadingTaker(Protocol):
    """What takes in each new reading (the account), and says when to poll next."""

    def take(self, reading: Reading) -> timedelta:
        """Decide everything a new reading changes; return the wait until the next poll."""


class EvnnovatorCoordinator(DataUpdateCoordinator[Reading]):
    """Keeps the latest reading of the driver's latest session (None before their first one).

    Only polls: every decision about a new reading is the account's, made inside the poll, so
    that the entities redraw once, from a finished state.
    """

    config_entry: ConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        client: EvnnovatorClient,
        taker: ReadingTaker,
    ) -> None:
        """Poll at the idle pace until the account sets the real one."""
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
        self.sites = SiteDirectory(client)
        self.auth_id: str = entry.data[CONF_AUTH_ID]
        self._taker = taker
        self._backoff = Backoff(DEFAULT_RATE_LIMIT_BACKOFF)
        self._reported_statuses: set[str] = set()
        self._missing_session = MissingSessionFilter()
        self._rate_limit_reported = False

    @property
    def session(self) -> Session | None:
        """The latest session as last read (None before the first reading or session)."""
        return None if self.data is None else self.data.session

    async def _async_update_data(self) -> Reading:
        """Fetch the latest session; failures never become values."""
        if (remaining := self._backoff.remaining) is not None:
            return self._last_reading_while_rate_limited(remaining)
        try:
            session = await self.client.get_latest_session(self.auth_id)
        except EvnnovatorAuthenticationError as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key=translation_key_for(err)
            ) from err
        except EvnnovatorRateLimitError as err:
            return self._last_reading_while_rate_limited(self._backoff.hold(err.retry_after), err)
        except EvnnovatorError as err:
            raise translated_error(err, UpdateFailed) from err
        if session is not None:
            session = await self.sites.async_place(session)
        if self._missing_session.is_glitch(self.session, session):
            # A failed update keeps the last session, its polling pace and its planned STOP.
            raise UpdateFailed(translation_domain=DOMAIN, translation_key="session_missing")
        if self._rate_limit_reported:
            self._rate_limit_reported = False
            LOGGER.info("The EVnnovator API answers at the usual pace again")
        self._note_unknown_status(session)
        reading = Reading.of(session, dt_util.utcnow())
        self.update_interval = self._taker.take(reading)
        return reading

    def _last_reading_while_rate_limited(
        self, wait: float, err: EvnnovatorRateLimitError | None = None
    ) -> Reading:
        """Keep the last reading until the API takes requests again, if it is recent enough.

        Neither a failure nor a new reading: the same object comes back, so nothing is decided
        anew, and the next poll comes after the wait.
        """
        reading = self.data
        if reading is None or dt_util.utcnow() - reading.fetched_at > RATE_LIMIT_KEEPS_READING:
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
        return reading

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
