"""How the logbook (Activity) shows the session events.

Home Assistant loads this platform only once the logbook is set up, so the integration does
not depend on it. The events carry the device's id, so they also show on the device's page.

The messages are in the server's language (Settings > System > General), from the "common"
section of the translations: the logbook sends each message as text, which the frontend shows
as it is, so a user's own profile language cannot change it. Messages are worded when the
logbook is read, so past entries too read in the current language.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from homeassistant.components.logbook.const import (
    LOGBOOK_ENTRY_ICON,
    LOGBOOK_ENTRY_MESSAGE,
    LOGBOOK_ENTRY_NAME,
)
from homeassistant.const import ATTR_DEVICE_ID, EVENT_CORE_CONFIG_UPDATE
from homeassistant.core import callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.translation import (
    async_get_cached_translations,
    async_get_translations,
)

from .const import (
    DOMAIN,
    EVENT_CHARGING_IDLE,
    EVENT_SESSION_BILLED,
    EVENT_SESSION_COMPLETED,
    EVENT_SESSION_STARTED,
)

if TYPE_CHECKING:
    from homeassistant.components.logbook.models import LazyEventPartialState
    from homeassistant.core import Event, HomeAssistant

type Describe = Callable[[LazyEventPartialState], dict[str, str]]
type Message = Callable[[Wording, Mapping[str, Any]], str]

STARTED_ICON = "mdi:battery-charging"
COMPLETED_ICON = "mdi:check-circle-outline"
BILLED_ICON = "mdi:receipt-text"
IDLE_ICON = "mdi:battery-clock-outline"
# The name when the device is gone (the entry was removed after the event was recorded).
FALLBACK_NAME = "EVnnovator"
# hassfest allows flat, free keys only in "common"; ours all start with "logbook_".
TRANSLATION_CATEGORY = "common"
KEY_PREFIX = f"component.{DOMAIN}.{TRANSLATION_CATEGORY}.logbook_"


@dataclass(frozen=True, slots=True)
class Wording:
    """The messages' templates in one language, with that language's decimal separator.

    Home Assistant has no number formatting of its own on the server (the frontend formats in
    the browser), and the six languages need only their separator: amounts and energies are
    shown without thousands separators, as the English ones always were. The separator comes
    with the templates: where Home Assistant falls back to English text (a language without a
    file, such as Italian), the numbers are English too.
    """

    templates: Mapping[str, str]

    def text(self, key: str, **placeholders: str) -> str:
        """The message `key` (without its prefix) with its placeholders filled in."""
        if (template := self.templates.get(KEY_PREFIX + key)) is None:
            # Only when Home Assistant could not read the translation files: the key at least
            # says which message it is.
            return key
        return template.format(**placeholders)

    def kwh(self, value: float) -> str:
        """Energy to the Wh, without trailing zeros: 10.2, 2.467, 10 (10,2 in German)."""
        return self._number(f"{value:.3f}".rstrip("0").rstrip("."))

    def amount(self, value: float, currency: str | None) -> str:
        """Money to the cent, with the currency if known: 183.60 INR (183,60 INR in German)."""
        figure = self._number(f"{value:.2f}")
        return f"{figure} {currency}" if currency else figure

    def _number(self, figure: str) -> str:
        return figure.replace(".", self.templates.get(KEY_PREFIX + "decimal_separator", "."))


class ServerLanguage:
    """The wording in the server's language, kept current as the language changes.

    The logbook calls the describe functions in the recorder's thread (history) and in the
    event loop (live), and they may not wait: they read `wording`, which is replaced whole.
    """

    def __init__(self, hass: HomeAssistant) -> None:
        """Start with what Home Assistant loaded when it set the integration up."""
        self._hass = hass
        self.wording = Wording(self._cached())

    def _cached(self) -> dict[str, str]:
        # A copy: the cache's own dict grows in the event loop while the recorder reads ours.
        return dict(
            async_get_cached_translations(
                self._hass, self._hass.config.language, TRANSLATION_CATEGORY, DOMAIN
            )
        )

    async def async_load(self) -> None:
        """Load the server's language (English fills any key it lacks) and use it."""
        language = self._hass.config.language
        translations = await async_get_translations(
            self._hass, language, TRANSLATION_CATEGORY, [DOMAIN]
        )
        # Changed again while loading: the load for the newer language sets it.
        if language == self._hass.config.language:
            self.wording = Wording(dict(translations))

    @callback
    def async_follow(self) -> None:
        """Reload on every change of the server's language, for as long as Home Assistant runs.

        Home Assistant's own load on a language change fills a cache of its own
        (helpers/translation.py, async_setup), not the one read here.
        """

        @callback
        def language_changed(data: Mapping[str, Any]) -> bool:
            return "language" in data

        async def reload(event: Event[Mapping[str, Any]]) -> None:
            await self.async_load()

        self._hass.bus.async_listen(EVENT_CORE_CONFIG_UPDATE, reload, event_filter=language_changed)


