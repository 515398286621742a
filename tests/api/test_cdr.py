"""The CDR: its units decided against the session, tax beside the amount without, over HTTP."""

from typing import Any

import pytest

from custom_components.evnnovator.api import (
    EvnnovatorClient,
    EvnnovatorError,
    EvnnovatorResponseError,
    parse_cdr,
    parse_session,
)
from evnnovator_simulator import DEMO_AUTH_ID, ManualClock, Simulator

SAMPLE: dict[str, Any] = {
    "id": "3f0f12467217f4c727cc18f03284d0a6",
    "cdr_id": "20796751",
    "created_date": "2022-03-23T05:16:33.718+00:00",
    "start_date_time": "2022-03-23T05:12:22.000+00:00",
    "stop_date_time": "2022-03-23T05:16:25.000+00:00",
    "currency": "INR",
    "total_cost": 2.88,
    "total_cost_incl_vat": 3.3983999999999996,
    "total_energy": 160.0,
    "total_time": 4.0,
}
SESSION = parse_session(
    {
        "id": "ae18c8e04f45946f0706735285a0a069",
        "status": "COMPLETED",
        "session_id": "20796751",
        "kwh": 0.16,
        "start_datetime": "2022-03-23T05:12:22.000+00:00",
        "end_datetime": "2022-03-23T05:15:59.647+00:00",
    }
)


def test_the_published_sample_is_wh_and_minutes() -> None:
    """160 next to a session of 0.16 kWh is Wh; 4 over a 4-minute span is minutes."""
    record = parse_cdr(SAMPLE, SESSION)
    assert (record.energy_unit, record.time_unit) == ("Wh", "min")
    assert record.energy_kwh == pytest.approx(0.16)
    assert record.duration_minutes == 4.0
    assert record.billed_cost == pytest.approx(3.3984)
    assert record.tax == pytest.approx(0.5184)
    assert record.cdr_id == "20796751"


def test_ocpi_units_are_kept_when_they_match() -> None:
    """kWh and hours, as OCPI defines them, are read so."""
    record = parse_cdr(SAMPLE | {"total_energy": 0.16, "total_time": 4 / 60}, SESSION)
    assert (record.energy_unit, record.time_unit) == ("kWh", "h")
    assert record.energy_kwh == pytest.approx(0.16)
    assert record.duration_minutes == pytest.approx(4.0)


def test_without_a_session_to_compare() -> None:
    """No session: an impossible kWh figure is Wh; the time is judged by the CDR's own span."""
    record = parse_cdr(SAMPLE | {"total_energy": 16000.0})
    assert record.energy_kwh == 16.0
    assert record.time_unit == "min"
    plain = parse_cdr({"id": "x", "total_energy": 12.5, "total_time": 1.5, "total_cost": "4.5"})
    assert (plain.energy_kwh, plain.duration_minutes) == (12.5, 90.0)
    # Without the amount with tax, the bill is the amount the record has.
    assert (plain.billed_cost, plain.tax) == (4.5, None)


def test_a_span_from_the_session_when_the_cdr_has_none() -> None:
    """The session's start and end judge the time when the CDR has no times."""
    bare = {key: SAMPLE[key] for key in ("id", "total_energy", "total_time")}
    assert parse_cdr(bare, SESSION).time_unit == "min"


def test_missing_figures_read_as_unknown() -> None:
    record = parse_cdr({"id": "x"})
    assert (record.energy_kwh, record.duration_minutes, record.billed_cost) == (None, None, None)


@pytest.mark.parametrize(
    "data",
    [[], {"total_cost": 1}, {"id": "x", "total_energy": "much"}, {"id": "x", "total_cost": -1}],
)
def test_malformed_cdrs_are_refused(data: Any) -> None:
    with pytest.raises(EvnnovatorResponseError):
        parse_cdr(data)


async def test_the_cdr_over_http(
    sim: Simulator, clock: ManualClock, client: EvnnovatorClient
) -> None:
    """404 (None) until the operator made it, then the record in kWh and minutes."""
    session = await client.get_latest_session(DEMO_AUTH_ID)
    assert session is not None
    assert await client.get_session_cdr(session) is None
    await client.stop_session(session.id)
    clock.advance(5 + sim.settings.cdr_delay)
    ended = await client.get_latest_session(DEMO_AUTH_ID)
    assert ended is not None
    record = await client.get_session_cdr(ended)
    assert record is not None
    assert record.energy_kwh == pytest.approx(ended.kwh)
    assert record.cost_excl_tax == ended.total_cost
    assert sim.requests[-1].path.endswith(f"/cdrs/session/{ended.session_id}")
    sim.inject("data_null")
    assert await client.get_session_cdr(ended) is None


async def test_a_session_without_its_number_has_no_cdr_to_ask(client: EvnnovatorClient) -> None:
    with pytest.raises(EvnnovatorError):
        await client.get_session_cdr(parse_session({"id": "x", "status": "COMPLETED"}))
