"""Session cost with tax, and the Cost limit counted with tax, against the simulator.

The simulator's bill adds 18 % (SimulatorSettings.tax_rate) to the session's cost; its 2.1.1
session shows the cost before tax alone, its 2.2.1 session both.
"""

from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_UNKNOWN
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from custom_components.evnnovator.api import parse_session
from custom_components.evnnovator.billing import BILL_ATTEMPTS_AT
from custom_components.evnnovator.book import Bill, SessionBook
from custom_components.evnnovator.const import CONF_COST_LIMIT_WITH_TAX, EVENT_SESSION_COMPLETED
from custom_components.evnnovator.logbook import completed_message
from evnnovator_simulator import DEMO_AUTH_ID, Simulator, SimulatorSettings
from evnnovator_simulator.dialect import OCPI_2_2_1
from testkit.requests import stop_requests

from .helpers import advance, english, set_up_integration
from .test_limits import (
    COST_LIMIT,
    SHORT_BY_ROUNDING,
    TARIFF,
    overshoot_bound,
    run_until_completed,
    set_limit,
    truth,
)
from .test_tracker import finish_session, reload

COST_WITH_TAX = "sensor.evnnovator_demo_driver_1_session_cost_with_tax"
PLANNED_STOP = "sensor.evnnovator_demo_driver_1_planned_stop"
TAX_RATIO = 1.18  # the simulator's default tax rate, 18 %
# A ratio learned from a bill of amounts rounded to the cent, the session's cost some rupees.
RATIO_PRECISION = 1e-3
# The simulator's 2.2.1 dialect: the session's cost a Price with and without tax.
DIALECT_2_2_1 = SimulatorSettings(dialect=OCPI_2_2_1)

pytestmark = pytest.mark.freeze_time("2026-11-23T08:00:00+00:00")


@pytest.fixture
async def with_tax(hass: HomeAssistant, config_entry: MockConfigEntry) -> MockConfigEntry:
    """The integration, its Cost limit counting with tax (the option on)."""
    return await set_up_integration(hass, config_entry, {CONF_COST_LIMIT_WITH_TAX: True})


async def bill_the_session(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry: MockConfigEntry,
    simulator: Simulator,
) -> dict[str, Any]:
    """Stop the running session and let its bill come in; the session as it ended."""
    ended = await finish_session(hass, freezer, entry, simulator)
    await advance(hass, freezer, BILL_ATTEMPTS_AT[0])
    assert entry.runtime_data.data.book.last_bill is not None
    return ended


async def start_charging(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, simulator: Simulator
) -> None:
    """A new session, started elsewhere, charging some minutes by the time the poll sees it.

    The requests before it (the test's own STOP of the session before) are forgotten.
    """
    simulator.start_session(DEMO_AUTH_ID)
    for _ in range(10):
        await advance(hass, freezer, 60)
    assert truth(simulator)["status"] == "ACTIVE"
    simulator.clear_requests()


