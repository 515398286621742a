"""Diagnostics: what the integration knows, without the secrets and the driver's whereabouts."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_TOKEN
from homeassistant.core import HomeAssistant

from .const import CONF_AUTH_ID
from .data import EvnnovatorConfigEntry

TO_REDACT = {
    CONF_TOKEN,
    CONF_AUTH_ID,
    "token_uid",
    "address",
    "postal_code",
    "coordinates",
    "latitude",
    "longitude",
}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: EvnnovatorConfigEntry
) -> dict[str, Any]:
    """The entry's settings and the latest session exactly as the API sent it, redacted."""
    coordinator = entry.runtime_data.coordinator
    limits = entry.runtime_data.limits
    tracker = entry.runtime_data.tracker
    ledger = tracker.ledger
    operator = tracker.operator
    latest = coordinator.meter.latest
    plan = limits.plan
    session = coordinator.data
    return {
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
            "energy_limit": limits.energy_limit,
            "cost_limit": limits.cost_limit,
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
        "meter": {
            "latest_at": None if latest is None else latest.at.isoformat(),
            "latest_at_measured": None if latest is None else latest.measured,
            "rate_kw": coordinator.meter.rate_kw(None if session is None else session.start),
        },
        # Session ids are the API's own; what the integration decided for each is what helps.
        "ledger": {
            "total_energy": ledger.total_energy,
            "sessions": {key: asdict(record) for key, record in ledger.sessions.items()},
        },
        "latest_session": None if session is None else async_redact_data(session.raw, TO_REDACT),
    }
