"""The demo credentials print, the command line and `python -m evnnovator_simulator`."""

import asyncio
import io
import runpy
from typing import Any

import aiohttp
import pytest

from evnnovator_simulator import (
    DEMO_AUTH_ID,
    DEMO_AUTH_ID_BLOCKED,
    DEMO_AUTH_ID_NEW,
    DEMO_EVSE_UID,
    DEMO_LOCATION_ID,
    DEMO_TOKEN,
    DEMO_TOKEN_UID,
    OperatorProfile,
    SimulatorSettings,
    cli,
)
from evnnovator_simulator.credentials import demo_credentials, print_demo_credentials

BASE_URL = "http://127.0.0.1:8080/api/ocpi/api/v1"


def test_demo_credentials_list_everything_needed() -> None:
    text = demo_credentials(BASE_URL, SimulatorSettings())
    for value in (
        BASE_URL,
        DEMO_TOKEN,
        "Token",
        "Bearer",
        DEMO_AUTH_ID,
        DEMO_AUTH_ID_NEW,
        DEMO_AUTH_ID_BLOCKED,
        DEMO_TOKEN_UID,
        DEMO_LOCATION_ID,
        DEMO_EVSE_UID,
        "http://127.0.0.1:8080/_simulator",
        f"operator:     {SimulatorSettings().operator.summary()}",
    ):
        assert value in text
    assert text.endswith("\n")


def test_demo_credentials_without_demo_world() -> None:
    text = demo_credentials(BASE_URL, SimulatorSettings(demo_world=False, token="other"))
    assert DEMO_AUTH_ID not in text
    assert "other" in text


def test_print_demo_credentials(capsys: pytest.CaptureFixture[str]) -> None:
    stream = io.StringIO()
    print_demo_credentials(BASE_URL, SimulatorSettings(), stream)
    assert stream.getvalue() == demo_credentials(BASE_URL, SimulatorSettings())
    print_demo_credentials(BASE_URL, SimulatorSettings())
    assert capsys.readouterr().out == stream.getvalue()


def test_parse_args() -> None:
    args = cli.parse_args([])
    assert (args.host, args.port) == ("127.0.0.1", 8080)
    # The demo must look like a real operator.
    assert cli.settings_from_args(args) == SimulatorSettings.realistic()
    args = cli.parse_args(
        [
            "--host",
            "0.0.0.0",  # noqa: S104 (only parsed here)
            "--port",
            "9000",
            "--power-kw",
            "11",
            "--pending-delay",
            "1",
            "--stop-delay",
            "2.5",
            "--prefix",
            "/api/v1",
            "--token",
            "t",
            "--command-envelope",
            "--operator",
            "exact",
        ]
    )
    assert (args.host, args.port) == ("0.0.0.0", 9000)  # noqa: S104
    assert cli.settings_from_args(args) == SimulatorSettings(
        token="t",
        prefix="/api/v1",
        power_kw=11.0,
        pending_delay=1.0,
        stop_delay=2.5,
        command_envelope=True,
    )


async def test_serve_prints_then_serves_until_told(socket_enabled: None) -> None:
    stream = io.StringIO()
    until = asyncio.Event()
    task = asyncio.create_task(
        cli.serve(SimulatorSettings(), "127.0.0.1", 0, stream=stream, until=until)
    )
    while not stream.getvalue():  # noqa: ASYNC110 (the print is the only sign it is up)
        await asyncio.sleep(0.01)
    base_url = stream.getvalue().split("base URL:")[1].split()[0]
    async with (
        aiohttp.ClientSession() as http,
        http.get(
            f"{base_url}/sessions/{DEMO_AUTH_ID}/latest",
            headers={"Authorization": f"Token {DEMO_TOKEN}"},
        ) as resp,
    ):
        assert resp.status == 200
        # The real clock: the demo session has been running for about 20 minutes.
        assert (await resp.json())["data"]["status"] == "ACTIVE"
    until.set()
    await task


def test_main_runs_serve_and_treats_ctrl_c_as_normal(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[Any, ...]] = []

    async def fake_serve(settings: SimulatorSettings, host: str, port: int) -> None:
        calls.append((settings, host, port))
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "serve", fake_serve)
    assert cli.main(["--port", "0", "--stop-delay", "1"]) == 0
    assert calls == [(SimulatorSettings.realistic(stop_delay=1.0), "127.0.0.1", 0)]


def test_python_dash_m(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "main", lambda: 3)
    with pytest.raises(SystemExit) as exit_info:
        runpy.run_module("evnnovator_simulator", run_name="__main__")
    assert exit_info.value.code == 3


def test_operator_flags() -> None:
    args = cli.parse_args(
        [
            "--power-kw",
            "22",
            "--stop-delay",
            "3",
            "--stop-jitter",
            "10",
            "--seed",
            "7",
            "--meter-interval",
            "300",
            "--meter-phase",
            "20",
            "--kwh-decimals",
            "1",
            "--completion",
            "at_stop",
            "--autostop",
            "exact",
            "--taper-from-kwh",
            "40",
            "--taper-kwh",
            "15",
            "--car-full-kwh",
            "35",
            "--car-resumes-after",
            "900",
            "--battery-kwh",
            "60",
            "--battery-start-percent",
            "35",
            "--charging-efficiency",
            "0.85",
            "--reports-soc",
        ]
    )
    assert cli.settings_from_args(args).operator == OperatorProfile(
        power_kw=22.0,
        stop_delay=3.0,
        stop_jitter=10.0,
        seed=7,
        meter_interval=300.0,
        meter_phase=20.0,
        kwh_decimals=1,
        completion="at_stop",
        autostop="exact",
        taper_from_kwh=40.0,
        taper_kwh=15.0,
        car_full_kwh=35.0,
        car_resumes_after=900.0,
        battery_kwh=60.0,
        battery_start_percent=35.0,
        charging_efficiency=0.85,
        reports_soc=True,
    )


def test_meter_interval_zero_is_a_continuous_meter_on_the_realistic_preset() -> None:
    settings = cli.settings_from_args(cli.parse_args(["--meter-interval", "0"]))
    assert settings.operator == OperatorProfile.realistic(meter_interval=0.0)


def test_exact_operator_flag_is_the_library_default() -> None:
    settings = cli.settings_from_args(cli.parse_args(["--operator", "exact"]))
    assert settings == SimulatorSettings()


@pytest.mark.parametrize(
    "argv",
    [
        ["--meter-phase", "60"],
        ["--stop-jitter", "-1"],
        ["--taper-kwh", "0"],
        ["--charging-efficiency", "1.5"],
        ["--completion", "later"],
        ["--operator", "lazy"],
    ],
)
def test_invalid_operator_flags_exit_with_a_usage_error(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.parse_args(argv)
    assert exit_info.value.code == 2
    assert "error:" in capsys.readouterr().err
