"""Home Assistant's own battery and power triggers and conditions, fired by our entities.

Automations made of `battery.started_charging`, `battery.stopped_charging`, `power.changed`,
`power.crossed_threshold` and the condition `battery.is_charging` (none of our device triggers),
saved as the automation editor saves them. A session started and stopped in the simulator, as the
driver's other app would; each automation's action writes an Activity entry, read back here.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import homeassistant
import pytest
import yaml

from evnnovator_simulator import DEMO_AUTH_ID_NEW

from .conftest import ProcessGuard, new_driver_account, running_simulator
from .home_assistant import HomeAssistantApi
from .processes import wait_until
from .simulator_api import SimulatorApi

USED = {
    ("battery", "triggers"): {"started_charging", "stopped_charging"},
    ("battery", "conditions"): {"is_charging"},
    ("power", "triggers"): {"changed", "crossed_threshold"},
}
"""The triggers and conditions used here, by integration and kind."""


def home_assistant_has_them() -> bool:
    """Whether the Home Assistant these tests start (the one installed here) has USED.

    Read from the descriptions each integration ships (triggers.yaml, conditions.yaml): no
    more of Home Assistant imported than its package, to find them.
    """
    components = Path(homeassistant.__file__).parent / "components"
    for (domain, kind), names in USED.items():
        described = components / domain / f"{kind}.yaml"
        if not described.is_file():
            return False
        if not names <= set(yaml.safe_load(described.read_text(encoding="utf-8")) or {}):
            return False
    return True


pytestmark = [
    pytest.mark.e2e,
    pytest.mark.timeout(300),
    pytest.mark.skipif(
        not home_assistant_has_them(),
        reason="this Home Assistant lacks battery or power triggers or conditions used here",
    ),
]

# A driver with no session yet: the whole session happens here, on a device of its own.
ENTITY_PREFIX = "evnnovator_demo_driver_new_"
CHARGING = f"binary_sensor.{ENTITY_PREFIX}charging"
CHARGING_POWER = f"sensor.{ENTITY_PREFIX}charging_power"
THRESHOLD_W = 1000
"""In watts, where the sensor shows kilowatts: the power triggers convert."""
RECORDED_AS = "Home Assistant's triggers"
"""The name of the Activity entries the automations write."""


def power_crossed(direction: str) -> dict[str, Any]:
    """A trigger on Charging power crossing THRESHOLD_W in `direction` (above, below)."""
    return {
        "trigger": "power.crossed_threshold",
        "target": {"entity_id": CHARGING_POWER},
        "options": {
            "threshold": {
                "type": direction,
                "value": {"number": THRESHOLD_W, "unit_of_measurement": "W"},
            }
        },
    }


def automations(charging_device: str) -> dict[str, dict[str, Any]]:
    """The automations by name: their triggers and conditions, without actions."""
    return {
        # A device target: the one binary sensor of the device that charges a battery.
        "started_charging": {
            "triggers": [
                {"trigger": "battery.started_charging", "target": {"device_id": charging_device}}
            ]
        },
        "stopped_charging": {
            "triggers": [{"trigger": "battery.stopped_charging", "target": {"entity_id": CHARGING}}]
        },
        "power_while_charging": {
            "triggers": [
                {
                    "trigger": "power.changed",
                    "target": {"entity_id": CHARGING_POWER},
                    "options": {"threshold": {"type": "any"}},
                }
            ],
            "conditions": [{"condition": "battery.is_charging", "target": {"entity_id": CHARGING}}],
        },
        "power_rose": {"triggers": [power_crossed("above")]},
        "power_fell": {"triggers": [power_crossed("below")]},
    }


def record(name: str) -> dict[str, Any]:
    """The action of automation `name`: an Activity entry of what fired it, read by `Fired`."""
    return {
        "action": "logbook.log",
        "data": {
            "name": RECORDED_AS,
            "message": "|".join(
                (
                    name,
                    "{{ trigger.platform }}",
                    "{{ trigger.entity_id }}",
                    "{{ trigger.from_state.state }}",
                    "{{ trigger.to_state.state }}",
                )
            ),
        },
    }


@dataclass(frozen=True)
class Fired:
    """One run of an automation, as its Activity entry tells it."""

    automation: str
    trigger: str
    entity_id: str
    from_state: str
    to_state: str
    when: datetime

    @classmethod
    def all_in(cls, entries: list[dict[str, Any]]) -> list[Fired]:
        """The runs recorded in the Activity `entries`, oldest first."""
        return [cls.of(entry) for entry in entries if entry.get("name") == RECORDED_AS]

    @classmethod
    def of(cls, entry: dict[str, Any]) -> Fired:
        """The run an Activity entry written by `record` tells."""
        automation, trigger, entity_id, from_state, to_state = entry["message"].split("|")
        when = datetime.fromisoformat(entry["when"])
        return cls(automation, trigger, entity_id, from_state, to_state, when)


@pytest.fixture(scope="module")
def quick_simulator(workdir: Path, process_guard: ProcessGuard) -> Iterator[SimulatorApi]:
    """A simulator of its own, whose sessions start, meter and stop within seconds.

    Its own, so that the session here leaves the other tests' simulator (its requests, its
    demo driver's session) as they expect it.
    """
    operator = ["--pending-delay", "1", "--meter-interval", "5", "--kwh-decimals", "3"]
    operator += ["--stop-delay", "1", "--stop-jitter", "0"]
    with running_simulator(workdir / "quick-simulator.log", process_guard, operator) as api:
        yield api


@pytest.fixture
def account(home_assistant: HomeAssistantApi, quick_simulator: SimulatorApi) -> Iterator[str]:
    """The driver without a session, added through the config flow; its device's id."""
    with new_driver_account(
        home_assistant, quick_simulator, lambda: home_assistant.states().get(CHARGING) == "off"
    ):
        yield home_assistant.render_template(f"{{{{ device_id('{CHARGING}') }}}}")


