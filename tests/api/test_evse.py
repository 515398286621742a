"""The EVSE of the locations calls: its quirks read, not crashed on."""

from typing import Any

import pytest

from custom_components.evnnovator.api import (
    EvnnovatorClient,
    EvnnovatorError,
    EvnnovatorResponseError,
    EvseStatus,
    parse_evse,
)
from evnnovator_simulator import DEMO_EVSE_UID, DEMO_LOCATION_ID, Simulator

SAMPLE: dict[str, Any] = {
    "id": "019710d7ec0a66a0063ec9234f17659e",
    "uid": "55B39FEC-3449-48D1-B46E-B29F726DBE7C",
    "evse_id": "IN*TCZ*1",
    "status": "AVAILABLE",
    "capabilities": ["REMOTE_START_STOP_CAPABLE", "RFID_READER"],
    "coordinates": {"latitude": "19.09839", "longitude": "73.00345"},
    "connectors": [
        {
            "id": "e5ca60e2b0af2747b5f2077de117e6a4",
            "standard": "IEC_60309_2_three_16",
            "power_type": "AC_3_PHASE",
            "voltage": 230,
            "amperage": 16,
            "tariff_id": "20024",
        }
    ],
}


def test_the_published_evse() -> None:
    """Coordinates as strings, the power from volts and amperes, three phases."""
    evse = parse_evse(SAMPLE)
    assert evse.known_status is EvseStatus.AVAILABLE
    assert evse.coordinates is not None
    assert evse.coordinates.latitude == pytest.approx(19.09839)
    assert not evse.remote_start_refused
    [connector] = evse.connectors
    assert connector.power_kw == pytest.approx(230 * 16 * 3 / 1000)
    assert connector.tariff_id == "20024"


def test_what_is_often_missing_or_zero() -> None:
    """No capabilities: unknown, so not refused; 0 V and 0 A: no power; odd status: kept."""
    evse = parse_evse(
        {
            "uid": "x",
            "status": "on_fire",
            "connectors": [{"voltage": 0, "amperage": 0}, {"max_electric_power": 22000}],
        }
    )
    assert evse.capabilities is None
    assert not evse.remote_start_refused
    assert (evse.status, evse.known_status) == ("on_fire", None)
    assert [connector.power_kw for connector in evse.connectors] == [None, 22.0]
    assert parse_evse({"capabilities": ["RFID_READER"]}).remote_start_refused


@pytest.mark.parametrize("capabilities", ["REMOTE_START_STOP_CAPABLE", [1], {"a": 1}])
def test_capabilities_of_the_wrong_shape_are_refused(capabilities: object) -> None:
    with pytest.raises(EvnnovatorResponseError):
        parse_evse({"capabilities": capabilities})


async def test_the_evse_over_http(sim: Simulator, client: EvnnovatorClient) -> None:
    evse = await client.get_evse(DEMO_LOCATION_ID, "3d2542dc29da4512d061391db6a18377")
    assert evse is not None
    assert evse.uid == DEMO_EVSE_UID
    assert evse.known_status is EvseStatus.CHARGING
    assert await client.get_evse(DEMO_LOCATION_ID, "unknown") is None
    sim.inject("data_null")
    assert await client.get_evse(DEMO_LOCATION_ID, "3d2542dc29da4512d061391db6a18377") is None
    with pytest.raises(EvnnovatorError):
        await client.get_evse("", "x")


async def test_the_token_uid_over_http(sim: Simulator, client: EvnnovatorClient) -> None:
    assert await client.get_token_uid("demo-driver-1", DEMO_LOCATION_ID) == "aGyJYcVTJDYXykvp"
    with pytest.raises(EvnnovatorError):
        await client.get_token_uid("demo-driver-1", "")
    sim.inject("data_null")
    with pytest.raises(EvnnovatorResponseError):
        await client.get_token_uid("demo-driver-1", DEMO_LOCATION_ID)