async def charge_after_a_bill(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """The demo session stopped and billed (a ratio learned), and a new one charging."""
    await bill_the_session(hass, freezer, entry, simulator)
    await start_charging(hass, freezer, simulator)


def limit_above(cost: float, ratio: float = 1.0) -> int:
    """A Cost limit half a kWh's cost (counted with `ratio`) above `cost`, in whole rupees."""
    return round(cost + 0.5 * TARIFF * ratio)


def tax_ratio(entry: MockConfigEntry) -> float | None:
    """The tax ratio the account counts the latest session's cost with."""
    session = entry.runtime_data.coordinator.session
    assert session is not None
    return entry.runtime_data.data.book.tax_ratio(session)


def shown_cost(hass: HomeAssistant) -> tuple[float | str, dict[str, Any]]:
    """Session cost with tax: its state (a number where known) and its attributes."""
    state = hass.states.get(COST_WITH_TAX)
    assert state is not None
    value: float | str = state.state if state.state == STATE_UNKNOWN else float(state.state)
    return value, dict(state.attributes)


async def test_estimated_from_the_bill_then_the_bill(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
) -> None:
    """Unknown before any bill; the first bill teaches 1.18; the next session is estimated with
    it while it charges and until its own bill, which then stands."""
    value, attributes = shown_cost(hass)
    assert value == STATE_UNKNOWN
    assert "estimated" not in attributes
    assert tax_ratio(init_integration) is None

    first = await bill_the_session(hass, freezer, init_integration, simulator)
    assert tax_ratio(init_integration) == pytest.approx(TAX_RATIO, abs=RATIO_PRECISION)
    value, attributes = shown_cost(hass)
    assert value == round(first["total_cost"] * TAX_RATIO, 2)
    assert attributes["estimated"] is False
    assert "tax_ratio" not in attributes

    await start_charging(hass, freezer, simulator)
    session = init_integration.runtime_data.coordinator.session
    assert session.total_cost > 0
    ratio = tax_ratio(init_integration)
    value, attributes = shown_cost(hass)
    assert value == round(session.total_cost * ratio, 2)
    assert attributes["estimated"] is True
    assert attributes["tax_ratio"] == round(ratio, 4)
    assert attributes["unit_of_measurement"] == "INR"

    ended = await finish_session(hass, freezer, init_integration, simulator)
    value, attributes = shown_cost(hass)
    assert attributes["estimated"] is True  # ended, not billed yet
    assert value == pytest.approx(ended["total_cost"] * TAX_RATIO, abs=0.02)
    await advance(hass, freezer, BILL_ATTEMPTS_AT[0])
    value, attributes = shown_cost(hass)
    assert value == round(ended["total_cost"] * TAX_RATIO, 2)
    assert attributes["estimated"] is False


async def test_a_restart_keeps_the_ratio(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
) -> None:
    """The ratio comes from the bill the book keeps: after a restart it estimates at once."""
    await bill_the_session(hass, freezer, init_integration, simulator)
    learned = tax_ratio(init_integration)
    assert learned == pytest.approx(TAX_RATIO, abs=RATIO_PRECISION)

    await reload(hass, init_integration)
    await start_charging(hass, freezer, simulator)

    assert tax_ratio(init_integration) == learned
    value, attributes = shown_cost(hass)
    assert attributes["estimated"] is True
    assert attributes["tax_ratio"] == round(learned, 4)
    assert value == round(init_integration.runtime_data.coordinator.session.total_cost * learned, 2)


@pytest.mark.parametrize("simulator_settings", [DIALECT_2_2_1])
async def test_the_sessions_own_figure_with_tax(
    hass: HomeAssistant, simulator: Simulator, init_integration: MockConfigEntry
) -> None:
    """A 2.2.1 session says its cost with tax (its Price's incl_vat): that is the figure."""
    with_tax = truth(simulator)["total_cost"]["incl_vat"]
    value, attributes = shown_cost(hass)
    assert value == pytest.approx(with_tax, abs=1e-9)
    assert attributes["estimated"] is False
    assert init_integration.runtime_data.data.book.last_bill is None
    assert tax_ratio(init_integration) == pytest.approx(TAX_RATIO)


def final_cost_with_tax(entry: MockConfigEntry, final: dict[str, Any]) -> float:
    """What the stopped session cost with tax, as the ratio counts it."""
    ratio = tax_ratio(entry)
    assert ratio is not None
    return float(final["total_cost"]) * ratio


def cost_bound(settings: SimulatorSettings, ratio: float) -> float:
    """The energy limit's precision, in money with tax, and a cent of rounding."""
    return overshoot_bound(settings) * TARIFF * ratio + 0.01


async def run_to_the_one_stop(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, simulator: Simulator
) -> dict[str, Any]:
    """Charge until the session has completed, stopped by one STOP; the session as it ended."""
    final = await run_until_completed(hass, freezer, simulator)
    assert len(stop_requests(simulator)) == 1
    return final


def assert_within_the_limits_precision(
    over: float, settings: SimulatorSettings, ratio: float
) -> None:
    """`over`, what the cost (counted with `ratio`) ended above the limit, is within the energy
    limit's precision, in money counted with `ratio`."""
    assert -SHORT_BY_ROUNDING * TARIFF * ratio <= over <= cost_bound(settings, ratio)


async def test_the_cost_limit_with_tax_stops_at_the_cost_with_tax(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    simulator_settings: SimulatorSettings,
    with_tax: MockConfigEntry,
) -> None:
    """With a ratio from the first bill, the next session stops once, when its cost with tax
    reaches the limit; the planned stop says the limit counts with tax."""
    await charge_after_a_bill(hass, freezer, with_tax, simulator)
    cost_now, _ = shown_cost(hass)
    limit = limit_above(cost_now, TAX_RATIO)
    await set_limit(hass, COST_LIMIT, limit)
    planned = hass.states.get(PLANNED_STOP).attributes
    assert planned["limit"] == "cost"
    assert planned["tax_included"] is True

    final = await run_to_the_one_stop(hass, freezer, simulator)

    over = final_cost_with_tax(with_tax, final) - limit
    assert_within_the_limits_precision(over, simulator_settings, TAX_RATIO)


async def test_without_a_bill_the_cost_limit_counts_before_tax(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    simulator_settings: SimulatorSettings,
    with_tax: MockConfigEntry,
) -> None:
    """No bill yet, no ratio: the option counts before tax (today's figure), and says so."""
    assert shown_cost(hass)[0] == STATE_UNKNOWN
    limit = limit_above(float(truth(simulator)["total_cost"]))
    await set_limit(hass, COST_LIMIT, limit)
    planned = hass.states.get(PLANNED_STOP).attributes
    assert planned["limit"] == "cost"
    assert planned["tax_included"] is False

    final = await run_to_the_one_stop(hass, freezer, simulator)

    over = float(final["total_cost"]) - limit
    assert_within_the_limits_precision(over, simulator_settings, 1.0)


async def test_the_option_off_counts_before_tax_whatever_is_known(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    simulator_settings: SimulatorSettings,
    init_integration: MockConfigEntry,
) -> None:
    """Off (the default), a ratio known changes nothing: the limit is the cost before tax."""
    await charge_after_a_bill(hass, freezer, init_integration, simulator)
    limit = limit_above(float(truth(simulator)["total_cost"]))
    await set_limit(hass, COST_LIMIT, limit)
    assert hass.states.get(PLANNED_STOP).attributes["tax_included"] is False

    final = await run_to_the_one_stop(hass, freezer, simulator)

    over = float(final["total_cost"]) - limit
    assert_within_the_limits_precision(over, simulator_settings, 1.0)


@pytest.mark.parametrize("simulator_settings", [DIALECT_2_2_1])
async def test_a_2_2_1_session_counts_its_own_tax_before_any_bill(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    simulator_settings: SimulatorSettings,
    with_tax: MockConfigEntry,
) -> None:
    """The session's own cost with tax is what the limit counts, no bill needed."""
    limit = limit_above(truth(simulator)["total_cost"]["incl_vat"], TAX_RATIO)
    await set_limit(hass, COST_LIMIT, limit)
    assert hass.states.get(PLANNED_STOP).attributes["tax_included"] is True

    final = await run_to_the_one_stop(hass, freezer, simulator)

    over = float(final["total_cost"]["incl_vat"]) - limit
    assert_within_the_limits_precision(over, simulator_settings, TAX_RATIO)


# --- The completion event and its Activity entry ----------------------------------------------


async def stop_at_the_cost_limit(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, simulator: Simulator, limit: float
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Set the Cost limit and charge until it has stopped the session, once.

    The session as it ended, and the data of its completion event.
    """
    completed = async_capture_events(hass, EVENT_SESSION_COMPLETED)
    await set_limit(hass, COST_LIMIT, limit)
    final = await run_to_the_one_stop(hass, freezer, simulator)
    [event] = completed
    assert event.data["stopped_by"] == "cost"
    assert event.data["cost_limit"] == limit
    return final, dict(event.data)


def in_rupees(amount: float) -> str:
    """An amount as the English Activity shows it."""
    return f"{amount:.2f} INR"


async def test_the_completion_gives_the_cost_with_tax_beside_the_limit_with_tax(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    with_tax: MockConfigEntry,
) -> None:
    """The limit counted with tax: the event gives the cost with tax Session cost with tax
    shows at that moment, and says the limit was with tax; so does the Activity."""
    await charge_after_a_bill(hass, freezer, with_tax, simulator)
    cost_now, _ = shown_cost(hass)
    limit = limit_above(cost_now, TAX_RATIO)

    final, data = await stop_at_the_cost_limit(hass, freezer, simulator, limit)

    shown, attributes = shown_cost(hass)
    assert attributes["estimated"] is True  # ended, not billed yet
    ratio = tax_ratio(with_tax)
    assert ratio is not None
    assert data["cost_with_tax"] == shown == round(float(final["total_cost"]) * ratio, 2)
    assert data["cost"] == final["total_cost"]  # still the cost before tax
    assert data["cost_limit_with_tax"] is True
    assert completed_message(english(), data) == (
        f"stopped charging after {english().kwh(final['kwh'])} kWh "
        f"({in_rupees(shown)} with tax), stopped at the {in_rupees(limit)} cost limit with tax"
    )


async def test_without_a_ratio_the_completion_counts_before_tax(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    with_tax: MockConfigEntry,
) -> None:
    """The option on, no bill yet: the limit counted before tax, and the completion says so:
    no cost with tax known, no `cost_limit_with_tax`, the cost before tax beside the limit."""
    limit = limit_above(float(truth(simulator)["total_cost"]))

    final, data = await stop_at_the_cost_limit(hass, freezer, simulator, limit)

    assert data["cost_with_tax"] is None
    assert shown_cost(hass)[0] == STATE_UNKNOWN
    assert "cost_limit_with_tax" not in data
    assert completed_message(english(), data) == (
        f"stopped charging after {english().kwh(final['kwh'])} kWh "
        f"({in_rupees(final['total_cost'])}), stopped at the {in_rupees(limit)} cost limit"
    )


async def test_the_option_off_the_completion_counts_before_tax(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    init_integration: MockConfigEntry,
) -> None:
    """Off, with a ratio known: the event still gives the cost with tax (as the sensor shows
    it), but the limit counted before tax, and the Activity shows the cost it counted."""
    await charge_after_a_bill(hass, freezer, init_integration, simulator)
    limit = limit_above(float(truth(simulator)["total_cost"]))

    final, data = await stop_at_the_cost_limit(hass, freezer, simulator, limit)

    shown, _ = shown_cost(hass)
    assert data["cost_with_tax"] == shown
    assert shown == pytest.approx(final["total_cost"] * TAX_RATIO, abs=0.02)
    assert "cost_limit_with_tax" not in data
    assert completed_message(english(), data) == (
        f"stopped charging after {english().kwh(final['kwh'])} kWh "
        f"({in_rupees(final['total_cost'])}), stopped at the {in_rupees(limit)} cost limit"
    )


@pytest.mark.parametrize("simulator_settings", [DIALECT_2_2_1])
async def test_a_2_2_1_completion_gives_the_sessions_own_cost_with_tax(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    with_tax: MockConfigEntry,
) -> None:
    """No bill needed: the session's own figure with tax is the event's, beside the limit."""
    limit = limit_above(truth(simulator)["total_cost"]["incl_vat"], TAX_RATIO)

    final, data = await stop_at_the_cost_limit(hass, freezer, simulator, limit)

    assert data["cost_with_tax"] == pytest.approx(final["total_cost"]["incl_vat"], abs=1e-9)
    assert data["cost_with_tax"] == shown_cost(hass)[0]
    assert data["cost_limit_with_tax"] is True
    assert completed_message(english(), data).endswith(
        f" kWh ({in_rupees(data['cost_with_tax'])} with tax), "
        f"stopped at the {in_rupees(limit)} cost limit with tax"
    )


# --- The ratio, from the book alone ---------------------------------------------------------


def session(**fields: Any) -> Any:
    """A charging session of the demo shape, with `fields` changed."""
    return parse_session(
        {"id": "s1", "status": "ACTIVE", "kwh": 2.0, "total_cost": 36.0, "currency": "INR"} | fields
    )


def bill(**fields: Any) -> Bill:
    """A billed session's bill: 36 before tax, 42.48 with 18 %."""
    return Bill(
        **{
            "session_id": "s0",
            "cost": 42.48,
            "cost_before_tax": 36.0,
            "tax": 6.48,
            "currency": "INR",
            "energy": 2.0,
            "duration": 20.0,
        }
        | fields
    )


def book_with(last_bill: Bill | None) -> SessionBook:
    book = SessionBook()
    book.last_bill = last_bill
    return book


@pytest.mark.parametrize(
    ("last_bill", "expected"),
    [
        pytest.param(None, None, id="no-bill"),
        pytest.param(bill(), TAX_RATIO, id="bill-with-tax"),
        pytest.param(bill(cost=36.0, tax=0.0), 1.0, id="no-tax-to-pay"),
        pytest.param(bill(cost=36.0, tax=None), None, id="bill-without-tax-part"),
        pytest.param(bill(currency="EUR"), None, id="bill-in-another-currency"),
        pytest.param(bill(cost=0.0, cost_before_tax=0.0, tax=0.0), None, id="free-session"),
        pytest.param(bill(cost=30.0, tax=-6.0), None, id="less-than-before-tax"),
    ],
)
def test_the_ratio_of_the_latest_bill(last_bill: Bill | None, expected: float | None) -> None:
    ratio = book_with(last_bill).tax_ratio(session())
    assert ratio == (None if expected is None else pytest.approx(expected))


def test_the_sessions_own_ratio_comes_first() -> None:
    """A session that says its cost with tax is its own ratio, whatever the last bill said."""
    own = session(total_cost={"excl_vat": 36.0, "incl_vat": 43.2})
    assert book_with(bill()).tax_ratio(own) == pytest.approx(1.2)
    # Nothing charged yet: the Price says nothing of the tax, the bill's ratio stands.
    starting = session(total_cost={"excl_vat": 0.0, "incl_vat": 0.0})
    assert book_with(bill()).tax_ratio(starting) == pytest.approx(TAX_RATIO)
    assert book_with(None).tax_ratio(starting) is None