@pytest.fixture
def saved_automations(home_assistant: HomeAssistantApi, account: str) -> Iterator[None]:
    """The automations, saved as the automation editor saves them; deleted again afterwards.

    Deleted before the account goes: the other tests expect their own automation alone.
    """
    configs = automations(account)
    entity_ids = {f"automation.{name}" for name in configs}
    try:
        for name, config in configs.items():
            home_assistant.save_automation(
                name, {"alias": name, **config, "actions": [record(name)]}
            )
        # On: Home Assistant took their configuration (an invalid one shows unavailable).
        wait_until(
            "the automations to be on",
            lambda: all(home_assistant.states().get(e) == "on" for e in entity_ids) or None,
            timeout=30,
        )
        yield
    finally:
        for name in configs:
            home_assistant.delete_automation(name)
        wait_until(
            "the automations to be gone",
            lambda: not entity_ids & home_assistant.entity_ids() or None,
            timeout=30,
        )


def test_home_assistant_s_own_triggers_follow_a_session(
    home_assistant: HomeAssistantApi, quick_simulator: SimulatorApi, saved_automations: None
) -> None:
    """Started; the power changing while charging; the power falling and stopped at its end.

    The power crossing above the threshold does not fire at the start: the sensor goes from 0
    to unknown (no rate between two meter values yet) to the power, and Home Assistant's
    triggers take no change from unknown for a crossing.
    """
    since = datetime.now(UTC)

    def fired(*names: str) -> list[Fired] | None:
        runs = Fired.all_in(home_assistant.logbook(since))
        return runs if {run.automation for run in runs} >= set(names) else None

    session_id = quick_simulator.start_session(DEMO_AUTH_ID_NEW)
    wait_until(
        "the session to charge",
        lambda: quick_simulator.latest(DEMO_AUTH_ID_NEW)["status"] == "ACTIVE" or None,
        timeout=15,
    )
    # An idle account is polled every minute: look now, as the user's refresh would.
    home_assistant.call_service("homeassistant", "update_entity", {"entity_id": CHARGING})
    # The power shows from the second meter value, and changes at each poll after that.
    wait_until(
        "the power to change", lambda: fired("started_charging", "power_while_charging"), timeout=60
    )

    assert quick_simulator.stop_session(session_id) == "ACCEPTED"
    runs = wait_until(
        "the session to end",
        lambda: fired("stopped_charging", "power_fell"),
        timeout=60,
        interval=1,
    )
    history = home_assistant.history(CHARGING_POWER, since)

    by_automation: dict[str, list[Fired]] = {}
    for run in runs:
        by_automation.setdefault(run.automation, []).append(run)
    started, stopped, power_fell = (
        by_automation.pop(name) for name in ("started_charging", "stopped_charging", "power_fell")
    )
    assert [(run.trigger, run.entity_id, run.from_state, run.to_state) for run in started] == [
        ("battery.started_charging", CHARGING, "off", "on")
    ]
    assert [(run.trigger, run.entity_id, run.from_state, run.to_state) for run in stopped] == [
        ("battery.stopped_charging", CHARGING, "on", "off")
    ]
    (fell,) = power_fell
    assert (fell.trigger, fell.entity_id, fell.to_state) == (
        "power.crossed_threshold",
        CHARGING_POWER,
        "0.0",
    )
    assert float(fell.from_state) * 1000 > THRESHOLD_W
    # Each change while charging, and only those: not the fall to 0 when charging had stopped,
    # which the trigger saw too (power_fell).
    while_charging = by_automation.pop("power_while_charging")
    assert {(run.trigger, run.entity_id) for run in while_charging} == {
        ("power.changed", CHARGING_POWER)
    }
    assert all(float(run.to_state) > 0 for run in while_charging), while_charging
    assert all(started[0].when < run.when < stopped[0].when for run in while_charging)
    # Not fired at all: see the docstring; the history shows why.
    assert by_automation == {}, by_automation
    assert history[:2] == ["0.0", "unknown"], history
    assert history[-1] == "0.0"
