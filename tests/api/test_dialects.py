"""OCPI 2.2.1 next to the 2.1.1 shape EVnnovator sends today: the same fields, other words.

A gateway update could switch any call; what either dialect says is read the same way.
"""

from datetime import UTC, datetime
import json
from typing import Any

from custom_components.evnnovator.api import (
    EvnnovatorClient,
    Session,
    parse_cdr,
    parse_evse,
    parse_session,
)
from evnnovator_simulator import DEMO_AUTH_ID, Simulator

from .helpers import FIXTURES, published_sample


def ocpi_example(name: str) -> dict[str, Any]:
    """One of OCPI's published examples (see fixtures/ocpi/README.md)."""
    example: dict[str, Any] = json.loads((FIXTURES / "ocpi" / name).read_text(encoding="utf-8"))
    return example


async def test_ocpis_own_2_2_1_session_example(sim: Simulator, client: EvnnovatorClient) -> None:
    """Served by the simulator and read by the client: a Price, 2.2.1's names, the token."""
    sim.set_raw_latest(DEMO_AUTH_ID, ocpi_example("session_example_1_2.2.1.json"))
    session = await client.get_latest_session(DEMO_AUTH_ID)
    assert isinstance(session, Session)
    assert (session.id, session.status, session.kwh) == ("101", "PENDING", 0.0)
    assert (session.total_cost, session.currency) == (2.5, "EUR")
    assert session.start == datetime(2020, 3, 9, 10, 17, 9, tzinfo=UTC)
    assert session.last_updated == datetime(2020, 3, 9, 10, 17, 9, tzinfo=UTC)
    assert session.evse_uid == "3256"
    assert session.auth_id == "123abc"
    assert session.connector_id == "1"


def test_a_2_2_1_end_and_price_with_tax() -> None:
    """`end_date_time`, and a Price with its tax part (which the running figure leaves out)."""
    data = ocpi_example("session_example_1_2.2.1.json") | {
        "status": "COMPLETED",
        "end_date_time": "2020-03-09T11:17:09Z",
        "total_cost": {"excl_vat": 10.0, "incl_vat": 11.8},
    }
    session = parse_session(data)
    assert session.end == datetime(2020, 3, 9, 11, 17, 9, tzinfo=UTC)
    assert session.total_cost == 10.0


def test_a_2_2_1_cdr() -> None:
    """A CDR's end is `end_date_time`, its cost a Price: before and with tax."""
    cdr = parse_cdr(
        {
            "id": "12345",
            "start_date_time": "2020-03-09T10:17:09Z",
            "end_date_time": "2020-03-09T11:17:09Z",
            "currency": "EUR",
            "total_cost": {"excl_vat": 10.0, "incl_vat": 11.8},
            "total_energy": 6.5,
            "total_time": 1.0,
        }
    )
    assert cdr.stop == datetime(2020, 3, 9, 11, 17, 9, tzinfo=UTC)
    assert (cdr.cost_excl_tax, cdr.cost_incl_tax) == (10.0, 11.8)
    assert cdr.duration_minutes == 60.0


def test_a_2_2_1_connector() -> None:
    """`max_voltage`, `max_amperage` and the first of `tariff_ids`."""
    evse = parse_evse(
        {
            "uid": "3256",
            "status": "AVAILABLE",
            "connectors": [
                {
                    "id": "1",
                    "standard": "IEC_62196_T2",
                    "power_type": "AC_3_PHASE",
                    "max_voltage": 230,
                    "max_amperage": 32,
                    "max_electric_power": 22000,
                    "tariff_ids": ["11", "12"],
                }
            ],
        }
    )
    [connector] = evse.connectors
    assert (connector.voltage, connector.amperage, connector.max_power_kw) == (230, 32, 22.0)
    assert connector.tariff_id == "11"


def test_zone_less_times_are_utc_but_the_charging_periods() -> None:
    """OCPI: a time without a zone is UTC; EVnnovator's charging periods are local time."""
    data = published_sample() | {"start_datetime": "2022-03-23T05:12:22"}
    session = parse_session(data)
    assert session.start == datetime(2022, 3, 23, 5, 12, 22, tzinfo=UTC)
    assert session.charging_periods[0].start == datetime(2022, 3, 23, 5, 15, 59, 647000, tzinfo=UTC)
