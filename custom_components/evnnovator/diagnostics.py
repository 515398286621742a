"""Diagnostics: what the integration knows, without the secrets and the driver's whereabouts."""

from __future__ import annotations

from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_TOKEN
from homeassistant.core import HomeAssistant

from .api.scrub import scrub
from .const import CONF_AUTH_ID, CONF_TOKEN_UID
from .data import EvnnovatorConfigEntry

TO_REDACT = {
    CONF_TOKEN,
    CONF_AUTH_ID,
    CONF_TOKEN_UID,
    "address",
    "postal_code",
    "coordinates",
    "latitude",
    "longitude",
}

# The raw session may carry fields of any depth and size that the integration ignores: the
# report keeps enough of them to debug, and always serializes.
MAX_DEPTH = 12
MAX_ITEMS = 50
MAX_TEXT = 1000
# A secret this short would blank ordinary text if removed by value; its key still redacts it.
MIN_SECRET_LENGTH = 4


def bounded(value: Any, depth: int = MAX_DEPTH) -> Any:
    """A copy of JSON `value` at most `depth` levels deep, with long texts and lists cut."""
    if isinstance(value, str):
        return value if len(value) <= MAX_TEXT else f"{value[:MAX_TEXT]}… ({len(value)} chars)"
    if not isinstance(value, dict | list):
        return value
    if depth == 0:
        return f"… (nested {'object' if isinstance(value, dict) else 'list'} left out)"
    items = list(value.items()) if isinstance(value, dict) else list(enumerate(value))
    kept = [(key, bounded(item, depth - 1)) for key, item in items[:MAX_ITEMS]]
    more = len(items) - len(kept)
    if isinstance(value, dict):
        copy = {str(key)[:MAX_TEXT]: item for key, item in kept}
        if more:
            copy["…"] = f"{more} more fields left out"
        return copy
    listed = [item for _, item in kept]
    if more:
        listed.append(f"… {more} more items left out")
    return listed


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: EvnnovatorConfigEntry
) -> dict[str, Any]:
    """The entry's settings and the latest session exactly as the API sent it, redacted."""
    account = entry.runtime_data
    coordinator = account.coordinator
    view = account.view
    book = account.data.book
    operator = account.data.operator
    latest = account.meter.latest
    plan = view.plan
    session = view.session
    # What the API sent may quote a secret under any name: removed by value, too.
    secrets = (
        entry.data.get(CONF_TOKEN),
        entry.data.get(CONF_AUTH_ID),
        entry.options.get(CONF_TOKEN_UID),
    )
    report = {
        "entry": {
            "data": async_redact_data(dict(entry.data), TO_REDACT),
            # The charging token's uid (an option) names the driver's card: like the driver id, it
            # stays out of a report that may be shared in public.
            "options": async_redact_data(dict(entry.options), TO_REDACT),
        },
        "coordinator": {
            "last_update_success": coordinator.last_update_success,
            "update_interval_seconds": (
                coordinator.update_interval.total_seconds() if coordinator.update_interval else None
            ),
        },
        "limits": {
            "energy_limit": view.limits.energy_kwh,
            "cost_limit": view.limits.cost,
            "battery_limit": view.limits.battery_percent,
            "planned_stop": None
            if plan is None
            else {
                "limit": plan.limit,
                "send_at": plan.send_at.isoformat(),
                "crossing_at": plan.crossing_at.isoformat(),
            },
        },
        # What was learned of the operator: it decides when the limits send STOP.
        "operator": {
            **operator.as_dict(),
            "meter_cadence_seconds": operator.cadence,
            "stop_latency_seconds": operator.latency,
            "stop_latency_learned": operator.latency_learned,
        },
        # What was learned of the car's battery: the Battery limit's energy comes from it.
        "battery": {
            **account.data.battery.as_dict(),
            "percent": view.battery,
            "status": None if view.battery_status is None else view.battery_status.value,
        },
        "meter": {
            "latest_at": None if latest is None else latest.at.isoformat(),
            "latest_at_measured": None if latest is None else latest.measured,
            "rate_kw": view.rate_kw,
        },
        # Session ids are the API's own; what the integration decided for each is what helps.
        "book": {
            "total_energy": view.total_energy,
            "sessions": book.as_dict()["sessions"],
            "last_bill": None if view.bill is None else view.bill.as_dict(),
        },
        "latest_session": (
            None if session is None else async_redact_data(bounded(session.raw), TO_REDACT)
        ),
    }
    cleaned: dict[str, Any] = scrub(
        report, (s for s in secrets if isinstance(s, str) and len(s) >= MIN_SECRET_LENGTH)
    )
    return cleaned
