"""Config flow: the driver's credentials, checked against the API before anything is saved."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
import ipaddress
from typing import Any

from homeassistant.config_entries import (
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlowWithReload,
)
from homeassistant.const import CONF_TOKEN
from homeassistant.core import HomeAssistant, callback
from homeassistant.data_entry_flow import section
from homeassistant.helpers.selector import (
    BooleanSelector,
    EntitySelector,
    EntitySelectorConfig,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import probatio
from yarl import URL

from .api import (
    DEFAULT_BASE_URL,
    AuthScheme,
    EvnnovatorError,
    parse_base_url,
)
from .connection import create_client
from .const import (
    CHARGING_INTERVAL_RANGE,
    CONF_ADVANCED,
    CONF_AUTH_ID,
    CONF_AUTH_SCHEME,
    CONF_BASE_URL,
    CONF_BATTERY_SENSOR,
    CONF_CHARGING_INTERVAL,
    CONF_COST_LIMIT_WITH_TAX,
    CONF_IDLE_INTERVAL,
    CONF_TOKEN_UID,
    DEFAULT_CHARGING_INTERVAL,
    DEFAULT_IDLE_INTERVAL,
    DOMAIN,
    IDLE_INTERVAL_RANGE,
    LOGGER,
)
from .data import EvnnovatorConfigEntry
from .errors import translation_key_for

_PASSWORD = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
_URL = TextSelector(TextSelectorConfig(type=TextSelectorType.URL))
_AUTH_SCHEME = SelectSelector(
    SelectSelectorConfig(
        options=[scheme.value for scheme in AuthScheme],
        mode=SelectSelectorMode.DROPDOWN,
        translation_key=CONF_AUTH_SCHEME,
    )
)


def _connection_fields(defaults: Mapping[str, Any]) -> dict[probatio.Marker, Any]:
    """The base URL and auth scheme fields, prefilled from `defaults`."""
    return {
        probatio.Required(
            CONF_BASE_URL, default=defaults.get(CONF_BASE_URL, DEFAULT_BASE_URL)
        ): _URL,
        probatio.Required(
            CONF_AUTH_SCHEME, default=defaults.get(CONF_AUTH_SCHEME, AuthScheme.BEARER.value)
        ): _AUTH_SCHEME,
    }


def _user_schema(defaults: Mapping[str, Any]) -> probatio.Schema:
    return probatio.Schema(
        {
            probatio.Required(CONF_AUTH_ID, default=defaults.get(CONF_AUTH_ID, "")): TextSelector(),
            probatio.Required(CONF_TOKEN): _PASSWORD,
            probatio.Required(CONF_ADVANCED): section(
                probatio.Schema(_connection_fields(defaults.get(CONF_ADVANCED, {}))),
                {"collapsed": True},
            ),
        }
    )


def is_acceptable_base_url(value: str) -> bool:
    """Whether `value` is an http(s) URL that does not send the token in clear over the internet.

    Plain http is accepted only for loopback and private addresses (a local proxy or the
    simulator): anywhere else the token would cross the internet unencrypted.
    """
    try:
        url = parse_base_url(value)
    except EvnnovatorError:
        return False
    if url.scheme == "https":
        return True
    if url.host == "localhost":
        return True
    try:
        address = ipaddress.ip_address(url.host or "")
    except ValueError:
        return False
    return address.is_loopback or address.is_private


def unique_id_for(auth_id: str, base_url: str) -> str:
    """One entry per driver and gateway: the same driver id on another gateway is another one."""
    return f"{auth_id.strip().lower()}@{URL(base_url.strip()).host}"


def _without_token(user_input: Mapping[str, Any] | None) -> dict[str, Any]:
    """What the user typed, to show again after an error; never the token."""
    return {key: value for key, value in (user_input or {}).items() if key != CONF_TOKEN}


def _validate_base_url(data: Mapping[str, str], error_key: str) -> dict[str, str]:
    """No errors, or `invalid_base_url` under `error_key`.

    The user step keys it to "base": the frontend shows no error of a field inside a
    section, and the base URL is inside the collapsed "advanced" one.
    """
    if is_acceptable_base_url(data[CONF_BASE_URL]):
        return {}
    return {error_key: "invalid_base_url"}


# The form's error (config.error in strings.json) for each kind of client error.
_FORM_ERRORS = {
    "authentication_failed": "invalid_auth",
    "driver_not_whitelisted": "not_whitelisted",
    "rate_limited": "rate_limited",
    "server_error": "server_error",
    "cannot_connect": "cannot_connect",
    "invalid_response": "invalid_response",
}


async def _async_try_credentials(
    hass: HomeAssistant, data: Mapping[str, str]
) -> tuple[dict[str, str], bool]:
    """Ask the API for the driver's latest session.

    Returns the form errors (none when the credentials work) and whether the driver has a
    session: a 404 is no error here, as a driver without sessions yet is a valid account.
    """
    try:
        client = create_client(hass, dict(data))
        session = await client.get_latest_session(data[CONF_AUTH_ID])
    except EvnnovatorError as err:
        # The client refuses some input itself (a blank token or id): a credentials error.
        return {"base": _FORM_ERRORS.get(translation_key_for(err), "invalid_auth")}, False
    except Exception:  # noqa: BLE001 -- whatever happens, the user gets a form, not a traceback
        LOGGER.exception("Unexpected error while checking the EVnnovator credentials")
        return {"base": "unknown"}, False
    return {}, session is not None


@dataclass(frozen=True, slots=True)
class CredentialCheck:
    """The outcome of checking credentials, with either auth scheme."""

    errors: dict[str, str]
    """The form errors of the first try: none if either scheme worked."""
    has_session: bool
    """Whether the API knows a session of the driver."""
    auth_scheme: str
    """The scheme that worked, else the one asked for."""


async def _async_check_credentials(hass: HomeAssistant, data: Mapping[str, str]) -> CredentialCheck:
    """Check the credentials with their scheme and, if the token is refused, once with the other.

    The gateway documents Bearer, OCPI uses Token: the answer says which one this gateway
    takes.
    """
    scheme = data[CONF_AUTH_SCHEME]
    errors, has_session = await _async_try_credentials(hass, data)
    if errors.get("base") != "invalid_auth":
        return CredentialCheck(errors, has_session, scheme)
    other = AuthScheme.TOKEN if scheme == AuthScheme.BEARER else AuthScheme.BEARER
    other_errors, other_has_session = await _async_try_credentials(
        hass, {**data, CONF_AUTH_SCHEME: other.value}
    )
    if other_errors:
        return CredentialCheck(errors, has_session, scheme)
    return CredentialCheck({}, other_has_session, other.value)


class EvnnovatorConfigFlow(ConfigFlow, domain=DOMAIN):
    """Adds a driver account."""

    # The entry's format (data, options, unique id); __init__.async_migrate_entry reads others.
    # A new minor version only adds what older code can ignore; a new major one is a format that
    # older code cannot read (Home Assistant then refuses to load the entry there).
    VERSION = 1
    MINOR_VERSION = 1

    def __init__(self) -> None:
        """Start with nothing entered."""
        self._pending: dict[str, str] = {}

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: EvnnovatorConfigEntry) -> EvnnovatorOptionsFlow:
        """The polling intervals and the charging token."""
        return EvnnovatorOptionsFlow()

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask for the driver's id and token, and under advanced the gateway."""
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {
                CONF_AUTH_ID: user_input[CONF_AUTH_ID].strip(),
                CONF_TOKEN: user_input[CONF_TOKEN].strip(),
                **{key: value.strip() for key, value in user_input[CONF_ADVANCED].items()},
            }
            errors = _validate_base_url(data, "base")
            if not errors:
                unique_id = unique_id_for(data[CONF_AUTH_ID], data[CONF_BASE_URL])
                # An account already added needs no request to the API.
                if self.hass.config_entries.async_entry_for_domain_unique_id(DOMAIN, unique_id):
                    return self.async_abort(reason="already_configured")
                check = await _async_check_credentials(self.hass, data)
                errors = check.errors
                if not errors:
                    data[CONF_AUTH_SCHEME] = check.auth_scheme
                    return await self._async_add_checked(
                        unique_id, data, has_session=check.has_session
                    )
        # Keep what was typed, except the token: a secret is not sent back to the browser.
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(
                _user_schema({}), _without_token(user_input)
            ),
            errors=errors,
            # hassfest keeps URLs out of translated strings: the example comes in as a placeholder.
            description_placeholders={"default_base_url": DEFAULT_BASE_URL},
        )

    async def _async_add_checked(
        self, unique_id: str, data: dict[str, str], *, has_session: bool
    ) -> ConfigFlowResult:
        """Claim the account's unique id, now that its credentials work, and add it.

        Claimed no earlier: a flow abandoned before its credentials were checked must not
        hold the driver back. Nor does one abandoned at the confirmation (no progress check):
        whichever flow finishes first adds the account.
        """
        await self.async_set_unique_id(unique_id, raise_on_progress=False)
        self._abort_if_unique_id_configured()
        if has_session:
            return self.async_create_entry(title=data[CONF_AUTH_ID], data=data)
        self._pending = data
        return await self.async_step_no_session()

    async def async_step_no_session(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """The API knows no session of this driver yet: add the account once they confirm."""
        if user_input is not None:
            return self.async_create_entry(title=self._pending[CONF_AUTH_ID], data=self._pending)
        return self.async_show_form(
            step_id="no_session",
            description_placeholders={"auth_id": self._pending[CONF_AUTH_ID]},
        )

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """The API refused the token: ask for a new one."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Take a new token and check it before saving it."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            token = user_input[CONF_TOKEN].strip()
            check = await _async_check_credentials(self.hass, {**entry.data, CONF_TOKEN: token})
            errors = check.errors
            # The form has the token alone: its error names nothing else.
            if errors.get("base") == "invalid_auth":
                errors = {"base": "invalid_token"}
            if not errors:
                return self.async_update_reload_and_abort(
                    entry, data_updates={CONF_TOKEN: token, CONF_AUTH_SCHEME: check.auth_scheme}
                )
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=probatio.Schema({probatio.Required(CONF_TOKEN): _PASSWORD}),
            description_placeholders={"auth_id": entry.data[CONF_AUTH_ID]},
            errors=errors,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the token, gateway or scheme of the same driver account."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {
                CONF_AUTH_ID: entry.data[CONF_AUTH_ID],
                # An empty token field keeps the current token.
                CONF_TOKEN: user_input.get(CONF_TOKEN, "").strip() or entry.data[CONF_TOKEN],
                CONF_BASE_URL: user_input[CONF_BASE_URL].strip(),
                CONF_AUTH_SCHEME: user_input[CONF_AUTH_SCHEME],
            }
            if not (errors := _validate_base_url(data, CONF_BASE_URL)):
                await self.async_set_unique_id(
                    unique_id_for(data[CONF_AUTH_ID], data[CONF_BASE_URL])
                )
                self._abort_if_unique_id_mismatch(reason="wrong_account")
                check = await _async_check_credentials(self.hass, data)
                if not (errors := check.errors):
                    return self.async_update_reload_and_abort(
                        entry, data={**data, CONF_AUTH_SCHEME: check.auth_scheme}
                    )
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                probatio.Schema(
                    {probatio.Optional(CONF_TOKEN): _PASSWORD, **_connection_fields(entry.data)}
                ),
                _without_token(user_input),
            ),
            description_placeholders={"auth_id": entry.data[CONF_AUTH_ID]},
            errors=errors,
        )


# Seconds, with no bounds of its own: a selector's bound fails with a message that does not
# say the range ("Value 5.0 is too small"), so the flow checks the range and says it.
_INTERVAL = NumberSelector(
    NumberSelectorConfig(step=1, unit_of_measurement="s", mode=NumberSelectorMode.BOX)
)
_INTERVAL_RANGES: dict[str, tuple[int, int]] = {
    CONF_CHARGING_INTERVAL: CHARGING_INTERVAL_RANGE,
    CONF_IDLE_INTERVAL: IDLE_INTERVAL_RANGE,
}


def _interval_errors(options: Mapping[str, int]) -> dict[str, str]:
    """Each interval outside its range, then charging polled less often than idle."""
    errors = {
        key: f"{key}_out_of_range"
        for key, (low, high) in _INTERVAL_RANGES.items()
        if not low <= options[key] <= high
    }
    if not errors and options[CONF_CHARGING_INTERVAL] > options[CONF_IDLE_INTERVAL]:
        errors[CONF_CHARGING_INTERVAL] = "charging_slower_than_idle"
    return errors


class EvnnovatorOptionsFlow(OptionsFlowWithReload):
    """The polling, START's default token, the Cost limit's tax, the car's battery sensor."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Show the options; each interval in its range, charging polled at least as often."""
        errors: dict[str, str] = {}
        if user_input is not None:
            options: dict[str, Any] = {
                CONF_CHARGING_INTERVAL: int(user_input[CONF_CHARGING_INTERVAL]),
                CONF_IDLE_INTERVAL: int(user_input[CONF_IDLE_INTERVAL]),
            }
            # Optional: an emptied field removes the token rather than saving "".
            if token_uid := user_input.get(CONF_TOKEN_UID, "").strip():
                options[CONF_TOKEN_UID] = token_uid
            # Kept only when on: off is the default, as entries made before the option have it.
            if user_input.get(CONF_COST_LIMIT_WITH_TAX):
                options[CONF_COST_LIMIT_WITH_TAX] = True
            if battery_sensor := user_input.get(CONF_BATTERY_SENSOR):
                options[CONF_BATTERY_SENSOR] = battery_sensor
            if not (errors := _interval_errors(options)):
                return self.async_create_entry(data=options)
        current = {
            CONF_CHARGING_INTERVAL: DEFAULT_CHARGING_INTERVAL,
            CONF_IDLE_INTERVAL: DEFAULT_IDLE_INTERVAL,
            # After an error, what was typed: a token the user just cleared must not come back.
            **(self.config_entry.options if user_input is None else user_input),
        }
        schema = probatio.Schema(
            {
                probatio.Required(CONF_CHARGING_INTERVAL): _INTERVAL,
                probatio.Required(CONF_IDLE_INTERVAL): _INTERVAL,
                # Plain text: a charging token's uid names the token, it is no secret.
                probatio.Optional(CONF_TOKEN_UID): TextSelector(),
                probatio.Optional(CONF_COST_LIMIT_WITH_TAX): BooleanSelector(),
                # The car's battery, from its own integration: any sensor that is a battery.
                probatio.Optional(CONF_BATTERY_SENSOR): EntitySelector(
                    EntitySelectorConfig(domain="sensor", device_class="battery")
                ),
            }
        )
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(schema, current),
            description_placeholders={
                "auth_id": self.config_entry.data[CONF_AUTH_ID],
                **{
                    f"{key}_{end}": str(bound)
                    for key, bounds in _INTERVAL_RANGES.items()
                    for end, bound in zip(("min", "max"), bounds, strict=True)
                },
            },
            errors=errors,
        )
