"""Sessions over time, as the client sees the simulator on a manual clock."""

from datetime import timedelta

import pytest

from custom_components.evnnovator.api import (
    EvnnovatorClient,
    EvnnovatorCommandRejectedError,
    Session,
)
from evnnovator_simulator import (
    DEMO_AUTH_ID,
    DEMO_EVSE_UID,
    DEMO_LOCATION_ID,
    DEMO_TOKEN_UID,
    ManualClock,
    Simulator,
)

from .helpers import raises_exactly

DRIVER = "tester"
DRIVER_TOKEN_UID = "tester-token-uid"
POWER_KW = 7.4  # the simulator's default
PENDING_DELAY = 5.0  # seconds, the simulator's default
STOP_DELAY = 5.0  # seconds, the simulator's default


@pytest.fixture
def driver(sim: Simulator) -> str:
    """A whitelisted driver without any session."""
    sim.add_driver(DRIVER, token_uid=DRIVER_TOKEN_UID)
    return DRIVER


async def latest(client: EvnnovatorClient, auth_id: str) -> Session:
    """The driver's latest session, which must exist."""
    session = await client.get_latest_session(auth_id)
    assert session is not None
    return session


async def start(client: EvnnovatorClient, autostop_kwh: float | None = None) -> None:
    """Start a session for the test driver at the demo EVSE."""
    await client.start_session(
        location_id=DEMO_LOCATION_ID,
        evse_uid=DEMO_EVSE_UID,
        token_uid=DRIVER_TOKEN_UID,
        autostop_kwh=autostop_kwh,
    )


@pytest.mark.usefixtures("driver")
async def test_pending_then_active_then_energy_grows(
    clock: ManualClock, client: EvnnovatorClient
) -> None:
    """A started session is PENDING, turns ACTIVE after the pending delay, then gains energy."""
    started = clock()
    await start(client)
    session = await latest(client, DRIVER)
    assert (session.status, session.kwh, session.is_running, session.is_charging) == (
        "PENDING",
        0.0,
        True,
        False,
    )
    assert session.created == started
    assert session.charging_periods == ()

    clock.advance(PENDING_DELAY)
    session = await latest(client, DRIVER)
    assert (session.status, session.kwh, session.is_charging) == ("ACTIVE", 0.0, True)
    assert session.start == started + timedelta(seconds=PENDING_DELAY)
    assert session.charging_periods[0].start == session.start

    readings = []
    for _ in range(3):
        clock.advance(600)
        session = await latest(client, DRIVER)
        readings.append(session.kwh)
    assert readings == [
        pytest.approx(POWER_KW * minutes / 60, abs=1e-3) for minutes in (10, 20, 30)
    ]
    assert session.ended is None
    assert session.end == clock()


@pytest.mark.usefixtures("driver")
async def test_autostop_stops_exactly_at_the_energy(
    clock: ManualClock, client: EvnnovatorClient
) -> None:
    """With autostop_kwh the session completes by itself with exactly that energy."""
    await start(client, autostop_kwh=1)
    charging_since = clock() + timedelta(seconds=PENDING_DELAY)
    full_at = charging_since + timedelta(hours=1 / POWER_KW)

    clock.set(full_at - timedelta(seconds=1))
    session = await latest(client, DRIVER)
    assert session.status == "ACTIVE"
    assert session.kwh is not None
    assert 0.99 < session.kwh < 1

    clock.set(full_at + timedelta(minutes=10))
    session = await latest(client, DRIVER)
    assert (session.status, session.kwh, session.is_running) == ("COMPLETED", 1.0, False)
    assert session.ended is not None
    assert abs(session.ended - full_at) < timedelta(milliseconds=1)


async def test_stop_completes_after_the_stop_delay(
    clock: ManualClock, client: EvnnovatorClient
) -> None:
    """STOP is ACCEPTED at once, the session stays ACTIVE, then is COMPLETED after stop_delay."""
    session = await latest(client, DEMO_AUTH_ID)
    assert session.status == "ACTIVE"
    stopped_at = clock()
    await client.stop_session(session.id)
    assert (await latest(client, DEMO_AUTH_ID)).status == "ACTIVE"

    clock.advance(STOP_DELAY - 0.5)
    assert (await latest(client, DEMO_AUTH_ID)).status == "ACTIVE"

    clock.advance(0.5)
    done = await latest(client, DEMO_AUTH_ID)
    assert (done.id, done.status, done.is_running) == (session.id, "COMPLETED", False)
    assert done.ended == stopped_at + timedelta(seconds=STOP_DELAY)

    clock.advance(3600)
    later = await latest(client, DEMO_AUTH_ID)
    assert (later.status, later.kwh, later.ended) == ("COMPLETED", done.kwh, done.ended)


