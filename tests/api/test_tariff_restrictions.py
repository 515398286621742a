"""A tariff's power and date restrictions: which element's energy price applies."""

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
from aiohttp import web
from hypothesis import given, settings, strategies as st

from custom_components.evnnovator.api import (
    EvnnovatorClient,
    Session,
    Tariff,
    parse_session,
    parse_tariff,
)

from .conftest import ServeFn

PURE = settings(max_examples=200, deadline=None)
KOLKATA = ZoneInfo("Asia/Kolkata")
SESSION_START = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def energy(price: float, **restrictions: object) -> dict[str, Any]:
    """A tariff element: one ENERGY price (a number, with 2.2.1's VAT) under `restrictions`."""
    element: dict[str, Any] = {
        "price_components": [{"type": "ENERGY", "price": price, "vat": 18.0, "step_size": 1}]
    }
    if restrictions:
        element["restrictions"] = restrictions
    return element


def tariff_of(*elements: dict[str, Any]) -> Tariff:
    """A tariff of these elements, in their order."""
    return parse_tariff({"id": "DC", "currency": "EUR", "elements": list(elements)})


# Written for these tests after OCPI 2.2.1's DC tariff examples: cheaper below 32 kW.
DC_BY_POWER = {
    "country_code": "DE",
    "party_id": "EVN",
    "id": "DC-POWER",
    "currency": "EUR",
    "elements": [energy(0.20, max_power=32.0), energy(0.25, min_power=32.0)],
    "last_updated": "2026-11-01T00:00:00Z",
}


def charging(kwh: float | None) -> Session:
    """A session charging since SESSION_START with `kwh` so far, at a location in Kolkata."""
    data: dict[str, Any] = {
        "id": "s",
        "status": "ACTIVE",
        "start_datetime": SESSION_START.isoformat(),
        "location": {"time_zone": "Asia/Kolkata"},
    }
    if kwh is not None:
        data["kwh"] = kwh
    return parse_session(data)


async def test_a_dc_tariff_served_over_http_prices_by_the_sessions_power(
    serve: ServeFn, http_session: aiohttp.ClientSession
) -> None:
    """0.20 below 32 kW, 0.25 from 32 kW (OCPI: min_power inclusive, max_power exclusive), by the
    session's average power so far; with no power known, neither band is shown to hold."""

    async def tariff_answer(_request: web.Request) -> web.Response:
        return web.json_response(
            {"status_code": 1000, "status_message": "Success", "data": DC_BY_POWER}
        )

    client = EvnnovatorClient(
        http_session, token="tariff-test-token-7c2d", base_url=await serve(tariff_answer)
    )
    tariff = await client.get_tariff("location", "DC-POWER")
    assert tariff is not None
    half_an_hour = SESSION_START + timedelta(minutes=30)
    assert tariff.energy_price_for(charging(11.0), half_an_hour) == 0.20  # 22 kW
    assert tariff.energy_price_for(charging(16.0), half_an_hour) == 0.25  # exactly 32 kW
    assert tariff.energy_price_for(charging(25.0), half_an_hour) == 0.25  # 50 kW
    # No power yet (no time has passed, or no energy reported): neither band holds, and the
    # first energy price stands, as for an answer that restricts every band away.
    assert tariff.energy_price_for(charging(0.0), SESSION_START) == 0.20
    assert tariff.energy_price_for(charging(None), half_an_hour) == 0.20
    assert tariff.energy_price_for(None, half_an_hour) == 0.20


def test_with_no_power_known_a_power_band_is_skipped() -> None:
    """OCPI's shape "0.20 up to 16 kW, 0.35 up to 32 kW, else 0.50": a max_power band would hold
    at any low power, but an unknown power is not a low one: the unrestricted price applies."""
    tariff = tariff_of(energy(0.20, max_power=16.0), energy(0.35, max_power=32.0), energy(0.50))
    noon = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    assert tariff.energy_price_at(noon) == 0.50
    assert tariff.energy_price_at(noon, power_kw=None) == 0.50
    assert tariff.energy_price_at(noon, power_kw=0.0) == 0.20
    assert tariff.energy_price_at(noon, power_kw=16.0) == 0.35
    assert tariff.energy_price_at(noon, power_kw=31.9) == 0.35
    assert tariff.energy_price_at(noon, power_kw=150.0) == 0.50
    # A band of another kind ignores the power, known or not.
    by_energy = tariff_of(energy(0.0, max_kwh=1.0), energy(0.30))
    assert by_energy.energy_price_at(noon, kwh=0.5) == 0.0
    assert by_energy.energy_price_at(noon, kwh=0.5, power_kw=7.4) == 0.0


