"""Fixtures of the end-to-end tests: real processes on loopback ports, and Chromium.

Run apart from the other tests, without the pytest-homeassistant-custom-component plugin (whose
fixtures block sockets and patch Home Assistant for in-process tests) and without tests/conftest.py:
`scripts/e2e`. Every process started here runs in its own process group, which is stopped whole when
the tests end, however they end (failure, Ctrl-C, SIGTERM); the last check fails if any is left.
"""

from collections.abc import Callable, Generator, Iterator, Sequence
import contextlib
import json
import os
from pathlib import Path
import signal
import subprocess
import sys
from typing import Any

from playwright.sync_api import (
    Browser,
    BrowserContext,
    Error as PlaywrightError,
    Page,
    expect,
    sync_playwright,
)
import pytest

from evnnovator_simulator import DEMO_AUTH_ID_NEW, DEMO_TOKEN

from .home_assistant import HomeAssistantApi
from .processes import ProcessGroup, descendants, free_port, still_running, wait_until
from .simulator_api import SimulatorApi

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
# As root (no sandbox), without a GPU, and with no outside network: without the last four, Chromium
# keeps trying to reach Google's services and has its connections refused many at a time.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 800}
START_TIMEOUT = 120  # seconds for Home Assistant or the simulator to answer
UI_TIMEOUT = 30_000  # milliseconds for a page element or a Playwright expectation

_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item,
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keep each phase's report on the test, so that fixtures can tell whether it failed."""
    report: pytest.TestReport = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


class ProcessGuard:
    """Remembers every process the tests start, to check at the end that none is left."""

    def __init__(self) -> None:
        """Remember nothing yet."""
        self.seen: dict[int, str] = {}

    def remember(self) -> None:
        """Remember the descendants of this process that run now."""
        self.seen |= descendants()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the tests that drive the browser last.

    Once the browser is up, Playwright's sync API keeps an event loop running in this thread,
    where the tests that run Home Assistant in-process (pytest-asyncio) cannot start theirs.
    """
    items.sort(key=lambda item: "browser" in getattr(item, "fixturenames", ()))


@pytest.fixture(scope="session", autouse=True)
def process_guard() -> Iterator[ProcessGuard]:
    """Turn SIGTERM into a KeyboardInterrupt, so that teardown runs; then check for leftovers."""
    previous = signal.signal(signal.SIGTERM, signal.default_int_handler)
    guard = ProcessGuard()
    try:
        yield guard
    finally:
        signal.signal(signal.SIGTERM, previous)
    guard.remember()  # what is still here now too
    try:
        wait_until(
            "the tests' processes to end", lambda: not still_running(guard.seen) or None, timeout=15
        )
    except TimeoutError:
        pytest.fail(f"processes left behind: {still_running(guard.seen)}")


@pytest.fixture(scope="session")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh folder for Home Assistant's configuration and the logs."""
    return tmp_path_factory.mktemp("e2e")


@contextlib.contextmanager
def _running(
    name: str,
    command: Sequence[str | Path],
    log: Path,
    is_up: Callable[[], bool | None],
    guard: ProcessGuard,
) -> Iterator[None]:
    """Run `command` in its own process group until the block ends; enter once `is_up`."""
    group = ProcessGroup(name, command, log=log, cwd=REPO)
    guard.remember()

    def up() -> bool | None:
        group.check_running()
        return is_up()

    try:
        wait_until(f"{name} to answer (log: {log})", up, timeout=START_TIMEOUT)
        yield
    finally:
        group.stop()


@pytest.fixture(scope="session")
def screenshots(workdir: Path) -> Path:
    """Where the screenshots go: docs/ for the docs, unless scripts/e2e keeps docs/ as it is."""
    return workdir if os.environ.get("E2E_KEEP_DOCS") else REPO / "docs"


@contextlib.contextmanager
def running_simulator(
    log: Path, guard: ProcessGuard, operator: Sequence[str]
) -> Iterator[SimulatorApi]:
    """A simulator as its own process, on a free loopback port, with the `operator` flags."""
    port = free_port()
    api = SimulatorApi(f"http://127.0.0.1:{port}")
    command = [
        sys.executable,
        "-m",
        "evnnovator_simulator",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        *operator,
    ]
    with _running("the simulator", command, log, api.is_up, guard):
        yield api