async def test_stop_of_a_finished_session_is_rejected(
    clock: ManualClock, client: EvnnovatorClient
) -> None:
    """A second STOP after the session completed is REJECTED."""
    session = await latest(client, DEMO_AUTH_ID)
    await client.stop_session(session.id)
    clock.advance(STOP_DELAY)
    await raises_exactly(EvnnovatorCommandRejectedError, client.stop_session(session.id))


async def test_repeated_stop_while_stopping_is_accepted(
    clock: ManualClock, client: EvnnovatorClient
) -> None:
    """A STOP repeated before the first took effect is ACCEPTED and does not postpone it."""
    session = await latest(client, DEMO_AUTH_ID)
    stopped_at = clock()
    await client.stop_session(session.id)
    clock.advance(2)
    await client.stop_session(session.id)
    clock.advance(STOP_DELAY - 2)
    assert (await latest(client, DEMO_AUTH_ID)).ended == stopped_at + timedelta(seconds=STOP_DELAY)


@pytest.mark.parametrize(
    "session_id",
    ["0123456789abcdef0123456789abcdef", "20796751", ""],
    ids=["hex", "numeric", "empty"],
)
async def test_stop_of_an_unknown_session_is_rejected(
    sim: Simulator, client: EvnnovatorClient, session_id: str
) -> None:
    """STOP of a session the operator does not know (even the numeric session_id) is REJECTED."""
    err = await raises_exactly(EvnnovatorCommandRejectedError, client.stop_session(session_id))
    assert err.command == "STOP_SESSION"
    assert [request.status for request in sim.requests] == [200]


@pytest.mark.usefixtures("driver")
@pytest.mark.parametrize(
    ("location_id", "evse_uid", "token_uid"),
    [
        pytest.param(
            "D5F5E912-CD27-49D5-8586-FB93CA65A134",
            DEMO_EVSE_UID,
            DRIVER_TOKEN_UID,
            id="location-uuid",
        ),
        pytest.param(
            DEMO_LOCATION_ID, "3d2542dc29da4512d061391db6a18377", DRIVER_TOKEN_UID, id="evse-hex-id"
        ),
        pytest.param(DEMO_LOCATION_ID, DEMO_EVSE_UID, "no-such-token", id="unknown-token-uid"),
        pytest.param(DEMO_LOCATION_ID, DEMO_EVSE_UID, DEMO_TOKEN_UID, id="driver-already-charging"),
    ],
)
async def test_start_with_wrong_ids_is_rejected(
    sim: Simulator, client: EvnnovatorClient, location_id: str, evse_uid: str, token_uid: str
) -> None:
    """START naming the wrong location, EVSE or token, or for a busy driver, is REJECTED."""
    err = await raises_exactly(
        EvnnovatorCommandRejectedError,
        client.start_session(location_id=location_id, evse_uid=evse_uid, token_uid=token_uid),
    )
    assert err.command == "START_SESSION"
    assert sim.latest_session(DRIVER) is None


async def test_start_for_a_blocked_driver_is_rejected(
    sim: Simulator, client: EvnnovatorClient
) -> None:
    """START with the token of a driver that is not whitelisted is REJECTED."""
    sim.add_driver("blocked-tester", token_uid="blocked-token-uid", whitelisted=False)
    await raises_exactly(
        EvnnovatorCommandRejectedError,
        client.start_session(
            location_id=DEMO_LOCATION_ID, evse_uid=DEMO_EVSE_UID, token_uid="blocked-token-uid"
        ),
    )


@pytest.mark.usefixtures("driver")
async def test_start_again_after_completion(clock: ManualClock, client: EvnnovatorClient) -> None:
    """Once a session completed, START is accepted again and makes a new latest session."""
    await start(client, autostop_kwh=0.1)
    first = await latest(client, DRIVER)
    clock.advance(3600)
    assert (await latest(client, DRIVER)).status == "COMPLETED"
    await start(client, autostop_kwh=0.1)
    second = await latest(client, DRIVER)
    assert (second.status, second.kwh) == ("PENDING", 0.0)
    assert second.id != first.id
    assert second.session_id == str(int(first.session_id or 0) + 1)
