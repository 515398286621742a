"""OCPI 2.2.1's words for what the simulator renders in EVnnovator's 2.1.1 shape.

EVnnovator's roaming hub speaks 2.2.1, and a gateway update could switch any call to it: with
`SimulatorSettings(dialect="2.2.1")` every answer is rewritten here from the one 2.1.1 rendering,
so both dialects tell the same truth. What changes (the API reference, "OCPI dialects"): the
session's times and EVSE are named differently, the driver is a `cdr_token`, the location is
named only by its ids (not embedded), costs are Price objects with and without tax, a CDR counts
in kWh and hours as OCPI says, and connectors list their tariffs.
"""

from typing import Any

from .site import COUNTRY_CODE, PARTY_ID

OCPI_2_1_1 = "2.1.1"
OCPI_2_2_1 = "2.2.1"
DIALECTS = (OCPI_2_1_1, OCPI_2_2_1)


def price(excl_vat: float, tax_rate: float) -> dict[str, float]:
    """A 2.2.1 Price: the amount before tax, and with it."""
    return {"excl_vat": excl_vat, "incl_vat": excl_vat * (1 + tax_rate)}


def cdr_token(auth_id: str) -> dict[str, str]:
    """The driver as a 2.2.1 token: the app's user, by the auth_id the driver signed up with."""
    return {
        "country_code": COUNTRY_CODE,
        "party_id": PARTY_ID,
        "uid": auth_id,
        "type": "APP_USER",
        "contract_id": auth_id,
    }


def session(data: dict[str, Any], tax_rate: float, period_starts: list[str]) -> dict[str, Any]:
    """A latest session in 2.2.1's words; EVnnovator's own fields (its ids, dates) stay.

    `period_starts` are the charging periods' starts with their zone: 2.1.1's local times
    without one are EVnnovator's quirk, which 2.2.1's DateTime (UTC) does not share.
    """
    spoken = dict(data)
    spoken["start_date_time"] = spoken.pop("start_datetime")
    spoken["end_date_time"] = spoken.pop("end_datetime")
    spoken["evse_uid"] = spoken.pop("evseId")
    spoken["connector_id"] = spoken.pop("connectorId")
    spoken["cdr_token"] = cdr_token(spoken.pop("auth_id"))
    del spoken["location"]
    spoken["total_cost"] = price(spoken["total_cost"], tax_rate)
    # 2.2.1's periods always list their dimensions (the state of charge, if the charger sends it).
    spoken["charging_periods"] = [
        {"start_date_time": start, "dimensions": period.get("dimensions", [])}
        for start, period in zip(period_starts, data["charging_periods"], strict=True)
    ]
    # 2.2.1 has a real last update where the sample sends a null sentinel.
    spoken["last_updated"] = spoken["last_modified_date"]
    return spoken


def cdr(
    data: dict[str, Any], session_id: str, tax_rate: float, period_starts: list[str]
) -> dict[str, Any]:
    """A CDR in 2.2.1's words: an end, Prices, kWh and hours, and the session it bills."""
    spoken = dict(data)
    spoken["end_date_time"] = spoken.pop("stop_date_time")
    spoken["session_id"] = session_id
    spoken["cdr_token"] = cdr_token(spoken.pop("auth_id"))
    spoken["total_cost"] = price(spoken.pop("total_cost"), tax_rate)
    del spoken["total_cost_incl_vat"]
    spoken["total_energy_cost"] = spoken["total_cost"]
    spoken["total_energy"] = data["total_energy"] / 1000
    spoken["total_time"] = data["total_time"] / 60
    spoken["tariffs"] = [tariff(each, tax_rate) for each in data["tariffs"]]
    spoken["charging_periods"] = [
        {"start_date_time": start, "dimensions": []} for start in period_starts
    ]
    return spoken


def tariff(data: dict[str, Any], tax_rate: float) -> dict[str, Any]:
    """A tariff in 2.2.1's words: each price component says its VAT in percent."""
    spoken = dict(data)
    spoken["elements"] = [
        element
        | {
            "price_components": [
                component | {"vat": round(tax_rate * 100, 2)}
                for component in element["price_components"]
            ]
        }
        for element in data["elements"]
    ]
    return spoken


def location(data: dict[str, Any]) -> dict[str, Any]:
    """A location with its EVSEs, their connectors in 2.2.1's words."""
    return data | {"evses": [evse(each) for each in data["evses"]]}


def evse(data: dict[str, Any]) -> dict[str, Any]:
    """An EVSE whose connectors say maxima and list their tariffs."""
    return data | {"connectors": [connector(each) for each in data["connectors"]]}


def connector(data: dict[str, Any]) -> dict[str, Any]:
    """2.2.1's connector: `max_voltage`, `max_amperage`, `max_electric_power`, `tariff_ids`."""
    spoken = dict(data)
    volts, amperes = spoken.pop("voltage"), spoken.pop("amperage")
    spoken["max_voltage"], spoken["max_amperage"] = volts, amperes
    if volts and amperes:
        spoken["max_electric_power"] = volts * amperes
    tariff_id = spoken.pop("tariff_id", None)
    spoken["tariff_ids"] = [] if tariff_id is None else [tariff_id]
    return spoken
