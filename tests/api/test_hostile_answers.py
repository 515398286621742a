"""Answers of a gateway that misbehaves: wrong pages, echoed tokens, impossible readings."""

from datetime import UTC, datetime

import pytest

from custom_components.evnnovator.api import EvnnovatorClient, EvnnovatorResponseError
from custom_components.evnnovator.api.plausibility import implausibility
from custom_components.evnnovator.api.scrub import REDACTED, scrub
from custom_components.evnnovator.api.timestamps import (
    TimestampOutOfRangeError,
    parse_timestamp,
)
from evnnovator_simulator import DEMO_AUTH_ID, DEMO_TOKEN, ManualClock, Simulator

from .conftest import MakeClient
from .helpers import raises_exactly


async def test_a_404_page_is_no_answer_of_the_api(client: EvnnovatorClient, sim: Simulator) -> None:
    """Only the API's own 404 (its envelope) means "no session"; a web server's page does not."""
    sim.inject("http_404_page", only="latest")
    err = await raises_exactly(EvnnovatorResponseError, client.get_latest_session(DEMO_AUTH_ID))
    assert "404 page that is not the API's" in str(err)
    sim.inject("not_found", only="latest")
    assert await client.get_latest_session(DEMO_AUTH_ID) is None


async def test_the_other_documented_prefix_is_a_wrong_base_url(
    make_client: MakeClient, sim: Simulator
) -> None:
    client = make_client(base_url=sim.base_url.replace("/api/ocpi/api/v1", "/api/v1"))
    await raises_exactly(EvnnovatorResponseError, client.get_latest_session(DEMO_AUTH_ID))


async def test_data_null_reads_as_no_session(client: EvnnovatorClient, sim: Simulator) -> None:
    sim.inject("data_null")
    assert await client.get_latest_session(DEMO_AUTH_ID) is None


async def test_an_echoed_token_never_reaches_an_error(
    client: EvnnovatorClient, sim: Simulator
) -> None:
    sim.inject("echo_token", only="latest")
    err = await raises_exactly(EvnnovatorResponseError, client.get_latest_session(DEMO_AUTH_ID))
    assert DEMO_TOKEN not in str(err)
    assert REDACTED in str(err)
    sim.inject("echo_token", only="commands")
    err = await raises_exactly(EvnnovatorResponseError, client.stop_session("any"))
    assert DEMO_TOKEN not in str(err)


async def test_an_echoed_token_never_reaches_the_session(
    client: EvnnovatorClient, sim: Simulator
) -> None:
    sim.inject("echo_token_field")
    session = await client.get_latest_session(DEMO_AUTH_ID)
    assert session is not None
    assert session.raw["gateway_note"] == f"requested with token {REDACTED}"


def test_scrub_reaches_keys_lists_and_any_depth() -> None:
    deep: object = "secret-x"
    for _ in range(5000):
        deep = [deep]
    cleaned = scrub({"secret-x": ("a secret-x", 1, None), "deep": deep}, ("secret-x", ""))
    assert REDACTED in cleaned
    assert cleaned[REDACTED] == [f"a {REDACTED}", 1, None]
    assert "secret-x" not in repr(cleaned)
    assert scrub({"kept": "as is"}, ()) == {"kept": "as is"}


@pytest.mark.parametrize("kwh", [1e308, 2500, 200])
async def test_impossible_energy_is_refused(
    make_client: MakeClient, sim: Simulator, clock: ManualClock, kwh: float
) -> None:
    """The demo session has charged 20 minutes: not even 400 kW delivers 200 kWh in that."""
    client = make_client(clock=clock)
    sim.inject("absurd_kwh", kwh=kwh)
    err = await raises_exactly(EvnnovatorResponseError, client.get_latest_session(DEMO_AUTH_ID))
    assert "session.kwh" in str(err)
    session = await client.get_latest_session(DEMO_AUTH_ID)
    assert session is not None
    assert session.kwh is not None
    assert session.kwh < 5


async def test_much_but_possible_energy_is_kept(
    make_client: MakeClient, sim: Simulator, clock: ManualClock
) -> None:
    client = make_client(clock=clock)
    sim.inject("absurd_kwh", kwh=150)
    session = await client.get_latest_session(DEMO_AUTH_ID)
    assert session is not None
    assert session.kwh == 150


@pytest.mark.parametrize("kwh", [-1, float("nan")])
async def test_negative_energy_is_refused(
    client: EvnnovatorClient, sim: Simulator, kwh: float
) -> None:
    sim.inject("absurd_kwh", kwh=kwh)
    await raises_exactly(EvnnovatorResponseError, client.get_latest_session(DEMO_AUTH_ID))


async def test_impossible_cost_is_refused(client: EvnnovatorClient, sim: Simulator) -> None:
    session = await client.get_latest_session(DEMO_AUTH_ID)
    assert session is not None
    raw = dict(session.raw) | {"total_cost": 1e300}
    sim.set_raw_latest(DEMO_AUTH_ID, raw)
    err = await raises_exactly(EvnnovatorResponseError, client.get_latest_session(DEMO_AUTH_ID))
    assert "total_cost" in str(err)


async def test_an_ended_session_is_judged_by_its_own_times(
    client: EvnnovatorClient, sim: Simulator
) -> None:
    """The published sample ran under 4 minutes: 0.16 kWh is fine, 40 kWh cannot be."""
    session = await client.get_latest_session(DEMO_AUTH_ID)
    assert session is not None
    sample = {
        "id": "ae18c8e04f45946f0706735285a0a069",
        "status": "COMPLETED",
        "start_datetime": "2022-03-23T05:12:22.000+00:00",
        "end_datetime": "2022-03-23T05:15:59.647+00:00",
        "kwh": 0.16,
    }
    sim.set_raw_latest(DEMO_AUTH_ID, sample)
    assert await client.get_latest_session(DEMO_AUTH_ID) is not None
    sim.set_raw_latest(DEMO_AUTH_ID, sample | {"kwh": 40})
    await raises_exactly(EvnnovatorResponseError, client.get_latest_session(DEMO_AUTH_ID))


async def test_far_future_timestamps_read_as_unknown_and_are_logged_once(
    client: EvnnovatorClient, sim: Simulator, caplog: pytest.LogCaptureFixture
) -> None:
    for _ in range(3):
        sim.inject("far_future")
        session = await client.get_latest_session(DEMO_AUTH_ID)
        assert session is not None
        assert session.start is None
        assert session.out_of_range == ("session.start_datetime",)
    warnings = [r for r in caplog.records if "out of the range" in r.getMessage()]
    assert len(warnings) == 1
    assert "session.start_datetime" in warnings[0].getMessage()


@pytest.mark.parametrize(
    "text",
    [
        "9999-12-31T23:59:59-05:00",
        "9999-12-31T23:59:59+00:00",
        "1969-12-31T23:59:59+00:00",
        "0002-01-01T00:00:00",
    ],
)
def test_out_of_range_timestamps(text: str) -> None:
    with pytest.raises(TimestampOutOfRangeError):
        parse_timestamp(text, UTC)


def test_a_reading_without_a_start_is_judged_by_its_size_alone() -> None:
    class Bare:
        kwh = 1500.0
        total_cost = None
        start = None

    assert implausibility(Bare(), datetime.now(UTC)) is None  # type: ignore[arg-type]
