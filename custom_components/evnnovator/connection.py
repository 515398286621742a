"""The API client of a config entry's credentials: for the entry's setup and the config flow.

Apart from the integration's __init__, so that the config flow does not import the package's
setup (and everything it imports) to check credentials.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.const import CONF_TOKEN
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.util import dt as dt_util

from . import const
from .api import EvnnovatorClient

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant


def create_client(hass: HomeAssistant, data: dict[str, str]) -> EvnnovatorClient:
    """A client for the credentials of a config entry, on Home Assistant's shared web session.

    `data` holds the token, the base URL and the auth scheme (the entry's data, or what the
    config flow is checking). The request timeout is read at each call of this function.
    """
    return EvnnovatorClient(
        async_get_clientsession(hass),
        token=data[CONF_TOKEN],
        base_url=data[const.CONF_BASE_URL],
        auth_scheme=data[const.CONF_AUTH_SCHEME],
        # Read at call time, so that tests can shorten it.
        request_timeout=const.REQUEST_TIMEOUT,
        # Home Assistant's clock, which judges how much energy a session can have delivered.
        clock=dt_util.utcnow,
    )