@contextlib.contextmanager
def new_driver_account(
    home_assistant: HomeAssistantApi, simulator: SimulatorApi, ready: Callable[[], bool]
) -> Iterator[dict[str, Any]]:
    """The demo driver without a session, added through the config flow at `simulator`.

    Polled every 10 s while charging (a STOP shows within seconds) and every minute idle;
    yielded once `ready()` says its entities are back from the options' reload. Removed again
    afterwards: the other tests expect their own account alone.
    """
    entry = home_assistant.add_config_entry(
        "evnnovator",
        {
            "auth_id": DEMO_AUTH_ID_NEW,
            "token": DEMO_TOKEN,
            "advanced": {"base_url": simulator.base_url, "auth_scheme": "bearer"},
        },
        {},  # it has no session yet: add it anyway
    )
    try:
        home_assistant.set_options(
            entry["entry_id"], {"charging_interval": 10, "idle_interval": 60}
        )
        wait_until("the account's entities", lambda: ready() or None, timeout=30)
        yield entry
    finally:
        home_assistant.remove_config_entry(entry["entry_id"])


@pytest.fixture(scope="session")
def simulator(workdir: Path, process_guard: ProcessGuard) -> Iterator[SimulatorApi]:
    """The simulator as its own process, on a free loopback port."""
    # A realistic operator (meter values, rounding, a jittered stop), quick enough that a STOP
    # shows as completed within the test's wait; its charger reports the battery, as
    # scripts/develop's does.
    operator = [
        "--meter-interval",
        "10",
        "--stop-jitter",
        "5",
        "--battery-kwh",
        "60",
        "--reports-soc",
    ]
    with running_simulator(workdir / "simulator.log", process_guard, operator) as api:
        yield api


@pytest.fixture(scope="session")
def home_assistant(workdir: Path, process_guard: ProcessGuard) -> Iterator[HomeAssistantApi]:
    """A real Home Assistant on a free loopback port, with a fresh configuration, onboarded."""
    port = free_port()
    config = workdir / "config"
    subprocess.run(  # noqa: S603  # our own script
        [REPO / "scripts" / "ha-config", config, str(port)],
        check=True,
        timeout=600,
        env=os.environ | {"HA_PYTHON": sys.executable},  # the Home Assistant these tests run on
    )
    api = HomeAssistantApi(f"http://127.0.0.1:{port}")
    # --skip-pip: scripts/ha-config installed what HA needs; it must not install more (the
    # integrations onboarding sets up, such as Google Translate, then fail to load: fine here).
    command: list[str | Path] = [Path(sys.executable).parent / "hass", "-c", config, "--skip-pip"]
    with _running("Home Assistant", command, workdir / "hass-output.log", api.is_up, process_guard):
        api.onboard()
        _remove_onboarding_entries(api)
        yield api


def _remove_onboarding_entries(api: HomeAssistantApi) -> None:
    """Remove the integrations that onboarding adds by itself, once it has added them."""
    seen: list[list[str]] = []

    def settled() -> list[str] | None:
        seen.append(sorted(entry["entry_id"] for entry in api.config_entries()))
        return seen[-1] if len(seen) > 2 and seen[-1] == seen[-2] == seen[-3] else None

    for entry_id in wait_until("onboarding's integrations", settled, timeout=15, interval=0.5):
        api.remove_config_entry(entry_id)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless Chromium from Debian's package, driven by Playwright."""
    if not CHROMIUM.exists():
        pytest.fail(f"the end-to-end tests need {CHROMIUM}: apt-get install chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            # After Ctrl-C, Playwright's driver may be gone already (it got the signal too).
            with contextlib.suppress(PlaywrightError):
                chromium.close()


@pytest.fixture
def page(
    request: pytest.FixtureRequest,
    browser: Browser,
    home_assistant: HomeAssistantApi,
    workdir: Path,
    process_guard: ProcessGuard,
) -> Iterator[Page]:
    """A browser tab logged in to Home Assistant as its owner."""
    context: BrowserContext = browser.new_context(
        viewport=VIEWPORT,  # type: ignore[arg-type]
        base_url=home_assistant.url,
    )
    context.set_default_timeout(UI_TIMEOUT)
    expect.set_options(timeout=UI_TIMEOUT)
    # What the login form would leave behind, written before the frontend's first script runs.
    tokens = json.dumps(home_assistant.frontend_tokens())
    context.add_init_script(
        f"if (!localStorage.getItem('hassTokens')) localStorage.setItem('hassTokens', {tokens});"
    )
    tab = context.new_page()
    try:
        yield tab
    finally:
        process_guard.remember()
        reports = request.node.stash.get(_REPORTS, {})
        with contextlib.suppress(PlaywrightError):
            if any(report.failed for report in reports.values()):
                tab.screenshot(path=workdir / "failure.png")
            context.close()
