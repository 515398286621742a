"""Command line: `python -m evnnovator_simulator --host 127.0.0.1 --port 8080`."""

import argparse
import asyncio
from collections.abc import Sequence
import contextlib
import logging
from typing import TextIO

from .credentials import print_demo_credentials
from .dialect import DIALECTS
from .operator_profile import AUTOSTOPS, COMPLETIONS, OperatorProfile
from .settings import DEFAULT_PREFIX, DEMO_TOKEN, SimulatorSettings
from .simulator import Simulator


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    defaults = SimulatorSettings()
    parser = argparse.ArgumentParser(
        prog="python -m evnnovator_simulator",
        description="Serve a fake EVnnovator API.",
        epilog="Operator flags left out take the --operator preset's value.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--prefix", default=DEFAULT_PREFIX)
    parser.add_argument("--token", default=DEMO_TOKEN)
    parser.add_argument("--pending-delay", type=float, default=defaults.pending_delay)
    _add_operator_arguments(parser)
    parser.add_argument(
        "--command-envelope",
        action="store_true",
        help="wrap command answers in the OCPI envelope",
    )
    parser.add_argument(
        "--dialect",
        choices=DIALECTS,
        default=defaults.dialect,
        help="the OCPI version of every answer (EVnnovator's 2.1.1 shape, or 2.2.1)",
    )
    args = parser.parse_args(argv)
    try:
        settings_from_args(args)
    except (TypeError, ValueError) as exc:
        parser.error(str(exc))
    return args


_PRESETS = {"realistic": OperatorProfile.realistic(), "exact": OperatorProfile()}


def _add_operator_arguments(parser: argparse.ArgumentParser) -> None:
    """Add a flag for each operator knob; None (left out) means the preset's value."""
    group = parser.add_argument_group("operator")
    group.add_argument(
        "--operator",
        choices=list(_PRESETS),
        default="realistic",
        help="preset: realistic (meter every 60 s, 0.01 kWh, stop 5-45 s after STOP) or exact "
        "(continuous meter, stop exactly --stop-delay after STOP); default: %(default)s",
    )
    group.add_argument("--power-kw", type=float, help="charging power")
    group.add_argument("--stop-delay", type=float, help="seconds from STOP to the real stop")
    group.add_argument("--stop-jitter", type=float, help="up to this many seconds more, seeded")
    group.add_argument(
        "--stop-spread",
        type=float,
        help="a typical latency of the operator's own (seeded, within the jitter's range), each "
        "stop within this many seconds of it; left out: each stop drawn anew across the range",
    )
    group.add_argument("--seed", type=int, help="seed of the stop jitter")
    group.add_argument(
        "--meter-interval", type=float, help="seconds between meter values (0: continuous)"
    )
    group.add_argument("--meter-phase", type=float, help="offset of the meter values, seconds")
    group.add_argument("--kwh-decimals", type=int, help="decimals of the kwh shown")
    group.add_argument("--completion", choices=COMPLETIONS, help="when the record says COMPLETED")
    group.add_argument("--autostop", choices=AUTOSTOPS, help="how START's autostop is applied")
    group.add_argument(
        "--taper-from-kwh", type=float, help="full power up to this energy, then taper"
    )
    group.add_argument(
        "--taper-kwh", type=float, help="energy the battery still takes once tapering"
    )
    group.add_argument(
        "--car-full-kwh",
        type=float,
        help="the car stops drawing at this energy; the session stays ACTIVE (idle)",
    )
    group.add_argument("--car-resumes-after", type=float, help="seconds later the car draws again")
    group.add_argument(
        "--battery-kwh",
        type=float,
        help="the car's usable battery capacity: a state of charge, and no drawing once full",
    )
    group.add_argument(
        "--battery-start-percent", type=float, help="the battery's state of charge at the start"
    )
    group.add_argument(
        "--charging-efficiency",
        type=float,
        help="the share of the metered energy the battery stores, in (0, 1]",
    )
    group.add_argument(
        "--reports-soc",
        action="store_const",
        const=True,
        help="the charger reports the state of charge in the session's charging periods",
    )


def settings_from_args(args: argparse.Namespace) -> SimulatorSettings:
    """Return the settings the command line asks for."""
    profile = _PRESETS[args.operator].as_json()
    given = {name: getattr(args, name) for name in profile if getattr(args, name) is not None}
    return SimulatorSettings(
        **(profile | given),
        token=args.token,
        prefix=args.prefix,
        pending_delay=args.pending_delay,
        command_envelope=args.command_envelope,
        dialect=args.dialect,
    )


async def serve(
    settings: SimulatorSettings,
    host: str,
    port: int,
    *,
    stream: TextIO | None = None,
    until: asyncio.Event | None = None,
) -> None:
    """Run a simulator, print the demo credentials, and serve until `until` is set (or forever)."""
    simulator = Simulator(settings)
    base_url = await simulator.start(host, port)
    try:
        print_demo_credentials(base_url, settings, stream)
        await (until or asyncio.Event()).wait()
    finally:
        await simulator.stop()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the simulator until interrupted; return the exit status."""
    args = parse_args(argv)
    settings = settings_from_args(args)
    # Shows each API request (never the token) as the simulator answers it.
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    # Ctrl+C is the normal way to stop it, not an error.
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(settings, args.host, args.port))
    return 0