@callback
def async_describe_events(
    hass: HomeAssistant, async_describe_event: Callable[[str, str, Describe], None]
) -> None:
    """Describe the session events, named after the account's device."""
    server_language = ServerLanguage(hass)
    server_language.async_follow()
    # Already cached when the language has not changed since the set-up: then done at once.
    hass.async_create_task(server_language.async_load(), f"{DOMAIN} logbook translations")

    def describing(message: Message, icon: str) -> Describe:
        @callback
        def describe(event: LazyEventPartialState) -> dict[str, str]:
            return {
                LOGBOOK_ENTRY_NAME: _device_name(hass, event.data.get(ATTR_DEVICE_ID, "")),
                LOGBOOK_ENTRY_MESSAGE: message(server_language.wording, event.data),
                # Without one, an event's entry has no icon at all (it has no entity to take
                # one from): those of the Session status sensor's charging and completed states.
                LOGBOOK_ENTRY_ICON: icon,
            }

        return describe

    async_describe_event(DOMAIN, EVENT_SESSION_STARTED, describing(started_message, STARTED_ICON))
    async_describe_event(
        DOMAIN, EVENT_SESSION_COMPLETED, describing(completed_message, COMPLETED_ICON)
    )
    async_describe_event(DOMAIN, EVENT_SESSION_BILLED, describing(billed_message, BILLED_ICON))
    async_describe_event(DOMAIN, EVENT_CHARGING_IDLE, describing(idle_message, IDLE_ICON))


def started_message(wording: Wording, data: Mapping[str, Any]) -> str:
    """The start says nothing more: its figures are those of the session's first minutes."""
    return wording.text("started")


def completed_message(wording: Wording, data: Mapping[str, Any]) -> str:
    """E.g. "stopped charging after 10.2 kWh (183.60 INR), 0.2 kWh over the 10 kWh limit".

    Says what stopped it when a STOP from Home Assistant did: the cost limit, the battery limit
    ("at 80 % battery"), the energy limit or a person. A figure the API did not report (None)
    is left out.

    The cost is counted as the session's cost limit counted: with tax when it did ("216.65 INR
    with tax", "the 220.00 INR cost limit with tax"), else before tax, as Session cost shows it,
    even where the cost with tax is known: an amount beside a limit must be the one the limit
    compared, and one amount keeps the message short. With tax but that figure not known, no
    amount is shown rather than one the limit did not count.
    """
    if (energy := data.get("energy")) is None:
        message = wording.text("stopped")
    else:
        message = wording.text("stopped_after", energy=wording.kwh(energy))
    currency = data.get("currency")
    with_tax = data.get("cost_limit_with_tax") is True
    if with_tax:
        if (cost := data.get("cost_with_tax")) is not None:
            amount = wording.amount(cost, currency)
            message += f" ({wording.text('amount_with_tax', amount=amount)})"
    elif (cost := data.get("cost")) is not None:
        message += f" ({wording.amount(cost, currency)})"
    stopped_by = data.get("stopped_by")
    if stopped_by == "cost" and (cost_limit := data.get("cost_limit")) is not None:
        key = "cost_limit_with_tax" if with_tax else "cost_limit"
        message += ", " + wording.text(key, limit=wording.amount(cost_limit, currency))
    elif stopped_by == "battery" and (battery_limit := data.get("battery_limit")) is not None:
        message += ", " + wording.text("battery_limit", limit=wording.kwh(battery_limit))
    elif stopped_by == "user":
        message += ", " + wording.text("stopped_from_home_assistant")
    elif (limit := data.get("energy_limit")) is not None:
        message += ", " + _against_limit(wording, data.get("overshoot"), limit)
    return message


def idle_message(wording: Wording, data: Mapping[str, Any]) -> str:
    """E.g. "stopped drawing energy at 10.2 kWh, the session still runs" (the energy if known)."""
    if (energy := data.get("energy")) is None:
        return wording.text("idle")
    return wording.text("idle_at", energy=wording.kwh(energy))


def billed_message(wording: Wording, data: Mapping[str, Any]) -> str:
    """E.g. "was billed 3.40 INR with 0.52 INR tax for 0.16 kWh"; unknown figures left out."""
    currency = data.get("currency")
    if (cost := data.get("cost")) is None:
        parts = [wording.text("billed")]
    else:
        parts = [wording.text("billed_amount", amount=wording.amount(cost, currency))]
    if (tax := data.get("tax")) is not None:
        parts.append(wording.text("billed_tax", tax=wording.amount(tax, currency)))
    if (energy := data.get("energy")) is not None:
        parts.append(wording.text("billed_energy", energy=wording.kwh(energy)))
    return " ".join(parts)


def _against_limit(wording: Wording, overshoot: float | None, limit: float) -> str:
    """Where the session stopped relative to its energy limit."""
    limit_text = wording.kwh(limit)
    if overshoot is None:
        return wording.text("with_limit", limit=limit_text)
    # Compared as shown, so that 0.0001 kWh over reads "at the limit", not "0 kWh over".
    shown = round(overshoot, 3)
    if shown > 0:
        return wording.text("over_limit", difference=wording.kwh(shown), limit=limit_text)
    if shown < 0:
        return wording.text("under_limit", difference=wording.kwh(-shown), limit=limit_text)
    return wording.text("at_limit", limit=limit_text)


def _device_name(hass: HomeAssistant, device_id: str) -> str:
    """The device's name as the user sees it: the one they gave it, if any."""
    if (device := dr.async_get(hass).async_get(device_id)) is None:
        return FALLBACK_NAME
    return device.name_by_user or device.name or FALLBACK_NAME
