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
)
from .const import DOMAIN


def translation_key_for(err: EvnnovatorError) -> str:
    """The key under `exceptions` in strings.json that explains `err` to the user."""
    match err:
        case EvnnovatorAuthenticationError():
            return "authentication_failed"
        case EvnnovatorRateLimitError():
            return "rate_limited"
        case EvnnovatorConnectionError():
            return "cannot_connect"
        case EvnnovatorCommandRejectedError():
            return "command_rejected"
        case EvnnovatorResponseError():
            return "invalid_response"
        case _:
            return "unexpected_error"


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
