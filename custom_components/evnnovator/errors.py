"""Turning API client errors into Home Assistant's translated errors."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError

from .api import (
    EvnnovatorAuthenticationError,
    EvnnovatorCommandRejectedError,
    EvnnovatorConnectionError,
    EvnnovatorError,
    EvnnovatorRateLimitError,
    EvnnovatorResponseError,
    EvnnovatorServerError,
)
from .const import DOMAIN

# Most specific first: a server error is a connection error too.
_KEYS: tuple[tuple[type[EvnnovatorError], str], ...] = (
    (EvnnovatorRateLimitError, "rate_limited"),
    (EvnnovatorServerError, "server_error"),
    (EvnnovatorConnectionError, "cannot_connect"),
    (EvnnovatorCommandRejectedError, "command_rejected"),
    (EvnnovatorResponseError, "invalid_response"),
)


def translation_key_for(err: EvnnovatorError) -> str:
    """The key under `exceptions` in strings.json that explains `err` to the user."""
    if isinstance(err, EvnnovatorAuthenticationError):
        # 401: the token is refused; 403: the token works, the driver is not whitelisted.
        return "driver_not_whitelisted" if err.status == 403 else "authentication_failed"
    return next((key for kind, key in _KEYS if isinstance(err, kind)), "unexpected_error")


def translated_error(
    err: EvnnovatorError, error_type: type[HomeAssistantError] = HomeAssistantError
) -> HomeAssistantError:
    """The error that tells the user, in their language, why a call to the API failed."""
    return error_type(
        translation_domain=DOMAIN,
        translation_key=translation_key_for(err),
        translation_placeholders={"error": str(err)},
    )


@asynccontextmanager
async def translated_errors(hass: HomeAssistant, entry: ConfigEntry) -> AsyncIterator[None]:
    """Around a command the user gave: refused credentials start reauth; errors come translated."""
    try:
        yield
    except EvnnovatorAuthenticationError as err:
        entry.async_start_reauth(hass)
        raise translated_error(err) from err
    except EvnnovatorError as err:
        raise translated_error(err) from err