def test_a_promotional_price_until_a_date_in_the_locations_time() -> None:
    """0.10 until 1 December (exclusive) in the location's local date, 0.30 from then on; an
    opening week from 1 to 8 December (start inclusive)."""
    tariff = tariff_of(
        energy(0.10, end_date="2026-12-01"),
        energy(0.15, start_date="2026-12-01", end_date="2026-12-08"),
        energy(0.30),
    )
    # 30 November 18:00 UTC is 23:30 in Kolkata: still November there.
    assert tariff.energy_price_at(datetime(2026, 11, 30, 18, 0, tzinfo=KOLKATA)) == 0.10
    last_promotional = datetime(2026, 11, 30, 18, 0, tzinfo=UTC)
    assert tariff.energy_price_for(charging(1.0), last_promotional) == 0.10
    # 18:30 UTC is midnight in Kolkata: the first of December, the opening week's first day.
    assert tariff.energy_price_for(charging(1.0), last_promotional.replace(minute=30)) == 0.15
    assert tariff.energy_price_at(datetime(2026, 12, 7, 23, 59, tzinfo=KOLKATA)) == 0.15
    assert tariff.energy_price_at(datetime(2026, 12, 8, 0, 0, tzinfo=KOLKATA)) == 0.30


def test_an_unreadable_date_restricts_nothing() -> None:
    """A date that is not OCPI's "YYYY-MM-DD" (nor any ISO date) is not a restriction: the
    element holds as if it had none, as an unreadable time of day does."""
    at = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    for unreadable in ("2026-13-45", "2026-02-30", "01/12/2026", "tomorrow", " ", ""):
        tariff = tariff_of(energy(0.10, end_date=unreadable), energy(0.30))
        assert tariff.energy_price_at(at) == 0.10, unreadable
        assert tariff.elements[0].restrictions is not None
        assert tariff.elements[0].restrictions.end_date is None
    # A readable start date still restricts beside an unreadable end date.
    later = tariff_of(energy(0.10, start_date="2027-01-01", end_date="soon"), energy(0.30))
    assert later.energy_price_at(at) == 0.30


@PURE
@given(
    edges=st.lists(
        st.floats(min_value=0, max_value=400, allow_nan=False), min_size=2, max_size=6, unique=True
    ).map(sorted),
    power=st.floats(min_value=0, max_value=500, allow_nan=False),
)
def test_the_power_band_that_holds_is_the_one_the_power_falls_in(
    edges: list[float], power: float
) -> None:
    """Bands [edge i, edge i+1) priced i, then an unrestricted price: the band the power falls
    in, whatever the edges; outside every band, the unrestricted price."""
    bands = [
        energy(float(index), min_power=low, max_power=high)
        for index, (low, high) in enumerate(pairwise(edges))
    ]
    tariff = tariff_of(*bands, energy(99.0))
    falls_in = [i for i in range(len(edges) - 1) if edges[i] <= power < edges[i + 1]]
    expected = float(falls_in[0]) if falls_in else 99.0
    assert tariff.energy_price_at(SESSION_START, power_kw=power) == expected
    assert tariff.energy_price_at(SESSION_START, power_kw=None) == 99.0


@PURE
@given(
    moment=st.datetimes(
        min_value=datetime(2020, 1, 1),  # noqa: DTZ001 (hypothesis bounds are naive)
        max_value=datetime(2035, 1, 1),  # noqa: DTZ001
        timezones=st.just(UTC),
    ),
    zone=st.sampled_from(["Asia/Kolkata", "UTC", "America/Los_Angeles", "Pacific/Kiritimati"]),
    first=st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 1, 1)),
    days=st.integers(min_value=1, max_value=400),
)
def test_a_date_band_holds_from_its_start_date_until_before_its_end_date(
    moment: datetime, zone: str, first: date, days: int
) -> None:
    """Whatever the moment and the location's zone: the band holds on its local dates from
    `start_date` to the day before `end_date`."""
    until = first + timedelta(days=days)
    tariff = tariff_of(
        energy(0.10, start_date=first.isoformat(), end_date=until.isoformat()), energy(0.30)
    )
    session = parse_session(
        {"id": "s", "status": "ACTIVE", "kwh": 0.0, "location": {"time_zone": zone}}
    )
    local_day = moment.astimezone(ZoneInfo(zone)).date()
    expected = 0.10 if first <= local_day < until else 0.30
    assert tariff.energy_price_for(session, moment) == expected


@PURE
@given(
    moment=st.datetimes(timezones=st.just(UTC)),
    unreadable=st.text(alphabet=st.characters(exclude_categories=["Nd"]), max_size=12),
)
def test_any_unreadable_date_prices_as_no_date(moment: datetime, unreadable: str) -> None:
    """Text without a digit is never a date: the band holds as if it had no date at all."""
    with_date = tariff_of(energy(0.10, start_date=unreadable, max_kwh=1.0), energy(0.30))
    without = tariff_of(energy(0.10, max_kwh=1.0), energy(0.30))
    for kwh in (0.5, 2.0):
        assert with_date.energy_price_at(moment, kwh) == without.energy_price_at(moment, kwh)


def test_an_element_without_an_energy_price_is_passed_over() -> None:
    """A time price for fast charging (as in OCPI's complex tariff example) does not make the
    energy price of a later element any less the one that applies."""
    tariff = parse_tariff(
        {
            "elements": [
                {
                    "price_components": [{"type": "TIME", "price": 2.0, "step_size": 600}],
                    "restrictions": {"min_power": 50.0},
                },
                energy(0.40, min_power=50.0),
                energy(0.30),
            ]
        }
    )
    assert tariff.energy_price_at(SESSION_START, power_kw=60.0) == 0.40
    assert tariff.energy_price_at(SESSION_START, power_kw=11.0) == 0.30
