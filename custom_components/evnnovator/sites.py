"""The locations that sessions and STARTs name, each asked once.

A 2.2.1 session names its location only by its OCPI ids, where a 2.1.1 session embeds it; a
START needs the EVSE's capabilities, which only the location call lists. Both ask here, so a
location costs one request a run. A failure is asked again after a while, never at every poll.
"""

from __future__ import annotations

from datetime import datetime, timedelta
import logging
from typing import TYPE_CHECKING

from homeassistant.util import dt as dt_util

from .api import EvnnovatorError

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Hashable

    from .api import EvnnovatorClient, Location, Session

_LOGGER = logging.getLogger(__name__)
# A location call that failed is asked again after this long (the polls in between go on
# without the location: its price and charger wait).
RETRY_FAILED = timedelta(minutes=5)


class SiteDirectory:
    """Locations by their hex id or their OCPI ids, as the API last gave them."""

    def __init__(self, client: EvnnovatorClient) -> None:
        """Ask through `client`."""
        self._client = client
        self._known: dict[Hashable, Location | None] = {}
        self._failed_at: dict[Hashable, datetime] = {}

    async def async_by_id(self, location_id: str) -> Location | None:
        """The location with this hex id (the one START takes); None if unknown or failing."""
        return await self._async_ask(location_id, lambda: self._client.get_location(location_id))

    async def async_place(self, session: Session) -> Session:
        """The session with its location embedded, where it names it only by its ids."""
        ids = session.location_ids
        if session.location is not None or ids is None:
            return session
        location = await self._async_ask(ids, lambda: self._client.get_location_by_ocpi_ids(*ids))
        return session if location is None else session.placed_at(location)

    async def _async_ask(
        self, key: Hashable, call: Callable[[], Awaitable[Location | None]]
    ) -> Location | None:
        if key in self._known:
            return self._known[key]
        now = dt_util.utcnow()
        failed_at = self._failed_at.get(key)
        if failed_at is not None and now - failed_at < RETRY_FAILED:
            return None
        try:
            location = await call()
        except EvnnovatorError as err:
            self._failed_at[key] = now
            _LOGGER.debug("The location %s is not known yet: %s", key, err)
            return None
        self._failed_at.pop(key, None)
        self._known[key] = location
        return location
